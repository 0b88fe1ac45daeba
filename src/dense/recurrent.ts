// Recurrent layers trained by backpropagation through time: the LSTM of
// Hochreiter & Schmidhuber (1997) with a forget gate (Gers et al. 2000), in
// exactly these equations, with z_t = [h_{t-1}, x_t]:
//   f_t = sigma(W_f z_t + b_f)      i_t = sigma(W_i z_t + b_i)
//   C~_t = tanh(W_C z_t + b_C)      C_t = f_t * C_{t-1} + i_t * C~_t
//   o_t = sigma(W_o z_t + b_o)      h_t = o_t * tanh(C_t)
// and a vanilla RNN, h_t = tanh(W z_t + b), with the same interface. A
// linear readout y = h_T V + c of the last state. Batches go through
// time together: the four gates of the batch are one gemm per step
// (z_t (B x (H+X)) times W ((H+X) x 4H), gate blocks [f | i | C~ | o]).

import { Dense, Mat } from '../kernel/dense.js';
import { Optimizer, type OptimizerOptions, type Param } from './optim.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';

export type Cell = 'lstm' | 'rnn';

export interface RecurrentShape { cell: Cell; inputs: number; hidden: number; outputs: number }

export class RecurrentNet {
  readonly W: Mat; readonly b: Mat; readonly V: Mat; readonly c: Mat;
  readonly gW: Mat; readonly gb: Mat; readonly gV: Mat; readonly gc: Mat;
  readonly gates: number;
  private steps: { z: Mat; a: Mat; C: Mat; tC: Mat }[] = [];
  private B = 0;
  private T = 0;
  private y: Mat | undefined;
  private scratch: Record<string, Mat> = {};
  /** After backward(): the norm of dLoss/dx_t for each t (how far back the error reaches). */
  inputGradNorms = new Float64Array(0);

  constructor(readonly dense: Dense, readonly shape: RecurrentShape, seed: number, options: { forgetBias?: number } = {}) {
    const { cell, inputs: X, hidden: H, outputs: Y } = shape;
    this.gates = cell === 'lstm' ? 4 : 1;
    const G = this.gates * H;
    const rng = new Philox(seed);
    const lim = 1 / Math.sqrt(H);
    const u = (n: number, tag: number, l: number) => Float32Array.from({ length: n }, (_, k) => (2 * rng.uniform(k, tag, 0, STREAM_USER_TS | 14) - 1) * l);
    this.W = dense.mat(H + X, G, u((H + X) * G, 0, lim));
    const b = new Float32Array(G);
    // A forget-gate bias of 1 keeps the cell open at the start (Gers et al. 2000; Jozefowicz et al. 2015).
    if (cell === 'lstm') b.fill(options.forgetBias ?? 1, 0, H);
    this.b = dense.mat(1, G, b);
    this.V = dense.mat(H, Y, u(H * Y, 1, lim));
    this.c = dense.mat(1, Y);
    this.gW = dense.mat(H + X, G); this.gb = dense.mat(1, G); this.gV = dense.mat(H, Y); this.gc = dense.mat(1, Y);
  }

  params(): Param[] {
    return [{ name: 'W', w: this.W, g: this.gW }, { name: 'b', w: this.b, g: this.gb }, { name: 'V', w: this.V, g: this.gV }, { name: 'c', w: this.c, g: this.gc }];
  }

  optimizer(options: OptimizerOptions): Optimizer {
    return new Optimizer(this.dense, this.params(), options);
  }

  private mat(name: string, rows: number, cols: number): Mat {
    const m = this.scratch[name];
    if (m && m.rows === rows && m.cols === cols) return m;
    m?.free();
    return (this.scratch[name] = this.dense.mat(rows, cols));
  }

  // Every step's inputs [h | x], activations, cell states and gate
  // gradients sit in one matrix each, T * B rows, time-major: the steps are
  // row blocks, and the weight gradient is one gemm over all of them.
  private all: { Z: Mat; A: Mat; C: Mat; tC: Mat; dA: Mat } | undefined;

  private ensure(B: number, T: number): void {
    if (B === this.B && T <= this.steps.length) { this.T = T; return; }
    if (this.all) for (const m of Object.values(this.all)) m.free();
    const { inputs: X, hidden: H } = this.shape;
    const d = this.dense, G = this.gates * H;
    const all = (this.all = { Z: d.mat(T * B, H + X), A: d.mat(T * B, G), C: d.mat(T * B, H), tC: d.mat(T * B, H), dA: d.mat(T * B, G) });
    this.steps = Array.from({ length: T }, (_, t) => ({ z: all.Z.rowBlock(t * B, B), a: all.A.rowBlock(t * B, B), C: all.C.rowBlock(t * B, B), tC: all.tC.rowBlock(t * B, B) }));
    this.B = B;
    this.T = T;
  }

  /** Forward through time: xs is T x B x inputs (time-major). Returns the readout (B x outputs). */
  forward(xs: Float32Array, B: number, T: number): Float32Array {
    this.ensure(B, T);
    const d = this.dense;
    const { inputs: X, hidden: H, outputs: Y, cell } = this.shape;
    const Xs = this.mat('xs', T * B, X).set(xs.subarray(0, T * B * X));
    const hT = this.mat('hT', B, H);
    // z_0 = [0 | x_0]: h_{-1} = 0.
    d.copyBlock(this.mat('zeros', B, H), 0, this.steps[0]!.z, 0, H);   // never written: zero since made
    for (let t = 0; t < T; t++) {
      const st = this.steps[t]!;
      d.copyBlock(Xs.rowBlock(t * B, B), 0, st.z, H, X);
      d.gemm(st.z, this.W, st.a);
      d.addRows(st.a, this.b);
      // h_t goes straight into the next step's [h | x] (the last one into hT).
      const next = t + 1 < T ? this.steps[t + 1]!.z : hT;
      if (cell === 'rnn') {
        d.tanh(st.a);
        d.copyBlock(st.a, 0, next, 0, H);
      } else {
        d.lstmForward(st.a, t > 0 ? this.steps[t - 1]!.C : null, st.C, st.tC, next, 0);
      }
    }
    const y = (this.y = this.mat('y', B, Y));
    d.gemm(hT, this.V, y);
    d.addRows(y, this.c);
    return y.toArray();
  }

  /**
   * Backward through time after forward(), from dLoss/dy (B x outputs);
   * fills the gradients (not accumulated across calls) and inputGradNorms.
   */
  backward(dy: Float32Array): void {
    const d = this.dense, B = this.B, T = this.T;
    const { inputs: X, hidden: H, outputs: Y, cell } = this.shape;
    const G = this.gates * H;
    const all = this.all!;
    const dY = this.mat('dy', B, Y).set(dy);
    d.gemm(this.mat('hT', B, H), dY, this.gV, { transA: true });
    d.sumRows(dY, this.gc);
    const dh = this.mat('dh', B, H);
    d.gemm(dY, this.V, dh, { transB: true });
    const dc = this.mat('dc', B, H).fill(0);
    const dZ = this.mat('dz', B, H + X);
    // W^T once per backward pass, not once per step.
    const WT = this.mat('wt', G, H + X), w = this.W.data, wt = WT.data;
    for (let p = 0; p < H + X; p++) for (let q = 0; q < G; q++) wt[q * (H + X) + p] = w[p * G + q]!;
    this.inputGradNorms = new Float64Array(T);
    for (let t = T - 1; t >= 0; t--) {
      const st = this.steps[t]!;
      const dA = all.dA.rowBlock(t * B, B);
      if (cell === 'rnn') d.tanhBackward(st.a, dh, dA);
      else d.lstmBackward(st.a, st.tC, t > 0 ? this.steps[t - 1]!.C : null, dh, dc, dA, dc);
      d.gemm(dA, WT, dZ);
      d.copyBlock(dZ, 0, dh, 0, H);
      const z = dZ.data;
      let sx = 0;
      for (let r = 0; r < B; r++) for (let q = 0; q < X; q++) sx += z[r * (H + X) + H + q]! ** 2;
      this.inputGradNorms[t] = Math.sqrt(sx / B);
    }
    // dW = sum_t z_t^T dA_t and db = sum_t column sums of dA_t, over all steps at once.
    d.gemm(all.Z.rowBlock(0, T * B), all.dA.rowBlock(0, T * B), this.gW, { transA: true });
    d.sumRows(all.dA.rowBlock(0, T * B), this.gb);
  }

  /** One step of one sequence from state (h, C), updated in place (the bridged module's update). */
  stepOnce(x: ArrayLike<number>, state: { h: Float32Array; C: Float32Array }): void {
    const d = this.dense;
    const { inputs: X, hidden: H, cell } = this.shape;
    const z = this.mat('z1', 1, H + X), a = this.mat('a1', 1, this.gates * H);
    const zv = z.data;
    zv.set(state.h, 0);
    for (let q = 0; q < X; q++) zv[H + q] = x[q]!;
    d.gemm(z, this.W, a);
    d.addRows(a, this.b);
    const v = a.toArray();
    const sig = (u: number) => 1 / (1 + Math.exp(-u));
    if (cell === 'rnn') {
      for (let j = 0; j < H; j++) state.h[j] = Math.tanh(v[j]!);
      return;
    }
    for (let j = 0; j < H; j++) {
      const f = sig(v[j]!), i = sig(v[H + j]!), g = Math.tanh(v[2 * H + j]!), o = sig(v[3 * H + j]!);
      state.C[j] = f * state.C[j]! + i * g;
      state.h[j] = o * Math.tanh(state.C[j]!);
    }
  }

  /** Parameters as f64 arrays (for the reference path). */
  paramsF64(): Float64Array[] {
    return [this.W, this.b, this.V, this.c].map((m) => Float64Array.from(m.data));
  }
}

/**
 * The same network's mean squared error in f64, from plain loops: the
 * reference that gradient checks difference. params = [W, b, V, c] as paramsF64().
 */
export function recurrentLossF64(shape: RecurrentShape, params: Float64Array[], xs: Float32Array, targets: ArrayLike<number>, B: number, T: number): number {
  const { cell, inputs: X, hidden: H, outputs: Y } = shape;
  const [W, b, V, c] = params as [Float64Array, Float64Array, Float64Array, Float64Array];
  const G = (cell === 'lstm' ? 4 : 1) * H;
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  let loss = 0;
  for (let r = 0; r < B; r++) {
    let h = new Float64Array(H), C = new Float64Array(H);
    for (let t = 0; t < T; t++) {
      const z = new Float64Array(H + X);
      z.set(h, 0);
      for (let q = 0; q < X; q++) z[H + q] = xs[(t * B + r) * X + q]!;
      const a = new Float64Array(G);
      for (let j = 0; j < G; j++) { let s = b[j]!; for (let p = 0; p < H + X; p++) s += z[p]! * W[p * G + j]!; a[j] = s; }
      const hn = new Float64Array(H);
      if (cell === 'rnn') {
        for (let j = 0; j < H; j++) hn[j] = Math.tanh(a[j]!);
      } else {
        const Cn = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const f = sig(a[j]!), i = sig(a[H + j]!), g = Math.tanh(a[2 * H + j]!), o = sig(a[3 * H + j]!);
          Cn[j] = f * C[j]! + i * g;
          hn[j] = o * Math.tanh(Cn[j]!);
        }
        C = Cn;
      }
      h = hn;
    }
    for (let k = 0; k < Y; k++) {
      let y = c[k]!;
      for (let j = 0; j < H; j++) y += h[j]! * V[j * Y + k]!;
      loss += (y - targets[r * Y + k]!) ** 2;
    }
  }
  return loss / B;
}
