// RBMs on the MNIST digits of the `mnist` package (seeded 8000 / 2000
// split): CD-1, CD-10 and persistent CD side by side, with held-out
// reconstruction error, pseudo-log-likelihood and free energy after every
// epoch; after training, each machine's log Z by annealed importance
// sampling and the held-out log-likelihood from it, the figure the papers
// compare (Salakhutdinov & Murray 2008); the learned filters and samples of each as PNG grids and as data;
// optionally a second RBM on the first one's hidden probabilities (a deep
// belief network trained greedily). Last, the first machine (CD-1, or PCD when
// it is trained alone, --methods pcd) is sampled by the
// engine's stochastic binary units (heat-bath, one block sweep per step) and
// its unit statistics compared with the dense Gibbs sampler's.

import type { Figure } from '../protocol/figures.js';
import { Dense } from '../kernel/dense.js';
import { Rbm, type CdOptions } from '../dense/rbm.js';
import { meanLogLikelihood } from '../dense/ais.js';
import { aisLogZThreads } from '../dense/ais-threads.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';
import { UsageError } from '../core/errors.js';
import { loadDigits, split, permutation, SIDE, PIXELS } from '../data/mnist.js';
import { encodePng, imageGrid } from '../record/png.js';
import { saveWeights } from '../dense/weights.js';
import { weightsFile } from './files.js';
import type { Limits } from '../model/validate.js';
import { layeredUnits } from './binary-layers.js';
import { linearAccuracy } from './linear.js';
import type { ExperimentContext, ExperimentResult, Check } from './types.js';
import { correlation } from './stats.js';

export interface RbmMnistOptions { hidden: number; epochs: number; batch: number; lr: number; cd_k: number; binarize: boolean; train: number; test: number; dbn_hidden: number; ais_betas: number; ais_runs: number; seed: number; lr_decay: 'none' | 'linear'; weight_decay: number; methods: 'all' | 'cd' | 'pcd'; threads: number }
export const RBM_DEFAULTS: RbmMnistOptions = { hidden: 256, epochs: 10, batch: 20, lr: 0.01, lr_decay: 'none', weight_decay: 0, cd_k: 10, binarize: false, train: 8000, test: 2000, dbn_hidden: 0, ais_betas: 14500, ais_runs: 100, seed: 1, methods: 'all', threads: 0 };

// Salakhutdinov & Murray (2008, Table 2): AIS test log-likelihoods of RBMs
// with 500 hidden units trained on all 60000 MNIST digits (nats).
export const PAPER_LOG_LIKELIHOOD = [
  { method: 'CD-1', nats: -125.53 },
  { method: 'CD-3', nats: -105.50 },
  { method: 'CD-25', nats: -86.34 },
];

// PCD without momentum, at five times the CD learning rate: momentum
// carries the weights on after the persistent chains have moved, and the
// chains lag (measured, 784-256, 10 epochs, AIS with 3000 betas: a fifth of
// the rate with momentum 0.9 reached -156 nats and a pseudo-log-likelihood
// of -102; the same rate without momentum -146; five times it -141 and -78).
const methods = (k: number, which: RbmMnistOptions['methods']): { name: string; label: string; cd: Omit<CdOptions, 'batch'>; lrScale: number; momentum: number }[] => [
  ...(which === 'pcd' ? [] : [
    { name: 'cd1', label: 'CD-1', cd: { k: 1, persistent: false }, lrScale: 1, momentum: 0.9 },
    ...(k > 1 ? [{ name: `cd${k}`, label: `CD-${k}`, cd: { k, persistent: false }, lrScale: 1, momentum: 0.9 }] : []),
  ]),
  ...(which === 'cd' ? [] : [{ name: 'pcd', label: 'PCD (persistent CD-1)', cd: { k: 1, persistent: true }, lrScale: 5, momentum: 0 }]),
];

/**
 * The held-out digits as binary images, each pixel on with the probability of
 * its grey level, drawn once from a fixed stream: the stochastic binarisation
 * under which the papers report their likelihoods.
 */
export function binarizeStochastic(images: Float32Array, indices: ArrayLike<number>, seed: number): Float32Array {
  const nv = SIDE * SIDE;
  const rng = new Philox(seed);
  const out = new Float32Array(indices.length * nv);
  for (let r = 0; r < indices.length; r++) {
    for (let i = 0; i < nv; i++) out[r * nv + i] = rng.uniform(r * nv + i, 0, 0, STREAM_USER_TS | 14) < images[indices[r]! * nv + i]! ? 1 : 0;
  }
  return out;
}

/** Mean log-likelihood of binary rows under independent pixels of the given means (the base-rate model). */
function baseRateLogLikelihood(V: Float32Array, p: Float64Array): number {
  const nv = p.length, rows = V.length / nv;
  let s = 0;
  for (let r = 0; r < rows; r++) for (let i = 0; i < nv; i++) s += V[r * nv + i] ? Math.log(p[i]!) : Math.log1p(-p[i]!);
  return s / rows;
}

// train_log_likelihood: the same estimate on as many training digits (binarised
// the same way): the gap to the held-out figure is what the machine learned
// of its 8000 digits that does not carry over (the papers trained on 60000).
interface AisReport { log_z: number; log_z_low: number; log_z_high: number; log_z_se: number; effective_runs: number; test_log_likelihood: number; test_log_likelihood_low: number; test_log_likelihood_high: number; train_log_likelihood: number; seconds: number }

interface EpochPoint { method: string; epoch: number; seconds: number; reconstruction_error: number; pseudo_log_likelihood: number; pseudo_log_likelihood_greyscale: number; free_energy: number }

export async function runRbmMnist(o: RbmMnistOptions, ctx: ExperimentContext): Promise<ExperimentResult> {
  if (o.ais_betas > 0 && o.ais_betas < 3) throw new UsageError(`annealed importance sampling needs at least 3 intermediate distributions, or 0 for none (got ${o.ais_betas})`, 'ais_betas');
  const digits = loadDigits();
  const sp = split(digits, o.train, o.test, o.seed);
  const curves: EpochPoint[] = [];
  const finals: Record<string, EpochPoint> = {};
  const binaries: Record<string, Uint8Array> = {};
  const images: Record<string, { filters: number[][]; samples: number[][] }> = {};
  const ais: Record<string, AisReport> = {};
  const exactPll: Record<string, number> = {};
  // Held-out digits binarised once (every method is scored on the same bits).
  const testBits = binarizeStochastic(digits.images, sp.test, o.seed + 1000);
  const trainBits = binarizeStochastic(digits.images, sp.train.slice(0, sp.test.length), o.seed + 3000);
  // The first machine trained (CD-1, or PCD alone) feeds the classifier, the second layer and the engine's sampler.
  let first: { rbm: Rbm; label: string } | undefined;
  let baseMeans: Float64Array | undefined;
  const METHODS = methods(o.cd_k, o.methods);
  const total = METHODS.length * o.epochs + (o.ais_betas > 0 ? METHODS.length * o.epochs / 2 : 0);
  let done = 0;
  for (const m of METHODS) {
    if (ctx.shouldStop?.()) break;
    const dense = new Dense();
    dense.setSeed(o.seed);
    const rbm = new Rbm(dense, SIDE * SIDE, o.hidden, o.seed);
    rbm.initVisibleBias(digits.images, sp.train);
    // The base-rate model of AIS: the visible biases before training (the training digits' mean pixels).
    const baseBias = rbm.b.toArray();
    baseMeans ??= Float64Array.from(baseBias, (b) => 1 / (1 + Math.exp(-b)));
    const opt = rbm.optimizer({ kind: 'sgd', lr: o.lr * m.lrScale, momentum: m.momentum, weightDecay: o.weight_decay });
    const start = rbm.evaluate(digits.images, sp.test);
    curves.push({ method: m.name, epoch: 0, seconds: 0, ...start });
    const binarizer = new Philox(o.seed + 2000);
    for (let e = 1; e <= o.epochs && !ctx.shouldStop?.(); e++) {
      const order = Array.from(permutation(sp.train.length, o.seed * 100 + e), (i) => sp.train[i]!);
      // Linear decay: epoch e of E trains at (E - e + 1) / E of the rate, the last at 1 / E of it.
      if (o.lr_decay === 'linear') opt.setLearningRate(o.lr * m.lrScale * (o.epochs - e + 1) / o.epochs);
      const t0 = performance.now();
      rbm.trainEpoch(digits.images, order, opt, { ...m.cd, batch: o.batch }, o.binarize ? { rng: binarizer, epoch: e } : undefined);
      const seconds = (performance.now() - t0) / 1000;
      const point = { method: m.name, epoch: e, seconds, ...rbm.evaluate(digits.images, sp.test) };
      curves.push(point);
      finals[m.name] = point;
      ctx.fraction?.(++done, total);
      ctx.progress?.(`${m.name} epoch ${e}: ${seconds.toFixed(2)} s, reconstruction ${point.reconstruction_error.toFixed(2)}, PLL ${point.pseudo_log_likelihood.toFixed(2)}`);
    }
    // The exact pseudo-log-likelihood (every bit) on the digits binarised at 0.5, beside the one-bit estimate.
    if (!ctx.shouldStop?.()) {
      const bits = new Float32Array(sp.test.length * PIXELS);
      for (let r = 0; r < sp.test.length; r++) for (let i = 0; i < PIXELS; i++) bits[r * PIXELS + i] = digits.images[sp.test[r]! * PIXELS + i]! > 0.5 ? 1 : 0;
      exactPll[m.name] = rbm.exactPseudoLogLikelihood(bits);
    }
    if (o.ais_betas > 0 && !ctx.shouldStop?.()) {
      const t0 = performance.now();
      const z = await aisLogZThreads(rbm, { betas: o.ais_betas, runs: o.ais_runs, seed: o.seed, baseBias }, o.threads);
      const ll = meanLogLikelihood(rbm, testBits, z.logZ);
      // log Z high gives the likelihood's low end and the other way round.
      ais[m.name] = {
        log_z: z.logZ, log_z_low: z.logZLow, log_z_high: z.logZHigh, log_z_se: z.logZSe, effective_runs: z.effectiveRuns,
        test_log_likelihood: ll, test_log_likelihood_low: ll + z.logZ - z.logZHigh, test_log_likelihood_high: ll + z.logZ - z.logZLow,
        train_log_likelihood: meanLogLikelihood(rbm, trainBits, z.logZ),
        seconds: (performance.now() - t0) / 1000,
      };
      done += o.epochs / 2;
      ctx.fraction?.(done, total);
      ctx.progress?.(`${m.name}: AIS log Z ${z.logZ.toFixed(2)} (${o.ais_betas} betas, ${o.ais_runs} runs), held-out log-likelihood ${ll.toFixed(2)} nats (training digits ${ais[m.name]!.train_log_likelihood.toFixed(2)})`);
    }
    // Filters: each hidden unit's incoming weights as a 28 x 28 image.
    const W = rbm.W.toArray();
    const nShow = Math.min(100, o.hidden);
    const filters = Array.from({ length: nShow }, (_, j) => Array.from({ length: SIDE * SIDE }, (_, i) => W[i * o.hidden + j]!));
    const samples = rbm.samples(20, 1000);
    const sampleList = Array.from({ length: 20 }, (_, k) => Array.from(samples.subarray(k * SIDE * SIDE, (k + 1) * SIDE * SIDE)));
    images[m.name] = { filters: filters.map((f) => f.map((v) => Number(v.toFixed(4)))), samples: sampleList.map((s) => s.map((v) => Number(v.toFixed(3)))) };
    const fg = imageGrid(filters.flat(), nShow, SIDE, SIDE, 10, true);
    binaries[`filters_${m.name}.png`] = encodePng(fg.pixels, fg.width, fg.height);
    const sg = imageGrid(samples, 20, SIDE, SIDE, 10, false);
    binaries[`samples_${m.name}.png`] = encodePng(sg.pixels, sg.width, sg.height);
    first ??= { rbm, label: m.label };
    // The trained machine, for an rbm module (784 visible input -> o.hidden output).
    binaries[`rbm-${m.name}.weights.json`] = weightsFile(saveWeights('rbm', rbm.params(), {
      experiment: 'rbm-mnist', method: m.label, hidden: o.hidden, epochs: finals[m.name]?.epoch ?? 0, seed: o.seed, binarized: o.binarize, held_out_log_likelihood: ais[m.name]?.test_log_likelihood,
      module: `type "rbm", input a population of ${SIDE * SIDE}, output one of ${o.hidden}`,
    }));
  }

  const checks: Check[] = [];
  for (const [name, f] of Object.entries(finals)) {
    const first = curves.find((c) => c.method === name && c.epoch === 0)!;
    checks.push({ name: `${name}: held-out pseudo-log-likelihood improved from the start`, measured: f.pseudo_log_likelihood, expected: first.pseudo_log_likelihood, tolerance: 0, pass: f.pseudo_log_likelihood > first.pseudo_log_likelihood + 50 });
    checks.push({ name: `${name}: held-out reconstruction error (squared, per digit) below half of the start`, measured: f.reconstruction_error, expected: first.reconstruction_error / 2, tolerance: 0, pass: f.reconstruction_error < first.reconstruction_error / 2 });
  }

  const baseRate = baseMeans ? baseRateLogLikelihood(testBits, baseMeans) : undefined;
  for (const [name, a] of Object.entries(ais)) {
    checks.push({ name: `${name}: AIS held-out log-likelihood above the base-rate model's exact one (independent pixels)`, measured: a.test_log_likelihood, expected: baseRate!, tolerance: 0, pass: a.test_log_likelihood > baseRate! });
  }

  // A linear classifier on the first machine's hidden probabilities, against one on the pixels.
  let classifier: { rbm_features: number; raw_pixels: number } | undefined;
  if (first && !ctx.shouldStop?.()) {
    ctx.progress?.(`linear classifiers on the ${first.label} machine's hidden probabilities and on the pixels`);
    const all = [...Array.from(sp.train), ...Array.from(sp.test)];
    const labels = all.map((k) => digits.labels[k]!);
    const trainRows = Uint32Array.from({ length: sp.train.length }, (_, i) => i), testRows = Uint32Array.from({ length: sp.test.length }, (_, i) => sp.train.length + i);
    const pixels = new Float32Array(all.length * PIXELS);
    all.forEach((k, r) => pixels.set(digits.images.subarray(k * PIXELS, (k + 1) * PIXELS), r * PIXELS));
    classifier = {
      rbm_features: linearAccuracy(first.rbm.transform(digits.images, all), o.hidden, labels, trainRows, testRows, o.seed),
      raw_pixels: linearAccuracy(pixels, PIXELS, labels, trainRows, testRows, o.seed),
    };
  }

  // A second layer on the first machine's hidden probabilities.
  let dbn: Record<string, number> | undefined;
  if (o.dbn_hidden > 0 && first) {
    const h1 = first.rbm.transform(digits.images, sp.train);
    const h1Test = first.rbm.transform(digits.images, sp.test);
    const dense = new Dense();
    dense.setSeed(o.seed + 1);
    const top = new Rbm(dense, o.hidden, o.dbn_hidden, o.seed + 1);
    const ids = Uint32Array.from({ length: sp.train.length }, (_, i) => i);
    top.initVisibleBias(h1, ids);
    const opt = top.optimizer({ kind: 'sgd', lr: o.lr, momentum: 0.9 });
    const testIds = Uint32Array.from({ length: sp.test.length }, (_, i) => i);
    const start = top.evaluate(h1Test, testIds);
    for (let e = 1; e <= o.epochs; e++) top.trainEpoch(h1, Array.from(permutation(ids.length, o.seed * 200 + e)), opt, { k: 1, persistent: false, batch: o.batch });
    const end = top.evaluate(h1Test, testIds);
    dbn = { hidden: o.dbn_hidden, reconstruction_error_start: start.reconstruction_error, reconstruction_error: end.reconstruction_error };
    checks.push({ name: 'second RBM of the stack: reconstruction error of the first layer\'s code fell', measured: end.reconstruction_error, expected: start.reconstruction_error, tolerance: 0, pass: end.reconstruction_error < start.reconstruction_error });
  }

  // The engine's binary units sample the same machine.
  let engine: Record<string, number> | undefined;
  if (first) {
    const chains = Math.min(200, sp.test.length);
    const starts = new Float32Array(chains * SIDE * SIDE);
    for (let k = 0; k < chains; k++) for (let i = 0; i < SIDE * SIDE; i++) starts[k * SIDE * SIDE + i] = digits.images[sp.test[k]! * SIDE * SIDE + i]! > 0.5 ? 1 : 0;
    engine = compareWithEngine(first.rbm, starts, chains, 20, o.seed, ctx.limits);
    checks.push({ name: 'engine binary units vs dense Gibbs sampler: correlation of the mean visible activations', measured: engine.visible_correlation!, expected: 1, tolerance: 0.05, pass: engine.visible_correlation! >= 0.95 });
    checks.push({ name: 'engine binary units vs dense Gibbs sampler: mean hidden activation', measured: engine.engine_mean_hidden!, expected: engine.dense_mean_hidden!, tolerance: 0.02, pass: Math.abs(engine.engine_mean_hidden! - engine.dense_mean_hidden!) <= 0.02 });
  }

  const final = finals.cd1 ?? Object.values(finals)[0];
  return {
    params: { ...o, visible: SIDE * SIDE, split_seed: o.seed, optimizer: 'SGD: CD with momentum 0.9 at lr; PCD without momentum at 5 lr', statistics: 'hidden probabilities' },
    results: {
      curves,
      final: final ? { reconstruction_error: final.reconstruction_error, pseudo_log_likelihood: final.pseudo_log_likelihood, free_energy: final.free_energy, seconds_per_epoch: final.seconds } : {},
      by_method: finals,
      pseudo_log_likelihood: {
        greyscale: 'one random pixel x replaced by 1 - x on the grey levels, times 784 (scikit-learn\'s BernoulliRBM.score_samples)',
        binarised: 'the same on the digits binarised at 0.5',
        exact: 'sum over every bit of log p(v_i | v_-i), digits binarised at 0.5',
        exact_by_method: exactPll,
      },
      ...(classifier ? { linear_classifier: { ...classifier, features: `hidden probabilities of the ${first!.label} machine (${o.hidden})`, classifier: 'softmax regression, Adam, 20 epochs' } } : {}),
      ...(Object.keys(ais).length > 0 ? {
        // DESIGN.md's summary of the same estimates (sd: the standard error of log Z, which is the estimate's).
        ais: Object.fromEntries(Object.entries(ais).map(([name, a]) => [name, { test_ll: a.test_log_likelihood, test_ll_sd: a.log_z_se, hidden: o.hidden, method: METHODS.find((m) => m.name === name)!.label }])),
        likelihood: {
          ais,
          base_rate_test_log_likelihood: baseRate,
          test_digits: 'held-out digits binarised stochastically once (each pixel on with the probability of its grey level)',
          paper: { source: 'Salakhutdinov & Murray 2008, Table 2: 500 hidden units, 60000 training digits', ...Object.fromEntries(PAPER_LOG_LIKELIHOOD.map((p) => [p.method, p.nats])) },
        },
      } : {}),
      ...(dbn ? { dbn } : {}),
      ...(engine ? { engine_sampling: engine } : {}),
      images,
    },
    checks,
    figures: [...likelihoodFigure(ais, o), ...(['pseudo_log_likelihood', 'reconstruction_error'] as const).map((key): Figure => {
      const methods = [...new Set(curves.map((c) => c.method))];
      return {
        name: key === 'pseudo_log_likelihood' ? 'pseudo-log-likelihood' : 'reconstruction-error',
        title: key === 'pseudo_log_likelihood' ? 'RBM on MNIST: pseudo-log-likelihood of held-out digits' : 'RBM on MNIST: reconstruction error of held-out digits',
        x: { label: 'epoch' },
        y: key === 'pseudo_log_likelihood' ? { label: 'pseudo-log-likelihood per digit', unit: 'nats' } : { label: 'squared reconstruction error per digit' },
        series: methods.map((m) => {
          const c = curves.filter((p) => p.method === m);
          return { label: m, kind: 'line' as const, x: c.map((p) => p.epoch), y: c.map((p) => p[key]) };
        }),
        caption: 'CD-k (Hinton 2002) and persistent CD (Tieleman 2008) from the same start; the filters and samples are in the images.',
      };
    })],
    files: {
      'rbm_curves.csv': `${['method,epoch,seconds,reconstruction_error,pseudo_log_likelihood,pseudo_log_likelihood_greyscale,free_energy', ...curves.map((c) => `${c.method},${c.epoch},${c.seconds},${c.reconstruction_error},${c.pseudo_log_likelihood},${c.pseudo_log_likelihood_greyscale},${c.free_energy}`)].join('\n')}\n`,
    },
    binaries,
  };
}

/** The AIS log-likelihood of each machine with its 3-sigma bar, beside the paper's figures. */
function likelihoodFigure(ais: Record<string, AisReport>, o: RbmMnistOptions): Figure[] {
  const names = Object.keys(ais);
  if (names.length === 0) return [];
  const x = names.map((_, k) => k + 1);
  return [{
    name: 'log-likelihood',
    title: `RBM on MNIST: held-out log-likelihood by AIS (${names.join(', ')} at x = ${x.join(', ')})`,
    x: { label: `method (${names.map((n, k) => `${k + 1} = ${n}`).join(', ')})`, min: 0.5, max: names.length + 0.5 },
    y: { label: 'mean log p(v) per digit', unit: 'nats' },
    // A bar end that reaches infinity (the interval of Z reaching 0) is left out of the drawing.
    series: ([
      ['AIS estimate, held-out digits', 'test_log_likelihood'], ['3-sigma bar, low', 'test_log_likelihood_low'], ['3-sigma bar, high', 'test_log_likelihood_high'],
      ['AIS estimate, as many training digits', 'train_log_likelihood'],
    ] as const).map(([label, key]) => {
      const keep = x.filter((_, k) => Number.isFinite(ais[names[k]!]![key]));
      return { label, kind: 'points' as const, x: keep, y: keep.map((k) => ais[names[k - 1]!]![key]) };
    }).filter((s) => s.x.length > 0),
    marks: PAPER_LOG_LIKELIHOOD.map((p) => ({ axis: 'y' as const, at: p.nats, label: `paper ${p.method} (500 hidden, 60000 digits)` })),
    caption: `log Z by annealed importance sampling (${o.ais_betas} intermediate distributions, ${o.ais_runs} runs, base-rate model of the training digits); ${o.hidden} hidden units, ${o.train} training digits, ${o.epochs} epochs. The paper's lines are for 500 hidden units trained on all 60000 digits; the training digits' figure beside the held-out one shows what the machine learned of its ${o.train} digits that does not carry over.`,
  }];
}

/**
 * Samples the trained RBM two ways from the same starting states (held-out
 * digits, binarised): the engine's 0/1 heat-bath units (hidden population
 * first, so a step is h | v then v | h) and the dense block Gibbs sampler,
 * for the same number of steps. Both are exact Gibbs samplers of the same
 * machine, so the mean activations after those steps agree up to sampling
 * noise: the correlation of the two mean visible images and the mean hidden
 * activations are compared.
 */
function compareWithEngine(rbm: Rbm, starts: Float32Array, chains: number, steps: number, seed: number, limits?: Partial<Limits>): Record<string, number> {
  const nv = rbm.nv, nh = rbm.nh;
  const W = rbm.W.toArray();
  // The hidden layer first: a step is h | v, then v | h.
  const sim = layeredUnits([{ name: 'h', bias: rbm.c.toArray() }, { name: 'v', bias: rbm.b.toArray() }], [{ a: 'v', b: 'h', weight: (i, j) => W[i * nh + j]! }], seed, limits);
  const meanV = new Float64Array(nv);
  let meanH = 0;
  const zeros = new Int8Array(nh);
  for (let k = 0; k < chains; k++) {
    sim.population('v').setBinaryStates(starts.subarray(k * nv, (k + 1) * nv));
    sim.population('h').setBinaryStates(zeros);
    sim.run({ steps });
    const v = sim.population('v').binaryStates(), h = sim.population('h').binaryStates();
    for (let i = 0; i < nv; i++) meanV[i]! += v[i]! / chains;
    for (let j = 0; j < nh; j++) meanH += h[j]! / (chains * nh);
  }
  const dense = rbm.gibbsFrom(starts, chains, steps);
  const meanD = new Float64Array(nv);
  for (let k = 0; k < chains; k++) for (let i = 0; i < nv; i++) meanD[i]! += dense.visible[k * nv + i]! / chains;
  let meanHD = 0;
  for (const x of dense.hidden) meanHD += x / dense.hidden.length;
  return { chains, steps, visible_correlation: correlation(meanV, meanD), engine_mean_hidden: meanH, dense_mean_hidden: meanHD };
}
