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

  private ensure(B: number, T: number): void {
    if (B === this.B && T <= this.steps.length) { this.T = T; return; }
    for (const s of this.steps) { s.z.free(); s.a.free(); s.C.free(); s.tC.free(); }
    const { inputs: X, hidden: H } = this.shape;
    this.steps = Array.from({ length: T }, () => ({ z: this.dense.mat(B, H + X), a: this.dense.mat(B, this.gates * H), C: this.dense.mat(B, H), tC: this.dense.mat(B, H) }));
    this.B = B;
    this.T = T;
  }

  /** Forward through time: xs is T x B x inputs (time-major). Returns the readout (B x outputs). */
  forward(xs: Float32Array, B: number, T: number): Float32Array {
    this.ensure(B, T);
    const d = this.dense;
    const { inputs: X, hidden: H, outputs: Y, cell } = this.shape;
    const S = this.mat('sig', B, this.gates * H), Tn = this.mat('tanh', B, this.gates * H);
    let hPrev: Float32Array<ArrayBufferLike> = new Float32Array(B * H), cPrev: Float32Array<ArrayBufferLike> = new Float32Array(B * H);
    for (let t = 0; t < T; t++) {
      const st = this.steps[t]!;
      const z = st.z.data;
      for (let r = 0; r < B; r++) {
        z.set(hPrev.subarray(r * H, (r + 1) * H), r * (H + X));
        z.set(xs.subarray((t * B + r) * X, (t * B + r + 1) * X), r * (H + X) + H);
      }
      d.gemm(st.z, this.W, st.a);
      d.addRows(st.a, this.b);
      if (cell === 'rnn') {
        d.tanh(st.a);
        hPrev = st.a.toArray();
        continue;
      }
      d.sigmoid(st.a, S);
      d.tanh(st.a, Tn);
      const a = st.a.data, s = S.data, tn = Tn.data, C = st.C.data;
      const G = 4 * H;
      // a keeps the activations: [f | i | C~ | o] = [sigma | sigma | tanh | sigma].
      for (let r = 0; r < B; r++) {
        const o = r * G;
        for (let j = 0; j < H; j++) {
          a[o + j] = s[o + j]!;
          a[o + H + j] = s[o + H + j]!;
          a[o + 2 * H + j] = tn[o + 2 * H + j]!;
          a[o + 3 * H + j] = s[o + 3 * H + j]!;
          C[r * H + j] = a[o + j]! * cPrev[r * H + j]! + a[o + H + j]! * a[o + 2 * H + j]!;
        }
      }
      d.tanh(st.C, st.tC);
      const tC = st.tC.data;
      cPrev = st.C.toArray();
      const h = new Float32Array(B * H);
      for (let r = 0; r < B; r++) for (let j = 0; j < H; j++) h[r * H + j] = a[r * G + 3 * H + j]! * tC[r * H + j]!;
      hPrev = h;
    }
    const hT = this.mat('hT', B, H).set(hPrev);
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
    const dY = this.mat('dy', B, Y).set(dy);
    d.gemm(this.mat('hT', B, H), dY, this.gV, { transA: true });
    d.sumRows(dY, this.gc);
    const dH = this.mat('dh', B, H);
    d.gemm(dY, this.V, dH, { transB: true });
    let dh: Float32Array<ArrayBufferLike> = dH.toArray();
    let dc: Float32Array<ArrayBufferLike> = new Float32Array(B * H);
    const dA = this.mat('da', B, G), dZ = this.mat('dz', B, H + X);
    this.gW.fill(0);
    this.gb.fill(0);
    this.inputGradNorms = new Float64Array(T);
    for (let t = T - 1; t >= 0; t--) {
      const st = this.steps[t]!;
      const a = st.a.data, g = dA.data;
      if (cell === 'rnn') {
        for (let k = 0; k < B * H; k++) g[k] = dh[k]! * (1 - a[k]! * a[k]!);
      } else {
        const tC = st.tC.data;
        const Cprev = t > 0 ? this.steps[t - 1]!.C.data : undefined;
        const dcPrev = new Float32Array(B * H);
        for (let r = 0; r < B; r++) {
          const o = r * G;
          for (let j = 0; j < H; j++) {
            const k = r * H + j;
            const f = a[o + j]!, i = a[o + H + j]!, gg = a[o + 2 * H + j]!, og = a[o + 3 * H + j]!;
            const dC = dc[k]! + dh[k]! * og * (1 - tC[k]! * tC[k]!);
            const cp = Cprev ? Cprev[k]! : 0;
            g[o + j] = dC * cp * f * (1 - f);
            g[o + H + j] = dC * gg * i * (1 - i);
            g[o + 2 * H + j] = dC * i * (1 - gg * gg);
            g[o + 3 * H + j] = dh[k]! * tC[k]! * og * (1 - og);
            dcPrev[k] = dC * f;
          }
        }
        dc = dcPrev;
      }
      d.gemm(st.z, dA, this.gW, { transA: true, beta: 1 });
      d.sumRows(dA, this.gb, 1, 1);
      d.gemm(dA, this.W, dZ, { transB: true });
      const z = dZ.data;
      const next = new Float32Array(B * H);
      let sx = 0;
      for (let r = 0; r < B; r++) {
        for (let j = 0; j < H; j++) next[r * H + j] = z[r * (H + X) + j]!;
        for (let q = 0; q < X; q++) sx += z[r * (H + X) + H + q]! ** 2;
      }
      this.inputGradNorms[t] = Math.sqrt(sx / B);
      dh = next;
    }
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
