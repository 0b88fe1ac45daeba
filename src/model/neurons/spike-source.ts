// spike_source: neurons that fire at given times. Kernel part:
// assembly/models/spike-source.ts.

import { Type, type Static } from '@sinclair/typebox';
import { checkTimes } from '../values.js';
import { defineNeuron } from './types.js';

const Params = Type.Object({
  spike_times: Type.Array(Type.Array(Type.Number()), {
    description: 'one list per neuron of spike times (ms, > 0, ascending)',
  }),
}, { additionalProperties: false });

export const spikeSource = defineNeuron<Static<typeof Params>>({
  name: 'spike_source',
  description: 'neurons that fire at given times',
  params: Params,
  paramsRequired: true,
  variables: {},
  synapses: null,
  inputs: { current: false, poissonInput: false },
  initSchema: null,
  check: (pop, at, add) => {
    const lists = pop.params.spike_times;
    if (lists.length !== pop.size) add(`${at}/params/spike_times`, `needs one list per neuron: ${pop.size} lists (got ${lists.length})`);
    lists.forEach((times, j) => checkTimes(times, `${at}/params/spike_times/${j}`, add, 'spike times', true));
  },
  kernel: () => ({}),
  initial: () => ({}),
  setup: (pop, port) => {
    const lists = pop.params.spike_times;
    const offsets = new Uint32Array(pop.size + 1);
    lists.forEach((times, j) => { offsets[j + 1] = offsets[j]! + times.length; });
    port.setSourceTimes(offsets, Float64Array.from(lists.flat()));
  },
});
