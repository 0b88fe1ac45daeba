// A variational autoencoder (Kingma & Welling 2013, arXiv 1312.6114) for
// binary images: the paper's MNIST model with one tanh hidden layer on each
// side, a Gaussian posterior q(z|x) = N(mu(x), diag exp(lv(x))), a standard
// normal prior and Bernoulli pixels p(x|z) = Bernoulli(sigmoid(logits(z))).
//
//   encoder  h = tanh(x We + be),  mu = h Wm + bm,  lv = h Wv + bv
//   sample   z = mu + exp(lv / 2) eps,  eps ~ N(0, I)   (the reparameterisation)
//   decoder  g = tanh(z Wd + bd),  l = g Wo + bo
//   loss     -ELBO = sum_i softplus(l_i) - x_i l_i  +  1/2 sum_j (mu_j^2 + e^lv_j - 1 - lv_j)
//
// Backward, per batch of B (the mean loss):
//   dl = (sigmoid(l) - x) / B;  dWo = g^T dl;  dg = dl Wo^T (1 - g^2)
//   dWd = z^T dg;  dz = dg Wd^T
//   dmu = dz + mu / B;  dlv = dz eps e^{lv/2} / 2 + (e^lv - 1) / (2 B)
//   dWm = h^T dmu;  dWv = h^T dlv;  dh = (dmu Wm^T + dlv Wv^T)(1 - h^2);  dWe = x^T dh
// Every product is a SIMD gemm in the kernel; vaeLossF64 is the plain f64
// reference the gradient check differentiates.

import { Dense, Mat } from '../kernel/dense.js';
import { Scratch } from './scratch.js';
import { gatherRows } from './batches.js';
import { Optimizer, type Param, type OptimizerOptions } from './optim.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';
import { softplus } from './scalar.js';

const LOG_2PI = Math.log(2 * Math.PI);

export const VAE_PARAMS = ['We', 'be', 'Wm', 'bm', 'Wv', 'bv', 'Wd', 'bd', 'Wo', 'bo'] as const;
export type VaeParamName = (typeof VAE_PARAMS)[number];

export interface VaeLoss {
  /** Mean -ELBO per image (nats). */
  loss: number;
  /** Mean reconstruction term -E_q log p(x|z), one sample (nats). */
  reconstruction: number;
  /** Mean KL(q(z|x) || p(z)) (nats, exact). */
  kl: number;
}

export class Vae {
  readonly w: Record<VaeParamName, Mat>;
  readonly g: Record<VaeParamName, Mat>;
  private readonly scratch: Scratch;

  constructor(readonly dense: Dense, readonly nx: number, readonly nh: number, readonly nz: number, seed: number) {
    this.scratch = new Scratch(dense);
    const rng = new Philox(seed);
    const shapes: Record<VaeParamName, [number, number]> = {
      We: [nx, nh], be: [1, nh], Wm: [nh, nz], bm: [1, nz], Wv: [nh, nz], bv: [1, nz],
      Wd: [nz, nh], bd: [1, nh], Wo: [nh, nx], bo: [1, nx],
    };
    const w = {} as Record<VaeParamName, Mat>, g = {} as Record<VaeParamName, Mat>;
    VAE_PARAMS.forEach((name, l) => {
      const [r, c] = shapes[name];
      // Glorot-uniform weights (tanh layers), zero biases.
      const limit = r > 1 ? Math.sqrt(6 / (r + c)) : 0;
      w[name] = dense.mat(r, c, Float32Array.from({ length: r * c }, (_, k) => (2 * rng.uniform(k, l, 0, STREAM_USER_TS | 15) - 1) * limit));
      g[name] = dense.mat(r, c);
    });
    this.w = w;
    this.g = g;
  }

  /** Takes the weights of a VAE of the same sizes (a trained one into a module's). */
  loadFrom(other: Vae): void {
    if (other.nx !== this.nx || other.nh !== this.nh || other.nz !== this.nz) throw new RangeError(`a VAE ${other.nx}-${other.nh}-${other.nz} does not fit one ${this.nx}-${this.nh}-${this.nz}`);
    for (const name of VAE_PARAMS) this.w[name].set(other.w[name].data);
  }

  params(): Param[] {
    return VAE_PARAMS.map((name) => ({ name, w: this.w[name], g: this.g[name] }));
  }

  optimizer(options: OptimizerOptions): Optimizer {
    return new Optimizer(this.dense, this.params(), options);
  }

  /** Output biases to the logits of the training data's mean pixels (a better start than 0). */
  initOutputBias(images: Float32Array, indices: ArrayLike<number>): void {
    const mean = new Float64Array(this.nx);
    for (let r = 0; r < indices.length; r++) for (let i = 0; i < this.nx; i++) mean[i]! += images[indices[r]! * this.nx + i]! / indices.length;
    this.w.bo.set(Array.from(mean, (p) => { const q = Math.min(0.999, Math.max(0.001, p)); return Math.log(q / (1 - q)); }));
  }

  private buf(name: string, B: number, cols: number): Mat {
    return this.scratch.get(name, B, cols);
  }

  /** h, mu, lv of B images (rows of X in kernel memory). */
  private encode(X: Mat, B: number): { H: Mat; MU: Mat; LV: Mat } {
    const d = this.dense;
    const H = this.buf('h', B, this.nh), MU = this.buf('mu', B, this.nz), LV = this.buf('lv', B, this.nz);
    d.gemm(X, this.w.We, H);
    d.addRows(H, this.w.be);
    d.tanh(H);
    d.gemm(H, this.w.Wm, MU);
    d.addRows(MU, this.w.bm);
    d.gemm(H, this.w.Wv, LV);
    d.addRows(LV, this.w.bv);
    return { H, MU, LV };
  }

  /** g and the pixel logits of latent rows Z. */
  private decode(Z: Mat, B: number, tag = ''): { G: Mat; L: Mat } {
    const d = this.dense;
    const G = this.buf(`g${tag}`, B, this.nh), L = this.buf(`l${tag}`, B, this.nx);
    d.gemm(Z, this.w.Wd, G);
    d.addRows(G, this.w.bd);
    d.tanh(G);
    d.gemm(G, this.w.Wo, L);
    d.addRows(L, this.w.bo);
    return { G, L };
  }

  /**
   * The loss of B binary images x with the given noise eps (B x nz); with
   * `grad`, its gradient (of the mean over the batch) into g.
   */
  step(x: Float32Array, eps: Float32Array, B: number, grad = true): VaeLoss {
    const d = this.dense, { nx, nh, nz } = this;
    // Every buffer first: an allocation may grow the memory, and the views below must stay live.
    for (const [name, cols] of [['x', nx], ['h', nh], ['mu', nz], ['lv', nz], ['z', nz], ['g', nh], ['l', nx], ['dg', nh], ['dz', nz], ['dlv', nz], ['dh', nh]] as const) this.buf(name, B, cols);
    const X = this.buf('x', B, nx).set(x.subarray(0, B * nx));
    const { H, MU, LV } = this.encode(X, B);
    const Z = this.buf('z', B, nz);
    const z = Z.data, mu = MU.data, lv = LV.data;
    let kl = 0;
    for (let k = 0; k < B * nz; k++) {
      const s = Math.exp(0.5 * lv[k]!);
      z[k] = mu[k]! + s * eps[k]!;
      kl += 0.5 * (mu[k]! * mu[k]! + s * s - 1 - lv[k]!);
    }
    const { G, L } = this.decode(Z, B);
    const l = L.data, xv = X.data;
    let rec = 0;
    for (let k = 0; k < B * nx; k++) rec += softplus(l[k]!) - xv[k]! * l[k]!;
    const out = { loss: (rec + kl) / B, reconstruction: rec / B, kl: kl / B };
    if (!grad) return out;

    // dl = (sigmoid(l) - x) / B, in place of the logits. (Views are taken
    // afresh after kernel calls: a gemm may grow the memory, detaching them.)
    d.sigmoid(L);
    const p = L.data, xb = X.data;
    for (let k = 0; k < B * nx; k++) p[k] = (p[k]! - xb[k]!) / B;
    d.gemm(G, L, this.g.Wo, { transA: true });
    d.sumRows(L, this.g.bo);
    const DG = this.buf('dg', B, nh);
    d.gemm(L, this.w.Wo, DG, { transB: true });
    const dg = DG.data, gv = G.data;
    for (let k = 0; k < B * nh; k++) dg[k]! *= 1 - gv[k]! * gv[k]!;
    d.gemm(Z, DG, this.g.Wd, { transA: true });
    d.sumRows(DG, this.g.bd);
    const DZ = this.buf('dz', B, nz);
    d.gemm(DG, this.w.Wd, DZ, { transB: true });
    // dmu and dlv (the KL term's share included), reusing DZ for dmu.
    const DLV = this.buf('dlv', B, nz);
    const dz = DZ.data, dlv = DLV.data, lvb = LV.data, mub = MU.data;
    for (let k = 0; k < B * nz; k++) {
      const s = Math.exp(0.5 * lvb[k]!);
      dlv[k] = 0.5 * dz[k]! * eps[k]! * s + (0.5 * (s * s - 1)) / B;
      dz[k] = dz[k]! + mub[k]! / B;
    }
    d.gemm(H, DZ, this.g.Wm, { transA: true });
    d.sumRows(DZ, this.g.bm);
    d.gemm(H, DLV, this.g.Wv, { transA: true });
    d.sumRows(DLV, this.g.bv);
    const DH = this.buf('dh', B, nh);
    d.gemm(DZ, this.w.Wm, DH, { transB: true });
    d.gemm(DLV, this.w.Wv, DH, { transB: true, beta: 1 });
    const dh = DH.data, hv = H.data;
    for (let k = 0; k < B * nh; k++) dh[k]! *= 1 - hv[k]! * hv[k]!;
    d.gemm(X, DH, this.g.We, { transA: true });
    d.sumRows(DH, this.g.be);
    return out;
  }

  /**
   * One pass over the digits in the given order, each binarised afresh
   * (pixel on with the probability of its grey level: dynamic binarisation);
   * returns the mean -ELBO of the pass.
   */
  trainEpoch(images: Float32Array, order: ArrayLike<number>, opt: Optimizer, batch: number, rng: Philox, epoch: number): number {
    const { nx, nz } = this;
    const x = new Float32Array(batch * nx), eps = new Float32Array(batch * nz);
    let total = 0, count = 0;
    for (let start = 0; start + batch <= order.length; start += batch) {
      gatherRows(images, nx, order, start, batch, x, { rng, epoch, lane: 0, stream: STREAM_USER_TS | 16 }, this.dense);
      for (let j = 0; j < batch * nz; j++) eps[j] = rng.normal(start * nz + j, epoch, 1, STREAM_USER_TS | 16);
      total += this.step(x, eps, batch).loss * batch;
      count += batch;
      opt.step();
    }
    return total / count;
  }

  /** Mean ELBO (nats, one noise sample per image) of binary images V (rows x nx). */
  elbo(V: Float32Array, rng: Philox, stream = 0): number {
    const rows = V.length / this.nx, chunk = 500;
    let s = 0;
    for (let start = 0; start < rows; start += chunk) {
      const B = Math.min(chunk, rows - start);
      const eps = Float32Array.from({ length: B * this.nz }, (_, j) => rng.normal(start * this.nz + j, stream, 2, STREAM_USER_TS | 16));
      s -= this.step(V.subarray(start * this.nx, (start + B) * this.nx), eps, B, false).loss * B;
    }
    return s / rows;
  }

  /** Pixel probabilities decoded from latent rows z (count x nz). */
  decodeProbs(z: Float32Array, count: number): Float32Array {
    const Z = this.buf('zs', count, this.nz).set(z.subarray(0, count * this.nz));
    const { L } = this.decode(Z, count, 's');
    this.dense.sigmoid(L);
    return L.toArray();
  }

  /** Posterior means and log-variances of binary images (rows x nx). */
  encodeRows(V: Float32Array, rows: number): { mu: Float32Array; lv: Float32Array } {
    const X = this.buf('x', rows, this.nx).set(V.subarray(0, rows * this.nx));
    const { MU, LV } = this.encode(X, rows);
    return { mu: MU.toArray(), lv: LV.toArray() };
  }

  /**
   * Importance-weighted estimate of log p(x) with k samples of q(z|x) (Burda
   * et al. 2016): log mean_k p(x|z_k) p(z_k) / q(z_k|x). A lower bound in
   * expectation that tightens to log p(x) as k grows; with k = 5000 it is the
   * figure compared with AIS estimates.
   */
  logLikelihoodIW(v: Float32Array, k: number, rng: Philox, stream: number, chunk = 500): number {
    const { nx, nz } = this;
    const { mu, lv } = this.encodeRows(v, 1);
    const logw = new Float64Array(k);
    const z = new Float32Array(chunk * nz);
    for (let start = 0; start < k; start += chunk) {
      const B = Math.min(chunk, k - start);
      const lq = new Float64Array(B), lp = new Float64Array(B);
      for (let r = 0; r < B; r++) {
        for (let j = 0; j < nz; j++) {
          const e = rng.normal((start + r) * nz + j, stream, 3, STREAM_USER_TS | 16);
          const zz = mu[j]! + Math.exp(0.5 * lv[j]!) * e;
          z[r * nz + j] = zz;
          lq[r]! += -0.5 * (LOG_2PI + lv[j]! + e * e);
          lp[r]! += -0.5 * (LOG_2PI + zz * zz);
        }
      }
      const Z = this.buf('zs', B, nz).set(z.subarray(0, B * nz));
      const { L } = this.decode(Z, B, 's');
      const l = L.data;
      for (let r = 0; r < B; r++) {
        let lx = 0;
        for (let i = 0; i < nx; i++) lx -= softplus(l[r * nx + i]!) - v[i]! * l[r * nx + i]!;
        logw[start + r] = lx + lp[r]! - lq[r]!;
      }
    }
    let max = -Infinity;
    for (const w of logw) max = Math.max(max, w);
    let s = 0;
    for (const w of logw) s += Math.exp(w - max);
    return max + Math.log(s / k);
  }
}

/** The mean -ELBO of a VAE with the given parameters, in f64 (the reference for gradient checks). */
export function vaeLossF64(sizes: { nx: number; nh: number; nz: number }, p: Record<VaeParamName, Float64Array>, x: Float64Array, eps: Float64Array, B: number): number {
  const { nx, nh, nz } = sizes;
  const affine = (a: Float64Array, nIn: number, W: Float64Array, b: Float64Array, nOut: number, f: (v: number) => number) => {
    const out = new Float64Array(B * nOut);
    for (let r = 0; r < B; r++) for (let j = 0; j < nOut; j++) {
      let s = b[j]!;
      for (let i = 0; i < nIn; i++) s += a[r * nIn + i]! * W[i * nOut + j]!;
      out[r * nOut + j] = f(s);
    }
    return out;
  };
  const id = (v: number) => v;
  const h = affine(x, nx, p.We, p.be, nh, Math.tanh);
  const mu = affine(h, nh, p.Wm, p.bm, nz, id), lv = affine(h, nh, p.Wv, p.bv, nz, id);
  const z = Float64Array.from(mu, (m, k) => m + Math.exp(0.5 * lv[k]!) * eps[k]!);
  const g = affine(z, nz, p.Wd, p.bd, nh, Math.tanh);
  const l = affine(g, nh, p.Wo, p.bo, nx, id);
  let loss = 0;
  for (let k = 0; k < B * nx; k++) loss += softplus(l[k]!) - x[k]! * l[k]!;
  for (let k = 0; k < B * nz; k++) loss += 0.5 * (mu[k]! * mu[k]! + Math.exp(lv[k]!) - 1 - lv[k]!);
  return loss / B;
}
