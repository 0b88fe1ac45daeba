// Patterns of binary populations (random, listed, or MNIST digits) and the
// couplings learned from them. Patterns are held as +-1 (f32, P x N): a 01
// population maps 0 to -1, as Hopfield's V = (s + 1)/2.

import { ModelError } from '../core/errors.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';
import { loadDigits, image, PIXELS } from '../data/mnist.js';
import type { Patterns } from '../model/neurons/index.js';

export function makePatterns(spec: Patterns, n: number, values01: boolean, seed: number, popIndex: number): Float32Array {
  if ('list' in spec) {
    const out = new Float32Array(spec.list.length * n);
    spec.list.forEach((e, mu) => e.forEach((x, i) => { out[mu * n + i] = values01 ? 2 * x - 1 : x; }));
    return out;
  }
  if ('random' in spec) {
    const rng = new Philox(seed);
    const p = spec.random.p_on ?? 0.5;
    const out = new Float32Array(spec.random.count * n);
    // Pattern mu, unit i: draw (i, mu, population), so patterns do not depend on each other's sizes.
    for (let mu = 0; mu < spec.random.count; mu++) {
      for (let i = 0; i < n; i++) out[mu * n + i] = rng.uniform(i, mu, popIndex, STREAM_USER_TS | 1) < p ? 1 : -1;
    }
    return out;
  }
  const digits = loadDigits();
  const classes = spec.mnist.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const threshold = spec.mnist.binarize ?? 0.5;
  const out = new Float32Array(spec.mnist.count * PIXELS);
  const used = new Map<number, number>();
  for (let mu = 0; mu < spec.mnist.count; mu++) {
    // The next unused image of the next class in turn.
    const label = classes[mu % classes.length]!;
    let k = used.get(label) ?? 0;
    let index = -1;
    for (let q = 0; q < digits.count; q++) {
      if (digits.labels[q] === label && k-- === 0) { index = q; break; }
    }
    if (index < 0) throw new ModelError([{ path: `/populations/${popIndex}/patterns/mnist/count`, message: `the digits hebb ships hold ${used.get(label) ?? 0} images of digit ${label}; ask for fewer patterns` }]);
    used.set(label, (used.get(label) ?? 0) + 1);
    const img = image(digits, index);
    for (let i = 0; i < PIXELS; i++) out[mu * PIXELS + i] = img[i]! > threshold ? 1 : -1;
  }
  return out;
}

/**
 * Storkey (1997) learning rule, pattern by pattern:
 *   w_ij += (1/N) (e_i e_j - e_i h_ji - h_ij e_j),  h_ij = sum_{k != i, j} w_ik e_k,
 * zero diagonal. Returns the dense N x N matrix (f64).
 */
export function storkeyWeights(patterns: Float32Array, n: number): Float64Array {
  const p = patterns.length / n;
  const w = new Float64Array(n * n);
  const h = new Float64Array(n);
  for (let mu = 0; mu < p; mu++) {
    const e = patterns.subarray(mu * n, (mu + 1) * n);
    // h_i = sum_k w_ik e_k (the diagonal is zero).
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let k = 0; k < n; k++) s += w[row + k]! * e[k]!;
      h[i] = s;
    }
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        // h_ij = h_i - w_ij e_j (minus w_ii e_i = 0); h_ji = h_j - w_ji e_i.
        const hij = h[i]! - w[row + j]! * e[j]!;
        const hji = h[j]! - w[j * n + i]! * e[i]!;
        w[row + j]! += (e[i]! * e[j]! - e[i]! * hji - hij * e[j]!) / n;
      }
    }
  }
  return w;
}
