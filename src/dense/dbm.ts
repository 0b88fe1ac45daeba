// A deep Boltzmann machine with two hidden layers (Salakhutdinov & Hinton
// 2009): binary v, h1, h2 with
//   E(v, h1, h2) = -v.W1 h1 - h1.W2 h2 - b.v - c1.h1 - c2.h2.
// h1 sees both neighbours: p(h1 | v, h2) = sigmoid(v W1 + h2 W2^T + c1),
// while v and h2 depend on h1 only.
//
// Pretraining (the paper's section 3.1): two RBMs trained greedily, the
// first with its bottom-up input doubled (p(h1 | v) = sigmoid(2 v W1 + c1))
// and the second with its top-down input doubled (p(h1 | h2) =
// sigmoid(2 h2 W2^T + c1)), so that in the composed machine, where h1 gets
// input from both sides, no layer is counted twice. Joint training: the data
// term by mean-field inference (mu1 = sigmoid(v W1 + mu2 W2^T + c1), mu2 =
// sigmoid(mu1 W2 + c2) to a fixed point), the model term by persistent Gibbs
// chains (h1 | v, h2, then v and h2 | h1).
//
// Likelihoods: given h1, v and h2 are independent, so summing them out
// leaves an RBM whose visible layer is h1 and whose hidden layer is v and h2
// together: weights [W1^T | W2], visible biases c1, hidden biases [b | c2].
// Its partition function is the DBM's (asRbm, for AIS and enumeration). The
// test log-likelihood is bounded below with the mean-field posterior q:
//   log p(v) >= E_q[-E(v, h)] + H(q) - log Z.

import { Dense, Mat } from '../kernel/dense.js';
import { Scratch } from './scratch.js';
import { gatherRows } from './batches.js';
import { Optimizer, type Param, type OptimizerOptions } from './optim.js';
import { Rbm } from './rbm.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';

const xlogx = (p: number) => (p > 0 ? p * Math.log(p) : 0);

// Sweeps of the persistent chains when they are made.
const CHAIN_BURN_IN = 100;

export class Dbm {
  readonly W1: Mat;
  readonly W2: Mat;
  readonly b: Mat;
  readonly c1: Mat;
  readonly c2: Mat;
  readonly gW1: Mat;
  readonly gW2: Mat;
  readonly gb: Mat;
  readonly gc1: Mat;
  readonly gc2: Mat;
  private readonly scratch: Scratch;
  private chains: { v: Mat; h1: Mat; h2: Mat } | undefined;
  private draws = 0;

  constructor(readonly dense: Dense, readonly nv: number, readonly n1: number, readonly n2: number, readonly seed: number) {
    this.scratch = new Scratch(dense);
    this.W1 = dense.mat(nv, n1);
    this.W2 = dense.mat(n1, n2);
    this.b = dense.mat(1, nv);
    this.c1 = dense.mat(1, n1);
    this.c2 = dense.mat(1, n2);
    this.gW1 = dense.mat(nv, n1);
    this.gW2 = dense.mat(n1, n2);
    this.gb = dense.mat(1, nv);
    this.gc1 = dense.mat(1, n1);
    this.gc2 = dense.mat(1, n2);
  }

  /** The machine composed of two pretrained RBMs (v-h1 and h1-h2). */
  static compose(bottom: Rbm, top: Rbm, seed: number): Dbm {
    if (bottom.nh !== top.nv) throw new RangeError(`the RBMs do not stack: ${bottom.nh} hidden units under ${top.nv} visible ones`);
    const m = new Dbm(bottom.dense, bottom.nv, bottom.nh, top.nh, seed);
    m.W1.set(bottom.W.data);
    m.W2.set(top.W.data);
    m.b.set(bottom.b.data);
    // h1's bias: the two RBMs' biases for that layer, averaged (each modelled it alone).
    const c = bottom.c.toArray(), v = top.b.toArray();
    m.c1.set(Float32Array.from(c, (x, j) => 0.5 * (x + v[j]!)));
    m.c2.set(top.c.data);
    return m;
  }

  params(): Param[] {
    return [
      { name: 'W1', w: this.W1, g: this.gW1 }, { name: 'W2', w: this.W2, g: this.gW2 },
      { name: 'b', w: this.b, g: this.gb }, { name: 'c1', w: this.c1, g: this.gc1 }, { name: 'c2', w: this.c2, g: this.gc2 },
    ];
  }

  optimizer(options: OptimizerOptions): Optimizer {
    return new Optimizer(this.dense, this.params(), options);
  }

  private buf(name: string, B: number, cols: number): Mat {
    return this.scratch.get(name, B, cols);
  }

  /** Every buffer at B rows or more, allocated before any view into them is taken. */
  private reserve(B: number): void {
    const { nv, n1, n2 } = this;
    for (const [n, c] of [['v', nv], ['p1', n1], ['pv', nv], ['p2', n2], ['m1', n1], ['m2', n2], ['vw', n1], ['bv', nv], ['bvw', n1]] as const) this.buf(n, B, c);
  }

  private sample(p: Mat, out: Mat): void {
    this.dense.bernoulli(p, out, 0x0db * 2 ** 32 + this.draws, (this.seed * 64 + 61) % 2 ** 24);
    this.draws += Math.ceil(p.size / 4);
  }

  /** p(h1 | v, h2) into out. */
  private h1Given(V: Mat, H2: Mat, out: Mat): void {
    const d = this.dense;
    d.gemm(V, this.W1, out);
    d.gemm(H2, this.W2, out, { transB: true, beta: 1 });
    d.addRows(out, this.c1);
    d.sigmoid(out);
  }

  /** Mean-field posteriors mu1, mu2 of B visible rows (kernel matrices, valid until the next call). */
  meanField(V: Mat, B: number, iterations: number): { M1: Mat; M2: Mat } {
    const d = this.dense;
    this.reserve(B);
    const M1 = this.buf('m1', B, this.n1), M2 = this.buf('m2', B, this.n2), VW = this.buf('vw', B, this.n1);
    d.gemm(V, this.W1, VW);
    d.addRows(VW, this.c1);
    // Start bottom-up, h1's input doubled for the missing top-down half (as in pretraining).
    d.gemm(V, this.W1, M1, { alpha: 2 });
    d.addRows(M1, this.c1);
    d.sigmoid(M1);
    for (let it = 0; it < iterations; it++) {
      d.gemm(M1, this.W2, M2);
      d.addRows(M2, this.c2);
      d.sigmoid(M2);
      M1.set(VW.data);
      d.gemm(M2, this.W2, M1, { transB: true, beta: 1 });
      d.sigmoid(M1);
    }
    d.gemm(M1, this.W2, M2);
    d.addRows(M2, this.c2);
    d.sigmoid(M2);
    return { M1, M2 };
  }

  /** One sweep of the persistent chains: h1 | v, h2; then v | h1 and h2 | h1. */
  private sweep(C: { v: Mat; h1: Mat; h2: Mat }, P1: Mat, Pv: Mat, P2: Mat): void {
    const d = this.dense;
    this.h1Given(C.v, C.h2, P1);
    this.sample(P1, C.h1);
    d.gemm(C.h1, this.W1, Pv, { transB: true });
    d.addRows(Pv, this.b);
    d.sigmoid(Pv);
    this.sample(Pv, C.v);
    d.gemm(C.h1, this.W2, P2);
    d.addRows(P2, this.c2);
    d.sigmoid(P2);
    this.sample(P2, C.h2);
  }

  /**
   * The gradient (for descent) of one batch of B visible rows into the g
   * matrices: mean-field statistics of the data minus those of `chains`
   * persistent chains after `sweeps` Gibbs sweeps.
   */
  gradient(x: Float32Array, B: number, chains: number, sweeps: number, mfIterations: number): void {
    const d = this.dense;
    this.reserve(Math.max(B, chains));
    const V = this.buf('v', B, this.nv).set(x.subarray(0, B * this.nv));
    const { M1, M2 } = this.meanField(V, B, mfIterations);
    d.gemm(V, M1, this.gW1, { transA: true, alpha: -1 / B });
    d.gemm(M1, M2, this.gW2, { transA: true, alpha: -1 / B });
    d.sumRows(V, this.gb, -1 / B);
    d.sumRows(M1, this.gc1, -1 / B);
    d.sumRows(M2, this.gc2, -1 / B);
    if (!this.chains || this.chains.v.rows !== chains) {
      this.chains?.v.free(); this.chains?.h1.free(); this.chains?.h2.free();
      // Chains start at the batch's digits (cycled) with the mean-field
      // posteriors sampled, then burn in: far closer to the model than noise.
      const V0 = new Float32Array(chains * this.nv);
      for (let r = 0; r < chains; r++) V0.set(x.subarray((r % B) * this.nv, (r % B + 1) * this.nv), r * this.nv);
      const Vc = this.buf('v', chains, this.nv).set(V0);
      const { M1, M2 } = this.meanField(Vc, chains, mfIterations);
      this.chains = { v: d.mat(chains, this.nv, V0), h1: d.mat(chains, this.n1), h2: d.mat(chains, this.n2) };
      this.sample(M1, this.chains.h1);
      this.sample(M2, this.chains.h2);
      const Q1 = this.buf('p1', chains, this.n1), Qv = this.buf('pv', chains, this.nv), Q2 = this.buf('p2', chains, this.n2);
      for (let s = 0; s < CHAIN_BURN_IN; s++) this.sweep(this.chains, Q1, Qv, Q2);
      // (The data term is already in the g matrices: the buffers reused here held only its inputs.)
    }
    const P1 = this.buf('p1', chains, this.n1), Pv = this.buf('pv', chains, this.nv), P2 = this.buf('p2', chains, this.n2);
    for (let s = 0; s < sweeps; s++) this.sweep(this.chains, P1, Pv, P2);
    const C = this.chains;
    d.gemm(C.v, C.h1, this.gW1, { transA: true, alpha: 1 / chains, beta: 1 });
    d.gemm(C.h1, C.h2, this.gW2, { transA: true, alpha: 1 / chains, beta: 1 });
    d.sumRows(C.v, this.gb, 1 / chains, 1);
    d.sumRows(C.h1, this.gc1, 1 / chains, 1);
    d.sumRows(C.h2, this.gc2, 1 / chains, 1);
  }

  trainEpoch(data: Float32Array, order: ArrayLike<number>, opt: Optimizer, o: { batch: number; chains: number; sweeps: number; mfIterations: number }, binarize?: { rng: Philox; epoch: number }): void {
    const nv = this.nv;
    const x = new Float32Array(o.batch * nv);
    for (let start = 0; start + o.batch <= order.length; start += o.batch) {
      gatherRows(data, nv, order, start, o.batch, x, binarize && { ...binarize, lane: 1, stream: STREAM_USER_TS | 18 }, this.dense);
      this.gradient(x, o.batch, o.chains, o.sweeps, o.mfIterations);
      opt.step();
    }
  }

  /** The RBM over h1 whose partition function is this machine's (see the top of the file). */
  asRbm(seed: number): Rbm {
    const { nv, n1, n2 } = this;
    const rbm = new Rbm(this.dense, n1, nv + n2, seed);
    const W1 = this.W1.toArray(), W2 = this.W2.toArray();
    const w = new Float32Array(n1 * (nv + n2));
    for (let j = 0; j < n1; j++) {
      for (let i = 0; i < nv; i++) w[j * (nv + n2) + i] = W1[i * n1 + j]!;
      for (let k = 0; k < n2; k++) w[j * (nv + n2) + nv + k] = W2[j * n2 + k]!;
    }
    rbm.W.set(w);
    rbm.b.set(this.c1.data);
    const c = new Float32Array(nv + n2);
    c.set(this.b.data, 0);
    c.set(this.c2.data, nv);
    rbm.c.set(c);
    return rbm;
  }

  /**
   * Per row of V (binary, rows x nv): E_q[-E(v, h)] + H(q) for the
   * mean-field q; minus log Z it is a lower bound on log p(v).
   */
  variationalBound(V: Float32Array, mfIterations: number): Float64Array {
    const rows = V.length / this.nv, chunk = 500;
    const out = new Float64Array(rows);
    const b = this.b.toArray(), c1 = this.c1.toArray(), c2 = this.c2.toArray();
    for (let s = 0; s < rows; s += chunk) {
      const B = Math.min(chunk, rows - s);
      this.reserve(B);
      const X = this.buf('bv', B, this.nv).set(V.subarray(s * this.nv, (s + B) * this.nv));
      const { M1, M2 } = this.meanField(X, B, mfIterations);
      // h1's input from both neighbours, v W1 + mu2 W2^T: E_q[-E] has mu1 . (that + c1).
      const VW = this.buf('bvw', B, this.n1);
      this.dense.gemm(X, this.W1, VW);
      this.dense.gemm(M2, this.W2, VW, { transB: true, beta: 1 });
      const m1 = M1.data, m2 = M2.data, vw = VW.data, x = X.data;
      for (let r = 0; r < B; r++) {
        let e = 0;
        for (let i = 0; i < this.nv; i++) if (x[r * this.nv + i]) e += b[i]!;
        for (let j = 0; j < this.n1; j++) {
          const u = m1[r * this.n1 + j]!;
          e += u * (vw[r * this.n1 + j]! + c1[j]!) - xlogx(u) - xlogx(1 - u);
        }
        for (let k = 0; k < this.n2; k++) { const u = m2[r * this.n2 + k]!; e += u * c2[k]! - xlogx(u) - xlogx(1 - u); }
        out[s + r] = e;
      }
    }
    return out;
  }

  /**
   * Block Gibbs chains from the given visible states (count x nv), hidden
   * layers from 0: `steps` sweeps; returns the last sweep's probabilities.
   */
  gibbsFrom(v0: Float32Array, count: number, steps: number): { visible: Float32Array; h1: Float32Array; h2: Float32Array } {
    const d = this.dense;
    const C = { v: d.mat(count, this.nv, v0.subarray(0, count * this.nv)), h1: d.mat(count, this.n1), h2: d.mat(count, this.n2) };
    const P1 = d.mat(count, this.n1), Pv = d.mat(count, this.nv), P2 = d.mat(count, this.n2);
    try {
      for (let s = 0; s < steps; s++) this.sweep(C, P1, Pv, P2);
      return { visible: Pv.toArray(), h1: P1.toArray(), h2: P2.toArray() };
    } finally {
      for (const m of [C.v, C.h1, C.h2, P1, Pv, P2]) m.free();
    }
  }
}
