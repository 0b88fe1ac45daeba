// poisson: independent Poisson spike trains with exact event times, or
// regular generators. Kernel part: assembly/models/poisson.ts.

import { Type, type Static } from '@sinclair/typebox';
import { quantity, checkNonNegative, type InitValue } from '../values.js';
import { defineNeuron } from './types.js';

const MAX_RATE = 1e6;

const Params = Type.Object({
  // At most one spike a microsecond: every spike is an event, and a step cannot be interrupted.
  rate: quantity('firing rate of every neuron', 'Hz', { minimum: 0, maximum: MAX_RATE, note: 'init.rate sets one per neuron' }),
  process: Type.Optional(Type.Union([Type.Literal('poisson'), Type.Literal('regular')], {
    title: '"poisson" or "regular"', default: 'poisson',
    description: 'poisson: independent Poisson trains; regular: each neuron fires every 1/rate, starting at a random phase',
  })),
}, { additionalProperties: false });

export const poisson = defineNeuron<Static<typeof Params>>({
  name: 'poisson',
  description: 'independent Poisson spike trains, exact event times',
  params: Params,
  paramsRequired: true,
  variables: { rate: { unit: 'Hz', description: 'firing rate of each neuron' } },
  synapses: null,
  inputs: { current: false, poissonInput: false },
  check: (pop, at, add) => {
    const rate = pop.init?.rate as InitValue | undefined;
    if (Array.isArray(rate)) {
      const bad = rate.findIndex((r) => !(r >= 0 && r <= MAX_RATE));
      if (bad >= 0) add(`${at}/init/rate/${bad}`, `rates must be >= 0 and <= ${MAX_RATE} Hz (got ${rate[bad]})`);
    } else if (rate !== undefined) {
      checkNonNegative(rate, `${at}/init/rate`, 'rates', add);
      if (typeof rate === 'number' && rate > MAX_RATE) add(`${at}/init/rate`, `rates must be <= ${MAX_RATE} Hz (got ${rate})`);
    }
  },
  kernel: (p) => ({ process: p.process ?? 'poisson' }),
  initial: (p) => ({ rate: p.rate }),
});
