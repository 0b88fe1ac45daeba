// The server's runs: each a worker thread with its watchers, files and
// limits. The server thread only forwards encoded frames.

import { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, existsSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, FRAME_DELIVERY, type Frame, type HelloFrame, type RunState } from '../protocol/messages.js';
import { Watcher, DEFAULT_WATCHER_LIMITS, type WatcherLimits } from './watcher.js';
import type { Pace, WorkerCommand, WorkerMessage } from './worker-protocol.js';
import type { ValidModel } from '../model/validate.js';
import type { WorkerInput } from './run-worker.js';
import type { ExperimentWorkerInput } from './experiment-worker.js';
import type { Limits } from '../model/validate.js';

/** What a run runs: a model, or an experiment's function with its options. */
export type RunSpec =
  | { model: ValidModel }
  /** A checked model as JSON text (what the validator thread hands over: text crosses threads cheaply). */
  | { modelJson: string; name: string; dt: number; size?: { neurons: number; synapses: number } }
  | { experiment: string; options: Record<string, unknown> };
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
  /** Threads of a network run (undefined: the Simulation's default). */
  threads?: number;
}

export type { RunInfo } from '../protocol/rest.js';

export class TooManyRunsError extends HebbError {
  override name = 'TooManyRunsError';
  constructor(limit: number) {
    super('HEBB_ERR_TOO_MANY_RUNS', `at most ${limit} runs may be active at once; stop or delete one first`);
  }
}

/** 507: the runs' files would exceed the server's disk budget, and no finished run can make room. */
export class DiskFullError extends HebbError {
  override name = 'DiskFullError';
  constructor(message: string) {
    super('HEBB_ERR_DISK_LIMIT', message);
  }
}

/** What the server spends on runs; see RunManagerOptions. */
export interface RunBudget {
  watcherLimits: WatcherLimits;
  maxRunBytes: number;
  /** Applied to the networks experiment runs build. */
  limits: Partial<Limits>;
}

export class Run {
  readonly id: string;
  readonly name: string;
  readonly created = new Date();
  readonly outDir: string;
  readonly dtMs: number;
  /** Neurons and expected synapses of a network run (what the page says while it builds). */
  readonly size: { neurons: number; synapses: number } | undefined;
  state: RunState;
  options: RunOptions;
  /** Why the run ended, when not by its duration or a request (idle expiry). */
  reason: string | undefined;
  /** Last time anyone watched or asked about the run (ms, the manager's clock). */
  lastSeen: number;
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

  private readonly watcherLimits: WatcherLimits;

  constructor(spec: RunSpec, options: RunOptions, runsDir: string, budget: RunBudget, now: number) {
    this.id = randomUUID().slice(0, 8);
    this.options = options;
    this.watcherLimits = budget.watcherLimits;
    this.lastSeen = now;
    this.outDir = join(runsDir, this.id);
    mkdirSync(this.outDir, { recursive: true });
    if ('experiment' in spec) {
      this.name = spec.experiment;
      this.experiment = spec.experiment;
      this.size = undefined;
      this.dtMs = 0;
      this.state = 'running';
      this.started = true;
      const stop = new SharedArrayBuffer(4);
      this.stopFlag = new Int32Array(stop);
      const workerData: ExperimentWorkerInput = { id: this.id, experiment: spec.experiment, options: spec.options, outDir: this.outDir, stop, limits: budget.limits };
      this.worker = new Worker(packagePath('dist', 'src', 'server', 'experiment-worker.js'), { workerData });
    } else {
      const { modelJson, name, dt } = 'modelJson' in spec ? spec : { modelJson: JSON.stringify(spec.model), name: spec.model.name ?? 'model', dt: spec.model.dt };
      this.name = name;
      this.dtMs = dt;
      this.size = 'modelJson' in spec ? spec.size : undefined;
      this.state = options.waitForWatcher ? 'waiting' : 'running';
      this.started = !options.waitForWatcher;
      const workerData: WorkerInput = {
        id: this.id, modelJson, durationMs: options.durationMs, pace: options.pace, outDir: this.outDir, startRunning: !options.waitForWatcher, maxBytes: budget.maxRunBytes,
        ...(options.threads ? { threads: options.threads } : {}),
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
      ...(this.size ? { neurons: this.size.neurons, synapses: this.size.synapses } : {}),
      ...(this.error ? { error: this.error } : {}), ...(this.reason ? { reason: this.reason } : {}), ...(this.summary ? { summary: this.summary } : {}),
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
        // A watcher that has the done frame may ask for the files at once: the run is over
        // before the frame goes out, not when the worker's own 'done' message follows it.
        if (m.type === 'done') {
          const done = decodeFrame(bytes) as { state: RunState; summary: unknown };
          this.state = done.state;
          this.summary = done.summary as typeof this.summary;
        }
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
        // The done frame was the last: close each socket once it has gone out.
        for (const w of this.watchers) w.end(1000, `the run has ${m.state === 'done' ? 'ended' : 'stopped'}`);
        break;
      case 'error':
        if (m.summary) this.summary = m.summary;
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
    for (const w of this.watchers) {
      w.push(bytes, 'error');
      w.end(1000, 'the run has failed');
    }
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
      w.end(1000, 'the run has ended');
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
    this.lastSeen = this.clock();
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
    // 1001 "going away": the run and its files are gone, do not reconnect.
    for (const w of this.watchers) w.close(1001, 'the run was deleted');
    if (!this.finished) await this.stop();
    else await this.worker.terminate();
    rmSync(this.outDir, { recursive: true, force: true });
  }

  hasFile(name: string): boolean {
    return existsSync(join(this.outDir, name));
  }

  private diskBytes: number | undefined;

  /** Bytes of the run's folder (counted once the run has finished; its budget while it runs). */
  bytesOnDisk(budget: number): number {
    if (!this.finished) return budget;
    if (this.diskBytes === undefined) {
      let n = 0;
      try {
        for (const name of readdirSync(this.outDir)) n += lstatSync(join(this.outDir, name)).size;
      } catch { /* gone: nothing */ }
      this.diskBytes = n;
    }
    return this.diskBytes;
  }

  /** The manager's clock (set by it; tests drive it). */
  clock: () => number = Date.now;
}

export interface RunManagerOptions {
  runsDir?: string;
  maxActiveRuns?: number;
  /** Finished runs kept for download; the oldest are deleted beyond this. */
  keepFinished?: number;
  watcherLimits?: WatcherLimits;
  /** A run nobody watches or asks about for this long is stopped (default 10 min). */
  idleMs?: number;
  /** A run whose files grow beyond this ends with HEBB_ERR_DISK_LIMIT (default 1 GiB). */
  maxRunBytes?: number;
  /** All runs' files together: finished runs are deleted oldest first to make room, else 507 (default 8 GiB). */
  maxTotalBytes?: number;
  /** Limits for the networks that experiment runs build (the server passes its model limits). */
  experimentLimits?: Partial<Limits>;
  /** The clock of idle expiry (ms); tests pass their own. */
  now?: () => number;
}

export const DEFAULT_RUN_BUDGET = { idleMs: 10 * 60_000, maxRunBytes: 2 ** 30, maxTotalBytes: 8 * 2 ** 30 };

function gib(n: number): string {
  return n >= 2 ** 30 ? `${+(n / 2 ** 30).toFixed(2)} GiB` : `${+(n / 2 ** 20).toFixed(2)} MiB`;
}

export class RunManager {
  readonly runsDir: string;
  readonly maxActiveRuns: number;
  private readonly keepFinished: number;
  private readonly budget: RunBudget;
  readonly idleMs: number;
  readonly maxTotalBytes: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;
  private readonly runs = new Map<string, Run>();

  constructor(options: RunManagerOptions = {}) {
    this.runsDir = options.runsDir ?? join(tmpdir(), `hebb-runs-${process.pid}`);
    this.maxActiveRuns = options.maxActiveRuns ?? 4;
    this.keepFinished = options.keepFinished ?? 20;
    this.idleMs = options.idleMs ?? DEFAULT_RUN_BUDGET.idleMs;
    this.maxTotalBytes = options.maxTotalBytes ?? DEFAULT_RUN_BUDGET.maxTotalBytes;
    this.budget = {
      watcherLimits: options.watcherLimits ?? DEFAULT_WATCHER_LIMITS,
      maxRunBytes: Math.min(options.maxRunBytes ?? DEFAULT_RUN_BUDGET.maxRunBytes, this.maxTotalBytes),
      limits: options.experimentLimits ?? {},
    };
    this.now = options.now ?? Date.now;
    // Checked a few times per idle period; never keeps the process alive.
    this.sweeper = setInterval(() => this.expireIdle(), Math.max(1000, Math.min(60_000, this.idleMs / 4)));
    this.sweeper.unref();
  }

  create(spec: ValidModel | RunSpec, options: RunOptions): Run {
    const active = [...this.runs.values()].filter((r) => !r.finished).length;
    if (active >= this.maxActiveRuns) throw new TooManyRunsError(this.maxActiveRuns);
    this.makeRoom();
    const runSpec: RunSpec = 'populations' in spec ? { model: spec } : spec;
    const run = new Run(runSpec, options, this.runsDir, this.budget, this.now());
    run.clock = this.now;
    this.runs.set(run.id, run);
    this.evictFinished();
    return run;
  }

  /**
   * Bytes the runs' files take: finished runs what they hold, active ones
   * their whole per-run budget (they may grow to it).
   */
  bytesUsed(): number {
    return this.list().reduce((n, r) => n + r.bytesOnDisk(this.budget.maxRunBytes), 0);
  }

  /** Deletes finished runs, oldest first, until a new run's budget fits; 507 if it cannot. */
  private makeRoom(): void {
    const need = this.budget.maxRunBytes;
    const finished = this.list().filter((r) => r.finished).sort((a, b) => a.created.getTime() - b.created.getTime());
    let used = this.bytesUsed();
    while (used + need > this.maxTotalBytes && finished.length) {
      const old = finished.shift()!;
      used -= old.bytesOnDisk(need);
      void this.delete(old.id);
    }
    if (used + need > this.maxTotalBytes) {
      throw new DiskFullError(`the runs' files may take at most ${gib(this.maxTotalBytes)} together, and each run up to ${gib(need)}; `
        + 'the active runs hold that budget: stop one (its files are kept) or delete one first');
    }
  }

  /** Stops the runs nobody has watched or asked about for idleMs (their files are kept). */
  expireIdle(now = this.now()): Run[] {
    const idle = this.list().filter((r) => !r.finished && r.watcherCount === 0 && now - r.lastSeen >= this.idleMs);
    for (const r of idle) {
      r.reason = `stopped after ${Math.round(this.idleMs / 1000)} s with no watcher and no request about it`;
      void r.stop();
    }
    return idle;
  }

  /** The run, its idle clock restarted: asking about a run keeps it alive. */
  get(id: string): Run | undefined {
    const run = this.runs.get(id);
    if (run) run.lastSeen = this.now();
    return run;
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
    clearInterval(this.sweeper);
    await Promise.all(this.list().map((r) => this.delete(r.id)));
    rmSync(this.runsDir, { recursive: true, force: true });
  }
}
