// Trained weights into rate-coded modules: the shapes the model format
// defines for each module type are the layers' own, a document written from
// one layer loads bit for bit into a module and the module then computes
// what the layer computes, bad documents are refused with the path of what
// is wrong, and a model file names a weights file relative to itself.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { validateModel } from '../../src/model/validate.js';
import { loadModelSource, resolveWeightFiles } from '../../src/model/load.js';
import { moduleParamShapes, weightsDocument, encodeMatrix, decodeMatrix, type WeightsDocument } from '../../src/model/weights.js';
import { MODULE_TYPES, type Module } from '../../src/model/schema.js';
import { saveWeights, loadWeights } from '../../src/dense/weights.js';
import { Simulation } from '../../src/sim/simulation.js';
import { Dense } from '../../src/kernel/dense.js';
import { Vae } from '../../src/dense/vae.js';
import { ModelError } from '../../src/core/errors.js';
import type { Param } from '../../src/dense/optim.js';
import type { RateModule } from '../../src/modules/runtime.js';

const SIZES = { in: 6, out: 10 };

function moduleModel(type: Module['type'], extra: Record<string, unknown> = {}) {
  const hidden = type === 'mlp' || type === 'gan' ? { hidden: [7, 5] } : type === 'vae' ? { hidden: [9] } : {};
  return {
    dt: 0.1, duration: 10, seed: 3,
    populations: [{ name: 'in', size: SIZES.in, model: 'poisson', params: { rate: 10 } }, { name: 'out', size: SIZES.out, model: 'poisson', params: { rate: 0 } }],
    modules: [{ name: 'm', type, input: 'in', output: 'out', interval: 1, ...hidden, ...extra }],
  };
}

function layerParams(m: RateModule): Param[] {
  if (m.rbm) return m.rbm.params();
  if (m.mlp) return m.mlp.params();
  if (m.vae) return m.vae.params();
  if (m.gan) return m.gan.G.params('G');
  return m.recurrent!.params();
}

const issuesOf = (model: unknown) => {
  try { validateModel(model); } catch (e) { if (e instanceof ModelError) return e.issues; throw e; }
  return [];
};

describe('module weights', () => {
  it.each(MODULE_TYPES.map((t) => [t]))('%s: the model format names the layer\'s own parameters and shapes', (type) => {
    const model = validateModel(moduleModel(type));
    const sim = new Simulation(model);
    const got = layerParams(sim.modules[0]!).map((p) => ({ name: p.name, rows: p.w.rows, cols: p.w.cols }));
    expect(got).toEqual(moduleParamShapes(type, SIZES.in, SIZES.out, model.modules![0]!.hidden));
    sim.close();
  });

  it.each(MODULE_TYPES.map((t) => [t]))('%s: a document saved from one layer loads bit for bit into a module', (type) => {
    // The source: the same module with another seed, so its weights differ from the target's.
    const source = new Simulation(validateModel(moduleModel(type, { seed: 77 })));
    const from = layerParams(source.modules[0]!);
    const doc = JSON.parse(JSON.stringify(saveWeights(type, from))) as WeightsDocument;
    const sim = new Simulation(validateModel(moduleModel(type, { weights: doc })));
    const to = layerParams(sim.modules[0]!);
    const fresh = layerParams(new Simulation(validateModel(moduleModel(type))).modules[0]!);
    to.forEach((p, k) => {
      expect(p.w.toArray()).toEqual(from[k]!.w.toArray());
      // Not what the module would start from by itself.
      if (p.w.rows > 1) expect(p.w.toArray()).not.toEqual(fresh[k]!.w.toArray());
    });
    source.close(); sim.close();
  });

  it('a VAE module with loaded weights decodes what the trained VAE decodes', () => {
    const dense = new Dense();
    const vae = new Vae(dense, SIZES.out, 9, SIZES.in, 5);
    // Weights of some size (a trained VAE's are not near 0 either).
    for (const p of vae.params()) p.w.set(p.w.toArray().map((v, k) => v * 3 + Math.sin(k) * 0.1));
    const sim = new Simulation(validateModel(moduleModel('vae', { weights: saveWeights('vae', vae.params()) })));
    const z = Float32Array.from({ length: 3 * SIZES.in }, (_, k) => Math.cos(k));
    expect(sim.modules[0]!.vae!.decodeProbs(z, 3)).toEqual(vae.decodeProbs(z, 3));
    sim.close();
  });

  it('matrices keep every float32 bit through base64, little-endian', () => {
    const v = new Float32Array([0, -0, 1.5, -2.25e-38, 3.4028234663852886e38, 1e-45, Math.PI]);
    const m = encodeMatrix(1, v.length, v);
    expect(Buffer.from(m.data, 'base64').readFloatLE(8)).toBe(1.5);
    expect(Array.from(decodeMatrix(m)).map((x) => Object.is(x, -0) ? '-0' : x)).toEqual(Array.from(v).map((x) => Object.is(x, -0) ? '-0' : x));
    expect(() => encodeMatrix(2, 2, v)).toThrow(/needs 4 values/);
  });

  it('refuses documents that do not fit, with the path of what is wrong', () => {
    const shapes = moduleParamShapes('rbm', SIZES.in, SIZES.out);
    const good = () => weightsDocument('rbm', shapes.map((s) => ({ ...s, values: new Float32Array(s.rows * s.cols).fill(0.5) })));
    expect(issuesOf(moduleModel('rbm', { weights: good() }))).toEqual([]);
    const cases: [string, (d: Record<string, any>) => unknown, string, RegExp][] = [
      ['wrong kind', (d) => { d.kind = 'mlp'; }, '/modules/0/weights/kind', /weights of a mlp do not fit a rbm module/],
      ['wrong format', (d) => { d.format = 'npz'; }, '/modules/0/weights/format', /expected "hebb-weights"/],
      ['newer version', (d) => { d.version = 2; }, '/modules/0/weights/version', /reads version 1 \(got 2\)/],
      ['missing matrix', (d) => { delete d.params.c; }, '/modules/0/weights/params', /missing "c" \(1 x 10\)/],
      ['extra matrix', (d) => { d.params.V = d.params.c; }, '/modules/0/weights/params/V', /has no parameter "V" \(it has W, b, c\)/],
      ['wrong shape', (d) => { d.params.W = encodeMatrix(10, 6, new Float32Array(60)); }, '/modules/0/weights/params/W', /10 x 6 in the document; a rbm module from "in" \(6\) to "out" \(10\) needs 6 x 10/],
      ['short data', (d) => { d.params.c.data = d.params.c.data.slice(0, 8); }, '/modules/0/weights/params/c/data', /expected 40 bytes/],
      ['not base64', (d) => { d.params.c.data = '****'; }, '/modules/0/weights/params/c/data', /expected base64/],
      ['not finite', (d) => { d.params.b = encodeMatrix(1, 6, new Float32Array([0, 0, NaN, 0, 0, 0])); }, '/modules/0/weights/params/b/data', /value 2 \(row 0, column 2\) is NaN/],
      ['not an object', (d) => 42, '/modules/0/weights', /expected a weights document/],
      ['a file name', () => 'trained.weights.json', '/modules/0/weights', /read when the model is loaded from a file/],
    ];
    for (const [what, change, path, message] of cases) {
      const d = good() as unknown as Record<string, any>;
      const replaced = change(d);
      const issues = issuesOf(moduleModel('rbm', { weights: replaced === undefined ? d : replaced }));
      expect(issues.length, what).toBeGreaterThan(0);
      expect(issues[0]!.path, what).toBe(path);
      expect(issues[0]!.message, what).toMatch(message);
    }
    // A VAE's hidden size is part of what the document must fit.
    const vaeDoc = saveWeights('vae', new Vae(new Dense(), SIZES.out, 9, SIZES.in, 1).params());
    expect(issuesOf(moduleModel('vae', { weights: vaeDoc }))).toEqual([]);
    expect(issuesOf(moduleModel('vae', { weights: vaeDoc, hidden: [8] }))[0]!.message).toMatch(/hidden \[8\] needs 10 x 8/);
    // Loading by hand names the misfit too.
    expect(() => loadWeights(new Vae(new Dense(), SIZES.out, 8, SIZES.in, 1).params(), vaeDoc)).toThrow(/"We" is 10 x 9 in the weights document; the layer's is 10 x 8/);
  });

  it('a model file names its weights file relative to itself; the command line reads it, or says which file it could not read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hebb-weights-'));
    mkdirSync(join(dir, 'trained'));
    const shapes = moduleParamShapes('rbm', SIZES.in, SIZES.out);
    const doc = weightsDocument('rbm', shapes.map((s) => ({ ...s, values: Float32Array.from({ length: s.rows * s.cols }, (_, k) => (k % 7) / 7 - 0.5) })));
    writeFileSync(join(dir, 'trained', 'rbm.weights.json'), JSON.stringify(doc));
    const file = join(dir, 'model.json');
    writeFileSync(file, JSON.stringify(moduleModel('rbm', { weights: 'trained/rbm.weights.json' })));
    const { model, dir: base } = loadModelSource(file);
    const valid = validateModel(resolveWeightFiles(model, base));
    const sim = new Simulation(valid);
    expect(sim.modules[0]!.rbm!.W.toArray()).toEqual(decodeMatrix(doc.params.W!));
    sim.close();
    // From another working directory, through the command line.
    const cli = join(process.cwd(), 'bin', 'hebb.js');
    const ok = spawnSync(process.execPath, [cli, 'validate', file], { cwd: tmpdir(), encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    writeFileSync(file, JSON.stringify(moduleModel('rbm', { weights: 'trained/missing.json' })));
    const bad = spawnSync(process.execPath, [cli, 'run', file, '--out', join(dir, 'out')], { cwd: tmpdir(), encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/\/modules\/0\/weights: cannot read the weights file .*trained\/missing\.json \(ENOENT\)/);
    writeFileSync(join(dir, 'trained', 'broken.json'), '{"format": ');
    writeFileSync(file, JSON.stringify(moduleModel('rbm', { weights: 'trained/broken.json' })));
    const broken = spawnSync(process.execPath, [cli, 'validate', file], { cwd: tmpdir(), encoding: 'utf8' });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/\/modules\/0\/weights: the weights file .*broken\.json is not valid JSON/);
  });
});
