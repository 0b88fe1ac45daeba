// equations: a neuron model written as equations in the model JSON. The host
// compiles the equations to a small WebAssembly module that shares this
// kernel's memory (src/equations/wasm.ts) and puts its two functions in the
// kernel's function table; this population holds the state (one f32 array
// per variable, padded to whole vectors), calls the generated update each
// step and the generated reset for the vectors with lanes over threshold.
// Synaptic input reaches the variables named by the model's receptors
// ("exc", "inh") as it reaches ge and gi of the built-in models; a receptor's
// variable that only decays is stored lazily as theirs are (ClockPopulation:
// tauE, tauI, decayE, gainE), and the variables of an exact linear system
// are stored relative to its fixed point (offsets), as lif stores v.

import { Population, ModelInfo, padded, TYPE_F32, TYPE_U32 } from "../population";
import { ClockPopulation, ptr } from "./clock";
import { STATUS_OK, STATUS_BAD_VARIABLE, STATUS_BAD_ARGUMENT } from "../status";
import * as io from "../checkpoint-io";
import { initKey } from "../rng";

export const EQUATIONS = new ModelInfo(
  "equations", "", "",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new Equations(index, size, first, info),
);

export class Equations extends ClockPopulation {
  vars: StaticArray<f32>[] = [];
  ptrs: StaticArray<u32> = new StaticArray<u32>(0);
  updateFn: i32 = -1;
  resetFn: i32 = -1;
  refMs: f64 = 0;
  keys: StaticArray<u32> = new StaticArray<u32>(0);
  offsets: StaticArray<f64> = new StaticArray<f64>(0);
  lazyE: i32 = -1;
  lazyI: i32 = -1;
  // Variables flagged "unless refractory" (bit k: variable k), held during the refractory period.
  heldMask: u32 = 0;
  held: StaticArray<f32> = new StaticArray<f32>(64);
  heldVars: StaticArray<i32> = new StaticArray<i32>(0);
  heldArrays: StaticArray<f32>[] = [];
  // A held variable that the reset sets to a constant is held at it (one
  // pass, as lif clamps v); the others are saved before the update and put back.
  clampTo: StaticArray<f32> = new StaticArray<f32>(0);
  // Receptors beyond exc and inh (2, 3, ...): the variables they add to, without lazy decay.
  extraReceptors: StaticArray<f32>[] = [];

  // Located spike times (see locate()): the generated deriv, thresh and vreset
  // over f64 values, which variables are differential, the variable watched
  // for fast change, and scratch state.
  located: bool = false;
  derivFn: i32 = -1; threshFn: i32 = -1; vresetFn: i32 = -1;
  diffMask: u32 = 0;
  watch: i32 = 0;
  prev: StaticArray<f32>[] = [];
  x: StaticArray<f64> = new StaticArray<f64>(0);
  x0: StaticArray<f64> = new StaticArray<f64>(0);
  xs: StaticArray<f64> = new StaticArray<f64>(0);
  k1: StaticArray<f64> = new StaticArray<f64>(0);
  k2: StaticArray<f64> = new StaticArray<f64>(0);
  k3: StaticArray<f64> = new StaticArray<f64>(0);
  k4: StaticArray<f64> = new StaticArray<f64>(0);
  saved: bool = false;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
    this.tauE = Infinity; this.tauI = Infinity;
  }

  // The state, the generated functions (table indices), the refractory period
  // and the variables that receptors 0 (exc) and 1 (inh) add to (-1: none).
  // keysPtr: nVars u32 keys of the variables' initial-value draws (initKey of
  // their names); offsetsPtr: nVars f64 offsets (stored = value - offset);
  // tauE, tauI: the decay times of lazily stored receptor variables (Infinity: not lazy).
  // heldMask: bit k set when variable k is held during the refractory period (k < 32).
  // clampPtr: nVars f64, the stored value a held variable is reset to (NaN: not a constant).
  // extraPtr: nExtra u32, the variables of receptors 2, 3, ...
  define(nVars: i32, keysPtr: usize, offsetsPtr: usize, updateFn: i32, resetFn: i32, refMs: f64, exc: i32, inh: i32, tauE: f64, tauI: f64, heldMask: u32, clampPtr: usize, extraPtr: usize, nExtra: i32): i32 {
    if (nVars < 1 || exc >= nVars || inh >= nVars) return STATUS_BAD_ARGUMENT;
    this.heldMask = heldMask;
    if ((tauE != Infinity && exc < 0) || (tauI != Infinity && inh < 0) || !(tauE > 0) || !(tauI > 0)) return STATUS_BAD_ARGUMENT;
    this.keys = new StaticArray<u32>(nVars);
    this.offsets = new StaticArray<f64>(nVars);
    for (let k = 0; k < nVars; k++) {
      this.keys[k] = load<u32>(keysPtr + (<usize>k << 2));
      this.offsets[k] = load<f64>(offsetsPtr + (<usize>k << 3));
    }
    this.tauE = tauE; this.tauI = tauI;
    for (let k = 0; k < nExtra; k++) if (load<u32>(extraPtr + (<usize>k << 2)) >= <u32>nVars) return STATUS_BAD_ARGUMENT;
    this.lazyE = tauE != Infinity ? exc : -1;
    this.lazyI = tauI != Infinity ? inh : -1;
    const np = padded(this.size);
    this.vars = [];
    this.ptrs = new StaticArray<u32>(nVars);
    for (let k = 0; k < nVars; k++) {
      const a = new StaticArray<f32>(np);
      this.vars.push(a);
      this.ptrs[k] = <u32>changetype<usize>(a);
    }
    this.updateFn = updateFn; this.resetFn = resetFn; this.refMs = refMs;
    let nHeld = 0;
    for (let k = 0; k < nVars && k < 32; k++) if (((heldMask >> <u32>k) & 1) != 0) nHeld++;
    this.heldVars = new StaticArray<i32>(nHeld);
    this.heldArrays = [];
    nHeld = 0;
    this.clampTo = new StaticArray<f32>(this.heldVars.length);
    this.saved = false;
    for (let k = 0; k < nVars && k < 32; k++) {
      if (((heldMask >> <u32>k) & 1) == 0) continue;
      const c = load<f64>(clampPtr + (<usize>k << 3));
      this.clampTo[nHeld] = <f32>c;
      if (isNaN(c)) this.saved = true;
      this.heldVars[nHeld++] = k;
      this.heldArrays.push(this.vars[k]);
    }
    this.extraReceptors = [];
    for (let k = 0; k < nExtra; k++) this.extraReceptors.push(this.vars[load<u32>(extraPtr + (<usize>k << 2))]);
    if (exc >= 0) this.ge = this.vars[exc];
    if (inh >= 0) this.gi = this.vars[inh];
    return STATUS_OK;
  }

  tRef(): f64 { return this.refMs; }

  exactSpikeTimes(): bool { return this.located; }

  // Located spike times: deriv, thresh, vreset (table indices), the
  // differential variables (bit k), the variable whose fast change asks for refinement.
  locate(derivFn: i32, threshFn: i32, vresetFn: i32, diffMask: u32, watch: i32): i32 {
    const nv = this.vars.length;
    if (watch < 0 || watch >= nv) return STATUS_BAD_ARGUMENT;
    this.located = true;
    this.derivFn = derivFn; this.threshFn = threshFn; this.vresetFn = vresetFn;
    this.diffMask = diffMask; this.watch = watch;
    this.prev = [];
    for (let k = 0; k < nv; k++) this.prev.push(new StaticArray<f32>(this.vars[k].length));
    this.x = new StaticArray<f64>(nv); this.x0 = new StaticArray<f64>(nv); this.xs = new StaticArray<f64>(nv);
    this.k1 = new StaticArray<f64>(nv); this.k2 = new StaticArray<f64>(nv); this.k3 = new StaticArray<f64>(nv); this.k4 = new StaticArray<f64>(nv);
    return STATUS_OK;
  }

  receptorArray(r: i32): StaticArray<f32> { return r < 2 ? super.receptorArray(r) : this.extraReceptors[r - 2]; }
  receptorGain(r: i32): f64 { return r < 2 ? super.receptorGain(r) : 1.0; }
  receptorCount(): i32 { return 2 + this.extraReceptors.length; }

  variableCount(): i32 { return this.vars.length + 1; }

  // Initial-value draws keyed by the variable's name, as every model's are.
  initStream(k: i32): u32 { return k < this.keys.length ? this.keys[k] : initKey("count"); }

  configure(dt: f64): i32 {
    this.configureClock(dt);
    return STATUS_OK;
  }

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 {
    this.lazyDecayFactors(m, dt);
    const held = this.heldMask != 0 && this.refSteps > 0;
    if (held && this.saved) this.holdRefractory(m, false);
    const cand = this.candidateBuffer();
    if (this.located) for (let k = 0; k < this.vars.length; k++) memory.copy(changetype<usize>(this.prev[k]), changetype<usize>(this.vars[k]), <usize>this.vars[k].length << 2);
    const count = call_indirect<i32>(<u32>this.updateFn, <u32>changetype<usize>(this.ptrs), padded(this.size), <u32>ptr(this.lastSpike), m, this.refSteps, <u32>cand, tStart, this.decayE, this.decayI, this.iStep);
    if (this.located) {
      this.refineStep(count, cand, m, slot, tStart, dt);
      if (held) this.holdRefractory(m, true);
      return 0;
    }
    for (let k = 0; k < count; k++) {
      const c = load<u32>(cand + (<usize>k << 2));
      const i = <i32>(c >> 4);
      let mask = <i32>(c & 15);
      // The generated update only reports lanes that are real and not refractory.
      for (let lane = 0; lane < 4; lane++) {
        if (((mask >> lane) & 1) == 0) continue;
        const j = i + lane;
        if (j >= this.size || m - unchecked(this.lastSpike[j]) <= this.refSteps) { mask &= ~(1 << lane); continue; }
        unchecked(this.lastSpike[j] = m);
        this.pushSpike(slot, j, dt);
      }
      if (mask != 0) call_indirect<void>(<u32>this.resetFn, <u32>changetype<usize>(this.ptrs), i, mask, this.decayE, this.decayI, this.iStep);
    }
    if (held) this.holdRefractory(m, true);
    return 0;
  }

  // Located spike times. The neurons whose threshold the vector step crossed,
  // or whose watched variable moved more than 1 unit (the upstroke of a spike,
  // where one step of the vector method is no longer accurate; the generated
  // update reports both as candidates), are
  // integrated again from the step's start in f64 with RK4 substeps halved
  // until the watched variable moves at most 0.2 units per substep; a
  // crossing is located by bisection to 1e-7 ms, the spike keeps that time,
  // the reset applies there and the integration goes on to the step's end.
  refineStep(count: i32, cand: usize, m: i32, slot: i32, tStart: f64, dt: f64): void {
    // The generated update reports the lanes that crossed or moved fast as candidates.
    for (let k = 0; k < count; k++) {
      const c = load<u32>(cand + (<usize>k << 2));
      const i = <i32>(c >> 4), mask = <i32>(c & 15);
      for (let lane = 0; lane < 4; lane++) {
        const j = i + lane;
        if (((mask >> lane) & 1) == 0 || j >= this.size) continue;
        if (m - unchecked(this.lastSpike[j]) <= this.refSteps) continue;  // refractory: the grid's rules hold it
        this.refineNeuron(j, m, slot, tStart, dt);
      }
    }
  }

  private valueOf(k: i32, stored: f32, m: i32, dt: f64): f64 {
    return <f64>stored * this.factorAt(k, m, dt) + this.offsets[k];
  }

  private factorAt(k: i32, m: i32, dt: f64): f64 {
    if (k == this.lazyE) return this.decayE;
    if (k == this.lazyI) return this.decayI;
    return 1;
  }

  private rk4(x: StaticArray<f64>, out: StaticArray<f64>, t: f64, h: f64): void {
    const nv = x.length, xs = this.xs;
    const xp = <u32>changetype<usize>(x), xsp = <u32>changetype<usize>(xs);
    call_indirect<void>(<u32>this.derivFn, xp, <u32>changetype<usize>(this.k1), t, this.iStep);
    for (let k = 0; k < nv; k++) unchecked(xs[k] = this.isDiff(k) ? unchecked(x[k]) + 0.5 * h * unchecked(this.k1[k]) : unchecked(x[k]));
    call_indirect<void>(<u32>this.derivFn, xsp, <u32>changetype<usize>(this.k2), t + 0.5 * h, this.iStep);
    for (let k = 0; k < nv; k++) unchecked(xs[k] = this.isDiff(k) ? unchecked(x[k]) + 0.5 * h * unchecked(this.k2[k]) : unchecked(x[k]));
    call_indirect<void>(<u32>this.derivFn, xsp, <u32>changetype<usize>(this.k3), t + 0.5 * h, this.iStep);
    for (let k = 0; k < nv; k++) unchecked(xs[k] = this.isDiff(k) ? unchecked(x[k]) + h * unchecked(this.k3[k]) : unchecked(x[k]));
    call_indirect<void>(<u32>this.derivFn, xsp, <u32>changetype<usize>(this.k4), t + h, this.iStep);
    for (let k = 0; k < nv; k++) {
      unchecked(out[k] = this.isDiff(k)
        ? unchecked(x[k]) + h / 6.0 * (unchecked(this.k1[k]) + 2.0 * unchecked(this.k2[k]) + 2.0 * unchecked(this.k3[k]) + unchecked(this.k4[k]))
        : unchecked(x[k]));
    }
  }

  // Over threshold, or blown up on the way (the watched variable no longer finite).
  private crossed(x: StaticArray<f64>, t: f64): bool {
    if (!isFinite(unchecked(x[this.watch]))) return true;
    return call_indirect<i32>(<u32>this.threshFn, <u32>changetype<usize>(x), t, this.iStep) != 0;
  }

  @inline private isDiff(k: i32): bool { return k < 32 && ((this.diffMask >> <u32>k) & 1) != 0; }

  private refineNeuron(j: i32, m: i32, slot: i32, tStart: f64, dt: f64): void {
    const nv = this.vars.length;
    const x = this.x, x0 = this.x0;
    for (let k = 0; k < nv; k++) unchecked(x[k] = this.valueOf(k, unchecked(this.prev[k][j]), m, dt));
    const w = this.watch;
    let s = 0.0, h = dt;
    const hMin = dt / 16777216.0;
    let guard = 0;
    while (s < dt - 1e-12 && guard++ < 100000) {
      if (h > dt - s) h = dt - s;
      for (let k = 0; k < nv; k++) unchecked(x0[k] = unchecked(x[k]));
      this.rk4(x0, x, tStart + s, h);
      const moved = Math.abs(unchecked(x[w]) - unchecked(x0[w]));
      if (!(moved <= 0.2) && h > hMin) {
        for (let k = 0; k < nv; k++) unchecked(x[k] = unchecked(x0[k]));
        h *= 0.5;
        continue;
      }
      if (this.crossed(x, tStart + s + h)) {
        // Bisection on the substep for the crossing (a state that blew up counts as past it).
        let lo = 0.0, hi = h;
        for (let it = 0; it < 60 && hi - lo > 1e-7; it++) {
          const mid = 0.5 * (lo + hi);
          this.rk4(x0, x, tStart + s, mid);
          if (this.crossed(x, tStart + s + mid)) hi = mid; else lo = mid;
        }
        // The state just before the crossing (finite even where the model blows up past it).
        this.rk4(x0, x, tStart + s, lo);
        s += hi;
        call_indirect<void>(<u32>this.vresetFn, <u32>changetype<usize>(x), tStart + s, this.iStep);
        unchecked(this.lastSpike[j] = m);
        this.pushSpike(slot, j, s > 0 ? s : 1e-9);
        h = dt;
        continue;
      }
      s += h;
      // Grow again after a quiet substep.
      if (moved < 0.05 && h < dt) h *= 2.0;
    }
    // Back to the stored numbers (lazy variables keep their own, implied decay).
    for (let k = 0; k < nv; k++) {
      if (k == this.lazyE || k == this.lazyI) continue;
      unchecked(this.vars[k][j] = <f32>((unchecked(x[k]) - this.offsets[k]) / this.factorAt(k, m, dt)));
    }
  }

  // The held variables of the neurons that spiked in the last refSteps steps:
  // saved before the update (restore false) and put back after it (true),
  // visiting the spike history in the same order both times.
  holdRefractory(m: i32, restore: bool): void {
    const last = min(this.refSteps, m);
    let q = 0;
    for (let h = 0; h < this.heldVars.length; h++) {
      const arr = changetype<usize>(unchecked(this.heldArrays[h]));
      const c = unchecked(this.clampTo[h]);
      const clamp = !isNaN(c);
      if (clamp && !restore) continue;
      for (let d = 1; d <= last; d++) {
        const slot = this.slotOf(m - d);
        const n = unchecked(this.histCount[slot]);
        const ids = changetype<usize>(unchecked(this.histIds[slot]));
        // Ids in the history are neurons of this population: j < size <= the arrays' length.
        for (let s = 0; s < n; s++) {
          const a = arr + (<usize>load<i32>(ids + (<usize>s << 2)) << 2);
          if (clamp) { store<f32>(a, c); continue; }
          if (restore) { store<f32>(a, unchecked(this.held[q])); q++; continue; }
          if (q == this.held.length) {
            const grown = new StaticArray<f32>(q * 2);
            memory.copy(changetype<usize>(grown), changetype<usize>(this.held), <usize>q << 2);
            this.held = grown;
          }
          unchecked(this.held[q] = load<f32>(a));
          q++;
        }
      }
    }
  }


  // The true value of a stored number: times the lazy decay, plus the offset.
  private factor(k: i32, step: i32, dt: f64): f64 {
    if (k == this.lazyE) return this.storedScale(this.tauE, step, dt);
    if (k == this.lazyI) return this.storedScale(this.tauI, step, dt);
    return 1;
  }

  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    if (k >= 0 && k < this.vars.length) return <f64>this.vars[k][j] * this.factor(k, step, dt) + this.offsets[k];
    if (k == this.vars.length) return <f64>this.counts[j];
    return NaN;
  }

  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 {
    if (k < 0 || k >= this.vars.length) return STATUS_BAD_VARIABLE;
    this.vars[k][j] = <f32>((x - this.offsets[k]) / this.factor(k, step, dt));
    return STATUS_OK;
  }

  variablePtr(k: i32): usize {
    if (k >= 0 && k < this.vars.length) return changetype<usize>(this.vars[k]);
    if (k == this.vars.length) return changetype<usize>(this.counts);
    return 0;
  }
  variableType(k: i32): i32 {
    if (k >= 0 && k < this.vars.length) return TYPE_F32;
    return k == this.vars.length ? TYPE_U32 : 0;
  }
  variableOffset(k: i32): f64 { return k >= 0 && k < this.offsets.length ? this.offsets[k] : 0; }

  saveState(): void {
    io.wF64(<f64>this.baseStep);
    io.wArr(this.lastSpike);
    for (let k = 0; k < this.vars.length; k++) io.wArr(this.vars[k]);
  }

  loadState(): void {
    this.baseStep = <i32>io.rF64();
    io.rArr(this.lastSpike);
    for (let k = 0; k < this.vars.length; k++) io.rArr(this.vars[k]);
  }
}
