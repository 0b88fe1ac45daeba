// The typed facade of the simulation kernel: every call the host makes to
// build, run and read a network, with names instead of indices, typed
// arrays instead of pointers, and a KernelError (naming what was being
// done) instead of a status code. The model registry (names, parameters,
// variables) is read from the kernel itself.

import { equationModule, equationImports, synapseModule } from '../equations/wasm.js';
import type { CompiledSynapse } from '../equations/synapse.js';
import type { CompiledModel } from '../equations/model.js';
import { KernelError } from '../core/errors.js';
import { initKey } from '../core/philox.js';
import { Instance, defaultFlavor, type KernelFlavor } from './instance.js';
import type { KernelPlasticity } from '../model/plasticity.js';

export type { KernelFlavor } from './instance.js';
export { MAX_THREADS } from './instance.js';
export { defaultFlavor } from './instance.js';

/** A parameter of a kernel model; enumerated ones take one of `values` (set as its index). */
export interface KernelParam {
  name: string;
  values?: readonly string[];
}

/** A neuron model as the kernel describes it. */
export interface KernelModel {
  kind: number;
  name: string;
  params: readonly KernelParam[];
  /** State variables; the last is always `count`. */
  variables: readonly string[];
}

/** A number, or a distribution drawn in the kernel from the model's seed. */
export type Distribution = number | { uniform: readonly [number, number] } | { normal: readonly [number, number]; clip?: readonly [number, number] | undefined };

/** How a population takes input. */
export type InputMode = 'none' | 'grid' | 'events' | 'coupling';

/** How a projection learns (the model's plasticity rule says it: src/model/plasticity.ts). */
export type PlasticityArgs = KernelPlasticity['base'];

/** Spikes drained from the kernel: time (ms) and global neuron id, in step order. */
export interface SpikeChunk {
  times: Float64Array;
  ids: Uint32Array;
}

const registries = new Map<KernelFlavor, ReadonlyMap<string, KernelModel>>();

export class Kernel {
  readonly flavor: KernelFlavor;
  readonly #i: Instance;
  readonly models: ReadonlyMap<string, KernelModel>;
  /** Model of each population, by index. */
  readonly #popModel: KernelModel[] = [];

  /** `threads` > 1 starts that many threads in all (this one included) to run each step. */
  constructor(flavor: KernelFlavor = defaultFlavor(), threads = 1) {
    this.#i = new Instance(flavor, threads);
    this.flavor = flavor;
    this.models = registryOf(this.#i);
  }

  /** The instance behind the facade, for the other facades of src/kernel only. */
  static instanceOf(kernel: Kernel): Instance { return kernel.#i; }

  private get x() { return this.#i.x; }

  /** Threads that run each step. */
  get threads(): number { return this.#i.threads; }

  /** Ends the kernel's helper threads; the kernel can still be read, not run with threads. */
  close(): void { this.#i.close(); }
  private check(status: number, what: string): number { return this.#i.check(status, what); }

  // ------------------------------------------------------------ structure

  setSeed(seed: number): void { this.x.setSeed(seed % 2 ** 32, Math.floor(seed / 2 ** 32)); }
  /** The 64-bit Philox key as two words (a seed beyond 2^53, e.g. a known-answer test's). */
  setSeedWords(lo: number, hi: number): void { this.x.setSeed(lo, hi); }
  /** The random key's two words, as setSeed or setSeedWords left them. */
  seedWords(): [number, number] { return [this.x.seedLo() >>> 0, this.x.seedHi() >>> 0]; }
  setDt(dtMs: number): void { this.x.setDt(dtMs); }
  setMaxSynapses(n: number): void { this.x.setMaxSynapses(n); }

  model(name: string): KernelModel {
    const m = this.models.get(name);
    if (!m) throw new KernelError(`the kernel has no neuron model "${name}" (it has ${[...this.models.keys()].join(', ')})`);
    return m;
  }

  /** Adds a population; returns its index. */
  addPopulation(model: string, size: number, what: string): number {
    const m = this.model(model);
    const index = this.check(this.x.addPopulation(m.kind, size), what);
    this.#popModel[index] = m;
    return index;
  }

  /**
   * An equation population (model "equations"): its generated module is
   * instantiated on this kernel's memory and its update and reset are put in
   * the kernel's function table; the population's variables are the model's.
   * Returns the milliseconds the generation and instantiation took.
   */
  defineEquations(pop: number, model: CompiledModel, what: string): number {
    const t0 = performance.now();
    const bytes = equationModule(model, this.#i.shared);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), equationImports(this.#i.x.memory) as never);
    const exports = instance.exports as { update: unknown; reset: unknown; deriv?: unknown; thresh?: unknown; vreset?: unknown };
    const table = (this.#i.x as unknown as { table: { grow(n: number): number; set(i: number, f: unknown): void } }).table;
    const located = model.values !== undefined;
    const at = table.grow(located ? 5 : 2);
    table.set(at, exports.update);
    table.set(at + 1, exports.reset);
    if (located) { table.set(at + 2, exports.deriv); table.set(at + 3, exports.thresh); table.set(at + 4, exports.vreset); }
    const exc = model.receptors.exc ?? -1, inh = model.receptors.inh ?? -1;
    const keys = Uint32Array.from(model.variables, (v) => initKey(v.name));
    const offsets = Float64Array.from(model.storage, (s) => s.offset);
    const tau = (slot: 0 | 1) => model.storage.find((s) => s.lazy === slot)?.tau ?? Infinity;
    const held = model.variables.reduce((m, v, k) => (v.unlessRefractory ? m | (1 << k) : m), 0) >>> 0;
    // A held variable whose reset writes a constant is clamped to it (no save and restore).
    const clamp = Float64Array.from(model.variables, (_, k) => {
      const w = model.reset.writes.find((x) => x.i === k);
      const value = w?.value.op === 'tmp' ? model.reset.temps[w.value.i]! : w?.value;
      return value?.op === 'const' ? value.v / model.variables[k]!.scale : NaN;
    });
    const extraNames = Object.keys(model.receptors).filter((r) => r !== 'exc' && r !== 'inh');
    const extra = Uint32Array.from(extraNames, (r) => model.receptors[r]!);
    this.check(this.#i.withArrays([keys, offsets, clamp, extra], (keysPtr, offsetsPtr, clampPtr, extraPtr) =>
      this.x.defineEquations(pop, model.variables.length, keysPtr!, offsetsPtr!, at, at + 1, model.refractoryMs, exc, inh, tau(0), tau(1), held, clampPtr!, extraPtr!, extra.length)), what);
    this.#extraReceptors.set(pop, extraNames);
    if (model.values) {
      const diffMask = model.values.derivatives.reduce((mask, d) => (d.i < 32 ? mask | (1 << d.i) : mask), 0) >>> 0;
      this.check(this.x.locateEquations(pop, at + 2, at + 3, at + 4, diffMask, model.values.watch), what);
    }
    const m = this.modelOf(pop);
    this.#popModel[pop] = { ...m, variables: [...model.variables.map((v) => v.name), 'count'] };
    return performance.now() - t0;
  }

  /**
   * Sets every parameter of a population's model (by the kernel's names:
   * numbers, the value of an enumerated parameter, booleans) and configures
   * it. A missing or unknown name is an error: host and kernel must agree.
   */
  configurePopulation(pop: number, values: Readonly<Record<string, number | string | boolean>>, what: string): void {
    const m = this.modelOf(pop);
    const given = new Set(Object.keys(values));
    m.params.forEach((p, k) => {
      const v = values[p.name];
      given.delete(p.name);
      if (v === undefined) throw new KernelError(`${what}: the ${m.name} model needs the parameter ${p.name}`);
      let x: number;
      if (p.values) {
        x = p.values.indexOf(String(v));
        if (x < 0) throw new KernelError(`${what}: ${p.name} of ${m.name} must be one of ${p.values.join(', ')} (got ${String(v)})`);
      } else x = typeof v === 'boolean' ? Number(v) : Number(v);
      this.check(this.x.setParam(pop, k, x), `${what}: ${p.name}`);
    });
    if (given.size) throw new KernelError(`${what}: the ${m.name} model has no parameter ${[...given].join(', ')}`);
    this.check(this.x.configurePopulation(pop), what);
  }

  modelOf(pop: number): KernelModel {
    const m = this.#popModel[pop];
    if (!m) throw new KernelError(`no population ${pop}`);
    return m;
  }

  /** Index of a state variable of a population's model (throws if it has none). */
  variable(pop: number, name: string): number {
    const m = this.modelOf(pop);
    const k = m.variables.indexOf(name);
    if (k < 0) throw new KernelError(`the ${m.name} model has no state variable "${name}" (it has ${m.variables.join(', ')})`);
    return k;
  }

  /** The state variables of a population (count included). */
  variables(pop: number): string[] { return [...this.modelOf(pop).variables]; }

  hasVariable(pop: number, name: string): boolean { return this.modelOf(pop).variables.includes(name); }

  inputMode(pop: number): InputMode {
    const mode = this.check(this.x.popInputMode(pop), `population ${pop}`);
    const k = this.#i.k;
    return mode === k.INPUT_GRID ? 'grid' : mode === k.INPUT_EVENTS ? 'events' : mode === k.INPUT_COUPLING ? 'coupling' : 'none';
  }

  /** The population's update is split across threads (the others run on thread 0). */
  threaded(pop: number): boolean { return this.check(this.x.popThreaded(pop), `population ${pop}`) === 1; }

  /** The population's spikes keep their times within the step (false: they fall on its end). */
  exactSpikeTimes(pop: number): boolean { return this.check(this.x.popExactTimes(pop), `population ${pop}`) === 1; }

  setRecord(pop: number, on: boolean, what: string): void { this.check(this.x.setRecord(pop, on), what); }
  firstId(pop: number): number { return this.check(this.x.popFirst(pop), `population ${pop}`); }
  neuronCount(): number { return this.x.neuronCount(); }

  addPoissonInput(pop: number, rateHz: number, weight: number, receptor: string, exact: boolean, what: string): void {
    this.check(this.x.addPoissonInput(pop, rateHz, weight, this.receptor(pop, receptor, what), exact ? 1 : 0), what);
  }

  setSchedule(pop: number, steps: Int32Array, amps: Float64Array, what: string): void {
    this.check(this.#i.withArrays([steps, amps], (sp, ap) => this.x.setSchedule(pop, sp!, ap!, steps.length)), what);
  }

  setSourceTimes(pop: number, offsets: Uint32Array, times: Float64Array, what: string): void {
    this.check(this.#i.withArrays([offsets, times], (op, tp) => this.x.setSourceTimes(pop, op!, tp!, times.length)), what);
  }

  // ------------------------------------------------------------ state

  /** Initial values of a variable: a constant or a distribution drawn per neuron. */
  initState(pop: number, variable: string, value: Distribution, what: string): void {
    const [kind, a, b, lo, hi] = distributionArgs(value);
    this.check(this.x.initState(pop, this.variable(pop, variable), kind, a, b, lo, hi), what);
  }

  /** Sets a variable of every neuron of a population (one value each), now. */
  setState(pop: number, variable: string, values: ArrayLike<number>, what: string): void {
    const data = Float64Array.from(values);
    this.check(this.#i.withArrays([data], (p) => this.x.setStateValues(pop, this.variable(pop, variable), p!, data.length)), what);
  }

  /** A variable of every neuron of a population, now. */
  state(pop: number, variable: string, size: number): Float64Array {
    const k = this.variable(pop, variable);
    return Float64Array.from({ length: size }, (_, j) => this.x.stateValue(pop, k, j));
  }

  /** A variable of one neuron now (NaN when it has no value, e.g. an adaptive threshold that is off). */
  stateValue(pop: number, variable: number, j: number): number { return this.x.stateValue(pop, variable, j); }

  /** Spike counts of every neuron of a population since the start. */
  spikeCounts(pop: number, size: number): Uint32Array {
    return this.#i.readU32(this.x.statePtr(pop, this.variable(pop, 'count')), size);
  }

  populationSpikes(pop: number): number { return this.x.popSpikes(pop); }

  setRates(pop: number, rates: Float64Array, what: string): void {
    this.check(this.#i.withArrays([rates], (p) => this.x.setRates(pop, p!)), what);
  }

  /** Brings lazily stored values to their true values (before raw reads). */
  normalizeState(): void { this.x.normalizeState(); }

  freezeLearning(frozen: boolean): void { this.x.freezeLearning(frozen); }
  /** Synapse bytes above which delivery reads rows in blocks (a speed knob: the spikes are the same). */
  setRowBlockBytes(bytes: number): void { this.check(this.x.setRowBlockBytes(bytes), 'setRowBlockBytes'); }
  /** Projections with one weight for all synapses skip reading it (a speed knob, on by default: the spikes are the same). */
  setUniformWeights(on: boolean): void { this.x.setUniformWeights(on); }

  // ------------------------------------------------------------ projections

  addProjection(pre: number, post: number, receptor: string, what: string): number {
    return this.check(this.x.addProjection(pre, post, this.receptor(post, receptor, what)), what);
  }

  /** Receptors of equation populations beyond exc and inh, by name (index 2, 3, ...). */
  readonly #extraReceptors = new Map<number, string[]>();

  private receptor(pop: number, r: string, what: string): number {
    if (r === 'exc') return this.#i.k.RECEPTOR_EXC;
    if (r === 'inh') return this.#i.k.RECEPTOR_INH;
    const k = this.#extraReceptors.get(pop)?.indexOf(r) ?? -1;
    if (k < 0) throw new KernelError(`${what}: the population has no receptor "${r}"`);
    return 2 + k;
  }

  connectFixedProbability(proj: number, p: number, autapses: boolean, what: string): void { this.check(this.x.connectFixedProbability(proj, p, autapses), what); }
  connectFixedIndegree(proj: number, n: number, autapses: boolean, multapses: boolean, what: string): void { this.check(this.x.connectFixedIndegree(proj, n, autapses, multapses), what); }
  connectFixedOutdegree(proj: number, n: number, autapses: boolean, multapses: boolean, what: string): void { this.check(this.x.connectFixedOutdegree(proj, n, autapses, multapses), what); }
  connectOneToOne(proj: number, what: string): void { this.check(this.x.connectOneToOne(proj), what); }
  connectAllToAll(proj: number, autapses: boolean, what: string): void { this.check(this.x.connectAllToAll(proj, autapses), what); }
  connectAllButOne(proj: number, what: string): void { this.check(this.x.connectAllButOne(proj), what); }
  connectLattice(proj: number, side: number, what: string): void { this.check(this.x.connectLattice(proj, side), what); }
  connectList(proj: number, pre: Uint32Array, post: Uint32Array, weights: Float32Array | undefined, delaySteps: Uint16Array | undefined, what: string): void {
    this.check(this.#i.withArrays([pre, post, weights, delaySteps], (a, b, w, d) => this.x.connectList(proj, a!, b!, pre.length, w!, d!)), what);
  }

  setWeights(proj: number, weight: Distribution, what: string): void {
    if (typeof weight === 'number') this.check(this.x.setWeightConst(proj, weight), what);
    else {
      const [kind, a, b, lo, hi] = distributionArgs(weight);
      // The kernel's weight kinds: 0 uniform, 1 normal.
      this.check(this.x.setWeightRandom(proj, kind - 1, a, b, lo, hi), what);
    }
  }

  /** One delay for every synapse, in steps (>= 1). */
  setDelaySteps(proj: number, steps: number, what: string): void { this.check(this.x.setDelayConst(proj, steps), what); }

  /** Delays drawn per synapse (ms, rounded to whole steps, at least one). */
  setDelayDistribution(proj: number, delay: Exclude<Distribution, number>, what: string): void {
    const [kind, a, b, lo, hi] = distributionArgs(delay);
    this.check(this.x.setDelayRandom(proj, kind - 1, a, b, lo, hi), what);
  }

  /** Hebbian couplings scale * sum_mu e_i e_j from P patterns (P x n, row-major). */
  hebbianWeights(proj: number, patterns: Float32Array, count: number, scale: number, what: string): void {
    this.check(this.#i.withArrays([patterns], (p) => this.x.hebbianWeights(proj, p!, count, scale)), what);
  }

  /** Replaces every weight of a projection (CSR order). */
  writeWeights(proj: number, weights: Float32Array, what: string): void {
    const n = this.synapseCount(proj);
    if (weights.length !== n) throw new KernelError(`${what}: ${weights.length} weights for ${n} synapses`);
    this.check(this.#i.withArrays([weights], (p) => this.x.setWeights(proj, p!)), what);
  }

  synapseCount(proj: number): number { return this.check(this.x.projSynapses(proj), `projection ${proj}`); }
  projectionEvents(proj: number): number { return this.x.projEvents(proj); }
  rowPointers(proj: number, nPre: number): Uint32Array { return this.#i.readU32(this.x.projRowPtr(proj), nPre + 1); }
  targets(proj: number): Uint32Array { return this.#i.readU32(this.x.projTargetsPtr(proj), this.synapseCount(proj)); }
  isPlastic(proj: number): boolean { return this.x.projWeights64Ptr(proj) !== 0; }

  /** Current weights (the f64 master copy when plastic, brought up to date). */
  weights(proj: number): Float64Array {
    this.check(this.x.flushPlasticity(proj), `projection ${proj}`);
    const n = this.synapseCount(proj);
    const p64 = this.x.projWeights64Ptr(proj);
    return p64 ? this.#i.readF64(p64, n) : Float64Array.from(this.#i.readF32(this.x.projWeightsPtr(proj), n));
  }

  /** Delay of every synapse in steps (one value when the projection has one delay). */
  delaySteps(proj: number): Uint16Array | number {
    const p = this.x.projDelaysPtr(proj);
    return p ? this.#i.readU16(p, this.synapseCount(proj)) : this.check(this.x.projDelayConst(proj), `projection ${proj}`);
  }

  setPlasticity(proj: number, a: PlasticityArgs, what: string): void {
    const k = this.#i.k;
    const rule = a.rule === 'triplet' ? k.RULE_TRIPLET : a.rule === 'reward' ? k.RULE_REWARD : k.RULE_PAIR;
    this.check(this.x.setPlasticity(proj, rule, a.nearest ? k.PAIRING_NEAREST : k.PAIRING_ALL, a.dendritic,
      a.tauPlus, a.tauMinus, a.aPlus, a.aMinus, a.wMin, a.wMax, a.mu), what);
  }
  /**
   * A plastic projection's rule written as equations: its generated module on
   * this kernel's memory, on_pre and on_post in the function table (after setPlasticity).
   */
  defineSynapseEquations(proj: number, pre: number, post: number, c: CompiledSynapse, what: string): number {
    const t0 = performance.now();
    const bytes = synapseModule(c, (r) => { const pop = r.side === 'pre' ? pre : post; return { pop, variable: this.variable(pop, r.name) }; }, this.#i.shared);
    const imports = { ...equationImports(this.#i.x.memory), kernel: { state: (this.#i.x as unknown as { stateValue: unknown }).stateValue } };
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports as never);
    const exports = instance.exports as { on_pre: unknown; on_post: unknown; step: unknown };
    const table = (this.#i.x as unknown as { table: { grow(n: number): number; set(i: number, f: unknown): void } }).table;
    const at = table.grow(3);
    table.set(at, exports.on_pre);
    table.set(at + 1, exports.on_post);
    table.set(at + 2, exports.step);
    const nSyn = c.variables.indexOf('w');
    const sides = Uint32Array.from({ length: nSyn }, (_, k) => c.sides[k] ?? 0);
    const taus = Float64Array.from({ length: nSyn }, (_, k) => c.taus[k] ?? Infinity);
    this.check(this.#i.withArrays([sides, taus], (sp, tp) => this.x.defineSynapseEquations(proj, nSyn, at, at + 1, c.step.writes.length ? at + 2 : -1, sp!, tp!)), what);
    return performance.now() - t0;
  }
  setTriplet(proj: number, tauX: number, tauY: number, a2p: number, a3p: number, a2m: number, a3m: number, what: string): void {
    this.check(this.x.setTriplet(proj, tauX, tauY, a2p, a3p, a2m, a3m), what);
  }
  setReward(proj: number, tauC: number, eta: number, what: string): void { this.check(this.x.setReward(proj, tauC, eta), what); }
  setNormalization(proj: number, total: number, everySteps: number, what: string): void { this.check(this.x.setNormalization(proj, total, everySteps), what); }
  setModulator(proj: number, value: number, what: string): void { this.check(this.x.setModulator(proj, value), what); }
  setLearningRate(proj: number, rate: number, what: string): void { this.check(this.x.setLearningRate(proj, rate), what); }
  normalizeIncoming(proj: number, total: number, what: string): void { this.check(this.x.normalizeIncoming(proj, total), what); }
  /** Presynaptic trace r1 of neuron i (post = false) or postsynaptic o1 of neuron j (post = true), now. */
  trace(proj: number, post: boolean, i: number): number { return this.x.traceValue(proj, post, i); }
  eligibility(proj: number, s: number): number { return this.x.eligibilityValue(proj, s); }

  // ------------------------------------------------------------ binary units

  setTemperatureSchedule(pop: number, steps: Int32Array, values: Float64Array, what: string): void {
    this.check(this.#i.withArrays([steps, values], (sp, vp) => this.x.setTemperatureSchedule(pop, sp!, vp!, steps.length)), what);
  }
  setTemperature(pop: number, t: number, what: string): void { this.check(this.x.setTemperature(pop, t), what); }
  setClamped(pop: number, unit: number, on: boolean, what: string): void { this.check(this.x.setClamped(pop, unit, on), what); }
  enableStateHistogram(pop: number, what: string): void { this.check(this.x.enableStateHistogram(pop), what); }
  stateHistogram(pop: number, size: number, clear: boolean): Uint32Array {
    const counts = this.#i.readU32(this.x.stateHistogramPtr(pop), 2 ** size);
    if (clear) this.x.clearStateHistogram(pop);
    return counts;
  }
  binaryStates(pop: number, size: number): Int8Array {
    return this.#i.readI8(this.x.statePtr(pop, this.variable(pop, 'state')), size);
  }
  /** Writes the states of binary units (their lo/hi values); the local fields follow. */
  writeBinaryStates(pop: number, states: Int8Array): void {
    this.#i.writeAt(this.x.statePtr(pop, this.variable(pop, 'state')), states);
    this.x.markFieldsDirty();
  }
  binaryFlips(pop: number): number { return this.x.binaryFlips(pop); }
  binaryUpdates(pop: number): number { return this.x.binaryUpdates(pop); }
  latticeFastPath(pop: number): number { return this.x.latticeFastPath(pop); }
  energy(pop: number): number { return this.x.energy(pop); }
  magnetisation(pop: number): number { return this.x.magnetisation(pop); }

  // ------------------------------------------------------------ running and recording

  prepare(): void { this.check(this.x.prepare(), 'prepare'); }

  /** Bytes of linear memory the instance holds. */
  memoryBytes(): number { return this.x.memory.buffer.byteLength; }

  /** Runs up to `steps` steps; returns the steps done (fewer when a buffer wants draining). */
  run(steps: number): number { return this.check(this.x.run(steps), 'run'); }

  currentStep(): number { return this.x.currentStep(); }
  totalEvents(): number { return this.x.totalEvents(); }

  setRecordCapacity(spikes: number): void { this.x.setRecordCapacity(spikes); }

  /** The spikes recorded since the last drain (null when none). */
  drainSpikes(): SpikeChunk | null {
    const n = this.x.recordedCount();
    if (n === 0) return null;
    const chunk = { times: this.#i.readF64(this.x.recTimesPtr(), n), ids: this.#i.readU32(this.x.recIdsPtr(), n) };
    this.x.clearRecorded();
    return chunk;
  }

  addProbe(pop: number, variable: string, neuron: number, what: string): void {
    this.check(this.x.addProbe(pop, this.variable(pop, variable), neuron), what);
  }
  setProbeInterval(steps: number, rowsCapacity: number): void { this.x.setProbeInterval(steps, rowsCapacity); }

  /** The probe samples taken since the last drain: rows x probes, row-major (null when none). */
  drainSamples(): { rows: number; probes: number; values: Float64Array } | null {
    const rows = this.x.sampleCount();
    if (rows === 0) return null;
    const probes = this.x.probeCount();
    const values = this.#i.readF64(this.x.samplesPtr(), rows * probes);
    this.x.clearSamples();
    return { rows, probes, values };
  }

  /** The whole dynamic state as bytes (between runs). */
  saveCheckpoint(): Uint8Array {
    const n = this.check(this.x.saveCheckpoint(), 'checkpoint');
    return this.#i.readU8(this.x.checkpointPtr(), n);
  }

  /** Restores a state saved by saveCheckpoint; false when it does not fit this network. */
  loadCheckpoint(bytes: Uint8Array): boolean {
    const status = this.#i.withArrays([bytes], (p) => this.x.loadCheckpoint(p!, bytes.length));
    if (status === this.#i.k.STATUS_BAD_CHECKPOINT) return false;
    this.check(status, 'load checkpoint');
    return true;
  }

  // ------------------------------------------------------------ generator and references

  /** The four words of Philox block (c0, c1, c2, c3) under the current seed. */
  philoxBlock(c: readonly [number, number, number, number]): Uint32Array {
    const out = this.#i.alloc(16);
    this.x.philoxBlock(c[0], c[1], c[2], c[3], out);
    const words = this.#i.readU32(out, 4);
    this.#i.free(out);
    return words;
  }
  /** Four consecutive blocks from counter c0 by the SIMD path, block by block. */
  philoxBlocks4(c: readonly [number, number, number, number]): Uint32Array {
    const out = this.#i.alloc(64);
    this.x.philoxBlocks4(c[0], c[1], c[2], c[3], out);
    const words = this.#i.readU32(out, 16);
    this.#i.free(out);
    return words;
  }
  uniform(c: readonly [number, number, number, number]): number { return this.x.rngUniform(c[0], c[1], c[2], c[3]); }
  normal(c: readonly [number, number, number, number]): number { return this.x.rngNormal(c[0], c[1], c[2], c[3]); }
  /** The bench's plain WASM Ising sweep (assembly/reference.ts). */
  referenceIsingInit(L: number, T: number, seed: number): void { this.x.referenceIsingInit(L, T, seed); }
  referenceIsingSweeps(L: number, sweeps: number, seed: number): number { return this.x.referenceIsingSweeps(L, sweeps, seed); }
  stream(name: 'INIT' | 'CONNECT' | 'WEIGHT' | 'DELAY' | 'POISSON' | 'USER'): number { return this.#i.k[`STREAM_${name}`] >>> 0; }
}

/** Kernel arguments of a value: kind 0 constant, 1 uniform, 2 normal; then a, b, lo, hi. */
function distributionArgs(v: Distribution): [kind: number, a: number, b: number, lo: number, hi: number] {
  if (typeof v === 'number') return [0, v, 0, -Infinity, Infinity];
  if ('uniform' in v) return [1, v.uniform[0], v.uniform[1], -Infinity, Infinity];
  return [2, v.normal[0], v.normal[1], v.clip?.[0] ?? -Infinity, v.clip?.[1] ?? Infinity];
}

// The registry is the same for every instance of one module: read it once.
function registryOf(inst: Instance): ReadonlyMap<string, KernelModel> {
  const cached = registries.get(inst.flavor);
  if (cached) return cached;
  const models = new Map<string, KernelModel>();
  const n = inst.x.modelCount();
  for (let kind = 0; kind < n; kind++) {
    const name = inst.string(inst.x.modelName(kind));
    const params = inst.string(inst.x.modelParams(kind)).split(' ').filter(Boolean).map((w): KernelParam => {
      const [pname, values] = w.split('=') as [string, string | undefined];
      return values === undefined ? { name: pname } : { name: pname, values: values.split('|') };
    });
    const variables = inst.string(inst.x.modelVariables(kind)).split(' ').filter(Boolean);
    models.set(name, { kind, name, params, variables });
  }
  registries.set(inst.flavor, models);
  return models;
}

