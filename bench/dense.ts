// Dense kernels against plain TypeScript loops on the same sizes, in the
// same process; the training time per epoch of the RBM (784-256, CD-1,
// 8000 digits) and the 784-400-10 MLP (Adam, batch 32); and the time of a
// training step of the 64-unit LSTM and RNN on sequences of T steps.

import { Dense } from '../src/kernel/dense.js';
import { Mlp } from '../src/dense/mlp.js';
import { Rbm } from '../src/dense/rbm.js';
import { RecurrentNet, type Cell } from '../src/dense/recurrent.js';
import { Vae } from '../src/dense/vae.js';
import { Gan } from '../src/dense/gan.js';
import { Philox } from '../src/core/philox.js';
import { loadDigits, split, permutation } from '../src/data/mnist.js';

export interface KernelBench { op: string; shape: string; simd_gflops: number; ts_gflops: number; speedup: number }
export interface EpochBench { model: string; seconds_per_epoch: number; metric: string; value: number }
export interface StepBench { model: string; T: number; ms_per_step: number }

/**
 * One training step (forward through T steps, backward through time, Adam
 * with clipping) of a 64-unit recurrent net, 2 inputs, batch 32, as
 * lstm-vs-rnn trains it: the median of repeated steps on fixed data (making
 * batches is not the model's cost).
 */
export function benchRecurrent(quick: boolean): StepBench[] {
  const out: StepBench[] = [];
  const cases: [Cell, number][] = quick ? [['lstm', 100], ['rnn', 100]] : [['lstm', 50], ['lstm', 100], ['lstm', 200], ['rnn', 100]];
  for (const [cell, T] of cases) {
    const B = 32;
    const net = new RecurrentNet(new Dense(), { cell, inputs: 2, hidden: 64, outputs: 1 }, 1);
    const opt = net.optimizer({ kind: 'adam', lr: 0.001, clip: 1 });
    const xs = Float32Array.from({ length: T * B * 2 }, (_, k) => (k * 0.6180339) % 1);
    const dy = new Float32Array(B).fill(0.01);
    const step = () => { net.forward(xs, B, T); net.backward(dy); opt.step(); };
    for (let k = 0; k < 10; k++) step();
    const times: number[] = [];
    for (let r = 0; r < (quick ? 3 : 7); r++) times.push(time(step, 200) * 1000);
    times.sort((a, b) => a - b);
    out.push({ model: `${cell.toUpperCase()}-64, 2 inputs, batch 32, Adam`, T, ms_per_step: times[times.length >> 1]! });
  }
  return out;
}

function time(fn: () => void, minMs = 300): number {
  fn();
  let reps = 0;
  const t0 = performance.now();
  do { fn(); reps++; } while (performance.now() - t0 < minMs);
  return (performance.now() - t0) / 1000 / reps;
}

export function benchKernels(): KernelBench[] {
  const d = new Dense();
  const out: KernelBench[] = [];
  const rnd = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  for (const [m, n, k] of [[64, 400, 784], [32, 256, 784], [256, 256, 256]] as const) {
    const Av = rnd(m * k), Bv = rnd(k * n), Cv = new Float32Array(m * n);
    const A = d.mat(m, k, Av), B = d.mat(k, n, Bv), C = d.mat(m, n);
    const simd = time(() => d.gemm(A, B, C));
    // The plain loop a TypeScript programmer writes: i-p-j order, Float32Arrays.
    const ts = time(() => {
      Cv.fill(0);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) { const a = Av[i * k + p]!; const row = p * n, ci = i * n; for (let j = 0; j < n; j++) Cv[ci + j]! += a * Bv[row + j]!; }
    });
    const flops = 2 * m * n * k;
    out.push({ op: 'gemm', shape: `${m}x${k} . ${k}x${n}`, simd_gflops: flops / simd / 1e9, ts_gflops: flops / ts / 1e9, speedup: ts / simd });
    [A, B, C].forEach((x) => x.free());
  }
  {
    const m = 784, k = 400;
    const Av = rnd(m * k), xv = rnd(k), yv = new Float32Array(m);
    const A = d.mat(m, k, Av), x = d.mat(1, k, xv), y = d.mat(1, m);
    const simd = time(() => d.gemv(A, x, y));
    const ts = time(() => { for (let i = 0; i < m; i++) { let s = 0; for (let p = 0; p < k; p++) s += Av[i * k + p]! * xv[p]!; yv[i] = s; } });
    out.push({ op: 'gemv', shape: `${m}x${k} . ${k}`, simd_gflops: (2 * m * k) / simd / 1e9, ts_gflops: (2 * m * k) / ts / 1e9, speedup: ts / simd });
    const xm = d.mat(1, m, rnd(m));
    const simdG = time(() => d.ger(xm, x, A, 1e-6));
    const xmv = rnd(m);
    const tsG = time(() => { for (let i = 0; i < m; i++) { const a = 1e-6 * xmv[i]!; for (let p = 0; p < k; p++) Av[i * k + p]! += a * xv[p]!; } });
    out.push({ op: 'ger (outer product)', shape: `${m}x${k}`, simd_gflops: (2 * m * k) / simdG / 1e9, ts_gflops: (2 * m * k) / tsG / 1e9, speedup: tsG / simdG });
  }
  {
    const n = 1 << 16;
    const xv = rnd(n), yv = new Float32Array(n);
    const x = d.mat(1, n, xv), y = d.mat(1, n);
    const simd = time(() => d.sigmoid(x, y));
    const ts = time(() => { for (let i = 0; i < n; i++) yv[i] = 1 / (1 + Math.exp(-xv[i]!)); });
    out.push({ op: 'sigmoid', shape: `${n}`, simd_gflops: n / simd / 1e9, ts_gflops: n / ts / 1e9, speedup: ts / simd });
    const simdT = time(() => d.tanh(x, y));
    const tsT = time(() => { for (let i = 0; i < n; i++) yv[i] = Math.tanh(xv[i]!); });
    out.push({ op: 'tanh', shape: `${n}`, simd_gflops: n / simdT / 1e9, ts_gflops: n / tsT / 1e9, speedup: tsT / simdT });
  }
  return out;
}

export function benchEpochs(quick: boolean): EpochBench[] {
  const digits = loadDigits();
  const sp = split(digits, 8000, 2000, 1);
  const order = Array.from(permutation(8000, 7), (i) => sp.train[i]!);
  const out: EpochBench[] = [];
  {
    const d = new Dense();
    d.setSeed(1);
    const rbm = new Rbm(d, 784, 256, 1);
    rbm.initVisibleBias(digits.images, sp.train);
    const opt = rbm.optimizer({ kind: 'sgd', lr: 0.01, momentum: 0.9 });
    const epochs = quick ? 1 : 3;
    const times: number[] = [];
    for (let e = 0; e < epochs; e++) { const t0 = performance.now(); rbm.trainEpoch(digits.images, order, opt, { k: 1, persistent: false, batch: 20 }); times.push((performance.now() - t0) / 1000); }
    out.push({ model: 'RBM 784-256, CD-1, batch 20, 8000 digits', seconds_per_epoch: Math.min(...times), metric: `held-out pseudo-log-likelihood after ${epochs} epoch(s)`, value: rbm.evaluate(digits.images, sp.test).pseudo_log_likelihood });
  }
  {
    const net = new Mlp(new Dense(), [784, 400, 10], 'relu', 1);
    const opt = net.optimizer({ kind: 'adam', lr: 0.001 });
    const epochs = quick ? 1 : 5;
    const times: number[] = [];
    for (let e = 0; e < epochs; e++) { const t0 = performance.now(); net.trainEpoch(digits.images, digits.labels, order, opt, 32); times.push((performance.now() - t0) / 1000); }
    const pred = net.predict(digits.images, sp.test);
    let ok = 0;
    pred.forEach((p, i) => { if (p === digits.labels[sp.test[i]!]) ok++; });
    out.push({ model: 'MLP 784-400-10 (ReLU), Adam, batch 32, 8000 digits', seconds_per_epoch: Math.min(...times), metric: `test accuracy after ${epochs} epoch(s)`, value: ok / sp.test.length });
  }
  {
    // As vae-mnist trains it (digits binarised afresh per batch).
    const d = new Dense();
    d.setSeed(1);
    const vae = new Vae(d, 784, 500, 20, 1);
    vae.initOutputBias(digits.images, sp.train);
    const opt = vae.optimizer({ kind: 'adam', lr: 0.001 });
    const rng = new Philox(21);
    const epochs = quick ? 1 : 3;
    const times: number[] = [];
    let loss = NaN;
    for (let e = 1; e <= epochs; e++) { const t0 = performance.now(); loss = vae.trainEpoch(digits.images, order, opt, 100, rng, e); times.push((performance.now() - t0) / 1000); }
    out.push({ model: 'VAE 784-500-20 (tanh), Adam, batch 100, 8000 digits', seconds_per_epoch: Math.min(...times), metric: `training ELBO after ${epochs} epoch(s) (nats)`, value: -loss });
  }
  return out;
}

/** One GAN training step (a D step, then a G step through D) as gan-mnist takes it, batch 64: the median. */
export function benchGanStep(quick: boolean): StepBench {
  const digits = loadDigits();
  const d = new Dense();
  d.setSeed(1);
  const gan = new Gan(d, 784, { latent: 100, gHidden: [256, 512, 1024], dHidden: [512, 256], seed: 1, dDropout: 0.3 });
  const opts = gan.optimizers({ kind: 'adam', lr: 0.0002, beta1: 0.5 });
  const B = 64;
  const x = digits.images.slice(0, B * 784);
  const step = () => { gan.step(x, B, opts.d, opts.g); };
  for (let k = 0; k < 10; k++) step();
  const times: number[] = [];
  for (let r = 0; r < (quick ? 3 : 7); r++) times.push(time(step, 300) * 1000);
  times.sort((a, b) => a - b);
  return { model: 'GAN 100-256-512-1024-784 / 784-512-256-1, Adam, batch 64', T: 0, ms_per_step: times[times.length >> 1]! };
}
