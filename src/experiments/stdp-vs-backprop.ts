// STDP against backprop on the same digits (the mnist package's 10000, a
// seeded 8000 / 2000 split by default).
//
// STDP side: the Diehl & Cook (2015) network (diehl-cook.ts) learns without
// labels, digit by digit: rates set from the pixels for 350 ms, 150 ms of
// rest, the input raised by half its start value and the digit shown again
// while the excitatory layer answers with fewer than 5 spikes, each neuron's
// input weights normalised before each digit. Labels are used once, after
// learning: the frozen network (weights and thresholds fixed) is shown the
// training digits again and each neuron's mean response per class recorded,
// as Diehl & Cook's evaluation does. A test digit is classified by the
// proportion-weighted vote (each spike counts for every class in proportion
// to the share of the neuron's labelling response that class drew); their
// plain vote (each neuron for its strongest class) is reported beside it.
//
// Backprop side: the MLP of the rate-coded modules (784-N-10, ReLU, softmax
// cross-entropy, Adam), trained on the same training digits with their labels.
//
// Third row: that MLP converted to integrate-and-fire neurons and run in the
// engine (ann-to-snn.ts), to show what spikes cost at inference.

import type { Figure } from '../protocol/figures.js';
import { validateModel, type Limits } from '../model/validate.js';
import { Simulation } from '../sim/simulation.js';
import { Dense } from '../kernel/dense.js';
import { Mlp } from '../dense/mlp.js';
import { loadDigits, split, permutation, PIXELS, type Digits } from '../data/mnist.js';
import { diehlCookModel, assignLabels, vote, classProportions, proportionVote, DC, DC_TUNED, DC_PUBLISHED, THETA_PLUS, type DcSetup } from './diehl-cook.js';
import { reportHtml } from './stdp-report.js';
import { convertMlp, CONVERSION_DEFAULTS } from './ann-to-snn.js';
import type { ExperimentContext, ExperimentResult, Check } from './types.js';
import type { ImagesFrame } from '../protocol/messages.js';

export interface SvbOptions {
  neurons: number; train: number; test: number; epochs: number; mlp_epochs: number; seed: number;
  /** The STDP protocol's parameters (DcSetup; defaults DC_TUNED, Diehl & Cook's published values in DC_PUBLISHED). */
  weight_total: number; inhibition: number; tau_theta: number; share_spikes: number; learning_rates: number[]; input_rate: number; ink: number;
  /** Also trains a network with Diehl & Cook's published parameters and draws its curve beside. */
  compare_published: boolean;
}
export const SVB_DEFAULTS: SvbOptions = {
  neurons: 400, train: 8000, test: 2000, epochs: 5, mlp_epochs: 20, seed: 1,
  weight_total: DC_TUNED.weightTotal, inhibition: DC_TUNED.inhibition, tau_theta: DC_TUNED.tauTheta, share_spikes: DC_TUNED.shareSpikes, learning_rates: DC_TUNED.learningRates, input_rate: DC_TUNED.inputRate, ink: DC_TUNED.ink, compare_published: false,
};

function setupOf(o: SvbOptions): DcSetup {
  return { weightTotal: o.weight_total, inhibition: o.inhibition, tauTheta: o.tau_theta, shareSpikes: o.share_spikes, learningRates: o.learning_rates, inputRate: o.input_rate, ink: o.ink };
}

/**
 * Published per-operation energies (pJ). Two kinds, never mixed in one
 * comparison: arithmetic only (the operation itself, 45 nm, no memory
 * traffic), priced the same for both sides; and all-in figures of a chip
 * built for each side (a neuromorphic chip per synaptic operation, a digital
 * accelerator per multiply-accumulate), each from its paper.
 */
export const ENERGY = {
  mac_fp32_pj: 4.6, // arithmetic: 32-bit float multiply (3.7 pJ) + add (0.9 pJ), 45 nm (Horowitz, ISSCC 2014)
  loihi_synop_pj: 23.6, // all-in: per synaptic spike operation on Intel Loihi (Davies et al., IEEE Micro 2018)
  tpu_mac_pj: 0.87, // all-in: TPU v1, 92 T 8-bit ops/s at 40 W busy = 0.43 pJ per op, 2 ops per MAC (Jouppi et al., ISCA 2017)
};

/**
 * Multiply-accumulates (or their equivalent) of the engine's work: a synaptic
 * event is `target += gain * w` (one); a lif_cond neuron's step is the
 * kernel's condExpLoop, about 30 floating-point operations (the conductance
 * terms, the division for V_inf, exp as its 13-operation polynomial, the
 * threshold): 15 multiply-accumulates.
 */
export const MACS_PER_EVENT = 1;
export const MACS_PER_LIF_COND_STEP = 15;

/** Diehl & Cook (2015), Table 1: test accuracy on full MNIST after passes over its 60000 training digits. */
export const DC_PAPER = [
  { neurons: 100, accuracy: 0.829, passes: 1 },
  { neurons: 400, accuracy: 0.87, passes: 3 },
  { neurons: 1600, accuracy: 0.919, passes: 7 },
  { neurons: 6400, accuracy: 0.95, passes: 15 },
];

export interface CurvePoint { method: 'stdp' | 'stdp_published' | 'mlp'; digits: number; accuracy: number }

export interface StdpNet {
  sim: Simulation;
  neurons: number;
  /** Shows a digit (and the rest after it); returns the excitatory layer's spike counts and the repeats it took. */
  present(img: Float32Array): { response: Uint32Array; boosts: number };
}

export type LearningNet = StdpNet & {
  setLearning(on: boolean): void;
  /** Sets the learning rate of a pass (1-based) from the setup's schedule. */
  startPass(pass: number): void;
};

export function stdpNetwork(neurons: number, seed: number, limits?: Partial<Limits>, setup: DcSetup = DC_TUNED): LearningNet {
  const sim = new Simulation(validateModel(diehlCookModel(neurons, seed, setup), { limits }));
  const steps = (ms: number) => Math.round(ms / DC.dt);
  const silence = new Float64Array(PIXELS);
  const rates = new Float64Array(PIXELS);
  const exc = sim.population('exc');
  // Homeostasis: the threshold's fall per digit that a neuron firing its share of the layer's spikes makes up.
  const fall = (THETA_PLUS * setup.shareSpikes) / neurons;
  let learning = true;
  const net: LearningNet = {
    sim, neurons,
    present(img) {
      let intensity = 1, boosts = 0, sum = 0;
      for (let i = 0; i < PIXELS; i++) sum += img[i]!;
      const scale = setup.ink > 0 && sum > 0 ? setup.ink / sum : 1;
      for (;;) {
        if (learning) sim.projection('input->exc').normalize(setup.weightTotal);
        for (let i = 0; i < PIXELS; i++) rates[i] = img[i]! * scale * setup.inputRate * intensity;
        sim.population('input').setRates(rates);
        const before = exc.spikeCounts();
        sim.run({ steps: steps(DC.presentMs) });
        const after = exc.spikeCounts();
        const response = new Uint32Array(neurons);
        let total = 0;
        for (let j = 0; j < neurons; j++) { response[j] = after[j]! - before[j]!; total += response[j]!; }
        sim.population('input').setRates(silence);
        sim.run({ steps: steps(DC.restMs) });
        if (total >= DC.minSpikes || boosts >= DC.maxBoosts) {
          if (learning && fall > 0) {
            const theta = exc.state('theta');
            for (let j = 0; j < neurons; j++) theta[j]! -= fall;
            exc.setState('theta', theta);
          }
          return { response, boosts };
        }
        intensity += 0.5;
        boosts++;
      }
    },
    setLearning(on: boolean) { learning = on; sim.freezeLearning(!on); },
    startPass(pass: number) {
      const r = setup.learningRates;
      sim.projection('input->exc').setLearningRate(r[Math.min(pass, r.length) - 1]!);
    },
  };
  return net;
}

/**
 * The frozen network's responses (excitatory spike counts) to digits, and per
 * digit: the synaptic events, the clock steps (a repeat with raised input
 * included) and the repeats.
 */
function frozenResponses(net: LearningNet, digits: Digits, indices: ArrayLike<number>, ctx: ExperimentContext, onDigit?: () => void): { responses: Uint32Array[]; synOps: number; steps: number; repeats: number } {
  net.setLearning(false);
  const events0 = net.sim.events, step0 = net.sim.step;
  const responses: Uint32Array[] = [];
  let repeats = 0;
  for (let k = 0; k < indices.length && !ctx.shouldStop?.(); k++) {
    const r = net.present(digits.images.subarray(indices[k]! * PIXELS, (indices[k]! + 1) * PIXELS));
    responses.push(r.response);
    repeats += r.boosts;
    onDigit?.();
  }
  const n = Math.max(1, responses.length);
  net.setLearning(true);
  return { responses, synOps: (net.sim.events - events0) / n, steps: (net.sim.step - step0) / n, repeats: repeats / n };
}

/** Multiply-accumulates of the MLP per test digit: dense, and skipping zero inputs to each layer (pixels off, ReLU units silent). */
function mlpMacs(mlp: Mlp, images: Float32Array, indices: ArrayLike<number>): { dense: number; nonzero: number; nonzero_pixels: number; active_hidden: number } {
  const nz = mlp.nonzeroInputs(images, indices);
  const sizes = mlp.sizes;
  let dense = 0, nonzero = 0;
  for (let l = 1; l < sizes.length; l++) { dense += sizes[l - 1]! * sizes[l]!; nonzero += nz[l - 1]! * sizes[l]!; }
  return { dense, nonzero, nonzero_pixels: nz[0]!, active_hidden: nz[1] ?? 0 };
}

function accuracy(pred: ArrayLike<number>, digits: Digits, indices: ArrayLike<number>): number {
  let ok = 0;
  for (let k = 0; k < indices.length; k++) if (pred[k] === digits.labels[indices[k]!]) ok++;
  return ok / Math.max(1, indices.length);
}

function confusion(pred: ArrayLike<number>, digits: Digits, indices: ArrayLike<number>): number[][] {
  const m = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  for (let k = 0; k < indices.length; k++) { const p = pred[k]!; if (p >= 0) m[digits.labels[indices[k]!]!]![p]!++; }
  return m;
}

/** The test digits the curves are measured on: the first 500. */
const curveDigits = <T extends { slice(a: number, b: number): T; length: number }>(test: T): T => test.slice(0, Math.min(500, test.length));

/**
 * Unsupervised passes over the training digits, with the accuracy on 500
 * test digits at a few points (each neuron labelled by its responses to the
 * last pass's digits, Diehl & Cook's vote); `series` names the curve. The
 * final point of the main series is measured after labelling, by the caller.
 */
function trainStdp(net: LearningNet, o: SvbOptions, digits: Digits, sp: { train: Uint32Array | number[]; test: Uint32Array | number[] }, ctx: ExperimentContext, curve: CurvePoint[], series: 'stdp' | 'stdp_published', onDigit: (shown: number) => void) {
  const total = o.epochs * o.train;
  const checkpoints = new Set([500, 1000, 2000, 4000, 8000, 16000, 24000, total].filter((n) => n <= total));
  const curveTest = curveDigits(sp.test);
  const window = o.train;   // label from the responses to the last pass
  const recent: { response: Uint32Array; label: number }[] = [];
  let shown = 0, boosts = 0, trainMs = 0, evalMs = 0;
  const passMs: number[] = [];
  for (let epoch = 1; epoch <= o.epochs && !ctx.shouldStop?.(); epoch++) {
    const order = Array.from(permutation(o.train, o.seed * 100 + epoch), (i) => sp.train[i]!);
    net.startPass(epoch);
    const t0 = performance.now();
    let evalInPass = 0;
    for (let k = 0; k < order.length && !ctx.shouldStop?.(); k++) {
      const idx = order[k]!;
      const r = net.present(digits.images.subarray(idx * PIXELS, (idx + 1) * PIXELS));
      boosts += r.boosts;
      recent.push({ response: r.response, label: digits.labels[idx]! });
      if (recent.length > window) recent.shift();
      shown++;
      if (ctx.emit && shown % 200 === 0) ctx.emit(weightImages(net.sim, o.neurons, shown));
      if (checkpoints.has(shown) && (shown < total || series !== 'stdp')) {
        const e0 = performance.now();
        // Diehl & Cook's vote: each neuron for the class it answered most in the recent digits.
        const assign = assignLabels(recent.map((x) => x.response), recent.map((x) => x.label), o.neurons);
        const { responses } = frozenResponses(net, digits, curveTest, ctx);
        curve.push({ method: series, digits: shown, accuracy: accuracy(responses.map((r) => vote(r, assign)), digits, curveTest) });
        const spent = performance.now() - e0;
        evalMs += spent;
        evalInPass += spent;
        ctx.progress?.(`${series === 'stdp' ? 'STDP' : 'STDP (published parameters)'}: ${shown} digits shown, accuracy on ${curveTest.length} test digits ${(100 * curve[curve.length - 1]!.accuracy).toFixed(1)} %`);
        emitPoint(ctx, series === 'stdp' ? 'stdp' : 'stdp (published parameters)', shown, curve[curve.length - 1]!.accuracy);
      }
      onDigit(shown);
    }
    const ms = performance.now() - t0 - evalInPass;
    passMs.push(ms);
    trainMs += ms;
    ctx.progress?.(`STDP pass ${epoch}: ${(ms / 1000).toFixed(1)} s (${(ms / o.train).toFixed(1)} ms per digit, with rest and repeats)`);
  }
  return { shown, boosts, trainMs, evalMs, passMs };
}

export function runStdpVsBackprop(o: SvbOptions, ctx: ExperimentContext): ExperimentResult {
  if (o.train + o.test > 10000) throw new RangeError(`--train ${o.train} + --test ${o.test} exceed the 10000 digits of the mnist package`);
  const digits = loadDigits();
  const sp = split(digits, o.train, o.test, o.seed);
  const curve: CurvePoint[] = [];
  const total = o.epochs * o.train;

  // ---- STDP
  if (o.compare_published) {
    // Diehl & Cook's published parameters on the same digits in the same order: the curve only.
    ctx.progress?.('STDP with Diehl & Cook\'s published parameters first, for the curve beside hebb\'s');
    const published = stdpNetwork(o.neurons, o.seed, ctx.limits, DC_PUBLISHED);
    trainStdp(published, o, digits, sp, ctx, curve, 'stdp_published', () => undefined);
    published.sim.close();
    if (ctx.shouldStop?.()) return stoppedEarly(o, curve, 0);
  }
  const net = stdpNetwork(o.neurons, o.seed, ctx.limits, setupOf(o));
  const { shown, boosts, trainMs, evalMs, passMs } = trainStdp(net, o, digits, sp, ctx, curve, 'stdp', (n) => ctx.fraction?.(n, total + o.train + o.test));
  // Stopped during training: what it measured so far, no evaluation of a half-trained network.
  if (ctx.shouldStop?.()) return stoppedEarly(o, curve, shown);
  // Labelling: the frozen network's responses to every training digit.
  ctx.progress?.(`STDP: labelling the neurons with the frozen network's responses to the ${o.train} training digits`);
  let done = total;
  const l0 = performance.now();
  const labelling = frozenResponses(net, digits, sp.train, ctx, () => ctx.fraction?.(++done, total + o.train + o.test));
  const labelMs = performance.now() - l0;
  const trainLabels = Array.from(sp.train, (i) => digits.labels[i]!);
  const assignments = assignLabels(labelling.responses, trainLabels, o.neurons);
  const proportions = classProportions(labelling.responses, trainLabels, o.neurons);
  const e0 = performance.now();
  const final = frozenResponses(net, digits, sp.test, ctx, () => ctx.fraction?.(++done, total + o.train + o.test));
  const stdpTestMs = performance.now() - e0;
  // Diehl & Cook's plain vote is the figure compared with theirs; the proportion vote is hebb's addition, reported beside it.
  const predictions = final.responses.map((r) => vote(r, assignments));
  const stdpAcc = accuracy(predictions, digits, sp.test);
  const proportionAcc = accuracy(final.responses.map((r) => proportionVote(r, proportions)), digits, sp.test);
  curve.push({ method: 'stdp', digits: shown, accuracy: stdpAcc });
  emitPoint(ctx, 'stdp', shown, stdpAcc);
  ctx.emit?.(weightImages(net.sim, o.neurons, shown));
  const weights = net.sim.projection('input->exc').weights();
  const filters = Array.from({ length: o.neurons }, (_, j) => Array.from({ length: PIXELS }, (_, i) => Number(weights[i * o.neurons + j]!.toFixed(4))));

  // ---- backprop
  const mlp = new Mlp(new Dense(), [PIXELS, o.neurons, 10], 'relu', o.seed);
  const opt = mlp.optimizer({ kind: 'adam', lr: 0.001 });
  let mlpMs = 0;
  const curveTest = curveDigits(sp.test);
  for (let epoch = 1; epoch <= o.mlp_epochs && !ctx.shouldStop?.(); epoch++) {
    const order = Array.from(permutation(o.train, o.seed * 1000 + epoch), (i) => sp.train[i]!);
    const t0 = performance.now();
    mlp.trainEpoch(digits.images, digits.labels, order, opt, 32);
    mlpMs += performance.now() - t0;
    curve.push({ method: 'mlp', digits: epoch * o.train, accuracy: accuracy(mlp.predict(digits.images, curveTest), digits, curveTest) });
    emitPoint(ctx, 'backprop', epoch * o.train, curve[curve.length - 1]!.accuracy);
  }
  if (ctx.shouldStop?.()) return stoppedEarly(o, curve, shown);
  const p0 = performance.now();
  const mlpPred = mlp.predict(digits.images, sp.test);
  const mlpTestMs = performance.now() - p0;
  const mlpAcc = accuracy(mlpPred, digits, sp.test);
  const macs = mlpMacs(mlp, digits.images, sp.test);
  curve.push({ method: 'mlp', digits: o.mlp_epochs * o.train, accuracy: mlpAcc });

  // ---- the trained MLP as a spiking network (ANN-to-SNN conversion)
  ctx.progress?.('the trained MLP converted to integrate-and-fire neurons, run on the test digits');
  const c0 = performance.now();
  const snnOptions = { ...CONVERSION_DEFAULTS, presentMs: 25, checkEveryMs: 2.5 };
  const snn = convertMlp(mlp, digits.images, sp.train.slice(0, Math.min(1000, o.train)), snnOptions, ctx.limits);
  const snnPred = new Int8Array(sp.test.length);
  const checksCorrect = new Float64Array(Math.round(snnOptions.presentMs / snnOptions.checkEveryMs));
  let snnEvents = 0, snnSpikes = 0, agree = 0;
  for (let k = 0; k < sp.test.length && !ctx.shouldStop?.(); k++) {
    const idx = sp.test[k]!;
    const r = snn.classify(digits.images.subarray(idx * PIXELS, (idx + 1) * PIXELS));
    snnPred[k] = r.answer;
    r.answers.forEach((a, c) => { if (a === digits.labels[idx]) checksCorrect[c]! += 1; });
    snnEvents += r.events;
    snnSpikes += r.spikes;
    if (r.answer === mlpPred[k]) agree++;
  }
  const snnAcc = accuracy(snnPred, digits, sp.test);
  ctx.emit?.({ type: 'curve', chart: 'MLP as spikes: accuracy against time', series: 'converted MLP', x: Float64Array.from(checksCorrect, (_, c) => (c + 1) * snnOptions.checkEveryMs), y: Float64Array.from(checksCorrect, (n) => n / Math.max(1, sp.test.length)), x_label: 'ms after the digit\'s onset', y_label: 'accuracy' });
  const snnOps = snnEvents / Math.max(1, sp.test.length);
  const converted = {
    accuracy: snnAcc, agreement_with_mlp: agree / Math.max(1, sp.test.length),
    accuracy_against_time: Array.from(checksCorrect, (n, c) => ({ ms: (c + 1) * snnOptions.checkEveryMs, accuracy: n / Math.max(1, sp.test.length) })),
    method: 'ReLU units as non-leaky integrate-and-fire neurons (threshold 1, reset to 0), biases as constant currents, weights scaled layer by layer by the 99.9th percentile of the activations on 1000 training digits (Diehl et al. 2015; Rueckauer et al. 2017); pixels as regular spike trains; the answer is the output neuron that fired most',
    max_rate_hz: snnOptions.maxRate, biological_ms_per_inference: snnOptions.presentMs, layer_scales: snn.scales,
    synaptic_ops_per_inference: snnOps, op_kind: 'synaptic events (target += gain * w: a multiply-add each); its neurons are event-driven, updated at their input events (the decay per event is not counted)', spikes_per_inference: snnSpikes / Math.max(1, sp.test.length),
    macs_per_inference: snnOps * MACS_PER_EVENT,
    energy_per_inference_uJ: { arithmetic_fp32: (snnOps * MACS_PER_EVENT * ENERGY.mac_fp32_pj) / 1e6, loihi_all_in: (snnOps * ENERGY.loihi_synop_pj) / 1e6 },
    labelled_examples: o.train, label_uses: o.train * o.mlp_epochs, label_use: 'those of the MLP it was converted from',
    test_ms: performance.now() - c0, ms_per_test_digit: (performance.now() - c0) / Math.max(1, sp.test.length),
    confusion: confusion(snnPred, digits, sp.test),
  };

  const stdpOps = final.synOps;
  // Every clock step updates all excitatory and inhibitory neurons (lif_cond), repeats included.
  const neuronSteps = 2 * o.neurons * final.steps;
  const stdpMacs = stdpOps * MACS_PER_EVENT + neuronSteps * MACS_PER_LIF_COND_STEP;
  const stdp = {
    accuracy: stdpAcc, accuracy_proportion_vote: proportionAcc,
    classifier: 'Diehl & Cook\'s vote: each neuron votes for the class it responded to most in the labelling pass (accuracy_proportion_vote, hebb\'s addition: each spike counts for every class in proportion to the share of the neuron\'s labelling response that class drew)',
    train_ms: trainMs, ms_per_training_digit: trainMs / Math.max(1, shown), pass_ms: passMs, labelling_ms: labelMs, test_ms: stdpTestMs, evaluation_ms: evalMs,
    ms_per_test_digit: stdpTestMs / Math.max(1, sp.test.length), repeats_per_test_digit: final.repeats, steps_per_test_digit: final.steps,
    digits_shown: shown, unsupervised_passes: o.epochs, repeats_for_too_few_spikes: boosts,
    labelled_examples: o.train, label_uses: o.train, label_use: 'after learning only: the frozen network is shown the labelled training digits once more and each neuron\'s response per class is recorded',
    synaptic_ops_per_inference: stdpOps, op_kind: 'synaptic events (target += gain * w: a multiply-add each)',
    neuron_updates_per_inference: neuronSteps, macs_per_inference: stdpMacs,
    energy_per_inference_uJ: {
      arithmetic_fp32: (stdpMacs * ENERGY.mac_fp32_pj) / 1e6,
      arithmetic_fp32_synapses_only: (stdpOps * MACS_PER_EVENT * ENERGY.mac_fp32_pj) / 1e6,
      loihi_all_in: (stdpOps * ENERGY.loihi_synop_pj) / 1e6,
    },
    biological_ms_per_inference: DC.presentMs + DC.restMs,
    unlabelled_neurons: Array.from(assignments).filter((a) => a < 0).length,
    confusion: confusion(predictions, digits, sp.test),
  };
  const backprop = {
    accuracy: mlpAcc, train_ms: mlpMs, epochs: o.mlp_epochs, hidden: o.neurons,
    labelled_examples: o.train, label_uses: o.train * o.mlp_epochs, label_use: 'every training digit\'s label, at every epoch (the loss\'s target)',
    test_ms: mlpTestMs, ms_per_test_digit: mlpTestMs / Math.max(1, sp.test.length),
    synaptic_ops_per_inference: macs.dense, op_kind: 'multiply-accumulates (dense)',
    macs_per_inference: macs.dense, macs_per_inference_skipping_zeros: macs.nonzero, nonzero_pixels: macs.nonzero_pixels, active_hidden_units: macs.active_hidden,
    energy_per_inference_uJ: {
      arithmetic_fp32: (macs.dense * ENERGY.mac_fp32_pj) / 1e6,
      arithmetic_fp32_skipping_zeros: (macs.nonzero * ENERGY.mac_fp32_pj) / 1e6,
      tpu_all_in: (macs.dense * ENERGY.tpu_mac_pj) / 1e6,
    },
    confusion: confusion(mlpPred, digits, sp.test),
  };
  const fullSize = o.neurons >= 400 && o.train >= 8000;
  // Diehl & Cook's Table 1 for the largest network no bigger than this one.
  const paper = DC_PAPER.filter((p) => p.neurons <= o.neurons).pop() ?? DC_PAPER[0]!;
  const checks: Check[] = fullSize ? [
    { name: `STDP test accuracy by Diehl & Cook's vote, ${o.neurons} neurons, ${o.epochs} pass(es) over ${o.train} digits (Diehl & Cook with ${paper.neurons}: ${(100 * paper.accuracy).toFixed(1)} % after ${paper.passes} x 60000)`, measured: stdpAcc, expected: paper.accuracy, tolerance: 0, pass: stdpAcc >= paper.accuracy },
    { name: `MLP 784-${o.neurons}-10 test accuracy`, measured: mlpAcc, expected: 0.95, tolerance: 0, pass: mlpAcc >= 0.95 },
    ...(o.neurons <= 400 ? [{ name: `one STDP pass over ${o.train} digits (350 + 150 ms each, with repeats), seconds`, measured: Math.max(...passMs) / 1000, expected: 120, tolerance: 0, pass: Math.max(...passMs) / 1000 < 120 }] : []),
    { name: 'the MLP converted to spikes: test accuracy within 1 point of the MLP\'s', measured: snnAcc, expected: mlpAcc, tolerance: 0.01, pass: snnAcc >= mlpAcc - 0.01 },
  ] : [
    { name: 'STDP beats chance (10 %) by a wide margin', measured: stdpAcc, expected: 0.4, tolerance: 0, pass: stdpAcc >= 0.4 },
    { name: 'MLP beats chance (10 %) by a wide margin', measured: mlpAcc, expected: 0.4, tolerance: 0, pass: mlpAcc >= 0.4 },
    { name: 'the MLP converted to spikes answers as the MLP does on most test digits', measured: converted.agreement_with_mlp, expected: 0.8, tolerance: 0, pass: converted.agreement_with_mlp >= 0.8 },
  ];
  const results = { stdp, mlp: backprop, converted, curves: curve, energy_figures: ENERGY, requirements: REQUIREMENTS, images: { stdp_weights: filters } };
  const params = { ...o, model: 'Diehl & Cook 2015', published_parameters: DC_PUBLISHED, theta_plus_mv: THETA_PLUS, split_seed: o.seed, dt_ms: DC.dt, present_ms: DC.presentMs, rest_ms: DC.restMs, max_input_rate_hz: o.input_rate };
  const figures: Figure[] = [
    {
      name: 'accuracy-curves', title: 'Test accuracy against digits seen',
      x: { label: 'training digits presented' }, y: { label: 'test accuracy', min: 0, max: 1 },
      series: curveSeries(curve),
      marks: [{ axis: 'y', at: 0.1, label: 'chance' }],
    },
    {
      name: 'converted-accuracy-against-time', title: 'The MLP as spikes: accuracy against time after the digit\'s onset',
      x: { label: 'time after onset', unit: 'ms' }, y: { label: 'test accuracy', min: 0, max: 1 },
      series: [
        { label: 'converted MLP', kind: 'line', x: converted.accuracy_against_time.map((p) => p.ms), y: converted.accuracy_against_time.map((p) => p.accuracy) },
        { label: 'the MLP itself', kind: 'theory', x: [0, Math.max(1, ...converted.accuracy_against_time.map((p) => p.ms))], y: [mlpAcc, mlpAcc] },
      ],
    },
  ];
  return {
    params, results, checks, figures,
    files: {
      'accuracy_curves.csv': `${['method,digits,accuracy', ...curve.map((c) => `${c.method},${c.digits},${c.accuracy}`)].join('\n')}\n`,
      'converted_accuracy_against_time.csv': `${['ms,accuracy', ...converted.accuracy_against_time.map((p) => `${p.ms},${p.accuracy}`)].join('\n')}\n`,
      'stdp_weights.csv': `${['neuron,pixel,weight', ...filters.flatMap((f, j) => f.map((w, i) => `${j},${i},${w}`))].join('\n')}\n`,
      'report.html': reportHtml({ params, results, checks }),
    },
  };
}

/** The result of a run stopped before its end: the curve points it measured, no checks. */
function stoppedEarly(o: SvbOptions, curve: CurvePoint[], shown: number): ExperimentResult {
  return {
    params: { ...o, model: 'Diehl & Cook 2015' },
    results: { stopped_after_digits: shown, curves: curve },
    checks: [],
    interrupted: true,
    files: { 'accuracy_curves.csv': `${['method,digits,accuracy', ...curve.map((c) => `${c.method},${c.digits},${c.accuracy}`)].join('\n')}\n` },
    figures: [{
      name: 'accuracy-curves', title: `Test accuracy against digits seen (stopped after ${shown} digits)`,
      x: { label: 'training digits presented' }, y: { label: 'test accuracy', min: 0, max: 1 },
      series: curveSeries(curve).filter((sr) => sr.x.length > 0),
      marks: [{ axis: 'y', at: 0.1, label: 'chance' }],
    }],
  };
}

const CURVE_LABELS = { stdp: 'STDP (spiking, unsupervised)', mlp: 'backprop (MLP)', stdp_published: 'STDP with Diehl & Cook\'s published parameters' } as const;

/** The accuracy curves of the figure: hebb's STDP and the MLP always, the published parameters' STDP when it ran. */
function curveSeries(curve: CurvePoint[]): Figure['series'] {
  const methods = (['stdp', 'mlp', 'stdp_published'] as const).filter((m) => m !== 'stdp_published' || curve.some((p) => p.method === m));
  return methods.map((m) => {
    const c = curve.filter((p) => p.method === m);
    return { label: CURVE_LABELS[m], kind: 'line' as const, x: c.map((p) => p.digits), y: c.map((p) => p.accuracy) };
  });
}

/** The input weights of the excitatory neurons as 28 x 28 images (each scaled to its maximum), for the live view. */
function weightImages(sim: Simulation, neurons: number, shown: number): ImagesFrame {
  const w = sim.projection('input->exc').weights();
  const pixels = new Uint8Array(neurons * PIXELS);
  for (let j = 0; j < neurons; j++) {
    let mx = 0;
    for (let i = 0; i < PIXELS; i++) mx = Math.max(mx, w[i * neurons + j]!);
    for (let i = 0; i < PIXELS; i++) pixels[j * PIXELS + i] = mx > 0 ? Math.round((255 * w[i * neurons + j]!) / mx) : 0;
  }
  return { type: 'images', title: `input weights of the ${neurons} STDP neurons after ${shown} digits`, rows: 28, cols: 28, count: neurons, pixels };
}

function emitPoint(ctx: ExperimentContext, series: string, digits: number, acc: number): void {
  ctx.emit?.({ type: 'curve', chart: 'test accuracy', series, x: Float64Array.of(digits), y: Float64Array.of(acc), x_label: 'training digits presented', y_label: 'accuracy' });
}

/** What each algorithm needs, with this project's answer for each. */
export const REQUIREMENTS = [
  { need: 'operations used', stdp: 'additions at spike arrivals (conductance += w), trace decays and one multiply-add per synapse at a spike', backprop: 'multiply-accumulates forward and backward, activation derivatives, softmax' },
  { need: 'feedback paths: derivatives or forward weights?', stdp: 'none: each synapse uses its own two neurons\' spike traces', backprop: 'yes: errors flow back through W^T (the forward weights, "weight transport") times f\'(z)' },
  { need: 'phases clocked?', stdp: 'no: learning runs continuously, event by event (only the host paces the digits)', backprop: 'yes: a forward pass, then a backward pass, then the update, in lock-step' },
  { need: 'neurons send', stdp: 'binary spikes', backprop: 'real values (f32 activations and errors)' },
  { need: 'target outputs required?', stdp: 'no: labels only name the neurons after learning', backprop: 'yes: every training digit\'s label is the loss\'s target' },
];
