// The model format: one schema for the CLI, the server routes, the docs and
// the TypeScript types. Every parameter states its unit. Defaults live here
// too (ajv fills them in), so there is no second table of them.
//
// Units: time ms, voltage mV, current pA, conductance nS, capacitance pF,
// rate Hz. Weights are in the unit of the variable they act on (see
// WEIGHT_UNITS below).

import { Type, type Static, type TSchema } from '@sinclair/typebox';

const num = (description: string, extra: object = {}) => Type.Number({ description, ...extra });
const ms = (what: string, dflt?: number) =>
  Type.Number({ description: `${what} (ms)`, ...(dflt === undefined ? {} : { default: dflt }) });
const mV = (what: string, dflt: number) => Type.Number({ description: `${what} (mV)`, default: dflt });

// ------------------------------------------------------------------ values

export const Uniform = Type.Object(
  { uniform: Type.Tuple([Type.Number(), Type.Number()], { description: '[low, high): uniform distribution' }) },
  { additionalProperties: false, title: '{ "uniform": [low, high] }' },
);
export const Normal = Type.Object(
  {
    normal: Type.Tuple([Type.Number(), Type.Number()], { description: '[mean, standard deviation]' }),
    clip: Type.Optional(Type.Tuple([Type.Number(), Type.Number()], { description: 'draws are clipped to [low, high]' })),
  },
  { additionalProperties: false, title: '{ "normal": [mean, sd], "clip": [low, high] }' },
);
/** A number, or a distribution drawn per neuron or per synapse from the model's seed. */
export const Value = Type.Union([Type.Number(), Uniform, Normal], {
  title: 'a number, { "uniform": [low, high] } or { "normal": [mean, sd], "clip": [low, high] }',
});
export type Value = Static<typeof Value>;

/** Initial values: a Value, or one number per neuron. */
export const InitValue = Type.Union([Type.Number(), Uniform, Normal, Type.Array(Type.Number())], {
  title: 'a number, { "uniform": [low, high] }, { "normal": [mean, sd], "clip": [low, high] } or one value per neuron',
});
export type InitValue = Static<typeof InitValue>;

// ------------------------------------------------------------------ neuron models

const LifParams = Type.Object({
  tau_m: ms('membrane time constant', 10),
  c_m: Type.Number({ description: 'membrane capacitance (pF); R = tau_m / c_m', default: 250 }),
  v_rest: mV('resting potential', -70),
  v_reset: mV('reset potential', -70),
  v_thresh: mV('spike threshold', -55),
  t_ref: ms('refractory period, v held at v_reset', 2),
  tau_syn_e: ms('decay time of the excitatory synaptic current', 2),
  tau_syn_i: ms('decay time of the inhibitory synaptic current', 2),
  i_e: Type.Number({ description: 'constant input current (pA)', default: 0 }),
  theta_plus: Type.Number({ description: 'adaptive threshold: increase of the threshold at each spike (mV); 0 turns it off', default: 0 }),
  tau_theta: Type.Number({ description: 'adaptive threshold: decay time of the increase (ms)', default: 1e7 }),
}, { additionalProperties: false, default: {} });

const LifCondParams = Type.Object({
  c_m: Type.Number({ description: 'membrane capacitance (pF)', default: 250 }),
  g_l: Type.Number({ description: 'leak conductance (nS)', default: 16.6667 }),
  e_l: mV('leak reversal potential', -70),
  e_ex: mV('excitatory reversal potential', 0),
  e_in: mV('inhibitory reversal potential', -85),
  v_reset: mV('reset potential', -60),
  v_thresh: mV('spike threshold', -55),
  t_ref: ms('refractory period, v held at v_reset', 2),
  tau_syn_e: ms('decay time of the excitatory conductance', 0.2),
  tau_syn_i: ms('decay time of the inhibitory conductance', 2),
  i_e: Type.Number({ description: 'constant input current (pA)', default: 0 }),
  integrator: Type.Union([Type.Literal('exponential_euler'), Type.Literal('euler')], {
    title: '"exponential_euler" or "euler"',
    description: 'exponential_euler: v exact with conductances held over dt; euler: forward Euler (the Brian2 COBA benchmark)',
    default: 'exponential_euler',
  }),
  theta_plus: Type.Number({ description: 'adaptive threshold: increase of the threshold at each spike (mV); 0 turns it off', default: 0 }),
  tau_theta: Type.Number({ description: 'adaptive threshold: decay time of the increase (ms)', default: 1e7 }),
}, { additionalProperties: false, default: {} });

const LifDeltaParams = Type.Object({
  tau_m: ms('membrane time constant', 10),
  c_m: Type.Number({ description: 'membrane capacitance (pF); R = tau_m / c_m', default: 250 }),
  v_rest: mV('resting potential', -70),
  v_reset: mV('reset potential', -70),
  v_thresh: mV('spike threshold', -55),
  t_ref: ms('refractory period: v held at v_reset, inputs dropped', 2),
  i_e: Type.Number({ description: 'constant input current (pA)', default: 0 }),
}, { additionalProperties: false, default: {} });

const IzhikevichParams = Type.Object({
  a: num('recovery time scale (1/ms)', { default: 0.02 }),
  b: num('recovery sensitivity to v (1/ms)', { default: 0.2 }),
  c: mV('reset potential', -65),
  d: num('recovery increment at a spike (mV/ms)', { default: 8 }),
  v_peak: mV('spike cut-off', 30),
  tau_syn_e: ms('decay time of the excitatory synaptic current', 5),
  tau_syn_i: ms('decay time of the inhibitory synaptic current', 5),
  i_e: num('constant input (mV/ms, the I of Izhikevich 2003)', { default: 0 }),
}, { additionalProperties: false, default: {} });

const PoissonParams = Type.Object({
  rate: num('firing rate of every neuron (Hz); init.rate sets one per neuron'),
  process: Type.Optional(Type.Union([Type.Literal('poisson'), Type.Literal('regular')], {
    title: '"poisson" or "regular"', default: 'poisson',
    description: 'poisson: independent Poisson trains; regular: each neuron fires every 1/rate, starting at a random phase',
  })),
}, { additionalProperties: false });

const SpikeSourceParams = Type.Object({
  spike_times: Type.Array(Type.Array(Type.Number()), {
    description: 'one list per neuron of spike times (ms, > 0, ascending)',
  }),
}, { additionalProperties: false });

const BinaryParams = Type.Object({
  values: Type.Union([Type.Literal('pm1'), Type.Literal('01')], { title: '"pm1" or "01"', default: 'pm1', description: 'unit states: pm1 = {-1, +1} (Hopfield, Ising), 01 = {0, 1} (Boltzmann machines); a unit turning on is a spike' }),
  dynamics: Type.Union([Type.Literal('deterministic'), Type.Literal('heat_bath'), Type.Literal('metropolis')], {
    title: '"deterministic", "heat_bath" or "metropolis"', default: 'deterministic',
    description: 'deterministic: s = hi if h + bias >= 0; heat_bath: P(hi) = sigmoid(g (h + bias) / T) (Gibbs; g = 2 for pm1, 1 for 01); metropolis: flip with min(1, exp(-dE/T))',
  }),
  temperature: Type.Number({ description: 'T of the stochastic dynamics (energy units, k_B = 1)', default: 1 }),
  update: Type.Union([Type.Literal('sequential'), Type.Literal('random'), Type.Literal('typewriter'), Type.Literal('poisson'), Type.Literal('synchronous')], {
    title: '"sequential", "random", "typewriter", "poisson" or "synchronous"', default: 'sequential',
    description: 'sequential: sweeps in a fresh random order; random: units drawn at random (Glauber); typewriter: sweeps in index order; poisson: each unit on its own Poisson clock (rate); synchronous: all units from the same old state',
  }),
  sweeps_per_step: Type.Number({ description: 'updates per step, in units of the population size (sweeps)', default: 1 }),
  rate: Type.Number({ description: 'poisson order: updates per unit per second (Hz)', default: 1000 }),
  threshold: Type.Number({ description: 'threshold theta of every unit (Hopfield: s = hi if h >= theta); the bias is -theta', default: 0 }),
  bias: Type.Number({ description: 'bias b of every unit (Boltzmann, Ising field h)', default: 0 }),
  temperature_schedule: Type.Optional(Type.Object({
    times: Type.Array(Type.Number(), { description: 'times at which the temperature changes (ms, ascending)' }),
    values: Type.Array(Type.Number(), { description: 'temperature from each time on (annealing)' }),
  }, { additionalProperties: false })),
}, { additionalProperties: false, default: {} });

const Patterns = Type.Union([
  Type.Object({ random: Type.Object({
    count: Type.Integer({ minimum: 0, description: 'number of patterns' }),
    p_on: Type.Optional(Type.Number({ description: 'probability of a unit being on', default: 0.5 })),
  }, { additionalProperties: false }) }, { additionalProperties: false }),
  Type.Object({ list: Type.Array(Type.Array(Type.Number()), { description: 'patterns, one value per unit (lo or hi)' }) }, { additionalProperties: false }),
  Type.Object({ mnist: Type.Object({
    count: Type.Integer({ minimum: 1, description: 'number of digit images' }),
    digits: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 9 }), { description: 'digit classes to take, in turn (default 0-9)' })),
    binarize: Type.Optional(Type.Number({ description: 'intensity above which a pixel is on', default: 0.5 })),
  }, { additionalProperties: false }) }, { additionalProperties: false }),
], { title: '{ "random": { count, p_on } }, { "list": [[...]] } or { "mnist": { count, digits, binarize } }', description: 'patterns stored by learned couplings (learn) and used as cues' });
export type Patterns = Static<typeof Patterns>;

const BinaryState = Type.Union([
  Type.Number(),
  Type.Literal('random'),
  Type.Object({ pattern: Type.Integer({ minimum: 0 }), flip: Type.Optional(Type.Number({ description: 'fraction of units flipped at random', default: 0 })) }, { additionalProperties: false }),
  Type.Array(Type.Number()),
], { title: 'a value, "random", { "pattern": k, "flip": fraction } or one value per unit' });
export type BinaryState = Static<typeof BinaryState>;

const StepCurrent = Type.Object({
  times: Type.Array(Type.Number(), { description: 'times at which the current changes (ms, ascending)' }),
  amplitudes: Type.Array(Type.Number(), { description: 'current from each time on (pA; mV/ms for izhikevich)' }),
}, { additionalProperties: false, description: 'step current added to every neuron of the population' });

const PoissonInputs = Type.Array(Type.Object({
  rate: Type.Number({ description: 'rate of the Poisson spike train each neuron receives (Hz)' }),
  weight: Type.Number({ description: 'effect of one input spike (the unit of the population\'s weights)' }),
  receptor: Type.Optional(Type.Union([Type.Literal('exc'), Type.Literal('inh')], { title: '"exc" or "inh"', description: 'default by the weight sign' })),
}, { additionalProperties: false }), {
  description: 'external Poisson drive, one independent train per neuron; the spikes of a step arrive at its end (as NEST\'s poisson_generator)',
});

const Init = (vars: string[]) => Type.Object(
  Object.fromEntries(vars.map((v) => [v, Type.Optional(InitValue)])),
  { additionalProperties: false, description: `initial values: ${vars.join(', ')}` },
);

const popBase = {
  name: Type.String({ minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_\\-]*$', description: 'unique population name' }),
  size: Type.Integer({ minimum: 0, description: 'number of neurons' }),
};

const PopLif = Type.Object({
  ...popBase, model: Type.Literal('lif'), params: Type.Optional(LifParams),
  init: Type.Optional(Init(['v', 'ge', 'gi', 'i_e', 'theta'])), current: Type.Optional(StepCurrent), poisson_input: Type.Optional(PoissonInputs),
}, { additionalProperties: false, description: 'current-based LIF with exponential synaptic currents (weights in mV)' });
const PopLifCond = Type.Object({
  ...popBase, model: Type.Literal('lif_cond'), params: Type.Optional(LifCondParams),
  init: Type.Optional(Init(['v', 'ge', 'gi', 'i_e', 'theta'])), current: Type.Optional(StepCurrent), poisson_input: Type.Optional(PoissonInputs),
}, { additionalProperties: false, description: 'conductance-based LIF with exponential conductances (weights in nS)' });
const PopLifDelta = Type.Object({
  ...popBase, model: Type.Literal('lif_delta'), params: Type.Optional(LifDeltaParams),
  init: Type.Optional(Init(['v', 'i_e'])), current: Type.Optional(StepCurrent), poisson_input: Type.Optional(PoissonInputs),
}, { additionalProperties: false, description: 'LIF with voltage jumps, event-driven with exact spike times (weights in mV)' });
const PopIzhikevich = Type.Object({
  ...popBase, model: Type.Literal('izhikevich'), params: Type.Optional(IzhikevichParams),
  init: Type.Optional(Init(['v', 'u', 'ge', 'gi', 'i_e'])), current: Type.Optional(StepCurrent), poisson_input: Type.Optional(PoissonInputs),
}, { additionalProperties: false, description: 'Izhikevich 2003 (weights in mV/ms)' });
const PopPoisson = Type.Object({
  ...popBase, model: Type.Literal('poisson'), params: PoissonParams,
  init: Type.Optional(Init(['rate'])),
}, { additionalProperties: false, description: 'independent Poisson spike trains, exact event times' });
const PopBinary = Type.Object({
  ...popBase, model: Type.Literal('binary'), params: Type.Optional(BinaryParams),
  patterns: Type.Optional(Patterns),
  init: Type.Optional(Type.Object({ state: Type.Optional(BinaryState), bias: Type.Optional(InitValue) }, { additionalProperties: false })),
}, { additionalProperties: false, description: 'binary units: Hopfield neurons, stochastic Boltzmann units, Ising spins; couplings between them act at once' });

const PopSpikeSource = Type.Object({
  ...popBase, model: Type.Literal('spike_source'), params: SpikeSourceParams,
}, { additionalProperties: false, description: 'neurons that fire at given times' });

export const POPULATION_VARIANTS = [PopLif, PopLifCond, PopLifDelta, PopIzhikevich, PopPoisson, PopSpikeSource, PopBinary] as const;
export const MODEL_NAMES = ['lif', 'lif_cond', 'lif_delta', 'izhikevich', 'poisson', 'spike_source', 'binary'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const PopulationUnion = Type.Union([...POPULATION_VARIANTS]);
export type Population = Static<typeof PopulationUnion>;
export type LifPopulation = Static<typeof PopLif>;
export type LifCondPopulation = Static<typeof PopLifCond>;
export type LifDeltaPopulation = Static<typeof PopLifDelta>;
export type IzhikevichPopulation = Static<typeof PopIzhikevich>;
export type PoissonPopulation = Static<typeof PopPoisson>;
export type SpikeSourcePopulation = Static<typeof PopSpikeSource>;
export type BinaryPopulation = Static<typeof PopBinary>;

// oneOf + discriminator: ajv checks only the branch the tag names, so errors
// point into the right model's params.
export const Population = Type.Unsafe<Population>({
  type: 'object',
  required: ['model'],
  properties: { model: { type: 'string' } },
  discriminator: { propertyName: 'model' },
  oneOf: POPULATION_VARIANTS,
});

/** State variables each model can initialise and record. */
export const MODEL_VARIABLES: Record<ModelName, readonly string[]> = {
  lif: ['v', 'ge', 'gi', 'i_e', 'theta'],
  lif_cond: ['v', 'ge', 'gi', 'i_e', 'theta'],
  lif_delta: ['v', 'i_e'],
  izhikevich: ['v', 'u', 'ge', 'gi', 'i_e'],
  poisson: ['rate'],
  spike_source: [],
  binary: ['state', 'bias', 'field'],
};

/** What a weight means on each target model. */
export const WEIGHT_UNITS: Record<ModelName, string> = {
  lif: 'mV (jump of the synaptic current term)',
  lif_cond: 'nS (jump of the conductance)',
  lif_delta: 'mV (jump of the membrane potential)',
  izhikevich: 'mV/ms (jump of the synaptic current)',
  poisson: '',
  spike_source: '',
  binary: 'energy units (the coupling w_ij of the energy -1/2 sum w_ij s_i s_j)',
};

// ------------------------------------------------------------------ connectivity

const autapses = Type.Optional(Type.Boolean({ description: 'allow i -> i within one population', default: true }));
const multapses = Type.Optional(Type.Boolean({ description: 'allow several synapses between one pair', default: true }));

const ConnectVariants = [
  Type.Object({
    rule: Type.Literal('fixed_probability'),
    p: Type.Number({ description: 'probability of each ordered pair', minimum: 0, maximum: 1 }),
    allow_autapses: autapses,
  }, { additionalProperties: false }),
  Type.Object({
    rule: Type.Literal('fixed_indegree'),
    indegree: Type.Integer({ minimum: 0, description: 'synapses per target neuron' }),
    allow_autapses: autapses,
    allow_multapses: multapses,
  }, { additionalProperties: false }),
  Type.Object({
    rule: Type.Literal('fixed_outdegree'),
    outdegree: Type.Integer({ minimum: 0, description: 'synapses per source neuron' }),
    allow_autapses: autapses,
    allow_multapses: multapses,
  }, { additionalProperties: false }),
  Type.Object({ rule: Type.Literal('one_to_one') }, { additionalProperties: false }),
  Type.Object({ rule: Type.Literal('all_to_all'), allow_autapses: autapses }, { additionalProperties: false }),
  Type.Object({ rule: Type.Literal('all_but_one') }, {
    additionalProperties: false,
    description: 'source i connects to every target except target i (equal sizes): lateral inhibition wiring',
  }),
  Type.Object({
    rule: Type.Literal('lattice'),
    shape: Type.Tuple([Type.Integer({ minimum: 3 }), Type.Integer({ minimum: 3 })], { description: '[L, L]: a periodic square lattice; each unit couples to its 4 neighbours' }),
  }, { additionalProperties: false }),
  Type.Object({
    rule: Type.Literal('list'),
    pre: Type.Array(Type.Integer({ minimum: 0 }), { description: 'source neuron of each synapse' }),
    post: Type.Array(Type.Integer({ minimum: 0 }), { description: 'target neuron of each synapse' }),
    weights: Type.Optional(Type.Array(Type.Number(), { description: 'weight of each synapse (then omit "weight")' })),
    delays: Type.Optional(Type.Array(Type.Number(), { description: 'delay of each synapse (ms; then omit "delay")' })),
  }, { additionalProperties: false }),
] as const;
export const CONNECT_RULES = ['fixed_probability', 'fixed_indegree', 'fixed_outdegree', 'one_to_one', 'all_to_all', 'all_but_one', 'lattice', 'list'] as const;
const ConnectUnion = Type.Union([...ConnectVariants]);
export type Connect = Static<typeof ConnectUnion>;
export const Connect = Type.Unsafe<Connect>({
  type: 'object',
  required: ['rule'],
  properties: { rule: { type: 'string' } },
  discriminator: { propertyName: 'rule' },
  oneOf: ConnectVariants,
});

// ------------------------------------------------------------------ plasticity

const plasticCommon = {
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

export const PairStdp = Type.Object({
  rule: Type.Literal('stdp'),
  ...plasticCommon,
  tau_plus: Type.Optional(Type.Number({ description: 'decay of the presynaptic trace (ms)', default: 20 })),
  tau_minus: Type.Optional(Type.Number({ description: 'decay of the postsynaptic trace (ms)', default: 20 })),
  a_plus: Type.Optional(Type.Number({ description: 'potentiation per pair at zero delay (fraction of w_max)', default: 0.005 })),
  a_minus: Type.Optional(Type.Number({ description: 'depression per pair at zero delay (fraction of w_max)', default: 0.00525 })),
  mu: Type.Optional(Type.Number({ description: 'weight dependence (Guetig et al. 2003): 0 additive with hard bounds, 1 multiplicative', default: 0 })),
}, { additionalProperties: false, description: 'pair-based STDP' });

/** Defaults: Pfister & Gerstner (2006), visual cortex, all-to-all, full model. */
export const TripletStdp = Type.Object({
  rule: Type.Literal('triplet'),
  ...plasticCommon,
  tau_plus: Type.Optional(Type.Number({ description: 'fast presynaptic trace r1 (ms)', default: 16.8 })),
  tau_minus: Type.Optional(Type.Number({ description: 'fast postsynaptic trace o1 (ms)', default: 33.7 })),
  tau_x: Type.Optional(Type.Number({ description: 'slow presynaptic trace r2 (ms)', default: 101 })),
  tau_y: Type.Optional(Type.Number({ description: 'slow postsynaptic trace o2 (ms)', default: 125 })),
  a2_plus: Type.Optional(Type.Number({ description: 'pair potentiation (fraction of w_max)', default: 5e-10 })),
  a3_plus: Type.Optional(Type.Number({ description: 'triplet potentiation (fraction of w_max)', default: 6.2e-3 })),
  a2_minus: Type.Optional(Type.Number({ description: 'pair depression (fraction of w_max)', default: 7e-3 })),
  a3_minus: Type.Optional(Type.Number({ description: 'triplet depression (fraction of w_max)', default: 2.3e-4 })),
}, { additionalProperties: false, description: 'triplet STDP (Pfister & Gerstner 2006); defaults: visual cortex, all-to-all' });

export const RewardStdp = Type.Object({
  rule: Type.Literal('reward_stdp'),
  ...plasticCommon,
  tau_plus: Type.Optional(Type.Number({ description: 'decay of the presynaptic trace (ms)', default: 20 })),
  tau_minus: Type.Optional(Type.Number({ description: 'decay of the postsynaptic trace (ms)', default: 20 })),
  a_plus: Type.Optional(Type.Number({ description: 'eligibility per causal pair at zero delay', default: 1 })),
  a_minus: Type.Optional(Type.Number({ description: 'eligibility per acausal pair at zero delay', default: 1.05 })),
  tau_c: Type.Optional(Type.Number({ description: 'decay of the eligibility trace (ms)', default: 1000 })),
  learning_rate: Type.Optional(Type.Number({ description: 'eta (1/ms): dw/dt = eta w_max M(t) c(t), M = reward - baseline', default: 0.001 })),
}, { additionalProperties: false, description: 'reward-modulated STDP: STDP into an eligibility trace, turned into weight change by a neuromodulator' });

const PlasticityVariants = [PairStdp, TripletStdp, RewardStdp] as const;
export const PLASTICITY_RULES = ['stdp', 'triplet', 'reward_stdp'] as const;
const PlasticityUnion = Type.Union([...PlasticityVariants]);
export type Plasticity = Static<typeof PlasticityUnion>;
export const Plasticity = Type.Unsafe<Plasticity>({
  type: 'object',
  required: ['rule'],
  properties: { rule: { type: 'string' } },
  discriminator: { propertyName: 'rule' },
  oneOf: PlasticityVariants,
});

export const Projection = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, description: 'name (default "from->to")' })),
  from: Type.String({ description: 'source population' }),
  to: Type.String({ description: 'target population' }),
  connect: Connect,
  weight: Type.Optional(Value),
  delay: Type.Optional(Type.Union([Type.Number(), Uniform, Normal], {
    title: Value.title,
    description: 'axonal delay (ms; >= dt, rounded to whole steps; default one step): a spike at t acts on the target at t + delay',
  })),
  receptor: Type.Optional(Type.Union([Type.Literal('exc'), Type.Literal('inh')], {
    title: '"exc" or "inh"',
    description: 'synaptic variable the weights add to: ge ("exc") or gi ("inh"); default by the weight sign',
  })),
  plasticity: Type.Optional(Type.Union([Plasticity, Type.Null()], {
    title: 'a plasticity block or null',
    description: 'synaptic plasticity (null or absent: static synapses)',
  })),
  learn: Type.Optional(Type.Union([Type.Literal('hebbian'), Type.Literal('storkey')], {
    title: '"hebbian" or "storkey"',
    description: 'couplings between binary units learned from the population\'s patterns: hebbian w_ij = (1/N) sum_mu e_i e_j (zero diagonal); storkey: the Storkey (1997) rule, higher capacity. Replaces "weight".',
  })),
  normalize: Type.Optional(Type.Object({
    total: Type.Number({ description: 'sum of the incoming weights of each target neuron' }),
    interval: Type.Number({ description: 'how often the incoming weights are rescaled to that sum (ms)' }),
  }, { additionalProperties: false, description: 'weight normalisation per postsynaptic neuron' })),
}, { additionalProperties: false });
export type Projection = Static<typeof Projection>;

export const StateRecord = Type.Object({
  population: Type.String(),
  variable: Type.String({ description: 'state variable, e.g. v' }),
  ids: Type.Array(Type.Integer({ minimum: 0 }), { description: 'neurons to record' }),
  interval: Type.Optional(Type.Number({ description: 'sampling interval (ms; default dt)' })),
}, { additionalProperties: false });
export type StateRecord = Static<typeof StateRecord>;

export const WeightRecord = Type.Object({
  projection: Type.String({ description: 'projection name ("from->to" unless named)' }),
  synapses: Type.Optional(Type.Array(Type.Tuple([Type.Integer({ minimum: 0 }), Type.Integer({ minimum: 0 })]), { description: '[pre, post] pairs whose weights are recorded' })),
  histogram: Type.Optional(Type.Object({
    bins: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
    range: Type.Optional(Type.Tuple([Type.Number(), Type.Number()], { description: 'default [w_min, w_max] of the plasticity, else the weights\' range at the start' })),
  }, { additionalProperties: false })),
  interval: Type.Number({ description: 'sampling interval (ms)' }),
}, { additionalProperties: false });
export type WeightRecord = Static<typeof WeightRecord>;

export const Record_ = Type.Object({
  weights: Type.Optional(Type.Array(WeightRecord)),
  energy: Type.Optional(Type.Object({
    populations: Type.Array(Type.String(), { description: 'binary populations whose summed energy (and overlaps with their patterns) is recorded' }),
    interval: Type.Number({ description: 'sampling interval (ms)' }),
  }, { additionalProperties: false })),
  spikes: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Literal('all')], {
    description: 'populations whose spikes are recorded ("all" by default)',
  })),
  state: Type.Optional(Type.Array(StateRecord)),
}, { additionalProperties: false });

// ------------------------------------------------------------------ rate-coded modules

const Encoder = Type.Union([
  Type.Object({
    kind: Type.Literal('count'),
    window: Type.Optional(Type.Number({ description: 'spike counts over the last window (ms; default the module interval)' })),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('exponential'),
    tau: Type.Number({ description: 'time constant of the exponential filter of each spike train (ms)' }),
  }, { additionalProperties: false }),
], { title: '{ "kind": "count", "window" } or { "kind": "exponential", "tau" }' });

export const MODULE_TYPES = ['lstm', 'rnn', 'rbm', 'mlp'] as const;

export const Module = Type.Object({
  name: Type.String({ minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_\\-]*$', description: 'unique module name' }),
  type: Type.Union(MODULE_TYPES.map((t) => Type.Literal(t)), {
    title: '"lstm", "rnn", "rbm" or "mlp"',
    description: 'lstm / rnn: one time step per update, output = (h + 1) / 2 of its hidden units; rbm: output = P(h = 1 | v), visible = input; mlp: output = its softmax',
  }),
  input: Type.String({ description: 'population whose spikes are encoded as rates (the module input)' }),
  output: Type.String({ description: 'poisson population whose rates the module sets (process "poisson" or "regular")' }),
  interval: Type.Optional(Type.Number({ description: 'time between module updates (ms)', default: 10 })),
  encoder: Type.Optional(Encoder),
  input_scale: Type.Optional(Type.Number({ description: 'input rate (Hz) encoded as 1', default: 100 })),
  max_rate: Type.Optional(Type.Number({ description: 'output rate (Hz) of activity 1', default: 100 })),
  hidden: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { description: 'mlp: sizes of the hidden layers' })),
  seed: Type.Optional(Type.Integer({ minimum: 0, description: 'seed of the initial weights (default the model seed)' })),
}, { additionalProperties: false, description: 'a rate-coded module: spikes -> rates -> layer -> rates -> spikes' });
export type Module = Static<typeof Module>;

export const Model = Type.Object({
  name: Type.Optional(Type.String({ description: 'model name' })),
  description: Type.Optional(Type.String()),
  dt: Type.Optional(Type.Number({ description: 'time step (ms)', default: 0.1 })),
  duration: Type.Optional(Type.Number({ description: 'simulated time (ms)', default: 1000 })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'seed of every random draw', default: 1 })),
  populations: Type.Array(Population, { minItems: 1 }),
  projections: Type.Optional(Type.Array(Projection, { default: [] })),
  modules: Type.Optional(Type.Array(Module, { default: [], description: 'rate-coded modules (LSTM, RNN, RBM, MLP) bridged between populations' })),
  record: Type.Optional(Record_),
}, { additionalProperties: false, $id: 'hebb-model' });
export type Model = Static<typeof Model>;

export type SchemaOf<T extends TSchema> = Static<T>;
