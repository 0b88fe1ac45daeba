// Trained weights of a rate-coded module, as a document the model carries:
// { "format": "hebb-weights", "version": 1, "kind": TYPE, "params": { NAME:
// { "rows", "cols", "data" } }, "about": {...} }, each matrix row-major as
// little-endian float32 in base64. The experiments that train a layer write
// one (vae-mnist: vae.weights.json, gan-mnist: generator.weights.json,
// rbm-mnist: rbm-METHOD.weights.json); a module takes it as "weights", in a
// model file by name (read relative to the file: resolveWeightFiles) or
// inline. What a module of each type takes, and its default sizes, are
// defined here, so that the validator can check a document against the
// module before anything is built; the layers in src/dense hold the same
// shapes (test/unit/registry.test.ts holds them equal).

import type { Issue } from '../core/errors.js';
import type { Module } from './schema.js';

export const WEIGHTS_FORMAT = 'hebb-weights';
export const WEIGHTS_VERSION = 1;

export interface WeightsMatrix { rows: number; cols: number; data: string }

export interface WeightsDocument {
  format: typeof WEIGHTS_FORMAT;
  version: typeof WEIGHTS_VERSION;
  kind: Module['type'];
  params: Record<string, WeightsMatrix>;
  /** How the weights were made (experiment, options, measured figures); free-form. */
  about?: Record<string, unknown>;
}

export interface ParamShape { name: string; rows: number; cols: number }

/** The hidden layer sizes of a module: as given, or the type's default (mlp none, vae [500], gan [256, 512, 1024]). */
export function moduleHidden(type: Module['type'], hidden: readonly number[] | undefined): number[] {
  if (hidden) return [...hidden];
  return type === 'vae' ? [500] : type === 'gan' ? [256, 512, 1024] : [];
}

/**
 * The parameters a module's layer has, in the layer's own names (its
 * params()), for an input population of nIn and an output one of nOut:
 * rbm: visible = input, hidden = output; mlp and gan generator: input ->
 * hidden... -> output; vae: a whole VAE of output pixels and input latent
 * dimensions (the module runs its decoder); lstm, rnn: output hidden units
 * and one readout.
 */
export function moduleParamShapes(type: Module['type'], nIn: number, nOut: number, hidden?: readonly number[]): ParamShape[] {
  const m = (name: string, rows: number, cols: number): ParamShape => ({ name, rows, cols });
  const h = moduleHidden(type, hidden);
  const stack = (prefix: string, sizes: number[]) => sizes.slice(1).flatMap((n, l) => [m(`${prefix}W${l + 1}`, sizes[l]!, n), m(`${prefix}b${l + 1}`, 1, n)]);
  switch (type) {
    case 'rbm': return [m('W', nIn, nOut), m('b', 1, nIn), m('c', 1, nOut)];
    case 'mlp': return stack('', [nIn, ...h, nOut]);
    case 'gan': return stack('G', [nIn, ...h, nOut]);
    case 'vae': {
      const nx = nOut, nh = h[0]!, nz = nIn;
      return [m('We', nx, nh), m('be', 1, nh), m('Wm', nh, nz), m('bm', 1, nz), m('Wv', nh, nz), m('bv', 1, nz), m('Wd', nz, nh), m('bd', 1, nh), m('Wo', nh, nx), m('bo', 1, nx)];
    }
    case 'lstm': case 'rnn': {
      const H = nOut, G = (type === 'lstm' ? 4 : 1) * H;
      return [m('W', H + nIn, G), m('b', 1, G), m('V', H, 1), m('c', 1, 1)];
    }
  }
}

/** A matrix as the document holds it. */
export function encodeMatrix(rows: number, cols: number, values: Float32Array): WeightsMatrix {
  if (values.length !== rows * cols) throw new RangeError(`a ${rows} x ${cols} matrix needs ${rows * cols} values (got ${values.length})`);
  const le = new Uint8Array(values.length * 4);
  const view = new DataView(le.buffer);
  values.forEach((v, k) => view.setFloat32(4 * k, v, true));
  return { rows, cols, data: Buffer.from(le).toString('base64') };
}

/** The values of a matrix the validator accepted. */
export function decodeMatrix(m: WeightsMatrix): Float32Array {
  const bytes = Buffer.from(m.data, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength >> 2 }, (_, k) => view.getFloat32(4 * k, true));
}

/** A document of named matrices. */
export function weightsDocument(kind: Module['type'], params: readonly { name: string; rows: number; cols: number; values: Float32Array }[], about?: Record<string, unknown>): WeightsDocument {
  const out: Record<string, WeightsMatrix> = {};
  for (const p of params) out[p.name] = encodeMatrix(p.rows, p.cols, p.values);
  return { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, kind, params: out, ...(about ? { about } : {}) };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * What is wrong with `doc` as the weights of a module of `type` whose layer
 * has the parameters `shapes` (moduleParamShapes); paths start at `at`.
 * `what` describes the module's sizes for the messages.
 */
export function weightsIssues(doc: unknown, at: string, type: Module['type'], shapes: readonly ParamShape[], what: string): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (typeof doc === 'string') {
    add(at, `a weights file name ("${doc.length > 80 ? `${doc.slice(0, 80)}...` : doc}") is read when the model is loaded from a file (hebb run MODEL.json, or resolveWeightFiles in code); here give the document itself`);
    return issues;
  }
  if (!isObject(doc)) {
    add(at, `expected a weights document ({ "format": "${WEIGHTS_FORMAT}", "version", "kind", "params" }) or, in a model file, the name of one`);
    return issues;
  }
  if (doc.format !== WEIGHTS_FORMAT) add(`${at}/format`, `expected "${WEIGHTS_FORMAT}" (got ${JSON.stringify(doc.format)?.slice(0, 40)})`);
  if (doc.version !== WEIGHTS_VERSION) add(`${at}/version`, `this hebb reads version ${WEIGHTS_VERSION} (got ${JSON.stringify(doc.version)?.slice(0, 40)})`);
  if (doc.kind !== type) add(`${at}/kind`, `the weights of ${typeof doc.kind === 'string' ? `a ${doc.kind.slice(0, 40)}` : 'no module type'} do not fit a ${type} module`);
  if (doc.about !== undefined && !isObject(doc.about)) add(`${at}/about`, 'expected an object');
  const params = doc.params;
  if (!isObject(params)) {
    add(`${at}/params`, 'expected an object of named matrices { "rows", "cols", "data" }');
    return issues;
  }
  if (issues.length) return issues;
  const wanted = new Set(shapes.map((s) => s.name));
  for (const name of Object.keys(params)) {
    if (!wanted.has(name)) add(`${at}/params/${name}`, `a ${type} module ${what} has no parameter "${name.slice(0, 40)}" (it has ${shapes.map((s) => s.name).join(', ')})`);
  }
  for (const s of shapes) {
    const p = params[s.name], path = `${at}/params/${s.name}`;
    if (p === undefined) { add(`${at}/params`, `missing "${s.name}" (${s.rows} x ${s.cols}) of a ${type} module ${what}`); continue; }
    if (!isObject(p)) { add(path, 'expected { "rows", "cols", "data" }'); continue; }
    if (p.rows !== s.rows || p.cols !== s.cols) {
      add(path, `${JSON.stringify(p.rows)} x ${JSON.stringify(p.cols)} in the document; a ${type} module ${what} needs ${s.rows} x ${s.cols}`);
      continue;
    }
    const data = p.data;
    const bytes = 4 * s.rows * s.cols;
    if (typeof data !== 'string' || data.length % 4 !== 0 || !BASE64.test(data)) { add(`${path}/data`, 'expected base64 (little-endian float32, row-major)'); continue; }
    const got = (data.length / 4) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
    if (got !== bytes) { add(`${path}/data`, `expected ${bytes} bytes (${s.rows} x ${s.cols} float32) in base64 (got ${got})`); continue; }
    const values = decodeMatrix(p as unknown as WeightsMatrix);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) add(`${path}/data`, `value ${bad} (row ${Math.floor(bad / s.cols)}, column ${bad % s.cols}) is ${values[bad]}: weights must be finite`);
  }
  return issues;
}
