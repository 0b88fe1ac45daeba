// hh: the Hodgkin-Huxley neuron of the COBAHH benchmark (Brette et al. 2007;
// Traub & Miles kinetics as Brian2's COBAHH example writes them) with
// exponentially decaying conductances:
//   C dV/dt = g_L (E_L - V) + ge (E_ex - V) + gi (E_in - V)
//             - g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) + I,
//   dx/dt = alpha_x(u) (1 - x) - beta_x(u) x  for x = m, h, n,  u = V - V_T:
//   alpha_m = 0.32 (13 - u) / (exp((13 - u)/4) - 1)   beta_m = 0.28 (u - 40) / (exp((u - 40)/5) - 1)
//   alpha_h = 0.128 exp((17 - u)/18)                   beta_h = 4 / (1 + exp((40 - u)/5))
//   alpha_n = 0.032 (15 - u) / (exp((15 - u)/5) - 1)  beta_n = 0.5 exp((10 - u)/40)
// (1/ms, mV). A spike is V crossing v_thresh upwards, not within t_ref of the
// last one (as Brian: refractoriness only silences the threshold; V goes on).
//
// Integration: RK4 in substeps of at most 0.025 ms (first order schemes at
// 0.1 ms lose spikes: exponential Euler fires 39 times where the converged
// answer is 43 in 500 ms at 500 pA), four neurons at a time, with the
// conductances' exact decay inside the step. The crossing time is
// interpolated within its substep and kept as the spike's time. The gating
// variables start at their steady state for the initial V unless given.

import { Population, ModelInfo, TYPE_F32, padded } from "../population";
import { ClockPopulation, ptr } from "./clock";
import { exp4 } from "../simd-math";
import { STATUS_OK } from "../status";
import * as io from "../checkpoint-io";

export const HH = new ModelInfo(
  "hh",
  "c_m g_l e_l e_na e_k g_na g_k v_t e_ex e_in tau_syn_e tau_syn_i v_thresh t_ref",
  "v m h n ge gi i_e",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new HodgkinHuxley(index, size, first, info),
);

const MAX_SUBSTEP: f64 = 0.025;

export class HodgkinHuxley extends ClockPopulation {
  cM: f64 = 200; gL: f64 = 10; eL: f64 = -60; eNa: f64 = 50; eK: f64 = -90; gNa: f64 = 20000; gK: f64 = 6000;
  vT: f64 = -63; eEx: f64 = 0; eIn: f64 = -80; vThresh: f64 = -20; tRefMs: f64 = 3;
  substeps: i32 = 4;
  m: StaticArray<f32>;
  h: StaticArray<f32>;
  n: StaticArray<f32>;
  varM: i32; varH: i32; varN: i32;
  // Gating variables the model gave initial values for (else: steady state).
  given: i32 = 0;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
    const np = padded(size);
    this.m = new StaticArray<f32>(np);
    this.h = new StaticArray<f32>(np);
    this.n = new StaticArray<f32>(np);
    this.varM = info.variableIndex("m");
    this.varH = info.variableIndex("h");
    this.varN = info.variableIndex("n");
  }

  tRef(): f64 { return this.tRefMs; }
  exactSpikeTimes(): bool { return true; }

  configure(dt: f64): i32 {
    this.cM = this.param("c_m"); this.gL = this.param("g_l"); this.eL = this.param("e_l");
    this.eNa = this.param("e_na"); this.eK = this.param("e_k"); this.gNa = this.param("g_na"); this.gK = this.param("g_k");
    this.vT = this.param("v_t"); this.eEx = this.param("e_ex"); this.eIn = this.param("e_in");
    this.tauE = this.param("tau_syn_e"); this.tauI = this.param("tau_syn_i");
    this.vThresh = this.param("v_thresh"); this.tRefMs = this.param("t_ref");
    this.vOffset = 0;
    this.substeps = max(1, <i32>Math.ceil(dt / MAX_SUBSTEP - 1e-9));
    this.configureClock(dt);
    return STATUS_OK;
  }

  prepare(dt: f64): void {
    super.prepare(dt);
    for (let j = 0; j < this.size; j++) {
      const u = <f64>this.v[j] - this.vT;
      if ((this.given & 1) == 0) this.m[j] = <f32>steady(1.28 * re((13.0 - u) / 4.0), 1.4 * re((u - 40.0) / 5.0));
      if ((this.given & 2) == 0) this.h[j] = <f32>steady(0.128 * Math.exp((17.0 - u) / 18.0), 4.0 / (1.0 + Math.exp((40.0 - u) / 5.0)));
      if ((this.given & 4) == 0) this.n[j] = <f32>steady(0.16 * re((15.0 - u) / 5.0), 0.5 * Math.exp((10.0 - u) / 40.0));
    }
  }

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 {
    this.lazyDecayFactors(m, dt);
    const hs = dt / <f64>this.substeps;
    const cand = this.candidateBuffer();
    const count = hhLoop(ptr(this.v), ptr(this.m), ptr(this.h), ptr(this.n), ptr(this.ge), ptr(this.gi), ptr(this.ie),
      this.size, cand, offsetBuffer(this.size), this.substeps, <f32>hs, <f32>(1.0 / this.cM), <f32>this.gL, <f32>this.eL,
      <f32>this.gNa, <f32>this.eNa, <f32>this.gK, <f32>this.eK, <f32>this.eEx, <f32>this.eIn, <f32>this.vT, <f32>this.iStep,
      <f32>this.decayE, <f32>this.decayI, <f32>Math.exp(-0.5 * hs / this.tauE), <f32>Math.exp(-0.5 * hs / this.tauI), <f32>this.vThresh);
    // Brian's refractoriness: no spike until t_ref after the last one.
    for (let k = 0; k < count; k++) {
      const c = load<u32>(cand + (<usize>k << 2));
      const i = <i32>(c >> 4), mask = <i32>(c & 15);
      for (let lane = 0; lane < 4; lane++) {
        const j = i + lane;
        if (((mask >> lane) & 1) == 0 || j >= this.size) continue;
        const off = <f64>load<f32>(offsets + (<usize>(4 * k + lane) << 2));
        if (<f64>(m - unchecked(this.lastSpike[j])) * dt < this.tRefMs - 1e-9 * dt) continue;
        unchecked(this.lastSpike[j] = m);
        this.pushSpike(slot, j, off);
      }
    }
    return 0;
  }

  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    if (k == this.varM) return <f64>this.m[j];
    if (k == this.varH) return <f64>this.h[j];
    if (k == this.varN) return <f64>this.n[j];
    return super.readVariable(k, j, step, dt);
  }
  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 {
    if (k == this.varM) { this.m[j] = <f32>x; this.given |= 1; }
    else if (k == this.varH) { this.h[j] = <f32>x; this.given |= 2; }
    else if (k == this.varN) { this.n[j] = <f32>x; this.given |= 4; }
    else return super.writeVariable(k, j, x, step, dt, prepared);
    return STATUS_OK;
  }
  variablePtr(k: i32): usize {
    if (k == this.varM) return changetype<usize>(this.m);
    if (k == this.varH) return changetype<usize>(this.h);
    if (k == this.varN) return changetype<usize>(this.n);
    return super.variablePtr(k);
  }
  variableType(k: i32): i32 { return k == this.varM || k == this.varH || k == this.varN ? TYPE_F32 : super.variableType(k); }

  saveExtra(): void { io.wArr(this.m); io.wArr(this.h); io.wArr(this.n); }
  loadExtra(): void { io.rArr(this.m); io.rArr(this.h); io.rArr(this.n); }
}

// x / (exp(x) - 1), with its series near 0.
function re(x: f64): f64 {
  return Math.abs(x) < 1e-6 ? 1.0 - 0.5 * x : x / (Math.exp(x) - 1.0);
}

function steady(alpha: f64, beta: f64): f64 { return alpha / (alpha + beta); }

// Crossing times of the candidate lanes, four per candidate vector.
let offsets: usize = changetype<usize>(new StaticArray<f32>(1024));
let offsetsCap: i32 = 1024;
function offsetBuffer(size: i32): usize {
  const need = size + 4;
  if (offsetsCap < need) {
    offsets = changetype<usize>(new StaticArray<f32>(need));
    offsetsCap = need;
  }
  return offsets;
}

// x / (exp(x) - 1) on four lanes; 1 - x/2 + x^2/12 near 0, where the f32
// difference would cancel.
@inline function re4(x: v128): v128 {
  const e = exp4(x);
  const far = f32x4.div(x, f32x4.sub(e, f32x4.splat(1.0)));
  const near = f32x4.add(f32x4.splat(1.0), f32x4.mul(x, f32x4.add(f32x4.splat(-0.5), f32x4.mul(x, f32x4.splat(<f32>(1.0 / 12.0))))));
  return v128.bitselect(near, far, f32x4.lt(f32x4.abs(x), f32x4.splat(<f32>1e-3)));
}

// Gating derivative: alpha (1 - x) - beta x.
@inline function gate(x: v128, alpha: v128, beta: v128): v128 {
  return f32x4.sub(f32x4.mul(alpha, f32x4.sub(f32x4.splat(1.0), x)), f32x4.mul(beta, x));
}

// Arrays are padded to whole vectors, so i + 3 < padded(n) for every i < n.
// Each candidate (vector << 4 | lanes that crossed) has its lanes' crossing
// offsets (ms into the step) at offP + 16 k.
@noinline function hhLoop(
  vP: usize, mP: usize, hP: usize, nP: usize, geP: usize, giP: usize, ieP: usize, n: i32, cand: usize, offP: usize,
  substeps: i32, hs: f32, invC: f32, gl: f32, el: f32, gna: f32, ena: f32, gk: f32, ek: f32, eex: f32, ein: f32, vt: f32,
  istep: f32, de: f32, di: f32, fe: f32, fi: f32, thr: f32,
): i32 {
  let count = 0;
  const half = f32x4.splat(<f32>0.5 * hs), full = f32x4.splat(hs), sixth = f32x4.splat(hs / <f32>6.0), two = f32x4.splat(2.0);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    let v = v128.load(vP + o), m = v128.load(mP + o), h = v128.load(hP + o), nn = v128.load(nP + o);
    const cur = f32x4.add(v128.load(ieP + o), f32x4.splat(istep));
    let e = f32x4.mul(f32x4.splat(de), v128.load(geP + o)), g = f32x4.mul(f32x4.splat(di), v128.load(giP + o));
    let crossed = i32x4.splat(0);
    let off = f32x4.splat(0);
    for (let s = 0; s < substeps; s++) {
      const eM = f32x4.mul(e, f32x4.splat(fe)), gM = f32x4.mul(g, f32x4.splat(fi));
      const eE = f32x4.mul(eM, f32x4.splat(fe)), gE = f32x4.mul(gM, f32x4.splat(fi));
      // RK4 stages: k1 at (v, m, h, n), k2, k3 at the midpoints, k4 at the end.
      let sv = v, sm = m, sh = h, sn = nn;
      let av = f32x4.splat(0), am = av, ah = av, an = av;
      for (let stage = 0; stage < 4; stage++) {
        const ce = stage == 0 ? e : stage == 3 ? eE : eM, cg = stage == 0 ? g : stage == 3 ? gE : gM;
        const u = f32x4.sub(sv, f32x4.splat(vt));
        const alphaM = f32x4.mul(f32x4.splat(1.28), re4(f32x4.mul(f32x4.sub(f32x4.splat(13.0), u), f32x4.splat(0.25))));
        const betaM = f32x4.mul(f32x4.splat(1.4), re4(f32x4.mul(f32x4.sub(u, f32x4.splat(40.0)), f32x4.splat(0.2))));
        const alphaH = f32x4.mul(f32x4.splat(0.128), exp4(f32x4.mul(f32x4.sub(f32x4.splat(17.0), u), f32x4.splat(<f32>(1.0 / 18.0)))));
        const betaH = f32x4.div(f32x4.splat(4.0), f32x4.add(f32x4.splat(1.0), exp4(f32x4.mul(f32x4.sub(f32x4.splat(40.0), u), f32x4.splat(0.2)))));
        const alphaN = f32x4.mul(f32x4.splat(0.16), re4(f32x4.mul(f32x4.sub(f32x4.splat(15.0), u), f32x4.splat(0.2))));
        const betaN = f32x4.mul(f32x4.splat(0.5), exp4(f32x4.mul(f32x4.sub(f32x4.splat(10.0), u), f32x4.splat(0.025))));
        const m3h = f32x4.mul(f32x4.mul(f32x4.mul(sm, sm), sm), sh);
        const n2 = f32x4.mul(sn, sn);
        const iNa = f32x4.mul(f32x4.mul(f32x4.splat(gna), m3h), f32x4.sub(sv, f32x4.splat(ena)));
        const iK = f32x4.mul(f32x4.mul(f32x4.splat(gk), f32x4.mul(n2, n2)), f32x4.sub(sv, f32x4.splat(ek)));
        const iLeak = f32x4.mul(f32x4.splat(gl), f32x4.sub(f32x4.splat(el), sv));
        const iSyn = f32x4.add(f32x4.mul(ce, f32x4.sub(f32x4.splat(eex), sv)), f32x4.mul(cg, f32x4.sub(f32x4.splat(ein), sv)));
        const kv = f32x4.mul(f32x4.splat(invC), f32x4.sub(f32x4.add(f32x4.add(iLeak, iSyn), cur), f32x4.add(iNa, iK)));
        const km = gate(sm, alphaM, betaM), kh = gate(sh, alphaH, betaH), kn = gate(sn, alphaN, betaN);
        // Weights 1, 2, 2, 1; the next stage's point.
        const wgt = stage == 0 || stage == 3 ? f32x4.splat(1.0) : two;
        av = f32x4.add(av, f32x4.mul(wgt, kv)); am = f32x4.add(am, f32x4.mul(wgt, km));
        ah = f32x4.add(ah, f32x4.mul(wgt, kh)); an = f32x4.add(an, f32x4.mul(wgt, kn));
        if (stage < 3) {
          const step = stage == 2 ? full : half;
          sv = f32x4.add(v, f32x4.mul(step, kv)); sm = f32x4.add(m, f32x4.mul(step, km));
          sh = f32x4.add(h, f32x4.mul(step, kh)); sn = f32x4.add(nn, f32x4.mul(step, kn));
        }
      }
      const vn = f32x4.add(v, f32x4.mul(sixth, av));
      m = f32x4.add(m, f32x4.mul(sixth, am));
      h = f32x4.add(h, f32x4.mul(sixth, ah));
      nn = f32x4.add(nn, f32x4.mul(sixth, an));
      // An upward crossing in this substep, interpolated; the first one counts.
      const up = v128.andnot(v128.and(f32x4.lt(v, f32x4.splat(thr)), f32x4.ge(vn, f32x4.splat(thr))), crossed);
      const at = f32x4.add(f32x4.splat(<f32>s * hs), f32x4.mul(full, f32x4.div(f32x4.sub(f32x4.splat(thr), v), f32x4.sub(vn, v))));
      off = v128.bitselect(at, off, up);
      crossed = v128.or(crossed, up);
      v = vn;
      e = eE; g = gE;
    }
    v128.store(vP + o, v);
    v128.store(mP + o, m);
    v128.store(hP + o, h);
    v128.store(nP + o, nn);
    const mask = i32x4.bitmask(crossed);
    if (mask != 0) {
      store<u32>(cand + (<usize>count << 2), (<u32>i << 4) | <u32>mask);
      v128.store(offP + (<usize>count << 4), off);
      count++;
    }
  }
  return count;
}
