// Partition functions and log-likelihoods of RBMs.
//
// Annealed importance sampling (Neal 2001) as Salakhutdinov & Murray (2008)
// apply it to RBMs: from a base-rate model A (no weights, visible biases b_A
// of the training data's mean pixel, so Z_A is known) to the RBM B through
// the intermediate distributions, hidden units summed out,
//   p*_beta(v) = exp((1 - beta) b_A.v + beta b_B.v) prod_j (1 + exp(beta (c_j + (v W)_j))),
// where p*_0 = 2^nh p*_A and p*_1 = p*_B. A run draws v from A, then for each
// beta_k of the schedule adds log p*_k(v) - log p*_{k-1}(v) to its log weight
// and moves v by one Gibbs sweep (h | v, then v | h) that leaves p_k
// invariant. Z_B / Z_0 is the mean of the weights, so
//   log Z_B = log Z_0 + log mean_m w_m,  log Z_0 = nh log 2 + sum_i softplus(b_A,i);
// its error bar is log(mean w +- 3 sd(w) / sqrt(M)), as the paper reports it.
// Because the mean of the weights is unbiased for Z, log Z is on average
// underestimated (Jensen), so the log-likelihood derived from it tends to be
// overestimated: the paper's caveat, repeated where hebb reports it.
//
// The schedule is the paper's: 500 betas in [0, 0.5], 4000
// in [0.5, 0.9] and 10000 in [0.9, 1] (14500 in all), scaled to the count
// asked for. Betas are rounded to f32 once, and the same rounded values drive
// the increments and the sweeps: the estimator stays exact for the schedule
// it ran.

import { Mat, type Dense } from '../kernel/dense.js';
import type { Rbm } from './rbm.js';
import { softplus } from './scalar.js';

export interface AisOptions {
  /** Intermediate distributions (the paper: 14500). */
  betas: number;
  /** Independent runs (the paper: 100). */
  runs: number;
  seed: number;
  /** The base-rate model's visible biases (default: the RBM's own visible biases). */
  baseBias?: ArrayLike<number>;
  /**
   * Anneal the weights only, keeping the hidden biases c at full strength on
   * the whole path: p*_beta(v) = exp(...) prod_j (1 + exp(beta (v W)_j + c_j)),
   * so at beta = 0 the hidden units are independent with their own biases
   * (log Z_0 then has sum_j softplus(c_j) for nh log 2). Any path is exact;
   * this one is far shorter when the hidden biases are strong, as for a DBM
   * whose "hidden" layer is its visible one (dbm.ts).
   */
  keepHiddenBiases?: boolean;
}

export interface AisResult {
  logZ: number;
  /** log(mean w - 3 sd(w)/sqrt(M)) + log Z_0 (-Infinity when the interval reaches 0). */
  logZLow: number;
  /** log(mean w + 3 sd(w)/sqrt(M)) + log Z_0. */
  logZHigh: number;
  logZBase: number;
  /** Standard error of log Z (delta method: sd(w) / (sqrt(M) mean w)). */
  logZSe: number;
  betas: number;
  runs: number;
  /** (sum w)^2 / sum w^2: how many of the runs carry the estimate. */
  effectiveRuns: number;
}

/** The paper's schedule with `count` steps: beta_0 = 0 < ... < beta_count = 1, in f32. */
export function betaSchedule(count: number): Float64Array {
  if (!Number.isInteger(count) || count < 3) throw new RangeError(`AIS needs at least 3 intermediate distributions (got ${count})`);
  const n1 = Math.max(1, Math.round(count * 500 / 14500));
  const n2 = Math.max(1, Math.round(count * 4000 / 14500));
  const n3 = count - n1 - n2;
  const out = new Float64Array(count + 1);
  let k = 0;
  const segment = (from: number, to: number, n: number) => { for (let i = 0; i < n; i++) out[k++] = Math.fround(from + (to - from) * i / n); };
  segment(0, 0.5, n1);
  segment(0.5, 0.9, n2);
  segment(0.9, 1, n3);
  out[count] = 1;
  return out;
}


function logMeanExp(x: Float64Array): { log: number; max: number; scaled: Float64Array } {
  let max = -Infinity;
  for (const v of x) max = Math.max(max, v);
  const scaled = Float64Array.from(x, (v) => Math.exp(v - max));
  let s = 0;
  for (const v of scaled) s += v;
  return { log: max + Math.log(s / x.length), max, scaled };
}

/** The machine AIS anneals to: its weights (nv x nh) in a Dense, its biases as values. */
export interface AisMachine { W: Mat; b: ArrayLike<number>; c: ArrayLike<number> }

/** log Z of the base-rate model at beta = 0 (see the top of this file and keepHiddenBiases). */
function baseLogZ(bA: ArrayLike<number>, c: ArrayLike<number>, nh: number, keep: boolean): number {
  let logZBase = 0;
  if (keep) for (let j = 0; j < c.length; j++) logZBase += softplus(c[j]!);
  else logZBase = nh * Math.LN2;
  for (let i = 0; i < bA.length; i++) logZBase += softplus(bA[i]!);
  return logZBase;
}

/**
 * The log importance weights of runs [r0, r1) of M (r0 a multiple of 4):
 * each run's draws come from the counters it has in a batch of all M runs,
 * and the dense kernels give a row the same bits in a block of rows starting
 * at a multiple of 4 as in the whole batch, so any split of the runs (over
 * threads) gives every run's weight bit for bit.
 */
export function aisLogWeights(m: AisMachine, o: AisOptions, r0: number, r1: number): Float64Array {
  const d: Dense = m.W.dense;
  const nv = m.W.rows, nh = m.W.cols;
  const M = o.runs, R = r1 - r0;
  if (!Number.isInteger(M) || M < 2) throw new RangeError(`AIS needs at least 2 runs (got ${M})`);
  if (!(Number.isInteger(r0) && Number.isInteger(r1) && r0 % 4 === 0 && r0 >= 0 && r0 < r1 && r1 <= M)) throw new RangeError(`runs ${r0}..${r1} of ${M}: a block starts at a multiple of 4`);
  const betas = betaSchedule(o.betas);
  const bB = Float32Array.from(m.b);
  const bA = Float64Array.from(o.baseBias ?? bB);
  if (bA.length !== nv) throw new RangeError(`the base-rate biases have ${bA.length} values for ${nv} visible units`);
  const keep = o.keepHiddenBiases ?? false;
  const V = d.mat(R, nv), P = d.mat(R, nv), A = d.mat(R, nh), H = d.mat(R, nh), bias = d.mat(1, nv), c = d.mat(1, nh, m.c);
  const dB = d.mat(nv, 1, Float64Array.from(bB, (b, i) => b - bA[i]!)), Vd = d.mat(R, 1);
  const logW = d.vecF64(R);
  // Draws from their own Philox counters (high word 0x415), apart from training's;
  // a matrix of the whole batch takes ceil(M cols / 4) blocks, this block's rows from r0 cols / 4 on.
  const stream = (o.seed * 64 + 62) % 2 ** 24;
  let draws = 0;
  const sample = (p: Mat, out: Mat) => { d.bernoulli(p, out, 0x415 * 2 ** 32 + draws + r0 * p.cols / 4, stream); draws += Math.ceil(M * p.cols / 4); };
  try {
    // v ~ p_A: independent pixels.
    const pA = Float32Array.from(bA, (b) => 1 / (1 + Math.exp(-b)));
    for (let r = 0; r < R; r++) P.row(r).set(pA);
    sample(P, V);
    // The visible part of log p*_k - log p*_{k-1} is (beta_k - beta_{k-1}) (b_B - b_A).v: summed per run here.
    const visibleTerm = new Float64Array(R);
    const biasRow = new Float32Array(nv);
    for (let k = 1; k < betas.length; k++) {
      const b1 = betas[k]!, b0 = betas[k - 1]!;
      // a = v W (+ c when the biases anneal too), shared by the weight increment and the hidden sweep.
      d.gemm(V, m.W, A);
      if (keep) d.softplusDelta(A, b1, b0, logW, c);
      else {
        d.addRows(A, c);
        d.softplusDelta(A, b1, b0, logW);
      }
      d.gemm(V, dB, Vd);
      const vd = Vd.data;
      for (let r = 0; r < R; r++) visibleTerm[r]! += (b1 - b0) * vd[r]!;
      // One sweep at beta_k: h ~ sigma(beta a) (sigma(beta v W + c) when the hidden biases stay), v ~ sigma((1 - beta) b_A + beta (b_B + W h)).
      d.scale(A, b1);
      if (keep) d.addRows(A, c);
      d.sigmoid(A);
      sample(A, H);
      for (let i = 0; i < nv; i++) biasRow[i] = (1 - b1) * bA[i]! + b1 * bB[i]!;
      bias.set(biasRow);
      d.gemm(H, m.W, P, { transB: true, alpha: b1 });
      d.addRows(P, bias);
      d.sigmoid(P);
      sample(P, V);
    }
    const lw = logW.toArray();
    for (let r = 0; r < R; r++) lw[r]! += visibleTerm[r]!;
    return lw;
  } finally {
    for (const x of [V, P, A, H, bias, c, dB, Vd]) x.free();
    logW.free();
  }
}

/** The estimate from every run's log weight (see AisResult). */
export function aisEstimate(lw: Float64Array, m: { b: ArrayLike<number>; c: ArrayLike<number> }, o: AisOptions): AisResult {
  const M = lw.length;
  const logZBase = baseLogZ(o.baseBias ?? m.b, m.c, m.c.length, o.keepHiddenBiases ?? false);
  const { log, max, scaled } = logMeanExp(lw);
  let mean = 0, sq = 0, sum2 = 0;
  for (const w of scaled) { mean += w / M; sum2 += w * w; }
  for (const w of scaled) sq += (w - mean) ** 2;
  const se = Math.sqrt(sq / (M - 1)) / Math.sqrt(M);
  const sum = mean * M;
  return {
    logZ: logZBase + log,
    logZLow: logZBase + max + (mean - 3 * se > 0 ? Math.log(mean - 3 * se) : -Infinity),
    logZHigh: logZBase + max + Math.log(mean + 3 * se),
    logZBase,
    logZSe: se / mean,
    betas: o.betas,
    runs: M,
    effectiveRuns: (sum * sum) / sum2,
  };
}

/** log Z of the RBM by annealed importance sampling (see the top of this file), on this thread. */
export function aisLogZ(rbm: Rbm, o: AisOptions): AisResult {
  const m = { W: rbm.W, b: rbm.b.toArray(), c: rbm.c.toArray() };
  return aisEstimate(aisLogWeights(m, o, 0, o.runs), m, o);
}

/** log Z by summing over every state of the smaller layer (at most 2^24 states). */
export function exactLogZ(rbm: Rbm): number {
  const { nv, nh } = rbm;
  const W = rbm.W.toArray(), b = rbm.b.toArray(), c = rbm.c.toArray();
  // Sum over the states s of the smaller layer; the other layer is summed out in closed form.
  const overHidden = nh <= nv;
  const ns = overHidden ? nh : nv, no = overHidden ? nv : nh;
  if (ns > 24) throw new RangeError(`exact log Z enumerates 2^${ns} states: at most 2^24`);
  const sBias = overHidden ? c : b, oBias = overHidden ? b : c;
  // weight(s_index, o_index)
  const w = (si: number, oi: number) => (overHidden ? W[oi * nh + si]! : W[si * nh + oi]!);
  const field = new Float64Array(no);
  const terms = new Float64Array(2 ** ns);
  for (let state = 0; state < 2 ** ns; state++) {
    let t = 0;
    field.set(oBias);
    for (let si = 0; si < ns; si++) {
      if (((state >>> si) & 1) === 0) continue;
      t += sBias[si]!;
      for (let oi = 0; oi < no; oi++) field[oi]! += w(si, oi);
    }
    for (let oi = 0; oi < no; oi++) t += softplus(field[oi]!);
    terms[state] = t;
  }
  return logMeanExp(terms).log + ns * Math.LN2;
}

/** Mean log p(v) = -F(v) - log Z over the rows of V (binary states, rows x nv). */
export function meanLogLikelihood(rbm: Rbm, V: Float32Array, logZ: number): number {
  const rows = V.length / rbm.nv;
  const chunk = 500;
  let sum = 0;
  for (let s = 0; s < rows; s += chunk) {
    const B = Math.min(chunk, rows - s);
    const m = rbm.dense.mat(B, rbm.nv, V.subarray(s * rbm.nv, (s + B) * rbm.nv));
    try {
      for (const f of rbm.freeEnergy(m)) sum += -f - logZ;
    } finally {
      m.free();
    }
  }
  return sum / rows;
}
