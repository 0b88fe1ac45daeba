// Turns the spike and state chunks of a run into protocol frames.

import type { SpikeChunk, StateChunk } from '../sim/simulation.js';
import type { Network } from '../build/network.js';
import { PopulationLookup } from '../record/spike-files.js';
import type { PopulationInfo, SpikeBlock, SpikesFrame, StateFrame } from '../protocol/messages.js';

const CLOCK_MODELS = new Set(['lif', 'lif_cond', 'izhikevich']);

export function populationInfo(network: Network): PopulationInfo[] {
  return network.populations.map((p) => ({ name: p.name, size: p.size, model: p.model, first: p.first, clock: CLOCK_MODELS.has(p.model) }));
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
