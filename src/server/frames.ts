// Turns the spike and state chunks of a run into protocol frames.

import type { SpikeChunk, StateChunk } from '../sim/recording.js';
import type { Network } from '../network/build.js';
import { PopulationLookup } from '../record/spike-files.js';
import type { PopulationInfo, SpikeBlock, SpikesFrame, StateFrame, EnergyFrame, ImageInfo } from '../protocol/messages.js';
import type { ValidModel } from '../model/validate.js';
import { imageShape, MAX_IMAGE_PATTERNS, MAX_STREAMED_OVERLAPS, type EnergySample } from '../sim/energy.js';

export function populationInfo(network: Network): PopulationInfo[] {
  return network.populations.map((p) => ({ name: p.name, size: p.size, model: p.model, first: p.first, clock: p.clock }));
}

/** Collects the spikes of an interval and packs them into one frame. */
export class SpikeFrameBuilder {
  private readonly lookup: PopulationLookup;
  private readonly pops: PopulationInfo[];
  private readonly popIndex: number[];
  private times: number[][];
  private ids: number[][];
  count = 0;

  constructor(network: Network, private readonly dt: number) {
    this.lookup = new PopulationLookup(network);
    this.pops = populationInfo(network);
    // lookup index (sorted by first id) -> index in network order
    this.popIndex = this.lookup.names.map((n) => this.pops.findIndex((p) => p.name === n));
    this.times = this.pops.map(() => []);
    this.ids = this.pops.map(() => []);
  }

  add(chunk: SpikeChunk): void {
    for (let s = 0; s < chunk.times.length; s++) {
      const id = chunk.ids[s]!;
      const lp = this.lookup.populationOf(id);
      const p = this.popIndex[lp]!;
      this.times[p]!.push(chunk.times[s]!);
      this.ids[p]!.push(this.lookup.localId(id, lp));
    }
    this.count += chunk.times.length;
  }

  /** The frame for (t0, t1] (steps step0 .. step1 - 1), and a fresh start. */
  take(t0: number, t1: number, step0: number, step1: number): SpikesFrame {
    const blocks: SpikeBlock[] = [];
    const wideSteps = step1 - step0 > 0xffff;
    this.pops.forEach((pop, p) => {
      const ids = this.ids[p]!, times = this.times[p]!;
      if (ids.length === 0) return;
      const block: SpikeBlock = { pop: p, ids: pop.size <= 0x10000 ? Uint16Array.from(ids) : Uint32Array.from(ids) };
      if (pop.clock) {
        const steps = times.map((t) => Math.round(t / this.dt) - 1 - step0);
        block.steps = wideSteps ? Uint32Array.from(steps) : Uint16Array.from(steps);
      } else {
        block.offsets = Float32Array.from(times, (t) => t - t0);
      }
      blocks.push(block);
    });
    this.times = this.pops.map(() => []);
    this.ids = this.pops.map(() => []);
    this.count = 0;
    return { type: 'spikes', t0, t1, step0, dt: this.dt, blocks };
  }
}

/** Collects state samples of an interval into one frame. */
export class StateFrameBuilder {
  private times: number[] = [];
  private values: number[] = [];
  constructor(private readonly probes: number) {}
  add(chunk: StateChunk): void {
    for (const t of chunk.timesMs) this.times.push(t);
    for (const v of chunk.values) this.values.push(v);
  }
  get rows(): number { return this.times.length; }
  take(): StateFrame {
    const frame: StateFrame = { type: 'state', times: Float64Array.from(this.times), values: Float32Array.from(this.values), probes: this.probes };
    this.times = [];
    this.values = [];
    return frame;
  }
}

/** The image populations of a run and their first stored patterns, for the hello frame. */
export function imageInfo(model: ValidModel, network: Network): ImageInfo[] {
  const out: ImageInfo[] = [];
  for (const pop of network.populations) {
    const shape = imageShape(model, pop.name);
    if (!shape) continue;
    const pats = network.patterns[pop.name];
    const count = pats ? Math.min(MAX_IMAGE_PATTERNS, pats.length / pop.size) : 0;
    const patterns = new Uint8Array(count * pop.size);
    for (let k = 0; k < patterns.length; k++) patterns[k] = pats![k]! > 0 ? 1 : 0;
    out.push({ population: pop.name, rows: shape[0], cols: shape[1], patterns, count });
  }
  return out;
}

/** Collects energy samples of an interval into one frame, with the latest states of image populations. */
export class EnergyFrameBuilder {
  private times: number[] = [];
  private energy: number[] = [];
  private perPop: { energy: number[]; magnetisation: number[]; overlaps: number[]; patterns: number }[] = [];
  private names: string[] = [];

  /** readState: the current states of an image population (read when a frame is taken). */
  constructor(private readonly imagePopulations: readonly string[], private readonly readState: (population: string) => Int8Array) {}

  add(sample: EnergySample): void {
    if (this.names.length === 0) {
      this.names = sample.populations.map((p) => p.name);
      this.perPop = sample.populations.map((p) => ({ energy: [], magnetisation: [], overlaps: [], patterns: Math.min(MAX_STREAMED_OVERLAPS, p.overlaps.length) }));
    }
    this.times.push(sample.tMs);
    this.energy.push(sample.energy);
    sample.populations.forEach((p, k) => {
      const acc = this.perPop[k]!;
      acc.energy.push(p.energy);
      acc.magnetisation.push(p.magnetisation);
      for (let mu = 0; mu < acc.patterns; mu++) acc.overlaps.push(p.overlaps[mu]!);
    });
  }

  get rows(): number { return this.times.length; }

  take(): EnergyFrame {
    const frame: EnergyFrame = {
      type: 'energy',
      times: Float64Array.from(this.times),
      energy: Float64Array.from(this.energy),
      populations: this.perPop.map((acc, k) => ({
        name: this.names[k]!, energy: Float64Array.from(acc.energy), magnetisation: Float32Array.from(acc.magnetisation),
        overlaps: Float32Array.from(acc.overlaps), patterns: acc.patterns,
      })),
      states: this.imagePopulations.map((population) => ({ population, bits: Uint8Array.from(this.readState(population), (v) => (v > 0 ? 1 : 0)) })),
    };
    this.times = [];
    this.energy = [];
    for (const acc of this.perPop) { acc.energy = []; acc.magnetisation = []; acc.overlaps = []; }
    return frame;
  }
}
