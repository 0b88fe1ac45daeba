// The two halves of every neuron model agree: the kernel's registry
// (assembly/models/registry.ts, read from the kernel) and the host's
// (src/model/neurons/index.ts) list the same models, the host configures
// exactly the parameters the kernel reads, and both name the same state
// variables.

import { describe, it, expect } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { Kernel } from '../../src/kernel/kernel.js';
import { NEURON_MODELS, modelVariables, type NeuronModel } from '../../src/model/neurons/index.js';

// Parameters a model requires (no default): one example each.
const REQUIRED: Record<string, object> = { poisson: { rate: 5 }, spike_source: { spike_times: [] } };

describe('the neuron model registries', () => {
  const kernel = new Kernel('release');

  it('list the same models on both sides', () => {
    expect([...kernel.models.keys()].sort()).toEqual(NEURON_MODELS.map((m) => m.name).sort());
  });

  it.each(NEURON_MODELS.map((m) => [m.name, m as NeuronModel<unknown>] as const))('%s: the host sets exactly the parameters the kernel reads', (name, model) => {
    const params = Value.Default(model.params, structuredClone(REQUIRED[name] ?? {}));
    const given = model.kernel(params);
    const wanted = kernel.model(name).params;
    expect(Object.keys(given).sort()).toEqual(wanted.map((p) => p.name).sort());
    for (const p of wanted) {
      // Enumerated parameters take one of the kernel's values.
      if (p.values) expect(p.values).toContain(given[p.name]);
      else expect(typeof given[p.name] === 'number' || typeof given[p.name] === 'boolean').toBe(true);
    }
  });

  it.each(NEURON_MODELS.filter((m) => m.name !== 'equations').map((m) => [m.name, m as NeuronModel<unknown>] as const))('%s: both sides agree whether its update is split across threads', (name, model) => {
    const k = new Kernel('release');
    const pop = k.addPopulation(name, 8, name);
    expect(k.threaded(pop)).toBe(model.threaded === true);
  });

  it.each(NEURON_MODELS.map((m) => [m.name, m as NeuronModel<unknown>] as const))('%s: both sides name the same state variables', (name, model) => {
    expect([...kernel.model(name).variables].sort()).toEqual(modelVariables(model).sort());
  });
});
