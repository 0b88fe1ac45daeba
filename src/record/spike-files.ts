// Sinks that turn the spike and state chunks of a run into the output files
// of DESIGN.md: spikes.csv (t_ms,population,neuron), spikes.msgpack (per
// population: times Float64Array, ids Uint32Array), state.csv.

import { encode, decode } from '@msgpack/msgpack';
import { join } from 'node:path';
import { AtomicFile } from './atomic.js';
import type { SpikeChunk, StateChunk, SimulationSink } from '../sim/simulation.js';
import type { Network } from '../build/network.js';

/** Maps global neuron ids to (population index, local id). */
export class PopulationLookup {
  readonly names: string[];
  private readonly firsts: number[];
  constructor(network: Network) {
    const pops = [...network.populations].sort((a, b) => a.first - b.first);
    this.names = pops.map((p) => p.name);
    this.firsts = pops.map((p) => p.first);
  }
  /** Index (into names) of the population holding global id `id`. */
  populationOf(id: number): number {
    let lo = 0, hi = this.firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firsts[mid]! <= id) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  localId(id: number, pop: number): number {
    return id - this.firsts[pop]!;
  }
}

export const SPIKE_FORMAT = 'hebb-spikes';
/** Typed arrays travel as msgpack bin: raw little-endian bytes of these types. */
export const SPIKE_DTYPES = { times: 'float64le', ids: 'uint32le' } as const;

export interface SpikeFileContents {
  format: string;
  version: number;
  model?: string;
  seed?: number;
  dt_ms?: number;
  populations: Record<string, { times: Float64Array; ids: Uint32Array }>;
}

/** Copies msgpack bin bytes (a Uint8Array at any offset) into an aligned typed array. */
export function binAs<T extends Float64Array | Float32Array | Uint32Array>(bytes: unknown, type: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength % type.BYTES_PER_ELEMENT !== 0) {
    throw new Error('expected raw bytes of a typed array');
  }
  // Copy: a Node Buffer's slice() would share (and misalign) the whole file's memory.
  return new type(new Uint8Array(bytes).buffer);
}

/** Reads spikes.msgpack back into typed arrays. */
export function decodeSpikeFile(data: Uint8Array): SpikeFileContents {
  const raw = decode(data) as { format?: string; populations?: Record<string, { times: unknown; ids: unknown }> } & Record<string, unknown>;
  if (raw?.format !== SPIKE_FORMAT || typeof raw.populations !== 'object') throw new Error('not a hebb spike file');
  const populations: SpikeFileContents['populations'] = {};
  for (const [name, p] of Object.entries(raw.populations)) {
    populations[name] = { times: binAs(p.times, Float64Array), ids: binAs(p.ids, Uint32Array) };
  }
  return { ...(raw as object), populations } as SpikeFileContents;
}

/** Milliseconds for text output: 1e-9 ms resolution, no float noise (0.1 + 0.2 -> 0.3). */
export function formatMs(t: number): string {
  return String(Math.round(t * 1e9) / 1e9);
}

/** Growable typed arrays of one population's spikes. */
class SpikeColumns {
  times = new Float64Array(1024);
  ids = new Uint32Array(1024);
  n = 0;
  push(t: number, id: number): void {
    if (this.n === this.times.length) {
      const times = new Float64Array(this.n * 2), ids = new Uint32Array(this.n * 2);
      times.set(this.times);
      ids.set(this.ids);
      this.times = times;
      this.ids = ids;
    }
    this.times[this.n] = t;
    this.ids[this.n] = id;
    this.n++;
  }
}

export interface SpikeFileOptions {
  dir: string;
  csv?: boolean;
  msgpack?: boolean;
  /** Extra fields stored in spikes.msgpack beside the populations. */
  meta?: Record<string, unknown>;
}

/**
 * Writes spikes.csv as the run goes (to a temporary file) and collects the
 * msgpack columns; finish() publishes both, abort() leaves no trace.
 */
export class SpikeFiles implements SimulationSink {
  private readonly lookup: PopulationLookup;
  private readonly csv: AtomicFile | undefined;
  private readonly columns: SpikeColumns[] | undefined;
  private readonly dir: string;
  private readonly meta: Record<string, unknown>;
  private stateCsv: AtomicFile | undefined;
  private readonly network: Network;
  count = 0;

  constructor(network: Network, options: SpikeFileOptions) {
    this.network = network;
    this.lookup = new PopulationLookup(network);
    this.dir = options.dir;
    this.meta = options.meta ?? {};
    if (options.csv !== false) {
      this.csv = new AtomicFile(join(options.dir, 'spikes.csv'));
      this.csv.write('t_ms,population,neuron\n');
    }
    if (options.msgpack !== false) this.columns = this.lookup.names.map(() => new SpikeColumns());
    if (network.probes.length) {
      this.stateCsv = new AtomicFile(join(options.dir, 'state.csv'));
      this.stateCsv.write('t_ms,population,neuron,variable,value\n');
    }
  }

  spikes(chunk: SpikeChunk): void {
    const { times, ids } = chunk;
    const lookup = this.lookup;
    let text = '';
    for (let s = 0; s < times.length; s++) {
      const id = ids[s]!;
      const pop = lookup.populationOf(id);
      const local = lookup.localId(id, pop);
      this.columns?.[pop]!.push(times[s]!, local);
      if (this.csv) text += `${formatMs(times[s]!)},${lookup.names[pop]},${local}\n`;
      if (text.length > 1 << 16) {
        this.csv!.write(text);
        text = '';
      }
    }
    if (text) this.csv!.write(text);
    this.count += times.length;
  }

  state(chunk: StateChunk): void {
    if (!this.stateCsv) return;
    const probes = this.network.probes;
    let text = '';
    for (let r = 0; r < chunk.timesMs.length; r++) {
      const t = formatMs(chunk.timesMs[r]!);
      for (let q = 0; q < chunk.probes; q++) {
        const p = probes[q]!;
        text += `${t},${p.population},${p.neuron},${p.variable},${chunk.values[r * chunk.probes + q]}\n`;
      }
    }
    this.stateCsv.write(text);
  }

  /** The spikes collected for the msgpack file, per population. */
  collected(): Record<string, { times: Float64Array; ids: Uint32Array }> {
    const out: Record<string, { times: Float64Array; ids: Uint32Array }> = {};
    this.lookup.names.forEach((name, p) => {
      const c = this.columns?.[p];
      out[name] = c ? { times: c.times.slice(0, c.n), ids: c.ids.slice(0, c.n) } : { times: new Float64Array(0), ids: new Uint32Array(0) };
    });
    return out;
  }

  finish(): void {
    this.csv?.commit();
    this.stateCsv?.commit();
    if (this.columns) {
      const file = new AtomicFile(join(this.dir, 'spikes.msgpack'));
      try {
        file.write(encode({ format: SPIKE_FORMAT, version: 1, time_unit: 'ms', dtypes: SPIKE_DTYPES, ...this.meta, populations: this.collected() }));
        file.commit();
      } catch (e) {
        file.abort();
        throw e;
      }
    }
  }

  abort(): void {
    this.csv?.abort();
    this.stateCsv?.abort();
  }
}
