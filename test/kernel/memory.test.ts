// No allocation per step: once warmed up, running on never grows the
// kernel's memory (a leak of a few bytes per step would show within 60000 steps).
import { describe, it, expect } from 'vitest';
import { validateModel } from '../../src/model/validate.js';
import { Simulation } from '../../src/sim/simulation.js';
import { loadPreset } from '../../src/model/load.js';

const cases: [string, object][] = [
  ['cuba', { ...(loadPreset('cuba') as object), duration: 20_000 }],
  ['song2000 (plastic)', { ...(loadPreset('song2000') as object), duration: 20_000 }],
  ['brunel (lif_delta, poisson_input)', (() => {
    const m = loadPreset('brunel') as { populations: { size: number }[]; projections: { connect: { indegree: number } }[]; duration: number };
    m.populations[0]!.size = 800; m.populations[1]!.size = 200;
    m.projections[0]!.connect.indegree = 80; m.projections[1]!.connect.indegree = 80;
    m.projections[2]!.connect.indegree = 20; m.projections[3]!.connect.indegree = 20;
    return { ...m, duration: 20_000 };
  })()],
  ['Boltzmann units (poisson order, recorded spikes)', {
    dt: 1, duration: 80_000,
    populations: [{ name: 'b', size: 50, model: 'binary', params: { values: '01', dynamics: 'heat_bath', update: 'poisson', rate: 200 } }],
    projections: [{ from: 'b', to: 'b', connect: { rule: 'all_to_all', allow_autapses: false }, weight: -0.1 }],
  }],
  ['Ising lattice (recorded spikes)', {
    dt: 1, duration: 80_000,
    populations: [{ name: 's', size: 256, model: 'binary', params: { dynamics: 'heat_bath', update: 'typewriter', temperature: 2.5 } }],
    projections: [{ from: 's', to: 's', connect: { rule: 'lattice', shape: [16, 16] }, weight: 1 }],
  }],
];

describe('kernel memory', () => {
  it.each(cases)('%s: memory does not grow while running', (_name, model) => {
    const sim = new Simulation(validateModel(model, { limits: { maxNeurons: 1e6 } }));
    sim.run({ steps: 20_000 });
    const warm = sim.kernel.memoryBytes();
    sim.run({ steps: 60_000 });
    expect(sim.kernel.memoryBytes()).toBe(warm);
  }, 120_000);
});
