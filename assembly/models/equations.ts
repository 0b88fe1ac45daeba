// equations: a neuron model written as equations in the model JSON. The host
// compiles the equations to a small WebAssembly module that shares this
// kernel's memory (src/equations/wasm.ts) and puts its two functions in the
// kernel's function table; this population holds the state (one f32 array
// per variable, padded to whole vectors), calls the generated update each
// step and the generated reset for the vectors with lanes over threshold.
// Synaptic input reaches the variables named by the model's receptors
// ("exc", "inh") as it reaches ge and gi of the built-in models, without
// lazy decay: the generated update integrates them.

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

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
    this.tauE = Infinity; this.tauI = Infinity; this.tauTheta = Infinity;
  }

  // The state, the generated functions (table indices), the refractory period
  // and the variables that receptors 0 (exc) and 1 (inh) add to (-1: none).
  // keysPtr: nVars u32 keys of the variables' initial-value draws (initKey of their names).
  define(nVars: i32, keysPtr: usize, updateFn: i32, resetFn: i32, refMs: f64, exc: i32, inh: i32): i32 {
    if (nVars < 1 || exc >= nVars || inh >= nVars) return STATUS_BAD_ARGUMENT;
    this.keys = new StaticArray<u32>(nVars);
    for (let k = 0; k < nVars; k++) this.keys[k] = load<u32>(keysPtr + (<usize>k << 2));
    const np = padded(this.size);
    this.vars = [];
    this.ptrs = new StaticArray<u32>(nVars);
    for (let k = 0; k < nVars; k++) {
      const a = new StaticArray<f32>(np);
      this.vars.push(a);
      this.ptrs[k] = <u32>changetype<usize>(a);
    }
    this.updateFn = updateFn; this.resetFn = resetFn; this.refMs = refMs;
    if (exc >= 0) this.ge = this.vars[exc];
    if (inh >= 0) this.gi = this.vars[inh];
    return STATUS_OK;
  }

  tRef(): f64 { return this.refMs; }

  variableCount(): i32 { return this.vars.length + 1; }

  // Initial-value draws keyed by the variable's name, as every model's are.
  initStream(k: i32): u32 { return k < this.keys.length ? this.keys[k] : initKey("count"); }

  configure(dt: f64): i32 {
    this.configureClock(dt);
    return STATUS_OK;
  }

  // No lazy decay: inputs are added as they are.
  prepare(dt: f64): void { this.baseStep = 0; this.decayE = 1; this.decayI = 1; this.gainE = 1; this.gainI = 1; }
  lazyDecayFactors(m: i32, dt: f64): void {}
  renormalize(m: i32, dt: f64): void {}

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 {
    const cand = this.candidateBuffer();
    const count = call_indirect<i32>(<u32>this.updateFn, <u32>changetype<usize>(this.ptrs), padded(this.size), <u32>ptr(this.lastSpike), m, this.refSteps, <u32>cand, tStart);
    for (let k = 0; k < count; k++) {
      const c = load<u32>(cand + (<usize>k << 2));
      const i = <i32>(c >> 4);
      let mask = <i32>(c & 15);
      // The generated update only reports lanes that are real and not refractory.
      for (let lane = 0; lane < 4; lane++) {
        if (((mask >> lane) & 1) == 0) continue;
        const j = i + lane;
        if (j >= this.size) { mask &= ~(1 << lane); continue; }
        unchecked(this.lastSpike[j] = m);
        this.pushSpike(slot, j, dt);
      }
      if (mask != 0) call_indirect<void>(<u32>this.resetFn, <u32>changetype<usize>(this.ptrs), i, mask);
    }
    return 0;
  }

  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    if (k >= 0 && k < this.vars.length) return <f64>this.vars[k][j];
    if (k == this.vars.length) return <f64>this.counts[j];
    return NaN;
  }

  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 {
    if (k < 0 || k >= this.vars.length) return STATUS_BAD_VARIABLE;
    this.vars[k][j] = <f32>x;
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
  variableOffset(k: i32): f64 { return 0; }

  saveState(): void {
    io.wArr(this.lastSpike);
    for (let k = 0; k < this.vars.length; k++) io.wArr(this.vars[k]);
  }

  loadState(): void {
    io.rArr(this.lastSpike);
    for (let k = 0; k < this.vars.length; k++) io.rArr(this.vars[k]);
  }
}
