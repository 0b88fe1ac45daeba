// Boltzmann machines of layers (an RBM, a DBM) as the engine's stochastic
// binary units: one heat-bath population per layer, updated in the order
// given (so a step is one block Gibbs sweep in that order), and one
// all-to-all projection per direction of each coupling, its weights the
// machine's. The engine then samples the same distribution as the dense
// sampler, which the experiments check.

import { validateModel, type Limits } from '../model/validate.js';
import { Simulation } from '../sim/simulation.js';

export interface UnitLayer { name: string; bias: ArrayLike<number> }
/** Couples layer `a` (size na) with layer `b`: weight(i, j) between unit i of a and unit j of b. */
export interface LayerCoupling { a: string; b: string; weight: (i: number, j: number) => number }

export function layeredUnits(layers: UnitLayer[], couplings: LayerCoupling[], seed: number, limits?: Partial<Limits>): Simulation {
  const sim = new Simulation(validateModel({
    dt: 1, duration: 1e6, seed,
    populations: layers.map((l) => ({ name: l.name, size: l.bias.length, model: 'binary', params: { values: '01', dynamics: 'heat_bath', update: 'typewriter' }, init: { state: 0, bias: Array.from(l.bias) } })),
    projections: couplings.flatMap((c) => [
      { name: `${c.a}->${c.b}`, from: c.a, to: c.b, connect: { rule: 'all_to_all' }, weight: 0 },
      { name: `${c.b}->${c.a}`, from: c.b, to: c.a, connect: { rule: 'all_to_all' }, weight: 0 },
    ]),
    record: { spikes: [] },
  }, { limits }));
  for (const c of couplings) {
    const ab = sim.projection(`${c.a}->${c.b}`), ba = sim.projection(`${c.b}->${c.a}`);
    const p = ab.synapsePairs(), q = ba.synapsePairs();
    ab.setWeights(Float64Array.from(p.pre, (i, s) => c.weight(i, p.post[s]!)));
    ba.setWeights(Float64Array.from(q.pre, (j, s) => c.weight(q.post[s]!, j)));
  }
  return sim;
}
