// adex: the adaptive exponential integrate-and-fire neuron (Brette & Gerstner
// 2005) with exponential conductances, as NEST's aeif_cond_exp (same names
// in snake case, same defaults). Kernel part: assembly/models/adex.ts.

import { Type, type Static } from '@sinclair/typebox';
import { quantity, timeConstant, potential } from '../values.js';
import { defineNeuron } from './types.js';

const Params = Type.Object({
  c_m: quantity('membrane capacitance', 'pF', { default: 281, exclusiveMinimum: 0 }),
  g_l: quantity('leak conductance', 'nS', { default: 30, exclusiveMinimum: 0 }),
  e_l: potential('leak reversal potential', -70.6),
  v_t: potential('spike initiation threshold', -50.4, 'NEST V_th'),
  delta_t: quantity('slope factor', 'mV', { default: 2, minimum: 0, note: '0: no exponential term, the threshold is v_t' }),
  a: quantity('subthreshold adaptation', 'nS', { default: 4 }),
  tau_w: timeConstant('adaptation time constant', 144),
  b: quantity('spike-triggered adaptation', 'pA', { default: 80.5 }),
  v_reset: potential('reset potential', -60),
  v_peak: potential('spike detection threshold', 0),
  t_ref: quantity('refractory period', 'ms', { default: 0, minimum: 0, note: 'v held at v_reset, w goes on' }),
  e_ex: potential('excitatory reversal potential', 0),
  e_in: potential('inhibitory reversal potential', -85),
  tau_syn_e: timeConstant('excitatory synaptic time constant', 0.2),
  tau_syn_i: timeConstant('inhibitory synaptic time constant', 2),
  i_e: quantity('constant input current', 'pA', { default: 0 }),
}, { additionalProperties: false, default: {} });

export const adex = defineNeuron<Static<typeof Params>>({
  name: 'adex',
  description: 'adaptive exponential integrate-and-fire (Brette & Gerstner 2005, NEST aeif_cond_exp) with exponential conductances (weights in nS)',
  params: Params,
  variables: {
    v: { unit: 'mV', description: 'membrane potential' },
    w: { unit: 'pA', description: 'adaptation current' },
    ge: { unit: 'nS', description: 'excitatory conductance' },
    gi: { unit: 'nS', description: 'inhibitory conductance' },
    i_e: { unit: 'pA', description: 'constant input current of each neuron' },
  },
  synapses: { weightUnit: 'nS (jump of the conductance)', receptors: true, conductance: true },
  inputs: { current: true, poissonInput: true },
  check: (pop, at, add) => {
    const p = pop.params;
    if (!(p.v_reset < p.v_peak)) add(`${at}/params/v_reset`, `reset potential must be below the spike detection threshold (v_reset ${p.v_reset} mV, v_peak ${p.v_peak} mV)`);
    if (p.delta_t > 0 && !(p.v_peak >= p.v_t)) add(`${at}/params/v_peak`, `spike detection threshold must not be below v_t (v_peak ${p.v_peak} mV, v_t ${p.v_t} mV)`);
    // The kernel works in single precision: exp((v_peak - v_t) / delta_t) must stay finite.
    if (p.delta_t > 0 && (p.v_peak - p.v_t) / p.delta_t > 60) {
      add(`${at}/params/delta_t`, `(v_peak - v_t) / delta_t must be at most 60, or the exponential term overflows (got ${((p.v_peak - p.v_t) / p.delta_t).toPrecision(3)})`);
    }
  },
  kernel: (p) => ({
    c_m: p.c_m, g_l: p.g_l, e_l: p.e_l, v_t: p.v_t, delta_t: p.delta_t, a: p.a, tau_w: p.tau_w, b: p.b,
    v_reset: p.v_reset, v_peak: p.v_peak, t_ref: p.t_ref, e_ex: p.e_ex, e_in: p.e_in, tau_syn_e: p.tau_syn_e, tau_syn_i: p.tau_syn_i,
  }),
  initial: (p) => ({ v: p.e_l, i_e: p.i_e }),
});
