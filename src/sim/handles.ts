// Handles on the parts of a running simulation, as Brian2's groups and
// NEST's node collections are: sim.population("exc").state("v"),
// sim.projection("in->exc").weights(). A mistake in a call (an unknown
// variable, values of the wrong length, a call the model does not have) is
// a UsageError: bad input, exit code 2 on the command line, 400 on the server.

import { UsageError } from '../core/errors.js';
import { closest } from '../core/closest.js';
import type { Kernel } from '../kernel/kernel.js';
import type { BuiltPopulation, BuiltProjection } from '../network/build.js';
import { neuronModel, modelVariables } from '../model/neurons/index.js';

function lengthMatches(what: string, values: ArrayLike<number>, n: number, unit: string): void {
  if (values.length !== n) throw new UsageError(`needs one value per ${unit}: ${n} (got ${values.length})`, what);
}

export class PopulationHandle {
  readonly name: string;
  /** Neuron model (as in the model JSON). */
  readonly model: string;
  readonly size: number;

  constructor(private readonly kernel: Kernel, private readonly built: BuiltPopulation) {
    this.name = built.name;
    this.model = built.model;
    this.size = built.size;
  }

  /** Global id of neuron 0 (ids in spike chunks are global). */
  get firstId(): number { return this.built.first; }

  /** State variables this population can read and set (count included). */
  get variables(): string[] { return this.kernel.variables(this.built.index); }

  private variable(name: string, what: string): void {
    if (!this.kernel.hasVariable(this.built.index, name)) {
      const hint = closest(name, this.variables);
      throw new UsageError(`${this.model} has no variable "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; it has ${this.variables.join(', ')}`, what);
    }
  }

  private needs(kind: 'poisson' | 'binary', what: string): void {
    const ok = kind === 'poisson' ? this.model === 'poisson' : neuronModel(this.model)?.coupling === true;
    if (!ok) throw new UsageError(`"${this.name}" is a ${this.model} population; this needs ${kind === 'poisson' ? 'a poisson population' : 'binary units'}`, what);
  }

  /** A state variable of every neuron, now (as the model's "init" names it: v, i_e, ge, ...). */
  state(variable: string): Float64Array {
    this.variable(variable, `${this.name}.state`);
    return this.kernel.state(this.built.index, variable, this.size);
  }

  /** Sets a state variable of every neuron, now (a reset between trials, say). */
  setState(variable: string, values: ArrayLike<number>): void {
    const what = `${this.name}.setState("${variable}")`;
    this.variable(variable, what);
    lengthMatches(what, values, this.size, 'neuron');
    this.kernel.setState(this.built.index, variable, values, what);
  }

  /** Spike counts of every neuron since the start. */
  spikeCounts(): Uint32Array { return this.kernel.spikeCounts(this.built.index, this.size); }

  /** Spikes of the whole population since the start. */
  spikes(): number { return this.kernel.populationSpikes(this.built.index); }

  /** The rates (Hz) of a Poisson population's neurons from now on. */
  setRates(rates: ArrayLike<number>): void {
    const what = `${this.name}.setRates`;
    this.needs('poisson', what);
    lengthMatches(what, rates, this.size, 'neuron');
    for (let j = 0; j < rates.length; j++) if (!(rates[j]! >= 0) || !Number.isFinite(rates[j]!)) throw new UsageError(`rates must be finite and >= 0 Hz (got ${rates[j]} at ${j})`, what);
    this.kernel.setRates(this.built.index, Float64Array.from(rates), what);
  }

  // ------------------------------------------------------------ binary units

  /** States of binary units (-1/+1, or 0/1 for "01" units). */
  binaryStates(): Int8Array {
    this.needs('binary', `${this.name}.binaryStates`);
    return this.kernel.binaryStates(this.built.index, this.size);
  }

  /** Sets the states of binary units; the local fields follow. */
  setBinaryStates(states: ArrayLike<number>): void {
    const what = `${this.name}.setBinaryStates`;
    this.needs('binary', what);
    lengthMatches(what, states, this.size, 'unit');
    this.kernel.writeBinaryStates(this.built.index, Int8Array.from(states));
  }

  /** Sets the biases b_i of binary units. */
  setBiases(biases: ArrayLike<number>): void {
    const what = `${this.name}.setBiases`;
    this.needs('binary', what);
    lengthMatches(what, biases, this.size, 'unit');
    this.kernel.setState(this.built.index, 'bias', biases, what);
  }

  /** Energy of binary units: -1/2 sum s_i h_i - sum b_i s_i. */
  energy(): number {
    this.needs('binary', `${this.name}.energy`);
    return this.kernel.energy(this.built.index);
  }

  /** Temperature of stochastic binary units from now on (> 0). */
  setTemperature(temperature: number): void {
    const what = `${this.name}.setTemperature`;
    this.needs('binary', what);
    if (!(temperature > 0) || !Number.isFinite(temperature)) throw new UsageError(`temperature must be a finite number > 0 (got ${temperature})`, what);
    this.kernel.setTemperature(this.built.index, temperature, what);
  }

  /** Clamps units to their current states (or releases them). */
  setClamped(units: ArrayLike<number>, clamped = true): void {
    const what = `${this.name}.setClamped`;
    this.needs('binary', what);
    for (let k = 0; k < units.length; k++) {
      const u = units[k]!;
      if (!(Number.isInteger(u) && u >= 0 && u < this.size)) throw new UsageError(`unit ${u} is outside the population (size ${this.size})`, what);
      this.kernel.setClamped(this.built.index, u, clamped, what);
    }
  }

  /** Counts joint states of a small population (n <= 24) from now on, one count per step: index sum_i [s_i = hi] 2^i. */
  enableStateHistogram(): void {
    const what = `${this.name}.enableStateHistogram`;
    this.needs('binary', what);
    if (this.size > 24) throw new UsageError(`a joint-state histogram needs at most 24 units (has ${this.size})`, what);
    this.kernel.enableStateHistogram(this.built.index, what);
  }

  /** The joint-state counts since enableStateHistogram or the last clear. */
  stateHistogram(clear = false): Uint32Array {
    this.needs('binary', `${this.name}.stateHistogram`);
    return this.kernel.stateHistogram(this.built.index, this.size, clear);
  }

  /** Flips and updates done so far by binary units. */
  binaryCounts(): { flips: number; updates: number } {
    this.needs('binary', `${this.name}.binaryCounts`);
    return { flips: this.kernel.binaryFlips(this.built.index), updates: this.kernel.binaryUpdates(this.built.index) };
  }

  /** Mean state on the +-1 scale. */
  magnetisation(): number {
    this.needs('binary', `${this.name}.magnetisation`);
    return this.kernel.magnetisation(this.built.index);
  }

  /** Side of the lattice when the Ising fast path runs this population (0 otherwise). */
  latticeFastPath(): number { return this.kernel.latticeFastPath(this.built.index); }
}

export class ProjectionHandle {
  readonly name: string;
  readonly from: string;
  readonly to: string;

  constructor(private readonly kernel: Kernel, private readonly built: BuiltProjection, private readonly nPre: number) {
    this.name = built.name;
    this.from = built.from;
    this.to = built.to;
  }

  get plastic(): boolean { return this.built.plastic; }
  get synapses(): number { return this.kernel.synapseCount(this.built.index); }
  /** Synaptic events delivered through this projection so far. */
  get events(): number { return this.kernel.projectionEvents(this.built.index); }

  /** The delay of every synapse in steps (in the order of weights()), or the one delay they share. */
  delaySteps(): Uint16Array | number { return this.kernel.delaySteps(this.built.index); }

  /** Current weights, in CSR order (synapsePairs gives each one's source and target). */
  weights(): Float64Array { return this.kernel.weights(this.built.index); }

  /** The connectivity in compressed sparse rows: synapses of source i are rowPtr[i] .. rowPtr[i + 1] - 1, to targets[s]. */
  rows(): { rowPtr: Uint32Array; targets: Uint32Array } {
    return { rowPtr: this.kernel.rowPointers(this.built.index, this.nPre), targets: this.kernel.targets(this.built.index) };
  }

  /** Source and target (indices within their populations) of each synapse, in the order of weights(). */
  synapsePairs(): { pre: Uint32Array; post: Uint32Array } {
    const rowPtr = this.kernel.rowPointers(this.built.index, this.nPre);
    const post = this.kernel.targets(this.built.index);
    const pre = new Uint32Array(post.length);
    for (let i = 0; i < this.nPre; i++) pre.fill(i, rowPtr[i]!, rowPtr[i + 1]!);
    return { pre, post };
  }

  /**
   * Replaces the weights (in the order of weights()). Couplings of binary
   * units must stay symmetric: set both directions.
   */
  setWeights(weights: ArrayLike<number>): void {
    const what = `${this.name}.setWeights`;
    if (this.plastic) throw new UsageError('the projection is plastic: its weights belong to its learning rule', what);
    lengthMatches(what, weights, this.synapses, 'synapse');
    this.kernel.writeWeights(this.built.index, Float32Array.from(weights), what);
  }

  /** The neuromodulator (reward - baseline) of a reward-modulated projection, from now on. */
  setModulator(value: number): void {
    const what = `${this.name}.setModulator`;
    if (!Number.isFinite(value)) throw new UsageError(`the modulator must be a finite number (got ${value})`, what);
    this.kernel.setModulator(this.built.index, value, what);
  }

  /**
   * Scales every weight change by `rate` (> 0), relative to the model's
   * amplitudes, from now on: learning-rate annealing. Checkpoints keep it.
   */
  setLearningRate(rate: number): void {
    const what = `${this.name}.setLearningRate`;
    if (!this.plastic) throw new UsageError('the projection is not plastic', what);
    if (!(rate > 0) || !Number.isFinite(rate)) throw new UsageError(`must be a finite number > 0 (got ${rate})`, what);
    this.kernel.setLearningRate(this.built.index, rate, what);
  }

  /** Rescales each target's incoming weights to sum to `total`, now. */
  normalize(total: number): void {
    const what = `${this.name}.normalize`;
    if (!(total > 0) || !Number.isFinite(total)) throw new UsageError(`the sum of incoming weights must be > 0 (got ${total})`, what);
    this.kernel.normalizeIncoming(this.built.index, total, what);
  }

  /** Presynaptic trace r1 of source i, or postsynaptic trace o1 of target j (post = true), now. */
  trace(post: boolean, neuron: number): number { return this.kernel.trace(this.built.index, post, neuron); }

  /** Eligibility of synapse s now (reward-modulated STDP). */
  eligibility(s: number): number { return this.kernel.eligibility(this.built.index, s); }
}
