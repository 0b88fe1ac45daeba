// A multilayer perceptron trained by backpropagation: dense layers with
// sigmoid or ReLU hidden units, a softmax output and the cross-entropy loss,
// minibatch SGD or Adam. Weights are W (in x out) so a batch X (B x in)
// goes forward as X W + b; every product is a SIMD gemm in the kernel.
//
// Backward, for a batch of B with one-hot targets Y:
//   dZ_L = (softmax(Z_L) - Y) / B
//   dW_l = A_{l-1}^T dZ_l,  db_l = column sums of dZ_l
//   dA_{l-1} = dZ_l W_l^T,  dZ_{l-1} = dA_{l-1} * f'(Z_{l-1})
// (the input layer's dA is never formed).

import { Dense, Mat } from '../kernel/dense.js';
import { Optimizer, type Param, type OptimizerOptions } from './optim.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';

export type Activation = 'sigmoid' | 'relu';

// Share of zero inputs from which the first layer's products skip them
// (digits: about 80 % of the pixels are 0); below it the blocked gemm is faster.
const SPARSE_INPUT = 0.5;

interface Layer { W: Mat; b: Mat; gW: Mat; gb: Mat }

export class Mlp {
  readonly layers: Layer[];
  private batchCap = 0;
  private acts: Mat[] = [];   // A_0 (input) .. A_L (softmax), B x size each, at batchCap rows
  private deltas: Mat[] = []; // dZ_1 .. dZ_L
  // The last input was mostly zeros: its layer's products skip them (forward and dW).
  private sparseInput = false;

  constructor(readonly dense: Dense, readonly sizes: number[], readonly activation: Activation, seed: number) {
    if (sizes.length < 2) throw new RangeError('an MLP needs at least an input and an output size');
    const rng = new Philox(seed);
    this.layers = sizes.slice(1).map((out, l) => {
      const fanIn = sizes[l]!;
      // Glorot-uniform for sigmoid, He-uniform for ReLU.
      const limit = activation === 'relu' && l < sizes.length - 2 ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + out));
      const w = Float32Array.from({ length: fanIn * out }, (_, k) => (2 * rng.uniform(k, l, 0, STREAM_USER_TS | 10) - 1) * limit);
      return { W: dense.mat(fanIn, out, w), b: dense.mat(1, out), gW: dense.mat(fanIn, out), gb: dense.mat(1, out) };
    });
  }

  params(): Param[] {
    return this.layers.flatMap((L, l) => [{ name: `W${l + 1}`, w: L.W, g: L.gW }, { name: `b${l + 1}`, w: L.b, g: L.gb }]);
  }

  private ensureBatch(B: number): void {
    if (B <= this.batchCap) return;
    for (const m of [...this.acts, ...this.deltas]) m.free();
    this.acts = this.sizes.map((n) => this.dense.mat(B, n));
    this.deltas = this.sizes.slice(1).map((n) => this.dense.mat(B, n));
    this.batchCap = B;
  }

  private rows(m: Mat, B: number): Mat {
    return new Mat(this.dense, m.ptr, B, m.cols);
  }

  /** Forward pass of B inputs (rows of x, B x in); returns the softmax output (B x out) as a kernel matrix. */
  forward(x: Float32Array, B: number): Mat {
    this.ensureBatch(B);
    const d = this.dense;
    const input = x.subarray(0, B * this.sizes[0]!);
    this.rows(this.acts[0]!, B).set(input);
    let zeros = 0;
    for (let i = 0; i < input.length; i++) if (input[i] === 0) zeros++;
    this.sparseInput = zeros >= SPARSE_INPUT * input.length;
    const last = this.layers.length - 1;
    this.layers.forEach((L, l) => {
      const A = this.rows(this.acts[l]!, B), Z = this.rows(this.acts[l + 1]!, B);
      if (l === 0 && this.sparseInput) d.gemmSparseA(A, L.W, Z);
      else d.gemm(A, L.W, Z);
      d.addRows(Z, L.b);
      if (l < last) {
        if (this.activation === 'sigmoid') d.sigmoid(Z);
        else { const z = Z.data; for (let i = 0; i < z.length; i++) if (z[i]! < 0) z[i] = 0; }
      }
    });
    const out = this.rows(this.acts[last + 1]!, B);
    softmaxRows(out.data, B, out.cols);
    return out;
  }

  /** Backward pass after forward(): gradients of the mean cross-entropy into gW, gb; returns the loss. */
  backward(labels: ArrayLike<number>, B: number): number {
    const d = this.dense;
    const L = this.layers.length;
    const out = this.rows(this.acts[L]!, B);
    const dZ = this.rows(this.deltas[L - 1]!, B);
    const p = out.data, g = dZ.data, n = out.cols;
    let loss = 0;
    for (let i = 0; i < B; i++) {
      const y = labels[i]!;
      loss -= Math.log(Math.max(p[i * n + y]!, 1e-30));
      for (let j = 0; j < n; j++) g[i * n + j] = (p[i * n + j]! - (j === y ? 1 : 0)) / B;
    }
    for (let l = L - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const A = this.rows(this.acts[l]!, B), dz = this.rows(this.deltas[l]!, B);
      if (l === 0 && this.sparseInput) d.gemmSparseATrans(A, dz, layer.gW);
      else d.gemm(A, dz, layer.gW, { transA: true });
      d.sumRows(dz, layer.gb);
      if (l === 0) break;
      const dPrev = this.rows(this.deltas[l - 1]!, B);
      d.gemm(dz, layer.W, dPrev, { transB: true });
      // dZ = dA * f'(Z), with f' from the activation itself.
      const a = A.data, dp = dPrev.data;
      if (this.activation === 'sigmoid') for (let i = 0; i < dp.length; i++) dp[i]! *= a[i]! * (1 - a[i]!);
      else for (let i = 0; i < dp.length; i++) if (a[i]! <= 0) dp[i] = 0;
    }
    return loss / B;
  }

  /** One pass over the training set in the given order; returns the mean loss. */
  trainEpoch(images: Float32Array, labels: Uint8Array, order: ArrayLike<number>, opt: Optimizer, batch: number): number {
    const nIn = this.sizes[0]!;
    const x = new Float32Array(batch * nIn);
    const y = new Uint8Array(batch);
    let total = 0, count = 0;
    for (let start = 0; start < order.length; start += batch) {
      const B = Math.min(batch, order.length - start);
      for (let r = 0; r < B; r++) {
        const k = order[start + r]!;
        x.set(images.subarray(k * nIn, (k + 1) * nIn), r * nIn);
        y[r] = labels[k]!;
      }
      this.forward(x, B);
      total += this.backward(y, B) * B;
      count += B;
      opt.step();
    }
    return total / count;
  }

  /** Predicted classes of the digits at the given indices. */
  predict(images: Float32Array, indices: ArrayLike<number>, batch = 500): Uint8Array {
    const nIn = this.sizes[0]!, nOut = this.sizes[this.sizes.length - 1]!;
    const out = new Uint8Array(indices.length);
    const x = new Float32Array(batch * nIn);
    for (let start = 0; start < indices.length; start += batch) {
      const B = Math.min(batch, indices.length - start);
      for (let r = 0; r < B; r++) { const k = indices[start + r]!; x.set(images.subarray(k * nIn, (k + 1) * nIn), r * nIn); }
      const p = this.forward(x, B).data;
      for (let r = 0; r < B; r++) {
        let best = 0;
        for (let j = 1; j < nOut; j++) if (p[r * nOut + j]! > p[r * nOut + best]!) best = j;
        out[start + r] = best;
      }
    }
    return out;
  }

  /** Mean number of non-zero inputs to each layer (pixels on, active ReLU units) over the digits at indices. */
  nonzeroInputs(images: Float32Array, indices: ArrayLike<number>, batch = 500): number[] {
    const nIn = this.sizes[0]!;
    const counts = new Array<number>(this.layers.length).fill(0);
    const x = new Float32Array(batch * nIn);
    for (let start = 0; start < indices.length; start += batch) {
      const B = Math.min(batch, indices.length - start);
      for (let r = 0; r < B; r++) { const k = indices[start + r]!; x.set(images.subarray(k * nIn, (k + 1) * nIn), r * nIn); }
      this.forward(x, B);
      for (let l = 0; l < this.layers.length; l++) {
        const a = this.rows(this.acts[l]!, B).data;
        for (let i = 0; i < a.length; i++) if (a[i] !== 0) counts[l]!++;
      }
    }
    return counts.map((c) => c / Math.max(1, indices.length));
  }

  optimizer(options: OptimizerOptions): Optimizer {
    return new Optimizer(this.dense, this.params(), options);
  }

  /** Multiply-accumulates of one forward pass (one input). */
  get macsPerInference(): number {
    let s = 0;
    for (let l = 1; l < this.sizes.length; l++) s += this.sizes[l - 1]! * this.sizes[l]!;
    return s;
  }
}

/** In-place softmax of each row (max-subtracted). */
export function softmaxRows(z: Float32Array | Float64Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    let mx = -Infinity;
    for (let j = 0; j < cols; j++) mx = Math.max(mx, z[i * cols + j]!);
    let s = 0;
    for (let j = 0; j < cols; j++) { const e = Math.exp(z[i * cols + j]! - mx); z[i * cols + j] = e; s += e; }
    for (let j = 0; j < cols; j++) z[i * cols + j]! /= s;
  }
}

/** Mean cross-entropy of an MLP with the given weights, in f64 (the reference for gradient checks). */
export function mlpLossF64(sizes: number[], activation: Activation, W: Float64Array[], b: Float64Array[], x: Float64Array, labels: ArrayLike<number>, B: number): number {
  let a = x;
  for (let l = 0; l < W.length; l++) {
    const nIn = sizes[l]!, nOut = sizes[l + 1]!;
    const z = new Float64Array(B * nOut);
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < nOut; j++) {
        let s = b[l]![j]!;
        for (let p = 0; p < nIn; p++) s += a[i * nIn + p]! * W[l]![p * nOut + j]!;
        z[i * nOut + j] = l < W.length - 1 ? (activation === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : Math.max(0, s)) : s;
      }
    }
    a = z;
  }
  const n = sizes[sizes.length - 1]!;
  softmaxRows(a, B, n);
  let loss = 0;
  for (let i = 0; i < B; i++) loss -= Math.log(a[i * n + labels[i]!]!);
  return loss / B;
}
