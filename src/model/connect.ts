// Connection rules: each one its schema, the checks it makes against the
// populations it joins, the synapses it expects (for the limits) and how it
// is built, through the connection primitives the network builder provides
// (the kernel draws the connectivity). One entry per rule in CONNECT_RULES.

import { Type, type TObject, type Static } from '@sinclair/typebox';
import type { Add } from './values.js';
import { msToSteps } from './units.js';

/** The kernel's connection primitives, for one projection (src/network implements them). */
export interface ConnectionBuilder {
  fixedProbability(p: number, autapses: boolean): void;
  fixedIndegree(n: number, autapses: boolean, multapses: boolean): void;
  fixedOutdegree(n: number, autapses: boolean, multapses: boolean): void;
  oneToOne(): void;
  allToAll(autapses: boolean): void;
  allButOne(): void;
  lattice(side: number): void;
  list(pre: Uint32Array, post: Uint32Array, weights: Float32Array | undefined, delaySteps: Uint16Array | undefined): void;
}

export interface RuleContext {
  at: string;
  from: string;
  to: string;
  nPre: number;
  nPost: number;
  /** The projection joins a population to itself. */
  same: boolean;
  dt: number;
  add: Add;
}

export interface ConnectionRule<C = { rule: string }> {
  readonly rule: string;
  readonly schema: TObject;
  /** Checks the rule against its populations; returns the synapses it will make (expected). */
  check(c: C, ctx: RuleContext): number;
  build(c: C, b: ConnectionBuilder, dt: number): void;
}

function defineRule<S extends TObject>(schema: S, r: Omit<ConnectionRule<Static<S>>, 'rule' | 'schema'>): ConnectionRule<Static<S>> {
  const rule = (schema.properties as unknown as { rule: { const: string } }).rule.const;
  return { rule, schema, ...r };
}

const autapses = Type.Optional(Type.Boolean({ description: 'allow i -> i within one population', default: true }));
const multapses = Type.Optional(Type.Boolean({ description: 'allow several synapses between one pair', default: true }));

const fixedProbability = defineRule(Type.Object({
  rule: Type.Literal('fixed_probability'),
  p: Type.Number({ description: 'probability of each ordered pair', minimum: 0, maximum: 1 }),
  allow_autapses: autapses,
}, { additionalProperties: false }), {
  check: (c, x) => x.nPre * x.nPost * c.p,
  build: (c, b) => b.fixedProbability(c.p, c.allow_autapses !== false),
});

const fixedIndegree = defineRule(Type.Object({
  rule: Type.Literal('fixed_indegree'),
  indegree: Type.Integer({ minimum: 0, description: 'synapses per target neuron' }),
  allow_autapses: autapses,
  allow_multapses: multapses,
}, { additionalProperties: false }), {
  check: (c, x) => {
    const available = x.same && c.allow_autapses === false ? x.nPre - 1 : x.nPre;
    if (c.allow_multapses === false && c.indegree > available) {
      x.add(`${x.at}/connect/indegree`, `indegree ${c.indegree} needs that many distinct sources, but "${x.from}" offers ${available} (set allow_multapses)`);
    }
    if (c.indegree > 0 && available <= 0) x.add(`${x.at}/connect/indegree`, `"${x.from}" has no neuron to connect from`);
    return c.indegree * x.nPost;
  },
  build: (c, b) => b.fixedIndegree(c.indegree, c.allow_autapses !== false, c.allow_multapses !== false),
});

const fixedOutdegree = defineRule(Type.Object({
  rule: Type.Literal('fixed_outdegree'),
  outdegree: Type.Integer({ minimum: 0, description: 'synapses per source neuron' }),
  allow_autapses: autapses,
  allow_multapses: multapses,
}, { additionalProperties: false }), {
  check: (c, x) => {
    const available = x.same && c.allow_autapses === false ? x.nPost - 1 : x.nPost;
    if (c.allow_multapses === false && c.outdegree > available) {
      x.add(`${x.at}/connect/outdegree`, `outdegree ${c.outdegree} needs that many distinct targets, but "${x.to}" offers ${available} (set allow_multapses)`);
    }
    if (c.outdegree > 0 && available <= 0) x.add(`${x.at}/connect/outdegree`, `"${x.to}" has no neuron to connect to`);
    return c.outdegree * x.nPre;
  },
  build: (c, b) => b.fixedOutdegree(c.outdegree, c.allow_autapses !== false, c.allow_multapses !== false),
});

const oneToOne = defineRule(Type.Object({ rule: Type.Literal('one_to_one') }, { additionalProperties: false }), {
  check: (_c, x) => {
    if (x.nPre !== x.nPost) x.add(`${x.at}/connect`, `one_to_one needs populations of equal size ("${x.from}" ${x.nPre}, "${x.to}" ${x.nPost})`);
    return x.nPre;
  },
  build: (_c, b) => b.oneToOne(),
});

const allToAll = defineRule(Type.Object({ rule: Type.Literal('all_to_all'), allow_autapses: autapses }, { additionalProperties: false }), {
  check: (_c, x) => x.nPre * x.nPost,
  build: (c, b) => b.allToAll(c.allow_autapses !== false),
});

const allButOne = defineRule(Type.Object({ rule: Type.Literal('all_but_one') }, {
  additionalProperties: false,
  description: 'source i connects to every target except target i (equal sizes): lateral inhibition wiring',
}), {
  check: (_c, x) => {
    if (x.nPre !== x.nPost) x.add(`${x.at}/connect`, `all_but_one needs populations of equal size ("${x.from}" ${x.nPre}, "${x.to}" ${x.nPost})`);
    return x.nPre * (x.nPost - 1);
  },
  build: (_c, b) => b.allButOne(),
});

const lattice = defineRule(Type.Object({
  rule: Type.Literal('lattice'),
  shape: Type.Tuple([Type.Integer({ minimum: 3 }), Type.Integer({ minimum: 3 })], { description: '[L, L]: a periodic square lattice; each unit couples to its 4 neighbours' }),
}, { additionalProperties: false }), {
  check: (c, x) => {
    const [a, b] = c.shape;
    if (a !== b) x.add(`${x.at}/connect/shape`, `the lattice must be square (got ${a} x ${b})`);
    if (!x.same) x.add(`${x.at}/to`, 'a lattice couples a population to itself');
    if (x.nPre !== a * b) x.add(`${x.at}/connect/shape`, `a ${a} x ${b} lattice needs ${a * b} units; "${x.from}" has ${x.nPre}`);
    return 4 * x.nPre;
  },
  build: (c, b) => b.lattice(c.shape[0]),
});

const list = defineRule(Type.Object({
  rule: Type.Literal('list'),
  pre: Type.Array(Type.Integer({ minimum: 0 }), { description: 'source neuron of each synapse' }),
  post: Type.Array(Type.Integer({ minimum: 0 }), { description: 'target neuron of each synapse' }),
  weights: Type.Optional(Type.Array(Type.Number(), { description: 'weight of each synapse (then omit "weight")' })),
  delays: Type.Optional(Type.Array(Type.Number(), { description: 'delay of each synapse (ms; then omit "delay")' })),
}, { additionalProperties: false }), {
  check: (c, x) => {
    const n = c.pre.length;
    if (c.post.length !== n) x.add(`${x.at}/connect/post`, `needs one entry per source: ${n} (got ${c.post.length})`);
    c.pre.forEach((i, s) => { if (i >= x.nPre) x.add(`${x.at}/connect/pre/${s}`, `neuron ${i} is outside "${x.from}" (size ${x.nPre})`); });
    c.post.forEach((j, s) => { if (j >= x.nPost) x.add(`${x.at}/connect/post/${s}`, `neuron ${j} is outside "${x.to}" (size ${x.nPost})`); });
    if (c.weights && c.weights.length !== n) x.add(`${x.at}/connect/weights`, `needs one weight per synapse: ${n} (got ${c.weights.length})`);
    if (c.delays && c.delays.length !== n) x.add(`${x.at}/connect/delays`, `needs one delay per synapse: ${n} (got ${c.delays.length})`);
    return n;
  },
  build: (c, b, dt) => b.list(
    Uint32Array.from(c.pre), Uint32Array.from(c.post),
    c.weights ? Float32Array.from(c.weights) : undefined,
    c.delays ? Uint16Array.from(c.delays, (d) => msToSteps(d, dt)) : undefined,
  ),
});

/** Every connection rule, one line each. */
export const CONNECT_RULES: readonly ConnectionRule<never>[] = [
  fixedProbability,
  fixedIndegree,
  fixedOutdegree,
  oneToOne,
  allToAll,
  allButOne,
  lattice,
  list,
];

const byRule = new Map<string, ConnectionRule<never>>(CONNECT_RULES.map((r) => [r.rule, r]));

export function connectionRule(rule: string): ConnectionRule<unknown> {
  const r = byRule.get(rule);
  if (!r) throw new Error(`no connection rule "${rule}"`);
  return r as ConnectionRule<unknown>;
}

/** A list rule with its own weights or delays. */
export type ListConnect = Static<typeof list.schema>;
