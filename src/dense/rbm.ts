// A restricted Boltzmann machine with Bernoulli visible and hidden units:
// E(v, h) = -b.v - c.h - v^T W h, W (visible x hidden). Trained by
// contrastive divergence (CD-k: k Gibbs steps from the data) or persistent
// CD (PCD: the negative chains carry over between updates, Tieleman 2008):
//   dW ~ <v h>_data - <v h>_model, db ~ <v>_data - <v>_model, dc ~ <h>_data - <h>_model,
// with hidden probabilities (not samples) in the statistics (Hinton 2010).
// Every product is a SIMD gemm; samples come from the kernel's Philox stream.
//
// Reported: reconstruction error (mean squared, one up-down pass), free
// energy F(v) = -b.v - sum_j log(1 + exp(c_j + (v W)_j)), and the stochastic
// pseudo-log-likelihood N log sigmoid(F(v~) - F(v)) with one random pixel
// flipped: on the grey levels as scikit-learn's BernoulliRBM.score_samples
// computes it, and on the binarised digit; the exact one (every bit) beside.

import { Dense, Mat } from '../kernel/dense.js';
import { Scratch } from './scratch.js';
import { gatherRows } from './batches.js';
import { Optimizer, type OptimizerOptions, type Param } from './optim.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';
import { softplus, logSigmoid } from './scalar.js';


export interface CdOptions {
  k: number;
  persistent: boolean;
  batch: number;
  /** Scale of the hidden units' input from the visible ones (2: the bottom RBM of a DBM's pretraining). */
  up?: number;
  /** Scale of the visible units' input from the hidden ones (2: the top RBM of a DBM's pretraining). */
  down?: number;
}

export class Rbm {
  readonly W: Mat;
  readonly b: Mat;
  readonly c: Mat;
  readonly gW: Mat;
  readonly gb: Mat;
  readonly gc: Mat;
  private readonly scratch: Scratch;
  private chains: Mat | undefined;   // PCD: hidden samples of the persistent chains
  private draws = 0;

  constructor(readonly dense: Dense, readonly nv: number, readonly nh: number, readonly seed: number, readonly stream = 0) {
    this.scratch = new Scratch(dense);
    const rng = new Philox(seed);
    // Small Gaussian weights (sd 0.01), zero biases (Hinton 2010).
    this.W = dense.mat(nv, nh, Float32Array.from({ length: nv * nh }, (_, k) => 0.01 * rng.normal(k, stream, 0, STREAM_USER_TS | 11)));
    this.b = dense.mat(1, nv);
    this.c = dense.mat(1, nh);
    this.gW = dense.mat(nv, nh);
    this.gb = dense.mat(1, nv);
    this.gc = dense.mat(1, nh);
  }

  /** Sets the visible biases to log(p / (1 - p)) of the training data's mean pixel (Hinton 2010, 8.1). */
  initVisibleBias(data: Float32Array, indices: ArrayLike<number>): void {
    const mean = new Float64Array(this.nv);
    for (let r = 0; r < indices.length; r++) { const o = indices[r]! * this.nv; for (let i = 0; i < this.nv; i++) mean[i]! += data[o + i]!; }
    this.b.set(Array.from(mean, (s) => { const p = Math.min(0.99, Math.max(0.01, s / indices.length)); return Math.log(p / (1 - p)); }));
  }

  params(): Param[] {
    return [{ name: 'W', w: this.W, g: this.gW }, { name: 'b', w: this.b, g: this.gb }, { name: 'c', w: this.c, g: this.gc }];
  }

  optimizer(options: OptimizerOptions): Optimizer {
    return new Optimizer(this.dense, this.params(), options);
  }

  private buf(name: string, B: number, cols: number): Mat {
    return this.scratch.get(name, B, cols);
  }

  private sample(p: Mat, out: Mat): void {
    this.dense.bernoulli(p, out, this.draws, (this.seed * 64 + this.stream) % 2 ** 24);
    this.draws += Math.ceil(p.size / 4);
  }

  /** Hidden probabilities of visible rows: sigmoid(scale V W + c). */
  hiddenProbs(V: Mat, out: Mat, scale = 1): void {
    this.dense.gemm(V, this.W, out, { alpha: scale });
    this.dense.addRows(out, this.c);
    this.dense.sigmoid(out);
  }

  /** Visible probabilities of hidden rows: sigmoid(scale H W^T + b). */
  visibleProbs(H: Mat, out: Mat, scale = 1): void {
    this.dense.gemm(H, this.W, out, { transB: true, alpha: scale });
    this.dense.addRows(out, this.b);
    this.dense.sigmoid(out);
  }

  /** Gradient (for descent: minus the log-likelihood gradient estimate) of one batch into gW, gb, gc. */
  gradient(x: Float32Array, B: number, o: CdOptions): void {
    const d = this.dense;
    const V0 = this.buf('v0', B, this.nv).set(x.subarray(0, B * this.nv));
    const H0 = this.buf('h0', B, this.nh);
    const up = o.up ?? 1, down = o.down ?? 1;
    this.hiddenProbs(V0, H0, up);
    const Hs = this.buf('hs', B, this.nh);
    if (o.persistent) {
      if (!this.chains || this.chains.rows !== B) {
        this.chains?.free();
        this.chains = d.mat(B, this.nh);
        this.sample(H0, this.chains);
      }
      Hs.set(this.chains.data);
    } else {
      this.sample(H0, Hs);
    }
    const Vk = this.buf('vk', B, this.nv), Vs = this.buf('vs', B, this.nv), Hk = this.buf('hk', B, this.nh);
    for (let step = 0; step < o.k; step++) {
      this.visibleProbs(Hs, Vk, down);
      this.sample(Vk, Vs);
      this.hiddenProbs(Vs, Hk, up);
      if (step < o.k - 1 || o.persistent) this.sample(Hk, Hs);
    }
    if (o.persistent) this.chains!.set(Hs.data);
    // Negative statistics from the sampled visible state, hidden probabilities.
    d.gemm(V0, H0, this.gW, { transA: true, alpha: -1 / B });
    d.gemm(Vs, Hk, this.gW, { transA: true, alpha: 1 / B, beta: 1 });
    d.sumRows(V0, this.gb, -1 / B);
    d.sumRows(Vs, this.gb, 1 / B, 1);
    d.sumRows(H0, this.gc, -1 / B);
    d.sumRows(Hk, this.gc, 1 / B, 1);
  }

  /**
   * One pass in the given order. With `binarize`, each digit is binarised
   * afresh (pixel on with the probability of its grey level) as the papers
   * that report likelihoods train; otherwise the grey levels are the data.
   */
  trainEpoch(data: Float32Array, order: ArrayLike<number>, opt: Optimizer, o: CdOptions, binarize?: { rng: Philox; epoch: number }): void {
    const nv = this.nv;
    const x = new Float32Array(o.batch * nv);
    for (let start = 0; start + o.batch <= order.length; start += o.batch) {
      gatherRows(data, nv, order, start, o.batch, x, binarize && { ...binarize, lane: 0, stream: STREAM_USER_TS | 18 }, this.dense);
      this.gradient(x, o.batch, o);
      opt.step();
    }
  }

  /** Free energy of each row of V (B x nv). */
  freeEnergy(V: Mat): Float64Array {
    const H = this.buf('fe', V.rows, this.nh);
    this.dense.gemm(V, this.W, H);
    this.dense.addRows(H, this.c);
    const h = H.data, v = V.data, b = this.b.data;
    const out = new Float64Array(V.rows);
    for (let r = 0; r < V.rows; r++) {
      let f = 0;
      for (let i = 0; i < this.nv; i++) f -= b[i]! * v[r * this.nv + i]!;
      for (let j = 0; j < this.nh; j++) { f -= softplus(h[r * this.nh + j]!); }
      out[r] = f;
    }
    return out;
  }

  /**
   * Mean reconstruction error, pseudo-log-likelihood and free energy over the
   * digits at indices: the pseudo-log-likelihood as scikit-learn's
   * BernoulliRBM.score_samples computes it (the grey levels as they are, one
   * random pixel x replaced by 1 - x), and on the digits binarised at 0.5
   * (one random bit flipped; the free energy too).
   */
  evaluate(data: Float32Array, indices: ArrayLike<number>, seed = 7): { reconstruction_error: number; pseudo_log_likelihood: number; pseudo_log_likelihood_greyscale: number; free_energy: number } {
    const n = indices.length, nv = this.nv;
    const V = this.buf('ev', n, nv), H = this.buf('eh', n, this.nh), R = this.buf('er', n, nv);
    const v = V.data;
    for (let r = 0; r < n; r++) v.set(data.subarray(indices[r]! * nv, (indices[r]! + 1) * nv), r * nv);
    this.hiddenProbs(V, H);
    this.visibleProbs(H, R);
    let se = 0;
    const rec = R.data, v2 = V.data;
    for (let k = 0; k < n * nv; k++) se += (rec[k]! - v2[k]!) ** 2;
    const rng = new Philox(seed);
    const which = Array.from({ length: n }, (_, r) => Math.floor(rng.uniform(r, 0, 0, STREAM_USER_TS | 12) * nv));
    const pll = (): number => {
      const fe0 = this.freeEnergy(V);
      const x = V.data;
      which.forEach((i, r) => { x[r * nv + i] = 1 - x[r * nv + i]!; });
      const fe1 = this.freeEnergy(V);
      const y = V.data;
      which.forEach((i, r) => { y[r * nv + i] = 1 - y[r * nv + i]!; });
      let sum = 0;
      for (let r = 0; r < n; r++) sum += nv * logSigmoid(fe1[r]! - fe0[r]!);
      return sum / n;
    };
    const greyscale = pll();
    const bin = V.data;
    for (let k = 0; k < n * nv; k++) bin[k] = bin[k]! > 0.5 ? 1 : 0;
    const fe = this.freeEnergy(V);
    let feSum = 0;
    for (let r = 0; r < n; r++) feSum += fe[r]!;
    return { reconstruction_error: se / n, pseudo_log_likelihood: pll(), pseudo_log_likelihood_greyscale: greyscale, free_energy: feSum / n };
  }

  /**
   * The exact pseudo-log-likelihood sum_i log p(v_i | v_-i) of binary rows,
   * every bit in turn (the one-bit version above estimates it): flipping bit
   * i moves the hidden inputs by +-W_i, so F(v~i) - F(v) = -b_i s -
   * sum_j [softplus(a_j + s W_ij) - softplus(a_j)], s = 1 - 2 v_i.
   */
  exactPseudoLogLikelihood(V: Float32Array): number {
    const d = this.dense, nv = this.nv, nh = this.nh, rows = V.length / nv;
    const b = this.b.toArray();
    // The sums over j for every bit at once: rows of +W (bits that are 0) and -W (bits that are 1),
    // the digit's hidden inputs as the offsets (the AIS increment kernel with b1 = 1, b0 = 0).
    const Wneg = d.mat(nv, nh, this.W.data.map((w) => -w));
    const up = d.vecF64(nv), down = d.vecF64(nv);
    const chunk = 500;
    let total = 0;
    try {
      for (let s0 = 0; s0 < rows; s0 += chunk) {
        const B = Math.min(chunk, rows - s0);
        const X = d.mat(B, nv, V.subarray(s0 * nv, (s0 + B) * nv)), A = d.mat(B, nh);
        d.gemm(X, this.W, A);
        d.addRows(A, this.c);
        for (let r = 0; r < B; r++) {
          const a = new Mat(d, A.ptr + r * nh * 4, 1, nh);
          up.zero();
          down.zero();
          d.softplusDelta(this.W, 1, 0, up, a);
          d.softplusDelta(Wneg, 1, 0, down, a);
          const u = up.toArray(), w = down.toArray();
          for (let i = 0; i < nv; i++) {
            const on = V[(s0 + r) * nv + i] !== 0;
            total += logSigmoid(on ? b[i]! - w[i]! : -b[i]! - u[i]!);
          }
        }
        X.free();
        A.free();
      }
    } finally {
      Wneg.free();
      up.free();
      down.free();
    }
    return total / rows;
  }

  /** Samples after `steps` Gibbs steps from `count` random visible states (visible probabilities of the last step). */
  samples(count: number, steps: number): Float32Array {
    const V = this.buf('sv', count, this.nv), H = this.buf('sh', count, this.nh), Hs = this.buf('shs', count, this.nh);
    const rng = new Philox(this.seed + 99);
    V.set(Float32Array.from({ length: count * this.nv }, (_, k) => (rng.uniform(k, 0, 0, STREAM_USER_TS | 13) < 0.5 ? 1 : 0)));
    const P = this.buf('sp', count, this.nv);
    for (let s = 0; s < steps; s++) {
      this.hiddenProbs(V, H);
      this.sample(H, Hs);
      this.visibleProbs(Hs, P);
      this.sample(P, V);
    }
    return P.toArray();
  }

  /**
   * Block Gibbs chains from the given visible states (count x nv): steps of
   * h ~ p(h | v), v ~ p(v | h); returns the last step's probabilities.
   */
  gibbsFrom(v0: Float32Array, count: number, steps: number): { visible: Float32Array; hidden: Float32Array } {
    const V = this.buf('gv', count, this.nv).set(v0.subarray(0, count * this.nv));
    const H = this.buf('gh', count, this.nh), Hs = this.buf('ghs', count, this.nh), P = this.buf('gp', count, this.nv);
    for (let s = 0; s < steps; s++) {
      this.hiddenProbs(V, H);
      this.sample(H, Hs);
      this.visibleProbs(Hs, P);
      if (s < steps - 1) this.sample(P, V);
    }
    return { visible: P.toArray(), hidden: H.toArray() };
  }

  /** Hidden probabilities of the digits at indices (the input of the next RBM of a stack). */
  transform(data: Float32Array, indices: ArrayLike<number>): Float32Array {
    const n = indices.length, nv = this.nv;
    const out = new Float32Array(n * this.nh);
    const chunk = 500;
    for (let s = 0; s < n; s += chunk) {
      const B = Math.min(chunk, n - s);
      const V = this.buf('tv', B, nv), H = this.buf('th', B, this.nh);
      const v = V.data;
      for (let r = 0; r < B; r++) v.set(data.subarray(indices[s + r]! * nv, (indices[s + r]! + 1) * nv), r * nv);
      this.hiddenProbs(V, H);
      out.set(H.data, s * this.nh);
    }
    return out;
  }
}
