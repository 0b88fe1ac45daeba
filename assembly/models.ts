// Clock-driven neuron updates: one step of every neuron of a population, from
// t_m to t_m + dt, in f32x4 vectors. Inputs that arrived at t_m are already in
// ge/gi (stored with lazy decay, see Population). A neuron whose potential
// reaches threshold at t_m + dt spikes then, unless it is refractory; the
// spike goes to the population's history slot for this step.
//
// The vector loop reads v, ge, gi (and i_e when some neuron has one) and
// writes only v. Refractoriness is not tested per neuron: after the loop the
// neurons that spiked within t_ref (read from the spike history) are put back
// to v_reset, and the rare threshold candidate is checked against its last
// spike in the scalar path.

import { exp4 } from "./simd-math";
import { Population } from "./population";
import { INTEGRATOR_EULER, MODEL_IZHIKEVICH } from "./abi";

@inline function ptr<T>(a: StaticArray<T>): usize { return changetype<usize>(a); }

// Lanes in `mask` of the vector at neuron i crossed threshold: fire those that
// are real neurons and not refractory; put the others back to reset.
function fireLanes(p: Population, slot: i32, i: i32, mask: i32, step: i32, dt: f64): void {
  const izh = p.kind == MODEL_IZHIKEVICH;
  const vReset = <f32>(izh ? p.c : p.vReset - p.vOffset);
  for (let lane = 0; lane < 4; lane++) {
    if (((mask >> lane) & 1) == 0) continue;
    const j = i + lane;
    unchecked(p.v[j] = vReset);
    if (j >= p.size) continue;  // padding lane
    if (izh) unchecked(p.u[j] += <f32>p.d);
    else if (step - unchecked(p.lastSpike[j]) <= p.refSteps) continue;
    unchecked(p.lastSpike[j] = step);
    if (p.thetaPlus != 0 && !p.thetaFrozen) unchecked(p.theta[j] += <f32>(p.thetaPlus * p.gainTheta));
    p.pushSpike(slot, j, dt);
  }
}

// Holds the neurons that spiked in the last refSteps steps at v_reset.
function clampRefractory(p: Population, step: i32): void {
  const vReset = <f32>(p.vReset - p.vOffset);
  const last = min(p.refSteps, step);
  for (let d = 1; d <= last; d++) {
    const s = p.slotOf(step - d);
    const n = unchecked(p.histCount[s]);
    const ids = unchecked(p.histIds[s]);
    for (let k = 0; k < n; k++) unchecked(p.v[unchecked(ids[k])] = vReset);
  }
}

// The vector loops below take their constants as v128 parameters and do not
// call anything: threshold candidates go to a buffer (vector index << 4 |
// lane mask) that the scalar path fires afterwards. Both keep V8 from
// re-deriving the constants inside the loop under register pressure.
let candidates = new StaticArray<u32>(1024);

// A silent neuron relaxes towards v_inf = 0 (the rest potential, as stored)
// and would pass through the subnormal floats, where arithmetic is a hundred
// times slower (WebAssembly does not flush them): potentials within 1e-30 mV
// of rest are set to rest.
@inline function flushTiny(v: v128): v128 {
  return v128.and(v, f32x4.ge(f32x4.abs(v), f32x4.splat(<f32>1e-30)));
}

@inline function candidateBuffer(p: Population): usize {
  const need = (p.size >> 2) + 1;
  if (candidates.length < need) candidates = new StaticArray<u32>(need);
  return changetype<usize>(candidates);
}

function fireCandidates(p: Population, count: i32, slot: i32, step: i32, dt: f64): void {
  for (let k = 0; k < count; k++) {
    const c = unchecked(candidates[k]);
    fireLanes(p, slot, <i32>(c >> 4), <i32>(c & 15), step, dt);
  }
}

// Current-based LIF with exponential synaptic currents, integrated exactly:
//   tau_m dv/dt = v_rest - v + ge + gi + R (i_e + i_step),
//   tau_e dge/dt = -ge,  tau_i dgi/dt = -gi   (ge, gi in mV).
// v(t+dt) = v_inf + (v - v_inf) em + ce ge + ci gi, v_inf = v_rest + R I.
// Written relative to v_inf, the f32 update has v_inf as its exact fixed
// point; em v + (1 - em) v_inf would shift it by the rounding of em / (1 - em).
export function updateLif(p: Population, step: i32, slot: i32, dt: f64): void {
  const em = f32x4.splat(<f32>p.em);
  const ce = f32x4.splat(<f32>(p.ce * p.decayE)), ci = f32x4.splat(<f32>(p.ci * p.decayI));
  // v is stored relative to v_rest (vOffset)
  const vinf = f32x4.splat(<f32>(p.rM * p.iStep));
  const r = f32x4.splat(<f32>p.rM);
  const th = f32x4.splat(<f32>(p.vThresh - p.vOffset));
  const cand = candidateBuffer(p);
  const count = p.thetaPlus != 0
    ? lifLoopTheta(ptr(p.v), ptr(p.ge), ptr(p.gi), ptr(p.ie), ptr(p.theta), p.size, cand, em, ce, ci, vinf, r, th, f32x4.splat(<f32>p.decayTheta))
    : p.hasBias
      ? lifLoopBias(ptr(p.v), ptr(p.ge), ptr(p.gi), ptr(p.ie), p.size, cand, em, ce, ci, vinf, r, th)
      : lifLoop(ptr(p.v), ptr(p.ge), ptr(p.gi), p.size, cand, em, ce, ci, vinf, th);
  fireCandidates(p, count, slot, step, dt);
  clampRefractory(p, step);
}

// Arrays are padded to whole vectors, so i + 3 < padded(n) for every i < n.
@noinline function lifLoop(
  vP: usize, geP: usize, giP: usize, n: i32, cand: usize,
  em: v128, ce: v128, ci: v128, vinf: v128, th: v128,
): i32 {
  let count = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(vP + o), e = v128.load(geP + o), g = v128.load(giP + o);
    const vn = f32x4.add(
      f32x4.add(f32x4.mul(em, f32x4.sub(v, vinf)), vinf),
      f32x4.add(f32x4.mul(ce, e), f32x4.mul(ci, g)));
    v128.store(vP + o, flushTiny(vn));
    const mask = i32x4.bitmask(f32x4.ge(vn, th));
    if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>i << 4) | <u32>mask); count++; }
  }
  return count;
}

@noinline function lifLoopBias(
  vP: usize, geP: usize, giP: usize, ieP: usize, n: i32, cand: usize,
  em: v128, ce: v128, ci: v128, vinf0: v128, r: v128, th: v128,
): i32 {
  let count = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(vP + o), e = v128.load(geP + o), g = v128.load(giP + o);
    const vinf = f32x4.add(vinf0, f32x4.mul(r, v128.load(ieP + o)));
    const vn = f32x4.add(
      f32x4.add(f32x4.mul(em, f32x4.sub(v, vinf)), vinf),
      f32x4.add(f32x4.mul(ce, e), f32x4.mul(ci, g)));
    v128.store(vP + o, flushTiny(vn));
    const mask = i32x4.bitmask(f32x4.ge(vn, th));
    if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>i << 4) | <u32>mask); count++; }
  }
  return count;
}

// With an adaptive threshold: v_thresh + theta_j (theta stored lazily, times dth).
@noinline function lifLoopTheta(
  vP: usize, geP: usize, giP: usize, ieP: usize, thP: usize, n: i32, cand: usize,
  em: v128, ce: v128, ci: v128, vinf0: v128, r: v128, th: v128, dth: v128,
): i32 {
  let count = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(vP + o), e = v128.load(geP + o), g = v128.load(giP + o);
    const vinf = f32x4.add(vinf0, f32x4.mul(r, v128.load(ieP + o)));
    const vn = f32x4.add(
      f32x4.add(f32x4.mul(em, f32x4.sub(v, vinf)), vinf),
      f32x4.add(f32x4.mul(ce, e), f32x4.mul(ci, g)));
    v128.store(vP + o, flushTiny(vn));
    const mask = i32x4.bitmask(f32x4.ge(vn, f32x4.add(th, f32x4.mul(dth, v128.load(thP + o)))));
    if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>i << 4) | <u32>mask); count++; }
  }
  return count;
}

// Conductance-based LIF: C dv/dt = g_L (E_L - v) + ge (E_ex - v) + gi (E_in - v) + I,
// conductances (nS) decay exactly. The potential takes a forward-Euler step
// (as the Brian2 COBA benchmark) or an exponential-Euler step, which holds the
// conductances fixed over dt and integrates v exactly.
export function updateLifCond(p: Population, step: i32, slot: i32, dt: f64): void {
  if (p.integrator != INTEGRATOR_EULER) {
    updateLifCondExp(p, step, slot, dt);
  } else {
    // With u = v - E_L (the stored value):
    // u + k I + (1 - k g_L) u + k ge (E_ex - E_L - u) + k gi (E_in - E_L - u)
    const k = dt / p.cM;
    const c0 = f32x4.splat(<f32>(k * p.iStep));
    const c1 = f32x4.splat(<f32>(1.0 - k * p.gL));
    const kb = f32x4.splat(<f32>(p.hasBias ? k : 0.0));
    const ke = f32x4.splat(<f32>(k * p.decayE)), ki = f32x4.splat(<f32>(k * p.decayI));
    const eex = f32x4.splat(<f32>(p.eEx - p.eL)), ein = f32x4.splat(<f32>(p.eIn - p.eL));
    const th = f32x4.splat(<f32>(p.vThresh - p.vOffset));
    const count = p.thetaPlus != 0
      ? condLoopTheta(ptr(p.v), ptr(p.ge), ptr(p.gi), ptr(p.ie), ptr(p.theta), p.size, candidateBuffer(p),
        c0, c1, kb, ke, ki, eex, ein, th, f32x4.splat(<f32>p.decayTheta))
      : condLoop(ptr(p.v), ptr(p.ge), ptr(p.gi), ptr(p.ie), p.size, candidateBuffer(p),
        c0, c1, kb, ke, ki, eex, ein, th);
    fireCandidates(p, count, slot, step, dt);
  }
  clampRefractory(p, step);
}

@noinline function condLoop(
  vP: usize, geP: usize, giP: usize, ieP: usize, n: i32, cand: usize,
  c0: v128, c1: v128, kb: v128, ke: v128, ki: v128, eex: v128, ein: v128, th: v128,
): i32 {
  let count = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(vP + o), e = v128.load(geP + o), g = v128.load(giP + o);
    const c = f32x4.add(c0, f32x4.mul(kb, v128.load(ieP + o)));
    const vn = f32x4.add(
      f32x4.add(f32x4.mul(c1, v), c),
      f32x4.add(f32x4.mul(f32x4.mul(ke, e), f32x4.sub(eex, v)), f32x4.mul(f32x4.mul(ki, g), f32x4.sub(ein, v))));
    v128.store(vP + o, flushTiny(vn));
    const mask = i32x4.bitmask(f32x4.ge(vn, th));
    if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>i << 4) | <u32>mask); count++; }
  }
  return count;
}

@noinline function condLoopTheta(
  vP: usize, geP: usize, giP: usize, ieP: usize, thP: usize, n: i32, cand: usize,
  c0: v128, c1: v128, kb: v128, ke: v128, ki: v128, eex: v128, ein: v128, th: v128, dth: v128,
): i32 {
  let count = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(vP + o), e = v128.load(geP + o), g = v128.load(giP + o);
    const c = f32x4.add(c0, f32x4.mul(kb, v128.load(ieP + o)));
    const vn = f32x4.add(
      f32x4.add(f32x4.mul(c1, v), c),
      f32x4.add(f32x4.mul(f32x4.mul(ke, e), f32x4.sub(eex, v)), f32x4.mul(f32x4.mul(ki, g), f32x4.sub(ein, v))));
    v128.store(vP + o, flushTiny(vn));
    const mask = i32x4.bitmask(f32x4.ge(vn, f32x4.add(th, f32x4.mul(dth, v128.load(thP + o)))));
    if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>i << 4) | <u32>mask); count++; }
  }
  return count;
}

// Exponential Euler, four neurons at a time: with the conductances held over
// dt, v relaxes exactly towards v_inf = (ge E_ex + gi E_in + I) / g_tot
// (u = v - E_L, the stored value) with time constant C / g_tot.
function updateLifCondExp(p: Population, step: i32, slot: i32, dt: f64): void {
  const theta = p.thetaPlus != 0;
  const count = condExpLoop(ptr(p.v), ptr(p.ge), ptr(p.gi), ptr(p.ie), theta ? ptr(p.theta) : 0, p.size, candidateBuffer(p),
    <f32>p.gL, <f32>(p.eEx - p.eL), <f32>(p.eIn - p.eL), <f32>p.iStep, <f32>p.decayE, <f32>p.decayI,
    <f32>(p.vThresh - p.vOffset), <f32>(-dt / p.cM), theta ? <f32>p.decayTheta : 0);
  fireCandidates(p, count, slot, step, dt);
}

// Scalar parameters, splat where used: nine vector parameters live across
// the loop would not fit the registers beside exp4's and would spill.
@noinline function condExpLoop(
  vP: usize, geP: usize, giP: usize, ieP: usize, thP: usize, n: i32, cand: usize,
  gl: f32, eex: f32, ein: f32, istep: f32, de: f32, di: f32, th: f32, mdc: f32, dth: f32,
): i32 {
  let count = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const e = f32x4.mul(f32x4.splat(de), v128.load(geP + o)), g = f32x4.mul(f32x4.splat(di), v128.load(giP + o));
    const v = v128.load(vP + o);
    const gt = f32x4.add(f32x4.splat(gl), f32x4.add(e, g));
    const vinf = f32x4.div(f32x4.add(f32x4.add(f32x4.mul(e, f32x4.splat(eex)), f32x4.mul(g, f32x4.splat(ein))), f32x4.add(v128.load(ieP + o), f32x4.splat(istep))), gt);
    const vn = flushTiny(f32x4.add(vinf, f32x4.mul(f32x4.sub(v, vinf), exp4(f32x4.mul(f32x4.splat(mdc), gt)))));
    v128.store(vP + o, vn);
    const thr = thP != 0 ? f32x4.add(f32x4.splat(th), f32x4.mul(f32x4.splat(dth), v128.load(thP + o))) : f32x4.splat(th);
    const mask = i32x4.bitmask(f32x4.ge(vn, thr));
    if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>i << 4) | <u32>mask); count++; }
  }
  return count;
}

// Izhikevich (2003): dv/dt = 0.04 v^2 + 5 v + 140 - u + I, du/dt = a (b v - u),
// v >= v_peak: v <- c, u <- u + d; forward Euler; I = i_e + i_step + ge + gi,
// with exponentially decaying synaptic currents ge, gi. No refractory period.
export function updateIzhikevich(p: Population, step: i32, slot: i32, dt: f64): void {
  const count = izhLoop(ptr(p.v), ptr(p.u), ptr(p.ge), ptr(p.gi), ptr(p.ie), p.size, candidateBuffer(p),
    f32x4.splat(<f32>dt), f32x4.splat(<f32>(dt * p.a)), f32x4.splat(<f32>p.b),
    f32x4.splat(<f32>(140.0 + p.iStep)), f32x4.splat(<f32>p.decayE), f32x4.splat(<f32>p.decayI),
    f32x4.splat(<f32>p.vPeak));
  fireCandidates(p, count, slot, step, dt);
}

@noinline function izhLoop(
  vP: usize, uP: usize, geP: usize, giP: usize, ieP: usize, n: i32, cand: usize,
  h: v128, ha: v128, bb: v128, c140: v128, de: v128, di: v128, th: v128,
): i32 {
  const c004 = f32x4.splat(<f32>0.04), c5 = f32x4.splat(<f32>5.0);
  let count = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(vP + o), u = v128.load(uP + o);
    const cur = f32x4.add(v128.load(ieP + o),
      f32x4.add(f32x4.mul(de, v128.load(geP + o)), f32x4.mul(di, v128.load(giP + o))));
    const dv = f32x4.add(
      f32x4.add(f32x4.mul(f32x4.mul(c004, v), v), f32x4.mul(c5, v)),
      f32x4.sub(f32x4.add(c140, cur), u));
    const du = f32x4.mul(ha, f32x4.sub(f32x4.mul(bb, v), u));
    const vn = f32x4.add(v, f32x4.mul(h, dv));
    v128.store(vP + o, vn);
    v128.store(uP + o, f32x4.add(u, du));
    const mask = i32x4.bitmask(f32x4.ge(vn, th));
    if (mask != 0) { store<u32>(cand + (<usize>count << 2), (<u32>i << 4) | <u32>mask); count++; }
  }
  return count;
}
