// adex: the adaptive exponential integrate-and-fire neuron (Brette & Gerstner
// 2005) with exponentially decaying conductances, as NEST's aeif_cond_exp:
//   C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T)
//             - ge (V - E_ex) - gi (V - E_in) - w + I,
//   tau_w dw/dt = a (V - E_L) - w,
// V >= V_peak: V <- V_reset, w <- w + b, then V is held at V_reset for t_ref
// (w goes on). As NEST, every term sees min(V, V_peak), which keeps the
// exponential finite; with Delta_T = 0 the exponential term vanishes and
// the threshold is V_T.
//
// Integration: RK4 over the step (in substeps of at most 0.1 ms), four
// neurons at a time in f32, with the conductances' exact decay inside the
// step. A neuron whose potential is in the upstroke (above V_T + 4 Delta_T,
// where the exponential takes over) or that reaches the threshold in the
// step is integrated again by the scalar path in f64 with steps halved
// until each moves V by at most 0.2 mV, and a crossing is located to 1e-6
// ms: the reset happens at the crossing and the rest of the step is
// integrated from it. The spike keeps its time within the step, and the
// refractory period runs t_ref from it in continuous time (NEST counts it in
// whole steps from the end of the spike's step, which lengthens every
// period by up to dt).

import { Population, ModelInfo, TYPE_F32, padded } from "../population";
import { ClockPopulation, ptr } from "./clock";
import { exp4 } from "../simd-math";
import { STATUS_OK } from "../status";
import * as io from "../checkpoint-io";

export const ADEX = new ModelInfo(
  "adex",
  "c_m g_l e_l v_t delta_t a tau_w b v_reset v_peak t_ref e_ex e_in tau_syn_e tau_syn_i",
  "v w ge gi i_e",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new Adex(index, size, first, info),
);

// Largest vector substep (ms); the upstroke goes to the scalar path anyway.
const MAX_SUBSTEP: f64 = 0.1;
// The scalar path: the largest change of V per step (mV), and how closely a crossing is located (ms).
const MAX_DV: f64 = 0.2;
const CROSSING_TOL: f64 = 1e-6;

export class Adex extends ClockPopulation {
  cM: f64 = 281; gL: f64 = 30; eL: f64 = -70.6; vT: f64 = -50.4; deltaT: f64 = 2;
  a: f64 = 4; tauW: f64 = 144; b: f64 = 80.5; vReset: f64 = -60; vPeak: f64 = 0; tRefMs: f64 = 0;
  eEx: f64 = 0; eIn: f64 = -85;
  // Derived, relative to E_L (the stored u = V - E_L).
  uT: f64 = 0; uPeak: f64 = 0; uSpike: f64 = 0; uHard: f64 = 0; uReset: f64 = 0;
  invDT: f64 = 0; gExp: f64 = 0;
  substeps: i32 = 1;
  w: StaticArray<f32>;
  // The end of each neuron's refractory period (ms), and the step it falls in.
  refEnd: StaticArray<f64>;
  refStep: StaticArray<i32>;
  varW: i32;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
    const np = padded(size);
    this.w = new StaticArray<f32>(np);
    this.refEnd = new StaticArray<f64>(np);
    this.refStep = new StaticArray<i32>(np);
    this.varW = info.variableIndex("w");
    for (let j = 0; j < np; j++) { this.refEnd[j] = -Infinity; this.refStep[j] = -1; }
    // Padding lanes sit permanently refractory and never spike.
    for (let j = size; j < np; j++) this.refStep[j] = i32.MAX_VALUE;
  }

  tRef(): f64 { return this.tRefMs; }
  exactSpikeTimes(): bool { return true; }

  configure(dt: f64): i32 {
    this.cM = this.param("c_m"); this.gL = this.param("g_l"); this.eL = this.param("e_l");
    this.vT = this.param("v_t"); this.deltaT = this.param("delta_t");
    this.a = this.param("a"); this.tauW = this.param("tau_w"); this.b = this.param("b");
    this.vReset = this.param("v_reset"); this.vPeak = this.param("v_peak"); this.tRefMs = this.param("t_ref");
    this.eEx = this.param("e_ex"); this.eIn = this.param("e_in");
    this.tauE = this.param("tau_syn_e"); this.tauI = this.param("tau_syn_i");
    this.vOffset = this.eL;
    this.uT = this.vT - this.eL;
    this.uPeak = this.vPeak - this.eL;
    this.uReset = this.vReset - this.eL;
    this.resetV = <f32>this.uReset;
    const expo = this.deltaT > 0;
    this.invDT = expo ? 1.0 / this.deltaT : 0;
    this.gExp = expo ? this.gL * this.deltaT : 0;
    this.uSpike = expo ? this.uPeak : this.uT;
    this.uHard = expo ? Math.min(this.uT + 4.0 * this.deltaT, this.uPeak) : this.uT;
    this.substeps = max(1, <i32>Math.ceil(dt / MAX_SUBSTEP - 1e-9));
    this.configureClock(dt);
    return STATUS_OK;
  }

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 {
    this.lazyDecayFactors(m, dt);
    const h = dt / <f64>this.substeps;
    const count = adexLoop(ptr(this.v), ptr(this.w), ptr(this.ge), ptr(this.gi), ptr(this.ie), ptr(this.refStep),
      this.size, this.candidateBuffer(), this.substeps,
      <f32>h, <f32>(1.0 / this.cM), <f32>this.gL, <f32>this.gExp, <f32>this.invDT, <f32>this.uT, <f32>this.uPeak,
      <f32>(this.eEx - this.eL), <f32>(this.eIn - this.eL), <f32>this.iStep, <f32>(this.a), <f32>(1.0 / this.tauW),
      <f32>this.decayE, <f32>this.decayI, <f32>Math.exp(-0.5 * h / this.tauE), <f32>Math.exp(-0.5 * h / this.tauI),
      <f32>this.uReset, <f32>this.uHard, <f32>this.uSpike, m);
    for (let k = 0; k < count; k++) {
      const c = this.candidateAt(k);
      const i = <i32>(c >> 4), mask = <i32>(c & 15);
      for (let lane = 0; lane < 4; lane++) {
        const j = i + lane;
        if (((mask >> lane) & 1) != 0 && j < this.size) this.upstroke(j, m, slot, tStart, dt);
      }
    }
    return 0;
  }

  // ------------------------------------------------------------ the scalar path

  // Right-hand side at u, w (refractory: V held at V_reset) with conductances e, g and current cur.
  @inline du(u: f64, w: f64, e: f64, g: f64, cur: f64, refr: bool): f64 {
    if (refr) return 0;
    const ue = Math.min(u, this.uPeak);
    return (-this.gL * ue + this.gExp * Math.exp((ue - this.uT) * this.invDT)
      + e * (this.eEx - this.eL - ue) + g * (this.eIn - this.eL - ue) - w + cur) / this.cM;
  }
  @inline dw(u: f64, w: f64, refr: bool): f64 {
    const ue = refr ? this.uReset : Math.min(u, this.uPeak);
    return (this.a * ue - w) / this.tauW;
  }

  // One RK4 step of length h from time t (in the step) into sU, sW.
  rk4(u: f64, w: f64, t: f64, h: f64, e0: f64, g0: f64, cur: f64, refr: bool): void {
    const eA = e0 * Math.exp(-t / this.tauE), gA = g0 * Math.exp(-t / this.tauI);
    const eB = e0 * Math.exp(-(t + 0.5 * h) / this.tauE), gB = g0 * Math.exp(-(t + 0.5 * h) / this.tauI);
    const eC = e0 * Math.exp(-(t + h) / this.tauE), gC = g0 * Math.exp(-(t + h) / this.tauI);
    const u1 = this.du(u, w, eA, gA, cur, refr), w1 = this.dw(u, w, refr);
    const u2 = this.du(u + 0.5 * h * u1, w + 0.5 * h * w1, eB, gB, cur, refr), w2 = this.dw(u + 0.5 * h * u1, w + 0.5 * h * w1, refr);
    const u3 = this.du(u + 0.5 * h * u2, w + 0.5 * h * w2, eB, gB, cur, refr), w3 = this.dw(u + 0.5 * h * u2, w + 0.5 * h * w2, refr);
    const u4 = this.du(u + h * u3, w + h * w3, eC, gC, cur, refr), w4 = this.dw(u + h * u3, w + h * w3, refr);
    sU = u + h / 6.0 * (u1 + 2.0 * u2 + 2.0 * u3 + u4);
    sW = w + h / 6.0 * (w1 + 2.0 * w2 + 2.0 * w3 + w4);
  }

  // Integrates (sU, sW) from t to tEnd (ms into the step) without refractoriness,
  // halving the step where V moves by more than MAX_DV; returns the time of
  // the first threshold crossing (located to CROSSING_TOL, state at it), or -1.
  free(t: f64, tEnd: f64, e0: f64, g0: f64, cur: f64): f64 {
    let h = tEnd - t;
    while (t < tEnd) {
      h = Math.min(h, tEnd - t);
      const u = sU, w = sW;
      this.rk4(u, w, t, h, e0, g0, cur, false);
      const cross = !(sU < this.uSpike);
      if (h > CROSSING_TOL && (cross || Math.abs(sU - u) > MAX_DV)) {
        sU = u; sW = w;
        h *= 0.5;
        continue;
      }
      t += h;
      if (cross) return t;
      h *= 2.0;
    }
    return -1;
  }

  // Neuron j in the upstroke, at threshold or leaving its refractory period
  // in this step: the step again, accurately.
  upstroke(j: i32, m: i32, slot: i32, tStart: f64, dt: f64): void {
    sU = <f64>unchecked(this.v[j]);
    sW = <f64>unchecked(this.w[j]);
    const e0 = <f64>unchecked(this.ge[j]) * this.decayE, g0 = <f64>unchecked(this.gi[j]) * this.decayI;
    const cur = <f64>unchecked(this.ie[j]) + this.iStep;
    let t: f64 = 0;
    while (t < dt) {
      const until = unchecked(this.refEnd[j]) - tStart;
      if (until > t) {
        // Refractory: V held at V_reset while w relaxes.
        const end = Math.min(until, dt);
        const n = max(1, <i32>Math.ceil((end - t) / MAX_SUBSTEP));
        const h = (end - t) / <f64>n;
        for (let k = 0; k < n; k++) this.rk4(this.uReset, sW, t + <f64>k * h, h, e0, g0, cur, true);
        sU = this.uReset;
        t = end;
        continue;
      }
      const tc = this.free(t, dt, e0, g0, cur);
      if (tc < 0) break;
      this.pushSpike(slot, j, tc);
      sU = this.uReset;
      sW += this.b;
      const endT = tStart + tc + this.tRefMs;
      unchecked(this.refEnd[j] = endT);
      // The step the period ends in (steps are (t_k, t_k + dt]).
      unchecked(this.refStep[j] = this.tRefMs > 0 ? <i32>Math.ceil(endT / dt - 1e-9) - 1 : -1);
      t = tc;
    }
    unchecked(this.v[j] = <f32>sU);
    unchecked(this.w[j] = <f32>sW);
  }

  @inline candidateAt(k: i32): u32 { return load<u32>(this.candidateBuffer() + (<usize>k << 2)); }

  // ------------------------------------------------------------ state

  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    return k == this.varW ? <f64>this.w[j] : super.readVariable(k, j, step, dt);
  }
  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 {
    if (k != this.varW) return super.writeVariable(k, j, x, step, dt, prepared);
    this.w[j] = <f32>x;
    return STATUS_OK;
  }
  variablePtr(k: i32): usize { return k == this.varW ? changetype<usize>(this.w) : super.variablePtr(k); }
  variableType(k: i32): i32 { return k == this.varW ? TYPE_F32 : super.variableType(k); }

  saveExtra(): void { io.wArr(this.w); io.wArr(this.refEnd); io.wArr(this.refStep); }
  loadExtra(): void { io.rArr(this.w); io.rArr(this.refEnd); io.rArr(this.refStep); }
}

// The scalar path's state.
let sU: f64 = 0;
let sW: f64 = 0;

// The vector path: RK4 of (u, w) over the step in `substeps` substeps;
// lanes in the upstroke, at threshold, or whose refractory period ends in
// this step (refStep == m) keep their old state and go to the candidate
// buffer for the scalar path. Lanes refractory for the whole step
// (refStep > m) hold u at u_reset while w relaxes. Arrays are padded to
// whole vectors, so i + 3 < padded(n) for every i < n.
@noinline function adexLoop(
  vP: usize, wP: usize, geP: usize, giP: usize, ieP: usize, refP: usize, n: i32, cand: usize, substeps: i32,
  h: f32, invC: f32, gl: f32, gexp: f32, invDT: f32, uT: f32, uPeak: f32, eex: f32, ein: f32, istep: f32,
  a: f32, invTauW: f32, de: f32, di: f32, fe: f32, fi: f32, uReset: f32, uHard: f32, uSpike: f32, m: i32,
): i32 {
  let count = 0;
  const half = f32x4.splat(<f32>0.5 * h), full = f32x4.splat(h), sixth = f32x4.splat(h / <f32>6.0), two = f32x4.splat(2.0);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const u0 = v128.load(vP + o), w0 = v128.load(wP + o);
    const refStep = v128.load(refP + o);
    const refr = i32x4.gt_s(refStep, i32x4.splat(m));
    const leaving = i32x4.eq(refStep, i32x4.splat(m));
    const cur = f32x4.add(v128.load(ieP + o), f32x4.splat(istep));
    let e = f32x4.mul(f32x4.splat(de), v128.load(geP + o)), g = f32x4.mul(f32x4.splat(di), v128.load(giP + o));
    let u = u0, w = w0;
    for (let s = 0; s < substeps; s++) {
      // Conductances at the start, middle and end of the substep (exact decay).
      const eM = f32x4.mul(e, f32x4.splat(fe)), gM = f32x4.mul(g, f32x4.splat(fi));
      const eE = f32x4.mul(eM, f32x4.splat(fe)), gE = f32x4.mul(gM, f32x4.splat(fi));
      const u1 = du4(u, w, e, g, cur, refr, invC, gl, gexp, invDT, uT, uPeak, eex, ein, uReset);
      const w1 = dw4(u, w, refr, a, invTauW, uPeak, uReset);
      const uA = f32x4.add(u, f32x4.mul(half, u1)), wA = f32x4.add(w, f32x4.mul(half, w1));
      const u2 = du4(uA, wA, eM, gM, cur, refr, invC, gl, gexp, invDT, uT, uPeak, eex, ein, uReset);
      const w2 = dw4(uA, wA, refr, a, invTauW, uPeak, uReset);
      const uB = f32x4.add(u, f32x4.mul(half, u2)), wB = f32x4.add(w, f32x4.mul(half, w2));
      const u3 = du4(uB, wB, eM, gM, cur, refr, invC, gl, gexp, invDT, uT, uPeak, eex, ein, uReset);
      const w3 = dw4(uB, wB, refr, a, invTauW, uPeak, uReset);
      const uC = f32x4.add(u, f32x4.mul(full, u3)), wC = f32x4.add(w, f32x4.mul(full, w3));
      const u4 = du4(uC, wC, eE, gE, cur, refr, invC, gl, gexp, invDT, uT, uPeak, eex, ein, uReset);
      const w4 = dw4(uC, wC, refr, a, invTauW, uPeak, uReset);
      u = f32x4.add(u, f32x4.mul(sixth, f32x4.add(f32x4.add(u1, u4), f32x4.mul(two, f32x4.add(u2, u3)))));
      w = f32x4.add(w, f32x4.mul(sixth, f32x4.add(f32x4.add(w1, w4), f32x4.mul(two, f32x4.add(w2, w3)))));
      e = eE; g = gE;
    }
    // The upstroke, a crossing, a non-finite value or the end of a refractory
    // period: the scalar path redoes the step.
    const hard = v128.or(leaving, v128.andnot(
      v128.or(v128.or(f32x4.ge(u, f32x4.splat(uHard)), f32x4.ge(u0, f32x4.splat(uHard))), v128.not(f32x4.lt(u, f32x4.splat(uSpike)))),
      refr));
    v128.store(vP + o, v128.bitselect(u0, v128.bitselect(f32x4.splat(uReset), u, refr), hard));
    v128.store(wP + o, v128.bitselect(w0, w, hard));
    const mask = i32x4.bitmask(hard);
    if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>i << 4) | <u32>mask); count++; }
  }
  return count;
}

@inline function du4(
  u: v128, w: v128, e: v128, g: v128, cur: v128, refr: v128,
  invC: f32, gl: f32, gexp: f32, invDT: f32, uT: f32, uPeak: f32, eex: f32, ein: f32, uReset: f32,
): v128 {
  const ue = f32x4.pmin(u, f32x4.splat(uPeak));
  const spike = f32x4.mul(f32x4.splat(gexp), exp4(f32x4.mul(f32x4.sub(ue, f32x4.splat(uT)), f32x4.splat(invDT))));
  const syn = f32x4.add(f32x4.mul(e, f32x4.sub(f32x4.splat(eex), ue)), f32x4.mul(g, f32x4.sub(f32x4.splat(ein), ue)));
  const d = f32x4.mul(f32x4.splat(invC), f32x4.add(f32x4.sub(f32x4.add(spike, syn), f32x4.add(f32x4.mul(f32x4.splat(gl), ue), w)), cur));
  return v128.andnot(d, refr);
}

@inline function dw4(u: v128, w: v128, refr: v128, a: f32, invTauW: f32, uPeak: f32, uReset: f32): v128 {
  const ue = v128.bitselect(f32x4.splat(uReset), f32x4.pmin(u, f32x4.splat(uPeak)), refr);
  return f32x4.mul(f32x4.splat(invTauW), f32x4.sub(f32x4.mul(f32x4.splat(a), ue), w));
}
