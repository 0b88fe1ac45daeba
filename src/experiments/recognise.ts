// Are generated digits digits? A classifier trained on real digits labels
// generated images; an image counts as recognised when the classifier gives
// its top class a probability of at least 0.9. A threshold on a probability
// is only worth something when the probability is calibrated (of the images
// given 0.9, 90 % right), and a network's softmax grows overconfident as it
// trains: the same VAE samples scored 34 / 45 / 56 / 67 % with this
// classifier trained 5 / 10 / 20 / 40 epochs at the same accuracy. So the
// softmax is calibrated by one temperature (Guo et al. 2017) fitted on half
// of the held-out digits, and every figure is read on the other half; then
// those samples score 29 % whatever the training length (measured). The same
// measure on the held-out real digits and on images of independent pixels
// (each on with the training digits' mean) says what the number is worth: it
// rewards images the classifier is sure of, not diversity or realism beyond
// that (a generator that draws one perfect "1" scores 100 %), so the class
// counts are reported beside it.

import { Dense } from '../kernel/dense.js';
import { Mlp, softmaxRows } from '../dense/mlp.js';
import { gatherRows } from '../dense/batches.js';
import { permutation, PIXELS, type Digits } from '../data/mnist.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';
import type { Figure } from '../protocol/figures.js';

export const CONFIDENT = 0.9;

export interface Recognised {
  /** Share of images whose top class has calibrated probability >= 0.9. */
  recognised: number;
  /** The same with the network's own softmax (temperature 1). */
  uncalibrated: number;
  /** Images per top class (0-9), confident or not. */
  classes: number[];
  /** Each image's calibrated top-class probability, ascending. */
  confidence: Float64Array;
}

export interface DigitClassifier {
  mlp: Mlp;
  /** The softmax temperature fitted on the calibration half of the held-out digits. */
  temperature: number;
  /** Held-out accuracy on real digits (the evaluation half). */
  accuracy: number;
  /** On the evaluation half, before and after: the mean log-loss of the true labels (nats; what the temperature minimises on the other half) and the expected calibration error (15 bins of the top probability). */
  calibration: { log_loss: { uncalibrated: number; calibrated: number }; calibration_error: { uncalibrated: number; calibrated: number } };
  /** Held-out digits in each half. */
  calibration_digits: number;
  evaluation_digits: number;
  /** The measure on the evaluation half of the real digits and on independent-pixel images. */
  real: Recognised;
  noise: Recognised;
}

/** Log-probabilities of the classes for each image (rows of PIXELS values in [0, 1]). */
function logProbs(mlp: Mlp, images: Float32Array): Float64Array {
  const n = images.length / PIXELS, chunk = 500;
  const out = new Float64Array(n * 10);
  for (let s = 0; s < n; s += chunk) {
    const B = Math.min(chunk, n - s);
    const p = mlp.forward(images.subarray(s * PIXELS, (s + B) * PIXELS), B).data;
    // A probability that underflowed to 0 stands at the smallest f32 (its log is finite).
    for (let k = 0; k < B * 10; k++) out[s * 10 + k] = Math.log(Math.max(p[k]!, 1e-45));
  }
  return out;
}

/** Softmax of row r of log-probabilities divided by the temperature, into p (10); returns the top class. */
function tempered(lp: Float64Array, r: number, temperature: number, p: Float64Array): number {
  for (let j = 0; j < 10; j++) p[j] = lp[r * 10 + j]! / temperature;
  softmaxRows(p, 1, 10);
  let best = 0;
  for (let j = 1; j < 10; j++) if (p[j]! > p[best]!) best = j;
  return best;
}

function nll(lp: Float64Array, labels: ArrayLike<number>, temperature: number): number {
  const p = new Float64Array(10);
  let s = 0;
  for (let r = 0; r < labels.length; r++) { tempered(lp, r, temperature, p); s -= Math.log(Math.max(p[labels[r]!]!, 1e-300)); }
  return s / labels.length;
}

/** The temperature minimising the negative log-likelihood of the labels (golden section on log T in [1/20, 20]). */
export function fitTemperature(lp: Float64Array, labels: ArrayLike<number>): number {
  let a = Math.log(1 / 20), b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = nll(lp, labels, Math.exp(c)), fd = nll(lp, labels, Math.exp(d));
  while (b - a > 1e-6) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = nll(lp, labels, Math.exp(c)); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = nll(lp, labels, Math.exp(d)); }
  }
  return Math.exp((a + b) / 2);
}

/** Expected calibration error: the mean |accuracy - confidence| over 15 equal-width bins of the top probability, weighted by the bins' counts. */
export function calibrationError(lp: Float64Array, labels: ArrayLike<number>, temperature: number): number {
  const bins = 15, count = new Float64Array(bins), conf = new Float64Array(bins), right = new Float64Array(bins);
  const p = new Float64Array(10);
  for (let r = 0; r < labels.length; r++) {
    const best = tempered(lp, r, temperature, p);
    const b = Math.min(bins - 1, Math.floor(p[best]! * bins));
    count[b]!++; conf[b]! += p[best]!; if (best === labels[r]) right[b]!++;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) e += Math.abs(right[b]! - conf[b]!) / labels.length;
  return e;
}

function verdict(lp: Float64Array, temperature: number): Recognised {
  const n = lp.length / 10, classes = new Array<number>(10).fill(0), p = new Float64Array(10), raw = new Float64Array(10);
  const confidence = new Float64Array(n);
  let sure = 0, sureRaw = 0;
  for (let r = 0; r < n; r++) {
    const best = tempered(lp, r, temperature, p);
    tempered(lp, r, 1, raw);
    classes[best]!++;
    confidence[r] = p[best]!;
    if (p[best]! >= CONFIDENT) sure++;
    if (raw[best]! >= CONFIDENT) sureRaw++;
  }
  return { recognised: sure / n, uncalibrated: sureRaw / n, classes, confidence: confidence.sort() };
}

/**
 * An MLP 784-400-10 (ReLU, Adam, 5 epochs) trained on the real training
 * digits, its softmax calibrated on the first half of the held-out digits.
 */
export function digitClassifier(digits: Digits, train: ArrayLike<number>, test: ArrayLike<number>, seed: number): DigitClassifier {
  const mlp = new Mlp(new Dense(), [PIXELS, 400, 10], 'relu', seed);
  const opt = mlp.optimizer({ kind: 'adam', lr: 0.001 });
  for (let e = 1; e <= 5; e++) mlp.trainEpoch(digits.images, digits.labels, Array.from(permutation(train.length, seed * 300 + e), (i) => train[i]!), opt, 32);
  const half = Math.floor(test.length / 2);
  const gather = (idx: number[]) => {
    const out = new Float32Array(idx.length * PIXELS);
    gatherRows(digits.images, PIXELS, idx, 0, idx.length, out);
    return out;
  };
  const calIdx = Array.from({ length: half }, (_, k) => test[k]!), evalIdx = Array.from({ length: test.length - half }, (_, k) => test[half + k]!);
  const calLabels = calIdx.map((i) => digits.labels[i]!), evalLabels = evalIdx.map((i) => digits.labels[i]!);
  const temperature = fitTemperature(logProbs(mlp, gather(calIdx)), calLabels);
  const lpEval = logProbs(mlp, gather(evalIdx));
  // The temperature leaves the top class as it is: the accuracy is read off the same log-probabilities.
  const p = new Float64Array(10);
  let right = 0;
  for (let k = 0; k < evalIdx.length; k++) if (tempered(lpEval, k, 1, p) === evalLabels[k]) right++;
  const mean = new Float64Array(PIXELS);
  for (let r = 0; r < train.length; r++) for (let i = 0; i < PIXELS; i++) mean[i]! += digits.images[train[r]! * PIXELS + i]! / train.length;
  const rng = new Philox(seed);
  const noise = Float32Array.from({ length: 1000 * PIXELS }, (_, k) => (rng.uniform(k, 0, 0, STREAM_USER_TS | 17) < mean[k % PIXELS]! ? 1 : 0));
  return {
    mlp, temperature, accuracy: right / evalIdx.length,
    calibration: {
      log_loss: { uncalibrated: nll(lpEval, evalLabels, 1), calibrated: nll(lpEval, evalLabels, temperature) },
      calibration_error: { uncalibrated: calibrationError(lpEval, evalLabels, 1), calibrated: calibrationError(lpEval, evalLabels, temperature) },
    },
    calibration_digits: calIdx.length, evaluation_digits: evalIdx.length,
    real: verdict(lpEval, temperature), noise: verdict(logProbs(mlp, noise), temperature),
  };
}

/** The classifier's verdict on images (rows of PIXELS values in [0, 1]). */
export function recognise(clf: DigitClassifier, images: Float32Array): Recognised {
  return verdict(logProbs(clf.mlp, images), clf.temperature);
}

/** How the verdict is reported beside the samples' (results.recognised of vae-mnist and gan-mnist). */
export function recognisedReport(clf: DigitClassifier, samples: Recognised): Record<string, unknown> {
  return {
    samples: samples.recognised, samples_uncalibrated: samples.uncalibrated, sample_classes: samples.classes,
    real_test_digits: clf.real.recognised, real_test_digits_uncalibrated: clf.real.uncalibrated,
    independent_pixels: clf.noise.recognised, independent_pixels_uncalibrated: clf.noise.uncalibrated,
    classifier_accuracy: clf.accuracy, temperature: clf.temperature, calibration: clf.calibration,
    classifier: `MLP 784-400-10, ReLU, Adam, 5 epochs on the training digits; softmax temperature fitted (least log-loss) on ${clf.calibration_digits} held-out digits, every figure read on the other ${clf.evaluation_digits}`,
  };
}

/** Share of images whose calibrated top class reaches each threshold: the samples beside real digits and independent pixels. */
export function recognitionFigure(clf: DigitClassifier, samples: Recognised, model: string): Figure {
  const thresholds = Array.from({ length: 51 }, (_, k) => 0.5 + k * 0.01);
  const share = (r: Recognised) => thresholds.map((t) => {
    // confidence is ascending: count the values >= t by bisection.
    let lo = 0, hi = r.confidence.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (r.confidence[mid]! < t) lo = mid + 1; else hi = mid; }
    return (r.confidence.length - lo) / Math.max(1, r.confidence.length);
  });
  return {
    name: 'recognised',
    title: `Are the ${model}'s samples digits? Share recognised against the confidence asked`,
    x: { label: 'calibrated top-class probability at least', min: 0.5, max: 1 },
    y: { label: 'share of images', min: 0, max: 1 },
    series: [
      { label: `held-out real digits (${clf.evaluation_digits})`, kind: 'line', x: thresholds, y: share(clf.real) },
      { label: `${model} samples (${samples.confidence.length})`, kind: 'line', x: thresholds, y: share(samples) },
      { label: `independent pixels (${clf.noise.confidence.length})`, kind: 'line', x: thresholds, y: share(clf.noise) },
    ],
    marks: [{ axis: 'x', at: CONFIDENT, label: `the measure: ${CONFIDENT}` }, { axis: 'y', at: 0.8, label: 'target 0.8' }],
    caption: `A classifier of real digits (MLP 784-400-10, ${(100 * clf.accuracy).toFixed(1)} % on held-out digits; softmax temperature ${clf.temperature.toFixed(2)} fitted on ${clf.calibration_digits} other held-out digits) labels each image; an image counts as recognised when its top class has at least the probability on the axis.`,
  };
}
