// izhikevich: Izhikevich (2003), forward Euler, exponential synaptic
// currents. Kernel part: assembly/models/izhikevich.ts.

import { Type, type Static } from '@sinclair/typebox';
import { quantity, timeConstant, potential } from '../values.js';
import { defineNeuron } from './types.js';

const Params = Type.Object({
  a: quantity('recovery time scale', '1/ms', { default: 0.02 }),
  b: quantity('recovery sensitivity to v', '1/ms', { default: 0.2 }),
  c: potential('reset potential', -65),
  d: quantity('recovery increment at a spike', 'mV/ms', { default: 8 }),
  v_peak: potential('spike cut-off', 30),
  tau_syn_e: timeConstant('excitatory synaptic time constant', 5),
  tau_syn_i: timeConstant('inhibitory synaptic time constant', 5),
  i_e: quantity('constant input', 'mV/ms', { default: 0, note: 'the I of Izhikevich 2003' }),
}, { additionalProperties: false, default: {} });

export const izhikevich = defineNeuron<Static<typeof Params>>({
  name: 'izhikevich',
  threaded: true,
  description: 'Izhikevich 2003 (weights in mV/ms)',
  params: Params,
  variables: {
    v: { unit: 'mV', description: 'membrane potential' },
    u: { unit: 'mV/ms', description: 'recovery variable (b v unless given)' },
    ge: { unit: 'mV/ms', description: 'excitatory synaptic current' },
    gi: { unit: 'mV/ms', description: 'inhibitory synaptic current' },
    i_e: { unit: 'mV/ms', description: 'constant input of each neuron' },
  },
  synapses: { weightUnit: 'mV/ms (jump of the synaptic current)', receptors: true, conductance: false },
  inputs: { current: true, poissonInput: true },
  check: (pop, at, add) => {
    const p = pop.params;
    if (!(p.c < p.v_peak)) add(`${at}/params/c`, `reset potential c must be below v_peak (c ${p.c} mV, v_peak ${p.v_peak} mV)`);
  },
  kernel: (p) => ({ a: p.a, b: p.b, c: p.c, d: p.d, v_peak: p.v_peak, tau_syn_e: p.tau_syn_e, tau_syn_i: p.tau_syn_i }),
  initial: (p) => ({ v: p.c, i_e: p.i_e }),
});
