// What clock-driven neuron models share: one f32 state array per variable,
// padded to whole SIMD vectors; two exponentially decaying synaptic
// variables ge, gi (currents or conductances) that transmission adds to;
// threshold candidates collected by the vector loops and fired by a scalar
// path; refractoriness read from the spike history; an optional adaptive
// threshold. lif, lif_cond, izhikevich, adex and hh extend it.
//
// Lazy decay of ge and gi: the arrays hold ge_stored = ge(t) exp((t - t_base) / tau_e)
// (likewise gi), so a step only reads them: the true value is the stored one
// times decayE, and an input arriving at t_{m+1} is added times gainE. Every
// renormEvery steps the arrays are brought back to true values (t_base = now),
// which keeps the factors within exp(+-20).

import { Population, ModelInfo, padded, INPUT_GRID, TYPE_F32, TYPE_U32 } from "../population";
import { STATUS_OK, STATUS_BAD_VARIABLE } from "../status";
import * as io from "../checkpoint-io";

// Refractory marker for neurons that never spiked: far enough in the past that
// (step - lastSpike) cannot look refractory, close enough not to overflow.
export const NEVER_SPIKED: i32 = -0x40000000;

@inline export function ptr<T>(a: StaticArray<T>): usize { return changetype<usize>(a); }

// A silent neuron relaxes towards its rest value (stored as 0) and would
// pass through the subnormal floats, where arithmetic is a hundred times
// slower (WebAssembly does not flush them): potentials within 1e-30 mV of
// rest are set to rest.
@inline export function flushTiny(v: v128): v128 {
  return v128.and(v, f32x4.ge(f32x4.abs(v), f32x4.splat(<f32>1e-30)));
}

// The vector loops take their constants as v128 parameters and do not call
// anything: threshold candidates go to a buffer (vector index << 4 | lane
// mask) that the scalar path fires afterwards. Both keep V8 from
// re-deriving the constants inside the loop under register pressure.
let candidates = new StaticArray<u32>(1024);

export abstract class ClockPopulation extends Population {
  // Synaptic time constants (ms) and the lazy decay of ge, gi.
  tauE: f64 = 5;
  tauI: f64 = 10;
  baseStep: i32 = 0;
  renormEvery: i32 = 1000;
  decayE: f64 = 1; decayI: f64 = 1;  // exp(-(m - base) dt / tau) at step m
  gainE: f64 = 1; gainI: f64 = 1;    // exp((m + 1 - base) dt / tau): inputs for t_{m+1}

  // v is stored as v - vOffset (v_rest or E_L), as NEST does: f32 then
  // resolves the few mV that matter, not the 70 mV of the offset.
  vOffset: f64 = 0;
  resetV: f32 = 0;    // v after a spike, as stored
  refSteps: i32 = 0;
  hasBias: bool = false;  // some neuron has a nonzero i_e

  v: StaticArray<f32>;
  ge: StaticArray<f32>;
  gi: StaticArray<f32>;
  ie: StaticArray<f32>;
  lastSpike: StaticArray<i32>;

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

  // Indices of the shared variables in the model's list (-1: not there).
  varV: i32; varGe: i32; varGi: i32; varIe: i32; varTheta: i32;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
    const np = padded(size);
    this.v = new StaticArray<f32>(np);
    this.ge = new StaticArray<f32>(np);
    this.gi = new StaticArray<f32>(np);
    this.ie = new StaticArray<f32>(np);
    this.lastSpike = new StaticArray<i32>(np);
    this.varV = info.variableIndex("v");
    this.varGe = info.variableIndex("ge");
    this.varGi = info.variableIndex("gi");
    this.varIe = info.variableIndex("i_e");
    this.varTheta = info.variableIndex("theta");
    for (let j = 0; j < np; j++) this.lastSpike[j] = NEVER_SPIKED;
    // Padding lanes sit permanently refractory and never spike.
    for (let j = size; j < np; j++) this.lastSpike[j] = i32.MAX_VALUE;
  }

  inputMode(): i32 { return INPUT_GRID; }

  // The array synaptic input of receptor r adds to, and the gain it is added with (lazy decay):
  // receptor 0 (exc) is ge, 1 (inh) gi; equation models may have more.
  receptorArray(r: i32): StaticArray<f32> { return r == 0 ? this.ge : this.gi; }
  receptorGain(r: i32): f64 { return r == 0 ? this.gainE : this.gainI; }
  receptorCount(): i32 { return 2; }

  exactSpikeTimes(): bool { return false; }

  ownHistory(): i32 { return this.refSteps; }

  // Sets up refractoriness and the adaptive threshold; models call it from
  // configure() once tauE, tauI (and thetaPlus) are set.
  configureClock(dt: f64): void {
    this.refSteps = <i32>Math.round(this.tRef() / dt);
    if (this.thetaPlus != 0 && this.theta.length == 0) this.theta = new StaticArray<f32>(this.v.length);
  }

  // After the initial values: the lazy decay starts at step 0.
  prepare(dt: f64): void {
    this.renormEvery = max(1, <i32>Math.floor(20.0 * Math.min(Math.min(this.tauE, this.tauI), this.tauTheta) / dt));
    this.baseStep = 0;
    this.lazyDecayFactors(0, dt);
    this.hasBias = false;
    for (let j = 0; j < this.size; j++) if (this.ie[j] != 0) this.hasBias = true;
  }

  // The refractory period (ms); 0 for models without one.
  tRef(): f64 { return 0; }

  // Reads the adaptive threshold's parameters (lif, lif_cond).
  configureTheta(): void {
    this.thetaPlus = this.param("theta_plus");
    this.tauTheta = this.param("tau_theta");
    this.tauThetaLearning = this.tauTheta;
  }

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
    // turn subnormal within a few time constants (see flushTiny).
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

  settle(m: i32, dt: f64): void { this.renormalize(m, dt); }

  freeze(frozen: bool, step: i32, dt: f64, prepared: bool): void {
    if (this.thetaPlus == 0 || this.thetaFrozen == frozen) return;
    // Store the true values first: the lazy form depends on the decay time.
    if (prepared) this.renormalize(step, dt);
    if (frozen) { this.tauThetaLearning = this.tauTheta; this.tauTheta = Infinity; }
    else this.tauTheta = this.tauThetaLearning;
    this.thetaFrozen = frozen;
    if (prepared) this.lazyDecayFactors(step, dt);
  }

  // ------------------------------------------------------------ firing

  @inline candidateBuffer(): usize {
    const need = (this.size >> 2) + 1;
    if (candidates.length < need) candidates = new StaticArray<u32>(need);
    return changetype<usize>(candidates);
  }

  // What a model does to its own state at a spike of j (beyond resetting v).
  onSpike(j: i32): void {}

  // Lanes in `mask` of the vector at neuron i crossed threshold: fire those
  // that are real neurons and not refractory; put the others back to reset.
  fireLanes(slot: i32, i: i32, mask: i32, step: i32, dt: f64): void {
    const vReset = this.resetV;
    for (let lane = 0; lane < 4; lane++) {
      if (((mask >> lane) & 1) == 0) continue;
      const j = i + lane;
      unchecked(this.v[j] = vReset);
      if (this.spikeState(j, step)) this.pushSpike(slot, j, dt);
    }
  }

  // A candidate's own part of a spike: false for a padding lane or a
  // refractory neuron; else onSpike, the spike's step, the threshold's jump.
  @inline spikeState(j: i32, step: i32): bool {
    if (j >= this.size) return false;
    if (step - unchecked(this.lastSpike[j]) <= this.refSteps) return false;
    this.onSpike(j);
    unchecked(this.lastSpike[j] = step);
    if (this.thetaPlus != 0 && !this.thetaFrozen) unchecked(this.theta[j] += <f32>(this.thetaPlus * this.gainTheta));
    return true;
  }

  // The candidates of a buffer (vector indices from neuron 0).
  fireFrom(cand: usize, count: i32, slot: i32, step: i32, dt: f64): void {
    for (let k = 0; k < count; k++) {
      const c = load<u32>(cand + (<usize>k << 2));
      this.fireLanes(slot, <i32>(c >> 4), <i32>(c & 15), step, dt);
    }
  }

  // ------------------------------------------------------------ threads

  // A model whose step is one vector loop over its neurons (lif, lif_cond,
  // izhikevich) defines updateRange and updates through updateByRanges: the
  // engine can then run the loop on several threads, each over its own
  // neurons, with the part before (decay factors) and after (firing in
  // neuron order, refractoriness) on one. Either way the same arithmetic
  // reaches every neuron, so the spikes do not depend on the threads.
  rangeUpdate(): bool { return false; }

  // Advances neurons [lo, hi) (lo a multiple of 4) over step m; writes its
  // threshold candidates to `cand` (vector indices from lo) and returns
  // their count. Touches only those neurons' state: any thread may run it.
  updateRange(m: i32, lo: i32, hi: i32, cand: usize, dt: f64): i32 { return 0; }

  updateByRanges(m: i32, slot: i32, dt: f64): f64 {
    this.lazyDecayFactors(m, dt);
    const cand = this.candidateBuffer();
    this.fireFrom(cand, this.updateRange(m, 0, this.size, cand, dt), slot, m, dt);
    this.clampRefractory(m, 0, this.size);
    return 0;
  }

  // Holds the neurons of [lo, hi) that spiked in the last refSteps steps at
  // v_reset. A range-updated population fires in neuron order (fireFrom, or
  // the threads' fired lists in thread order), so each step's ids are sorted.
  clampRefractory(step: i32, lo: i32, hi: i32): void {
    const vReset = this.resetV;
    const last = min(this.refSteps, step);
    for (let d = 1; d <= last; d++) {
      const s = this.slotOf(step - d);
      const n = unchecked(this.histCount[s]);
      const ids = unchecked(this.histIds[s]);
      if (lo == 0 && hi >= this.size) {
        // All of them (one thread): the loop as tight as it goes.
        for (let k = 0; k < n; k++) unchecked(this.v[unchecked(ids[k])] = vReset);
        continue;
      }
      let a = 0, b = n;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (unchecked(ids[mid]) < lo) a = mid + 1; else b = mid;
      }
      for (let k = a; k < n; k++) {
        const j = unchecked(ids[k]);
        if (j >= hi) break;
        unchecked(this.v[j] = vReset);
      }
    }
  }

  // On threads, after updateRange over neurons [lo, hi): what updateByRanges
  // does, for [lo, hi) only. Every candidate lane goes back to v_reset
  // (fired, refractory or padding); the candidates that fire get their own
  // part of the spike (spikeState, the count) and their ids go to `fired`,
  // in neuron order, for thread 0 to append to the history; the refractory
  // neurons are held. Each thread so writes its own neurons' state alone (a
  // write by the thread that appends the spikes would move the lines
  // between cores and back). Returns the number fired.
  settleRange(step: i32, cand: usize, count: i32, lo: i32, hi: i32, fired: usize): i32 {
    const vReset = this.resetV;
    let nf = 0;
    for (let k = 0; k < count; k++) {
      const c = load<u32>(cand + (<usize>k << 2));
      const i = lo + <i32>(c >> 4);
      for (let lane = 0; lane < 4; lane++) {
        if (((c >> lane) & 1) == 0) continue;
        const j = i + lane;
        // A candidate is a vector of [lo, padded(hi)): inside the padded array.
        unchecked(this.v[j] = vReset);
        if (!this.spikeState(j, step)) continue;
        unchecked(this.counts[j] += 1);
        store<i32>(fired + (<usize>nf << 2), j);
        nf++;
      }
    }
    this.clampRefractory(step, lo, hi);
    return nf;
  }

  // ------------------------------------------------------------ state

  // True value of a lazily decayed variable = stored value times this.
  storedScale(tau: f64, step: i32, dt: f64): f64 {
    return Math.exp(-<f64>(step - this.baseStep) * dt / tau);
  }

  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    if (k == this.varV) return <f64>this.v[j] + this.vOffset;
    if (k == this.varGe) return <f64>this.ge[j] * this.storedScale(this.tauE, step, dt);
    if (k == this.varGi) return <f64>this.gi[j] * this.storedScale(this.tauI, step, dt);
    if (k == this.varIe) return <f64>this.ie[j];
    if (k == this.varTheta && this.thetaPlus != 0) return <f64>this.theta[j] * this.storedScale(this.tauTheta, step, dt);
    if (k == this.countVariable()) return <f64>this.counts[j];
    return NaN;
  }

  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 {
    if (k == this.varV) this.v[j] = <f32>(x - this.vOffset);
    else if (k == this.varGe) this.ge[j] = <f32>(x / this.storedScale(this.tauE, step, dt));
    else if (k == this.varGi) this.gi[j] = <f32>(x / this.storedScale(this.tauI, step, dt));
    else if (k == this.varIe) {
      this.ie[j] = <f32>x;
      if (x != 0) this.hasBias = true;
    } else if (k == this.varTheta && this.thetaPlus != 0) this.theta[j] = <f32>(x / this.storedScale(this.tauTheta, step, dt));
    else return STATUS_BAD_VARIABLE;
    return STATUS_OK;
  }

  variablePtr(k: i32): usize {
    if (k == this.varV) return changetype<usize>(this.v);
    if (k == this.varGe) return changetype<usize>(this.ge);
    if (k == this.varGi) return changetype<usize>(this.gi);
    if (k == this.varIe) return changetype<usize>(this.ie);
    if (k == this.varTheta) return this.thetaPlus != 0 ? changetype<usize>(this.theta) : 0;
    if (k == this.countVariable()) return changetype<usize>(this.counts);
    return 0;
  }
  variableType(k: i32): i32 {
    if (this.variablePtr(k) == 0) return 0;
    return k == this.countVariable() ? TYPE_U32 : TYPE_F32;
  }
  variableOffset(k: i32): f64 { return k == this.varV ? this.vOffset : 0; }

  saveState(): void {
    io.wF64(<f64>this.baseStep); io.wF64(this.hasBias ? 1 : 0);
    io.wArr(this.v); io.wArr(this.ge); io.wArr(this.gi); io.wArr(this.ie); io.wArr(this.lastSpike); io.wArr(this.theta);
    this.saveExtra();
  }

  loadState(): void {
    this.baseStep = <i32>io.rF64(); this.hasBias = io.rF64() != 0;
    io.rArr(this.v); io.rArr(this.ge); io.rArr(this.gi); io.rArr(this.ie); io.rArr(this.lastSpike); io.rArr(this.theta);
    this.loadExtra();
  }

  // State arrays of the model beyond the shared ones.
  saveExtra(): void {}
  loadExtra(): void {}
}
