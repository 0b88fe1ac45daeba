// izhikevich: Izhikevich (2003), forward Euler:
//   dv/dt = 0.04 v^2 + 5 v + 140 - u + I,  du/dt = a (b v - u),
//   v >= v_peak: v <- c, u <- u + d;  I = i_e + i_step + ge + gi,
// with exponentially decaying synaptic currents ge, gi. No refractory period.
// u starts at b v unless the model gives it.

import { Population, ModelInfo, TYPE_F32, padded } from "../population";
import { ClockPopulation, ptr } from "./clock";
import { STATUS_OK } from "../status";
import * as io from "../checkpoint-io";

export const IZHIKEVICH = new ModelInfo(
  "izhikevich",
  "a b c d v_peak tau_syn_e tau_syn_i",
  "v u ge gi i_e",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new Izhikevich(index, size, first, info),
);

export class Izhikevich extends ClockPopulation {
  a: f64 = 0.02; b: f64 = 0.2; c: f64 = -65; d: f64 = 8; vPeak: f64 = 30;
  u: StaticArray<f32>;
  varU: i32;
  uGiven: bool = false;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
    this.u = new StaticArray<f32>(padded(size));
    this.varU = info.variableIndex("u");
  }

  configure(dt: f64): i32 {
    this.a = this.param("a"); this.b = this.param("b"); this.c = this.param("c"); this.d = this.param("d");
    this.vPeak = this.param("v_peak");
    this.tauE = this.param("tau_syn_e"); this.tauI = this.param("tau_syn_i");
    this.resetV = <f32>this.c;
    this.configureClock(dt);
    return STATUS_OK;
  }

  prepare(dt: f64): void {
    super.prepare(dt);
    if (!this.uGiven) for (let j = 0; j < this.size; j++) this.u[j] = <f32>(this.b * <f64>this.v[j]);
  }

  onSpike(j: i32): void { unchecked(this.u[j] += <f32>this.d); }

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 { return this.updateByRanges(m, slot, dt); }

  rangeUpdate(): bool { return true; }

  updateRange(m: i32, lo: i32, hi: i32, cand: usize, dt: f64): i32 {
    const o = <usize>lo << 2;
    return izhLoop(ptr(this.v) + o, ptr(this.u) + o, ptr(this.ge) + o, ptr(this.gi) + o, ptr(this.ie) + o, hi - lo, cand,
      f32x4.splat(<f32>dt), f32x4.splat(<f32>(dt * this.a)), f32x4.splat(<f32>this.b),
      f32x4.splat(<f32>(140.0 + this.iStep)), f32x4.splat(<f32>this.decayE), f32x4.splat(<f32>this.decayI),
      f32x4.splat(<f32>this.vPeak));
  }

  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    return k == this.varU ? <f64>this.u[j] : super.readVariable(k, j, step, dt);
  }
  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 {
    if (k != this.varU) return super.writeVariable(k, j, x, step, dt, prepared);
    this.u[j] = <f32>x;
    this.uGiven = true;
    return STATUS_OK;
  }
  variablePtr(k: i32): usize { return k == this.varU ? changetype<usize>(this.u) : super.variablePtr(k); }
  variableType(k: i32): i32 { return k == this.varU ? TYPE_F32 : super.variableType(k); }

  saveExtra(): void { io.wArr(this.u); }
  loadExtra(): void { io.rArr(this.u); }
}

// Four vectors a step, then one: see lif.ts (V8 does not unroll a loop
// over a shared memory itself). The arrays are at fixed distances from v.
@inline function izhVec(
  p: usize, vP: usize, oU: usize, oGe: usize, oGi: usize, oIe: usize, cand: usize, count: i32,
  h: v128, ha: v128, bb: v128, c140: v128, de: v128, di: v128, th: v128, c004: v128, c5: v128,
): i32 {
  const v = v128.load(p), u = v128.load(p + oU);
  const cur = f32x4.add(v128.load(p + oIe),
    f32x4.add(f32x4.mul(de, v128.load(p + oGe)), f32x4.mul(di, v128.load(p + oGi))));
  const dv = f32x4.add(
    f32x4.add(f32x4.mul(f32x4.mul(c004, v), v), f32x4.mul(c5, v)),
    f32x4.sub(f32x4.add(c140, cur), u));
  const du = f32x4.mul(ha, f32x4.sub(f32x4.mul(bb, v), u));
  const vn = f32x4.add(v, f32x4.mul(h, dv));
  v128.store(p, vn);
  v128.store(p + oU, f32x4.add(u, du));
  const mask = i32x4.bitmask(f32x4.ge(vn, th));
  if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>(p - vP) << 2) | <u32>mask); count++; }
  return count;
}

@noinline function izhLoop(
  vP: usize, uP: usize, geP: usize, giP: usize, ieP: usize, n: i32, cand: usize,
  h: v128, ha: v128, bb: v128, c140: v128, de: v128, di: v128, th: v128,
): i32 {
  const c004 = f32x4.splat(<f32>0.04), c5 = f32x4.splat(<f32>5.0);
  let count = 0;
  const oU = uP - vP, oGe = geP - vP, oGi = giP - vP, oIe = ieP - vP;
  const end = vP + (<usize>n << 2), end4 = vP + (<usize>(n >> 4) << 6);
  let p = vP;
  for (; p < end4; p += 64) {
    count = izhVec(p, vP, oU, oGe, oGi, oIe, cand, count, h, ha, bb, c140, de, di, th, c004, c5);
    count = izhVec(p + 16, vP, oU, oGe, oGi, oIe, cand, count, h, ha, bb, c140, de, di, th, c004, c5);
    count = izhVec(p + 32, vP, oU, oGe, oGi, oIe, cand, count, h, ha, bb, c140, de, di, th, c004, c5);
    count = izhVec(p + 48, vP, oU, oGe, oGi, oIe, cand, count, h, ha, bb, c140, de, di, th, c004, c5);
  }
  for (; p < end; p += 16) count = izhVec(p, vP, oU, oGe, oGi, oIe, cand, count, h, ha, bb, c140, de, di, th, c004, c5);
  return count;
}
