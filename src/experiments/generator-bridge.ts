// bridge-demo with a generative model as the module (source "vae" or
// "gan"): a latent population of regular spike generators fires at rates
// drawn afresh for each presentation (uniform in [0, input_scale]: through
// the module's mapping a draw from the model's prior), the module decodes
// the rates its encoder reads from their spikes into pixel probabilities,
// and those set the rates of 784 regular generators that drive 784 LIF
// neurons one to one. The spiking network is thus shown the generator's
// samples. Checked: the image the pixel population's spikes draw against
// the model's own output for the latent draw, and whether a classifier of
// real digits gives both the same label. The live page shows each image as
// the spikes draw it.

import type { Figure } from '../protocol/figures.js';
import { Dense } from '../kernel/dense.js';
import { Vae } from '../dense/vae.js';
import { Gan } from '../dense/gan.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';
import { normalQuantile } from '../core/quantile.js';
import { loadDigits, split, permutation, PIXELS } from '../data/mnist.js';
import { validateModel } from '../model/validate.js';
import { Simulation } from '../sim/simulation.js';
import { recordingSink } from '../sim/recording.js';
import { encodePng, imageGrid } from '../record/png.js';
import { digitClassifier } from './recognise.js';
import { correlation } from './stats.js';
import type { ExperimentContext, ExperimentResult, Check } from './types.js';

export interface GeneratorBridgeOptions { source: 'vae' | 'gan'; digits: number; present_ms: number; max_input_rate: number; seed: number }

// The generators trained for the demo: small enough to train in seconds.
const VAE_SIZE = { hidden: 200, latent: 8, epochs: 10 };
const GAN_SIZE = { g: [256, 512, 1024], d: [512, 256], latent: 16, steps: 3000 };
const PIXEL_RATE = 100;   // Hz of a pixel of probability 1
const INTERVAL = 20, WINDOW = 100;

export function generatorModel(o: GeneratorBridgeOptions): Record<string, unknown> {
  const latent = o.source === 'vae' ? VAE_SIZE.latent : GAN_SIZE.latent;
  return {
    name: `bridge-demo-${o.source}`, dt: 0.1, duration: o.digits * o.present_ms, seed: o.seed,
    populations: [
      { name: 'latent', size: latent, model: 'poisson', params: { rate: o.max_input_rate / 2, process: 'regular' } },
      { name: 'pixels', size: PIXELS, model: 'poisson', params: { rate: 0, process: 'regular' } },
      { name: 'retina', size: PIXELS, model: 'lif', params: { tau_m: 20, v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 2, tau_syn_e: 5 } },
    ],
    projections: [{ from: 'pixels', to: 'retina', connect: { rule: 'one_to_one' }, weight: 80, delay: 1, receptor: 'exc' }],
    modules: [{
      name: o.source, type: o.source, input: 'latent', output: 'pixels', interval: INTERVAL, encoder: { kind: 'count', window: WINDOW },
      input_scale: o.max_input_rate, max_rate: PIXEL_RATE, hidden: o.source === 'vae' ? [VAE_SIZE.hidden] : GAN_SIZE.g,
    }],
    record: { spikes: ['retina'] },
  };
}

export function runGeneratorBridge(o: GeneratorBridgeOptions, ctx: ExperimentContext): ExperimentResult {
  const digits = loadDigits();
  const sp = split(digits, 8000, 2000, o.seed);
  const dense = new Dense();
  dense.setSeed(o.seed);
  let decode: (u: Float32Array) => Float32Array;
  let load: (sim: Simulation) => void;
  let training: string;
  if (o.source === 'vae') {
    training = `VAE ${PIXELS}-${VAE_SIZE.hidden}-${VAE_SIZE.latent}, Adam, ${VAE_SIZE.epochs} epochs on 8000 digits binarised afresh`;
    ctx.progress?.(`training the ${training}`);
    const vae = new Vae(dense, PIXELS, VAE_SIZE.hidden, VAE_SIZE.latent, o.seed);
    vae.initOutputBias(digits.images, sp.train);
    const opt = vae.optimizer({ kind: 'adam', lr: 0.001 });
    const rng = new Philox(o.seed + 3);
    for (let e = 1; e <= VAE_SIZE.epochs && !ctx.shouldStop?.(); e++) vae.trainEpoch(digits.images, Array.from(permutation(sp.train.length, o.seed * 100 + e), (i) => sp.train[i]!), opt, 100, rng, e);
    decode = (u) => vae.decodeProbs(Float32Array.from(u, (x) => normalQuantile(Math.min(0.999, Math.max(0.001, x)))), 1);
    load = (sim) => sim.modules[0]!.vae!.loadFrom(vae);
  } else {
    training = `GAN generator ${GAN_SIZE.latent}-${GAN_SIZE.g.join('-')}-${PIXELS}, discriminator ${PIXELS}-${GAN_SIZE.d.join('-')}-1, Adam, ${GAN_SIZE.steps} steps of batch 64`;
    ctx.progress?.(`training the ${training}`);
    const gan = new Gan(dense, PIXELS, { latent: GAN_SIZE.latent, gHidden: GAN_SIZE.g, dHidden: GAN_SIZE.d, seed: o.seed, dDropout: 0.3 });
    const opts = gan.optimizers({ kind: 'adam', lr: 0.0002, beta1: 0.5 });
    const x = new Float32Array(64 * PIXELS);
    let order = permutation(sp.train.length, o.seed), pos = 0;
    for (let s = 1; s <= GAN_SIZE.steps && !ctx.shouldStop?.(); s++) {
      for (let r = 0; r < 64; r++) {
        if (pos >= order.length) { order = permutation(sp.train.length, o.seed + s); pos = 0; }
        const k = sp.train[order[pos++]!]!;
        x.set(digits.images.subarray(k * PIXELS, (k + 1) * PIXELS), r * PIXELS);
      }
      gan.step(x, 64, opts.d, opts.g);
    }
    decode = (u) => gan.generate(Float32Array.from(u, (v) => 2 * v - 1), 1);
    load = (sim) => sim.modules[0]!.gan!.G.loadFrom(gan.G);
  }

  const sim = new Simulation(validateModel(generatorModel(o), { limits: ctx.limits }));
  load(sim);
  const latent = sim.population('latent'), pixels = sim.population('pixels'), retina = sim.population('retina');
  const nz = latent.size;
  const rng = new Philox(o.seed + 17);
  const steps = Math.round(o.present_ms / sim.model.dt);
  const half = Math.round(steps / 2);
  const direct: Float32Array[] = [], seen: Float32Array[] = [];
  const rows: { digit: number; correlation: number; retina_rate_hz: number }[] = [];
  const sink = recordingSink({});
  for (let k = 0; k < o.digits && !ctx.shouldStop?.(); k++) {
    const u = Float32Array.from({ length: nz }, (_, j) => rng.uniform(k, j, 0, STREAM_USER_TS | 23));
    latent.setRates(Array.from(u, (x) => x * o.max_input_rate));
    const r0 = retina.spikes();
    sim.run({ steps: steps - half, sink });
    // The image the pixel population's spikes draw over the presentation's second half.
    const before = pixels.state('count');
    sim.run({ steps: half, sink });
    const after = pixels.state('count');
    const img = Float32Array.from(after, (c, i) => Math.min(1, (c - before[i]!) / (PIXEL_RATE * (half * sim.model.dt) / 1000)));
    const want = decode(u);
    direct.push(want);
    seen.push(img);
    rows.push({ digit: k, correlation: correlation(Float64Array.from(img), Float64Array.from(want)), retina_rate_hz: (retina.spikes() - r0) / PIXELS / (o.present_ms / 1000) });
    ctx.emit?.({ type: 'images', title: `the ${o.source}'s samples as the pixel population's spikes draw them`, rows: 28, cols: 28, count: seen.length, pixels: Uint8Array.from(seen.flatMap((s) => Array.from(s, (v) => Math.round(255 * v)))) });
    ctx.fraction?.(k + 1, o.digits);
  }
  sim.close();
  const clf = digitClassifier(digits, sp.train, sp.test, o.seed);
  const label = (img: Float32Array) => {
    const p = clf.mlp.forward(img, 1).data;
    let best = 0;
    for (let j = 1; j < 10; j++) if (p[j]! > p[best]!) best = j;
    return best;
  };
  let agree = 0;
  for (let k = 0; k < seen.length; k++) if (label(seen[k]!) === label(direct[k]!)) agree++;
  const n = Math.max(1, rows.length);
  const meanCorr = rows.reduce((a, r) => a + r.correlation, 0) / n;
  const retinaRate = rows.reduce((a, r) => a + r.retina_rate_hz, 0) / n;
  const checks: Check[] = [
    { name: `the image the spikes draw vs the ${o.source}'s own output for the latent draw (mean correlation)`, measured: meanCorr, expected: 1, tolerance: 0.2, pass: meanCorr >= 0.8 },
    { name: 'a classifier of real digits gives the spike image the label of the generator\'s image (share of presentations)', measured: agree / n, expected: 1, tolerance: 0.2, pass: agree / n >= 0.8 },
    { name: 'the samples drive the LIF retina (mean rate, Hz)', measured: retinaRate, expected: 0, tolerance: 0, pass: retinaRate > 1 },
  ];
  const grid = new Float32Array(2 * seen.length * PIXELS);
  seen.forEach((s, k) => { grid.set(direct[k]!, 2 * k * PIXELS); grid.set(s, (2 * k + 1) * PIXELS); });
  const g = imageGrid(grid, 2 * seen.length, 28, 28, 10, false);
  const figures: Figure[] = [{
    name: 'spikes-vs-generator', title: `The ${o.source}'s samples drawn by spikes against the ${o.source} itself`,
    x: { label: 'pixel value, the generator\'s output', min: 0, max: 1 }, y: { label: 'pixel value, from the pixel population\'s spike counts', min: 0, max: 1 },
    series: [
      { label: `${PIXELS} pixels x ${seen.length} samples (every 7th pixel)`, kind: 'points', x: direct.flatMap((d) => Array.from(d).filter((_, i) => i % 7 === 0)), y: seen.flatMap((s) => Array.from(s).filter((_, i) => i % 7 === 0)) },
      { label: 'spikes = generator', kind: 'theory', x: [0, 1], y: [0, 1] },
    ],
    caption: `Counts over ${(half * sim.model.dt).toFixed(0)} ms at up to ${PIXEL_RATE} Hz: a pixel is read to about 1/${(PIXEL_RATE * half * sim.model.dt / 1000).toFixed(0)}.`,
  }];
  return {
    params: { ...o, generator_training: training, interval_ms: INTERVAL, window_ms: WINDOW, pixel_rate_hz: PIXEL_RATE, latent_units: nz },
    results: {
      presentations: rows, mean_correlation: meanCorr, label_agreement: agree / n, retina_rate_hz: retinaRate,
      images: { [o.source]: { samples: direct.slice(0, 10).map((d) => Array.from(d, (v) => Number(v.toFixed(3)))), spikes: seen.slice(0, 10).map((d) => Array.from(d, (v) => Number(v.toFixed(3)))) } },
    },
    checks,
    figures,
    files: { 'presentations.csv': `${['digit,correlation,retina_rate_hz', ...rows.map((r) => `${r.digit},${r.correlation},${r.retina_rate_hz}`)].join('\n')}\n` },
    binaries: { 'generated_and_spiking.png': encodePng(g.pixels, g.width, g.height) },
  };
}
