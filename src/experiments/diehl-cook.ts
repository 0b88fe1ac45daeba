// Unsupervised digit learning with STDP after Diehl & Cook (2015), "Unsupervised
// learning of digit recognition using spike-timing-dependent plasticity",
// Front. Comput. Neurosci. 9:99, with the parameters of their published code:
//
// - 784 Poisson inputs firing at pixel / 4 Hz (0-255 scale: at most 63.75 Hz);
// - N excitatory conductance-based LIF neurons (tau 100 ms, rest and reset
//   -65 mV, threshold -52 mV + theta, refractory 5 ms, E_exc 0, E_inh -100 mV,
//   tau_ge 1 ms, tau_gi 2 ms) with an adaptive threshold theta (+0.05 mV per
//   spike, decay 1e7 ms);
// - N inhibitory neurons (tau 10 ms, rest -60, reset -45, threshold -40 mV,
//   refractory 2 ms, E_inh -85 mV), excitatory i -> inhibitory i (10.4),
//   inhibitory i -> every excitatory neuron but i (17): lateral inhibition;
// - input -> excitatory all to all, initial weights uniform in [0.003, 0.303],
//   plastic with their rule: at a presynaptic spike w -= 0.0001 post1, at a
//   postsynaptic spike w += 0.01 pre post2 (the value before this spike);
//   traces set to 1 at a spike (nearest pairing), pre and post1 decay with
//   20 ms, post2 with 40 ms; w in [0, 1]. This is the triplet rule of
//   Pfister & Gerstner with A2+ = 0, A3+ = 0.01, A2- = 0.0001, A3- = 0 and
//   nearest-spike traces;
// - before each digit, each excitatory neuron's input weights are scaled to sum to 78.
//
// Conductances are in units of the leak conductance (g_L = 1 nS, so c_m =
// tau in pF), as in their dimensionless code.
//
// `DC_PUBLISHED` is their setting; `DC_TUNED` is what hebb runs by default
// (each change is a parameter of the same local, unsupervised rule):
// - the weight total 78 -> 115: hebb integrates each conductance's exact
//   mean over the 0.5 ms step, which gives an input spike about 27 % less
//   charge than holding the conductance at its start value, the integration
//   their parameters were chosen on; 115 also makes up for the shorter
//   training (more spikes per digit, more potentiation per digit);
// - lateral inhibition 17 -> 10: with 17 a neuron that lost its first digits
//   never fires the bursts that potentiate (the rule's triplet term needs a
//   postsynaptic spike in the 40 ms before), and half the neurons kept their
//   random weights after a pass over 8000 digits; at 10 about three in four learn;
// - homeostasis: every neuron's threshold falls by theta_plus x 32 / N per
//   digit while it learns, so a neuron firing its share (32 / N spikes a
//   digit) holds its threshold, one firing more raises it and one that
//   never wins has it lowered until it does (frequency-sensitive
//   competition, DeSieno 1988); the threshold's own decay (10000 s) is theirs;
// - a learning rate per pass, twice theirs in the first, theirs after: they
//   showed 180000 digits, here each of 8000 is shown a few times.

import { PIXELS } from '../data/mnist.js';

export const DC = {
  dt: 0.5,
  presentMs: 350,
  restMs: 150,
  /** Rate of a white pixel at the start intensity (Hz). */
  maxRate: 63.75,
  /** A digit that evokes fewer spikes than this is shown again with the input rates raised by a half of the start. */
  minSpikes: 5,
  maxBoosts: 16,
  weightTotal: 78,
};

/** The parameters of the protocol that hebb varies (the rest are DC and the model below). */
export interface DcSetup {
  /** Sum of each excitatory neuron's input weights, restored before each digit while learning. */
  weightTotal: number;
  /** Weight of inhibitory neuron i onto every excitatory neuron but i (in units of g_L). */
  inhibition: number;
  /** Decay time of the adaptive threshold (ms). */
  tauTheta: number;
  /** Homeostasis: the spikes a digit the layer shares out; each neuron's threshold falls by theta_plus x this / N per digit while learning (0: off). */
  shareSpikes: number;
  /** The learning rate of each pass, relative to the published amplitudes (the last one repeats). */
  learningRates: number[];
  /** Rate of a white pixel at the start intensity (Hz). */
  inputRate: number;
  /** Each digit's intensities scaled to sum to this (a digit's ink; the digits average about 100), so thin and heavy digits drive the layer alike; 0: as drawn (theirs). */
  ink: number;
}

/** Diehl & Cook's published code. */
export const DC_PUBLISHED: DcSetup = { weightTotal: DC.weightTotal, inhibition: 17, tauTheta: 1e7, shareSpikes: 0, learningRates: [1], inputRate: DC.maxRate, ink: 0 };
/** hebb's default (see the top of this file). */
export const DC_TUNED: DcSetup = { weightTotal: 115, inhibition: 10, tauTheta: 1e7, shareSpikes: 32, learningRates: [2, 1], inputRate: DC.maxRate, ink: 0 };

/** The adaptive threshold's increase per spike (mV). */
export const THETA_PLUS = 0.05;

export function diehlCookModel(neurons: number, seed: number, setup: DcSetup): Record<string, unknown> {
  return {
    name: 'diehl-cook', dt: DC.dt, duration: 1e9, seed,
    populations: [
      { name: 'input', size: PIXELS, model: 'poisson', params: { rate: 0 } },
      {
        name: 'exc', size: neurons, model: 'lif_cond',
        params: { c_m: 100, g_l: 1, e_l: -65, e_ex: 0, e_in: -100, v_reset: -65, v_thresh: -52, t_ref: 5, tau_syn_e: 1, tau_syn_i: 2, theta_plus: THETA_PLUS, tau_theta: setup.tauTheta },
        init: { v: -65 },
      },
      {
        name: 'inh', size: neurons, model: 'lif_cond',
        params: { c_m: 10, g_l: 1, e_l: -60, e_ex: 0, e_in: -85, v_reset: -45, v_thresh: -40, t_ref: 2, tau_syn_e: 1, tau_syn_i: 2 },
        init: { v: -60 },
      },
    ],
    projections: [
      {
        name: 'input->exc', from: 'input', to: 'exc', connect: { rule: 'all_to_all' }, weight: { uniform: [0.003, 0.303] }, delay: DC.dt, receptor: 'exc',
        plasticity: { rule: 'triplet', pairing: 'nearest', w_min: 0, w_max: 1, tau_plus: 20, tau_minus: 20, tau_x: 20, tau_y: 40, a2_plus: 0, a3_plus: 0.01, a2_minus: 0.0001, a3_minus: 0 },
      },
      { name: 'exc->inh', from: 'exc', to: 'inh', connect: { rule: 'one_to_one' }, weight: 10.4, delay: DC.dt, receptor: 'exc' },
      { name: 'inh->exc', from: 'inh', to: 'exc', connect: { rule: 'all_but_one' }, weight: setup.inhibition, delay: DC.dt, receptor: 'inh' },
    ],
    record: { spikes: [] },
  };
}

/** Each neuron's mean response to the digits of each class, row-major [class][neuron] (0 for a class never shown). */
function meanResponses(responses: ArrayLike<number>[], labels: ArrayLike<number>, neurons: number, classes: number): Float64Array {
  const means = new Float64Array(classes * neurons), counts = new Float64Array(classes);
  responses.forEach((r, k) => {
    const c = labels[k]!;
    counts[c]! += 1;
    for (let j = 0; j < neurons; j++) means[c * neurons + j]! += r[j]!;
  });
  for (let c = 0; c < classes; c++) if (counts[c]) for (let j = 0; j < neurons; j++) means[c * neurons + j]! /= counts[c]!;
  return means;
}

/** Each neuron's class: the class of the digits it answered most, on average (-1 if it never answered). */
export function assignLabels(responses: ArrayLike<number>[], labels: ArrayLike<number>, neurons: number, classes = 10): Int8Array {
  const means = meanResponses(responses, labels, neurons, classes);
  const out = new Int8Array(neurons).fill(-1);
  for (let j = 0; j < neurons; j++) {
    let best = -1, bestRate = 0;
    for (let c = 0; c < classes; c++) {
      const rate = means[c * neurons + j]!;
      if (rate > bestRate) { bestRate = rate; best = c; }
    }
    out[j] = best;
  }
  return out;
}

/** The class whose labelled neurons answered most, on average per neuron (-1 with no spikes at all). */
export function vote(response: ArrayLike<number>, assignments: Int8Array, classes = 10): number {
  const sums = new Float64Array(classes), counts = new Float64Array(classes);
  for (let j = 0; j < assignments.length; j++) {
    const c = assignments[j]!;
    if (c < 0) continue;
    sums[c]! += response[j]!;
    counts[c]! += 1;
  }
  let best = -1, bestScore = 0;
  for (let c = 0; c < classes; c++) {
    const score = counts[c] ? sums[c]! / counts[c]! : 0;
    if (score > bestScore) { bestScore = score; best = c; }
  }
  return best;
}

/**
 * Each neuron's response profile over the classes: its mean response to each
 * class, normalised to sum to 1 over the classes (all zeros if it never
 * answered). Row-major [class][neuron].
 */
export function classProportions(responses: ArrayLike<number>[], labels: ArrayLike<number>, neurons: number, classes = 10): Float64Array {
  const p = meanResponses(responses, labels, neurons, classes);
  for (let j = 0; j < neurons; j++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += p[c * neurons + j]!;
    if (sum > 0) for (let c = 0; c < classes; c++) p[c * neurons + j]! /= sum;
  }
  return p;
}

/**
 * The class with the largest proportion-weighted response: every spike of a
 * neuron counts for each class in proportion to how much of the neuron's
 * response that class drew during labelling (the "proportion weighting" of
 * BindsNET's Diehl & Cook reproduction). Unlike `vote`, a neuron that answers
 * two classes splits its evidence instead of giving all of it to one.
 * -1 with no spikes at all.
 */
export function proportionVote(response: ArrayLike<number>, proportions: Float64Array, classes = 10): number {
  const neurons = proportions.length / classes;
  let best = -1, bestScore = 0;
  for (let c = 0; c < classes; c++) {
    let score = 0;
    for (let j = 0; j < neurons; j++) score += response[j]! * proportions[c * neurons + j]!;
    if (score > bestScore) { bestScore = score; best = c; }
  }
  return best;
}
