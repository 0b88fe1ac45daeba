// The server's runs: each a worker thread with its watchers, files and
// limits. The server thread only forwards encoded frames.

import { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, FRAME_DELIVERY, type Frame, type HelloFrame, type RunState } from '../protocol/messages.js';
import { Watcher, DEFAULT_WATCHER_LIMITS, type WatcherLimits } from './watcher.js';
import type { Pace, WorkerCommand, WorkerMessage } from './worker-protocol.js';
import type { ValidModel } from '../model/validate.js';
import type { WorkerInput } from './run-worker.js';
import type { ExperimentWorkerInput } from './experiment-worker.js';

/** What a run runs: a model, or an experiment's function with its options. */
export type RunSpec = { model: ValidModel } | { experiment: string; options: Record<string, unknown> };
import { HebbError } from '../core/errors.js';
import { packagePath } from '../core/paths.js';
import type { RunInfo } from '../protocol/rest.js';

/** Log lines of an experiment run kept for watchers that join late. */
const MAX_REPLAY = 500;

export interface RunOptions {
  /** null: until stopped. */
  durationMs: number | null;
  pace: Pace;
  /** Start when the first watcher connects (so it misses nothing). */
  waitForWatcher: boolean;
  /** Stop when the last watcher leaves. */
  stopWhenUnwatched: boolean;
}

export type { RunInfo } from '../protocol/rest.js';

export class TooManyRunsError extends HebbError {
  override name = 'TooManyRunsError';
  constructor(limit: number) {
    super('HEBB_ERR_TOO_MANY_RUNS', `at most ${limit} runs may be active at once; stop or delete one first`);
  }
}

export class Run {
  readonly id: string;
  readonly name: string;
  readonly created = new Date();
  readonly outDir: string;
  readonly dtMs: number;
  state: RunState;
  options: RunOptions;
  tMs = 0;
  error: { code: string; message: string } | undefined;
  summary: Record<string, unknown> | undefined;
  private readonly worker: Worker;
  private readonly watchers = new Set<Watcher>();
  private hello: HelloFrame | undefined;
  private readonly waitingForHello: Watcher[] = [];
  private readonly ended: Promise<void>;
  private started = false;

  /** Set for experiment runs: [0] = 1 asks the experiment to stop (it polls; it cannot read messages while it computes). */
  private readonly stopFlag: Int32Array | undefined;
  /** An experiment run (its function, not a model advanced step by step). */
  readonly experiment: string | undefined;
  /**
   * An experiment run's frames that a watcher joining late still needs, in
   * order: its log, every curve point, the latest frame of each image grid,
   * the results. (A model run needs none: its spikes are a sliding window.)
   */
  private readonly replay: { key: string; type: string; bytes: Uint8Array }[] = [];

  constructor(spec: RunSpec, options: RunOptions, runsDir: string, private readonly watcherLimits: WatcherLimits) {
    this.id = randomUUID().slice(0, 8);
    this.options = options;
    this.outDir = join(runsDir, this.id);
    mkdirSync(this.outDir, { recursive: true });
    if ('experiment' in spec) {
      this.name = spec.experiment;
      this.experiment = spec.experiment;
      this.dtMs = 0;
      this.state = 'running';
      this.started = true;
      const stop = new SharedArrayBuffer(4);
      this.stopFlag = new Int32Array(stop);
      const workerData: ExperimentWorkerInput = { id: this.id, experiment: spec.experiment, options: spec.options, outDir: this.outDir, stop };
      this.worker = new Worker(packagePath('dist', 'src', 'server', 'experiment-worker.js'), { workerData });
    } else {
      const model = spec.model;
      this.name = model.name ?? 'model';
      this.dtMs = model.dt;
      this.state = options.waitForWatcher ? 'waiting' : 'running';
      this.started = !options.waitForWatcher;
      const workerData: WorkerInput = {
        id: this.id, model, durationMs: options.durationMs, pace: options.pace, outDir: this.outDir, startRunning: !options.waitForWatcher,
      };
      // Always the compiled worker, also when this module runs from source (tests).
      this.worker = new Worker(packagePath('dist', 'src', 'server', 'run-worker.js'), { workerData });
    }
    this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.ended = new Promise((resolve) => {
      this.worker.on('exit', () => resolve());
      this.worker.on('error', (e) => {
        this.fail('HEBB_ERR_RUN', e.message);
        resolve();
      });
    });
  }

  get finished(): boolean {
    return this.state === 'done' || this.state === 'stopped' || this.state === 'error';
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** The current watchers (for diagnostics and tests). */
  get currentWatchers(): Watcher[] {
    return [...this.watchers];
  }

  info(): RunInfo {
    // (RunInfo: src/protocol/rest.ts)
    return {
      id: this.id, kind: this.experiment === undefined ? 'network' : 'experiment', name: this.name, state: this.state, created: this.created.toISOString(),
      duration_ms: this.options.durationMs, pace: this.options.pace, t_ms: this.tMs, watchers: this.watchers.size,
      wait_for_watcher: this.options.waitForWatcher, stop_when_unwatched: this.options.stopWhenUnwatched,
      ...(this.error ? { error: this.error } : {}), ...(this.summary ? { summary: this.summary } : {}),
    };
  }

  private onMessage(m: WorkerMessage): void {
    switch (m.kind) {
      case 'ready':
        this.hello = decodeFrame(m.hello) as HelloFrame;
        for (const w of this.waitingForHello.splice(0)) this.greet(w);
        break;
      case 'frame': {
        const bytes = new Uint8Array(m.bytes);
        if (m.type === 'progress') this.tMs = (decodeFrame(bytes) as { t_ms: number }).t_ms;
        if (this.experiment) this.keepForReplay(m.type, bytes);
        for (const w of this.watchers) w.push(bytes, m.type, m.spikes);
        break;
      }
      case 'state':
        this.state = m.state;
        break;
      case 'done':
        this.state = m.state;
        this.summary = m.summary;
        break;
      case 'error':
        this.fail(m.code, m.message);
        break;
    }
  }

  private keepForReplay(type: string, bytes: Uint8Array): void {
    const delivery = FRAME_DELIVERY[type as Frame['type']];
    if (delivery !== 'replay' && delivery !== 'latest') return;
    // Image grids are keyed by their title without its numbers ("... after 400 digits").
    const key = type === 'images' ? `images:${(decodeFrame(bytes) as { title: string }).title.replace(/\d+/g, '#')}` : type;
    if (delivery === 'latest') {
      const i = this.replay.findIndex((f) => f.key === key);
      if (i >= 0) this.replay.splice(i, 1);
    }
    this.replay.push({ key, type, bytes });
    if (type === 'log' && this.replay.length > MAX_REPLAY) {
      const i = this.replay.findIndex((f) => f.type === 'log');
      this.replay.splice(i, 1);
    }
  }

  private fail(code: string, message: string): void {
    this.state = 'error';
    this.error = { code, message };
    const bytes = encodeFrame({ type: 'error', code, message });
    for (const w of this.watchers) w.push(bytes, 'error');
    void this.worker.terminate();
  }

  private greet(w: Watcher): void {
    const hello = this.hello!;
    w.push(encodeFrame({ ...hello, run: { ...hello.run, state: this.state } }), 'hello');
  }

  /** Adds a WebSocket watcher; returns it. */
  watch(socket: WebSocket): Watcher {
    const w = new Watcher(socket, this.watcherLimits);
    this.watchers.add(w);
    if (this.hello) this.greet(w);
    else this.waitingForHello.push(w);
    for (const f of this.replay) w.push(f.bytes, f.type);
    if (this.finished) {
      if (this.error) w.push(encodeFrame({ type: 'error', ...this.error }), 'error');
      else if (this.summary) w.push(encodeFrame({ type: 'done', state: this.state, summary: this.summary }), 'done');
    } else if (!this.started && this.options.waitForWatcher) {
      this.command({ cmd: 'start' });
      this.started = true;
    }
    socket.on('close', () => this.unwatch(w));
    return w;
  }

  private unwatch(w: Watcher): void {
    w.close();
    this.watchers.delete(w);
    const i = this.waitingForHello.indexOf(w);
    if (i >= 0) this.waitingForHello.splice(i, 1);
    if (this.watchers.size === 0 && this.options.stopWhenUnwatched && !this.finished) this.command({ cmd: 'stop' });
  }

  command(cmd: WorkerCommand): void {
    if (this.stopFlag && cmd.cmd === 'stop') Atomics.store(this.stopFlag, 0, 1);
    if (cmd.cmd === 'pace') this.options = { ...this.options, pace: cmd.pace };
    if (cmd.cmd === 'start' || cmd.cmd === 'resume') this.started = true;
    if (!this.finished) this.worker.postMessage(cmd);
  }

  /** Stops the run (files are finished) and waits for its thread to end. */
  async stop(): Promise<void> {
    this.command({ cmd: 'stop' });
    await this.ended;
  }

  async dispose(): Promise<void> {
    if (!this.finished) await this.stop();
    else await this.worker.terminate();
    for (const w of this.watchers) w.close();
    rmSync(this.outDir, { recursive: true, force: true });
  }

  hasFile(name: string): boolean {
    return existsSync(join(this.outDir, name));
  }
}

export interface RunManagerOptions {
  runsDir?: string;
  maxActiveRuns?: number;
  /** Finished runs kept for download; the oldest are deleted beyond this. */
  keepFinished?: number;
  watcherLimits?: WatcherLimits;
}

export class RunManager {
  readonly runsDir: string;
  readonly maxActiveRuns: number;
  private readonly keepFinished: number;
  private readonly watcherLimits: WatcherLimits;
  private readonly runs = new Map<string, Run>();

  constructor(options: RunManagerOptions = {}) {
    this.runsDir = options.runsDir ?? join(tmpdir(), `hebb-runs-${process.pid}`);
    this.maxActiveRuns = options.maxActiveRuns ?? 4;
    this.keepFinished = options.keepFinished ?? 20;
    this.watcherLimits = options.watcherLimits ?? DEFAULT_WATCHER_LIMITS;
  }

  create(spec: ValidModel | RunSpec, options: RunOptions): Run {
    const active = [...this.runs.values()].filter((r) => !r.finished).length;
    if (active >= this.maxActiveRuns) throw new TooManyRunsError(this.maxActiveRuns);
    const runSpec: RunSpec = 'populations' in spec ? { model: spec } : spec;
    const run = new Run(runSpec, options, this.runsDir, this.watcherLimits);
    this.runs.set(run.id, run);
    this.evictFinished();
    return run;
  }

  get(id: string): Run | undefined {
    return this.runs.get(id);
  }

  list(): Run[] {
    return [...this.runs.values()];
  }

  async delete(id: string): Promise<boolean> {
    const run = this.runs.get(id);
    if (!run) return false;
    this.runs.delete(id);
    await run.dispose();
    return true;
  }

  private evictFinished(): void {
    const finished = this.list().filter((r) => r.finished).sort((a, b) => a.created.getTime() - b.created.getTime());
    while (finished.length > this.keepFinished) void this.delete(finished.shift()!.id);
  }

  async close(): Promise<void> {
    await Promise.all(this.list().map((r) => this.delete(r.id)));
    rmSync(this.runsDir, { recursive: true, force: true });
  }
}
