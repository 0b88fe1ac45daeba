// Rate-coded modules against references: the SIMD kernels against plain f64
// loops, backprop and BPTT against finite differences of an f64 forward
// pass, contrastive divergence against the exact log-likelihood gradient of
// a tiny RBM, the bridges' rates against their statistics, and the digits.

import { describe, it, expect } from 'vitest';
import { Dense } from '../../src/kernel/dense.js';
import { Mlp, mlpLossF64, type Activation } from '../../src/dense/mlp.js';
import { RecurrentNet, recurrentLossF64, type Cell } from '../../src/dense/recurrent.js';
import { Rbm } from '../../src/dense/rbm.js';
import { Optimizer } from '../../src/dense/optim.js';
import { Philox } from '../../src/core/philox.js';
import { loadDigits, split, PIXELS } from '../../src/data/mnist.js';
import { validateModel } from '../../src/model/validate.js';
import { Simulation } from '../../src/sim/simulation.js';
import { ModelError } from '../../src/core/errors.js';
import { recordingSink } from '../../src/sim/recording.js';
import { worstRelativeError } from '../support/gradcheck.js';

const rng = new Philox(2024);
let draw = 0;
const rand = () => rng.uniform(draw++, 0, 0, 0) - 0.5;

function naiveGemm(A: Float32Array, B: Float32Array, m: number, n: number, k: number, tA: boolean, tB: boolean): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += (tA ? A[p * m + i]! : A[i * k + p]!) * (tB ? B[j * k + p]! : B[p * n + j]!);
    C[i * n + j] = s;
  }
  return C;
}

describe('dense SIMD kernels', () => {
  const d = new Dense();

  it.each([[1, 1, 1], [3, 5, 7], [4, 8, 16], [13, 17, 19], [32, 40, 100]])('gemm %i x %i x %i in every transposition matches f64 loops', (m, n, k) => {
    for (const tA of [false, true]) for (const tB of [false, true]) {
      const Av = Float32Array.from({ length: m * k }, rand), Bv = Float32Array.from({ length: k * n }, rand), Cv = Float32Array.from({ length: m * n }, rand);
      const A = tA ? d.mat(k, m, Av) : d.mat(m, k, Av), B = tB ? d.mat(n, k, Bv) : d.mat(k, n, Bv), C = d.mat(m, n, Cv);
      d.gemm(A, B, C, { transA: tA, transB: tB, alpha: 0.5, beta: 2 });
      const ref = naiveGemm(Av, Bv, m, n, k, tA, tB);
      const c = C.data;
      for (let i = 0; i < m * n; i++) expect(Math.abs(c[i]! - (0.5 * ref[i]! + 2 * Cv[i]!))).toBeLessThan(1e-5 * Math.sqrt(k) + 1e-6);
      [A, B, C].forEach((x) => x.free());
    }
  });

  it('SGD with momentum follows v = mu v + g, w -= lr v, with the rate a schedule sets, and only its own', () => {
    const w = d.mat(1, 2, new Float32Array([1, -1])), g = d.mat(1, 2, new Float32Array([0.5, 2]));
    const shared = { kind: 'sgd' as const, lr: 0.1, momentum: 0.5 };
    const opt = new Optimizer(d, [{ name: 'w', w, g }], shared);
    const other = new Optimizer(d, [{ name: 'w', w: d.mat(1, 2), g: d.mat(1, 2) }], shared);
    opt.step();                    // v = g; w = w0 - 0.1 g
    opt.setLearningRate(0.01);
    opt.step();                    // v = 0.5 g + g = 1.5 g; w -= 0.01 * 1.5 g
    const expected = [1 - 0.1 * 0.5 - 0.015 * 0.5, -1 - 0.1 * 2 - 0.015 * 2];
    w.toArray().forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6));
    expect(shared.lr).toBe(0.1);
    expect(other.options.lr).toBe(0.1);
    expect(() => opt.setLearningRate(-1)).toThrow(/learning rate -1/);
  });

  it('weight decay adds weightDecay x w to the gradients of weight matrices, not of bias rows', () => {
    const W = d.mat(2, 2, new Float32Array([1, 2, 3, 4])), b = d.mat(1, 2, new Float32Array([1, 2]));
    const gW = d.mat(2, 2, new Float32Array([0.5, 0, 0, 0])), gb = d.mat(1, 2, new Float32Array([0, 1]));
    new Optimizer(d, [{ name: 'W', w: W, g: gW }, { name: 'b', w: b, g: gb }], { kind: 'sgd', lr: 0.1, weightDecay: 0.01 }).step();
    [1, 2, 3, 4].forEach((w0, k) => expect(W.data[k]).toBeCloseTo(w0 - 0.1 * ((k === 0 ? 0.5 : 0) + 0.01 * w0), 6));
    expect(Array.from(b.data)).toEqual([1, Math.fround(Math.fround(2) - Math.fround(0.1))]);
  });

  it('gemm refuses mismatched shapes', () => {
    expect(() => d.gemm(d.mat(2, 3), d.mat(4, 5), d.mat(2, 5))).toThrow(/gemm shapes: op\(A\) 2 x 3, op\(B\) 4 x 5/);
  });

  it('gemv, ger, axpy and the column sums match f64 loops', () => {
    const m = 7, k = 11;
    const Av = Float32Array.from({ length: m * k }, rand), xv = Float32Array.from({ length: k }, rand), xm = Float32Array.from({ length: m }, rand);
    const A = d.mat(m, k, Av), x = d.mat(1, k, xv), y = d.mat(1, m), xt = d.mat(1, m, xm), yt = d.mat(1, k);
    d.gemv(A, x, y);
    d.gemv(A, xt, yt, { transA: true });
    for (let i = 0; i < m; i++) { let s = 0; for (let p = 0; p < k; p++) s += Av[i * k + p]! * xv[p]!; expect(Math.abs(y.data[i]! - s)).toBeLessThan(1e-6); }
    for (let p = 0; p < k; p++) { let s = 0; for (let i = 0; i < m; i++) s += Av[i * k + p]! * xm[i]!; expect(Math.abs(yt.data[p]! - s)).toBeLessThan(1e-6); }
    d.ger(xt, x, A, 2);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) expect(Math.abs(A.data[i * k + p]! - (Av[i * k + p]! + 2 * xm[i]! * xv[p]!))).toBeLessThan(1e-6);
    const s = d.mat(1, k);
    d.sumRows(A, s);
    for (let p = 0; p < k; p++) { let c = 0; for (let i = 0; i < m; i++) c += A.data[i * k + p]!; expect(Math.abs(s.data[p]! - c)).toBeLessThan(1e-5); }
  });

  it('sigmoid and tanh are accurate to 1e-6 over [-30, 30]', () => {
    const xs = Float32Array.from({ length: 6001 }, (_, i) => -30 + i * 0.01);
    const x = d.mat(1, xs.length, xs), y = d.mat(1, xs.length);
    d.sigmoid(x, y);
    let worst = 0;
    xs.forEach((v, i) => { worst = Math.max(worst, Math.abs(y.data[i]! - 1 / (1 + Math.exp(-v)))); });
    expect(worst).toBeLessThan(1e-6);
    d.tanh(x, y);
    worst = 0;
    xs.forEach((v, i) => { worst = Math.max(worst, Math.abs(y.data[i]! - Math.tanh(v))); });
    expect(worst).toBeLessThan(1e-6);
  });

  it('Bernoulli samples have the asked probabilities', () => {
    const n = 40000;
    const p = d.mat(1, n, Float32Array.from({ length: n }, (_, i) => (i % 4) / 4 + 0.1)), out = d.mat(1, n);
    d.setSeed(3);
    d.bernoulli(p, out, 0, 1);
    const sums = [0, 0, 0, 0];
    out.data.forEach((v, i) => { sums[i % 4]! += v; });
    sums.forEach((s, q) => expect(Math.abs(s / (n / 4) - (q / 4 + 0.1))).toBeLessThan(4 * Math.sqrt(0.25 / (n / 4))));
  });
});

/** max over parameters of |analytic - numeric| / (|analytic| + |numeric|), numeric from central differences of an f64 loss. */
describe('sparse-input products (the first layer on digits: most pixels 0)', () => {
  const d = new Dense();
  it.each([[5, 7, 9], [32, 400, 784], [3, 10, 13]])('X W and X^T G with 80 %% zeros in X (%i x %i, k %i) match f64 loops, with beta 0 and 1', (m, n, k) => {
    const Xv = Float32Array.from({ length: m * k }, () => (rand() > 0.3 ? 0 : rand())), Wv = Float32Array.from({ length: k * n }, rand), Gv = Float32Array.from({ length: m * n }, rand);
    const X = d.mat(m, k, Xv), W = d.mat(k, n, Wv), G = d.mat(m, n, Gv);
    for (const beta of [0, 1]) {
      const C0 = Float32Array.from({ length: m * n }, rand), D0 = Float32Array.from({ length: k * n }, rand);
      const C = d.mat(m, n, C0), D = d.mat(k, n, D0);
      d.gemmSparseA(X, W, C, beta);
      d.gemmSparseATrans(X, G, D, beta);
      const xw = naiveGemm(Xv, Wv, m, n, k, false, false), xg = naiveGemm(Xv, Gv, k, n, m, true, false);
      const c = C.data, dd = D.data;
      for (let i = 0; i < m * n; i++) expect(Math.abs(c[i]! - (xw[i]! + beta * C0[i]!))).toBeLessThan(1e-5 * Math.sqrt(k) + 1e-6);
      for (let i = 0; i < k * n; i++) expect(Math.abs(dd[i]! - (xg[i]! + beta * D0[i]!))).toBeLessThan(1e-5 * Math.sqrt(m) + 1e-6);
      C.free(); D.free();
    }
    X.free(); W.free(); G.free();
  });
});

describe('gradient checks (f32 kernels against finite differences of an f64 reference)', () => {
  it('MLP 8-5-3 on inputs that are mostly 0 (the sparse first-layer path): relative error below 1e-3', () => {
    const d = new Dense();
    const sizes = [8, 5, 3], B = 4;
    const net = new Mlp(d, sizes, 'relu', 6);
    const x = Float32Array.from({ length: B * 8 }, (_, k) => (k % 4 === 0 ? 2 * rand() + 0.1 : 0));
    const labels = [1, 0, 2, 1];
    net.forward(x, B);
    net.backward(labels, B);
    const W = net.layers.map((L) => Float64Array.from(L.W.data)), b = net.layers.map((L) => Float64Array.from(L.b.data));
    const analytic = net.layers.flatMap((L) => [Float64Array.from(L.gW.data), Float64Array.from(L.gb.data)]);
    const x64 = Float64Array.from(x);
    expect(worstRelativeError(analytic, W.flatMap((w, l) => [w, b[l]!]), () => mlpLossF64(sizes, 'relu', W, b, x64, labels, B))).toBeLessThan(1e-3);
  });

  it.each(['sigmoid', 'relu'] as const)('MLP 6-5-4-3, %s hidden units: relative error below 1e-3', (act: Activation) => {
    const d = new Dense();
    const sizes = [6, 5, 4, 3], B = 4;
    const net = new Mlp(d, sizes, act, 5);
    const x = Float32Array.from({ length: B * 6 }, () => 2 * rand());
    const labels = [0, 2, 1, 2];
    net.forward(x, B);
    net.backward(labels, B);
    const W = net.layers.map((L) => Float64Array.from(L.W.data)), b = net.layers.map((L) => Float64Array.from(L.b.data));
    const analytic = net.layers.flatMap((L) => [Float64Array.from(L.gW.data), Float64Array.from(L.gb.data)]);
    const params = W.flatMap((w, l) => [w, b[l]!]);
    const x64 = Float64Array.from(x);
    expect(worstRelativeError(analytic, params, () => mlpLossF64(sizes, act, W, b, x64, labels, B))).toBeLessThan(1e-3);
  });

  it.each(['lstm', 'rnn'] as const)('%s (3 inputs, 5 units, 7 steps, batch 3), BPTT: relative error below 1e-3', (cell: Cell) => {
    const d = new Dense();
    const shape = { cell, inputs: 3, hidden: 5, outputs: 2 };
    const net = new RecurrentNet(d, shape, 9);
    const B = 3, T = 7;
    const xs = Float32Array.from({ length: T * B * 3 }, () => 2 * rand());
    const targets = Float32Array.from({ length: B * 2 }, rand);
    const y = net.forward(xs, B, T);
    net.backward(Float32Array.from(y, (v, k) => (2 * (v - targets[k]!)) / B));
    const params = net.paramsF64();
    const analytic = [net.gW, net.gb, net.gV, net.gc].map((m) => Float64Array.from(m.data));
    expect(worstRelativeError(analytic, params, () => recurrentLossF64(shape, params, xs, targets, B, T))).toBeLessThan(1e-3);
  });

  it.each(['lstm', 'rnn'] as const)('%s: a shorter sequence after a longer one gives the gradients of a fresh network (the step buffers are reused)', (cell: Cell) => {
    const shape = { cell, inputs: 2, hidden: 6, outputs: 1 };
    const used = new RecurrentNet(new Dense(), shape, 3), fresh = new RecurrentNet(new Dense(), shape, 3);
    const B = 2, long = Float32Array.from({ length: 9 * B * 2 }, rand), short = Float32Array.from({ length: 4 * B * 2 }, rand);
    used.backward(Float32Array.from(used.forward(long, B, 9)));
    const grads = (net: RecurrentNet) => { net.backward(Float32Array.from(net.forward(short, B, 4), (v) => 2 * v)); return [net.gW, net.gb, net.gV, net.gc].map((m) => Array.from(m.data)); };
    expect(grads(used)).toEqual(grads(fresh));
    expect(Array.from(used.inputGradNorms)).toEqual(Array.from(fresh.inputGradNorms));
  });

  it('the LSTM forward pass equals the f64 equations', () => {
    const d = new Dense();
    const shape = { cell: 'lstm' as const, inputs: 2, hidden: 4, outputs: 1 };
    const net = new RecurrentNet(d, shape, 4);
    const B = 2, T = 5;
    const xs = Float32Array.from({ length: T * B * 2 }, rand);
    const y = net.forward(xs, B, T);
    // The f64 loss with target 0 is the mean of y^2.
    const ref = recurrentLossF64(shape, net.paramsF64(), xs, [0, 0], B, T);
    expect(Math.abs((y[0]! ** 2 + y[1]! ** 2) / B - ref)).toBeLessThan(1e-6);
  });
});

describe('RBM', () => {
  it('CD-k moves the parameters along the exact log-likelihood gradient of a tiny RBM (inner product > 0)', () => {
    const d = new Dense();
    d.setSeed(11);
    const nv = 4, nh = 3;
    const rbm = new Rbm(d, nv, nh, 3);
    rbm.W.set(Float32Array.from({ length: nv * nh }, () => 2 * rand()));
    rbm.b.set(Float32Array.from({ length: nv }, rand));
    rbm.c.set(Float32Array.from({ length: nh }, rand));
    const data = [[1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]];
    const W = Float64Array.from(rbm.W.data), b = Float64Array.from(rbm.b.data), c = Float64Array.from(rbm.c.data);
    // Exact gradient of the mean log-likelihood, by enumeration of all 2^(nv + nh) states.
    const gW = new Float64Array(nv * nh), gb = new Float64Array(nv), gc = new Float64Array(nh);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    for (const v of data) for (let j = 0; j < nh; j++) {
      let x = c[j]!;
      for (let i = 0; i < nv; i++) x += v[i]! * W[i * nh + j]!;
      const ph = sig(x) / data.length;
      gc[j]! += ph;
      for (let i = 0; i < nv; i++) gW[i * nh + j]! += v[i]! * ph;
    }
    for (const v of data) for (let i = 0; i < nv; i++) gb[i]! += v[i]! / data.length;
    let z = 0;
    const mW = new Float64Array(nv * nh), mb = new Float64Array(nv), mc = new Float64Array(nh);
    for (let s = 0; s < 1 << (nv + nh); s++) {
      const v = Array.from({ length: nv }, (_, i) => (s >> i) & 1), h = Array.from({ length: nh }, (_, j) => (s >> (nv + j)) & 1);
      let e = 0;
      for (let i = 0; i < nv; i++) e += b[i]! * v[i]!;
      for (let j = 0; j < nh; j++) e += c[j]! * h[j]!;
      for (let i = 0; i < nv; i++) for (let j = 0; j < nh; j++) e += v[i]! * h[j]! * W[i * nh + j]!;
      const p = Math.exp(e);
      z += p;
      for (let i = 0; i < nv; i++) { mb[i]! += p * v[i]!; for (let j = 0; j < nh; j++) mW[i * nh + j]! += p * v[i]! * h[j]!; }
      for (let j = 0; j < nh; j++) mc[j]! += p * h[j]!;
    }
    const exact = [...Array.from(gW, (g, k) => g - mW[k]! / z), ...Array.from(gb, (g, k) => g - mb[k]! / z), ...Array.from(gc, (g, k) => g - mc[k]! / z)];
    for (const k of [1, 10]) {
      // CD-k's estimate, averaged over many repetitions of the batch (gW holds minus the estimate).
      const sum = new Float64Array(exact.length);
      const reps = 400;
      const x = Float32Array.from(data.flat());
      for (let r = 0; r < reps; r++) {
        rbm.gradient(x, data.length, { k, persistent: false, batch: data.length });
        [...rbm.gW.data, ...rbm.gb.data, ...rbm.gc.data].forEach((g, q) => { sum[q]! -= g / reps; });
      }
      let dot = 0, n1 = 0, n2 = 0;
      exact.forEach((g, q) => { dot += g * sum[q]!; n1 += g * g; n2 += sum[q]! ** 2; });
      const cosine = dot / Math.sqrt(n1 * n2);
      expect(cosine, `CD-${k}`).toBeGreaterThan(0.5);
    }
  });

  it('training on digits lowers the held-out reconstruction error and raises the pseudo-log-likelihood', () => {
    const digits = loadDigits();
    const sp = split(digits, 2000, 500, 1);
    const d = new Dense();
    d.setSeed(1);
    const rbm = new Rbm(d, PIXELS, 64, 1);
    rbm.initVisibleBias(digits.images, sp.train);
    const before = rbm.evaluate(digits.images, sp.test);
    const opt = rbm.optimizer({ kind: 'sgd', lr: 0.01, momentum: 0.9 });
    for (let e = 0; e < 2; e++) rbm.trainEpoch(digits.images, sp.train, opt, { k: 1, persistent: false, batch: 20 });
    const after = rbm.evaluate(digits.images, sp.test);
    expect(after.reconstruction_error).toBeLessThan(0.75 * before.reconstruction_error);
    expect(after.pseudo_log_likelihood).toBeGreaterThan(before.pseudo_log_likelihood + 25);
  });
});

describe('MLP on digits', () => {
  it('two epochs of Adam on 3000 digits reach 85 % on 1000 held-out digits', () => {
    const digits = loadDigits();
    const sp = split(digits, 3000, 1000, 2);
    const net = new Mlp(new Dense(), [PIXELS, 100, 10], 'relu', 1);
    const opt = net.optimizer({ kind: 'adam', lr: 0.001 });
    for (let e = 0; e < 2; e++) net.trainEpoch(digits.images, digits.labels, sp.train, opt, 32);
    const pred = net.predict(digits.images, sp.test);
    let ok = 0;
    pred.forEach((p, i) => { if (p === digits.labels[sp.test[i]!]) ok++; });
    expect(ok / sp.test.length).toBeGreaterThan(0.85);
  });
});

describe('the MNIST digits', () => {
  it('are 10000 images of 28 x 28 in [0, 1], labels 0-9, and split reproducibly', () => {
    const digits = loadDigits();
    expect(digits.count).toBe(10000);
    expect(digits.images.length).toBe(10000 * 784);
    let lo = Infinity, hi = -Infinity;
    for (const v of digits.images) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    const classes = new Set(digits.labels);
    expect([...classes].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const a = split(digits, 8000, 2000, 1), b = split(digits, 8000, 2000, 1);
    expect(a.train).toEqual(b.train);
    const all = new Set([...a.train, ...a.test]);
    expect(all.size).toBe(10000);
    expect(() => split(digits, 9000, 2000, 1)).toThrow(/9000 \+ 2000 digits asked for, 10000 available/);
  });
});

describe('bridges', () => {
  it('the encoder recovers the rate of Poisson trains, by counts and by an exponential filter', () => {
    for (const encoder of [{ kind: 'count', window: 500 }, { kind: 'exponential', tau: 200 }]) {
      const model = validateModel({
        dt: 0.1, duration: 3000, seed: 4,
        populations: [{ name: 'in', size: 400, model: 'poisson', params: { rate: 30 } }, { name: 'out', size: 4, model: 'poisson', params: { rate: 0 } }],
        modules: [{ name: 'm', type: 'rbm', input: 'in', output: 'out', interval: 100, encoder, input_scale: 100 }],
        record: { spikes: [] },
      });
      const sim = new Simulation(model);
      const inputs: number[] = [];
      sim.run({ sink: recordingSink({ modules: (s) => { if (s.tMs >= 1000) inputs.push(s.input.reduce((a, b) => a + b, 0) / s.input.length); } }) });
      const mean = (100 * inputs.reduce((a, b) => a + b, 0)) / inputs.length;
      // 400 trains over >= 2 s: the standard error of the mean rate is under 0.2 Hz.
      expect(Math.abs(mean - 30), `${encoder.kind}`).toBeLessThan(1);
    }
  });

  it('the decoder makes Poisson trains at max_rate x activity, and regular trains with exact periods', () => {
    for (const process of ['poisson', 'regular'] as const) {
      const model = validateModel({
        dt: 0.1, duration: 4000, seed: 5,
        populations: [{ name: 'in', size: 10, model: 'poisson', params: { rate: 0 } }, { name: 'out', size: 200, model: 'poisson', params: { rate: 0, process } }],
        // An RBM with zero weights and biases: activity exactly 1/2.
        modules: [{ name: 'm', type: 'rbm', input: 'in', output: 'out', interval: 50, max_rate: 80 }],
      });
      const sim = new Simulation(model);
      sim.modules[0]!.rbm!.W.fill(0);
      const times: number[][] = Array.from({ length: 200 }, () => []);
      sim.run({ sink: recordingSink({ spikes: (c) => c.times.forEach((t, k) => { const id = c.ids[k]! - sim.network.populations[1]!.first; if (id >= 0 && t > 100) times[id]!.push(t); }) }) });
      const count = times.reduce((a, t) => a + t.length, 0);
      const rate = count / 200 / 3.9;
      if (process === 'poisson') expect(Math.abs(rate - 40)).toBeLessThan(4 * Math.sqrt(40 / (200 * 3.9)));
      else {
        expect(Math.abs(rate - 40)).toBeLessThan(0.5);
        for (const t of times.slice(0, 20)) for (let k = 1; k < t.length; k++) expect(Math.abs(t[k]! - t[k - 1]! - 25)).toBeLessThan(1e-9);
      }
    }
  });

  it('refuses bad module blocks with the path and the rule', () => {
    const base = (mod: object) => ({
      dt: 0.1,
      populations: [{ name: 'in', size: 5, model: 'poisson', params: { rate: 5 } }, { name: 'out', size: 3, model: 'poisson', params: { rate: 0 } }, { name: 'n', size: 3, model: 'lif' }],
      modules: [{ name: 'm', type: 'lstm', input: 'in', output: 'out', ...mod }],
    });
    const issues = (mod: object) => { try { validateModel(base(mod)); return []; } catch (e) { return (e as ModelError).issues; } };
    expect(issues({ type: 'gru' })).toContainEqual({ path: '/modules/0/type', message: 'must be "lstm", "rnn", "rbm", "mlp", "vae" or "gan" (got "gru")' });
    expect(issues({ output: 'n' })).toContainEqual({ path: '/modules/0/output', message: 'the module sets rates: "n" must be a poisson population (process "poisson" or "regular"), not lif' });
    expect(issues({ input: 'inn' })).toContainEqual({ path: '/modules/0/input', message: 'no population named "inn" (did you mean "in"?)' });
    expect(issues({ interval: 0.01 })).toContainEqual({ path: '/modules/0/interval', message: 'update interval must be >= dt = 0.1 ms (got 0.01)' });
    expect(issues({ encoder: { kind: 'count', window: 5 } })).toContainEqual({ path: '/modules/0/encoder/window', message: 'the count window must be at least the module interval, 10 ms (got 5)' });
    expect(issues({ encoder: { kind: 'exponential', tau: -1 } })).toContainEqual({ path: '/modules/0/encoder/tau', message: 'time constant must be > 0 ms (got -1)' });
    expect(issues({ hidden: [4] })).toContainEqual({ path: '/modules/0/hidden', message: 'only an mlp, a vae and a gan have hidden layers; the lstm\'s size is its output population\'s' });
    expect(issues({ max_rate: -5 })).toContainEqual({ path: '/modules/0/max_rate', message: 'must be >= 0 Hz (got -5)' });
  });
});
