// binary: Hopfield neurons, stochastic Boltzmann units and Ising spins, with
// local fields kept by flip events. Kernel part: assembly/models/binary.ts.

import { Type, type Static } from '@sinclair/typebox';
import { quantity, InitValue, checkValue, checkTimes } from '../values.js';
import { defineNeuron, type PopulationOf } from './types.js';
import { Philox, STREAM_USER_TS } from '../../core/philox.js';
import { msToSteps } from '../units.js';

const Params = Type.Object({
  values: Type.Union([Type.Literal('pm1'), Type.Literal('01')], { title: '"pm1" or "01"', default: 'pm1', description: 'unit states: pm1 = {-1, +1} (Hopfield, Ising), 01 = {0, 1} (Boltzmann machines); a unit turning on is a spike' }),
  dynamics: Type.Union([Type.Literal('deterministic'), Type.Literal('heat_bath'), Type.Literal('metropolis')], {
    title: '"deterministic", "heat_bath" or "metropolis"', default: 'deterministic',
    description: 'deterministic: s = hi if h + bias >= 0; heat_bath: P(hi) = sigmoid(g (h + bias) / T) (Gibbs; g = 2 for pm1, 1 for 01); metropolis: flip with min(1, exp(-dE/T))',
  }),
  temperature: quantity('temperature', '', { default: 1, exclusiveMinimum: 0, note: 'T of the stochastic dynamics (energy units, k_B = 1)' }),
  update: Type.Union([Type.Literal('sequential'), Type.Literal('random'), Type.Literal('typewriter'), Type.Literal('poisson'), Type.Literal('synchronous')], {
    title: '"sequential", "random", "typewriter", "poisson" or "synchronous"', default: 'sequential',
    description: 'sequential: sweeps in a fresh random order; random: units drawn at random (Glauber); typewriter: sweeps in index order; poisson: each unit on its own Poisson clock (rate); synchronous: all units from the same old state',
  }),
  // Bounded so that one step is a bounded amount of work (a step cannot be interrupted).
  sweeps_per_step: Type.Number({ description: 'updates per step, in units of the population size (sweeps)', default: 1, exclusiveMinimum: 0, maximum: 10_000 }),
  rate: Type.Number({ description: 'poisson order: updates per unit per second (Hz)', unit: 'Hz', default: 1000, exclusiveMinimum: 0, maximum: 10_000_000 }),
  threshold: Type.Number({ description: 'threshold theta of every unit (Hopfield: s = hi if h >= theta); the bias is -theta', default: 0 }),
  bias: Type.Number({ description: 'bias b of every unit (Boltzmann, Ising field h)', default: 0 }),
  temperature_schedule: Type.Optional(Type.Object({
    times: Type.Array(Type.Number(), { description: 'times at which the temperature changes (ms, ascending)' }),
    values: Type.Array(quantity('temperature', '', { exclusiveMinimum: 0 }), { description: 'temperature from each time on (annealing)' }),
  }, { additionalProperties: false })),
}, { additionalProperties: false, default: {} });
type Params = Static<typeof Params>;

export const Patterns = Type.Union([
  Type.Object({ random: Type.Object({
    count: Type.Integer({ minimum: 0, maximum: 100_000, description: 'number of patterns' }),
    p_on: Type.Optional(Type.Number({ description: 'probability of a unit being on', default: 0.5 })),
  }, { additionalProperties: false }) }, { additionalProperties: false }),
  Type.Object({ list: Type.Array(Type.Array(Type.Number()), { description: 'patterns, one value per unit (lo or hi)' }) }, { additionalProperties: false }),
  Type.Object({ mnist: Type.Object({
    count: Type.Integer({ minimum: 1, maximum: 10_000, description: 'number of digit images' }),
    digits: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 9 }), { minItems: 1, maxItems: 10, description: 'digit classes to take, in turn (default 0-9)' })),
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
type BinaryState = Static<typeof BinaryState>;

type BinaryPopulation = PopulationOf<Params> & { patterns?: Patterns; init?: { state?: BinaryState; bias?: InitValue } };

/** Number of patterns a binary population defines (0 for any other). */
export function patternCount(pop: { model: string; patterns?: unknown }): number {
  const p = pop.patterns as Patterns | undefined;
  if (pop.model !== 'binary' || !p) return 0;
  if ('random' in p) return p.random.count;
  if ('list' in p) return p.list.length;
  return p.mnist.count;
}

export const binary = defineNeuron<Params>({
  name: 'binary',
  description: 'binary units: Hopfield neurons, stochastic Boltzmann units, Ising spins; couplings between them act at once',
  params: Params,
  variables: {
    state: { unit: '1', description: 'state of each unit (-1/+1 or 0/1)' },
    bias: { unit: 'energy', description: 'bias b of each unit' },
    field: { unit: 'energy', description: 'local field h = sum_j w_ij s_j' },
  },
  synapses: { weightUnit: 'energy units (the coupling w_ij of the energy -1/2 sum w_ij s_i s_j)', receptors: false, conductance: false },
  coupling: true,
  inputs: { current: false, poissonInput: false },
  initSchema: Type.Object({ state: Type.Optional(BinaryState), bias: Type.Optional(InitValue) }, { additionalProperties: false }),
  extra: { patterns: Type.Optional(Patterns) },
  check: (popIn, at, add) => {
    const pop = popIn as BinaryPopulation;
    const p = pop.params;
    const [lo, hi] = p.values === '01' ? [0, 1] : [-1, 1];
    if (p.threshold !== 0 && p.bias !== 0) add(`${at}/params/bias`, 'give a threshold or a bias, not both (the bias is -threshold)');
    const sched = p.temperature_schedule;
    if (sched) {
      if (sched.times.length !== sched.values.length) add(`${at}/params/temperature_schedule/values`, `needs one temperature per time: ${sched.times.length} (got ${sched.values.length})`);
      checkTimes(sched.times, `${at}/params/temperature_schedule/times`, add);
    }
    const pat = pop.patterns;
    if (pat) {
      if ('list' in pat) {
        pat.list.forEach((e, mu) => {
          if (e.length !== pop.size) add(`${at}/patterns/list/${mu}`, `a pattern needs one value per unit: ${pop.size} (got ${e.length})`);
          const bad = e.findIndex((x) => x !== lo && x !== hi);
          if (bad >= 0) add(`${at}/patterns/list/${mu}/${bad}`, `pattern values must be ${lo} or ${hi} (got ${e[bad]})`);
        });
      } else if ('random' in pat) {
        const q = pat.random.p_on ?? 0.5;
        if (!(q >= 0 && q <= 1)) add(`${at}/patterns/random/p_on`, `must be within [0, 1] (got ${q})`);
      } else {
        if (pop.size !== 784) add(`${at}/patterns/mnist`, `MNIST patterns are 28 x 28 images: the population needs 784 units (got ${pop.size})`);
        const b = pat.mnist.binarize ?? 0.5;
        if (!(b >= 0 && b < 1)) add(`${at}/patterns/mnist/binarize`, `must be within [0, 1) (got ${b})`);
      }
    }
    const st = pop.init?.state;
    if (st !== undefined) {
      if (typeof st === 'number') {
        if (st !== lo && st !== hi) add(`${at}/init/state`, `a state must be ${lo} or ${hi} (got ${st})`);
      } else if (Array.isArray(st)) {
        if (st.length !== pop.size) add(`${at}/init/state`, `needs one state per unit: ${pop.size} (got ${st.length})`);
        const bad = st.findIndex((x) => x !== lo && x !== hi);
        if (bad >= 0) add(`${at}/init/state/${bad}`, `a state must be ${lo} or ${hi} (got ${st[bad]})`);
      } else if (st !== 'random') {
        const n = patternCount(pop);
        if (st.pattern >= n) add(`${at}/init/state/pattern`, n ? `pattern ${st.pattern} does not exist (the population has ${n})` : 'the population has no patterns');
        if (st.flip !== undefined && !(st.flip >= 0 && st.flip <= 1)) add(`${at}/init/state/flip`, `must be within [0, 1] (got ${st.flip})`);
      }
    }
    const bias = pop.init?.bias;
    if (Array.isArray(bias)) {
      if (bias.length !== pop.size) add(`${at}/init/bias`, `needs one value per neuron: ${pop.size} (got ${bias.length})`);
    } else if (bias !== undefined) checkValue(bias, `${at}/init/bias`, add);
  },
  kernel: (p) => ({ values: p.values, dynamics: p.dynamics, temperature: p.temperature, update: p.update, sweeps_per_step: p.sweeps_per_step, rate: p.rate }),
  initial: (p) => ({ bias: p.bias - p.threshold }),
  setup: (popIn, port) => {
    const pop = popIn as BinaryPopulation;
    const p = pop.params;
    if (pop.init?.bias !== undefined) port.initState('bias', pop.init.bias);
    const sched = p.temperature_schedule;
    if (sched && sched.times.length) {
      port.setTemperatureSchedule(Int32Array.from(sched.times, (t) => msToSteps(t, port.dt)), Float64Array.from(sched.values));
    }
    port.writeBinaryStates(initialStates(pop, port.seed, port.index, port.patterns));
  },
});

// The initial states: random, one value, one per unit, or a stored pattern
// with a fraction of its units flipped (a cue).
function initialStates(pop: BinaryPopulation, seed: number, index: number, patterns: Float32Array | undefined): Int8Array {
  const [lo, hi] = pop.params.values === '01' ? [0, 1] : [-1, 1];
  const st = pop.init?.state ?? 'random';
  const states = new Int8Array(pop.size);
  if (st === 'random') {
    const rng = new Philox(seed);
    for (let i = 0; i < pop.size; i++) states[i] = rng.uniform(i, 0, index, STREAM_USER_TS | 2) < 0.5 ? lo : hi;
  } else if (typeof st === 'number') {
    states.fill(st);
  } else if (Array.isArray(st)) {
    st.forEach((v, i) => { states[i] = v; });
  } else {
    const e = patterns!.subarray(st.pattern * pop.size, (st.pattern + 1) * pop.size);
    for (let i = 0; i < pop.size; i++) states[i] = e[i]! > 0 ? hi : lo;
    const flips = Math.round((st.flip ?? 0) * pop.size);
    const rng = new Philox(seed);
    const order = Uint32Array.from({ length: pop.size }, (_, i) => i);
    for (let q = 0; q < flips; q++) {
      const r = q + Math.floor(rng.uniform(q, st.pattern, index, STREAM_USER_TS | 3) * (pop.size - q));
      const t = order[q]!; order[q] = order[r]!; order[r] = t;
      const i = order[q]!;
      states[i] = states[i] === hi ? lo : hi;
    }
  }
  return states;
}
