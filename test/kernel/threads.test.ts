// Threads: the same model and seed give bit-identical spikes (and state)
// on 1, 2, 3 and 4 threads, and with rows read in blocks or one by one, for every kind of population and projection the
// threaded step splits or leaves to thread 0; a checkpoint written with two
// threads loads with one and goes on as if never split.
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateModel } from '../../src/model/validate.js';
import { Simulation, defaultThreads } from '../../src/sim/simulation.js';
import { availableParallelism } from 'node:os';
import { saveCheckpoint, loadCheckpoint } from '../../src/sim/checkpoint-file.js';
import { loadPreset } from '../../src/model/load.js';
import { smallBrunel } from '../support/presets.js';
import { recordingSink } from '../../src/sim/recording.js';
import { UsageError } from '../../src/core/errors.js';

interface Run { t: number[]; id: number[]; v: number[]; w: number[]; count?: number[]; events?: number[] }

// blocks: every projection reads its rows in blocks of spikes (the path
// that large networks take: transmission.ts), whatever its size.
// perSynapse: projections whose synapses share one weight read it per
// synapse anyway (the path they took before that shortcut).
function run(model: object, threads: number, steps: number, blocks = false, perSynapse = false): Run {
  const sim = new Simulation(validateModel(model), { threads });
  try {
    expect(sim.kernel.threads).toBe(threads);
    if (blocks) sim.kernel.setRowBlockBytes(0);
    if (perSynapse) sim.kernel.setUniformWeights(false);
    const out: Run = { t: [], id: [], v: [], w: [] };
    sim.run({ steps, sink: recordingSink({ spikes: (c) => { out.t.push(...c.times); out.id.push(...c.ids); } }) });
    for (const p of sim.populations) if (p.variables.includes('v')) for (const x of p.state('v')) out.v.push(x);
    // Spike counts per neuron (on threads, each neuron's own thread counts it).
    out.count = sim.populations.flatMap((p) => (p.variables.includes('count') ? Array.from(p.state('count')) : []));
    // Synaptic events per projection and in all (thread 0 counts them apart and adds them after each call).
    out.events = [...sim.projections.map((p) => p.events), sim.summary().synaptic_events];
    for (const p of sim.projections) for (const x of p.weights()) out.w.push(x);
    return out;
  } finally {
    sim.close();
  }
}

function scaled(name: string, duration: number): object {
  return { ...(loadPreset(name) as object), duration };
}


const lif = { tau_m: 20, c_m: 250, v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 2, tau_syn_e: 5, tau_syn_i: 10 };

const MODELS: [string, object, number][] = [
  ['cuba (lif: split update, split delivery with row splits)', scaled('cuba', 300), 3000],
  ['coba (lif_cond)', scaled('coba', 300), 3000],
  ['brunel (lif_delta on thread 0, external Poisson drive)', smallBrunel(800, 200, 80, 20), 1500],
  ['song2000 (Poisson sources, STDP on thread 0)', scaled('song2000', 2000), 20000],
  ['Izhikevich, Poisson drive into a split population, per-synapse delays, a list and all-to-all', {
    seed: 7, dt: 0.1,
    populations: [
      { name: 'iz', size: 203, model: 'izhikevich', params: { a: 0.02, b: 0.2, c: -65, d: 8, tau_syn_e: 5, tau_syn_i: 10 }, init: { v: { uniform: [-70, -50] } } },
      { name: 'n', size: 101, model: 'lif', params: lif, poisson_input: [{ rate: 9000, weight: 20 }] },
    ],
    projections: [
      { from: 'n', to: 'iz', connect: { rule: 'fixed_probability', p: 0.1 }, weight: 4, delay: { uniform: [0.1, 3] }, receptor: 'exc' },
      { from: 'iz', to: 'n', connect: { rule: 'list', pre: [5, 3, 3, 200, 7, 7, 1], post: [100, 2, 99, 0, 50, 49, 60] }, weight: 30, delay: 1, receptor: 'exc' },
      { from: 'iz', to: 'iz', connect: { rule: 'all_to_all', allow_autapses: true }, weight: -0.02, delay: 0.5, receptor: 'inh' },
    ],
  }, 3000],
  ['Boltzmann units beside spiking neurons', {
    seed: 4, dt: 1,
    populations: [
      { name: 'b', size: 30, model: 'binary', params: { values: '01', dynamics: 'heat_bath', update: 'poisson', rate: 300, temperature: 2 }, init: { bias: { normal: [0.5, 0.5] } } },
      { name: 'n', size: 40, model: 'lif', params: lif, poisson_input: [{ rate: 3000, weight: 15 }] },
    ],
    projections: [{ from: 'b', to: 'b', connect: { rule: 'all_to_all', allow_autapses: false }, weight: -0.05 }],
  }, 200],
];

describe('threads: results do not depend on the thread count', () => {
  for (const [name, model, steps] of MODELS) {
    it(name, () => {
      const one = run(model, 1, steps);
      expect(one.t.length).toBeGreaterThan(50);
      for (const [threads, blocks, perSynapse] of [[2, false, false], [3, false, false], [4, false, false], [1, true, false], [3, true, false], [1, false, true], [2, true, true]] as const) {
        const many = run(model, threads, steps, blocks, perSynapse);
        const what = `${threads} threads${blocks ? ', rows in blocks' : ''}${perSynapse ? ', every weight read' : ''}`;
        // Bit for bit: times, ids, membrane potentials, weights.
        expect(many.t.length, what).toBe(one.t.length);
        expect(Buffer.from(new Float64Array(many.t).buffer).equals(Buffer.from(new Float64Array(one.t).buffer)), `${what}: spike times`).toBe(true);
        expect(many.id, `${what}: spike ids`).toEqual(one.id);
        expect(Buffer.from(new Float64Array(many.v).buffer).equals(Buffer.from(new Float64Array(one.v).buffer)), `${what}: v`).toBe(true);
        expect(Buffer.from(new Float64Array(many.w).buffer).equals(Buffer.from(new Float64Array(one.w).buffer)), `${what}: weights`).toBe(true);
        expect(many.count, `${what}: spike counts`).toEqual(one.count);
        expect(many.events, `${what}: synaptic events`).toEqual(one.events);
      }
    });
  }
});

describe('one weight for all synapses (read once, not per synapse)', () => {
  // cuba's projections have one weight each, so delivery skips the weight
  // arrays; weights written later (setWeights, a checkpoint) must count.
  function weightsOf(sim: Simulation): Float64Array[] { return sim.projections.map((p) => p.weights()); }

  it('weights written between runs take effect: the same spikes as reading every weight', () => {
    const model = validateModel(scaled('cuba', 400));
    const go = (threads: number, perSynapse: boolean) => {
      const sim = new Simulation(model, { threads });
      try {
        if (perSynapse) sim.kernel.setUniformWeights(false);
        const ids: number[] = [];
        const sink = recordingSink({ spikes: (c) => ids.push(...c.ids) });
        sim.run({ steps: 1000, sink });
        // Every other excitatory synapse doubled, then all back to one value (another one).
        const ee = sim.projections[0]!;
        const w = ee.weights();
        ee.setWeights(w.map((x, s) => (s % 2 === 0 ? 2 * x : x)));
        sim.run({ steps: 1000, sink });
        ee.setWeights(w.map((x) => 0.5 * x));
        sim.run({ steps: 1000, sink });
        return { ids, w: weightsOf(sim) };
      } finally {
        sim.close();
      }
    };
    const reference = go(1, true);
    for (const [threads, perSynapse] of [[1, false], [2, false], [2, true]] as const) {
      const got = go(threads, perSynapse);
      expect(got.ids, `${threads} threads${perSynapse ? ', every weight read' : ''}`).toEqual(reference.ids);
    }
    // The writes changed the run: without them the spikes differ.
    expect(run(model, 1, 3000).id).not.toEqual(reference.ids);
  });

  it('a checkpoint with unequal weights, loaded into a network built with one weight, delivers them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hebb-uniform-'));
    const model = validateModel(scaled('cuba', 400));
    const a = new Simulation(model, { threads: 1 });
    a.kernel.setUniformWeights(false);
    a.run({ steps: 500 });
    const ee = a.projections[0]!;
    ee.setWeights(ee.weights().map((x, s) => (s % 3 === 0 ? 0 : x)));
    saveCheckpoint(a, join(dir, 'state.bin'));
    const rest: number[] = [];
    a.run({ steps: 1500, sink: recordingSink({ spikes: (c) => rest.push(...c.ids) }) });
    a.close();
    const b = new Simulation(model, { threads: 2 });
    try {
      loadCheckpoint(b, join(dir, 'state.bin'));
      const got: number[] = [];
      b.run({ steps: 1500, sink: recordingSink({ spikes: (c) => got.push(...c.ids) }) });
      expect(got).toEqual(rest);
    } finally {
      b.close();
    }
  });
});

describe('threads: checkpoints and limits', () => {
  it('a checkpoint written with 2 threads loads with 1 and continues as the unsplit run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hebb-threads-'));
    const model = validateModel(scaled('cuba', 400));
    const whole = run(model, 1, 4000);
    const a = new Simulation(model, { threads: 2 });
    const first: Run = { t: [], id: [], v: [], w: [] };
    a.run({ steps: 2000, sink: recordingSink({ spikes: (c) => { first.t.push(...c.times); first.id.push(...c.ids); } }) });
    saveCheckpoint(a, join(dir, 'state.bin'));
    a.close();
    const b = new Simulation(model, { threads: 1 });
    loadCheckpoint(b, join(dir, 'state.bin'));
    b.run({ steps: 2000, sink: recordingSink({ spikes: (c) => { first.t.push(...c.times); first.id.push(...c.ids); } }) });
    expect(first.t).toEqual(whole.t);
    expect(first.id).toEqual(whole.id);
  });

  it('a closed simulation goes on with one thread', () => {
    const model = validateModel(scaled('cuba', 200));
    const whole = run(model, 1, 2000);
    const sim = new Simulation(model, { threads: 3 });
    const got: number[] = [];
    sim.run({ steps: 1000, sink: recordingSink({ spikes: (c) => got.push(...c.ids) }) });
    sim.close();
    expect(sim.kernel.threads).toBe(1);
    sim.run({ steps: 1000, sink: recordingSink({ spikes: (c) => got.push(...c.ids) }) });
    expect(got).toEqual(whole.id);
  });

  it('takes by default one thread per 16000 neurons whose update threads split, at most the cores', () => {
    const sized = (exc: number, inh: number, model = 'lif') => {
      const m = loadPreset('cuba') as { populations: { size: number; model: string }[]; projections: { connect: { p: number } }[] };
      for (const pr of m.projections) pr.connect.p = 80 / (exc + inh);
      m.populations[0]!.size = exc;
      m.populations[1]!.size = inh;
      for (const p of m.populations) p.model = model;
      return validateModel(m);
    };
    expect(defaultThreads(sized(3200, 800))).toBe(1);
    expect(defaultThreads(sized(25600, 6399))).toBe(1);
    expect(defaultThreads(sized(25600, 6400))).toBe(Math.min(2, availableParallelism()));
    expect(defaultThreads(sized(64000, 16000))).toBe(Math.min(5, availableParallelism()));
  });

  it('refuses a thread count out of range by name', () => {
    const model = validateModel(scaled('cuba', 10));
    for (const bad of [0, 1.5, 65]) expect(() => new Simulation(model, { threads: bad })).toThrow(UsageError);
    expect(() => new Simulation(model, { threads: 65 })).toThrow(/threads.*1 to 64/);
  });
});
