// A linear classifier (softmax regression: an MLP without hidden layers,
// Adam, 20 epochs) on features of the digits: how the experiments compare a
// model's representation with the raw pixels.

import { Dense } from '../kernel/dense.js';
import { Mlp } from '../dense/mlp.js';
import { permutation } from '../data/mnist.js';

/** Held-out accuracy of a linear classifier trained on rows trainRows of data (rows x dim), tested on testRows. */
export function linearAccuracy(data: Float32Array, dim: number, labels: ArrayLike<number>, trainRows: ArrayLike<number>, testRows: ArrayLike<number>, seed: number): number {
  const clf = new Mlp(new Dense(), [dim, 10], 'relu', seed);
  const opt = clf.optimizer({ kind: 'adam', lr: 0.001 });
  const y = Uint8Array.from(labels);
  for (let e = 1; e <= 20; e++) clf.trainEpoch(data, y, Array.from(permutation(trainRows.length, seed * 400 + e), (i) => trainRows[i]!), opt, 32);
  const pred = clf.predict(data, testRows);
  let right = 0;
  for (let k = 0; k < testRows.length; k++) if (pred[k] === y[testRows[k]!]) right++;
  return right / testRows.length;
}
