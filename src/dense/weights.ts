// A layer's parameters to and from a weights document (src/model/weights.ts):
// what the experiments write after training and what a module loads.

import type { Module } from '../model/schema.js';
import { weightsDocument, decodeMatrix, type WeightsDocument } from '../model/weights.js';
import type { Param } from './optim.js';

/** The document of a layer's parameters (its params(), in their names). */
export function saveWeights(kind: Module['type'], params: readonly Pick<Param, 'name' | 'w'>[], about?: Record<string, unknown>): WeightsDocument {
  return weightsDocument(kind, params.map((p) => ({ name: p.name, rows: p.w.rows, cols: p.w.cols, values: p.w.toArray() })), about);
}

/**
 * Sets a layer's parameters from a document that names each of them with
 * its shape (the model validator checks a module's document first; code that
 * loads one itself gets a RangeError naming what does not fit).
 */
export function loadWeights(params: readonly Pick<Param, 'name' | 'w'>[], doc: WeightsDocument): void {
  for (const p of params) {
    const m = doc.params[p.name];
    if (!m) throw new RangeError(`the weights document has no "${p.name}" (${p.w.rows} x ${p.w.cols})`);
    if (m.rows !== p.w.rows || m.cols !== p.w.cols) throw new RangeError(`"${p.name}" is ${m.rows} x ${m.cols} in the weights document; the layer's is ${p.w.rows} x ${p.w.cols}`);
    const values = decodeMatrix(m);
    if (values.length !== m.rows * m.cols) throw new RangeError(`"${p.name}" holds ${values.length} values, not ${m.rows} x ${m.cols}`);
    p.w.set(values);
  }
}
