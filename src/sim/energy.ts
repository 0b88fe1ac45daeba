// Energy monitor of binary populations (record.energy in the model): every
// `interval` ms the energy E = -1/2 sum w_ij s_i s_j - sum b_i s_i of each
// population, its magnetisation (mean of s as +-1), the flips so far, and its
// overlaps m_mu = (1/N) sum_i e_i^mu s_i with its stored patterns.

import type { Kernel } from '../kernel/wasm.js';
import type { Network, BuiltPopulation } from '../build/network.js';
import type { ValidModel } from '../model/validate.js';
import { msToSteps } from '../model/units.js';

export interface BinaryPopulationSample {
  name: string;
  energy: number;
  /** Mean state on the +-1 scale (01 units map to 2s - 1). */
  magnetisation: number;
  flips: number;
  /** Overlap with each stored pattern, on the +-1 scale. */
  overlaps: Float64Array;
  /** The states, +-1 (0/1 units as stored), for images of the lattice or the recalled pattern. */
  state: Int8Array;
}

export interface EnergySample {
  tMs: number;
  /** Sum over the recorded populations. */
  energy: number;
  populations: BinaryPopulationSample[];
}

interface Watched {
  pop: BuiltPopulation;
  patterns: Float32Array | undefined;
  values01: boolean;
}

export class EnergyMonitor {
  readonly everySteps: number;
  private readonly watched: Watched[];

  constructor(private readonly kernel: Kernel, network: Network, model: ValidModel) {
    const spec = model.record!.energy!;
    this.everySteps = Math.max(1, msToSteps(spec.interval, model.dt));
    this.watched = spec.populations.map((name) => {
      const pop = network.populations.find((p) => p.name === name)!;
      const decl = model.populations.find((p) => p.name === name)!;
      const values01 = decl.model === 'binary' && decl.params?.values === '01';
      return { pop, patterns: network.patterns[name], values01 };
    });
  }

  sample(tMs: number): EnergySample {
    const x = this.kernel.exports;
    let total = 0;
    const populations = this.watched.map(({ pop, patterns, values01 }) => {
      const energy = x.energy(pop.index);
      total += energy;
      const state = this.kernel.readI8(x.binaryStatePtr(pop.index), pop.size);
      const n = pop.size;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += values01 ? 2 * state[i]! - 1 : state[i]!;
      const count = patterns ? patterns.length / n : 0;
      const overlaps = new Float64Array(count);
      for (let mu = 0; mu < count; mu++) {
        let m = 0;
        const base = mu * n;
        for (let i = 0; i < n; i++) m += patterns![base + i]! * (values01 ? 2 * state[i]! - 1 : state[i]!);
        overlaps[mu] = m / n;
      }
      return { name: pop.name, energy, magnetisation: n ? sum / n : 0, flips: x.binaryFlips(pop.index), overlaps, state };
    });
    return { tMs, energy: total, populations };
  }
}

/** The energy monitor of a model, if it records energy. */
export function energyMonitor(kernel: Kernel, network: Network, model: ValidModel): EnergyMonitor | undefined {
  return model.record?.energy?.populations.length ? new EnergyMonitor(kernel, network, model) : undefined;
}
