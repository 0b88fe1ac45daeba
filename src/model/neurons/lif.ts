// lif: current-based leaky integrate-and-fire with exponential synaptic
// currents (CUBA; NEST iaf_psc_exp), integrated exactly. Kernel part:
// assembly/models/lif.ts.

import { Type, type Static } from '@sinclair/typebox';
import { quantity, timeConstant, potential } from '../values.js';
import { defineNeuron } from './types.js';
import { adaptiveThreshold, resetBelowThreshold, thetaAbsent } from './shared.js';

const Params = Type.Object({
  tau_m: timeConstant('membrane time constant', 10),
  c_m: quantity('membrane capacitance', 'pF', { default: 250, exclusiveMinimum: 0, note: 'R = tau_m / c_m' }),
  v_rest: potential('resting potential', -70),
  v_reset: potential('reset potential', -70),
  v_thresh: potential('spike threshold', -55),
  t_ref: quantity('refractory period', 'ms', { default: 2, minimum: 0, note: 'v held at v_reset' }),
  tau_syn_e: timeConstant('excitatory synaptic time constant', 2),
  tau_syn_i: timeConstant('inhibitory synaptic time constant', 2),
  i_e: quantity('constant input current', 'pA', { default: 0 }),
  ...adaptiveThreshold,
}, { additionalProperties: false, default: {} });

export const lif = defineNeuron<Static<typeof Params>>({
  name: 'lif',
  threaded: true,
  description: 'current-based LIF with exponential synaptic currents (weights in mV)',
  params: Params,
  variables: {
    v: { unit: 'mV', description: 'membrane potential' },
    ge: { unit: 'mV', description: 'excitatory synaptic current, as the potential it drives (R I_e)' },
    gi: { unit: 'mV', description: 'inhibitory synaptic current, as the potential it drives (R I_i)' },
    i_e: { unit: 'pA', description: 'constant input current of each neuron' },
    theta: { unit: 'mV', description: 'adaptive threshold increase' },
  },
  synapses: { weightUnit: 'mV (jump of the synaptic current term)', receptors: true, conductance: false },
  inputs: { current: true, poissonInput: true },
  check: (pop, at, add) => resetBelowThreshold(pop.params, at, add),
  absent: thetaAbsent,
  kernel: (p) => ({
    tau_m: p.tau_m, c_m: p.c_m, v_rest: p.v_rest, v_reset: p.v_reset, v_thresh: p.v_thresh, t_ref: p.t_ref,
    tau_syn_e: p.tau_syn_e, tau_syn_i: p.tau_syn_i, theta_plus: p.theta_plus, tau_theta: p.tau_theta,
  }),
  initial: (p) => ({ v: p.v_rest, i_e: p.i_e }),
});
