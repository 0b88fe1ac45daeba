// Checkpoints: a run of 2T equals a run of T, saved, loaded and run T more,
// spike for spike and weight for weight; bad files are refused with a reason.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateModel } from '../../src/model/validate.js';
import { Simulation } from '../../src/sim/simulation.js';
import { saveCheckpoint, loadCheckpoint } from '../../src/sim/checkpoint-file.js';
import { loadPreset } from '../../src/model/load.js';
import { smallBrunel } from '../support/presets.js';
import { FileFormatError } from '../../src/core/errors.js';
import { recordingSink } from '../../src/sim/recording.js';

function collect(sim: Simulation, steps: number): { t: number[]; id: number[] } {
  const out = { t: [] as number[], id: [] as number[] };
  sim.run({ steps, sink: recordingSink({ spikes: (c) => { out.t.push(...c.times); out.id.push(...c.ids); } }) });
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'hebb-ckpt-'));


const MODELS: [string, object, number][] = [
  ['cuba (clock-driven, delays in flight)', loadPreset('cuba') as object, 2000],
  ['song2000 (Poisson sources, plastic weights)', loadPreset('song2000') as object, 20000],
  ['brunel (lif_delta, external Poisson drive)', smallBrunel(400, 100, 40, 10), 2000],
  ['triplet STDP, heterogeneous delays', {
    seed: 3, dt: 0.1,
    populations: [
      { name: 'in', size: 200, model: 'poisson', params: { rate: 20 } },
      { name: 'n', size: 20, model: 'lif', params: { tau_m: 20, c_m: 250, v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 2, tau_syn_e: 5, theta_plus: 0.2, tau_theta: 500 } },
    ],
    projections: [
      { name: 'p', from: 'in', to: 'n', connect: { rule: 'fixed_probability', p: 0.3 }, weight: { uniform: [0, 2] }, delay: 2, receptor: 'exc', plasticity: { rule: 'triplet', w_max: 2, a3_plus: 0.05, a2_minus: 0.05 } },
      { name: 'rec', from: 'n', to: 'n', connect: { rule: 'fixed_probability', p: 0.2 }, weight: -1, delay: { uniform: [0.5, 5] }, receptor: 'inh' },
    ],
  }, 3000],
  ['Boltzmann units, poisson order, annealing', {
    seed: 4, dt: 1,
    populations: [{ name: 'b', size: 30, model: 'binary', params: { values: '01', dynamics: 'heat_bath', update: 'poisson', rate: 300, temperature: 2, temperature_schedule: { times: [50, 120], values: [1, 0.7] } }, init: { bias: { normal: [0.5, 0.5] } } }],
    projections: [{ from: 'b', to: 'b', connect: { rule: 'all_to_all', allow_autapses: false }, weight: -0.05 }],
  }, 100],
  ['Ising lattice (fast path), Metropolis', {
    seed: 5, dt: 1,
    populations: [{ name: 's', size: 1024, model: 'binary', params: { dynamics: 'metropolis', update: 'typewriter', temperature: 2.3, sweeps_per_step: 0.7 } }],
    projections: [{ from: 's', to: 's', connect: { rule: 'lattice', shape: [32, 32] }, weight: 1 }],
  }, 100],
  ['Hopfield, random sequential order', {
    seed: 6, dt: 1,
    populations: [{ name: 'h', size: 200, model: 'binary', params: { sweeps_per_step: 0.1 }, patterns: { random: { count: 10 } }, init: { state: { pattern: 1, flip: 0.4 } } }],
    projections: [{ from: 'h', to: 'h', connect: { rule: 'all_to_all', allow_autapses: false }, learn: 'hebbian' }],
  }, 15],
];

describe('checkpoints', () => {
  it.each(MODELS)('%s: T + save + load + T equals 2T', (_name, model, steps) => {
    const valid = validateModel(model);
    const straight = new Simulation(valid);
    collect(straight, steps);
    const second = collect(straight, steps);

    const first = new Simulation(valid);
    collect(first, steps);
    const file = join(dir, 'state.ckpt');
    saveCheckpoint(first, file);
    const resumed = new Simulation(valid);
    loadCheckpoint(resumed, file);
    expect(resumed.step).toBe(steps);
    const again = collect(resumed, steps);

    expect(again.t.length).toBeGreaterThan(0);
    expect(again).toEqual(second);
    for (const p of straight.network.projections) expect(resumed.projection(p.name).weights()).toEqual(straight.projection(p.name).weights());
    for (const p of straight.network.populations.filter((q) => q.model === 'binary')) {
      const [r, s] = [resumed.population(p.name), straight.population(p.name)];
      expect(r.binaryStates()).toEqual(s.binaryStates());
      expect(r.energy()).toBe(s.energy());
      expect(r.binaryCounts()).toEqual(s.binaryCounts());
    }
  }, 60_000);

  // Rate-coded modules: an LSTM whose h and C carry over, read through a
  // count window of three intervals; an RBM read through an exponential
  // filter, whose weights the user's code set before the run (a fresh
  // network starts from other, random ones: only the checkpoint brings them).
  const modular = validateModel({
    seed: 7, dt: 0.1,
    populations: [
      { name: 'in', size: 40, model: 'poisson', params: { rate: 30 } },
      { name: 'mid', size: 30, model: 'lif', params: { tau_m: 10, v_thresh: -55, v_reset: -70, v_rest: -70, c_m: 250, t_ref: 2 } },
      { name: 'seq', size: 12, model: 'poisson', params: { rate: 0 } },
      { name: 'code', size: 16, model: 'poisson', params: { rate: 0 } },
    ],
    projections: [{ from: 'in', to: 'mid', connect: { rule: 'fixed_probability', p: 0.5 }, weight: 60, delay: 1 }],
    modules: [
      { name: 'lstm', type: 'lstm', input: 'mid', output: 'seq', interval: 10, encoder: { kind: 'count', window: 30 }, input_scale: 50, max_rate: 100 },
      { name: 'rbm', type: 'rbm', input: 'in', output: 'code', interval: 5, encoder: { kind: 'exponential', tau: 20 }, input_scale: 60, max_rate: 150 },
    ],
  });
  const trained = (sim: Simulation) => {
    const rbm = sim.modules[1]!.rbm!;
    rbm.W.set(Float32Array.from({ length: rbm.nv * rbm.nh }, (_, k) => Math.sin(k) * 0.8));
    rbm.c.set(Float32Array.from({ length: rbm.nh }, (_, j) => (j % 3) - 1));
    return sim;
  };
  const runWithModules = (sim: Simulation, steps: number) => {
    const out = { t: [] as number[], id: [] as number[], modules: [] as number[] };
    sim.run({ steps, sink: recordingSink({ spikes: (c) => { out.t.push(...c.times); out.id.push(...c.ids); }, modules: (m) => out.modules.push(m.tMs, ...m.input, ...m.activity) }) });
    return out;
  };

  it('rate-coded modules: T + save + load + T equals 2T (weights set by code, LSTM state, count windows, exponential filter)', () => {
    const steps = 1234;  // not a multiple of either interval: the windows are mid-way
    const straight = trained(new Simulation(modular));
    runWithModules(straight, steps);
    const second = runWithModules(straight, steps);
    const first = trained(new Simulation(modular));
    runWithModules(first, steps);
    const file = join(dir, 'modules.ckpt');
    saveCheckpoint(first, file);
    const resumed = new Simulation(modular);
    loadCheckpoint(resumed, file);
    const again = runWithModules(resumed, steps);
    expect(second.t.length).toBeGreaterThan(100);
    expect(second.modules.length).toBeGreaterThan(0);
    expect(again).toEqual(second);
    expect(resumed.modules[1]!.rbm!.W.toArray()).toEqual(straight.modules[1]!.rbm!.W.toArray());
    // Without the checkpoint's module part the continuation differs: the test can tell.
    const bare = new Simulation(modular);
    runWithModules(bare, steps);
    expect(runWithModules(bare, steps).modules).not.toEqual(second.modules);
  }, 60_000);

  it('rate-coded modules: a state whose module part does not fit is refused before anything changes', () => {
    const sim = trained(new Simulation(modular));
    runWithModules(sim, 500);
    const bytes = sim.saveState();
    const fresh = new Simulation(modular);
    const w = fresh.modules[1]!.rbm!.W.toArray();
    expect(fresh.loadState(bytes.subarray(0, bytes.length - 8))).toBe(false);
    // The LSTM's encoder keeps at most 3 windows: a count of 9 cannot be its.
    const lstmAt = bytes.length - sim.modules[1]!.stateBytes - sim.modules[0]!.stateBytes;
    const encoderAt = lstmAt + sim.modules[0]!.stateBytes - 8 * (1 + (2 + 3) * 30);
    const bad = Uint8Array.from(bytes);
    new DataView(bad.buffer).setFloat64(encoderAt, 9, true);
    expect(fresh.loadState(bad)).toBe(false);
    expect(fresh.step).toBe(0);
    expect(fresh.modules[1]!.rbm!.W.toArray()).toEqual(w);
    expect(fresh.loadState(bytes)).toBe(true);
    expect(fresh.step).toBe(500);
  });

  it('refuses a truncated, corrupted or foreign file, and a checkpoint of another model', () => {
    const model = validateModel({ ...(loadPreset('poisson-lif') as object) });
    const sim = new Simulation(model);
    sim.run({ steps: 100 });
    const file = join(dir, 'good.ckpt');
    saveCheckpoint(sim, file);
    const bytes = readFileSync(file);
    const expectRefused = (data: Uint8Array, message: RegExp, m = model) => {
      const f = join(dir, 'bad.ckpt');
      writeFileSync(f, data);
      expect(() => loadCheckpoint(new Simulation(m), f)).toThrow(FileFormatError);
      expect(() => loadCheckpoint(new Simulation(m), f)).toThrow(message);
    };
    expectRefused(bytes.subarray(0, bytes.length - 10), /truncated: \d+ bytes expected, \d+ found/);
    expectRefused(Buffer.concat([bytes, Buffer.from('extra')]), /^.*: 5 bytes follow the end of the checkpoint/);
    // The header is covered by the checksum too: a changed time is refused.
    const head = bytes.readUInt32LE(8);
    const forged = Buffer.from(bytes.toString('latin1', 0, 12 + head).replace(/"t_ms":[0-9.]+/, (m) => m.replace(/\d/, (d) => String((Number(d) + 1) % 10))), 'latin1');
    expectRefused(Buffer.concat([forged, bytes.subarray(12 + head)]), /corrupted: the checksum does not match/);
    // A file of the previous layout is named by its version.
    const older = Buffer.from(bytes.toString('latin1', 0, 12 + head).replace('"version":7', '"version":5'), 'latin1');
    expectRefused(Buffer.concat([older, bytes.subarray(12 + head)]), /checkpoint version 5; this hebb reads versions 6 and 7/);
    const nullHeader = Buffer.concat([Buffer.from('HEBBCKPT', 'latin1'), Buffer.from([4, 0, 0, 0]), Buffer.from('null')]);
    expectRefused(nullHeader, /corrupted header \(not a JSON object\)/);
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 5]! ^= 0xff;
    expectRefused(flipped, /corrupted: the checksum/);
    expectRefused(new TextEncoder().encode('{"populations": []}'), /not a hebb checkpoint/);
    expectRefused(bytes, /saved from a different model/, validateModel({ ...(loadPreset('poisson-lif') as object), seed: 2 }));
    expect(() => loadCheckpoint(new Simulation(model), join(dir, 'missing.ckpt'))).toThrow(/cannot read the checkpoint \(ENOENT\)/);
  });
});
