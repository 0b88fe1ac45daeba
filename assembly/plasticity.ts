// Spike-timing-dependent plasticity, event-driven: weights change only when
// a presynaptic spike reaches a synapse or a postsynaptic spike reaches it
// back, so the cost is spikes x fan-out (pre) + spikes x fan-in (post).
//
// Traces (pre: r1, r2 with tau_plus, tau_x; post: o1, o2 with tau_minus,
// tau_y) are kept per neuron in lazy form: stored = trace exp((t - base)/tau),
// constant between spikes, so an event needs one exponential for all its
// synapses. A spike adds 1 to its neuron's traces (all-to-all pairing) or
// sets them to 1 (nearest-neighbour pairing: each spike pairs only with the
// latest spike of the other side).
//
// Rules (amplitudes are fractions of w_max):
//   pair:    post spike: w += w_max A+ (1 - w/w_max)^mu r1;  pre spike: w -= w_max A- (w/w_max)^mu o1
//            (mu = 0 additive with hard bounds, mu = 1 multiplicative; Guetig et al. 2003)
//   triplet: post spike: w += w_max r1 (A2+ + A3+ o2(t-));  pre spike: w -= w_max o1 (A2- + A3- r2(t-))
//            (Pfister & Gerstner 2006; t- = just before this spike's own trace update)
//   reward:  the pair term goes into a per-synapse eligibility c (decay tau_c);
//            dw/dt = eta w_max M(t) c(t), with the modulator M = reward - baseline set by the host.
// Weights stay within [w_min, w_max].
//
// Timing. Axonal delay (default): a spike of i at t reaches its synapses at
// t + d, where it is paired with the post spikes up to then. Dendritic
// delay: the presynaptic spike is at the synapse at t, the postsynaptic
// spike reaches the synapse d after it is emitted. Events at one synapse
// are taken in time order; a pre and a post event at the same instant count
// as pre before post (potentiation, no depression). Transmission uses the
// weight before the update of its own arrival.

import { Projection } from "./projection";
import { Plasticity, RULE_PAIR, RULE_TRIPLET, RULE_REWARD, RULE_EQUATIONS, PAIRING_NEAREST } from "./plasticity-rule";

// Builds the column index and the traces of a plastic projection.
export function preparePlasticity(pr: Projection): void {
  const pl = pr.plasticity!;
  const nPre = pr.nPre, nPost = pr.nPost, n = pr.nSyn;
  pl.r1 = new StaticArray<f64>(nPre);
  pl.r2 = new StaticArray<f64>(nPre);
  pl.o1 = new StaticArray<f64>(nPost);
  pl.o2 = new StaticArray<f64>(nPost);
  const colPtr = new StaticArray<u32>(nPost + 1);
  for (let s = 0; s < n; s++) colPtr[pr.targets[s] + 1] += 1;
  for (let j = 0; j < nPost; j++) colPtr[j + 1] += colPtr[j];
  const cursor = new StaticArray<u32>(nPost);
  for (let j = 0; j < nPost; j++) cursor[j] = colPtr[j];
  const colSyn = new StaticArray<u32>(n), colSrc = new StaticArray<u32>(n);
  for (let i = 0; i < nPre; i++) {
    for (let s = pr.rowPtr[i]; s < pr.rowPtr[i + 1]; s++) {
      const j = pr.targets[s];
      const c = cursor[j];
      colSyn[c] = s;
      colSrc[c] = <u32>i;
      cursor[j] = c + 1;
    }
  }
  pl.colPtr = colPtr;
  pl.colSyn = colSyn;
  pl.colSrc = colSrc;
  if (pl.rule == RULE_REWARD) pl.elig = new StaticArray<f64>(n);
  let tauMin = Math.min(pl.tauPlus, pl.tauMinus);
  if (pl.rule == RULE_TRIPLET) tauMin = Math.min(tauMin, Math.min(pl.tauX, pl.tauY));
  if (pl.rule == RULE_REWARD) tauMin = Math.min(tauMin, pl.tauC);
  pl.renormAfter = 20.0 * tauMin;
  pl.w = new StaticArray<f64>(n);
  for (let s = 0; s < n; s++) setW(pr, pl, s, Math.min(Math.max(<f64>pr.weights[s], pl.wMin), pl.wMax));
  if (pl.rule == RULE_EQUATIONS) {
    pl.ev = [];
    let tauTrace = Infinity;
    for (let k = 0; k < pl.nEv; k++) {
      const side = pl.evSide[k];
      pl.ev.push(new StaticArray<f64>(side == 1 ? nPre : side == 2 ? nPost : n));
      if (side != 0) tauTrace = Math.min(tauTrace, pl.evTau[k]);
    }
    pl.renormAfter = 20.0 * tauTrace;
    pl.last = new StaticArray<f64>(n);
    pl.ptrs = new StaticArray<u32>(8 + pl.nEv);
    pl.ptrs[0] = <u32>changetype<usize>(pl.w);
    pl.ptrs[1] = <u32>changetype<usize>(pr.weights);
    pl.ptrs[2] = <u32>changetype<usize>(pl.last);
    pl.ptrs[3] = <u32>changetype<usize>(pl.colSyn);
    pl.ptrs[4] = <u32>changetype<usize>(pr.targets);
    pl.ptrs[5] = <u32>changetype<usize>(pl.colSrc);
    pl.ptrs[6] = <u32>changetype<usize>(pr.rowPtr);
    pl.ptrs[7] = <u32>(changetype<usize>(pl) + offsetof<Plasticity>("base"));
    for (let k = 0; k < pl.nEv; k++) pl.ptrs[8 + k] = <u32>changetype<usize>(pl.ev[k]);
  }
}

@inline function setW(pr: Projection, pl: Plasticity, s: i32, w: f64): void {
  unchecked(pl.w[s] = w);
  unchecked(pr.weights[s] = <f32>w);
}

@inline function grow(tau: f64, t: f64, base: f64): f64 { return Math.exp((t - base) / tau); }

// Moves the base to t: every stored value times exp(-(t - base)/tau).
function rebase(pr: Projection, t: f64): void {
  const pl = pr.plasticity!;
  if (pl.rule == RULE_REWARD) flushReward(pr, t);
  const d = t - pl.base;
  scale(pl.r1, Math.exp(-d / pl.tauPlus));
  scale(pl.o1, Math.exp(-d / pl.tauMinus));
  if (pl.rule == RULE_TRIPLET) {
    scale(pl.r2, Math.exp(-d / pl.tauX));
    scale(pl.o2, Math.exp(-d / pl.tauY));
  }
  if (pl.rule == RULE_REWARD) scale(pl.elig, Math.exp(-d / pl.tauC));
  if (pl.rule == RULE_EQUATIONS) {
    for (let k = 0; k < pl.nEv; k++) if (pl.evSide[k] != 0) scale(pl.ev[k], Math.exp(-d / pl.evTau[k]));
  }
  pl.base = t;
}

function scale(a: StaticArray<f64>, f: f64): void {
  for (let k = 0; k < a.length; k++) unchecked(a[k] *= f);
}

@inline function clampW(pl: Plasticity, w: f64): f64 {
  return w < pl.wMin ? pl.wMin : w > pl.wMax ? pl.wMax : w;
}

// Reward rule: adds eta w_max M integral(c dt) from the last flush to t to
// every weight (c decays exponentially between events, so the integral is
// closed-form), then clamps.
export function flushReward(pr: Projection, t: f64): void {
  const pl = pr.plasticity!;
  if (pl.modulator != 0 && t > pl.lastFlush) {
    const k = pl.eta * pl.wMax * pl.modulator * pl.tauC
      * (Math.exp(-(pl.lastFlush - pl.base) / pl.tauC) - Math.exp(-(t - pl.base) / pl.tauC));
    const n = pr.nSyn;
    for (let s = 0; s < n; s++) {
      setW(pr, pl, s, clampW(pl, unchecked(pl.w[s]) + k * unchecked(pl.elig[s])));
    }
  }
  pl.lastFlush = t;
}

export function setModulator(pr: Projection, value: f64, t: f64): void {
  flushReward(pr, t);
  pr.plasticity!.modulator = value;
}

// Adds dc (eligibility units) to synapse s at time t, in stored units, and
// takes back what the next flush would add for the time before t.
@inline function addEligibility(pr: Projection, s: i32, dc: f64, t: f64): void {
  const pl = pr.plasticity!;
  const stored = dc * Math.exp((t - pl.base) / pl.tauC);
  unchecked(pl.elig[s] += stored);
  if (pl.modulator != 0) {
    const early = pl.eta * pl.wMax * pl.modulator * pl.tauC
      * (Math.exp(-(pl.lastFlush - pl.base) / pl.tauC) - Math.exp(-(t - pl.base) / pl.tauC));
    setW(pr, pl, s, unchecked(pl.w[s]) - early * stored);
  }
}

// w[s0 + j] = clamp(w[s0 + j] - k o1[j]) for j < n, two synapses per vector.
function depressRow(pr: Projection, pl: Plasticity, s0: i32, n: i32, k: f64): void {
  const w = changetype<usize>(pl.w) + (<usize>s0 << 3);
  const wf = changetype<usize>(pr.weights) + (<usize>s0 << 2);
  const o1 = changetype<usize>(pl.o1);
  const kv = f64x2.splat(k), lo = f64x2.splat(pl.wMin), hi = f64x2.splat(pl.wMax);
  const n2 = n & ~1;
  for (let j = 0; j < n2; j += 2) {
    const a = w + (<usize>j << 3);
    const v = f64x2.pmin(hi, f64x2.pmax(lo, f64x2.sub(v128.load(a), f64x2.mul(kv, v128.load(o1 + (<usize>j << 3))))));
    v128.store(a, v);
    v128.store64_lane(wf + (<usize>j << 2), f32x4.demote_f64x2_zero(v), 0);
  }
  for (let j = n2; j < n; j++) {
    const v = clampW(pl, load<f64>(w + (<usize>j << 3)) - k * load<f64>(o1 + (<usize>j << 3)));
    store<f64>(w + (<usize>j << 3), v);
    store<f32>(wf + (<usize>j << 2), <f32>v);
  }
}

// A presynaptic spike of i reaches its synapses at t: depression, then i's traces.
function preEvent(pr: Projection, i: i32, t: f64): void {
  const pl = pr.plasticity!;
  if (pl.rule == RULE_EQUATIONS) {
    call_indirect<void>(<u32>pl.onPre, <u32>changetype<usize>(pl.ptrs), <i32>unchecked(pr.rowPtr[i]), <i32>unchecked(pr.rowPtr[i + 1]), i, t);
    return;
  }
  const g1 = grow(pl.tauPlus, t, pl.base);
  // stored o1 -> o1(t); with equal time constants it is 1 / g1 (one exponential less).
  const o1f = pl.tauMinus == pl.tauPlus ? 1.0 / g1 : Math.exp(-(t - pl.base) / pl.tauMinus);
  const s0 = <i32>unchecked(pr.rowPtr[i]), s1 = <i32>unchecked(pr.rowPtr[i + 1]);
  const wMax = pl.wMax;
  if (pr.dense && (pl.rule == RULE_TRIPLET || (pl.rule == RULE_PAIR && pl.mu == 0))) {
    // Targets 0..n-1: w_row -= k o1 as f64x2 vectors, mirrored to f32.
    const k = pl.rule == RULE_TRIPLET
      ? wMax * (pl.a2m + pl.a3m * unchecked(pl.r2[i]) * Math.exp(-(t - pl.base) / pl.tauX)) * o1f
      : wMax * pl.aMinus * o1f;
    depressRow(pr, pl, s0, s1 - s0, k);
  } else if (pl.rule == RULE_TRIPLET) {
    const r2 = unchecked(pl.r2[i]) * Math.exp(-(t - pl.base) / pl.tauX);
    const k = wMax * (pl.a2m + pl.a3m * r2) * o1f;
    for (let s = s0; s < s1; s++) {
      const j = <i32>unchecked(pr.targets[s]);
      setW(pr, pl, s, clampW(pl, unchecked(pl.w[s]) - k * unchecked(pl.o1[j])));
    }
  } else if (pl.rule == RULE_REWARD) {
    const k = pl.aMinus * o1f;
    for (let s = s0; s < s1; s++) {
      const j = <i32>unchecked(pr.targets[s]);
      addEligibility(pr, s, -k * unchecked(pl.o1[j]), t);
    }
  } else {
    const k = wMax * pl.aMinus * o1f;
    const mu = pl.mu;
    for (let s = s0; s < s1; s++) {
      const j = <i32>unchecked(pr.targets[s]);
      const w = unchecked(pl.w[s]);
      const f = mu == 0 ? 1.0 : mu == 1 ? w / wMax : Math.pow(Math.max(w, 0) / wMax, mu);
      setW(pr, pl, s, clampW(pl, w - k * f * unchecked(pl.o1[j])));
    }
  }
  bump(pl.r1, i, g1, pl.pairing);
  if (pl.rule == RULE_TRIPLET) bump(pl.r2, i, grow(pl.tauX, t, pl.base), pl.pairing);
}

// A postsynaptic spike of j reaches its synapses at t: potentiation, then j's traces.
function postEvent(pr: Projection, j: i32, t: f64): void {
  const pl = pr.plasticity!;
  if (pl.rule == RULE_EQUATIONS) {
    call_indirect<void>(<u32>pl.onPost, <u32>changetype<usize>(pl.ptrs), <i32>unchecked(pl.colPtr[j]), <i32>unchecked(pl.colPtr[j + 1]), j, t);
    return;
  }
  const g1 = grow(pl.tauMinus, t, pl.base);
  const r1f = pl.tauMinus == pl.tauPlus ? 1.0 / g1 : Math.exp(-(t - pl.base) / pl.tauPlus);
  const c0 = <i32>unchecked(pl.colPtr[j]), c1 = <i32>unchecked(pl.colPtr[j + 1]);
  const wMax = pl.wMax;
  if (pl.rule == RULE_TRIPLET) {
    const o2 = unchecked(pl.o2[j]) * Math.exp(-(t - pl.base) / pl.tauY);
    const k = wMax * (pl.a2p + pl.a3p * o2) * r1f;
    for (let c = c0; c < c1; c++) {
      const s = <i32>unchecked(pl.colSyn[c]), i = <i32>unchecked(pl.colSrc[c]);
      setW(pr, pl, s, clampW(pl, unchecked(pl.w[s]) + k * unchecked(pl.r1[i])));
    }
  } else if (pl.rule == RULE_REWARD) {
    const k = pl.aPlus * r1f;
    for (let c = c0; c < c1; c++) {
      const s = <i32>unchecked(pl.colSyn[c]), i = <i32>unchecked(pl.colSrc[c]);
      addEligibility(pr, s, k * unchecked(pl.r1[i]), t);
    }
  } else {
    const k = wMax * pl.aPlus * r1f;
    const mu = pl.mu;
    for (let c = c0; c < c1; c++) {
      const s = <i32>unchecked(pl.colSyn[c]), i = <i32>unchecked(pl.colSrc[c]);
      const w = unchecked(pl.w[s]);
      const f = mu == 0 ? 1.0 : mu == 1 ? 1.0 - w / wMax : Math.pow(Math.max(1.0 - w / wMax, 0), mu);
      setW(pr, pl, s, clampW(pl, w + k * f * unchecked(pl.r1[i])));
    }
  }
  bump(pl.o1, j, g1, pl.pairing);
  if (pl.rule == RULE_TRIPLET) bump(pl.o2, j, grow(pl.tauY, t, pl.base), pl.pairing);
}

// A spike adds 1 to a trace (all-to-all) or sets it to 1 (nearest); g = exp((t - base)/tau).
@inline function bump(a: StaticArray<f64>, k: i32, g: f64, pairing: i32): void {
  if (pairing == PAIRING_NEAREST) unchecked(a[k] = g);
  else unchecked(a[k] += g);
}

// Scratch for ordering one step's events by time.
let preOrder = new StaticArray<i32>(64);
let postOrder = new StaticArray<i32>(64);

function ordered(offs: StaticArray<f64>, n: i32, which: i32): StaticArray<i32> {
  let order = which == 0 ? preOrder : postOrder;
  if (order.length < n) {
    order = new StaticArray<i32>(max(n, order.length * 2));
    if (which == 0) preOrder = order; else postOrder = order;
  }
  for (let k = 0; k < n; k++) unchecked(order[k] = k);
  // Insertion sort: already sorted for clock-driven and Poisson sources (a
  // linear pass), nearly sorted otherwise. Stable, so equal times keep their order.
  for (let x = 1; x < n; x++) {
    const o = unchecked(order[x]);
    const v = unchecked(offs[o]);
    let y = x - 1;
    while (y >= 0 && unchecked(offs[unchecked(order[y])]) > v) { unchecked(order[y + 1] = unchecked(order[y])); y--; }
    unchecked(order[y + 1] = o);
  }
  return order;
}

const NO_IDS = new StaticArray<i32>(0);
const NO_OFFS = new StaticArray<f64>(0);

// The events of step m at the synapses of a plastic projection, in time order.
export function stepPlasticity(pr: Projection, m: i32, dt: f64): void {
  const pl = pr.plasticity!;
  const d = pr.delayConst;
  const tStart = <f64>m * dt;
  // Clock-driven synaptic equations: one step of every synapse, before the step's events.
  if (pl.rule == RULE_EQUATIONS && pl.stepFn >= 0) call_indirect<void>(<u32>pl.stepFn, <u32>changetype<usize>(pl.ptrs), pr.nPre, tStart);
  if (tStart - pl.base > pl.renormAfter) rebase(pr, tStart);
  const preStep = pl.dendritic ? m : m - d, postStep = pl.dendritic ? m - d : m;
  const pre = pr.pre, post = pr.post;
  let nA = 0, nB = 0;
  let idsA = NO_IDS, offsA = NO_OFFS;
  let idsB = NO_IDS, offsB = NO_OFFS;
  if (preStep >= 0) {
    const s = pre.slotOf(preStep);
    nA = unchecked(pre.histCount[s]);
    idsA = unchecked(pre.histIds[s]);
    offsA = unchecked(pre.histOffs[s]);
  }
  if (postStep >= 0) {
    const s = post.slotOf(postStep);
    nB = unchecked(post.histCount[s]);
    idsB = unchecked(post.histIds[s]);
    offsB = unchecked(post.histOffs[s]);
  }
  if (nA == 0 && nB == 0) return;
  const oa = ordered(offsA, nA, 0), ob = ordered(offsB, nB, 1);
  let a = 0, b = 0;
  while (a < nA || b < nB) {
    // Ties: pre before post.
    if (b >= nB || (a < nA && unchecked(offsA[unchecked(oa[a])]) <= unchecked(offsB[unchecked(ob[b])]))) {
      const k = unchecked(oa[a++]);
      preEvent(pr, unchecked(idsA[k]), tStart + unchecked(offsA[k]));
    } else {
      const k = unchecked(ob[b++]);
      postEvent(pr, unchecked(idsB[k]), tStart + unchecked(offsB[k]));
    }
  }
}

// Scales the incoming weights of every postsynaptic neuron so they sum to `total`.
let normFactors = new StaticArray<f64>(0);

export function normalizeIncoming(pr: Projection, total: f64): void {
  const n = pr.nPost, nSyn = pr.nSyn;
  const pl = pr.plasticity;
  if (normFactors.length < n) normFactors = new StaticArray<f64>(n);
  const f = normFactors;
  for (let j = 0; j < n; j++) unchecked(f[j] = 0);
  const targets = pr.targets;
  if (pl != null) {
    const w = pl.w;
    for (let s = 0; s < nSyn; s++) unchecked(f[unchecked(targets[s])] += unchecked(w[s]));
  } else {
    for (let s = 0; s < nSyn; s++) unchecked(f[unchecked(targets[s])] += <f64>unchecked(pr.weights[s]));
  }
  // Targets with no weight at all are left as they are.
  for (let j = 0; j < n; j++) { const sum = unchecked(f[j]); unchecked(f[j] = sum > 0 ? total / sum : 1.0); }
  if (pl != null) {
    const w = pl.w;
    for (let s = 0; s < nSyn; s++) setW(pr, pl, s, unchecked(w[s]) * unchecked(f[unchecked(targets[s])]));
  } else {
    for (let s = 0; s < nSyn; s++) unchecked(pr.weights[s] = <f32>(<f64>unchecked(pr.weights[s]) * unchecked(f[unchecked(targets[s])])));
  }
}

// Traces of neuron k now, for inspection (pre side r1, post side o1).
export function traceValue(pr: Projection, post: bool, k: i32, t: f64): f64 {
  const pl = pr.plasticity!;
  return post ? pl.o1[k] * Math.exp(-(t - pl.base) / pl.tauMinus) : pl.r1[k] * Math.exp(-(t - pl.base) / pl.tauPlus);
}

// Scales every weight change of the projection by `rate` (relative to the
// model's amplitudes) from now on. rate > 0 (freezing is freezeLearning's).
export function setLearningRate(pl: Plasticity, rate: f64): void {
  const k = rate / pl.rate;
  if (pl.rule == RULE_REWARD) {
    pl.eta *= k;
  } else {
    pl.aPlus *= k; pl.aMinus *= k;
    pl.a2p *= k; pl.a3p *= k; pl.a2m *= k; pl.a3m *= k;
  }
  pl.rate = rate;
}
