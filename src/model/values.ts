// The building blocks of the model format that every part of it shares:
// values that may be distributions, initial values, and quantities whose
// schema carries their unit and their range, so that the validator's
// message ("membrane time constant must be > 0 ms (got -5)") is built from
// the schema and no rule is written twice.
//
// Units: time ms, voltage mV, current pA, conductance nS, capacitance pF,
// rate Hz.

import { Type, type Static } from '@sinclair/typebox';

export type Unit = 'ms' | 'mV' | 'pA' | 'nS' | 'pF' | 'Hz' | 'mV/ms' | '1/ms' | '';

export interface QuantityOptions {
  default?: number;
  /** value >= minimum */
  minimum?: number;
  /** value > exclusiveMinimum */
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  /** Extra words for the description, after the unit. */
  note?: string;
  /** The description, when it says more than the quantity's name. */
  description?: string;
}

/**
 * A number with a meaning and a unit. The schema keeps both (`quantity`,
 * `unit`) beside the range, and the description reads "what (unit)".
 */
export function quantity(what: string, unit: Unit, o: QuantityOptions = {}) {
  const { note, description: text, ...range } = o;
  const description = `${text ?? what}${unit ? ` (${unit})` : ''}${note ? `; ${note}` : ''}`;
  return Type.Number({ description, quantity: what, unit, ...range });
}

/** A time constant or duration in ms that must be > 0. */
export const timeConstant = (what: string, dflt?: number, note?: string) =>
  quantity(what, 'ms', { exclusiveMinimum: 0, ...(dflt === undefined ? {} : { default: dflt }), ...(note ? { note } : {}) });

/** A potential in mV. */
export const potential = (what: string, dflt: number, note?: string) => quantity(what, 'mV', { default: dflt, ...(note ? { note } : {}) });

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

/** Lowest value a Value can take (-Infinity for an unclipped normal). */
export function lowestOf(v: Value): number {
  if (typeof v === 'number') return v;
  if ('uniform' in v) return v.uniform[0];
  if (v.normal[1] === 0) return Math.max(v.normal[0], v.clip?.[0] ?? -Infinity);
  return v.clip ? v.clip[0] : -Infinity;
}

/** Highest value a Value can take. */
export function highestOf(v: Value): number {
  if (typeof v === 'number') return v;
  if ('uniform' in v) return v.uniform[1];
  if (v.normal[1] === 0) return Math.min(v.normal[0], v.clip?.[1] ?? Infinity);
  return v.clip ? v.clip[1] : Infinity;
}

/** Reports one issue (a JSON Pointer and a sentence). */
export type Add = (path: string, message: string) => void;

/** Checks the parts of a distribution (low <= high, sd >= 0). */
export function checkValue(v: Value, at: string, add: Add): void {
  if (typeof v === 'number') return;
  if ('uniform' in v) {
    if (!(v.uniform[0] <= v.uniform[1])) add(`${at}/uniform`, `low must not exceed high (got [${v.uniform.join(', ')}])`);
  } else {
    if (!(v.normal[1] >= 0)) add(`${at}/normal/1`, `standard deviation must be >= 0 (got ${v.normal[1]})`);
    if (v.clip && !(v.clip[0] <= v.clip[1])) add(`${at}/clip`, `low must not exceed high (got [${v.clip.join(', ')}])`);
  }
}

export function checkNonNegative(v: Value, at: string, what: string, add: Add): void {
  if (lowestOf(v) < 0) {
    add(at, typeof v === 'number'
      ? `${what} must be >= 0 (got ${v})`
      : `${what} must be >= 0: ${'uniform' in v ? 'the low end' : 'the clip range'} must be >= 0${'normal' in v && !v.clip ? ' (add "clip": [0, ...])' : ''}`);
  }
}

/** Checks that a list of times (ms) is >= 0 (or > 0) and ascending. */
export function checkTimes(times: readonly number[], at: string, add: Add, what = 'times', strictlyPositive = false): void {
  times.forEach((t, q) => {
    if (strictlyPositive ? !(t > 0) : !(t >= 0)) add(`${at}/${q}`, `${what} must be ${strictlyPositive ? '>' : '>='} 0 ms (got ${t})`);
    else if (q > 0 && t < times[q - 1]!) add(`${at}/${q}`, `${what} must be ascending (${t} ms after ${times[q - 1]} ms)`);
  });
}
