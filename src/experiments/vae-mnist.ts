// A variational autoencoder (Kingma & Welling 2013) on the MNIST digits of
// the `mnist` package (seeded 8000 / 2000 split), trained with Adam on
// digits binarised afresh each epoch: the held-out ELBO per epoch (on the
// same stochastically binarised test digits as rbm-mnist's likelihoods), an
// importance-weighted estimate of log p(x) with k samples at the end (the
// figure comparable with AIS estimates for RBMs), reconstructions and
// samples as images, whether a classifier trained on real digits recognises
// the samples, and for a second VAE with a 2-D latent the learned manifold
// (the paper's Fig. 4): decoded images of a grid of quantiles of the prior.

import type { Figure } from '../protocol/figures.js';
import { Dense } from '../kernel/dense.js';
import { Vae } from '../dense/vae.js';
import { Philox } from '../core/philox.js';
import { loadDigits, split, permutation, SIDE, PIXELS, type Digits } from '../data/mnist.js';
import { encodePng, imageGrid } from '../record/png.js';
import { saveWeights } from '../dense/weights.js';
import { weightsFile } from './files.js';
import { binarizeStochastic, PAPER_LOG_LIKELIHOOD } from './rbm-mnist.js';
import { digitClassifier, recognise, recognisedReport, recognitionFigure, CONFIDENT } from './recognise.js';
import { normalQuantile } from '../core/quantile.js';
import type { ExperimentContext, ExperimentResult, Check } from './types.js';

export interface VaeMnistOptions { hidden: number; latent: number; epochs: number; batch: number; lr: number; train: number; test: number; iw_samples: number; iw_digits: number; manifold: boolean; seed: number }
export const VAE_DEFAULTS: VaeMnistOptions = { hidden: 500, latent: 20, epochs: 30, batch: 100, lr: 0.001, train: 8000, test: 2000, iw_samples: 5000, iw_digits: 500, manifold: true, seed: 1 };

interface EpochPoint { latent: number; epoch: number; seconds: number; train_elbo: number; test_elbo: number }

function trainVae(o: VaeMnistOptions, latent: number, digits: Digits, train: ArrayLike<number>, testBits: Float32Array, curves: EpochPoint[], ctx: ExperimentContext, tick: () => void): Vae {
  const dense = new Dense();
  dense.setSeed(o.seed);
  const vae = new Vae(dense, PIXELS, o.hidden, latent, o.seed);
  vae.initOutputBias(digits.images, train);
  const opt = vae.optimizer({ kind: 'adam', lr: o.lr });
  const rng = new Philox(o.seed + latent);
  curves.push({ latent, epoch: 0, seconds: 0, train_elbo: NaN, test_elbo: vae.elbo(testBits, new Philox(o.seed + 7)) });
  for (let e = 1; e <= o.epochs && !ctx.shouldStop?.(); e++) {
    const order = Array.from(permutation(train.length, o.seed * 100 + e), (i) => train[i]!);
    const t0 = performance.now();
    const loss = vae.trainEpoch(digits.images, order, opt, o.batch, rng, e);
    const seconds = (performance.now() - t0) / 1000;
    const point = { latent, epoch: e, seconds, train_elbo: -loss, test_elbo: vae.elbo(testBits, new Philox(o.seed + 7)) };
    curves.push(point);
    tick();
    ctx.progress?.(`latent ${latent} epoch ${e}: ${seconds.toFixed(2)} s, ELBO train ${point.train_elbo.toFixed(2)}, held-out ${point.test_elbo.toFixed(2)} nats`);
  }
  return vae;
}

export function runVaeMnist(o: VaeMnistOptions, ctx: ExperimentContext): ExperimentResult {
  const digits = loadDigits();
  const sp = split(digits, o.train, o.test, o.seed);
  // The held-out digits binarised as rbm-mnist binarises them (same seed: the same bits).
  const testBits = binarizeStochastic(digits.images, sp.test, o.seed + 1000);
  const curves: EpochPoint[] = [];
  const total = o.epochs * (o.manifold && o.latent !== 2 ? 2 : 1) + 2;
  let done = 0;
  const tick = () => ctx.fraction?.(++done, total);
  const binaries: Record<string, Uint8Array> = {};

  const vae = trainVae(o, o.latent, digits, sp.train, testBits, curves, ctx, tick);
  const last = curves[curves.length - 1]!;

  // Importance-weighted log p(x) on the first iw_digits held-out digits, with the ELBO of the same digits beside it.
  let iw: { digits: number; samples: number; log_likelihood: number; elbo_same_digits: number } | undefined;
  if (o.iw_samples > 0 && o.iw_digits > 0 && !ctx.shouldStop?.()) {
    const n = Math.min(o.iw_digits, sp.test.length);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += vae.logLikelihoodIW(testBits.subarray(k * PIXELS, (k + 1) * PIXELS), o.iw_samples, new Philox(o.seed + 11), k) / n;
      if (k % 50 === 49) ctx.progress?.(`importance-weighted log p(x): ${k + 1} of ${n} digits`);
    }
    iw = { digits: n, samples: o.iw_samples, log_likelihood: sum, elbo_same_digits: vae.elbo(testBits.subarray(0, n * PIXELS), new Philox(o.seed + 7)) };
    tick();
  }

  // Samples from the prior and reconstructions of held-out digits (pixel probabilities).
  const nSamples = 1000;
  const zr = new Philox(o.seed + 13);
  const z = Float32Array.from({ length: nSamples * o.latent }, (_, k) => zr.normal(k, 0, 0, 0));
  const samples = vae.decodeProbs(z, nSamples);
  const nRec = 20;
  const { mu } = vae.encodeRows(testBits, nRec);
  const recon = vae.decodeProbs(mu, nRec);
  const sg = imageGrid(samples, 100, SIDE, SIDE, 10, false);
  binaries['samples.png'] = encodePng(sg.pixels, sg.width, sg.height);
  const pairs = new Float32Array(2 * nRec * PIXELS);
  for (let k = 0; k < nRec; k++) {
    pairs.set(testBits.subarray(k * PIXELS, (k + 1) * PIXELS), (2 * k) * PIXELS);
    pairs.set(recon.subarray(k * PIXELS, (k + 1) * PIXELS), (2 * k + 1) * PIXELS);
  }
  const rg = imageGrid(pairs, 2 * nRec, SIDE, SIDE, 10, false);
  binaries['reconstructions.png'] = encodePng(rg.pixels, rg.width, rg.height);
  // The trained VAE, for a vae module (latent population of o.latent -> 784 pixels).
  binaries['vae.weights.json'] = weightsFile(saveWeights('vae', vae.params(), {
    experiment: 'vae-mnist', hidden: [o.hidden], latent: o.latent, epochs: last.epoch, seed: o.seed, held_out_elbo: last.test_elbo,
    module: `type "vae", input a population of ${o.latent}, output one of ${PIXELS}, hidden [${o.hidden}]`,
  }));

  // Does a classifier of real digits recognise the samples?
  ctx.progress?.('a classifier of real digits labels the samples');
  const clf = digitClassifier(digits, sp.train, sp.test, o.seed);
  const verdict = recognise(clf, samples);
  tick();

  // The 2-D manifold (a second VAE when the main one's latent is not 2).
  let manifold: { latent: number; test_elbo: number } | undefined;
  if (o.manifold && !ctx.shouldStop?.()) {
    const flat = o.latent === 2 ? vae : trainVae(o, 2, digits, sp.train, testBits, curves, ctx, tick);
    const side = 20;
    const grid = new Float32Array(side * side * 2);
    for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) {
      grid[(r * side + c) * 2] = normalQuantile((c + 0.5) / side);
      grid[(r * side + c) * 2 + 1] = normalQuantile(1 - (r + 0.5) / side);
    }
    const images = flat.decodeProbs(grid, side * side);
    const mg = imageGrid(images, side * side, SIDE, SIDE, side, false);
    binaries['manifold.png'] = encodePng(mg.pixels, mg.width, mg.height);
    manifold = { latent: 2, test_elbo: curves.filter((p) => p.latent === 2).at(-1)!.test_elbo };
  }

  const first = curves.find((p) => p.latent === o.latent && p.epoch === 0)!;
  const checks: Check[] = [
    { name: 'held-out ELBO rose by training (nats)', measured: last.test_elbo, expected: first.test_elbo, tolerance: 0, pass: last.test_elbo > first.test_elbo + 20 },
    { name: `samples recognised by a classifier of real digits (calibrated top class >= ${CONFIDENT}): target 0.8`, measured: verdict.recognised, expected: 0.8, tolerance: 0, pass: verdict.recognised >= 0.8 },
  ];
  if (iw) checks.push({ name: 'importance-weighted log p(x) at least the ELBO of the same digits', measured: iw.log_likelihood, expected: iw.elbo_same_digits, tolerance: 0, pass: iw.log_likelihood >= iw.elbo_same_digits });

  const toList = (a: Float32Array, n: number) => Array.from({ length: n }, (_, k) => Array.from(a.subarray(k * PIXELS, (k + 1) * PIXELS), (v) => Number(v.toFixed(3))));
  const mainCurve = curves.filter((p) => p.latent === o.latent);
  return {
    params: { ...o, visible: PIXELS, encoder: `${PIXELS}-${o.hidden}-2x${o.latent} (tanh)`, decoder: `${o.latent}-${o.hidden}-${PIXELS} (tanh, sigmoid)`, optimizer: 'Adam', training_binarisation: 'each digit binarised afresh every epoch (pixel on with the probability of its grey level)', split_seed: o.seed },
    results: {
      curves,
      final: { test_elbo: last.test_elbo, test_iw_ll: iw?.log_likelihood ?? null, recognisable: verdict.recognised, train_elbo: last.train_elbo, seconds_per_epoch: last.seconds },
      ...(iw ? { importance_weighted: iw } : {}),
      recognised: recognisedReport(clf, verdict),
      ...(manifold ? { manifold } : {}),
      reference: { source: 'Salakhutdinov & Murray 2008 (RBMs, 500 hidden, AIS, 60000 digits)', ...Object.fromEntries(PAPER_LOG_LIKELIHOOD.map((p) => [p.method, p.nats])) },
      images: { vae: { samples: toList(samples, 30), reconstructions: toList(pairs, 2 * 10) } },
    },
    checks,
    figures: [{
      name: 'elbo',
      title: 'VAE on MNIST: evidence lower bound per epoch',
      x: { label: 'epoch' },
      y: { label: 'ELBO per digit', unit: 'nats' },
      series: [
        { label: `held-out (latent ${o.latent})`, kind: 'line', x: mainCurve.map((p) => p.epoch), y: mainCurve.map((p) => p.test_elbo) },
        { label: `training, binarised afresh (latent ${o.latent})`, kind: 'line', x: mainCurve.slice(1).map((p) => p.epoch), y: mainCurve.slice(1).map((p) => p.train_elbo) },
        ...(iw ? [{ label: `importance-weighted log p(x), k = ${iw.samples}, ${iw.digits} held-out digits`, kind: 'points' as const, x: [o.epochs], y: [iw.log_likelihood] }] : []),
      ],
      marks: PAPER_LOG_LIKELIHOOD.map((p) => ({ axis: 'y' as const, at: p.nats, label: `RBM ${p.method}, AIS (Salakhutdinov & Murray 2008)` })),
      caption: `Held-out digits binarised once, as rbm-mnist scores its RBMs; ${o.train} training digits. The marks are RBMs trained on all 60000 digits.`,
    }, recognitionFigure(clf, verdict, 'VAE')],
    files: {
      'vae_curves.csv': `${['latent,epoch,seconds,train_elbo,test_elbo', ...curves.map((c) => `${c.latent},${c.epoch},${c.seconds},${c.train_elbo},${c.test_elbo}`)].join('\n')}\n`,
    },
    binaries,
  };
}
