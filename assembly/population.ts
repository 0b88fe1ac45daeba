// A population: its parameters, its state (one array per variable, indexed by
// neuron), and the history of its recent spikes that delayed transmission
// reads from. Descriptors are objects; everything per neuron is a flat array.

import {
  MODEL_LIF, MODEL_LIF_COND, MODEL_LIF_DELTA, MODEL_IZHIKEVICH, MODEL_POISSON, MODEL_SPIKE_SOURCE, MODEL_BINARY,
  INTEGRATOR_EULER,
} from "./abi";
import { IndexedHeap } from "./heap";
import { PoissonInput } from "./poisson-input";
import { BinaryUnits } from "./binary";

// Neuron count rounded up to whole SIMD vectors (4 x f32).
export function padded(n: i32): i32 { return (n + 3) & ~3; }

// Refractory marker for neurons that never spiked: far enough in the past that
// (step - lastSpike) cannot look refractory, close enough not to overflow.
export const NEVER_SPIKED: i32 = -0x40000000;

export class Population {
  index: i32;
  kind: i32;
  size: i32;
  first: i32;          // global id of neuron 0
  record: bool = false;

  // Parameters (units in the model schema; ms, mV, pF, nS, pA, Hz).
  tauM: f64 = 20; cM: f64 = 250; vRest: f64 = -65; vReset: f64 = -65; vThresh: f64 = -50;
  tRef: f64 = 0; tauE: f64 = 5; tauI: f64 = 10;
  gL: f64 = 10; eL: f64 = -60; eEx: f64 = 0; eIn: f64 = -80; integrator: i32 = INTEGRATOR_EULER;
  a: f64 = 0.02; b: f64 = 0.2; c: f64 = -65; d: f64 = 8; vPeak: f64 = 30;
  iStep: f64 = 0;      // population-wide step current (pA), changed by the schedule
  // Clock-driven v is stored as v - vOffset (v_rest or E_L), as NEST does:
  // f32 then resolves the few mV that matter, not the 70 mV of the offset.
  vOffset: f64 = 0;

  // Derived in prepare(): propagators of the exact or Euler update.
  refSteps: i32 = 0;
  em: f64 = 0; ee: f64 = 0; ei: f64 = 0; ce: f64 = 0; ci: f64 = 0; rM: f64 = 0;
  hasBias: bool = false;  // some neuron has a nonzero i_e

  // Lazy decay of the exponential synaptic variables: the arrays hold
  // ge_stored = ge(t) exp((t - t_base) / tau_e) (likewise gi), so a step only
  // reads them: the true value is the stored one times decayE, and an input
  // arriving at t_{m+1} is added times gainE. Every renormEvery steps the
  // arrays are brought back to true values (t_base = now), which keeps the
  // factors within exp(+-20).
  baseStep: i32 = 0;
  renormEvery: i32 = 1000;
  decayE: f64 = 1; decayI: f64 = 1;  // exp(-(m - base) dt / tau) at step m
  gainE: f64 = 1; gainI: f64 = 1;    // exp((m + 1 - base) dt / tau): inputs for t_{m+1}

  // Adaptive threshold (lif, lif_cond): the threshold is v_thresh + theta_j;
  // theta_j grows by thetaPlus at each spike of j and decays with tauTheta,
  // stored lazily like ge (same base). Off when thetaPlus is 0.
  thetaPlus: f64 = 0;
  tauTheta: f64 = 1e7;
  // Frozen: theta neither grows nor decays (testing a trained network); the decay time is kept here.
  thetaFrozen: bool = false;
  tauThetaLearning: f64 = 1e7;
  decayTheta: f64 = 1;
  gainTheta: f64 = 1;  // exp((m + 1 - base) dt / tauTheta): a spike of step m is at t_{m+1}
  theta: StaticArray<f32> = new StaticArray<f32>(0);

  // Clock-driven state (f32, padded to whole vectors).
  v: StaticArray<f32> = new StaticArray<f32>(0);
  ge: StaticArray<f32> = new StaticArray<f32>(0);
  gi: StaticArray<f32> = new StaticArray<f32>(0);
  u: StaticArray<f32> = new StaticArray<f32>(0);
  ie: StaticArray<f32> = new StaticArray<f32>(0);
  lastSpike: StaticArray<i32> = new StaticArray<i32>(0);

  // Event-driven state (f64: exact times).
  vd: StaticArray<f64> = new StaticArray<f64>(0);      // lif_delta: v before the run, then the lazy u (events.ts)
  ied: StaticArray<f64> = new StaticArray<f64>(0);     // lif_delta bias current
  refUntil: StaticArray<f64> = new StaticArray<f64>(0);// end of the refractory period
  tBase: f64 = 0;                                      // lif_delta: time of the lazy form's base
  hasDrive: bool = false;                              // lif_delta: some neuron has v_inf > v_thresh
  rate: StaticArray<f64> = new StaticArray<f64>(0);    // Poisson rate (Hz)
  rMax: f64 = 0;                                       // Poisson: largest rate (Hz)
  nextT: f64 = Infinity;                               // Poisson: time of the next candidate event
  events: f64 = 0;                                     // Poisson: candidate events drawn (RNG counter)
  nextWord: u32 = 0;                                   // Poisson: neuron word of the next candidate
  nextAccept: u32 = 0;                                 // Poisson: thinning word of the next candidate
  srcOffsets: StaticArray<u32> = new StaticArray<u32>(0); // spike_source: times of j in [off[j], off[j+1])
  srcTimes: StaticArray<f64> = new StaticArray<f64>(0);
  // Regular generators (a poisson population set regular): each neuron fires
  // every 1/rate, its next spike time the key of the heap.
  regular: bool = false;
  regLast: StaticArray<f64> = new StaticArray<f64>(0);
  srcCursor: StaticArray<u32> = new StaticArray<u32>(0);
  heap: IndexedHeap = new IndexedHeap(0);
  touched: StaticArray<u8> = new StaticArray<u8>(0);
  touchedList: StaticArray<i32> = new StaticArray<i32>(0);
  nTouched: i32 = 0;

  // Binary units (see binary.ts).
  bin: BinaryUnits | null = null;

  // External Poisson drives (see poisson-input.ts).
  inputs: Array<PoissonInput> = [];

  // Spike counts per neuron since the start (for rates).
  counts: StaticArray<u32> = new StaticArray<u32>(0);
  totalSpikes: f64 = 0;
  // Spikes counted without passing through the history (lattice fast path, not recorded).
  totalSpikesUnrecorded: f64 = 0;

  // Step-current schedule: at step schedSteps[k] the current becomes schedAmps[k].
  schedSteps: StaticArray<i32> = new StaticArray<i32>(0);
  schedAmps: StaticArray<f64> = new StaticArray<f64>(0);
  schedCursor: i32 = 0;

  // Spike history: ring of histR step slots (the current step and the
  // maxOutDelay steps before it); slot s holds neuron ids and the offset of
  // each spike inside its step, in (0, dt] ms.
  histR: i32 = 1;
  histIds: Array<StaticArray<i32>> = [];
  histOffs: Array<StaticArray<f64>> = [];
  histCount: StaticArray<i32> = new StaticArray<i32>(0);
  maxOutDelay: i32 = 0;

  constructor(index: i32, kind: i32, size: i32, first: i32) {
    this.index = index;
    this.kind = kind;
    this.size = size;
    this.first = first;
    const n = size, np = padded(size);
    this.counts = new StaticArray<u32>(n);
    if (kind == MODEL_LIF || kind == MODEL_LIF_COND || kind == MODEL_IZHIKEVICH) {
      this.v = new StaticArray<f32>(np);
      this.ge = new StaticArray<f32>(np);
      this.gi = new StaticArray<f32>(np);
      this.ie = new StaticArray<f32>(np);
      this.lastSpike = new StaticArray<i32>(np);
      for (let j = 0; j < np; j++) this.lastSpike[j] = NEVER_SPIKED;
      // Padding lanes sit permanently refractory and never spike.
      for (let j = n; j < np; j++) this.lastSpike[j] = i32.MAX_VALUE;
      if (kind == MODEL_IZHIKEVICH) this.u = new StaticArray<f32>(np);
    } else if (kind == MODEL_LIF_DELTA) {
      this.vd = new StaticArray<f64>(n);
      this.ied = new StaticArray<f64>(n);
      this.refUntil = new StaticArray<f64>(n);
      for (let j = 0; j < n; j++) this.refUntil[j] = -Infinity;
      this.heap = new IndexedHeap(n);
      this.touched = new StaticArray<u8>(n);
      this.touchedList = new StaticArray<i32>(n);
    } else if (kind == MODEL_POISSON) {
      this.rate = new StaticArray<f64>(n);
    } else if (kind == MODEL_BINARY) {
      this.bin = new BinaryUnits(n);
    } else if (kind == MODEL_SPIKE_SOURCE) {
      this.srcOffsets = new StaticArray<u32>(n + 1);
      this.srcCursor = new StaticArray<u32>(n);
      this.heap = new IndexedHeap(n);
    }
  }

  isClockDriven(): bool {
    return this.kind == MODEL_LIF || this.kind == MODEL_LIF_COND || this.kind == MODEL_IZHIKEVICH;
  }

  // The history also covers the refractory period of clock-driven neurons:
  // the neurons that spiked in the last refSteps steps are the refractory ones.
  allocHistory(): void {
    const r = max(this.maxOutDelay, this.isClockDriven() ? this.refSteps : 0) + 1;
    this.histR = r;
    this.histCount = new StaticArray<i32>(r);
    const cap = 64;
    for (let s = 0; s < r; s++) {
      this.histIds.push(new StaticArray<i32>(cap));
      this.histOffs.push(new StaticArray<f64>(cap));
    }
  }

  @inline slotOf(step: i32): i32 { return step % this.histR; }

  // Sets decayE/I and gainE/I for step m, renormalising first when due.
  lazyDecayFactors(m: i32, dt: f64): void {
    if (m - this.baseStep >= this.renormEvery) this.renormalize(m, dt);
    const k = <f64>(m - this.baseStep) * dt;
    this.decayE = Math.exp(-k / this.tauE);
    this.decayI = Math.exp(-k / this.tauI);
    this.gainE = Math.exp((k + dt) / this.tauE);
    this.gainI = Math.exp((k + dt) / this.tauI);
    if (this.thetaPlus != 0) {
      this.decayTheta = Math.exp(-k / this.tauTheta);
      this.gainTheta = Math.exp((k + dt) / this.tauTheta);
    }
  }

  // Stores the true ge, gi at step m and makes m the new base.
  renormalize(m: i32, dt: f64): void {
    const k = <f64>(m - this.baseStep) * dt;
    const de = <f32>Math.exp(-k / this.tauE), di = <f32>Math.exp(-k / this.tauI);
    const n = this.ge.length;
    // Values that have decayed below 1e-20 become 0: left alone they would
    // turn subnormal within a few time constants, and arithmetic on
    // subnormal floats is a hundred times slower (WebAssembly does not flush them).
    for (let j = 0; j < n; j++) {
      let e = unchecked(this.ge[j]) * de, g = unchecked(this.gi[j]) * di;
      if (Mathf.abs(e) < 1e-20) e = 0;
      if (Mathf.abs(g) < 1e-20) g = 0;
      unchecked(this.ge[j] = e);
      unchecked(this.gi[j] = g);
    }
    if (this.thetaPlus != 0) {
      const dth = <f32>Math.exp(-k / this.tauTheta);
      for (let j = 0; j < this.theta.length; j++) unchecked(this.theta[j] *= dth);
      this.decayTheta = 1;
      this.gainTheta = Math.exp(dt / this.tauTheta);
    }
    this.baseStep = m;
    this.decayE = 1; this.decayI = 1;
    this.gainE = Math.exp(dt / this.tauE);
    this.gainI = Math.exp(dt / this.tauI);
  }

  // Appends a spike of neuron j at `offset` ms into step `step`'s slot.
  pushSpike(slot: i32, j: i32, offset: f64): void {
    let n = unchecked(this.histCount[slot]);
    let ids = unchecked(this.histIds[slot]);
    if (n == ids.length) {
      this.growSlot(slot);
      ids = unchecked(this.histIds[slot]);
    }
    unchecked(ids[n] = j);
    unchecked(this.histOffs[slot][n] = offset);
    unchecked(this.histCount[slot] = n + 1);
    unchecked(this.counts[j] += 1);
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
}
