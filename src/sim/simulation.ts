// A running simulation: a kernel instance holding one built model, advanced
// in chunks. After each chunk the recorded spikes and state samples are
// copied out and handed to the sink, so the kernel's buffers stay bounded
// however long the run. Results never depend on the chunk sizes.

import { Kernel, type KernelFlavor, defaultFlavor } from '../kernel/wasm.js';
import { buildNetwork, type Network, type BuiltPopulation } from '../build/network.js';
import type { ValidModel } from '../model/validate.js';
import { msToSteps } from '../model/units.js';
import { weightMonitors, type WeightMonitor, type WeightSample } from './weights.js';
import { energyMonitor, type EnergyMonitor, type EnergySample } from './energy.js';
import { writeBinaryStates, variableIndex } from '../build/network.js';
import { rateModules, type RateModule, type ModuleSample } from '../modules/runtime.js';

/** Spikes of one chunk: time (ms) and global neuron id, in step order. */
export interface SpikeChunk {
  times: Float64Array;
  ids: Uint32Array;
}

/** State samples of one chunk: rows x probes, row r taken at timesMs[r]. */
export interface StateChunk {
  timesMs: Float64Array;
  values: Float64Array;
  probes: number;
}

export interface SimulationSink {
  spikes?(chunk: SpikeChunk): void;
  state?(chunk: StateChunk): void;
  weights?(sample: WeightSample): void;
  energy?(sample: EnergySample): void;
  modules?(sample: ModuleSample): void;
}

export interface RunOptions {
  /** Steps to run (default: the rest of the model's duration). */
  steps?: number;
  sink?: SimulationSink;
  /** Called after every chunk with the fraction done. */
  onProgress?(done: number, total: number): void;
  /** Checked between chunks; true stops the run early (Ctrl-C). */
  shouldStop?(): boolean;
}

export interface PopulationSummary {
  size: number;
  spikes: number;
  rate_hz: number;
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
  /** build: model to kernel; simulate: the kernel's run calls; output: spikes and samples to the sinks. */
  wall_ms: { build: number; simulate: number; output: number };
  events_per_second: number;
  populations: Record<string, PopulationSummary>;
  kernel: KernelFlavor;
}

export class Simulation {
  readonly model: ValidModel;
  readonly kernel: Kernel;
  readonly network: Network;
  readonly buildMs: number;
  /** Steps in the model's duration. */
  readonly totalSteps: number;
  /** Wall time in the kernel's run calls. */
  simulateMs = 0;
  /** Wall time spent handing spikes and samples to the sinks (files, streams). */
  outputMs = 0;
  private samplesTaken = 0;
  private chunkSteps = 16;
  readonly monitors: WeightMonitor[];
  readonly energyMonitor: EnergyMonitor | undefined;
  /** Rate-coded modules, updated every their interval. */
  readonly modules: RateModule[];
  private monitorsStarted = false;
  /** Where this session started (0, or the step of a loaded checkpoint): the summary counts from here. */
  private startStep = 0;
  private startSpikes: number[] = [];
  private startEvents = 0;

  constructor(model: ValidModel, options: { flavor?: KernelFlavor; recordCapacity?: number } = {}) {
    const t0 = performance.now();
    this.model = model;
    this.kernel = new Kernel(options.flavor ?? defaultFlavor());
    this.network = buildNetwork(this.kernel, model, options);
    this.monitors = weightMonitors(this.kernel, this.network, model);
    this.energyMonitor = energyMonitor(this.kernel, this.network, model);
    this.modules = rateModules(this.kernel, this.network, model);
    this.totalSteps = msToSteps(model.duration, model.dt);
    this.buildMs = performance.now() - t0;
    this.markStart();
  }

  /** True once the model's duration has been simulated (from the session's start). */
  get reachedEnd(): boolean {
    return this.step >= this.startStep + this.totalSteps;
  }

  /** Counts in the summary start from now. */
  private markStart(): void {
    this.startStep = this.step;
    this.startSpikes = this.network.populations.map((p) => this.populationSpikes(p));
    this.startEvents = this.kernel.exports.totalEvents();
  }

  /** The whole dynamic state (see assembly/checkpoint.ts); call between runs. */
  saveState(): Uint8Array {
    if (this.modules.length) throw new Error('checkpoints do not hold the weights and state of rate-coded modules yet: remove "modules" to save the network state');
    const x = this.kernel.exports;
    const n = x.saveCheckpoint();
    if (n < 0) throw new Error(`checkpoint failed (${n})`);
    return this.kernel.readU8(x.checkpointPtr(), n);
  }

  /** Restores a state saved from a network built from the same model; returns false if it does not fit. */
  loadState(bytes: Uint8Array): boolean {
    if (this.modules.length) throw new Error('checkpoints do not hold the weights and state of rate-coded modules yet');
    const x = this.kernel.exports;
    const ptr = this.kernel.write(bytes);
    const status = x.loadCheckpoint(ptr, bytes.length);
    this.kernel.free(ptr);
    if (status !== 0) return false;
    this.samplesTaken = Math.floor(this.step / this.network.probeEverySteps);
    this.monitorsStarted = true;
    this.markStart();
    return true;
  }

  get step(): number {
    return this.kernel.exports.currentStep();
  }

  get timeMs(): number {
    return this.step * this.model.dt;
  }

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
    return this.step + (options.steps ?? Math.max(0, this.startStep + this.totalSteps - this.step));
  }

  // One kernel call. Chunks of about 20 ms: short enough for progress and
  // Ctrl-C, long enough to cost nothing; early short chunks let V8 tier up.
  private chunk(target: number, start: number, options: RunOptions): void {
    if (!this.monitorsStarted) {
      // Weights at the start, then every interval.
      this.monitorsStarted = true;
      if (this.step === 0) {
        for (const m of this.monitors) options.sink?.weights?.(m.sample(0));
        if (this.energyMonitor && options.sink?.energy) options.sink.energy(this.energyMonitor.sample(0));
      }
    }
    const c0 = performance.now();
    let want = Math.min(this.chunkSteps, target - this.step);
    // Stop at the next weight sample.
    for (const m of this.monitors) want = Math.min(want, m.everySteps - (this.step % m.everySteps));
    const em = this.energyMonitor;
    if (em) want = Math.min(want, em.everySteps - (this.step % em.everySteps));
    for (const m of this.modules) want = Math.min(want, m.everySteps - (this.step % m.everySteps));
    const done = this.kernel.exports.run(want);
    if (done < 0) throw new Error(`kernel run failed (${done})`);
    const c1 = performance.now();
    this.drain(options.sink);
    for (const m of this.monitors) if (this.step % m.everySteps === 0) options.sink?.weights?.(m.sample(this.timeMs));
    if (em && this.step % em.everySteps === 0 && options.sink?.energy) options.sink.energy(em.sample(this.timeMs));
    for (const m of this.modules) {
      if (this.step % m.everySteps !== 0) continue;
      const sample = m.update(this.timeMs);
      this.setPoissonRates(m.output, Float64Array.from(sample.activity, (a) => a * m.maxRate));
      options.sink?.modules?.(sample);
    }
    const took = c1 - c0;
    this.simulateMs += took;
    this.outputMs += performance.now() - c1;
    if (done === want && took < 10 && want === this.chunkSteps) this.chunkSteps = Math.min(this.chunkSteps * 2, 1 << 16);
    else if (took > 40 && this.chunkSteps > 1) this.chunkSteps >>= 1;
    options.onProgress?.(this.step - start, target - start);
  }

  private drain(sink: SimulationSink | undefined): void {
    const x = this.kernel.exports;
    const n = x.recordedCount();
    if (n > 0) {
      if (sink?.spikes) sink.spikes({ times: this.kernel.readF64(x.recTimesPtr(), n), ids: this.kernel.readU32(x.recIdsPtr(), n) });
      x.clearRecorded();
    }
    const rows = x.sampleCount();
    if (rows > 0) {
      const probes = x.probeCount();
      if (sink?.state) {
        const every = this.network.probeEverySteps;
        const timesMs = Float64Array.from({ length: rows }, (_, r) => (this.samplesTaken + r + 1) * every * this.model.dt);
        sink.state({ timesMs, values: this.kernel.readF64(x.samplesPtr(), rows * probes), probes });
      }
      this.samplesTaken += rows;
      x.clearSamples();
    }
  }

  /** Sets the rates (Hz) of a Poisson population's neurons from now on. */
  setPoissonRates(population: string, rates: ArrayLike<number>): void {
    const pop = this.network.populations.find((p) => p.name === population);
    if (!pop || pop.model !== 'poisson') throw new Error(`no Poisson population "${population}"`);
    const buf = new Float64Array(pop.size);
    for (let j = 0; j < pop.size; j++) buf[j] = rates[j] ?? 0;
    const ptr = this.kernel.write(buf);
    this.kernel.check(this.kernel.exports.setRates(pop.index, ptr), `rates of ${population}`);
    this.kernel.free(ptr);
  }

  /** Sets the neuromodulator (reward - baseline) of a reward-modulated projection from now on. */
  setModulator(projection: string, value: number): void {
    const proj = this.network.projections.find((p) => p.name === projection);
    if (!proj) throw new Error(`no projection "${projection}"`);
    this.kernel.check(this.kernel.exports.setModulator(proj.index, value), `modulator of ${projection}`);
  }

  private binaryPopulation(population: string): BuiltPopulation {
    const pop = this.network.populations.find((p) => p.name === population);
    if (!pop || pop.model !== 'binary') throw new Error(`no population of binary units "${population}"`);
    return pop;
  }

  /** States of a binary population (-1/+1, or 0/1 for "01" units). */
  binaryStates(population: string): Int8Array {
    const pop = this.binaryPopulation(population);
    return this.kernel.readI8(this.kernel.exports.binaryStatePtr(pop.index), pop.size);
  }

  /** Sets the states of a binary population; the local fields follow. */
  setBinaryStates(population: string, states: ArrayLike<number>): void {
    const pop = this.binaryPopulation(population);
    if (states.length !== pop.size) throw new Error(`${population}: ${states.length} states for ${pop.size} units`);
    writeBinaryStates(this.kernel, pop.index, Int8Array.from(states));
  }

  /**
   * Sets a state variable (as the model's "init" names it: v, i_e, ge, ...)
   * of every neuron of a population, now (a reset between trials, say).
   */
  setState(population: string, variable: string, values: ArrayLike<number>): void {
    const pop = this.network.populations.find((p) => p.name === population);
    if (!pop) throw new Error(`no population "${population}"`);
    if (values.length !== pop.size) throw new Error(`${population}: ${values.length} values of ${variable} for ${pop.size} neurons`);
    const ptr = this.kernel.write(Float64Array.from(values));
    const status = this.kernel.exports.setStateValues(pop.index, variableIndex(this.kernel, variable), ptr, pop.size);
    this.kernel.free(ptr);
    this.kernel.check(status, `${variable} of ${population}`);
  }

  /** A state variable of every neuron of a population, now. */
  state(population: string, variable: string): Float64Array {
    const pop = this.network.populations.find((p) => p.name === population);
    if (!pop) throw new Error(`no population "${population}"`);
    const index = variableIndex(this.kernel, variable);
    return Float64Array.from({ length: pop.size }, (_, j) => this.kernel.exports.stateValue(pop.index, index, j));
  }

  /** Sets the biases b_i of a binary population (one per unit). */
  setBiases(population: string, biases: ArrayLike<number>): void {
    const pop = this.binaryPopulation(population);
    if (biases.length !== pop.size) throw new Error(`${population}: ${biases.length} biases for ${pop.size} units`);
    const ptr = this.kernel.write(Float64Array.from(biases));
    const status = this.kernel.exports.setStateValues(pop.index, this.kernel.k.VAR_BIAS, ptr, pop.size);
    this.kernel.free(ptr);
    this.kernel.check(status, `biases of ${population}`);
  }

  /** Energy of a binary population: -1/2 sum s_i h_i - sum b_i s_i over its units. */
  energy(population: string): number {
    return this.kernel.exports.energy(this.binaryPopulation(population).index);
  }

  /** Temperature of a stochastic binary population from now on (> 0). */
  setTemperature(population: string, temperature: number): void {
    if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`temperature must be a finite number > 0 (got ${temperature})`);
    const pop = this.binaryPopulation(population);
    this.kernel.check(this.kernel.exports.setTemperature(pop.index, temperature), `temperature of ${population}`);
  }

  /** Clamps units of a binary population to their current states (or releases them). */
  setClamped(population: string, units: ArrayLike<number>, clamped = true): void {
    const pop = this.binaryPopulation(population);
    for (let k = 0; k < units.length; k++) this.kernel.check(this.kernel.exports.setClamped(pop.index, units[k]!, clamped ? 1 : 0), `clamp of ${population}[${units[k]}]`);
  }

  /**
   * Counts joint states of a small binary population (n <= 24) from now on,
   * one count per step: index sum_i [s_i = hi] 2^i.
   */
  enableStateHistogram(population: string): void {
    const pop = this.binaryPopulation(population);
    if (pop.size > 24) throw new Error(`${population}: a joint-state histogram needs at most 24 units (has ${pop.size})`);
    this.kernel.check(this.kernel.exports.enableStateHistogram(pop.index), `state histogram of ${population}`);
  }

  /** The joint-state counts since enableStateHistogram or the last clear. */
  stateHistogram(population: string, clear = false): Uint32Array {
    const pop = this.binaryPopulation(population);
    const x = this.kernel.exports;
    const ptr = x.stateHistogramPtr(pop.index);
    const counts = this.kernel.readU32(ptr, 2 ** pop.size);
    if (clear) x.clearStateHistogram(pop.index);
    return counts;
  }

  /** Source and target (indices within their populations) of each synapse, in the CSR order of weights(). */
  synapsePairs(projection: string): { pre: Uint32Array; post: Uint32Array } {
    const proj = this.network.projections.find((p) => p.name === projection);
    if (!proj) throw new Error(`no projection "${projection}"`);
    const x = this.kernel.exports;
    const n = x.projSynapses(proj.index);
    const nPre = this.network.populations.find((p) => p.name === proj.from)!.size;
    const rowPtr = this.kernel.readU32(x.projRowPtr(proj.index), nPre + 1);
    const post = this.kernel.readU32(x.projTargetsPtr(proj.index), n);
    const pre = new Uint32Array(n);
    for (let i = 0; i < nPre; i++) pre.fill(i, rowPtr[i]!, rowPtr[i + 1]!);
    return { pre, post };
  }

  /**
   * Replaces a projection's weights (in its CSR order, as weights() reads
   * them). Couplings of binary units must stay symmetric: the caller sets
   * both directions.
   */
  setWeights(projection: string, weights: ArrayLike<number>): void {
    const proj = this.network.projections.find((p) => p.name === projection);
    if (!proj) throw new Error(`no projection "${projection}"`);
    const x = this.kernel.exports;
    const n = x.projSynapses(proj.index);
    if (weights.length !== n) throw new Error(`${projection}: ${weights.length} weights for ${n} synapses`);
    if (x.projWeights64Ptr(proj.index)) throw new Error(`${projection} is plastic: its weights belong to its learning rule`);
    const ptr = this.kernel.write(Float32Array.from(weights));
    const status = x.setWeights(proj.index, ptr);
    this.kernel.free(ptr);
    this.kernel.check(status, `weights of ${projection}`);
  }

  /** Flips and updates done so far by a binary population. */
  binaryCounts(population: string): { flips: number; updates: number } {
    const pop = this.binaryPopulation(population);
    return { flips: this.kernel.exports.binaryFlips(pop.index), updates: this.kernel.exports.binaryUpdates(pop.index) };
  }

  /**
   * Scales every weight change of a plastic projection by `rate` (> 0),
   * relative to the model's amplitudes, from now on: learning-rate annealing.
   * Checkpoints keep it.
   */
  setLearningRate(projection: string, rate: number): void {
    const proj = this.network.projections.find((p) => p.name === projection);
    const spec = this.model.projections.find((p) => p.name === projection);
    if (!proj || !spec?.plasticity) throw new Error(`no plastic projection "${projection}"`);
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`learning rate of ${projection}: must be a finite number > 0 (got ${rate})`);
    this.kernel.check(this.kernel.exports.setLearningRate(proj.index, rate), `learning rate of ${projection}`);
  }

  /** Freezes learning (plastic weights and adaptive thresholds stay as they are) or thaws it. */
  freezeLearning(frozen = true): void {
    this.kernel.exports.freezeLearning(frozen ? 1 : 0);
  }

  /** Spike counts of every neuron of a population since the start. */
  spikeCounts(population: string): Uint32Array {
    const pop = this.network.populations.find((p) => p.name === population);
    if (!pop) throw new Error(`no population "${population}"`);
    const x = this.kernel.exports;
    return this.kernel.readU32(x.statePtr(pop.index, this.kernel.k.VAR_COUNT), pop.size);
  }

  /** Normalises a plastic projection's incoming weights per target to sum to `total` now. */
  normalizeWeights(projection: string, total: number): void {
    const proj = this.network.projections.find((p) => p.name === projection);
    if (!proj) throw new Error(`no projection "${projection}"`);
    this.kernel.check(this.kernel.exports.normalizeIncoming(proj.index, total), `normalise ${projection}`);
  }

  /** Current weights of a projection (the f64 master copy when plastic). */
  weights(projection: string): Float64Array {
    const proj = this.network.projections.find((p) => p.name === projection);
    if (!proj) throw new Error(`no projection "${projection}"`);
    const x = this.kernel.exports;
    x.flushPlasticity(proj.index);
    const n = x.projSynapses(proj.index);
    const p64 = x.projWeights64Ptr(proj.index);
    return p64 ? this.kernel.readF64(p64, n) : Float64Array.from(this.kernel.readF32(x.projWeightsPtr(proj.index), n));
  }

  populationSpikes(pop: BuiltPopulation): number {
    return this.kernel.exports.popSpikes(pop.index);
  }

  synapses(): number {
    return this.network.projections.reduce((s, p) => s + this.kernel.exports.projSynapses(p.index), 0);
  }

  summary(interrupted = false): RunSummary {
    const x = this.kernel.exports;
    const simulatedMs = (this.step - this.startStep) * this.model.dt;
    const seconds = simulatedMs / 1000;
    const populations: Record<string, PopulationSummary> = {};
    let spikes = 0;
    for (const [k, pop] of this.network.populations.entries()) {
      const count = this.populationSpikes(pop) - this.startSpikes[k]!;
      spikes += count;
      populations[pop.name] = { size: pop.size, spikes: count, rate_hz: pop.size && seconds ? count / pop.size / seconds : 0 };
    }
    const events = x.totalEvents() - this.startEvents;
    return {
      model: this.model.name ?? 'model',
      seed: this.model.seed,
      dt_ms: this.model.dt,
      duration_ms: this.model.duration,
      ...(this.startStep > 0 ? { start_ms: round(this.startStep * this.model.dt, 9) } : {}),
      simulated_ms: round(simulatedMs, 9),
      interrupted,
      neurons: this.network.neurons,
      synapses: this.synapses(),
      spikes,
      synaptic_events: events,
      wall_ms: { build: round(this.buildMs, 3), simulate: round(this.simulateMs, 3), output: round(this.outputMs, 3) },
      events_per_second: this.simulateMs > 0 ? Math.round(events / (this.simulateMs / 1000)) : 0,
      populations,
      kernel: this.kernel.flavor,
    };
  }
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
