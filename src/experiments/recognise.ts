// Are generated digits digits? A classifier trained on real digits labels
// generated images; an image counts as recognised when the classifier gives
// its top class a probability of at least 0.9. The same measure on the
// held-out real digits and on images of independent pixels (each on with
// the training digits' mean) says what the number is worth: it rewards
// images the classifier is sure of, not diversity or realism beyond that
// (a generator that draws one perfect "1" scores 100 %), so the class
// counts are reported beside it.

import { Dense } from '../kernel/dense.js';
import { Mlp } from '../dense/mlp.js';
import { permutation, PIXELS, type Digits } from '../data/mnist.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';

export const CONFIDENT = 0.9;

export interface Recognised {
  /** Share of images whose top class has probability >= 0.9. */
  recognised: number;
  /** Images per top class (0-9), confident or not. */
  classes: number[];
}

export interface DigitClassifier {
  mlp: Mlp;
  /** Held-out accuracy on real digits. */
  accuracy: number;
  /** The measure on the held-out real digits and on independent-pixel images. */
  real: Recognised;
  noise: Recognised;
}

/** An MLP 784-400-10 (ReLU, Adam, 5 epochs) trained on the real training digits. */
export function digitClassifier(digits: Digits, train: ArrayLike<number>, test: ArrayLike<number>, seed: number): DigitClassifier {
  const mlp = new Mlp(new Dense(), [PIXELS, 400, 10], 'relu', seed);
  const opt = mlp.optimizer({ kind: 'adam', lr: 0.001 });
  for (let e = 1; e <= 5; e++) mlp.trainEpoch(digits.images, digits.labels, Array.from(permutation(train.length, seed * 300 + e), (i) => train[i]!), opt, 32);
  const pred = mlp.predict(digits.images, test);
  let right = 0;
  for (let k = 0; k < test.length; k++) if (pred[k] === digits.labels[test[k]!]) right++;
  const realImages = new Float32Array(test.length * PIXELS);
  for (let k = 0; k < test.length; k++) realImages.set(digits.images.subarray(test[k]! * PIXELS, (test[k]! + 1) * PIXELS), k * PIXELS);
  const mean = new Float64Array(PIXELS);
  for (let r = 0; r < train.length; r++) for (let i = 0; i < PIXELS; i++) mean[i]! += digits.images[train[r]! * PIXELS + i]! / train.length;
  const rng = new Philox(seed);
  const noise = Float32Array.from({ length: 1000 * PIXELS }, (_, k) => (rng.uniform(k, 0, 0, STREAM_USER_TS | 17) < mean[k % PIXELS]! ? 1 : 0));
  return { mlp, accuracy: right / test.length, real: recognise(mlp, realImages), noise: recognise(mlp, noise) };
}

/** The classifier's verdict on images (rows of PIXELS values in [0, 1]). */
export function recognise(mlp: Mlp, images: Float32Array): Recognised {
  const n = images.length / PIXELS, chunk = 500;
  const classes = new Array<number>(10).fill(0);
  let sure = 0;
  for (let s = 0; s < n; s += chunk) {
    const B = Math.min(chunk, n - s);
    const p = mlp.forward(images.subarray(s * PIXELS, (s + B) * PIXELS), B).data;
    for (let r = 0; r < B; r++) {
      let best = 0;
      for (let j = 1; j < 10; j++) if (p[r * 10 + j]! > p[r * 10 + best]!) best = j;
      classes[best]!++;
      if (p[r * 10 + best]! >= CONFIDENT) sure++;
    }
  }
  return { recognised: sure / n, classes };
}
