// Every spiking preset's description ends with what it does: "Measured (seed
// 1, A-B s): R Hz, CV c, asynchronous (Fano factor f)" or "..., population
// rhythm F Hz (Fano factor f)". This runs each preset over that window and
// holds the sentence to the run: a change of the physics, or an edit of the
// description, that makes it false fails here.
import { describe, it, expect } from 'vitest';
import { listPresets, loadPreset } from '../../src/model/load.js';
import { simulate, expectClose } from '../support/helpers.js';
import { trainStatistics } from '../../src/analysis/spikes.js';

const CLAIM = /Measured \(seed (\d+), ([\d.]+)-([\d.]+) s\): ([\d.]+) Hz, CV ([\d.]+), (?:asynchronous|population rhythm (\d+) Hz) \(Fano factor ([\d.]+)\)\.$/;
/** Above this Fano factor of the 1 ms population count the activity is synchronous (a rhythm). */
const SYNCHRONOUS = 10;

const SOURCES = new Set(['poisson', 'spike_source']);
const spiking = listPresets().filter((p) => !['hopfield', 'ising'].includes(p.name));

describe('preset descriptions say what the presets do', () => {
  it('every spiking preset states its measured statistics', () => {
    for (const p of spiking) expect(p.description, p.name).toMatch(CLAIM);
  });

  it.each(spiking.map((p) => [p.name]))('%s: its statistics are those its description states', (name) => {
    const m = loadPreset(name) as { description: string; populations: { name: string; size: number; model: string }[] } & Record<string, unknown>;
    const [, seed, from, to, rate, cv, rhythm, fano] = CLAIM.exec(m.description)!.map(Number) as number[];
    const { spikes } = simulate({ ...m, seed, duration: to! * 1000, record: { spikes: 'all' } });
    let times: number[] = [], ids: number[] = [], size = 0;
    for (const pop of m.populations) {
      if (SOURCES.has(pop.model)) continue;
      times = times.concat(spikes[pop.name]!.times);
      ids = ids.concat(spikes[pop.name]!.ids.map((i) => i + size));
      size += pop.size;
    }
    const s = trainStatistics({ times, ids }, { size, from: from! * 1000, to: to! * 1000 });
    // The run is deterministic: the tolerances are the rounding of the text.
    expectClose(s.rate_hz, rate!, { rel: 0.002, abs: 0.006 }, `${name} rate (Hz)`);
    expectClose(s.cv, cv!, { abs: 0.006 }, `${name} CV`);
    expectClose(s.fano, fano!, { rel: 0.01, abs: 0.06 }, `${name} Fano factor`);
    if (Number.isNaN(rhythm)) expect(s.fano, `${name} is described as asynchronous`).toBeLessThan(SYNCHRONOUS);
    else {
      expect(s.fano, `${name} is described with a rhythm`).toBeGreaterThanOrEqual(SYNCHRONOUS);
      expectClose(s.oscillation_hz, rhythm!, { abs: 1 }, `${name} rhythm (Hz)`);
    }
  }, 120_000);
});
