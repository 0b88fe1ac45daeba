// Minibatches of digits: rows of the data in a given order, either as they
// are (grey levels) or binarised afresh, each value v becoming 1 with
// probability v by a draw keyed by the row, the value, the epoch and a lane
// (so that every model's binarisation is its own and reproducible).

import type { Philox } from '../core/philox.js';
import type { Dense } from '../kernel/dense.js';

export interface Binarize { rng: Philox; epoch: number; lane: number; stream: number }

/**
 * Rows order[start .. start + B) of data (rows of n values) into x (B x n).
 * With `dense`, the kernel draws the binarisation (the same bits, about ten
 * times faster than the host's Philox twin).
 */
export function gatherRows(data: Float32Array, n: number, order: ArrayLike<number>, start: number, B: number, x: Float32Array, binarize?: Binarize, dense?: Dense): void {
  for (let r = 0; r < B; r++) {
    const k = order[start + r]!;
    if (!binarize || dense) { x.set(data.subarray(k * n, (k + 1) * n), r * n); continue; }
    const { rng, epoch, lane, stream } = binarize;
    for (let i = 0; i < n; i++) x[r * n + i] = rng.uniform(k * n + i, epoch, lane, stream) < data[k * n + i]! ? 1 : 0;
  }
  if (binarize && dense) {
    const bases = Array.from({ length: B }, (_, r) => order[start + r]! * n);
    dense.binarizeRows(x, n, bases, binarize.rng.key, binarize.epoch, binarize.lane, binarize.stream);
  }
}
