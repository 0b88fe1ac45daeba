// A deep Boltzmann machine (Salakhutdinov & Hinton 2009) on the MNIST
// digits of the `mnist` package (seeded split): two RBMs pretrained
// greedily with the doubling trick, composed, then trained jointly (mean
// field for the data, persistent chains for the model), on digits binarised
// afresh each epoch. Reported: a lower bound on the held-out log-likelihood
// per epoch (the mean-field bound minus log Z by a short AIS run) and at the
// end with the paper's AIS (14500 betas, 100 runs); samples from the dense
// sampler and from the engine's binary units (three populations, their
// statistics compared); the first layer's filters; and a linear classifier
// on the mean-field posteriors against one on the raw pixels.

import type { Figure } from '../protocol/figures.js';
import { Dense } from '../kernel/dense.js';
import { Rbm } from '../dense/rbm.js';
import { Dbm } from '../dense/dbm.js';
import { aisLogZThreads } from '../dense/ais-threads.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';
import { loadDigits, split, permutation, SIDE, PIXELS } from '../data/mnist.js';
import { encodePng, imageGrid } from '../record/png.js';
import type { Limits } from '../model/validate.js';
import { binarizeStochastic } from './rbm-mnist.js';
import { layeredUnits } from './binary-layers.js';
import { correlation } from './stats.js';
import { linearAccuracy } from './linear.js';
import type { ExperimentContext, ExperimentResult, Check } from './types.js';

export interface DbmMnistOptions {
  h1: number; h2: number; pretrain_epochs: number; epochs: number; batch: number; pretrain_lr: number; lr: number;
  chains: number; mf_iterations: number; train: number; test: number; ais_betas: number; ais_runs: number; curve_betas: number; seed: number; threads: number;
}
export const DBM_DEFAULTS: DbmMnistOptions = {
  h1: 500, h2: 1000, pretrain_epochs: 10, epochs: 20, batch: 100, pretrain_lr: 0.05, lr: 0.001,
  chains: 100, mf_iterations: 10, train: 8000, test: 2000, ais_betas: 14500, ais_runs: 100, curve_betas: 1000, seed: 1, threads: 0,
};

// Salakhutdinov & Hinton (2009): the 784-500-1000 DBM on all 60000 digits.
export const PAPER_DBM = { log_likelihood_bound: -84.62, source: 'Salakhutdinov & Hinton 2009, section 4 (784-500-1000, 60000 training digits, AIS)' };

interface EpochPoint { epoch: number; seconds: number; bound: number; log_z: number; log_likelihood_bound: number }

export async function runDbmMnist(o: DbmMnistOptions, ctx: ExperimentContext): Promise<ExperimentResult> {
  const digits = loadDigits();
  const sp = split(digits, o.train, o.test, o.seed);
  const testBits = binarizeStochastic(digits.images, sp.test, o.seed + 1000);
  const dense = new Dense();
  dense.setSeed(o.seed);
  const binarizer = new Philox(o.seed + 2000);
  const total = 2 * o.pretrain_epochs + o.epochs + 4;
  let done = 0;
  const tick = () => ctx.fraction?.(++done, total);

  // ---- greedy pretraining with doubled inputs
  const bottom = new Rbm(dense, PIXELS, o.h1, o.seed, 1);
  bottom.initVisibleBias(digits.images, sp.train);
  const optB = bottom.optimizer({ kind: 'sgd', lr: o.pretrain_lr, momentum: 0.9 });
  for (let e = 1; e <= o.pretrain_epochs && !ctx.shouldStop?.(); e++) {
    bottom.trainEpoch(digits.images, Array.from(permutation(sp.train.length, o.seed * 100 + e), (i) => sp.train[i]!), optB, { k: 1, persistent: false, batch: o.batch, up: 2 }, { rng: binarizer, epoch: e });
    tick();
    ctx.progress?.(`pretraining ${PIXELS}-${o.h1} (hidden input doubled): epoch ${e}`);
  }
  // The top RBM learns the bottom one's (doubled) hidden probabilities.
  const h1Data = new Float32Array(sp.train.length * o.h1);
  {
    const chunk = 500;
    for (let s = 0; s < sp.train.length; s += chunk) {
      const B = Math.min(chunk, sp.train.length - s);
      const V = dense.mat(B, PIXELS), H = dense.mat(B, o.h1);
      for (let r = 0; r < B; r++) V.row(r).set(digits.images.subarray(sp.train[s + r]! * PIXELS, (sp.train[s + r]! + 1) * PIXELS));
      bottom.hiddenProbs(V, H, 2);
      h1Data.set(H.data, s * o.h1);
      V.free();
      H.free();
    }
  }
  const top = new Rbm(dense, o.h1, o.h2, o.seed, 2);
  const ids = Uint32Array.from({ length: sp.train.length }, (_, i) => i);
  top.initVisibleBias(h1Data, ids);
  const optT = top.optimizer({ kind: 'sgd', lr: o.pretrain_lr, momentum: 0.9 });
  for (let e = 1; e <= o.pretrain_epochs && !ctx.shouldStop?.(); e++) {
    top.trainEpoch(h1Data, Array.from(permutation(ids.length, o.seed * 200 + e)), optT, { k: 1, persistent: false, batch: o.batch, down: 2 });
    tick();
    ctx.progress?.(`pretraining ${o.h1}-${o.h2} (visible input doubled): epoch ${e}`);
  }

  // ---- joint training
  const dbm = Dbm.compose(bottom, top, o.seed);
  const opt = dbm.optimizer({ kind: 'sgd', lr: o.lr, momentum: 0.5 });
  const curve: EpochPoint[] = [];
  // The AIS base-rate model over h1: the mean-field posteriors' mean on training digits.
  const baseOf = (m: Dbm) => {
    const n = Math.min(2000, sp.train.length);
    const V = new Float32Array(n * PIXELS);
    for (let r = 0; r < n; r++) V.set(digits.images.subarray(sp.train[r]! * PIXELS, (sp.train[r]! + 1) * PIXELS), r * PIXELS);
    const mean = new Float64Array(o.h1);
    for (let s = 0; s < n; s += 500) {
      const B = Math.min(500, n - s);
      const X = dense.mat(B, PIXELS, V.subarray(s * PIXELS, (s + B) * PIXELS));
      const mu = m.meanField(X, B, o.mf_iterations).M1.toArray();
      X.free();
      for (let k = 0; k < mu.length; k++) mean[k % o.h1]! += mu[k]! / n;
    }
    return Float32Array.from(mean, (p) => { const q = Math.min(0.99, Math.max(0.01, p)); return Math.log(q / (1 - q)); });
  };
  const evaluate = async (epoch: number, seconds: number, betas: number, runs: number) => {
    const bounds = dbm.variationalBound(testBits, o.mf_iterations);
    let bound = 0;
    for (const v of bounds) bound += v / bounds.length;
    const rbm = dbm.asRbm(o.seed);
    const z = await aisLogZThreads(rbm, { betas, runs, seed: o.seed + epoch, baseBias: baseOf(dbm), keepHiddenBiases: true }, o.threads);
    return { epoch, seconds, bound, log_z: z.logZ, log_likelihood_bound: bound - z.logZ, z };
  };
  if (o.curve_betas > 0) curve.push(await evaluate(0, 0, o.curve_betas, 20));
  for (let e = 1; e <= o.epochs && !ctx.shouldStop?.(); e++) {
    // The learning rate falls as 1 / (1 + epoch / 10), as persistent chains need (Tieleman 2008).
    opt.setLearningRate(o.lr / (1 + (e - 1) / 10));
    const t0 = performance.now();
    dbm.trainEpoch(digits.images, Array.from(permutation(sp.train.length, o.seed * 300 + e), (i) => sp.train[i]!), opt, { batch: o.batch, chains: o.chains, sweeps: 1, mfIterations: o.mf_iterations }, { rng: binarizer, epoch: 100 + e });
    const seconds = (performance.now() - t0) / 1000;
    if (o.curve_betas > 0) {
      const p = await evaluate(e, seconds, o.curve_betas, 20);
      curve.push(p);
      ctx.progress?.(`joint training epoch ${e}: ${seconds.toFixed(1)} s, held-out bound ${p.log_likelihood_bound.toFixed(2)} nats (short AIS)`);
    } else ctx.progress?.(`joint training epoch ${e}: ${seconds.toFixed(1)} s`);
    tick();
  }

  // ---- the paper's AIS at the end
  let final: { log_z: number; log_z_low: number; log_z_high: number; log_z_se: number; effective_runs: number; log_likelihood_bound: number; log_likelihood_bound_low: number; seconds: number } | undefined;
  if (o.ais_betas > 0 && !ctx.shouldStop?.()) {
    ctx.progress?.(`AIS with ${o.ais_betas} betas and ${o.ais_runs} runs`);
    const t0 = performance.now();
    const p = await evaluate(o.epochs, 0, o.ais_betas, o.ais_runs);
    final = {
      log_z: p.log_z, log_z_low: p.z.logZLow, log_z_high: p.z.logZHigh, log_z_se: p.z.logZSe, effective_runs: p.z.effectiveRuns,
      log_likelihood_bound: p.log_likelihood_bound, log_likelihood_bound_low: p.bound - p.z.logZHigh, seconds: (performance.now() - t0) / 1000,
    };
    tick();
  }

  // ---- samples: the dense sampler and the engine's binary units, from the same held-out digits
  const binaries: Record<string, Uint8Array> = {};
  const sampleStarts = new Float32Array(20 * PIXELS);
  const rng = new Philox(o.seed + 99);
  for (let k = 0; k < sampleStarts.length; k++) sampleStarts[k] = rng.uniform(k, 0, 0, STREAM_USER_TS | 22) < 0.5 ? 1 : 0;
  const samples = dbm.gibbsFrom(sampleStarts, 20, 1000).visible;
  const sg = imageGrid(samples, 20, SIDE, SIDE, 10, false);
  binaries['samples.png'] = encodePng(sg.pixels, sg.width, sg.height);
  const W1 = dbm.W1.toArray();
  const nShow = Math.min(100, o.h1);
  const filters = Array.from({ length: nShow }, (_, j) => Array.from({ length: PIXELS }, (_, i) => W1[i * o.h1 + j]!));
  const fg = imageGrid(filters.flat(), nShow, SIDE, SIDE, 10, true);
  binaries['filters.png'] = encodePng(fg.pixels, fg.width, fg.height);
  const engine = ctx.shouldStop?.() ? undefined : compareWithEngine(dbm, testBits, Math.min(100, sp.test.length), 20, o.seed, ctx.limits);
  tick();

  // ---- the mean-field posteriors as features of a linear classifier
  const features = (idx: ArrayLike<number>) => {
    const n = idx.length, f = new Float32Array(n * (o.h1 + o.h2));
    for (let s = 0; s < n; s += 500) {
      const B = Math.min(500, n - s);
      const X = dense.mat(B, PIXELS);
      for (let r = 0; r < B; r++) X.row(r).set(digits.images.subarray(idx[s + r]! * PIXELS, (idx[s + r]! + 1) * PIXELS));
      const { M1, M2 } = dbm.meanField(X, B, o.mf_iterations);
      const m1 = M1.toArray(), m2 = M2.toArray();
      X.free();
      for (let r = 0; r < B; r++) {
        f.set(m1.subarray(r * o.h1, (r + 1) * o.h1), (s + r) * (o.h1 + o.h2));
        f.set(m2.subarray(r * o.h2, (r + 1) * o.h2), (s + r) * (o.h1 + o.h2) + o.h1);
      }
    }
    return f;
  };
  let classifier: { dbm_features: number; raw_pixels: number } | undefined;
  if (!ctx.shouldStop?.()) {
    ctx.progress?.('linear classifiers on the mean-field posteriors and on the pixels');
    const all = [...Array.from(sp.train), ...Array.from(sp.test)];
    const f = features(all);
    const trainRows = Uint32Array.from({ length: sp.train.length }, (_, i) => i), testRows = Uint32Array.from({ length: sp.test.length }, (_, i) => sp.train.length + i);
    const pixels = new Float32Array(all.length * PIXELS);
    all.forEach((k, r) => pixels.set(digits.images.subarray(k * PIXELS, (k + 1) * PIXELS), r * PIXELS));
    const labels = all.map((k) => digits.labels[k]!);
    classifier = {
      dbm_features: linearAccuracy(f, o.h1 + o.h2, labels, trainRows, testRows, o.seed),
      raw_pixels: linearAccuracy(pixels, PIXELS, labels, trainRows, testRows, o.seed),
    };
    tick();
  }

  const checks: Check[] = [];
  if (curve.length > 1) checks.push({ name: 'held-out log-likelihood bound rose during joint training (short AIS, nats)', measured: curve.at(-1)!.log_likelihood_bound, expected: curve[0]!.log_likelihood_bound, tolerance: 0, pass: curve.at(-1)!.log_likelihood_bound > curve[0]!.log_likelihood_bound });
  if (engine) {
    checks.push({ name: 'engine binary units vs dense Gibbs sampler: correlation of the mean visible activations', measured: engine.visible_correlation, expected: 1, tolerance: 0.05, pass: engine.visible_correlation >= 0.95 });
    checks.push({ name: 'engine binary units vs dense Gibbs sampler: mean h1 activation', measured: engine.engine_mean_h1, expected: engine.dense_mean_h1, tolerance: 0.02, pass: Math.abs(engine.engine_mean_h1 - engine.dense_mean_h1) <= 0.02 });
    checks.push({ name: 'engine binary units vs dense Gibbs sampler: mean h2 activation', measured: engine.engine_mean_h2, expected: engine.dense_mean_h2, tolerance: 0.02, pass: Math.abs(engine.engine_mean_h2 - engine.dense_mean_h2) <= 0.02 });
  }
  if (classifier) checks.push({ name: 'linear classifier: mean-field posteriors beat raw pixels (held-out accuracy)', measured: classifier.dbm_features, expected: classifier.raw_pixels, tolerance: 0, pass: classifier.dbm_features > classifier.raw_pixels });

  const figures: Figure[] = curve.length > 0 ? [{
    name: 'log-likelihood-bound',
    title: 'DBM on MNIST: lower bound on the held-out log-likelihood',
    x: { label: 'joint training epoch' },
    y: { label: 'mean-field bound - log Z per digit', unit: 'nats' },
    series: [
      { label: `short AIS (${o.curve_betas} betas, 20 runs)`, kind: 'line', x: curve.map((p) => p.epoch), y: curve.map((p) => p.log_likelihood_bound) },
      ...(final ? [{ label: `AIS ${o.ais_betas} betas, ${o.ais_runs} runs`, kind: 'points' as const, x: [o.epochs], y: [final.log_likelihood_bound] }] : []),
    ],
    marks: [{ axis: 'y', at: PAPER_DBM.log_likelihood_bound, label: 'paper (784-500-1000, 60000 digits)' }],
    caption: `Epoch 0 is the composed pretrained machine. ${o.train} training digits, ${PIXELS}-${o.h1}-${o.h2}.`,
  }] : [];
  const toList = (a: Float32Array, n: number) => Array.from({ length: n }, (_, k) => Array.from(a.subarray(k * PIXELS, (k + 1) * PIXELS), (v) => Number(v.toFixed(3))));
  return {
    params: { ...o, layers: `${PIXELS}-${o.h1}-${o.h2}`, pretraining: 'CD-1 RBMs with doubled inputs (bottom: hidden input, top: visible input), SGD momentum 0.9', joint: 'mean field for the data, persistent chains (started at training digits, 100 sweeps of burn-in) for the model, SGD momentum 0.5, lr / (1 + epoch / 10)', training_binarisation: 'digits binarised afresh each epoch', split_seed: o.seed },
    results: {
      curve,
      // DESIGN.md's fields beside the detail (sd: the standard error of log Z, which is the bound's).
      ...(final || classifier ? { final: {
        ...(final ? { ais_test_ll: final.log_likelihood_bound, ais_test_ll_sd: final.log_z_se } : {}),
        ...(classifier ? { feature_accuracy: classifier.dbm_features, raw_accuracy: classifier.raw_pixels } : {}),
        ...final,
      } } : {}),
      paper: PAPER_DBM,
      ...(engine ? { engine_sampling: engine } : {}),
      ...(classifier ? { classifier } : {}),
      images: { dbm: { filters: filters.slice(0, 50).map((f) => f.map((v) => Number(v.toFixed(4)))), samples: toList(samples, 20) } },
    },
    checks,
    figures,
    files: {
      'dbm_curve.csv': `${['epoch,seconds,bound,log_z,log_likelihood_bound', ...curve.map((c) => `${c.epoch},${c.seconds},${c.bound},${c.log_z},${c.log_likelihood_bound}`)].join('\n')}\n`,
    },
    binaries,
  };
}

/** The DBM sampled by the engine (populations h1, v, h2: a step is h1 | v, h2, then v | h1 and h2 | h1) and by the dense sampler, from the same states. */
function compareWithEngine(dbm: Dbm, starts: Float32Array, chains: number, steps: number, seed: number, limits?: Partial<Limits>) {
  const { nv, n1, n2 } = dbm;
  const W1 = dbm.W1.toArray(), W2 = dbm.W2.toArray();
  const sim = layeredUnits(
    [{ name: 'h1', bias: dbm.c1.toArray() }, { name: 'v', bias: dbm.b.toArray() }, { name: 'h2', bias: dbm.c2.toArray() }],
    [{ a: 'v', b: 'h1', weight: (i, j) => W1[i * n1 + j]! }, { a: 'h1', b: 'h2', weight: (j, k) => W2[j * n2 + k]! }],
    seed, limits,
  );
  const meanV = new Float64Array(nv);
  let m1 = 0, m2 = 0;
  for (let k = 0; k < chains; k++) {
    sim.population('v').setBinaryStates(starts.subarray(k * nv, (k + 1) * nv));
    sim.population('h1').setBinaryStates(new Int8Array(n1));
    sim.population('h2').setBinaryStates(new Int8Array(n2));
    sim.run({ steps });
    const v = sim.population('v').binaryStates(), h1 = sim.population('h1').binaryStates(), h2 = sim.population('h2').binaryStates();
    for (let i = 0; i < nv; i++) meanV[i]! += v[i]! / chains;
    for (const x of h1) m1 += x / (chains * n1);
    for (const x of h2) m2 += x / (chains * n2);
  }
  sim.close();
  const dense = dbm.gibbsFrom(starts, chains, steps);
  const meanD = new Float64Array(nv);
  for (let k = 0; k < chains; k++) for (let i = 0; i < nv; i++) meanD[i]! += dense.visible[k * nv + i]! / chains;
  let d1 = 0, d2 = 0;
  for (const x of dense.h1) d1 += x / dense.h1.length;
  for (const x of dense.h2) d2 += x / dense.h2.length;
  return { chains, steps, visible_correlation: correlation(meanV, meanD), engine_mean_h1: m1, dense_mean_h1: d1, engine_mean_h2: m2, dense_mean_h2: d2 };
}

