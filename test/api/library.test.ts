// hebb as a library, imported by its package name as a user imports it
// (the package's exports, i.e. the compiled dist/), and the README's
// "Use it from code" example run as it is written.

import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { validateModel, loadPreset, Simulation, MemoryRecording, ModelError, UsageError, NEURON_MODELS, EXPERIMENTS, readSpikeFile, runModel, Dense, Rbm, saveWeights, loadWeights, aisLogZ, aisLogZThreads, exactLogZ } from 'hebb';
import { decodeFrame, encodeFrame, PROTOCOL_VERSION } from 'hebb/protocol';
import { buildApp } from 'hebb/server';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const root = join(import.meta.dirname, '..', '..');

describe('import from "hebb"', () => {
  it('builds a model, runs it in steps, reads and sets state through handles, and records into memory', () => {
    const sim = new Simulation(validateModel({ ...(loadPreset('cuba') as object), duration: 50 }));
    const recording = new MemoryRecording(sim.network.populations);
    expect(sim.run({ steps: 200, sink: recording })).toBe(200);
    expect(sim.step).toBe(200);
    const exc = sim.population('exc');
    const counts = exc.spikeCounts();
    expect(counts.reduce((a, b) => a + b, 0)).toBe(recording.spikes('exc').times.length);
    exc.setState('v', new Float64Array(exc.size).fill(-55.5));
    const v = exc.state('v');
    expect(Math.max(...v) - Math.min(...v)).toBeLessThan(1e-4);
    expect(sim.projection('exc->inh').weights().length).toBe(sim.projection('exc->inh').synapses);
  });

  it('refuses mistakes with typed errors that name them', () => {
    const sim = new Simulation(validateModel({ ...(loadPreset('cuba') as object), duration: 1 }));
    expect(() => sim.population('exx')).toThrow(UsageError);
    expect(() => sim.population('exx')).toThrow('no population named "exx" (did you mean "exc"?)');
    expect(() => sim.population('exc').state('w')).toThrow(/lif has no variable "w"/);
    expect(() => sim.population('exc').setState('v', [1, 2])).toThrow(/needs one value per neuron: 3200 \(got 2\)/);
    expect(() => sim.population('exc').setRates([1])).toThrow(/this needs a poisson population/);
    expect(() => validateModel({ populations: [] })).toThrow(ModelError);
  });

  it('lists the registries and serves the protocol and the server as subpaths', async () => {
    expect(NEURON_MODELS.map((m) => m.name)).toEqual(expect.arrayContaining(['lif', 'adex', 'hh']));
    expect(Object.keys(EXPERIMENTS)).toContain('stdp-window');
    expect(decodeFrame(encodeFrame({ type: 'error', code: 'x', message: 'y' }))).toEqual({ type: 'error', code: 'x', message: 'y' });
    expect(PROTOCOL_VERSION).toBeGreaterThan(0);
    const app = await buildApp();
    expect((await app.inject({ url: '/api/presets' })).statusCode).toBe(200);
    await app.close();
  });

  it('runs a model to files and reads the spike file back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hebb-lib-'));
    const { summary } = await runModel(validateModel({ ...(loadPreset('cuba') as object), duration: 20 }), { outDir: dir });
    const spikes = readSpikeFile(join(dir, 'spikes.msgpack'));
    expect(spikes.populations.exc!.times.length).toBe(summary.populations.exc!.spikes);
    expect(() => readSpikeFile(join(dir, 'summary.json'))).toThrow(/not a hebb spike file/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('estimates a saved RBM\'s log Z again: weights document in, AIS on two threads equal to one, near the exact value', async () => {
    const trained = new Rbm(new Dense(), 20, 10, 3);
    trained.W.set(Float32Array.from({ length: 200 }, (_, k) => Math.sin(k * 0.7)));
    const doc = JSON.parse(JSON.stringify(saveWeights('rbm', trained.params())));
    const dense = new Dense();
    dense.setSeed(5);
    const rbm = new Rbm(dense, 20, 10, 9);
    loadWeights(rbm.params(), doc);
    expect(rbm.W.toArray()).toEqual(trained.W.toArray());
    const o = { betas: 2000, runs: 50, seed: 2, baseBias: new Float32Array(20) };
    const two = await aisLogZThreads(rbm, o, 2);
    expect(two).toEqual(aisLogZ(rbm, o));
    expect(Math.abs(two.logZ - exactLogZ(rbm))).toBeLessThan(0.1);
  });

  it('runs the README\'s "Use it from code" example as written, and prints what the README says', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const at = readme.indexOf('## Use it from code');
    expect(at).toBeGreaterThan(0);
    const code = /```js\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
    const printed = /prints\n\n```text\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
    // Inside the package, so that 'hebb' resolves to it as it would for a user.
    const file = join(root, `.readme-example-${process.pid}.mjs`);
    writeFileSync(file, code);
    try {
      expect(execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8' })).toBe(printed);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
