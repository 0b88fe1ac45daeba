// Two spike files compared the way the exported models are checked: per
// population the rate, the CV of inter-spike intervals, the Fano factor of
// the population count and the mean pairwise correlation of spike counts,
// each side by side with a verdict against tolerances. Both files are in
// hebb's spikes.csv layout (t_ms,population,neuron), which the exported
// PyNN scripts write too.

import { readFileSync } from 'node:fs';
import { FileFormatError } from '../core/errors.js';
import { trainStatistics } from '../analysis/spikes.js';

export interface Trains { times: number[]; ids: number[] }

/** The spikes of a spikes.csv, by population. */
export function readSpikeFile(file: string): Map<string, Trains> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FileFormatError(file, `cannot read it: ${(e as Error).message}`);
  }
  const lines = text.split('\n');
  if (lines[0]?.trim() !== 't_ms,population,neuron') throw new FileFormatError(file, 'not a spike file: the first line must be "t_ms,population,neuron"');
  const out = new Map<string, Trains>();
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!;
    if (line === '') continue;
    const [t, pop, id] = line.split(',');
    const time = Number(t), neuron = Number(id);
    if (pop === undefined || !Number.isFinite(time) || !Number.isInteger(neuron) || neuron < 0) throw new FileFormatError(file, `line ${k + 1} is not "t_ms,population,neuron": ${line.slice(0, 80)}`);
    let trains = out.get(pop);
    if (!trains) out.set(pop, (trains = { times: [], ids: [] }));
    trains.times.push(time);
    trains.ids.push(neuron);
  }
  return out;
}

export interface Tolerances { rate: number; cv: number; fano: number; correlation: number }
export const DEFAULT_TOLERANCES: Tolerances = { rate: 0.05, cv: 0.1, fano: 0.3, correlation: 0.05 };

export interface Measures { rate_hz: number; cv: number; fano: number; correlation: number }
export interface PopulationComparison { population: string; size: number; a: Measures; b: Measures; ok: Record<keyof Measures, boolean> }

/** Mean Pearson correlation of 10 ms spike counts over pairs of the first 100 neurons. */
function correlation(tr: Trains, size: number, from: number, to: number): number {
  const bins = Math.max(1, Math.floor((to - from) / 10));
  const n = Math.min(size, 100);
  const counts = Array.from({ length: n }, () => new Float64Array(bins));
  for (let k = 0; k < tr.times.length; k++) {
    const id = tr.ids[k]!, t = tr.times[k]!;
    if (id >= n || t < from || t >= to) continue;
    counts[id]![Math.min(bins - 1, Math.floor((t - from) / 10))]! += 1;
  }
  const z = counts.map((c) => {
    const mean = c.reduce((s, x) => s + x, 0) / bins;
    const sd = Math.sqrt(c.reduce((s, x) => s + (x - mean) ** 2, 0) / bins);
    return sd > 0 ? Array.from(c, (x) => (x - mean) / sd) : undefined;
  });
  let sum = 0, pairs = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const a = z[i], b = z[j];
    if (!a || !b) continue;
    let s = 0;
    for (let k = 0; k < bins; k++) s += a[k]! * b[k]!;
    sum += s / bins;
    pairs++;
  }
  return pairs ? sum / pairs : 0;
}

function measures(tr: Trains, size: number, from: number, to: number): Measures {
  if (tr.times.length === 0) return { rate_hz: 0, cv: NaN, fano: NaN, correlation: NaN };
  const s = trainStatistics(tr, { size, from, to });
  return { rate_hz: s.rate_hz, cv: s.cv, fano: s.fano, correlation: correlation(tr, size, from, to) };
}

/**
 * Compares two spike files population by population over [from, to) ms.
 * sizes: neurons per population (from a model); otherwise the largest index seen, plus one.
 */
export function compareSpikes(a: Map<string, Trains>, b: Map<string, Trains>, o: { from: number; to: number; sizes?: Record<string, number>; tolerances?: Tolerances }): PopulationComparison[] {
  const tol = o.tolerances ?? DEFAULT_TOLERANCES;
  const names = [...new Set([...a.keys(), ...b.keys()])];
  return names.map((population) => {
    const ta = a.get(population) ?? { times: [], ids: [] }, tb = b.get(population) ?? { times: [], ids: [] };
    let largest = -1;
    for (const ids of [ta.ids, tb.ids]) for (const id of ids) if (id > largest) largest = id;
    const size = o.sizes?.[population] ?? largest + 1;
    const ma = measures(ta, size, o.from, o.to), mb = measures(tb, size, o.from, o.to);
    const rel = (x: number, y: number, t: number) => Math.abs(x - y) <= t * Math.max(Math.abs(x), Math.abs(y), 1e-12);
    const same = (x: number, y: number, t: number) => (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= t;
    return {
      population, size, a: ma, b: mb,
      ok: {
        rate_hz: rel(ma.rate_hz, mb.rate_hz, tol.rate),
        cv: (Number.isNaN(ma.cv) && Number.isNaN(mb.cv)) || rel(ma.cv, mb.cv, tol.cv),
        fano: (Number.isNaN(ma.fano) && Number.isNaN(mb.fano)) || rel(ma.fano, mb.fano, tol.fano),
        correlation: same(ma.correlation, mb.correlation, tol.correlation),
      },
    };
  });
}
