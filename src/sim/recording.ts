// What a run records, as one stream of typed records, and the back-ends
// that take them: output files (src/record), live frames (src/server), or
// memory (MemoryRecording below, for code that wants arrays). Recording
// devices (devices.ts, weights.ts, energy.ts, the modules) produce records;
// back-ends never talk to the kernel.

import type { SpikeChunk } from '../kernel/kernel.js';

export type { SpikeChunk } from '../kernel/kernel.js';

/** Weights of a projection at tMs (record.weights). */
export interface WeightSample {
  tMs: number;
  projection: string;
  /** [pre, post] of each recorded synapse, and its weight. */
  synapses?: { pairs: [number, number][]; weights: Float64Array };
  /** Bin edges (bins + 1) and counts. */
  histogram?: { edges: Float64Array; counts: Uint32Array };
}

/** Energy of binary populations at tMs (record.energy). */
export interface BinaryPopulationSample {
  name: string;
  energy: number;
  /** Mean state on the +-1 scale (01 units map to 2s - 1). */
  magnetisation: number;
  flips: number;
  /** Overlap with each stored pattern, on the +-1 scale. */
  overlaps: Float64Array;
}

export interface EnergySample {
  tMs: number;
  /** Sum over the recorded populations. */
  energy: number;
  populations: BinaryPopulationSample[];
}

/** A rate-coded module's step at tMs. */
export interface ModuleSample {
  tMs: number;
  module: string;
  /** Encoded input (rate / input_scale), one per input neuron. */
  input: Float32Array;
  /** Activity in [0, 1], one per output neuron (its rate is max_rate x activity). */
  activity: Float32Array;
}

/** State samples: rows x probes, row r taken at timesMs[r]. */
export interface StateChunk {
  timesMs: Float64Array;
  values: Float64Array;
  probes: number;
}

export type Recording =
  | { kind: 'spikes'; chunk: SpikeChunk }
  | { kind: 'state'; chunk: StateChunk }
  | { kind: 'weights'; sample: WeightSample }
  | { kind: 'energy'; sample: EnergySample }
  | { kind: 'modules'; sample: ModuleSample };

/** A back-end: where a run's records go. */
export interface RecordingSink {
  write(record: Recording): void;
}

/** Every record to each of the sinks, in order. */
export function fanOut(...sinks: (RecordingSink | undefined)[]): RecordingSink {
  const all = sinks.filter((s): s is RecordingSink => s !== undefined);
  return { write: (r) => { for (const s of all) s.write(r); } };
}

/** Spikes of one population: times (ms) and neuron indices within it. */
export interface PopulationSpikes {
  times: Float64Array;
  ids: Uint32Array;
}

/**
 * Keeps a run's records in memory: spikes per population (as Brian2's
 * SpikeMonitor keeps i and t), state samples, weight, energy and module
 * samples. For runs that fit in memory; files and streams use their own sinks.
 */
export class MemoryRecording implements RecordingSink {
  private readonly times: number[][];
  private readonly ids: number[][];
  readonly state: StateChunk[] = [];
  readonly weights: WeightSample[] = [];
  readonly energy: EnergySample[] = [];
  readonly modules: ModuleSample[] = [];

  /** populations: name, size and first global id of each, in the network's order. */
  constructor(private readonly populations: readonly { name: string; size: number; first: number }[]) {
    this.times = populations.map(() => []);
    this.ids = populations.map(() => []);
  }

  write(r: Recording): void {
    switch (r.kind) {
      case 'spikes': {
        const { times, ids } = r.chunk;
        let k = 0;
        for (let s = 0; s < ids.length; s++) {
          const id = ids[s]!;
          // Chunks list spikes population by population within a step: the
          // last population found is almost always right.
          const p = this.populations[k]!;
          if (id < p.first || id >= p.first + p.size) k = this.populations.findIndex((q) => id >= q.first && id < q.first + q.size);
          this.times[k]!.push(times[s]!);
          this.ids[k]!.push(id - this.populations[k]!.first);
        }
        break;
      }
      case 'state': this.state.push(r.chunk); break;
      case 'weights': this.weights.push(r.sample); break;
      case 'energy': this.energy.push(r.sample); break;
      case 'modules': this.modules.push(r.sample); break;
    }
  }

  /** The spikes of one population so far, in time order. */
  spikes(population: string): PopulationSpikes {
    const k = this.populations.findIndex((p) => p.name === population);
    if (k < 0) throw new RangeError(`no population "${population}" in this recording`);
    return { times: Float64Array.from(this.times[k]!), ids: Uint32Array.from(this.ids[k]!) };
  }
}

/** Handlers by kind of record (each optional), as a sink. */
export interface RecordingHandlers {
  spikes?(chunk: SpikeChunk): void;
  state?(chunk: StateChunk): void;
  weights?(sample: WeightSample): void;
  energy?(sample: EnergySample): void;
  modules?(sample: ModuleSample): void;
}

/** A sink that calls the handler of each record's kind. */
export function recordingSink(h: RecordingHandlers): RecordingSink {
  return {
    write(r: Recording): void {
      switch (r.kind) {
        case 'spikes': h.spikes?.(r.chunk); break;
        case 'state': h.state?.(r.chunk); break;
        case 'weights': h.weights?.(r.sample); break;
        case 'energy': h.energy?.(r.sample); break;
        case 'modules': h.modules?.(r.sample); break;
      }
    },
  };
}
