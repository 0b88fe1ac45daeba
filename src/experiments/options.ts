// An experiment's options are a TypeBox schema: the one source of their
// types, ranges, defaults and descriptions, read the same way by the command
// line (hebb experiment NAME --option value) and the server (run_experiment
// with "options"), and listed by both from the schema.

import AjvModule from 'ajv';
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { UsageError } from '../core/errors.js';
import { closest } from '../core/closest.js';
import { tooDeep, MAX_JSON_DEPTH } from '../core/json.js';
import { schemaIssues } from '../model/validate.js';

// ajv's CJS default export under NodeNext
const Ajv = AjvModule as unknown as typeof AjvModule.default;
const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });

/** A number option (within minimum and maximum when given). */
export const num = (dflt: number, description: string, minimum?: number, maximum?: number) =>
  Type.Number({ default: dflt, description, ...(minimum === undefined ? {} : { minimum }), ...(maximum === undefined ? {} : { maximum }) });
/** A whole-number option; sizes of dense layers carry a maximum (what one process can hold), networks the model limits. */
export const int = (dflt: number, description: string, minimum?: number, maximum?: number) =>
  Type.Integer({ default: dflt, description, ...(minimum === undefined ? {} : { minimum }), ...(maximum === undefined ? {} : { maximum }) });
/** A list of numbers (comma-separated on the command line). */
export const nums = (dflt: number[], description: string, minimum?: number, maximum?: number) =>
  Type.Array(Type.Number({ ...(minimum === undefined ? {} : { minimum }), ...(maximum === undefined ? {} : { maximum }) }), { default: dflt, description, minItems: 1, maxItems: 1000 });
/** A yes/no option (--name alone on the command line means yes, --name=false no). */
export const flag = (dflt: boolean, description: string) => Type.Boolean({ default: dflt, description });
/** One of a few words. */
export const choice = <const T extends readonly [string, ...string[]]>(values: T, dflt: T[number], description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { default: dflt, description, title: values.map((v) => `"${v}"`).join(', ').replace(/, ([^,]*)$/, ' or $1') });

/** The options' schema of an experiment. */
export const options = <P extends Record<string, TSchema>>(props: P) => Type.Object(props, { additionalProperties: false });

/** How an option is written on the command line and shown on the page. */
export type OptionKind = 'number' | 'integer' | 'numbers' | 'string' | 'boolean';

export interface OptionInfo {
  name: string;
  type: OptionKind;
  default: unknown;
  description: string;
  choices?: string[];
}

function kindOf(s: TSchema): OptionKind {
  if (s.type === 'integer') return 'integer';
  if (s.type === 'number') return 'number';
  if (s.type === 'array') return 'numbers';
  if (s.type === 'boolean') return 'boolean';
  return 'string';
}

/** The options of a schema, in order, for help texts and the page. */
export function describeOptions(schema: TObject): OptionInfo[] {
  return Object.entries(schema.properties).map(([name, s]) => {
    const choices = (s as { anyOf?: { const?: string }[] }).anyOf?.map((a) => a.const).filter((c): c is string => typeof c === 'string');
    return { name, type: kindOf(s), default: s.default, description: String(s.description ?? ''), ...(choices?.length ? { choices } : {}) };
  });
}

/**
 * Checks options given as JSON (defaults filled in); throws a UsageError
 * naming each bad option ("--name" on the command line, "options.name" on
 * the server) and the rule it breaks, unknown ones with a hint.
 */
export function parseOptions(schema: TObject, given: unknown, style: 'cli' | 'api' = 'api'): Record<string, unknown> {
  const name = (key: string) => (style === 'cli' ? `--${key}` : `options.${key}`);
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw new UsageError('options must be an object of option values', style === 'cli' ? undefined : 'options');
  const known = Object.keys(schema.properties);
  // Own keys only: "toString" or "__proto__" are unknown options like any other.
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(schema.properties, key)) {
      const hint = closest(key, known);
      throw new UsageError(`unknown option${hint ? ` (did you mean ${name(hint)}?)` : ''}; options: ${known.map(name).join(', ') || 'none'}`, name(key));
    }
  }
  const deep = tooDeep(given);
  if (deep !== undefined) throw new UsageError(`nests deeper than ${MAX_JSON_DEPTH} levels: no option does`, name(deep.split('/')[1] ?? ''));
  const values = structuredClone(given) as Record<string, unknown>;
  const check = compiled(schema);
  if (!check(values)) {
    const issues = schemaIssues(check.errors ?? []);
    const text = issues.map((i) => `${name(i.path.replace(/^\//, '').split('/')[0] ?? '')}: ${i.message}`);
    throw new UsageError(`${text[0]}${text.length > 1 ? ` (+${text.length - 1} more: ${text.slice(1).join('; ')})` : ''}`);
  }
  return values;
}

const cache = new WeakMap<TObject, ReturnType<typeof ajv.compile>>();
function compiled(schema: TObject) {
  let c = cache.get(schema);
  if (!c) cache.set(schema, (c = ajv.compile(schema)));
  return c;
}

/**
 * Options from the command line (--name value or --name=value; lists
 * comma-separated; a boolean may stand alone), converted by the schema's
 * types and then checked as parseOptions does.
 */
export function optionsFromArgs(schema: TObject, args: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const known = Object.keys(schema.properties);
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq > 0 ? eq : undefined);
    const s = Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (!s) {
      const hint = closest(key, known);
      throw new UsageError(`unknown option${hint ? ` (did you mean --${hint}?)` : ''}; options: ${known.map((o) => `--${o}`).join(', ') || 'none'}`, `--${key}`);
    }
    const kind = kindOf(s);
    let raw: string;
    if (eq > 0) raw = arg.slice(eq + 1);
    else if (kind === 'boolean') raw = 'true';
    else {
      if (k + 1 >= args.length) throw new UsageError('needs a value', `--${key}`);
      raw = args[++k]!;
    }
    values[key] = fromText(raw, kind);
  }
  return parseOptions(schema, values, 'cli');
}

// A number stays text when it is not one, so that the schema's message says "(got "abc")".
function fromText(raw: string, kind: OptionKind): unknown {
  const number = (t: string) => (t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : t);
  if (kind === 'number' || kind === 'integer') return number(raw);
  if (kind === 'numbers') return raw.split(',').map((t) => number(t.trim()));
  if (kind === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/** The defaults of every option. */
export function defaultOptions(schema: TObject): Record<string, unknown> {
  return parseOptions(schema, {});
}
