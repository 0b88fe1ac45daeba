// lif: current-based leaky integrate-and-fire with exponential synaptic
// currents (the CUBA benchmark; NEST iaf_psc_exp), integrated exactly:
//   tau_m dv/dt = v_rest - v + ge + gi + R (i_e + i_step),
//   tau_e oGe/dt = -ge,  tau_i oGi/dt = -gi   (ge, gi in mV).
// v(t+dt) = v_inf + (v - v_inf) em + ce ge + ci gi, v_inf = v_rest + R I.
// Written relative to v_inf, the f32 update has v_inf as its exact fixed
// point; em v + (1 - em) v_inf would shift it by the rounding of em / (1 - em).
// The vector loop reads v, ge, gi (and i_e when some neuron has one) and
// writes only v; the rare threshold candidate is checked against its last
// spike in the scalar path, and the neurons that spiked within t_ref are put
// back to v_reset afterwards.

import { Population, ModelInfo } from "../population";
import { ClockPopulation, ptr, flushTiny } from "./clock";
import { STATUS_OK } from "../status";

export const LIF = new ModelInfo(
  "lif",
  "tau_m c_m v_rest v_reset v_thresh t_ref tau_syn_e tau_syn_i theta_plus tau_theta",
  "v ge gi i_e theta",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new Lif(index, size, first, info),
);

export class Lif extends ClockPopulation {
  tauM: f64 = 10; cM: f64 = 250; vRest: f64 = -70; vReset: f64 = -70; vThresh: f64 = -55; tRefMs: f64 = 0;
  // Propagators.
  em: f64 = 0; ce: f64 = 0; ci: f64 = 0; rM: f64 = 0;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
  }

  tRef(): f64 { return this.tRefMs; }

  configure(dt: f64): i32 {
    this.tauM = this.param("tau_m"); this.cM = this.param("c_m");
    this.vRest = this.param("v_rest"); this.vReset = this.param("v_reset"); this.vThresh = this.param("v_thresh");
    this.tRefMs = this.param("t_ref");
    this.tauE = this.param("tau_syn_e"); this.tauI = this.param("tau_syn_i");
    this.configureTheta();
    this.vOffset = this.vRest;
    this.resetV = <f32>(this.vReset - this.vOffset);
    this.configureClock(dt);
    this.em = Math.exp(-dt / this.tauM);
    this.rM = this.tauM / this.cM;  // GOhm: mV per pA
    this.ce = synapticPropagator(this.tauE, this.tauM, Math.exp(-dt / this.tauE), this.em, dt);
    this.ci = synapticPropagator(this.tauI, this.tauM, Math.exp(-dt / this.tauI), this.em, dt);
    return STATUS_OK;
  }

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 { return this.updateByRanges(m, slot, dt); }

  rangeUpdate(): bool { return true; }

  updateRange(m: i32, lo: i32, hi: i32, cand: usize, dt: f64): i32 {
    const em = f32x4.splat(<f32>this.em);
    const ce = f32x4.splat(<f32>(this.ce * this.decayE)), ci = f32x4.splat(<f32>(this.ci * this.decayI));
    // v is stored relative to v_rest (vOffset)
    const vinf = f32x4.splat(<f32>(this.rM * this.iStep));
    const r = f32x4.splat(<f32>this.rM);
    const th = f32x4.splat(<f32>(this.vThresh - this.vOffset));
    const o = <usize>lo << 2, n = hi - lo;
    return this.thetaPlus != 0
      ? lifLoopTheta(ptr(this.v) + o, ptr(this.ge) + o, ptr(this.gi) + o, ptr(this.ie) + o, ptr(this.theta) + o, n, cand, em, ce, ci, vinf, r, th, f32x4.splat(<f32>this.decayTheta))
      : this.hasBias
        ? lifLoopBias(ptr(this.v) + o, ptr(this.ge) + o, ptr(this.gi) + o, ptr(this.ie) + o, n, cand, em, ce, ci, vinf, r, th)
        : lifLoop(ptr(this.v) + o, ptr(this.ge) + o, ptr(this.gi) + o, n, cand, em, ce, ci, vinf, th);
  }
}

// Contribution of an exponential current (initial value 1, time constant
// tau_s) to v over one step: tau_s / (tau_s - tau_m) (e^{-dt/tau_s} - e^{-dt/tau_m});
// the limit dt/tau_m e^{-dt/tau_m} when the time constants coincide.
export function synapticPropagator(tauS: f64, tauM: f64, es: f64, em: f64, dt: f64): f64 {
  if (Math.abs(tauS - tauM) < 1e-9 * tauM) return dt / tauM * em;
  return tauS / (tauS - tauM) * (es - em);
}

// Arrays are padded to whole vectors, so i + 3 < padded(n) for every i < n.
// The loops go four vectors at a time, then one at a time: V8
// unrolls a small loop itself, but not one over a shared memory (the
// threads' build), where the same loop ran 45 % slower (measured).
// The arrays are at fixed distances from v (differences wrap harmlessly:
// addresses are 32-bit), so one pointer moves. A candidate is the vector's
// byte offset from vP times 4 (its neuron index x 16) or its lane mask.

// One vector: bias adds R I_j to v_inf, theta adds the adaptive threshold
// (stored lazily, times dth) to v_thresh. Both are constants at every call:
// each loop below keeps only its own arithmetic.
@inline function lifVec(
  p: usize, vP: usize, oGe: usize, oGi: usize, oIe: usize, oTh: usize, cand: usize, count: i32,
  em: v128, ce: v128, ci: v128, vinf0: v128, r: v128, th: v128, dth: v128, bias: bool, theta: bool,
): i32 {
  const v = v128.load(p), e = v128.load(p + oGe), g = v128.load(p + oGi);
  const vinf = bias ? f32x4.add(vinf0, f32x4.mul(r, v128.load(p + oIe))) : vinf0;
  const vn = f32x4.add(
    f32x4.add(f32x4.mul(em, f32x4.sub(v, vinf)), vinf),
    f32x4.add(f32x4.mul(ce, e), f32x4.mul(ci, g)));
  v128.store(p, flushTiny(vn));
  const thr = theta ? f32x4.add(th, f32x4.mul(dth, v128.load(p + oTh))) : th;
  const mask = i32x4.bitmask(f32x4.ge(vn, thr));
  if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>(p - vP) << 2) | <u32>mask); count++; }
  return count;
}

@inline function lifRun(
  vP: usize, geP: usize, giP: usize, ieP: usize, thP: usize, n: i32, cand: usize,
  em: v128, ce: v128, ci: v128, vinf0: v128, r: v128, th: v128, dth: v128, bias: bool, theta: bool,
): i32 {
  let count = 0;
  const oGe = geP - vP, oGi = giP - vP, oIe = ieP - vP, oTh = thP - vP;
  const end = vP + (<usize>n << 2), end4 = vP + (<usize>(n >> 4) << 6);
  let p = vP;
  for (; p < end4; p += 64) {
    count = lifVec(p, vP, oGe, oGi, oIe, oTh, cand, count, em, ce, ci, vinf0, r, th, dth, bias, theta);
    count = lifVec(p + 16, vP, oGe, oGi, oIe, oTh, cand, count, em, ce, ci, vinf0, r, th, dth, bias, theta);
    count = lifVec(p + 32, vP, oGe, oGi, oIe, oTh, cand, count, em, ce, ci, vinf0, r, th, dth, bias, theta);
    count = lifVec(p + 48, vP, oGe, oGi, oIe, oTh, cand, count, em, ce, ci, vinf0, r, th, dth, bias, theta);
  }
  for (; p < end; p += 16) count = lifVec(p, vP, oGe, oGi, oIe, oTh, cand, count, em, ce, ci, vinf0, r, th, dth, bias, theta);
  return count;
}

@noinline function lifLoop(
  vP: usize, geP: usize, giP: usize, n: i32, cand: usize,
  em: v128, ce: v128, ci: v128, vinf: v128, th: v128,
): i32 {
  return lifRun(vP, geP, giP, vP, vP, n, cand, em, ce, ci, vinf, vinf, th, th, false, false);
}

// With a constant current per neuron: v_inf = v_inf0 + R I_j.
@noinline function lifLoopBias(
  vP: usize, geP: usize, giP: usize, ieP: usize, n: i32, cand: usize,
  em: v128, ce: v128, ci: v128, vinf0: v128, r: v128, th: v128,
): i32 {
  return lifRun(vP, geP, giP, ieP, vP, n, cand, em, ce, ci, vinf0, r, th, th, true, false);
}

// With an adaptive threshold: v_thresh + theta_j.
@noinline function lifLoopTheta(
  vP: usize, geP: usize, giP: usize, ieP: usize, thP: usize, n: i32, cand: usize,
  em: v128, ce: v128, ci: v128, vinf0: v128, r: v128, th: v128, dth: v128,
): i32 {
  return lifRun(vP, geP, giP, ieP, thP, n, cand, em, ce, ci, vinf0, r, th, dth, true, true);
}
