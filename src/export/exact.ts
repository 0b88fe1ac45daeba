// The network hebb draws for a model (synapses with their weights and
// delays, initial values), for an exported script that is to run the same
// network rather than draw its own.

import type { ValidModel } from '../model/validate.js';
import { Simulation } from '../sim/simulation.js';
import type { ExactNetwork } from './pynn.js';

export function exactNetwork(model: ValidModel): ExactNetwork {
  const sim = new Simulation(model);
  const projections: ExactNetwork['projections'] = {};
  for (const pr of sim.network.projections) {
    const h = sim.projection(pr.name);
    const { pre, post } = h.synapsePairs();
    const d = h.delaySteps();
    const delaysMs = typeof d === 'number' ? new Float64Array(pre.length).fill(d * model.dt) : Float64Array.from(d, (x) => x * model.dt);
    projections[pr.name] = { pre, post, weights: h.weights(), delaysMs };
  }
  const initial: ExactNetwork['initial'] = {};
  for (const pop of model.populations) {
    const h = sim.population(pop.name);
    const values: Record<string, Float64Array> = {};
    for (const name of Object.keys(pop.init ?? {})) if (h.variables.includes(name)) values[name] = h.state(name);
    initial[pop.name] = values;
  }
  return { projections, initial };
}
