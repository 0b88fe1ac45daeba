// lif_cond: conductance-based leaky integrate-and-fire (the COBA benchmark):
//   C dv/dt = g_L (E_L - v) + ge (E_ex - v) + gi (E_in - v) + I,
// with exponentially decaying conductances (nS). The potential takes an
// exponential-Euler step or a forward-Euler step (as the Brian2 COBA
// benchmark). Both use each conductance's exact mean over the step,
// g(t) tau/dt (1 - e^{-dt/tau}), not its value at the step's start: held at
// the start value, every input would deliver about dt/(2 tau) too much
// charge (1 % at dt 0.1 ms and tau 5 ms, 27 % at tau 1 ms and dt 0.5 ms),
// a first-order error that became +28 % in the rate of a fluctuation-driven
// neuron. With the mean, exponential Euler is second order in dt.

import { Population, ModelInfo } from "../population";
import { ClockPopulation, ptr, flushTiny } from "./clock";
import { exp4 } from "../simd-math";
import { STATUS_OK } from "../status";

export const LIF_COND = new ModelInfo(
  "lif_cond",
  "c_m g_l e_l e_ex e_in v_reset v_thresh t_ref tau_syn_e tau_syn_i integrator=euler|exponential_euler theta_plus tau_theta",
  "v ge gi i_e theta",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new LifCond(index, size, first, info),
);

const EULER: i32 = 0;

export class LifCond extends ClockPopulation {
  cM: f64 = 250; gL: f64 = 16.6667; eL: f64 = -70; eEx: f64 = 0; eIn: f64 = -85;
  vReset: f64 = -60; vThresh: f64 = -55; tRefMs: f64 = 0; integrator: i32 = 1;
  // A conductance's mean over a step, relative to its value at the step's start.
  meanE: f64 = 1; meanI: f64 = 1;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
  }

  tRef(): f64 { return this.tRefMs; }

  configure(dt: f64): i32 {
    this.cM = this.param("c_m"); this.gL = this.param("g_l"); this.eL = this.param("e_l");
    this.eEx = this.param("e_ex"); this.eIn = this.param("e_in");
    this.vReset = this.param("v_reset"); this.vThresh = this.param("v_thresh"); this.tRefMs = this.param("t_ref");
    this.tauE = this.param("tau_syn_e"); this.tauI = this.param("tau_syn_i");
    this.integrator = <i32>this.param("integrator");
    this.configureTheta();
    this.vOffset = this.eL;
    this.resetV = <f32>(this.vReset - this.vOffset);
    this.configureClock(dt);
    this.meanE = stepMean(dt, this.tauE);
    this.meanI = stepMean(dt, this.tauI);
    return STATUS_OK;
  }

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 { return this.updateByRanges(m, slot, dt); }

  rangeUpdate(): bool { return true; }

  updateRange(m: i32, lo: i32, hi: i32, cand: usize, dt: f64): i32 {
    const o = <usize>lo << 2, n = hi - lo;
    const theta = this.thetaPlus != 0;
    let count: i32;
    if (this.integrator != EULER) {
      count = condExpLoop(ptr(this.v) + o, ptr(this.ge) + o, ptr(this.gi) + o, ptr(this.ie) + o, theta ? ptr(this.theta) + o : 0, n, cand,
        <f32>this.gL, <f32>(this.eEx - this.eL), <f32>(this.eIn - this.eL), <f32>this.iStep, <f32>(this.decayE * this.meanE), <f32>(this.decayI * this.meanI),
        <f32>(this.vThresh - this.vOffset), <f32>(-dt / this.cM), theta ? <f32>this.decayTheta : 0);
    } else {
      // With u = v - E_L (the stored value):
      // u + k I + (1 - k g_L) u + k ge (E_ex - E_L - u) + k gi (E_in - E_L - u)
      const k = dt / this.cM;
      const c0 = f32x4.splat(<f32>(k * this.iStep));
      const c1 = f32x4.splat(<f32>(1.0 - k * this.gL));
      const kb = f32x4.splat(<f32>(this.hasBias ? k : 0.0));
      const ke = f32x4.splat(<f32>(k * this.decayE * this.meanE)), ki = f32x4.splat(<f32>(k * this.decayI * this.meanI));
      const eex = f32x4.splat(<f32>(this.eEx - this.eL)), ein = f32x4.splat(<f32>(this.eIn - this.eL));
      const th = f32x4.splat(<f32>(this.vThresh - this.vOffset));
      count = theta
        ? condLoopTheta(ptr(this.v) + o, ptr(this.ge) + o, ptr(this.gi) + o, ptr(this.ie) + o, ptr(this.theta) + o, n, cand,
          c0, c1, kb, ke, ki, eex, ein, th, f32x4.splat(<f32>this.decayTheta))
        : condLoop(ptr(this.v) + o, ptr(this.ge) + o, ptr(this.gi) + o, ptr(this.ie) + o, n, cand,
          c0, c1, kb, ke, ki, eex, ein, th);
    }
    return count;
  }
}

// (1/dt) of the integral of e^{-s/tau} over [0, dt] = 1 - dt/(2 tau) + ... (expm1: exact for small dt/tau).
function stepMean(dt: f64, tau: f64): f64 {
  const x = dt / tau;
  return x > 0 ? -Math.expm1(-x) / x : 1;
}

// Four vectors a step, then one: see lif.ts (V8 does not unroll a loop
// over a shared memory itself). One pointer moves; the other arrays are at
// fixed distances from it (differences wrap harmlessly: addresses are 32-bit).
@inline function condVec(
  p: usize, vP: usize, oGe: usize, oGi: usize, oIe: usize, oTh: usize, cand: usize, count: i32,
  c0: v128, c1: v128, kb: v128, ke: v128, ki: v128, eex: v128, ein: v128, th: v128, dth: v128, theta: bool,
): i32 {
  const v = v128.load(p), e = v128.load(p + oGe), g = v128.load(p + oGi);
  const c = f32x4.add(c0, f32x4.mul(kb, v128.load(p + oIe)));
  const vn = f32x4.add(
    f32x4.add(f32x4.mul(c1, v), c),
    f32x4.add(f32x4.mul(f32x4.mul(ke, e), f32x4.sub(eex, v)), f32x4.mul(f32x4.mul(ki, g), f32x4.sub(ein, v))));
  v128.store(p, flushTiny(vn));
  const thr = theta ? f32x4.add(th, f32x4.mul(dth, v128.load(p + oTh))) : th;
  const mask = i32x4.bitmask(f32x4.ge(vn, thr));
  if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>(p - vP) << 2) | <u32>mask); count++; }
  return count;
}

// theta (a constant at each call): the adaptive threshold, stored lazily, times dth.
@inline function condRun(
  vP: usize, geP: usize, giP: usize, ieP: usize, thP: usize, n: i32, cand: usize,
  c0: v128, c1: v128, kb: v128, ke: v128, ki: v128, eex: v128, ein: v128, th: v128, dth: v128, theta: bool,
): i32 {
  let count = 0;
  const oGe = geP - vP, oGi = giP - vP, oIe = ieP - vP, oTh = thP - vP;
  const end = vP + (<usize>n << 2), end4 = vP + (<usize>(n >> 4) << 6);
  let p = vP;
  for (; p < end4; p += 64) {
    count = condVec(p, vP, oGe, oGi, oIe, oTh, cand, count, c0, c1, kb, ke, ki, eex, ein, th, dth, theta);
    count = condVec(p + 16, vP, oGe, oGi, oIe, oTh, cand, count, c0, c1, kb, ke, ki, eex, ein, th, dth, theta);
    count = condVec(p + 32, vP, oGe, oGi, oIe, oTh, cand, count, c0, c1, kb, ke, ki, eex, ein, th, dth, theta);
    count = condVec(p + 48, vP, oGe, oGi, oIe, oTh, cand, count, c0, c1, kb, ke, ki, eex, ein, th, dth, theta);
  }
  for (; p < end; p += 16) count = condVec(p, vP, oGe, oGi, oIe, oTh, cand, count, c0, c1, kb, ke, ki, eex, ein, th, dth, theta);
  return count;
}

@noinline function condLoop(
  vP: usize, geP: usize, giP: usize, ieP: usize, n: i32, cand: usize,
  c0: v128, c1: v128, kb: v128, ke: v128, ki: v128, eex: v128, ein: v128, th: v128,
): i32 {
  return condRun(vP, geP, giP, ieP, vP, n, cand, c0, c1, kb, ke, ki, eex, ein, th, th, false);
}

@noinline function condLoopTheta(
  vP: usize, geP: usize, giP: usize, ieP: usize, thP: usize, n: i32, cand: usize,
  c0: v128, c1: v128, kb: v128, ke: v128, ki: v128, eex: v128, ein: v128, th: v128, dth: v128,
): i32 {
  return condRun(vP, geP, giP, ieP, thP, n, cand, c0, c1, kb, ke, ki, eex, ein, th, dth, true);
}

// Exponential Euler, four neurons at a time: with the conductances held over
// dt, v relaxes exactly towards v_inf = (ge E_ex + gi E_in + I) / g_tot
// (u = v - E_L, the stored value) with time constant C / g_tot.
// Scalar parameters, splat where used: nine vector parameters live across
// the loop would not fit the registers beside exp4's and would spill.
@noinline function condExpLoop(
  vP: usize, geP: usize, giP: usize, ieP: usize, thP: usize, n: i32, cand: usize,
  gl: f32, eex: f32, ein: f32, istep: f32, de: f32, di: f32, th: f32, mdc: f32, dth: f32,
): i32 {
  let count = 0;
  // One pointer moves; the other arrays are at fixed distances from it
  // (differences wrap harmlessly: addresses are 32-bit).
  const oGe = geP - vP, oGi = giP - vP, oIe = ieP - vP, oTh = thP - vP;
  const end = vP + (<usize>n << 2);
  for (let p = vP; p < end; p += 16) {
    const e = f32x4.mul(f32x4.splat(de), v128.load(p + oGe)), g = f32x4.mul(f32x4.splat(di), v128.load(p + oGi));
    const v = v128.load(p);
    const gt = f32x4.add(f32x4.splat(gl), f32x4.add(e, g));
    const vinf = f32x4.div(f32x4.add(f32x4.add(f32x4.mul(e, f32x4.splat(eex)), f32x4.mul(g, f32x4.splat(ein))), f32x4.add(v128.load(p + oIe), f32x4.splat(istep))), gt);
    const vn = flushTiny(f32x4.add(vinf, f32x4.mul(f32x4.sub(v, vinf), exp4(f32x4.mul(f32x4.splat(mdc), gt)))));
    v128.store(p, vn);
    const thr = thP != 0 ? f32x4.add(f32x4.splat(th), f32x4.mul(f32x4.splat(dth), v128.load(p + oTh))) : f32x4.splat(th);
    const mask = i32x4.bitmask(f32x4.ge(vn, thr));
    if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>(p - vP) << 2) | <u32>mask); count++; }
  }
  return count;
}
