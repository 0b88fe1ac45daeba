// A generative adversarial network (Goodfellow et al. 2014, arXiv 1406.2661):
// a generator G(z) and a discriminator D(x), both MLPs, trained in turn.
//   D: minimise  softplus(-a(x)) + softplus(a(G(z)))       (a = D's logit)
//   G: minimise  softplus(-a(G(z)))                          (the non-saturating loss of the paper's section 3)
// The gradient of the logit loss is sigmoid(a) - 1 for a target 1 and
// sigmoid(a) for a target 0; G's gradient goes back through D (D's weights
// untouched by G's step). Layers are a Stack: dense layers with ReLU, leaky
// ReLU, tanh, sigmoid or no activation, whose backward pass also returns the
// gradient with respect to the input; stackForwardF64 is the f64 reference
// the gradient check differentiates.

import { Dense, Mat } from '../kernel/dense.js';
import { Optimizer, type Param, type OptimizerOptions } from './optim.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';
import { softplus } from './scalar.js';

export type StackActivation = 'relu' | 'leaky' | 'tanh' | 'sigmoid' | 'linear';
const LEAK = 0.2;

export interface StackLayer { W: Mat; b: Mat; gW: Mat; gb: Mat; act: StackActivation }


export class Stack {
  readonly layers: StackLayer[];
  private cap = 0;
  private acts: Mat[] = [];
  private grads: Mat[] = [];
  private maskMats: Mat[] = [];
  // Dropout (Srivastava et al. 2014) on the hidden layers' outputs in training passes: the masks kept for backward.
  private masks: (Float32Array | undefined)[] = [];
  private drawn = 0;
  private readonly rng: Philox;

  constructor(readonly dense: Dense, readonly sizes: number[], acts: StackActivation[], seed: number, stream: number, readonly dropout = 0) {
    if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`dropout must be in [0, 1) (got ${dropout})`);
    this.rng = new Philox(seed + 1);
    if (acts.length !== sizes.length - 1) throw new RangeError(`a stack of ${sizes.length - 1} layers needs as many activations (got ${acts.length})`);
    const rng = new Philox(seed);
    this.layers = acts.map((act, l) => {
      const nIn = sizes[l]!, nOut = sizes[l + 1]!;
      const limit = act === 'relu' || act === 'leaky' ? Math.sqrt(6 / nIn) : Math.sqrt(6 / (nIn + nOut));
      const w = Float32Array.from({ length: nIn * nOut }, (_, k) => (2 * rng.uniform(k, l, stream, STREAM_USER_TS | 19) - 1) * limit);
      return { W: dense.mat(nIn, nOut, w), b: dense.mat(1, nOut), gW: dense.mat(nIn, nOut), gb: dense.mat(1, nOut), act };
    });
  }

  /** Takes the weights of a stack of the same sizes (a trained generator into a module's). */
  loadFrom(other: Stack): void {
    if (other.sizes.join() !== this.sizes.join()) throw new RangeError(`a stack ${other.sizes.join('-')} does not fit one ${this.sizes.join('-')}`);
    this.layers.forEach((L, l) => { L.W.set(other.layers[l]!.W.data); L.b.set(other.layers[l]!.b.data); });
  }

  /** The dropout masks of the last training pass, per layer (undefined where none). */
  get lastMasks(): readonly (Float32Array | undefined)[] { return this.masks; }

  params(prefix: string): Param[] {
    return this.layers.flatMap((L, l) => [{ name: `${prefix}W${l + 1}`, w: L.W, g: L.gW }, { name: `${prefix}b${l + 1}`, w: L.b, g: L.gb }]);
  }

  private ensure(B: number): void {
    if (B <= this.cap) return;
    for (const m of [...this.acts, ...this.grads, ...this.maskMats]) m.free();
    this.acts = this.sizes.map((n) => this.dense.mat(B, n));
    this.grads = this.sizes.map((n) => this.dense.mat(B, n));
    this.maskMats = this.dropout > 0 ? this.sizes.map((n) => this.dense.mat(B, n)) : [];
    this.cap = B;
  }

  private rows(m: Mat, B: number): Mat { return new Mat(this.dense, m.ptr, B, m.cols); }

  /**
   * Forward pass of B rows; returns the output (B x last size) as a kernel
   * matrix, valid until the next call. `train` applies dropout (inverted:
   * kept units scaled by 1 / (1 - p), so no rescaling at test time).
   */
  forward(x: Float32Array, B: number, train = false): Mat {
    this.masks = [];
    this.ensure(B);
    const d = this.dense;
    this.rows(this.acts[0]!, B).set(x.subarray(0, B * this.sizes[0]!));
    const last = this.layers.length - 1;
    this.layers.forEach((L, l) => {
      const A = this.rows(this.acts[l]!, B), Z = this.rows(this.acts[l + 1]!, B);
      d.gemm(A, L.W, Z);
      d.addRows(Z, L.b);
      if (L.act === 'sigmoid') d.sigmoid(Z);
      else if (L.act === 'tanh') d.tanh(Z);
      else if (L.act !== 'linear') {
        const z = Z.data, slope = L.act === 'relu' ? 0 : LEAK;
        for (let i = 0; i < z.length; i++) if (z[i]! < 0) z[i] = slope * z[i]!;
      }
      if (train && this.dropout > 0 && l < last) {
        // Unit i kept (and scaled by 1 / keep) when the twin's uniform of
        // block (drawn + i, 0, 0, stream) is below keep: drawn by the kernel.
        const keep = 1 - this.dropout, M = this.rows(this.maskMats[l + 1]!, B);
        d.dropoutMask(M, keep, 1 / keep, this.rng.key, this.drawn, 0, 0, STREAM_USER_TS | 24);
        const mask = M.toArray(), z = Z.data;
        for (let i = 0; i < mask.length; i++) z[i]! *= mask[i]!;
        this.drawn += mask.length;
        this.masks[l] = mask;
      }
    });
    return this.rows(this.acts[this.layers.length]!, B);
  }

  /**
   * Backward pass after forward(): dOut (B x out) is the loss's gradient at
   * the output; the weights' gradients go to gW, gb (added when `accumulate`,
   * not formed when `weights` is false); returns the gradient at the input.
   */
  backward(dOut: Float32Array, B: number, o: { weights?: boolean; accumulate?: boolean } = {}): Float32Array {
    const d = this.dense, weights = o.weights ?? true, beta = o.accumulate ? 1 : 0;
    const nL = this.layers.length;
    this.rows(this.grads[nL]!, B).set(dOut.subarray(0, B * this.sizes[nL]!));
    for (let l = nL - 1; l >= 0; l--) {
      const L = this.layers[l]!;
      const Z = this.rows(this.acts[l + 1]!, B), G = this.rows(this.grads[l + 1]!, B);
      // Through dropout's mask, then the activation, from its output (every
      // one here has f' as a function of f; a dropped unit's gradient is 0 either way).
      let z = Z.data;
      const g = G.data, mask = this.masks[l];
      if (mask) {
        const u = new Float32Array(z.length);
        for (let i = 0; i < g.length; i++) { g[i]! *= mask[i]!; u[i] = mask[i]! > 0 ? z[i]! / mask[i]! : 0; }
        z = u;
      }
      if (L.act === 'sigmoid') for (let i = 0; i < g.length; i++) g[i]! *= z[i]! * (1 - z[i]!);
      else if (L.act === 'tanh') for (let i = 0; i < g.length; i++) g[i]! *= 1 - z[i]! * z[i]!;
      else if (L.act === 'relu') for (let i = 0; i < g.length; i++) { if (z[i]! <= 0) g[i] = 0; }
      else if (L.act === 'leaky') for (let i = 0; i < g.length; i++) { if (z[i]! < 0) g[i]! *= LEAK; }
      const A = this.rows(this.acts[l]!, B);
      if (weights) {
        d.gemm(A, G, L.gW, { transA: true, beta });
        d.sumRows(G, L.gb, 1, beta);
      }
      d.gemm(G, L.W, this.rows(this.grads[l]!, B), { transB: true });
    }
    return this.rows(this.grads[0]!, B).toArray();
  }
}

/** The output of a stack with the given weights, in f64 (the reference for gradient checks). */
export function stackForwardF64(sizes: number[], acts: StackActivation[], W: Float64Array[], b: Float64Array[], x: Float64Array, B: number, masks: readonly (Float32Array | undefined)[] = []): Float64Array {
  let a = x;
  acts.forEach((act, l) => {
    const nIn = sizes[l]!, nOut = sizes[l + 1]!;
    const z = new Float64Array(B * nOut);
    for (let i = 0; i < B; i++) for (let j = 0; j < nOut; j++) {
      let s = b[l]![j]!;
      for (let p = 0; p < nIn; p++) s += a[i * nIn + p]! * W[l]![p * nOut + j]!;
      z[i * nOut + j] = (act === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : act === 'tanh' ? Math.tanh(s) : act === 'relu' ? Math.max(0, s) : act === 'leaky' ? (s < 0 ? LEAK * s : s) : s) * (masks[l]?.[i * nOut + j] ?? 1);
    }
    a = z;
  });
  return a;
}

export interface GanOptions { latent: number; gHidden: number[]; dHidden: number[]; seed: number; /** Dropout on D's hidden layers while training (the paper's D used it). */ dDropout?: number }

export interface GanLosses { d: number; g: number; dReal: number; dFake: number }

const NOISE_STREAM = STREAM_USER_TS | 20;

export class Gan {
  readonly G: Stack;
  readonly D: Stack;
  private draws = 0;
  private readonly rng: Philox;

  constructor(readonly dense: Dense, readonly nx: number, readonly o: GanOptions) {
    // The generator: uniform noise in [-1, 1] as in the paper, leaky ReLU
    // hidden layers, tanh pixels. The game is played on pixels in [-1, 1]
    // (real ones mapped by 2 x - 1): on uncentred [0, 1] pixels with a
    // sigmoid output, the discriminator won at once and the generator
    // collapsed onto one speckled image in every configuration tried.
    this.G = new Stack(dense, [o.latent, ...o.gHidden, nx], [...o.gHidden.map(() => 'leaky' as const), 'tanh'], o.seed, 0);
    // The discriminator: leaky ReLU hidden layers (the paper's maxout is optional) with dropout, one logit.
    this.D = new Stack(dense, [nx, ...o.dHidden, 1], [...o.dHidden.map(() => 'leaky' as const), 'linear'], o.seed, 1, o.dDropout ?? 0);
    this.rng = new Philox(o.seed);
  }

  /** Noise rows z (count x latent), uniform in [-1, 1): value k of all draws so far is 2 u - 1 of Philox block (k, 0, 0, stream) under the seed, drawn by the kernel (a test holds it equal to the host's twin). */
  noise(count: number): Float32Array {
    const m = this.dense.mat(count, this.o.latent);
    this.dense.uniformKeyed(m, 2, -1, this.rng.key, this.draws, 0, 0, NOISE_STREAM);
    const z = m.toArray();
    m.free();
    this.draws += z.length;
    return z;
  }

  /** Images from noise rows z (count x latent): pixel values in [0, 1]. */
  generate(z: Float32Array, count: number): Float32Array {
    return this.raw(z, count).map((v) => 0.5 * (v + 1));
  }

  /** The generator's output as the game sees it: pixels in [-1, 1]. */
  raw(z: Float32Array, count: number): Float32Array {
    return this.G.forward(z, count).toArray();
  }

  /**
   * One step of each: D on B real images (pixels in [0, 1]) and B generated
   * ones, then G on B fresh samples through the updated D. Returns the
   * losses before the updates.
   */
  step(real: Float32Array, B: number, dOpt: Optimizer, gOpt: Optimizer): GanLosses {
    const fake = this.raw(this.noise(B), B);
    real = real.map((v) => 2 * v - 1);
    // D: real (target 1), then fake (target 0), gradients summed.
    let dReal = 0, dFake = 0;
    const aR = this.D.forward(real, B, true).toArray();
    const gR = Float32Array.from(aR, (a) => (1 / (1 + Math.exp(-a)) - 1) / B);
    for (const a of aR) dReal += softplus(-a) / B;
    this.D.backward(gR, B);
    const aF = this.D.forward(fake, B, true).toArray();
    const gF = Float32Array.from(aF, (a) => 1 / (1 + Math.exp(-a)) / B);
    for (const a of aF) dFake += softplus(a) / B;
    this.D.backward(gF, B, { accumulate: true });
    dOpt.step();
    // G: the non-saturating loss through D.
    const z = this.noise(B);
    const x = this.raw(z, B);
    const aG = this.D.forward(x, B, true).toArray();
    let g = 0;
    const gG = Float32Array.from(aG, (a) => { g += softplus(-a) / B; return (1 / (1 + Math.exp(-a)) - 1) / B; });
    const dx = this.D.backward(gG, B, { weights: false });
    this.G.forward(z, B);
    this.G.backward(dx, B);
    gOpt.step();
    return { d: dReal + dFake, g, dReal, dFake };
  }

  optimizers(o: OptimizerOptions): { d: Optimizer; g: Optimizer } {
    return { d: new Optimizer(this.dense, this.D.params('D'), o), g: new Optimizer(this.dense, this.G.params('G'), o) };
  }
}

/**
 * The Parzen-window estimate of the paper's Table 1: a Gaussian kernel of
 * width sigma on each of the samples, the mean log density of the images
 * under it (nats, pixel values as they are), with its standard error over
 * the images. Distances by gemm: |x - s|^2 = |x|^2 + |s|^2 - 2 x.s.
 */
export function parzenLogLikelihood(dense: Dense, samples: Float32Array, images: Float32Array, dim: number, sigma: number): { mean: number; se: number } {
  const ns = samples.length / dim, ni = images.length / dim;
  const S = dense.mat(ns, dim, samples);
  const sn = new Float64Array(ns);
  for (let j = 0; j < ns; j++) { let s = 0; for (let k = 0; k < dim; k++) s += samples[j * dim + k]! ** 2; sn[j] = s; }
  const chunk = 200;
  const ll = new Float64Array(ni);
  const norm = -Math.log(ns) - (dim / 2) * Math.log(2 * Math.PI * sigma * sigma);
  try {
    for (let start = 0; start < ni; start += chunk) {
      const B = Math.min(chunk, ni - start);
      const X = dense.mat(B, dim, images.subarray(start * dim, (start + B) * dim));
      const P = dense.mat(B, ns);
      dense.gemm(X, S, P, { transB: true });
      const p = P.data, x = X.data;
      for (let r = 0; r < B; r++) {
        let xn = 0;
        for (let k = 0; k < dim; k++) xn += x[r * dim + k]! ** 2;
        let max = -Infinity;
        const e = new Float64Array(ns);
        for (let j = 0; j < ns; j++) { e[j] = -Math.max(0, xn + sn[j]! - 2 * p[r * ns + j]!) / (2 * sigma * sigma); if (e[j]! > max) max = e[j]!; }
        let s = 0;
        for (let j = 0; j < ns; j++) s += Math.exp(e[j]! - max);
        ll[start + r] = max + Math.log(s) + norm;
      }
      X.free();
      P.free();
    }
  } finally {
    S.free();
  }
  let mean = 0;
  for (const v of ll) mean += v / ni;
  let sq = 0;
  for (const v of ll) sq += (v - mean) ** 2;
  return { mean, se: Math.sqrt(sq / Math.max(1, ni - 1)) / Math.sqrt(ni) };
}
