// hh: the Hodgkin-Huxley neuron of the COBAHH benchmark (Brette et al. 2007;
// Traub & Miles kinetics, as Brian2's COBAHH example) with exponential
// conductances. Kernel part: assembly/models/hh.ts.

import { Type, type Static } from '@sinclair/typebox';
import { quantity, timeConstant, potential } from '../values.js';
import { defineNeuron } from './types.js';

const Params = Type.Object({
  c_m: quantity('membrane capacitance', 'pF', { default: 200, exclusiveMinimum: 0 }),
  g_l: quantity('leak conductance', 'nS', { default: 10, exclusiveMinimum: 0 }),
  e_l: potential('leak reversal potential', -60),
  e_na: potential('sodium reversal potential', 50),
  e_k: potential('potassium reversal potential', -90),
  g_na: quantity('maximal sodium conductance', 'nS', { default: 20000, minimum: 0 }),
  g_k: quantity('maximal potassium conductance', 'nS', { default: 6000, minimum: 0 }),
  v_t: potential('offset of the gating kinetics', -63, 'V_T of Traub & Miles'),
  e_ex: potential('excitatory reversal potential', 0),
  e_in: potential('inhibitory reversal potential', -80),
  tau_syn_e: timeConstant('excitatory synaptic time constant', 5),
  tau_syn_i: timeConstant('inhibitory synaptic time constant', 10),
  v_thresh: potential('spike detection threshold', -20, 'a spike is an upward crossing'),
  t_ref: quantity('refractory period', 'ms', { default: 3, minimum: 0, note: 'no spike is detected within it; v is not held' }),
  i_e: quantity('constant input current', 'pA', { default: 0 }),
}, { additionalProperties: false, default: {} });

export const hh = defineNeuron<Static<typeof Params>>({
  name: 'hh',
  description: 'Hodgkin-Huxley neuron of the COBAHH benchmark (Traub & Miles kinetics) with exponential conductances (weights in nS)',
  params: Params,
  variables: {
    v: { unit: 'mV', description: 'membrane potential' },
    m: { unit: '1', description: 'sodium activation (steady state of the initial v unless given)' },
    h: { unit: '1', description: 'sodium inactivation (steady state of the initial v unless given)' },
    n: { unit: '1', description: 'potassium activation (steady state of the initial v unless given)' },
    ge: { unit: 'nS', description: 'excitatory conductance' },
    gi: { unit: 'nS', description: 'inhibitory conductance' },
    i_e: { unit: 'pA', description: 'constant input current of each neuron' },
  },
  synapses: { weightUnit: 'nS (jump of the conductance)', receptors: true, conductance: true },
  inputs: { current: true, poissonInput: true },
  kernel: (p) => ({
    c_m: p.c_m, g_l: p.g_l, e_l: p.e_l, e_na: p.e_na, e_k: p.e_k, g_na: p.g_na, g_k: p.g_k, v_t: p.v_t,
    e_ex: p.e_ex, e_in: p.e_in, tau_syn_e: p.tau_syn_e, tau_syn_i: p.tau_syn_i, v_thresh: p.v_thresh, t_ref: p.t_ref,
  }),
  initial: (p) => ({ v: p.e_l, i_e: p.i_e }),
});
