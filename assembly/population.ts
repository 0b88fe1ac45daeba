// What every population has, whatever its neuron model: its place among the
// neurons, the parameters the host set, spike counts, the history of its
// recent spikes (delayed transmission and plasticity read it), external
// Poisson drives and a step-current schedule. A neuron model is a subclass
// (models/*.ts) with its own state arrays, propagators and update, described
// to the host by a ModelInfo and registered by one line in models/registry.ts.

import { PoissonInput } from "./poisson-input";
import { initKey } from "./rng";
import * as io from "./checkpoint-io";
import { STATUS_OK, STATUS_BAD_VARIABLE, STATUS_MISSING_PARAMETER } from "./status";

// Neuron count rounded up to whole SIMD vectors (4 x f32).
export function padded(n: i32): i32 { return (n + 3) & ~3; }

// How a population takes synaptic input.
export const INPUT_NONE: i32 = 0;      // a source: nothing reaches it
export const INPUT_GRID: i32 = 1;      // clock-driven: the engine adds arriving weights to its receptor arrays
export const INPUT_EVENTS: i32 = 2;    // event-driven: it reads its incoming projections itself, in time order
export const INPUT_COUPLING: i32 = 3;  // binary units: couplings act at once on local fields

// Element types of state arrays, as the host reads them.
export const TYPE_NONE: i32 = 0;
export const TYPE_F32: i32 = 1;
export const TYPE_F64: i32 = 2;
export const TYPE_U32: i32 = 3;
export const TYPE_I8: i32 = 4;

export type Factory = (index: i32, size: i32, first: i32, info: ModelInfo) => Population;

// A neuron model as the host sees it: its name, its parameters and its state
// variables (names as in the model JSON). `params` is a space-separated list;
// an enumerated parameter is written name=a|b|c and set to the index of its
// value. Every model also has the variable `count` (spikes since the start).
export class ModelInfo {
  kind: i32 = -1;  // set by the registry
  name: string;
  params: string;
  variables: string;
  create: Factory;
  paramNames: string[];
  variableNames: string[];

  constructor(name: string, params: string, variables: string, create: Factory) {
    const all = variables.length > 0 ? variables + " count" : "count";
    const names = words(params);
    for (let k = 0; k < names.length; k++) {
      const w = names[k];
      const eq = w.indexOf("=");
      if (eq >= 0) names[k] = w.substring(0, eq);
    }
    this.name = name;
    this.params = params;
    this.variables = all;
    this.create = create;
    this.paramNames = names;
    this.variableNames = words(all);
  }

  // A population of this model.
  make(index: i32, size: i32, first: i32): Population { return this.create(index, size, first, this); }

  paramIndex(name: string): i32 { return this.paramNames.indexOf(name); }
  variableIndex(name: string): i32 { return this.variableNames.indexOf(name); }
}

function words(s: string): string[] {
  const out: string[] = [];
  const parts = s.split(" ");
  for (let k = 0; k < parts.length; k++) if (parts[k].length > 0) out.push(parts[k]);
  return out;
}

export abstract class Population {
  index: i32;
  size: i32;
  first: i32;          // global id of neuron 0
  info: ModelInfo;
  par: StaticArray<f64>;  // parameter values in the order of info.paramNames (NaN: not set)
  record: bool = false;

  // Spike counts per neuron since the start (for rates).
  counts: StaticArray<u32>;
  totalSpikes: f64 = 0;
  // Spikes counted without passing through the history (lattice fast path, not recorded).
  totalSpikesUnrecorded: f64 = 0;

  // External Poisson drives (see poisson-input.ts).
  inputs: Array<PoissonInput> = [];

  // Step-current schedule: at step schedSteps[k] the current becomes schedAmps[k].
  iStep: f64 = 0;      // population-wide step current (pA), changed by the schedule
  schedSteps: StaticArray<i32> = new StaticArray<i32>(0);
  schedAmps: StaticArray<f64> = new StaticArray<f64>(0);
  schedCursor: i32 = 0;

  // Spike history: ring of histR step slots (the current step and the
  // steps before it that transmission or refractoriness look back on);
  // slot s holds neuron ids and the offset of each spike inside its step, in (0, dt] ms.
  histR: i32 = 1;
  histIds: Array<StaticArray<i32>> = [];
  histOffs: Array<StaticArray<f64>> = [];
  histCount: StaticArray<i32> = new StaticArray<i32>(0);
  maxOutDelay: i32 = 0;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    this.index = index;
    this.size = size;
    this.first = first;
    this.info = info;
    this.counts = new StaticArray<u32>(size);
    const np = info.paramNames.length;
    this.par = new StaticArray<f64>(np);
    for (let k = 0; k < np; k++) this.par[k] = NaN;
  }

  // ------------------------------------------------------------ what a model defines

  // Reads the parameters and computes what the update needs (propagators);
  // called once, after the host set the parameters and before the initial values.
  abstract configure(dt: f64): i32;

  // Called once when the network is prepared, after the initial values.
  prepare(dt: f64): void {}

  // Advances every neuron from t_m = tStart to tEnd = t_m + dt and pushes
  // the spikes of the step into `slot`; returns the synaptic events it
  // processed itself (event-driven input).
  abstract update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64;

  abstract inputMode(): i32;

  // Spikes keep their time within the step (event-driven models, sources, and
  // clock-driven models that locate their threshold crossings); false: they
  // fall on the step's end.
  exactSpikeTimes(): bool { return true; }

  // State variable k (index into info.variableNames) of neuron j at step `step`.
  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    return k == this.countVariable() ? <f64>this.counts[j] : NaN;
  }
  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 { return STATUS_BAD_VARIABLE; }
  // The array behind variable k, its element type and the offset its values are stored from.
  variablePtr(k: i32): usize { return 0; }
  variableType(k: i32): i32 { return TYPE_NONE; }
  variableOffset(k: i32): f64 { return 0; }

  // Steps of history the model itself looks back on (refractoriness).
  ownHistory(): i32 { return 0; }

  // Restarts event queues at time t (after prepare or a change of inputs).
  start(t: f64): void {}

  // The step current changes to amp at time t.
  setStepCurrent(amp: f64, t: f64): void { this.iStep = amp; }

  // Learning that lives in the neurons (adaptive thresholds) stops or resumes.
  freeze(frozen: bool, step: i32, dt: f64, prepared: bool): void {}

  // Lazily stored values become true values at step m (before the host reads raw arrays).
  settle(m: i32, dt: f64): void {}

  // The model's dynamic state, for checkpoints (checkpoint-io.ts).
  saveState(): void {}
  loadState(): void {}

  // ------------------------------------------------------------ shared

  // Value of parameter `name` as the host set it (cold path: configure only).
  param(name: string): f64 {
    return this.par[this.info.paramIndex(name)];
  }

  // STATUS_MISSING_PARAMETER when some parameter was never set.
  checkParams(): i32 {
    for (let k = 0; k < this.par.length; k++) if (isNaN(this.par[k])) return STATUS_MISSING_PARAMETER;
    return STATUS_OK;
  }

  // The variable `count` is every model's last.
  @inline countVariable(): i32 { return this.info.variableNames.length - 1; }

  // Number of state variables, count included (models with their own list override it).
  variableCount(): i32 { return this.info.variableNames.length; }

  // Key of variable k's initial-value draws (see rng.ts).
  initStream(k: i32): u32 { return initKey(this.info.variableNames[k]); }

  allocHistory(): void {
    const r = max(this.maxOutDelay, this.ownHistory()) + 1;
    this.histR = r;
    this.histCount = new StaticArray<i32>(r);
    const cap = 64;
    for (let s = 0; s < r; s++) {
      this.histIds.push(new StaticArray<i32>(cap));
      this.histOffs.push(new StaticArray<f64>(cap));
    }
  }

  @inline slotOf(step: i32): i32 { return step % this.histR; }

  // Appends a spike of neuron j at `offset` ms into step `step`'s slot.
  pushSpike(slot: i32, j: i32, offset: f64): void {
    this.appendSpike(slot, j, offset);
    unchecked(this.counts[j] += 1);
  }

  // The history's part of pushSpike (threads: the neuron's own thread counts it).
  @inline appendSpike(slot: i32, j: i32, offset: f64): void {
    let n = unchecked(this.histCount[slot]);
    let ids = unchecked(this.histIds[slot]);
    if (n == ids.length) {
      this.growSlot(slot);
      ids = unchecked(this.histIds[slot]);
    }
    unchecked(ids[n] = j);
    unchecked(this.histOffs[slot][n] = offset);
    unchecked(this.histCount[slot] = n + 1);
  }

  private growSlot(slot: i32): void {
    const ids = this.histIds[slot], offs = this.histOffs[slot];
    const n = ids.length, cap = n * 2;
    const nids = new StaticArray<i32>(cap), noffs = new StaticArray<f64>(cap);
    memory.copy(changetype<usize>(nids), changetype<usize>(ids), <usize>n << 2);
    memory.copy(changetype<usize>(noffs), changetype<usize>(offs), <usize>n << 3);
    this.histIds[slot] = nids;
    this.histOffs[slot] = noffs;
  }

  // Applies the schedule entries due at step m (dt: the step).
  applySchedule(m: i32, dt: f64): void {
    let changed = false;
    let amp = this.iStep;
    while (this.schedCursor < this.schedSteps.length && unchecked(this.schedSteps[this.schedCursor]) <= m) {
      amp = unchecked(this.schedAmps[this.schedCursor]);
      this.schedCursor++;
      changed = true;
    }
    if (changed) this.setStepCurrent(amp, <f64>m * dt);
  }

  // Common dynamic state, then the model's.
  save(): void {
    io.wF64(this.iStep); io.wF64(<f64>this.schedCursor);
    io.wF64(this.totalSpikes); io.wF64(this.totalSpikesUnrecorded);
    io.wArr(this.counts);
    io.wU32(<u32>this.histR);
    for (let s = 0; s < this.histR; s++) {
      const n = this.histCount[s];
      io.wArr(this.histIds[s], n);
      io.wArr(this.histOffs[s], n);
    }
    this.saveState();
  }

  load(): void {
    this.iStep = io.rF64(); this.schedCursor = <i32>io.rF64();
    this.totalSpikes = io.rF64(); this.totalSpikesUnrecorded = io.rF64();
    io.rArr(this.counts);
    if (<i32>io.rU32() != this.histR) { io.fail(); return; }
    for (let s = 0; s < this.histR; s++) {
      // Peek the count, make room, then read both arrays of the slot.
      const n = io.peekCount();
      while (this.histIds[s].length < n) this.histIds[s] = new StaticArray<i32>(this.histIds[s].length * 2);
      while (this.histOffs[s].length < n) this.histOffs[s] = new StaticArray<f64>(this.histOffs[s].length * 2);
      this.histCount[s] = io.rArr(this.histIds[s], false);
      io.rArr(this.histOffs[s], false);
    }
    if (!io.failed()) this.loadState();
  }
}
