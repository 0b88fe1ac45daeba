// The model format: one schema for the CLI, the server routes, the docs and
// the TypeScript types, assembled from the registries of neuron models
// (neurons/), connection rules (connect.ts) and plasticity rules
// (plasticity.ts). Every parameter states its unit and its range; defaults
// live in the schema too (ajv fills them in), so there is no second table.
//
// Units: time ms, voltage mV, current pA, conductance nS, capacitance pF,
// rate Hz. Weights are in the unit of the variable they act on (each neuron
// model says which).

import { Type, type Static, type TSchema, type TObject } from '@sinclair/typebox';
import { Value, InitValue, Uniform, Normal, quantity } from './values.js';

/** Longest name of a population, module, variable (characters). */
export const MAX_NAME = 128;
import { NEURON_MODELS, type NeuronModel, type Patterns } from './neurons/index.js';
import { CONNECT_RULES } from './connect.js';
import { PLASTICITY_RULES, type PairStdp, type TripletStdp, type RewardStdp, type EquationsRule } from './plasticity.js';

export { Value, InitValue, Uniform, Normal } from './values.js';
export type { Patterns } from './neurons/index.js';

// ------------------------------------------------------------------ populations

const StepCurrent = Type.Object({
  times: Type.Array(Type.Number(), { description: 'times at which the current changes (ms, ascending)' }),
  amplitudes: Type.Array(Type.Number(), { description: 'current from each time on (pA; mV/ms for izhikevich)' }),
}, { additionalProperties: false, description: 'step current added to every neuron of the population' });
export type StepCurrent = Static<typeof StepCurrent>;

const timing = (exact: boolean) => Type.Union([Type.Literal('exact'), Type.Literal('grid')], {
  title: '"exact" or "grid"',
  default: exact ? 'exact' : 'grid',
  description: 'exact: each spike at its own time within the step (event-driven models only; the default there); grid: the spikes of a step arrive together at its end, as NEST\'s poisson_generator (the default, and the only choice, for clock-driven models)',
});
const poissonInput = (exact: boolean) => Type.Object({
  rate: quantity('rate', 'Hz', { minimum: 0, description: 'rate of the Poisson spike train each neuron receives' }),
  weight: Type.Number({ description: 'effect of one input spike (the unit of the population\'s weights)' }),
  receptor: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 64, title: '"exc", "inh" or a receptor of an equation model', description: 'default by the weight sign' })),
  timing: Type.Optional(timing(exact)),
}, { additionalProperties: false });
const PoissonInput = poissonInput(false);
export type PoissonInput = Static<typeof PoissonInput>;
const poissonInputs = (exact: boolean) => Type.Array(poissonInput(exact), {
  description: 'external Poisson drive, one independent train per neuron',
});

const Init = (vars: string[]) => Type.Object(
  Object.fromEntries(vars.map((v) => [v, Type.Optional(InitValue)])),
  { additionalProperties: false, description: `initial values: ${vars.join(', ')}` },
);

const popBase = {
  name: Type.String({ minLength: 1, maxLength: MAX_NAME, pattern: '^[A-Za-z_][A-Za-z0-9_\\-]*$', description: 'unique population name' }),
  size: Type.Integer({ minimum: 0, description: 'number of neurons' }),
};

// A population of one neuron model: its own params and init, the inputs it
// takes, and any fields of its own.
function populationVariant(m: NeuronModel<never>): TObject {
  const props: Record<string, TSchema> = {
    ...popBase,
    model: Type.Literal(m.name),
    params: m.paramsRequired ? m.params : Type.Optional(m.params),
  };
  Object.assign(props, m.extra);
  if (m.initSchema !== null) props.init = Type.Optional(m.initSchema ?? Init(Object.keys(m.variables)));
  if (m.inputs.current) props.current = Type.Optional(StepCurrent);
  if (m.inputs.poissonInput) props.poisson_input = Type.Optional(poissonInputs(m.inputs.exactPoisson === true));
  return Type.Object(props, { additionalProperties: false, description: m.description });
}

/** A population as validated; its params and init are its model's (see src/model/neurons). */
export interface Population {
  name: string;
  size: number;
  model: string;
  // Each model's params are its own schema's; code that knows the model reads them typed there.
  params?: Record<string, any>;
  init?: Record<string, any>;
  current?: StepCurrent;
  poisson_input?: PoissonInput[];
  patterns?: Patterns;
}

// oneOf + discriminator: ajv checks only the branch the tag names, so errors
// point into the right model's params.
export const Population = Type.Unsafe<Population>({
  type: 'object',
  required: ['model'],
  properties: { model: { type: 'string' } },
  discriminator: { propertyName: 'model' },
  oneOf: NEURON_MODELS.map(populationVariant),
});

// ------------------------------------------------------------------ connectivity and plasticity

export type Connect = { rule: string } & Record<string, any>;
export const Connect = Type.Unsafe<Connect>({
  type: 'object',
  required: ['rule'],
  properties: { rule: { type: 'string' } },
  discriminator: { propertyName: 'rule' },
  oneOf: CONNECT_RULES.map((r) => r.schema),
});

export type Plasticity = PairStdp | TripletStdp | RewardStdp | EquationsRule;
export const Plasticity = Type.Unsafe<Plasticity>({
  type: 'object',
  required: ['rule'],
  properties: { rule: { type: 'string' } },
  discriminator: { propertyName: 'rule' },
  oneOf: PLASTICITY_RULES.map((r) => r.schema),
});

export const Projection = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 2 * MAX_NAME + 2, description: 'name (default "from->to")' })),
  from: Type.String({ maxLength: MAX_NAME, description: 'source population' }),
  to: Type.String({ maxLength: MAX_NAME, description: 'target population' }),
  connect: Connect,
  weight: Type.Optional(Value),
  delay: Type.Optional(Type.Union([Type.Number(), Uniform, Normal], {
    title: Value.title,
    description: 'axonal delay (ms; >= dt, rounded to whole steps; default one step): a spike at t acts on the target at t + delay',
  })),
  receptor: Type.Optional(Type.String({
    pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 64,
    title: '"exc", "inh" or a receptor of an equation model',
    description: 'synaptic variable the weights add to: ge ("exc") or gi ("inh"), or the variable an equation model names for the receptor; default by the weight sign',
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
    total: quantity('the sum of incoming weights', '', { exclusiveMinimum: 0, description: 'sum of the incoming weights of each target neuron' }),
    interval: Type.Number({ description: 'how often the incoming weights are rescaled to that sum (ms)' }),
  }, { additionalProperties: false, description: 'weight normalisation per postsynaptic neuron' })),
}, { additionalProperties: false });
export type Projection = Static<typeof Projection>;

export const StateRecord = Type.Object({
  population: Type.String({ maxLength: MAX_NAME }),
  variable: Type.String({ maxLength: MAX_NAME, description: 'state variable, e.g. v' }),
  ids: Type.Array(Type.Integer({ minimum: 0 }), { description: 'neurons to record' }),
  interval: Type.Optional(Type.Number({ description: 'sampling interval (ms; default dt)' })),
}, { additionalProperties: false });
export type StateRecord = Static<typeof StateRecord>;

export const WeightRecord = Type.Object({
  projection: Type.String({ maxLength: 2 * MAX_NAME + 2, description: 'projection name ("from->to" unless named)' }),
  synapses: Type.Optional(Type.Array(Type.Tuple([Type.Integer({ minimum: 0 }), Type.Integer({ minimum: 0 })]), { description: '[pre, post] pairs whose weights are recorded' })),
  histogram: Type.Optional(Type.Object({
    bins: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
    range: Type.Optional(Type.Tuple([Type.Number(), Type.Number()], { description: 'default [w_min, w_max] of the plasticity, else the weights\' range at the start' })),
  }, { additionalProperties: false })),
  interval: Type.Number({ description: 'sampling interval (ms)' }),
  axis: Type.Optional(Type.Object({
    label: Type.String({ maxLength: MAX_NAME, description: 'what the recorded synapses stand for, e.g. "Delta t"' }),
    unit: Type.Optional(Type.String({ maxLength: 32 })),
    values: Type.Array(Type.Number(), { description: 'one value per recorded synapse, in the order of "synapses"' }),
  }, { additionalProperties: false, description: 'a quantity to plot the recorded synapses against (the live view\'s profile of weights)' })),
}, { additionalProperties: false });
export type WeightRecord = Static<typeof WeightRecord>;

export const Record_ = Type.Object({
  weights: Type.Optional(Type.Array(WeightRecord)),
  energy: Type.Optional(Type.Object({
    populations: Type.Array(Type.String({ maxLength: MAX_NAME }), { description: 'binary populations whose summed energy (and overlaps with their patterns) is recorded' }),
    interval: Type.Number({ description: 'sampling interval (ms)' }),
  }, { additionalProperties: false })),
  spikes: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: MAX_NAME })), Type.Literal('all')], {
    description: 'populations whose spikes are recorded ("all" by default)',
  })),
  state: Type.Optional(Type.Array(StateRecord)),
}, { additionalProperties: false });

// ------------------------------------------------------------------ rate-coded modules

const EncoderVariants = [
  Type.Object({
    kind: Type.Literal('count'),
    window: Type.Optional(Type.Number({ description: 'spike counts over the last window (ms; default the module interval)' })),
  }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('exponential'),
    tau: quantity('time constant', 'ms', { exclusiveMinimum: 0, description: 'time constant of the exponential filter of each spike train' }),
  }, { additionalProperties: false }),
] as const;
type Encoder = Static<(typeof EncoderVariants)[number]>;
const Encoder = Type.Unsafe<Encoder>({
  title: '{ "kind": "count", "window" } or { "kind": "exponential", "tau" }',
  type: 'object',
  required: ['kind'],
  properties: { kind: { type: 'string' } },
  discriminator: { propertyName: 'kind' },
  oneOf: EncoderVariants,
});

export const MODULE_TYPES = ['lstm', 'rnn', 'rbm', 'mlp', 'vae', 'gan'] as const;

export const Module = Type.Object({
  name: Type.String({ minLength: 1, maxLength: MAX_NAME, pattern: '^[A-Za-z_][A-Za-z0-9_\\-]*$', description: 'unique module name' }),
  type: Type.Union(MODULE_TYPES.map((t) => Type.Literal(t)), {
    title: '"lstm", "rnn", "rbm", "mlp", "vae" or "gan"',
    description: 'lstm / rnn: one time step per update, output = (h + 1) / 2 of its hidden units; rbm: output = P(h = 1 | v), visible = input; mlp: output = its softmax; vae: output = the decoder\'s pixel probabilities at z = the prior\'s quantiles of the input (a latent population firing at uniform random rates is a draw from the prior); gan: output = the generator\'s pixels at z = 2 input - 1',
  }),
  input: Type.String({ maxLength: MAX_NAME, description: 'population whose spikes are encoded as rates (the module input)' }),
  output: Type.String({ maxLength: MAX_NAME, description: 'poisson population whose rates the module sets (process "poisson" or "regular")' }),
  interval: Type.Optional(Type.Number({ description: 'time between module updates (ms)', default: 10 })),
  encoder: Type.Optional(Encoder),
  input_scale: Type.Optional(Type.Number({ description: 'input rate (Hz) encoded as 1', unit: 'Hz', default: 100, exclusiveMinimum: 0 })),
  max_rate: Type.Optional(Type.Number({ description: 'output rate (Hz) of activity 1', unit: 'Hz', default: 100, minimum: 0 })),
  hidden: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 8192 }), { maxItems: 16, description: 'mlp, gan: sizes of the hidden layers (gan default [256, 512, 1024]); vae: its one hidden layer (default [500])' })),
  seed: Type.Optional(Type.Integer({ minimum: 0, description: 'seed of the initial weights (default the model seed)' })),
  weights: Type.Optional(Type.Unknown({
    title: 'a weights document { "format": "hebb-weights", "version": 1, "kind", "params" }, or in a model file the name of one',
    description: 'trained weights instead of random ones: the document an experiment writes (vae-mnist: vae.weights.json, gan-mnist: generator.weights.json, rbm-mnist: rbm-METHOD.weights.json); a file name is read relative to the model file',
  })),
}, { additionalProperties: false, description: 'a rate-coded module: spikes -> rates -> layer -> rates -> spikes' });
export type Module = Static<typeof Module>;

export const Model = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 256, description: 'model name' })),
  description: Type.Optional(Type.String({ maxLength: 16384 })),
  dt: Type.Optional(quantity('time step', 'ms', { default: 0.1, exclusiveMinimum: 0 })),
  duration: Type.Optional(quantity('duration', 'ms', { default: 1000, minimum: 0, description: 'simulated time' })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'seed of every random draw', default: 1 })),
  populations: Type.Array(Population, { minItems: 1 }),
  projections: Type.Optional(Type.Array(Projection, { default: [] })),
  modules: Type.Optional(Type.Array(Module, { default: [], description: 'rate-coded modules (LSTM, RNN, RBM, MLP, VAE decoder, GAN generator) bridged between populations' })),
  record: Type.Optional(Record_),
}, { additionalProperties: false, $id: 'hebb-model' });
export type Model = Static<typeof Model>;

export type SchemaOf<T extends TSchema> = Static<T>;
