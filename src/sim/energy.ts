// Energy monitor of binary populations (record.energy in the model): every
// `interval` ms the energy E = -1/2 sum w_ij s_i s_j - sum b_i s_i of each
// population, its magnetisation (mean of s as +-1), the flips so far, and its
// overlaps m_mu = (1/N) sum_i e_i^mu s_i with its stored patterns.

import type { Kernel } from '../kernel/kernel.js';
import type { Device, Emit } from './devices.js';
import type { Network, BuiltPopulation } from '../network/build.js';
import type { ValidModel } from '../model/validate.js';
import { msToSteps } from '../model/units.js';
import { neuronModel } from '../model/neurons/index.js';
import type { EnergySample, BinaryPopulationSample } from './recording.js';



interface Watched {
  pop: BuiltPopulation;
  patterns: Float32Array | undefined;
  values01: boolean;
}

export class EnergyMonitor implements Device {
  readonly everySteps: number;
  private readonly watched: Watched[];

  constructor(private readonly kernel: Kernel, network: Network, model: ValidModel) {
    const spec = model.record!.energy!;
    this.everySteps = Math.max(1, msToSteps(spec.interval, model.dt));
    this.watched = spec.populations.map((name) => {
      const pop = network.populations.find((p) => p.name === name)!;
      const decl = model.populations.find((p) => p.name === name)!;
      const values01 = decl.params?.values === '01';
      return { pop, patterns: network.patterns[name], values01 };
    });
  }

  stepsToSample(step: number): number { return this.everySteps - (step % this.everySteps); }
  begin(emit: Emit): void { emit({ kind: 'energy', sample: this.sample(0) }); }
  collect(step: number, timeMs: number, emit: Emit): void {
    if (step % this.everySteps === 0) emit({ kind: 'energy', sample: this.sample(timeMs) });
  }

  sample(tMs: number): EnergySample {
    const k = this.kernel;
    let total = 0;
    const populations = this.watched.map(({ pop, patterns, values01 }) => {
      const energy = k.energy(pop.index);
      total += energy;
      const n = pop.size;
      const count = patterns ? patterns.length / n : 0;
      const overlaps = new Float64Array(count);
      if (count) {
        // States are read only when there are patterns to compare them with.
        const state = k.binaryStates(pop.index, n);
        const pm = values01 ? Float64Array.from(state, (v) => 2 * v - 1) : state;
        for (let mu = 0; mu < count; mu++) {
          let m = 0;
          const base = mu * n;
          for (let i = 0; i < n; i++) m += patterns![base + i]! * pm[i]!;
          overlaps[mu] = m / n;
        }
      }
      return { name: pop.name, energy, magnetisation: k.magnetisation(pop.index), flips: k.binaryFlips(pop.index), overlaps };
    });
    return { tMs, energy: total, populations };
  }
}

/** The energy monitor of a model, if it records energy. */
export function energyMonitor(kernel: Kernel, network: Network, model: ValidModel): EnergyMonitor | undefined {
  return model.record?.energy?.populations.length ? new EnergyMonitor(kernel, network, model) : undefined;
}

/** Patterns shipped to the page per image population, at most. */
export const MAX_IMAGE_PATTERNS = 16;
/** Overlaps streamed per population, at most (the first patterns). */
export const MAX_STREAMED_OVERLAPS = 16;

/**
 * Rows x cols of a binary population drawn as an image: the shape of its
 * lattice, 28 x 28 for MNIST patterns, a square when its size is one
 * (16 to 65536 units); undefined otherwise.
 */
export function imageShape(model: ValidModel, population: string): [number, number] | undefined {
  const pop = model.populations.find((p) => p.name === population);
  if (!pop || !neuronModel(pop.model)?.coupling) return undefined;
  const lattice = model.projections.find((pr) => pr.to === population && pr.from === population && pr.connect.rule === 'lattice');
  if (lattice && lattice.connect.rule === 'lattice') return [lattice.connect.shape[0], lattice.connect.shape[1]];
  if (pop.patterns && 'mnist' in pop.patterns) return [28, 28];
  const side = Math.round(Math.sqrt(pop.size));
  return side * side === pop.size && pop.size >= 16 && pop.size <= 65536 ? [side, side] : undefined;
}

export type { EnergySample, BinaryPopulationSample } from './recording.js';
