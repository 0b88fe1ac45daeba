// Shared test helpers: run a model object and collect its spikes; compare
// numbers with an explicit tolerance (never toBeCloseTo's default).

import { expect } from 'vitest';
import { validateModel } from '../../src/model/validate.js';
import { Simulation } from '../../src/sim/simulation.js';
import { PopulationLookup } from '../../src/record/spike-files.js';
import { recordingSink } from '../../src/sim/recording.js';

export interface Spikes { times: number[]; ids: number[] }

export interface SimResult {
  sim: Simulation;
  spikes: Record<string, Spikes>;
  samples: { timesMs: number[]; values: number[][] };
}

export function simulate(model: object, options: { steps?: number; flavor?: 'release' | 'debug'; recordCapacity?: number } = {}): SimResult {
  const valid = validateModel(model);
  const sim = new Simulation(valid, { flavor: options.flavor ?? 'release', ...(options.recordCapacity ? { recordCapacity: options.recordCapacity } : {}) });
  const lookup = new PopulationLookup(sim.network);
  const spikes: Record<string, Spikes> = Object.fromEntries(sim.network.populations.map((p) => [p.name, { times: [], ids: [] }]));
  const samples = { timesMs: [] as number[], values: [] as number[][] };
  sim.run({
    ...(options.steps !== undefined ? { steps: options.steps } : {}),
    sink: recordingSink({
      spikes(c) {
        for (let s = 0; s < c.times.length; s++) {
          const pop = lookup.populationOf(c.ids[s]!);
          const out = spikes[lookup.names[pop]!]!;
          out.times.push(c.times[s]!);
          out.ids.push(lookup.localId(c.ids[s]!, pop));
        }
      },
      state(c) {
        for (let r = 0; r < c.timesMs.length; r++) {
          samples.timesMs.push(c.timesMs[r]!);
          samples.values.push(Array.from(c.values.subarray(r * c.probes, (r + 1) * c.probes)));
        }
      },
    }),
  });
  return { sim, spikes, samples };
}

/** |actual - expected| <= abs + rel * |expected|. */
export function expectClose(actual: number, expected: number, tol: { rel?: number; abs?: number }, what = ''): void {
  const bound = (tol.abs ?? 0) + (tol.rel ?? 0) * Math.abs(expected);
  const err = Math.abs(actual - expected);
  if (!(err <= bound)) {
    expect.fail(`${what ? `${what}: ` : ''}${actual} differs from ${expected} by ${err} (allowed ${bound})`);
  }
}

/** Spike times of one neuron. */
export function trainOf(s: Spikes, id: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < s.ids.length; k++) if (s.ids[k] === id) out.push(s.times[k]!);
  return out;
}
