// Weight monitors: chosen synapses' weights and weight histograms of a
// projection, sampled every `interval` ms (record.weights in the model).

import type { Kernel } from '../kernel/kernel.js';
import type { Device, Emit } from './devices.js';
import type { Network } from '../network/build.js';
import type { ValidModel } from '../model/validate.js';
import type { WeightRecord } from '../model/schema.js';
import { msToSteps } from '../model/units.js';
import { ModelError } from '../core/errors.js';
import type { WeightSample } from './recording.js';


export class WeightMonitor implements Device {
  readonly projection: string;
  readonly everySteps: number;
  private readonly index: number;
  private readonly nSyn: number;
  private readonly synapseIndex: number[];
  private readonly pairs: [number, number][];
  private readonly edges: Float64Array | undefined;

  constructor(private readonly kernel: Kernel, network: Network, model: ValidModel, spec: WeightRecord, at: string) {
    const proj = network.projections.find((p) => p.name === spec.projection)!;
    this.projection = spec.projection;
    this.index = proj.index;
    this.everySteps = Math.max(1, msToSteps(spec.interval, model.dt));
    this.nSyn = kernel.synapseCount(proj.index);
    const pre = network.populations.find((p) => p.name === proj.from)!;
    const rowPtr = kernel.rowPointers(proj.index, pre.size);
    const targets = kernel.targets(proj.index);
    this.pairs = spec.synapses ?? [];
    this.synapseIndex = this.pairs.map(([i, j], q) => {
      for (let s = rowPtr[i]!; s < rowPtr[i + 1]!; s++) if (targets[s] === j) return s;
      throw new ModelError([{ path: `${at}/synapses/${q}`, message: `projection "${spec.projection}" has no synapse from ${i} to ${j}` }]);
    });
    if (spec.histogram) {
      const decl = model.projections.find((p) => (p.name ?? `${p.from}->${p.to}`) === spec.projection)!;
      let range = spec.histogram.range;
      if (!range && decl.plasticity) range = [decl.plasticity.w_min ?? 0, decl.plasticity.w_max];
      if (!range) {
        const w = this.weights();
        let lo = Infinity, hi = -Infinity;
        for (const v of w) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        range = lo < hi ? [lo, hi] : [lo - 0.5, lo + 0.5];
      }
      const bins = spec.histogram.bins ?? 20;
      this.edges = Float64Array.from({ length: bins + 1 }, (_, b) => range![0] + ((range![1] - range![0]) * b) / bins);
    }
  }

  /** Current weights of the projection (f64 master copy when plastic). */
  weights(): Float64Array {
    return this.kernel.weights(this.index);
  }

  stepsToSample(step: number): number { return this.everySteps - (step % this.everySteps); }
  begin(emit: Emit): void { emit({ kind: 'weights', sample: this.sample(0) }); }
  collect(step: number, timeMs: number, emit: Emit): void {
    if (step % this.everySteps === 0) emit({ kind: 'weights', sample: this.sample(timeMs) });
  }

  sample(tMs: number): WeightSample {
    const w = this.weights();
    const out: WeightSample = { tMs, projection: this.projection };
    if (this.synapseIndex.length) out.synapses = { pairs: this.pairs, weights: Float64Array.from(this.synapseIndex, (s) => w[s]!) };
    if (this.edges) out.histogram = { edges: this.edges, counts: histogram(w, this.edges) };
    return out;
  }
}

/** Counts per bin; the last bin includes its upper edge; values outside are clamped into the end bins. */
export function histogram(values: ArrayLike<number>, edges: Float64Array): Uint32Array {
  const bins = edges.length - 1;
  const counts = new Uint32Array(bins);
  const lo = edges[0]!, width = (edges[bins]! - lo) / bins;
  for (let k = 0; k < values.length; k++) {
    let b = Math.floor((values[k]! - lo) / width);
    if (b < 0) b = 0;
    if (b >= bins) b = bins - 1;
    counts[b]!++;
  }
  return counts;
}

export function weightMonitors(kernel: Kernel, network: Network, model: ValidModel): WeightMonitor[] {
  return (model.record?.weights ?? []).map((spec, i) => new WeightMonitor(kernel, network, model, spec, `/record/weights/${i}`));
}

export type { WeightSample } from './recording.js';
