// Sinks that turn the spike and state chunks of a run into the output files
// of DESIGN.md: spikes.csv (t_ms,population,neuron), spikes.msgpack (per
// population: times float64, ids uint32), state.csv.
//
// Memory stays constant however long the run: CSV rows go straight to a
// temporary file, and each population's columns are appended raw to their
// own temporary files, copied into spikes.msgpack behind bin headers when
// the run ends.

import { decode } from '@msgpack/msgpack';
import { closeSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { FileFormatError } from '../core/errors.js';
import { join, basename } from 'node:path';
import { AtomicFile, makeDir, removeStaleTemps } from '../core/atomic.js';
import { MsgpackStreamWriter } from './msgpack-stream.js';
import { recordingSink, type SpikeChunk, type StateChunk, type RecordingSink, type Recording } from '../sim/recording.js';
import type { WeightSample } from '../sim/weights.js';
import type { EnergySample } from '../sim/energy.js';
import type { ModuleSample } from '../modules/runtime.js';
import type { WeightRecord } from '../model/schema.js';
import type { Network } from '../network/build.js';

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
/** Typed arrays are stored as msgpack bin: raw little-endian bytes of these types. */
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

/** Reads a spikes.msgpack file (as hebb run writes it) into typed arrays, per population. */
export function readSpikeFile(file: string): SpikeFileContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new FileFormatError(file, 'cannot read it', { cause });
  }
  try {
    return decodeSpikeFile(bytes);
  } catch (cause) {
    throw new FileFormatError(file, 'not a hebb spike file (spikes.msgpack)', { cause });
  }
}

/** Milliseconds for text output: 1e-9 ms resolution, no float noise (0.1 + 0.2 -> 0.3). */
export function formatMs(t: number): string {
  return String(Math.round(t * 1e9) / 1e9);
}

/** A population's spike columns, appended raw to two temporary files. */
class ColumnFiles {
  readonly timesPath: string;
  readonly idsPath: string;
  private timesFd: number;
  private idsFd: number;
  private times = new Float64Array(4096);
  private ids = new Uint32Array(4096);
  private buffered = 0;
  count = 0;

  constructor(dir: string, tag: string) {
    // .NAME.PID.N.tmp, as AtomicFile names its temporaries: removeStaleTemps knows them.
    this.timesPath = join(dir, `.${tag}.times.${process.pid}.${Date.now()}.tmp`);
    this.idsPath = join(dir, `.${tag}.ids.${process.pid}.${Date.now()}.tmp`);
    this.timesFd = openSync(this.timesPath, 'w');
    this.idsFd = openSync(this.idsPath, 'w');
  }

  push(t: number, id: number): void {
    if (this.buffered === this.times.length) this.flush();
    this.times[this.buffered] = t;
    this.ids[this.buffered] = id;
    this.buffered++;
    this.count++;
  }

  flush(): void {
    if (this.buffered === 0) return;
    writeAll(this.timesFd, new Uint8Array(this.times.buffer, 0, this.buffered * 8));
    writeAll(this.idsFd, new Uint8Array(this.ids.buffer, 0, this.buffered * 4));
    this.buffered = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.timesFd);
    closeSync(this.idsFd);
  }

  remove(): void {
    rmSync(this.timesPath, { force: true });
    rmSync(this.idsPath, { force: true });
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

function copyFileInto(path: string, out: AtomicFile): void {
  const fd = openSync(path, 'r');
  const buf = new Uint8Array(1 << 20);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      out.write(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

export interface SpikeFileOptions {
  dir: string;
  csv?: boolean;
  msgpack?: boolean;
  /** Extra fields stored in spikes.msgpack beside the populations. */
  meta?: Record<string, unknown>;
  /** The model's weight records (for weights.csv and weight_histograms.csv). */
  weights?: readonly WeightRecord[];
  /** Energy is recorded (energy.csv, and overlaps.csv when patterns are stored). */
  energy?: { overlaps: boolean };
  /** The model has rate-coded modules (modules.csv). */
  modules?: boolean;
}

/**
 * Writes spikes.csv, spikes.msgpack and state.csv for a run. Nothing is
 * visible under the final names until finish(); abort() leaves no trace.
 */
export class SpikeFiles implements RecordingSink {
  private readonly lookup: PopulationLookup;
  private readonly csv: AtomicFile | undefined;
  private readonly columns: ColumnFiles[] | undefined;
  private readonly dir: string;
  private readonly meta: Record<string, unknown>;
  private readonly stateCsv: AtomicFile | undefined;
  private readonly weightsCsv: AtomicFile | undefined;
  private readonly histCsv: AtomicFile | undefined;
  private readonly energyCsv: AtomicFile | undefined;
  private readonly overlapsCsv: AtomicFile | undefined;
  private readonly modulesCsv: AtomicFile | undefined;
  private readonly network: Network;
  count = 0;

  constructor(network: Network, options: SpikeFileOptions) {
    this.network = network;
    this.lookup = new PopulationLookup(network);
    this.dir = options.dir;
    this.meta = options.meta ?? {};
    makeDir(options.dir);
    removeStaleTemps(options.dir);
    if (options.csv !== false) {
      this.csv = new AtomicFile(join(options.dir, 'spikes.csv'));
      this.csv.write('t_ms,population,neuron\n');
    }
    if (options.msgpack !== false) {
      const tag = basename(this.csv?.path ?? 'spikes');
      this.columns = this.lookup.names.map((_, p) => new ColumnFiles(options.dir, `${tag}.${p}`));
    }
    if (network.probes.length) {
      this.stateCsv = new AtomicFile(join(options.dir, 'state.csv'));
      this.stateCsv.write('t_ms,population,neuron,variable,value\n');
    }
    const weights = options.weights ?? [];
    if (weights.some((w) => w.synapses?.length)) {
      this.weightsCsv = new AtomicFile(join(options.dir, 'weights.csv'));
      this.weightsCsv.write('t_ms,projection,pre,post,weight\n');
    }
    if (weights.some((w) => w.histogram)) {
      this.histCsv = new AtomicFile(join(options.dir, 'weight_histograms.csv'));
      this.histCsv.write('t_ms,projection,bin,low,high,count\n');
    }
    if (options.modules) {
      this.modulesCsv = new AtomicFile(join(options.dir, 'modules.csv'));
      this.modulesCsv.write('t_ms,module,unit,activity\n');
    }
    if (options.energy) {
      this.energyCsv = new AtomicFile(join(options.dir, 'energy.csv'));
      this.energyCsv.write('t_ms,population,energy,magnetisation,flips\n');
      if (options.energy.overlaps) {
        this.overlapsCsv = new AtomicFile(join(options.dir, 'overlaps.csv'));
        this.overlapsCsv.write('t_ms,population,pattern,overlap\n');
      }
    }
  }

  /** Bytes the run's files take so far (spikes.msgpack counted at its final size). */
  get bytes(): number {
    let n = 0;
    for (const f of [this.csv, this.stateCsv, this.weightsCsv, this.histCsv, this.energyCsv, this.overlapsCsv, this.modulesCsv]) n += f?.bytes ?? 0;
    for (const c of this.columns ?? []) n += c.count * 12;
    return n;
  }

  /** One record of the run, to its file. */
  write(r: Recording): void {
    this.dispatch.write(r);
  }

  private readonly dispatch = recordingSink(this);

  modules(sample: ModuleSample): void {
    if (!this.modulesCsv) return;
    const t = formatMs(sample.tMs);
    let text = '';
    sample.activity.forEach((a, j) => { text += `${t},${sample.module},${j},${a}\n`; });
    this.modulesCsv.write(text);
  }

  energy(sample: EnergySample): void {
    const t = formatMs(sample.tMs);
    let text = '', overlaps = '';
    for (const p of sample.populations) {
      text += `${t},${p.name},${p.energy},${p.magnetisation},${p.flips}\n`;
      p.overlaps.forEach((m, mu) => { overlaps += `${t},${p.name},${mu},${m}\n`; });
    }
    this.energyCsv?.write(text);
    if (overlaps) this.overlapsCsv?.write(overlaps);
  }

  weights(sample: WeightSample): void {
    const t = formatMs(sample.tMs);
    if (sample.synapses && this.weightsCsv) {
      let text = '';
      sample.synapses.pairs.forEach(([i, j], q) => { text += `${t},${sample.projection},${i},${j},${sample.synapses!.weights[q]}\n`; });
      this.weightsCsv.write(text);
    }
    if (sample.histogram && this.histCsv) {
      const { edges, counts } = sample.histogram;
      let text = '';
      counts.forEach((c, b) => { text += `${t},${sample.projection},${b},${edges[b]},${edges[b + 1]},${c}\n`; });
      this.histCsv.write(text);
    }
  }

  spikes(chunk: SpikeChunk): void {
    const { times, ids } = chunk;
    const lookup = this.lookup;
    const names = lookup.names;
    let text = '';
    for (let s = 0; s < times.length; s++) {
      const id = ids[s]!;
      const pop = lookup.populationOf(id);
      const local = lookup.localId(id, pop);
      this.columns?.[pop]!.push(times[s]!, local);
      if (this.csv) {
        text += `${formatMs(times[s]!)},${names[pop]},${local}\n`;
        if (text.length > 1 << 16) {
          this.csv.write(text);
          text = '';
        }
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

  finish(): void {
    this.csv?.commit();
    this.stateCsv?.commit();
    this.weightsCsv?.commit();
    this.histCsv?.commit();
    this.energyCsv?.commit();
    this.overlapsCsv?.commit();
    this.modulesCsv?.commit();
    if (!this.columns) return;
    for (const c of this.columns) c.close();
    const file = new AtomicFile(join(this.dir, 'spikes.msgpack'));
    try {
      const w = new MsgpackStreamWriter((bytes) => file.write(bytes));
      const header: Record<string, unknown> = { format: SPIKE_FORMAT, version: 1, time_unit: 'ms', dtypes: SPIKE_DTYPES, ...this.meta };
      w.mapHeader(Object.keys(header).length + 1);
      for (const [k, v] of Object.entries(header)) { w.value(k); w.value(v); }
      w.value('populations');
      w.mapHeader(this.columns.length);
      this.lookup.names.forEach((name, p) => {
        const c = this.columns![p]!;
        w.value(name);
        w.mapHeader(2);
        w.value('times');
        w.binHeader(c.count * 8);
        copyFileInto(c.timesPath, file);
        w.value('ids');
        w.binHeader(c.count * 4);
        copyFileInto(c.idsPath, file);
      });
      file.commit();
    } catch (e) {
      file.abort();
      throw e;
    } finally {
      for (const c of this.columns) c.remove();
    }
  }

  abort(): void {
    this.csv?.abort();
    this.stateCsv?.abort();
    this.weightsCsv?.abort();
    this.histCsv?.abort();
    this.energyCsv?.abort();
    this.overlapsCsv?.abort();
    this.modulesCsv?.abort();
    if (this.columns) for (const c of this.columns) { c.close(); c.remove(); }
  }
}
