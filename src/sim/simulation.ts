// A running simulation: a kernel instance holding one built model, advanced
// in chunks. After each chunk the recording devices read what they record
// and hand it to the run's sink (files, live frames, memory), so the
// kernel's buffers stay bounded however long the run. Results never depend
// on the chunk sizes. Populations and projections are reached through
// handles: sim.population("exc"), sim.projection("exc->inh").

import { availableParallelism } from 'node:os';
import { Kernel, type KernelFlavor, defaultFlavor, MAX_THREADS } from '../kernel/kernel.js';
import { buildNetwork, type Network } from '../network/build.js';
import type { ValidModel } from '../model/validate.js';
import { neuronModel } from '../model/neurons/index.js';
import { msToSteps } from '../model/units.js';
import { UsageError } from '../core/errors.js';
import { closest } from '../core/closest.js';
import { weightMonitors } from './weights.js';
import { energyMonitor, type EnergyMonitor } from './energy.js';
import { rateModules, type RateModule } from '../modules/runtime.js';
import { SpikeDevice, StateDevice, type Device } from './devices.js';
import { PopulationHandle, ProjectionHandle } from './handles.js';
import type { RecordingSink, Recording } from './recording.js';

export interface RunOptions {
  /** Steps to run (default: the rest of the model's duration). */
  steps?: number;
  /** Where the run's records go (files, a stream, memory); none: they are dropped. */
  sink?: RecordingSink;
  /** Called after every chunk with the steps done and to do. */
  onProgress?(done: number, total: number): void;
  /** Checked between chunks; true stops the run early (Ctrl-C). */
  shouldStop?(): boolean;
}

export interface PopulationSummary {
  size: number;
  spikes: number;
  rate_hz: number;
  /** Equation populations: the integration method and why it was chosen. */
  method?: string;
  method_reason?: string;
}

export interface RunSummary {
  model: string;
  seed: number;
  dt_ms: number;
  duration_ms: number;
  /** Set when the run continued a checkpoint: the time it started from. */
  start_ms?: number;
  simulated_ms: number;
  interrupted: boolean;
  neurons: number;
  synapses: number;
  spikes: number;
  synaptic_events: number;
  /** build: model to kernel; simulate: the kernel's run calls; output: records to the sinks. */
  /** compile: generating code for equation populations (part of build). */
  wall_ms: { build: number; compile: number; simulate: number; output: number };
  events_per_second: number;
  populations: Record<string, PopulationSummary>;
  kernel: KernelFlavor;
  /** Threads that ran each step (the spikes do not depend on it). */
  threads: number;
}

export interface SimulationOptions {
  /** release (default) or debug (bounds-checked, for tests). */
  flavor?: KernelFlavor;
  /** Spikes the kernel buffers between drains. */
  recordCapacity?: number;
  /** Threads that run each step (default: defaultThreads); the spikes do not depend on it. */
  threads?: number;
}

// Below this many neurons per thread, a step is too short for the helpers'
// share to pay for the hand-over. Measured on a 2-core VM (whole 5-s runs,
// two threads against one, medians of 5): CUBA 1.07x at 16000 neurons and
// 0.82x at 32000, COBA 0.81x and 0.78x; at 8000 both slower. A default should
// never make a run slower, so 32000 neurons is the first size that gets two;
// --threads asks for more.
export const NEURONS_PER_THREAD = 16000;

/** Threads a model runs on unless told: the cores, capped by the size of what threads split. */
export function defaultThreads(model: ValidModel): number {
  const neurons = model.populations.reduce((n, p) => n + (neuronModel(p.model)?.threaded ? p.size : 0), 0);
  return Math.max(1, Math.min(availableParallelism(), MAX_THREADS, Math.floor(neurons / NEURONS_PER_THREAD)));
}

export class Simulation {
  readonly model: ValidModel;
  readonly network: Network;
  readonly buildMs: number;
  /** Steps in the model's duration. */
  readonly totalSteps: number;
  /** Wall time in the kernel's run calls. */
  simulateMs = 0;
  /** Wall time spent handing records to the sinks (files, streams). */
  outputMs = 0;
  /** Rate-coded modules, updated every their interval (module.rbm, .mlp, .recurrent hold the layers). */
  readonly modules: readonly RateModule[];
  readonly #kernel: Kernel;
  readonly #devices: Device[];
  readonly #populations = new Map<string, PopulationHandle>();
  readonly #projections = new Map<string, ProjectionHandle>();
  readonly #energy: EnergyMonitor | undefined;
  #chunkSteps = 16;
  #begun = false;
  /** Where this session started (0, or the step of a loaded checkpoint): the summary counts from here. */
  #startStep = 0;
  #startSpikes: number[] = [];
  #startEvents = 0;

  constructor(model: ValidModel, options: SimulationOptions = {}) {
    const t0 = performance.now();
    this.model = model;
    this.#kernel = new Kernel(options.flavor ?? defaultFlavor(), options.threads ?? defaultThreads(model));
    this.network = buildNetwork(this.#kernel, model, options);
    for (const p of this.network.populations) this.#populations.set(p.name, new PopulationHandle(this.#kernel, p));
    for (const p of this.network.projections) {
      const nPre = this.network.populations.find((q) => q.name === p.from)!.size;
      this.#projections.set(p.name, new ProjectionHandle(this.#kernel, p, nPre));
    }
    this.#energy = energyMonitor(this.#kernel, this.network, model);
    this.modules = rateModules(this.#kernel, this.network, model);
    // The order is the order of the records within a chunk.
    this.#devices = [
      new SpikeDevice(this.#kernel),
      ...(this.network.probes.length ? [new StateDevice(this.#kernel, this.network.probeEverySteps, model.dt)] : []),
      ...weightMonitors(this.#kernel, this.network, model),
      ...(this.#energy ? [this.#energy] : []),
      ...this.modules,
    ];
    this.totalSteps = msToSteps(model.duration, model.dt);
    this.buildMs = performance.now() - t0;
    this.markStart();
  }

  /** Ends the kernel's helper threads (a run with threads); the simulation goes on with one, with the same results. */
  close(): void { this.#kernel.close(); }

  /** The kernel facade (for tools that measure it; models go through the handles). */
  get kernel(): Kernel { return this.#kernel; }

  /** A population by name. */
  population(name: string): PopulationHandle {
    const h = this.#populations.get(name);
    if (!h) throw new UsageError(unknown('population', name, [...this.#populations.keys()]));
    return h;
  }

  /** A projection by name ("from->to" unless the model names it). */
  projection(name: string): ProjectionHandle {
    const h = this.#projections.get(name);
    if (!h) throw new UsageError(unknown('projection', name, [...this.#projections.keys()]));
    return h;
  }

  get populations(): PopulationHandle[] { return [...this.#populations.values()]; }
  get projections(): ProjectionHandle[] { return [...this.#projections.values()]; }

  /** True once the model's duration has been simulated (from the session's start). */
  get reachedEnd(): boolean {
    return this.step >= this.#startStep + this.totalSteps;
  }

  get step(): number { return this.#kernel.currentStep(); }
  get timeMs(): number { return this.step * this.model.dt; }
  /** Synaptic events delivered so far (spike arrivals at synapses, flips reaching fields). */
  get events(): number { return this.#kernel.totalEvents(); }

  /** Counts in the summary start from now. */
  private markStart(): void {
    this.#startStep = this.step;
    this.#startSpikes = this.network.populations.map((p) => this.#kernel.populationSpikes(p.index));
    this.#startEvents = this.#kernel.totalEvents();
  }

  /** Freezes learning (plastic weights and adaptive thresholds stay as they are) or thaws it. */
  freezeLearning(frozen = true): void {
    this.#kernel.freezeLearning(frozen);
  }

  // ------------------------------------------------------------ checkpoints

  /**
   * The whole dynamic state, call between runs: the kernel's (see
   * assembly/checkpoint.ts), then each rate-coded module's in model order
   * (weights, encoder, recurrent state; RateModule.writeState).
   */
  saveState(): Uint8Array {
    const kernel = this.#kernel.saveCheckpoint();
    if (!this.modules.length) return kernel;
    const out = new Uint8Array(kernel.length + this.modulesStateBytes());
    out.set(kernel);
    let at = kernel.length;
    for (const m of this.modules) { m.writeState(out, at); at += m.stateBytes; }
    return out;
  }

  /** Restores a state saved from a network built from the same model; returns false if it does not fit. */
  loadState(bytes: Uint8Array): boolean {
    const modules = this.modulesStateBytes();
    if (bytes.length < modules) return false;
    const kernelBytes = bytes.length - modules;
    // Every module's part is read before anything changes.
    const restores: (() => void)[] = [];
    let at = kernelBytes;
    for (const m of this.modules) {
      const restore = m.readState(bytes, at);
      if (!restore) return false;
      restores.push(restore);
      at += m.stateBytes;
    }
    if (!this.#kernel.loadCheckpoint(bytes.subarray(0, kernelBytes))) return false;
    for (const restore of restores) restore();
    for (const d of this.#devices) d.restored?.(this.step);
    this.#begun = true;
    this.markStart();
    return true;
  }

  private modulesStateBytes(): number {
    return this.modules.reduce((n, m) => n + m.stateBytes, 0);
  }

  // ------------------------------------------------------------ running

  /** Runs (by default for the model's duration from where this session started); returns the steps done. */
  run(options: RunOptions = {}): number {
    const start = this.step;
    const target = this.targetStep(options);
    while (this.step < target && !options.shouldStop?.()) this.chunk(target, start, options);
    return this.step - start;
  }

  /**
   * As run(), but yields to the event loop between chunks, so signals,
   * sockets and timers are served while it runs.
   */
  async runAsync(options: RunOptions = {}): Promise<number> {
    const start = this.step;
    const target = this.targetStep(options);
    while (this.step < target && !options.shouldStop?.()) {
      this.chunk(target, start, options);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.step - start;
  }

  private targetStep(options: RunOptions): number {
    if (options.steps !== undefined && !(Number.isInteger(options.steps) && options.steps >= 0)) {
      throw new UsageError(`must be a whole number of steps >= 0 (got ${options.steps})`, 'steps');
    }
    return this.step + (options.steps ?? Math.max(0, this.#startStep + this.totalSteps - this.step));
  }

  // One kernel call. Chunks of about 20 ms: short enough for progress and
  // Ctrl-C, long enough to cost nothing; early short chunks let V8 tier up.
  private chunk(target: number, start: number, options: RunOptions): void {
    const emit = (r: Recording) => options.sink?.write(r);
    if (!this.#begun) {
      this.#begun = true;
      if (this.step === 0) for (const d of this.#devices) d.begin?.(emit);
    }
    const c0 = performance.now();
    let want = Math.min(this.#chunkSteps, target - this.step);
    for (const d of this.#devices) want = Math.min(want, d.stepsToSample(this.step));
    const done = this.#kernel.run(want);
    const c1 = performance.now();
    const step = this.step, t = this.timeMs;
    for (const d of this.#devices) d.collect(step, t, emit);
    const took = c1 - c0;
    this.simulateMs += took;
    this.outputMs += performance.now() - c1;
    if (done === want && took < 10 && want === this.#chunkSteps) this.#chunkSteps = Math.min(this.#chunkSteps * 2, 1 << 16);
    else if (took > 40 && this.#chunkSteps > 1) this.#chunkSteps >>= 1;
    options.onProgress?.(this.step - start, target - start);
  }

  synapses(): number {
    return this.projections.reduce((s, p) => s + p.synapses, 0);
  }

  summary(interrupted = false): RunSummary {
    const simulatedMs = (this.step - this.#startStep) * this.model.dt;
    const seconds = simulatedMs / 1000;
    const populations: Record<string, PopulationSummary> = {};
    let spikes = 0;
    for (const [k, pop] of this.network.populations.entries()) {
      const count = this.#kernel.populationSpikes(pop.index) - this.#startSpikes[k]!;
      spikes += count;
      populations[pop.name] = { size: pop.size, spikes: count, rate_hz: pop.size && seconds ? count / pop.size / seconds : 0, ...(pop.method ? { method: pop.method.name, method_reason: pop.method.reason } : {}) };
    }
    const events = this.#kernel.totalEvents() - this.#startEvents;
    return {
      model: this.model.name ?? 'model',
      seed: this.model.seed,
      dt_ms: this.model.dt,
      duration_ms: this.model.duration,
      ...(this.#startStep > 0 ? { start_ms: round(this.#startStep * this.model.dt, 9) } : {}),
      simulated_ms: round(simulatedMs, 9),
      interrupted,
      neurons: this.network.neurons,
      synapses: this.synapses(),
      spikes,
      synaptic_events: events,
      wall_ms: { build: round(this.buildMs, 3), compile: round(this.network.compileMs, 3), simulate: round(this.simulateMs, 3), output: round(this.outputMs, 3) },
      events_per_second: this.simulateMs > 0 ? Math.round(events / (this.simulateMs / 1000)) : 0,
      populations,
      kernel: this.#kernel.flavor,
      threads: this.#kernel.threads,
    };
  }
}

function unknown(kind: string, name: string, names: string[]): string {
  const hint = closest(name, names);
  return `no ${kind} named "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; the model has ${names.join(', ') || 'none'}`;
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
