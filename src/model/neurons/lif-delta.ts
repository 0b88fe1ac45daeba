// lif_delta: leaky integrate-and-fire whose inputs are voltage jumps,
// event-driven with exact spike times. Kernel part: assembly/models/lif-delta.ts.

import { Type, type Static } from '@sinclair/typebox';
import { quantity, timeConstant, potential } from '../values.js';
import { defineNeuron } from './types.js';
import { resetBelowThreshold } from './shared.js';

const Params = Type.Object({
  tau_m: timeConstant('membrane time constant', 10),
  c_m: quantity('membrane capacitance', 'pF', { default: 250, exclusiveMinimum: 0, note: 'R = tau_m / c_m' }),
  v_rest: potential('resting potential', -70),
  v_reset: potential('reset potential', -70),
  v_thresh: potential('spike threshold', -55),
  t_ref: quantity('refractory period', 'ms', { default: 2, minimum: 0, note: 'v held at v_reset, inputs dropped' }),
  i_e: quantity('constant input current', 'pA', { default: 0 }),
}, { additionalProperties: false, default: {} });

export const lifDelta = defineNeuron<Static<typeof Params>>({
  name: 'lif_delta',
  description: 'LIF with voltage jumps, event-driven with exact spike times (weights in mV)',
  params: Params,
  variables: {
    v: { unit: 'mV', description: 'membrane potential' },
    i_e: { unit: 'pA', description: 'constant input current of each neuron' },
  },
  synapses: { weightUnit: 'mV (jump of the membrane potential)', receptors: false, conductance: false },
  inputs: { current: true, poissonInput: true, exactPoisson: true },
  check: (pop, at, add) => resetBelowThreshold(pop.params, at, add),
  kernel: (p) => ({ tau_m: p.tau_m, c_m: p.c_m, v_rest: p.v_rest, v_reset: p.v_reset, v_thresh: p.v_thresh, t_ref: p.t_ref }),
  initial: (p) => ({ v: p.v_rest, i_e: p.i_e }),
});
