// A run in its own thread: builds the model, advances it paced by the wall
// clock (real time, a speed-up, or flat out), writes the run's files, and
// posts encoded protocol frames to the server thread, which only forwards
// them. The server thread stays responsive however heavy the network.

import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { Simulation } from '../sim/simulation.js';
import { neuronModel } from '../model/neurons/index.js';
import { SpikeFiles } from '../record/spike-files.js';
import { writeFileAtomic } from '../core/atomic.js';
import { encodeFrame, PROTOCOL_VERSION, type Frame, type RunState, type WeightsFrame } from '../protocol/messages.js';
import { recordingSink } from '../sim/recording.js';
import { SpikeFrameBuilder, StateFrameBuilder, EnergyFrameBuilder, populationInfo, imageInfo } from './frames.js';
import type { ValidModel } from '../model/validate.js';
import type { Pace, WorkerCommand, WorkerMessage } from './worker-protocol.js';

export interface WorkerInput {
  id: string;
  /** The checked model as JSON text. */
  modelJson: string;
  /** null: run until stopped. */
  durationMs: number | null;
  pace: Pace;
  outDir: string;
  startRunning: boolean;
  /** The run stops with HEBB_ERR_DISK_LIMIT once its files would take more bytes than this. */
  maxBytes: number;
  /** Threads that run each step (undefined: the Simulation's default). */
  threads?: number;
}

/** Wall-clock period of the loop: frames go out about 30 times a second. */
const TICK_MS = 33;
/** Longest biological stretch a real-time run catches up in one tick. */
const MAX_CATCH_UP_MS = 250;
/** A spike frame is sent early once it holds this many spikes (bounded frame size). */
const MAX_FRAME_SPIKES = 1 << 16;
/** Steps per kernel call inside a tick, between frame-size checks. */
const SUB_STEPS = 256;

const port = parentPort!;
const input = workerData as WorkerInput;

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function send(frame: Frame, spikes = 0): void {
  const bytes = encodeFrame(frame);
  // A fresh buffer exactly the frame's size, handed over without a copy.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  post({ kind: 'frame', type: frame.type, spikes, bytes: buffer }, [buffer]);
}

let state: RunState = input.startRunning ? 'running' : 'waiting';
let pace = input.pace;
let stopRequested = false;
let diskLimitAt: number | undefined;

// Watchers learn of a change of state from a progress frame (set in main()).
let announce: () => void = () => {};

function setState(s: RunState): void {
  state = s;
  post({ kind: 'state', state: s });
  announce();
}

async function main(): Promise<void> {
  const model = JSON.parse(input.modelJson) as ValidModel;
  const sim = new Simulation(model, input.threads ? { threads: input.threads } : {});
  const dt = model.dt;
  const totalSteps = input.durationMs === null ? Infinity : Math.round(input.durationMs / dt);
  // No spikes.csv during the run: the server makes it from spikes.msgpack on download.
  const energyPops = model.record?.energy?.populations ?? [];
  const energy = energyPops.length ? { energy: { overlaps: energyPops.some((n) => sim.network.patterns[n] !== undefined) } } : {};
  const files = new SpikeFiles(sim.network, { dir: input.outDir, csv: false, weights: model.record?.weights ?? [], ...energy, modules: (model.modules ?? []).length > 0, meta: { model: model.name ?? 'model', seed: model.seed, dt_ms: dt } });
  const spikeFrames = new SpikeFrameBuilder(sim.network, dt);
  const stateFrames = new StateFrameBuilder(sim.network.probes.length);
  const images = imageInfo(model, sim.network);
  const moduleRows: Record<string, { times: number[]; rows: Float32Array[] }> = {};
  const energyFrames = new EnergyFrameBuilder(images.map((i) => i.population), (name) => sim.population(name).binaryStates());
  const recorded = model.record?.spikes ?? 'all';
  const pops = populationInfo(sim.network).map((p) => ({ ...p, recorded: recorded === 'all' || recorded.includes(p.name) }));
  const sink = recordingSink({
    spikes: (c) => { files.spikes(c); spikeFrames.add(c); },
    state: (c) => { files.state(c); stateFrames.add(c); },
    weights: (w) => {
      files.weights(w);
      const frame: WeightsFrame = { type: 'weights', t_ms: w.tMs, projection: w.projection, ...weightInfo(w.projection) };
      if (w.synapses) {
        frame.pairs = Uint32Array.from(w.synapses.pairs.flat());
        frame.values = Float32Array.from(w.synapses.weights);
      }
      if (w.histogram) {
        frame.edges = w.histogram.edges;
        frame.counts = w.histogram.counts;
      }
      send(frame);
    },
    energy: (e) => { files.energy(e); energyFrames.add(e); },
    modules: (m) => {
      files.modules(m);
      const q = (moduleRows[m.module] ??= { times: [], rows: [] });
      q.times.push(m.tMs);
      q.rows.push(m.activity);
    },
  });

  // Each recorded projection's weight unit (from its target's model) and the axis its record gives.
  const weightInfo = (projection: string): Pick<WeightsFrame, 'unit' | 'axis'> => {
    const rec = (model.record?.weights ?? []).find((r) => r.projection === projection);
    const pr = model.projections.find((p) => (p.name ?? `${p.from}->${p.to}`) === projection);
    const post = model.populations.find((p) => p.name === pr?.to);
    const unit = post ? neuronModel(post.model)?.synapses?.weightUnit.split(' (')[0] : undefined;
    return { ...(unit ? { unit } : {}), ...(rec?.axis ? { axis: rec.axis } : {}) };
  };

  const hello: Frame = {
    type: 'hello', v: PROTOCOL_VERSION,
    run: { id: input.id, kind: 'network', name: model.name ?? 'model', dt_ms: dt, duration_ms: input.durationMs, populations: pops, probes: sim.network.probes, state, ...(images.length ? { images } : {}) },
  };
  post({ kind: 'ready', hello: encodeFrame(hello) });

  const totals = pops.map(() => 0);
  let speed = 0;  // biological ms per wall ms, smoothed over about a second
  let lastWall = performance.now();
  let lastProgressT = 0, lastProgressWall = lastWall;
  const lastCounts = pops.map(() => 0);

  const progress = () => {
    const now = performance.now();
    const t = sim.timeMs;
    const span = (t - lastProgressT) / 1000;
    sim.network.populations.forEach((p, k) => { totals[k] = sim.population(p.name).spikes(); });
    const rates = totals.map((n, k) => (span > 0 && pops[k]!.size > 0 ? (n - lastCounts[k]!) / pops[k]!.size / span : 0));
    if (now > lastProgressWall && state === 'running') {
      const instant = (t - lastProgressT) / (now - lastProgressWall);
      speed = speed === 0 ? instant : 0.9 * speed + 0.1 * instant;
    }
    send({ type: 'progress', state, t_ms: t, wall_ms: sim.simulateMs, spikes: [...totals], rates_hz: rates, speed, fraction: input.durationMs === null ? null : Math.min(1, t / Math.max(input.durationMs, 1e-9)) });
    totals.forEach((n, k) => { lastCounts[k] = n; });
    lastProgressT = t;
    lastProgressWall = now;
  };

  announce = progress;
  let frameStep = 0;  // first step of the spike frame being filled
  const flushFrames = () => {
    const step1 = sim.step;
    if (spikeFrames.count > 0) {
      const n = spikeFrames.count;
      send(spikeFrames.take(frameStep * dt, step1 * dt, frameStep, step1), n);
    }
    if (stateFrames.rows > 0) send(stateFrames.take());
    if (energyFrames.rows > 0) send(energyFrames.take());
    for (const [module, q] of Object.entries(moduleRows)) {
      if (!q.times.length) continue;
      const units = q.rows[0]!.length;
      const activity = new Float32Array(q.rows.length * units);
      q.rows.forEach((r, k) => activity.set(r, k * units));
      send({ type: 'modules', module, units, times: Float64Array.from(q.times), activity });
      q.times = [];
      q.rows = [];
    }
    frameStep = step1;
  };

  // Advances up to `steps` steps in short calls, sending a frame whenever
  // one grows large; stops early when the wall-clock budget is spent.
  const advance = (steps: number, budgetMs: number, started: number) => {
    const end = Math.min(totalSteps, sim.step + steps);
    while (sim.step < end && !stopRequested) {
      sim.run({ steps: Math.min(SUB_STEPS, end - sim.step), sink });
      if (spikeFrames.count >= MAX_FRAME_SPIKES) flushFrames();
      if (files.bytes > input.maxBytes) {
        diskLimitAt = sim.timeMs;
        stopRequested = true;
      }
      if (performance.now() - started >= budgetMs) break;
    }
  };

  for (;;) {
    const tickStart = performance.now();
    if (stopRequested) break;
    if (state === 'running') {
      if (pace.mode === 'max') {
        // Flat out: simulate for about one tick of wall time.
        advance(Infinity, TICK_MS, tickStart);
      } else {
        const wall = Math.min(tickStart - lastWall, MAX_CATCH_UP_MS / pace.speed);
        const steps = Math.max(0, Math.round((wall * pace.speed) / dt));
        // A model slower than its pace falls behind rather than piling up work.
        advance(steps, 4 * TICK_MS, tickStart);
      }
      flushFrames();
      progress();
      if (sim.step >= totalSteps) break;
    }
    lastWall = tickStart;
    const wait = Math.max(0, TICK_MS - (performance.now() - tickStart));
    await new Promise((resolve) => setTimeout(resolve, state === 'running' && pace.mode === 'max' ? 0 : wait));
  }

  const finished = sim.step >= totalSteps;
  const summary = sim.summary(!finished);
  sim.close();
  files.finish();
  writeFileAtomic(join(input.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (diskLimitAt !== undefined) {
    const message = `the run's files reached the server's limit of ${formatBytes(input.maxBytes)} per run at t = ${diskLimitAt} ms; `
      + 'what was recorded until then is kept (download it); record fewer populations, or use hebb run for longer recordings';
    state = 'error';
    post({ kind: 'error', code: 'HEBB_ERR_DISK_LIMIT', message, summary: summary as unknown as Record<string, unknown> });
    return;
  }
  state = finished ? 'done' : 'stopped';
  progress();
  send({ type: 'done', state, summary: summary as unknown as Record<string, unknown> });
  post({ kind: 'done', state, summary: summary as unknown as Record<string, unknown> });
}

function formatBytes(n: number): string {
  return n >= 1 << 30 ? `${+(n / 2 ** 30).toFixed(2)} GiB` : n >= 1 << 20 ? `${+(n / 2 ** 20).toFixed(2)} MiB` : `${n} bytes`;
}

port.on('message', (cmd: WorkerCommand) => {
  switch (cmd.cmd) {
    case 'start':
    case 'resume':
      if (state === 'waiting' || state === 'paused') setState('running');
      break;
    case 'pause':
      if (state === 'running' || state === 'waiting') setState('paused');
      break;
    case 'stop':
      stopRequested = true;
      break;
    case 'pace':
      pace = cmd.pace;
      break;
  }
});

main().catch((e: unknown) => {
  const err = e as Error & { code?: string };
  post({ kind: 'error', code: err.code ?? 'HEBB_ERR_RUN', message: err.message ?? String(e) });
}).finally(() => port.close());  // nothing left to say: let the thread end
