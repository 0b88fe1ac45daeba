// The neuron models, one line each. Everything that depends on the list of
// models (the schema's model field, the validator, the network builder,
// the recorders, the live view) reads it from here; the kernel has the
// same list in assembly/models/registry.ts, and a test holds the two equal.

import type { NeuronModel } from './types.js';
import { lif } from './lif.js';
import { lifCond } from './lif-cond.js';
import { lifDelta } from './lif-delta.js';
import { izhikevich } from './izhikevich.js';
import { poisson } from './poisson.js';
import { spikeSource } from './spike-source.js';
import { binary } from './binary.js';
import { adex } from './adex.js';
import { hh } from './hh.js';
import { equations } from './equations.js';

export const NEURON_MODELS: readonly NeuronModel<never>[] = [
  lif,
  lifCond,
  lifDelta,
  izhikevich,
  poisson,
  spikeSource,
  binary,
  adex,
  hh,
  equations,
];

export type { NeuronModel, PopulationOf, SetupPort, VariableSpec, SynapseSpec, CompilePort } from './types.js';
import type { VariableSpec } from './types.js';
export { patternCount, type Patterns } from './binary.js';

const byName = new Map<string, NeuronModel<never>>(NEURON_MODELS.map((m) => [m.name, m]));

/** The model of that name (undefined when there is none). */
export function neuronModel(name: string): NeuronModel<unknown> | undefined {
  return byName.get(name) as NeuronModel<unknown> | undefined;
}

export const MODEL_NAMES: readonly string[] = NEURON_MODELS.map((m) => m.name);

/** Variables a model can initialise and record, `count` included. */
export function modelVariables(model: NeuronModel<unknown>): string[] {
  return [...Object.keys(model.variables), 'count'];
}

/** A population's variables (a model's, or an equation population's own), without `count`. */
export function populationVariables(pop: { model: string }): Readonly<Record<string, VariableSpec>> {
  const m = byName.get(pop.model) as NeuronModel<unknown> | undefined;
  if (!m) return {};
  return m.variablesOf ? m.variablesOf(pop as never) : m.variables;
}

/** A population's variables with their units as equations write them (for NAME_pre, NAME_post). */
export function variableUnits(pop: { model: string }): Record<string, string> {
  return Object.fromEntries(Object.entries(populationVariables(pop)).map(([name, v]) => [name, v.unit === '' || v.unit === 'energy' ? '1' : v.unit]));
}
