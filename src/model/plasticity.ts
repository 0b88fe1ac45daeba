// Plasticity rules: each one its schema (time constants, amplitudes, with
// their ranges) and what it asks of the kernel. One entry per rule in
// PLASTICITY_RULES.

import { Type, type TObject, type Static } from '@sinclair/typebox';
import { quantity, type Add } from './values.js';
import { compileSynapse, type CompiledSynapse, type SynapseContext } from '../equations/synapse.js';
import { EquationError } from '../equations/model.js';

/** What the kernel is told about a plastic projection (see assembly/plasticity.ts). */
export interface KernelPlasticity {
  base: {
    rule: 'pair' | 'triplet' | 'reward';
    nearest: boolean;
    dendritic: boolean;
    tauPlus: number; tauMinus: number;
    aPlus: number; aMinus: number;
    wMin: number; wMax: number; mu: number;
  };
  triplet?: { tauX: number; tauY: number; a2p: number; a3p: number; a2m: number; a3m: number };
  reward?: { tauC: number; eta: number };
  /** A rule written as equations, compiled (src/equations/synapse.ts). */
  equations?: CompiledSynapse;
}

export interface PlasticityRule<P = { rule: string }> {
  readonly rule: string;
  readonly schema: TObject;
  /** context: the variables of the two populations and the step (rules written as equations read them). */
  kernel(pl: P, context?: SynapseContext): KernelPlasticity;
  /** Rules that span fields, one issue each (at: the plasticity object's path). */
  check?(pl: P, at: string, add: Add, context?: SynapseContext): void;
}

const common = {
  pairing: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('nearest')], {
    title: '"all" or "nearest"', default: 'all',
    description: 'all: every pre/post spike pair counts (traces add up); nearest: each spike pairs with the latest spike of the other side (traces are reset to 1)',
  })),
  delay: Type.Optional(Type.Union([Type.Literal('axonal'), Type.Literal('dendritic')], {
    title: '"axonal" or "dendritic"', default: 'axonal',
    description: 'axonal: a presynaptic spike reaches the synapse after the delay; dendritic: it is there at once and the postsynaptic spike reaches the synapse after the delay',
  })),
  w_min: Type.Optional(Type.Number({ description: 'lower weight bound', default: 0 })),
  w_max: Type.Number({ description: 'upper weight bound (the unit of the weights); amplitudes are fractions of it' }),
};

const tau = (description: string, dflt: number) => Type.Optional(quantity('time constant', 'ms', { description, default: dflt, exclusiveMinimum: 0 }));
const amplitude = (description: string, dflt: number) => Type.Optional(Type.Number({ description, default: dflt, minimum: 0 }));

function base(pl: Static<TObject<typeof common>>, rule: KernelPlasticity['base']['rule']) {
  return { rule, nearest: pl.pairing === 'nearest', dendritic: pl.delay === 'dendritic', wMin: pl.w_min ?? 0, wMax: pl.w_max };
}

const PairStdp = Type.Object({
  rule: Type.Literal('stdp'),
  ...common,
  tau_plus: tau('decay of the presynaptic trace', 20),
  tau_minus: tau('decay of the postsynaptic trace', 20),
  a_plus: amplitude('potentiation per pair at zero delay (fraction of w_max)', 0.005),
  a_minus: amplitude('depression per pair at zero delay (fraction of w_max)', 0.00525),
  mu: amplitude('weight dependence (Guetig et al. 2003): 0 additive with hard bounds, 1 multiplicative', 0),
}, { additionalProperties: false, description: 'pair-based STDP' });

/** Defaults: Pfister & Gerstner (2006), visual cortex, all-to-all, full model. */
const TripletStdp = Type.Object({
  rule: Type.Literal('triplet'),
  ...common,
  tau_plus: tau('fast presynaptic trace r1', 16.8),
  tau_minus: tau('fast postsynaptic trace o1', 33.7),
  tau_x: tau('slow presynaptic trace r2', 101),
  tau_y: tau('slow postsynaptic trace o2', 125),
  a2_plus: amplitude('pair potentiation (fraction of w_max)', 5e-10),
  a3_plus: amplitude('triplet potentiation (fraction of w_max)', 6.2e-3),
  a2_minus: amplitude('pair depression (fraction of w_max)', 7e-3),
  a3_minus: amplitude('triplet depression (fraction of w_max)', 2.3e-4),
}, { additionalProperties: false, description: 'triplet STDP (Pfister & Gerstner 2006); defaults: visual cortex, all-to-all' });

const RewardStdp = Type.Object({
  rule: Type.Literal('reward_stdp'),
  ...common,
  tau_plus: tau('decay of the presynaptic trace', 20),
  tau_minus: tau('decay of the postsynaptic trace', 20),
  a_plus: amplitude('eligibility per causal pair at zero delay', 1),
  a_minus: amplitude('eligibility per acausal pair at zero delay', 1.05),
  tau_c: tau('decay of the eligibility trace', 1000),
  learning_rate: amplitude('eta (1/ms): dw/dt = eta w_max M(t) c(t), M = reward - baseline', 0.001),
}, { additionalProperties: false, description: 'reward-modulated STDP: STDP into an eligibility trace, turned into weight change by a neuromodulator' });

const pair: PlasticityRule<Static<typeof PairStdp>> = {
  rule: 'stdp',
  schema: PairStdp,
  kernel: (pl) => ({ base: { ...base(pl, 'pair'), tauPlus: pl.tau_plus!, tauMinus: pl.tau_minus!, aPlus: pl.a_plus!, aMinus: pl.a_minus!, mu: pl.mu! } }),
};

const triplet: PlasticityRule<Static<typeof TripletStdp>> = {
  rule: 'triplet',
  schema: TripletStdp,
  kernel: (pl) => ({
    base: { ...base(pl, 'triplet'), tauPlus: pl.tau_plus!, tauMinus: pl.tau_minus!, aPlus: 0, aMinus: 0, mu: 0 },
    triplet: { tauX: pl.tau_x!, tauY: pl.tau_y!, a2p: pl.a2_plus!, a3p: pl.a3_plus!, a2m: pl.a2_minus!, a3m: pl.a3_minus! },
  }),
};

const reward: PlasticityRule<Static<typeof RewardStdp>> = {
  rule: 'reward_stdp',
  schema: RewardStdp,
  kernel: (pl) => ({
    base: { ...base(pl, 'reward'), tauPlus: pl.tau_plus!, tauMinus: pl.tau_minus!, aPlus: pl.a_plus!, aMinus: pl.a_minus!, mu: 0 },
    reward: { tauC: pl.tau_c!, eta: pl.learning_rate! },
  }),
};

const Line = Type.String({ maxLength: 4096 });
const Lines = (description: string) => Type.Optional(Type.Union([Line, Type.Array(Line, { maxItems: 256 })], { description }));
const EquationsRule = Type.Object({
  rule: Type.Literal('equations'),
  delay: common.delay,
  w_min: common.w_min,
  w_max: common.w_max,
  equations: Lines('event-driven synaptic variables, e.g. "dapre/dt = -apre/taupre : 1 (event-driven)"'),
  on_pre: Lines('statements when a presynaptic spike reaches the synapse, e.g. "apre += Apre; w = clip(w + apost, 0, wmax)"'),
  on_post: Lines('statements when a postsynaptic spike reaches the synapse back'),
  params: Type.Optional(Type.Record(Type.String({ maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.Union([Type.Number(), Type.String({ maxLength: 128 })]), { description: 'shared constants with units ("20 ms"); numbers are dimensionless' })),
}, { additionalProperties: false, description: 'a rule written as equations (Brian2\'s Synapses): w is the weight, in the projection\'s weight unit; initial weights are clamped to [w_min, w_max]' });

const compiledSynapses = new WeakMap<object, CompiledSynapse>();
function synapseOf(pl: Static<typeof EquationsRule>, context: SynapseContext | undefined): CompiledSynapse {
  let c = compiledSynapses.get(pl);
  if (!c) { c = compileSynapse(pl, context); compiledSynapses.set(pl, c); }
  return c;
}

const equations: PlasticityRule<Static<typeof EquationsRule>> = {
  rule: 'equations',
  schema: EquationsRule,
  kernel: (pl, context) => ({
    base: { rule: 'pair', nearest: false, dendritic: pl.delay === 'dendritic', tauPlus: 20, tauMinus: 20, aPlus: 0, aMinus: 0, wMin: pl.w_min ?? 0, wMax: pl.w_max, mu: 0 },
    equations: synapseOf(pl, context),
  }),
  check: (pl, at, add, context) => {
    const long = Object.keys(pl.params ?? {}).filter((k) => k.length > 64);
    if (long.length) { for (const k of long) add(`${at}/params/${k.slice(0, 64)}...`, `names are at most 64 characters (this one has ${k.length})`); return; }
    try {
      synapseOf(pl, context);
    } catch (e) {
      if (!(e instanceof EquationError)) throw e;
      for (const i of e.issues) add(`${at}/${i.path.replace(/ \(line (\d+)\)$/, '')}`, i.message);
    }
  },
};

/** Every plasticity rule, one line each. */
export const PLASTICITY_RULES: readonly PlasticityRule<never>[] = [
  pair,
  triplet,
  reward,
  equations,
];

const byRule = new Map<string, PlasticityRule<never>>(PLASTICITY_RULES.map((r) => [r.rule, r]));

export function plasticityRule(rule: string): PlasticityRule<unknown> {
  const r = byRule.get(rule);
  if (!r) throw new Error(`no plasticity rule "${rule}"`);
  return r as PlasticityRule<unknown>;
}

export type PairStdp = Static<typeof PairStdp>;
export type TripletStdp = Static<typeof TripletStdp>;
export type RewardStdp = Static<typeof RewardStdp>;
export type EquationsRule = Static<typeof EquationsRule>;
