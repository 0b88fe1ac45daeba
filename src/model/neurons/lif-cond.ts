// lif_cond: conductance-based leaky integrate-and-fire with exponential
// conductances (COBA). Kernel part: assembly/models/lif-cond.ts.

import { Type, type Static } from '@sinclair/typebox';
import { quantity, timeConstant, potential } from '../values.js';
import { defineNeuron } from './types.js';
import { adaptiveThreshold, resetBelowThreshold, thetaAbsent } from './shared.js';

const Params = Type.Object({
  c_m: quantity('membrane capacitance', 'pF', { default: 250, exclusiveMinimum: 0 }),
  g_l: quantity('leak conductance', 'nS', { default: 16.6667, exclusiveMinimum: 0 }),
  e_l: potential('leak reversal potential', -70),
  e_ex: potential('excitatory reversal potential', 0),
  e_in: potential('inhibitory reversal potential', -85),
  v_reset: potential('reset potential', -60),
  v_thresh: potential('spike threshold', -55),
  t_ref: quantity('refractory period', 'ms', { default: 2, minimum: 0, note: 'v held at v_reset' }),
  tau_syn_e: timeConstant('excitatory synaptic time constant', 0.2),
  tau_syn_i: timeConstant('inhibitory synaptic time constant', 2),
  i_e: quantity('constant input current', 'pA', { default: 0 }),
  integrator: Type.Union([Type.Literal('exponential_euler'), Type.Literal('euler')], {
    title: '"exponential_euler" or "euler"',
    description: 'exponential_euler: v exact with conductances held over dt; euler: forward Euler (the Brian2 COBA benchmark)',
    default: 'exponential_euler',
  }),
  ...adaptiveThreshold,
}, { additionalProperties: false, default: {} });

export const lifCond = defineNeuron<Static<typeof Params>>({
  name: 'lif_cond',
  threaded: true,
  description: 'conductance-based LIF with exponential conductances (weights in nS)',
  params: Params,
  variables: {
    v: { unit: 'mV', description: 'membrane potential' },
    ge: { unit: 'nS', description: 'excitatory conductance' },
    gi: { unit: 'nS', description: 'inhibitory conductance' },
    i_e: { unit: 'pA', description: 'constant input current of each neuron' },
    theta: { unit: 'mV', description: 'adaptive threshold increase' },
  },
  synapses: { weightUnit: 'nS (jump of the conductance)', receptors: true, conductance: true },
  inputs: { current: true, poissonInput: true },
  check: (pop, at, add) => resetBelowThreshold(pop.params, at, add),
  absent: thetaAbsent,
  kernel: (p) => ({
    c_m: p.c_m, g_l: p.g_l, e_l: p.e_l, e_ex: p.e_ex, e_in: p.e_in, v_reset: p.v_reset, v_thresh: p.v_thresh,
    t_ref: p.t_ref, tau_syn_e: p.tau_syn_e, tau_syn_i: p.tau_syn_i, integrator: p.integrator,
    theta_plus: p.theta_plus, tau_theta: p.tau_theta,
  }),
  initial: (p) => ({ v: p.e_l, i_e: p.i_e }),
});
