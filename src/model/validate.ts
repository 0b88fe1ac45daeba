// Validation of a model: the schema first (types, unknown keys, required
// keys, defaults filled in), then the rules a schema cannot say (names that
// must exist, v_reset < v_thresh, delay >= dt, sizes within limits, ...).
// Every issue is collected, each with the JSON Pointer of the offending value.

import AjvModule, { type ErrorObject } from 'ajv';
import { ModelError, type Issue } from '../core/errors.js';
import { closest } from '../core/closest.js';
import { tooDeep, shown, MAX_JSON_DEPTH } from '../core/json.js';
import { Model, type Population, type Projection } from './schema.js';
import { checkValue, checkNonNegative, checkTimes, lowestOf, highestOf, type Add, type InitValue, type Value } from './values.js';
import { NEURON_MODELS, neuronModel, modelVariables, populationVariables, variableUnits, patternCount, type NeuronModel } from './neurons/index.js';
import { connectionRule } from './connect.js';
import { plasticityRule } from './plasticity.js';
import { msToSteps } from './units.js';
import { moduleHidden, moduleParamShapes, weightsIssues } from './weights.js';

export { lowestOf, highestOf } from './values.js';
export { patternCount } from './neurons/index.js';

// ajv's CJS default export under NodeNext
const Ajv = AjvModule as unknown as typeof AjvModule.default;

export interface Limits {
  /** Neurons in the whole model. */
  maxNeurons: number;
  /** Expected synapses in the whole model. */
  maxSynapses: number;
  /** Simulated steps (duration / dt). */
  maxSteps: number;
}

export const DEFAULT_LIMITS: Limits = { maxNeurons: 10_000_000, maxSynapses: 250_000_000, maxSteps: 2 ** 31 - 1 };

// What the kernel can hold. A WebAssembly instance has at most 4 GiB of
// memory, and one array of the kernel at most 2^30 bytes: a projection's
// targets and weights (4 bytes a synapse each), a plastic projection's f64
// weights (8). Neurons take well under 64 bytes each in every model.
const MAX_KERNEL_BYTES = 3.75 * 2 ** 30;
const MAX_PROJECTION_SYNAPSES = 2 ** 28 - 1;
const MAX_PLASTIC_SYNAPSES = 2 ** 27 - 1;
const NEURON_BYTES = 64;

/** Kernel bytes of one synapse of the projection: target and weight; a delay when they vary; a plastic one's f64 weight, column index and eligibility. */
function synapseBytes(pr: Projection): number {
  let bytes = 8;
  if ((pr.delay !== undefined && typeof pr.delay !== 'number') || (pr.connect.rule === 'list' && pr.connect.delays)) bytes += 2;
  if (pr.plasticity) bytes += 16 + (pr.plasticity.rule === 'reward_stdp' ? 8 : 0);
  // fixed_indegree draws every synapse's source before it sorts them into rows.
  if (pr.connect.rule === 'fixed_indegree') bytes += 4;
  return bytes;
}

/** The largest delay, in steps, the kernel stores per synapse (u16). */
export const MAX_DELAY_STEPS = 65535;

// Compiled on first use: commands that never validate do not pay for it.
let checkSchema: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;
function schemaChecker() {
  checkSchema ??= new Ajv({ allErrors: true, useDefaults: true, discriminator: true, verbose: true, strict: false }).compile(Model);
  return checkSchema;
}

const RANGE_KEYWORDS = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);

/** A model after validation: defaults are filled in. */
export type ValidModel = Model & {
  dt: number;
  duration: number;
  seed: number;
  projections: Projection[];
};

/**
 * Validates `input` (parsed JSON) and returns a copy with every default
 * filled in. Throws a ModelError listing every issue.
 */
export function validateModel(input: unknown, options: { limits?: Partial<Limits>; source?: string } = {}): ValidModel {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const issues: Issue[] = [];
  const deep = tooDeep(input);
  if (deep !== undefined) throw new ModelError([{ path: deep, message: `nests deeper than ${MAX_JSON_DEPTH} levels: no model does` }], options.source);
  nonFiniteNumbers(input, [], issues);
  if (issues.length > 0) throw new ModelError(issues, options.source);
  const model = structuredClone(input);
  // A population that gives "equations" instead of a built-in model is of the model "equations".
  const pops = (model as { populations?: unknown } | null)?.populations;
  if (Array.isArray(pops)) for (const p of pops) if (p && typeof p === 'object' && 'equations' in p && !('model' in p)) (p as Record<string, unknown>).model = 'equations';
  const check = schemaChecker();
  if (!check(model)) {
    const errors = check.errors ?? [];
    issues.push(...schemaIssues(errors));
    // A number out of its range leaves the model's shape intact: the rules
    // that span fields are checked too, so that every issue is reported at once.
    if (!errors.every((e) => RANGE_KEYWORDS.has(e.keyword))) throw new ModelError(issues, options.source);
  }
  const valid = model as ValidModel;
  fillPlasticityDefaults(valid);
  checkRules(valid, limits, issues);
  if (issues.length > 0) throw new ModelError(issues, options.source);
  return valid;
}

// ajv fills defaults in everywhere except under anyOf, and a plasticity
// block sits under one (it may be null): fill its defaults from its rule's schema.
function fillPlasticityDefaults(m: ValidModel): void {
  for (const pr of m.projections) {
    const pl = pr.plasticity as Record<string, unknown> | null | undefined;
    if (!pl) continue;
    const schema = plasticityRule(String(pl.rule)).schema;
    for (const [key, prop] of Object.entries(schema.properties as Record<string, { default?: unknown }>)) {
      if (pl[key] === undefined && prop.default !== undefined) pl[key] = prop.default;
    }
  }
}

// JSON cannot hold NaN or Infinity, but an object built in code can.
function nonFiniteNumbers(x: unknown, path: string[], issues: Issue[]): void {
  // Recursive: tooDeep has bounded the depth. The path is joined only for an issue.
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) issues.push({ path: path.map((k) => `/${escapePointer(k)}`).join(''), message: `must be a finite number (got ${x})` });
  } else if (x !== null && typeof x === 'object') {
    const entries = Array.isArray(x) ? x.map((v, i) => [String(i), v] as const) : Object.entries(x);
    for (const [k, v] of entries) {
      if (typeof v !== 'number' && (v === null || typeof v !== 'object')) continue;
      path.push(k);
      nonFiniteNumbers(v, path, issues);
      path.pop();
      if (issues.length >= 100) return;
    }
  }
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

// ------------------------------------------------------------------ schema errors

export function schemaIssues(errors: ErrorObject[]): Issue[] {
  // A failed anyOf (a number or a distribution, a literal of a set) is one
  // issue about the whole value, not one per alternative, unless the value is
  // an object and only one alternative takes objects (a plasticity block or
  // null): then that alternative's own errors say what is wrong.
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const keepBranch = new Map<ErrorObject, string>();
  for (const u of unions) {
    const alternatives = ((u.parentSchema as { anyOf?: { type?: string; oneOf?: unknown; properties?: unknown }[] } | undefined)?.anyOf) ?? [];
    const objectBranches = alternatives.map((a, k) => [a, k] as const).filter(([a]) => a.type === 'object' || a.oneOf !== undefined || a.properties !== undefined);
    if (u.data !== null && typeof u.data === 'object' && !Array.isArray(u.data) && objectBranches.length === 1) {
      keepBranch.set(u, `${u.schemaPath}/${objectBranches[0]![1]}/`);
    }
  }
  const prefix = (u: ErrorObject) => u.schemaPath.replace(/\/anyOf$/, '/anyOf/');
  const skip = (e: ErrorObject) => unions.some((u) => {
    if (u === e) return keepBranch.has(u);
    if (!e.schemaPath.startsWith(prefix(u))) return false;
    const kept = keepBranch.get(u);
    return kept === undefined || !e.schemaPath.startsWith(kept);
  });
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < errors.length; k++) {
    const e = errors[k]!;
    if (skip(e)) continue;
    if (issues.length === MAX_ISSUES) {
      // Describing a hostile model's millions of errors would take seconds.
      issues.push({ path: '', message: `and up to ${errors.length - k} more errors` });
      break;
    }
    const described = describe(e);
    const issue = { ...described, path: cutPath(described.path) };
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

/** Issues reported at most: a hostile model can have millions. */
const MAX_ISSUES = 50;

/** A JSON Pointer with its long segments (a hostile property name) cut. */
function cutPath(path: string): string {
  return path.length <= 256 ? path : path.split('/').map((seg) => (seg.length > 64 ? `${seg.slice(0, 64)}...(${seg.length} characters)` : seg)).join('/');
}

const got = (x: unknown) => shown(x);

function describe(e: ErrorObject): Issue {
  const path = e.instancePath;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperty':
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = closest(key, known);
      return {
        path: `${path}/${escapePointer(key)}`,
        message: `unknown property ${shown(key)}${hint ? ` (did you mean "${hint}"?)` : known.length ? `; expected one of ${known.join(', ')}` : ''}`,
      };
    }
    case 'required':
      return { path: `${path}/${escapePointer(String(p.missingProperty))}`, message: 'is required' };
    case 'discriminator': {
      const tag = String(p.tag);
      // The names come from the alternatives themselves (the registries built them).
      const alternatives = (e.parentSchema as { oneOf?: { properties?: Record<string, { const?: string }> }[] } | undefined)?.oneOf ?? [];
      const names = alternatives.map((a) => a.properties?.[tag]?.const).filter((n): n is string => typeof n === 'string');
      const value = p.tagValue;
      const hint = typeof value === 'string' ? closest(value, [...names]) : undefined;
      return {
        path: `${path}/${tag}`,
        message: `unknown ${tag} ${got(value)}${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${names.join(', ')}`,
      };
    }
    case 'anyOf': {
      const title = (e.parentSchema as { title?: string } | undefined)?.title;
      return { path, message: `must be ${title ?? 'one of the allowed forms'} (got ${got(e.data)})` };
    }
    case 'type':
      return { path, message: `must be ${article(String(p.type))} (got ${got(e.data)})` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      // The schema says what the number is and its unit: "membrane time constant must be > 0 ms (got -5)".
      const q = e.parentSchema as { quantity?: string; unit?: string } | undefined;
      const unit = q?.unit ? ` ${q.unit}` : '';
      return { path, message: `${q?.quantity ? `${q.quantity} ` : ''}must be ${p.comparison} ${p.limit}${unit} (got ${got(e.data)})` };
    }
    case 'minItems':
      return { path, message: `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}` };
    case 'maxItems':
      return { path, message: `must have at most ${p.limit} items` };
    case 'const':
      return { path, message: `must be ${JSON.stringify(p.allowedValue)} (got ${got(e.data)})` };
    case 'pattern':
      return { path, message: `must start with a letter or _ and hold only letters, digits, _ and - (got ${got(e.data)})` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'maxLength':
      return { path, message: `must be at most ${p.limit} characters long (got ${got(e.data)})` };
    default:
      return { path, message: e.message ?? `breaks the rule "${e.keyword}"` };
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

// ------------------------------------------------------------------ rules

/** A valid model's size: its neurons and the synapses it is expected to make (exact but for fixed_probability). */
export function modelSize(m: ValidModel): { neurons: number; synapses: number } {
  const pops = new Map(m.populations.map((p) => [p.name, p]));
  let synapses = 0;
  for (const pr of m.projections) {
    const pre = pops.get(pr.from), post = pops.get(pr.to);
    if (pre && post) synapses += checkProjection(pr, pre, post, '', m.dt, m.dt > 0, () => {});
  }
  return { neurons: m.populations.reduce((n, p) => n + p.size, 0), synapses: Math.round(synapses) };
}

function checkRules(m: ValidModel, limits: Limits, issues: Issue[]): void {
  const add = (path: string, message: string) => issues.push({ path, message });
  const limit = (path: string, message: string) => issues.push({ path, message, rule: 'limit' });
  const { dt, duration } = m;
  if (dt > 0 && duration / dt > limits.maxSteps) {
    limit('/duration', `duration / dt = ${Math.round(duration / dt)} steps exceeds the limit of ${limits.maxSteps}`);
  }
  const stepOk = dt > 0;

  const pops = new Map<string, { index: number; pop: Population }>();
  let totalNeurons = 0;
  m.populations.forEach((pop, i) => {
    const at = `/populations/${i}`;
    if (pops.has(pop.name)) add(`${at}/name`, `duplicate population name "${pop.name}"`);
    else pops.set(pop.name, { index: i, pop });
    totalNeurons += pop.size;
    if (pop.size > limits.maxNeurons) limit(`${at}/size`, `size ${pop.size} exceeds the limit of ${limits.maxNeurons} neurons`);
    checkPopulation(pop, at, m, add);
  });
  if (totalNeurons > limits.maxNeurons) {
    limit('/populations', `the model has ${totalNeurons} neurons, more than the limit of ${limits.maxNeurons}`);
  }

  let expectedSynapses = 0;
  let kernelBytes = 0;
  const projNames = new Set<string>();
  m.projections.forEach((pr, k) => {
    const at = `/projections/${k}`;
    const name = pr.name ?? `${pr.from}->${pr.to}`;
    if (projNames.has(name)) add(pr.name ? `${at}/name` : at, `duplicate projection name "${name}" (give one a "name")`);
    projNames.add(name);
    const pre = pops.get(pr.from)?.pop;
    const post = pops.get(pr.to)?.pop;
    if (!pre) add(`${at}/from`, unknownPopulation(pr.from, pops));
    if (!post) add(`${at}/to`, unknownPopulation(pr.to, pops));
    if (!pre || !post) return;
    const expected = checkProjection(pr, pre, post, at, dt, stepOk, add);
    expectedSynapses += expected;
    // The kernel's arrays of one projection: a block holds at most 2^30 bytes.
    const most = pr.connect.rule === 'fixed_probability' ? expected + 6 * Math.sqrt(expected) : expected;
    const perArray = pr.plasticity ? MAX_PLASTIC_SYNAPSES : MAX_PROJECTION_SYNAPSES;
    if (most > perArray) {
      limit(at, `the projection would hold about ${Math.round(most)} synapses; a ${pr.plasticity ? 'plastic ' : ''}projection holds at most ${perArray} (split it, or use fewer synapses)`);
    }
    kernelBytes += most * synapseBytes(pr);
  });
  if (expectedSynapses > limits.maxSynapses) {
    limit('/projections', `the model expects ${Math.round(expectedSynapses)} synapses, more than the limit of ${limits.maxSynapses}`);
  }
  kernelBytes += totalNeurons * NEURON_BYTES;
  if (kernelBytes > MAX_KERNEL_BYTES) {
    limit('/projections', `the model needs about ${(kernelBytes / 2 ** 30).toFixed(1)} GB of kernel memory (8 bytes a synapse, 24 a plastic one, ${NEURON_BYTES} a neuron), more than the ${(MAX_KERNEL_BYTES / 2 ** 30).toFixed(1)} GB a kernel can hold`);
  }

  const moduleNames = new Set<string>();
  (m.modules ?? []).forEach((mod, k) => {
    const at = `/modules/${k}`;
    if (moduleNames.has(mod.name)) add(`${at}/name`, `duplicate module name "${mod.name}"`);
    moduleNames.add(mod.name);
    const input = pops.get(mod.input)?.pop, output = pops.get(mod.output)?.pop;
    if (!input) add(`${at}/input`, unknownPopulation(mod.input, pops));
    if (!output) add(`${at}/output`, unknownPopulation(mod.output, pops));
    else if (output.model !== 'poisson') add(`${at}/output`, `the module sets rates: "${mod.output}" must be a poisson population (process "poisson" or "regular"), not ${output.model}`);
    if (stepOk && !(msToSteps(mod.interval!, dt) >= 1)) add(`${at}/interval`, `update interval must be >= dt = ${dt} ms (got ${mod.interval})`);
    const enc = mod.encoder;
    if (enc?.kind === 'count' && enc.window !== undefined && !(enc.window >= mod.interval!)) add(`${at}/encoder/window`, `the count window must be at least the module interval, ${mod.interval} ms (got ${enc.window})`);
    if (mod.hidden !== undefined && mod.type !== 'mlp' && mod.type !== 'vae' && mod.type !== 'gan') add(`${at}/hidden`, `only an mlp, a vae and a gan have hidden layers; the ${mod.type}'s size is its output population's`);
    if (mod.type === 'vae' && mod.hidden !== undefined && mod.hidden.length !== 1) add(`${at}/hidden`, `a vae's decoder has one hidden layer: give one size (got ${mod.hidden.length})`);
    if (input && output && mod.type === 'mlp' && output.size < 2) add(`${at}/output`, `an mlp's softmax needs at least 2 outputs ("${mod.output}" has ${output.size})`);
    if (mod.weights !== undefined && input && output) {
      const hidden = moduleHidden(mod.type, mod.hidden);
      const what = `from "${mod.input}" (${input.size}) to "${mod.output}" (${output.size})${hidden.length ? ` with hidden [${hidden.join(', ')}]` : ''}`;
      for (const issue of weightsIssues(mod.weights, `${at}/weights`, mod.type, moduleParamShapes(mod.type, input.size, output.size, mod.hidden), what)) add(issue.path, issue.message);
    }
  });

  const rec = m.record;
  const projByName = new Map(m.projections.map((pr) => [pr.name ?? `${pr.from}->${pr.to}`, pr]));
  rec?.weights?.forEach((w, i) => {
    const at = `/record/weights/${i}`;
    const pr = projByName.get(w.projection);
    if (!pr) {
      const hint = closest(w.projection, [...projByName.keys()]);
      add(`${at}/projection`, `no projection named "${w.projection}"${hint ? ` (did you mean "${hint}"?)` : ''}; projections are named "from->to" unless given a name`);
      return;
    }
    if (stepOk && !(msToSteps(w.interval, dt) >= 1)) add(`${at}/interval`, `sampling interval must be >= dt = ${dt} ms (got ${w.interval})`);
    const nPre = pops.get(pr.from)?.pop.size ?? 0, nPost = pops.get(pr.to)?.pop.size ?? 0;
    w.synapses?.forEach(([a, b], q) => {
      if (a >= nPre) add(`${at}/synapses/${q}/0`, `neuron ${a} is outside "${pr.from}" (size ${nPre})`);
      if (b >= nPost) add(`${at}/synapses/${q}/1`, `neuron ${b} is outside "${pr.to}" (size ${nPost})`);
    });
    if (w.axis && w.axis.values.length !== (w.synapses?.length ?? 0)) add(`${at}/axis/values`, `needs one value per recorded synapse: ${w.synapses?.length ?? 0} (got ${w.axis.values.length})`);
    if (w.histogram?.range && !(w.histogram.range[0] < w.histogram.range[1])) add(`${at}/histogram/range`, `low must be below high (got [${w.histogram.range.join(', ')}])`);
    if (!w.synapses && !w.histogram) add(at, 'record "synapses", a "histogram", or both');
  });
  if (rec?.energy) {
    rec.energy.populations.forEach((name, i) => {
      const entry = pops.get(name);
      if (!entry) add(`/record/energy/populations/${i}`, unknownPopulation(name, pops));
      else if (!modelOf(entry.pop).coupling) add(`/record/energy/populations/${i}`, `"${name}" is not a population of binary units`);
    });
    if (stepOk && !(msToSteps(rec.energy.interval, dt) >= 1)) add('/record/energy/interval', `sampling interval must be >= dt = ${dt} ms (got ${rec.energy.interval})`);
  }
  if (rec?.spikes !== undefined && rec.spikes !== 'all') {
    rec.spikes.forEach((name, i) => {
      if (!pops.has(name)) add(`/record/spikes/${i}`, unknownPopulation(name, pops));
    });
  }
  rec?.state?.forEach((r, i) => {
    const at = `/record/state/${i}`;
    const entry = pops.get(r.population);
    if (!entry) { add(`${at}/population`, unknownPopulation(r.population, pops)); return; }
    const model = modelOf(entry.pop);
    const vars = Object.keys(populationVariables(entry.pop));
    const absent = model.absent?.(entry.pop.params as never, r.variable);
    if (vars.includes(r.variable) && absent) {
      add(`${at}/variable`, `population "${r.population}" ${absent}`);
    } else if (!vars.includes(r.variable)) {
      add(`${at}/variable`, vars.length
        ? `${entry.pop.model} has no variable "${r.variable}"; it has ${vars.join(', ')}`
        : `${entry.pop.model} has no state variables to record`);
    }
    // One issue for every id outside (a range such as 0-999999 is one mistake, not a million).
    const outside = r.ids.map((id, q) => [id, q] as const).filter(([id]) => id >= entry.pop.size);
    if (outside.length === 1) add(`${at}/ids/${outside[0]![1]}`, `neuron ${outside[0]![0]} is outside population "${r.population}" (size ${entry.pop.size})`);
    else if (outside.length > 1) add(`${at}/ids/${outside[0]![1]}`, `${outside.length} neurons (${outside[0]![0]} and on) are outside population "${r.population}" (size ${entry.pop.size})`);
    if (r.interval !== undefined && stepOk && !(msToSteps(r.interval, dt) >= 1)) {
      add(`${at}/interval`, `sampling interval must be >= dt = ${dt} ms (got ${r.interval})`);
    }
  });
}

function modelOf(pop: Population): NeuronModel<unknown> {
  return neuronModel(pop.model)!;  // the schema admits registered models only
}

function unknownPopulation(name: string, pops: Map<string, unknown>): string {
  const hint = closest(name, [...pops.keys()]);
  return `no population named "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
}

// What every population shares (init values, inputs), then its model's own rules.
function checkPopulation(pop: Population, at: string, m: ValidModel, add: Add): void {
  const model = modelOf(pop);
  model.check?.(pop as never, at, add);
  if (pop.init && model.initSchema === undefined) {
    for (const [name, value] of Object.entries(pop.init) as [string, InitValue | undefined][]) {
      if (value === undefined) continue;
      const absent = model.absent?.(pop.params as never, name);
      if (absent) add(`${at}/init/${name}`, `the population ${absent}`);
      if (Array.isArray(value)) {
        if (value.length !== pop.size) add(`${at}/init/${name}`, `needs one value per neuron: ${pop.size} (got ${value.length})`);
      } else checkValue(value, `${at}/init/${name}`, add);
    }
  }
  pop.poisson_input?.forEach((inp, q) => {
    const ip = `${at}/poisson_input/${q}`;
    if (m.dt > 0 && inp.rate * m.dt / 1000 > 1000) add(`${ip}/rate`, `rate x dt must be at most 1000 spikes per step (got ${inp.rate * m.dt / 1000})`);
    if (model.synapses?.conductance && inp.weight < 0) add(`${ip}/weight`, `conductance weights must be >= 0 nS (got ${inp.weight})`);
    if (!model.synapses?.receptors && inp.receptor !== undefined) add(`${ip}/receptor`, `${pop.model} has no synaptic receptors; omit "receptor"`);
    else if (inp.receptor !== undefined || pop.model === 'equations') checkReceptor(pop, inp.receptor ?? (inp.weight < 0 ? 'inh' : 'exc'), `${ip}/receptor`, `population "${pop.name}"`, add);
    if (inp.timing === 'exact' && !model.inputs.exactPoisson) add(`${ip}/timing`, `${pop.model} is clock-driven: its inputs arrive at the step's end ("grid"); "exact" needs an event-driven model (lif_delta)`);
  });
  const c = pop.current;
  if (c) {
    if (c.times.length !== c.amplitudes.length) {
      add(`${at}/current/amplitudes`, `needs one amplitude per time: ${c.times.length} (got ${c.amplitudes.length})`);
    }
    checkTimes(c.times, `${at}/current/times`, add);
  }
}

/** Expected number of synapses (exact except for fixed_probability). */
function checkProjection(
  pr: Projection, pre: Population, post: Population, at: string, dt: number, stepOk: boolean, add: Add,
): number {
  const c = pr.connect;
  const preModel = modelOf(pre), postModel = modelOf(post);
  const syn = postModel.synapses;
  if (syn === null) {
    add(`${at}/to`, `population "${pr.to}" is a ${post.model} source and cannot receive synapses`);
  }
  const expected = connectionRule(c.rule).check(c as never, {
    at, from: pr.from, to: pr.to, nPre: pre.size, nPost: post.size, same: pr.from === pr.to, dt, add,
  });
  const listWeights = c.rule === 'list' && c.weights !== undefined;
  const listDelays = c.rule === 'list' && c.delays !== undefined;
  if (listWeights && pr.weight !== undefined) add(`${at}/weight`, 'give either "weight" or connect.weights, not both');
  if (listDelays) {
    if (pr.delay !== undefined) add(`${at}/delay`, 'give either "delay" or connect.delays, not both');
    if (stepOk) (c.delays as number[]).forEach((d, s) => checkDelayBound(d, `${at}/connect/delays/${s}`, dt, add));
  }

  const couplingPre = preModel.coupling === true, couplingPost = postModel.coupling === true;
  if (couplingPre !== couplingPost) {
    add(`${at}/${couplingPre ? 'to' : 'from'}`, 'binary units couple only to binary units');
    return expected;
  }
  if (couplingPre) {
    checkCoupling(pr, post, at, add);
    if (pr.learn === undefined && pr.weight === undefined && !listWeights) add(`${at}/weight`, 'is required');
    return expected;
  }
  if (pr.learn !== undefined) add(`${at}/learn`, 'learned couplings are for binary units');
  if (c.rule === 'lattice') add(`${at}/connect/rule`, 'lattices couple binary units');
  if (pr.weight === undefined && !listWeights) add(`${at}/weight`, 'is required');
  if (pr.weight !== undefined) checkValue(pr.weight, `${at}/weight`, add);
  if (syn?.conductance) {
    if (pr.weight !== undefined) checkNonNegative(pr.weight, `${at}/weight`, 'conductance weights (nS)', add);
    if (listWeights) {
      (c.weights as number[]).forEach((w, s) => {
        if (w < 0) add(`${at}/connect/weights/${s}`, `conductance weights must be >= 0 nS (got ${w})`);
      });
    }
  }
  if (syn && !syn.receptors && pr.receptor !== undefined) {
    add(`${at}/receptor`, `${post.model} has no synaptic receptors: its weights are ${syn.weightUnit}; omit "receptor"`);
  }
  if (syn?.receptors && pr.receptor === undefined) {
    if (!listWeights && pr.weight !== undefined && typeof pr.weight !== 'number') add(`${at}/receptor`, 'is required when the weight is a distribution ("exc" or "inh")');
    if (listWeights) add(`${at}/receptor`, 'is required with per-synapse weights ("exc" or "inh")');
  }

  if (syn?.receptors && (pr.receptor !== undefined || post.model === 'equations')) {
    checkReceptor(post, pr.receptor ?? (typeof pr.weight === 'number' && pr.weight < 0 ? 'inh' : 'exc'), `${at}/receptor`, `population "${pr.to}"`, add);
  }
  if (pr.plasticity) checkPlasticity(pr, pre, post, at, dt, add);
  if (pr.normalize && stepOk && !(msToSteps(pr.normalize.interval, dt) >= 1)) {
    add(`${at}/normalize/interval`, `must be >= dt = ${dt} ms (got ${pr.normalize.interval})`);
  }

  if (pr.delay !== undefined && stepOk) {
    const d = pr.delay;
    checkValue(d, `${at}/delay`, add);
    if (typeof d === 'number') checkDelayBound(d, `${at}/delay`, dt, add);
    else {
      const lo = lowestOf(d), hi = highestOf(d);
      if (!(lo >= dt * (1 - 1e-9))) {
        add(`${at}/delay`, 'uniform' in d
          ? `delays must be >= dt = ${dt} ms: the low end is ${lo} ms`
          : `delays must be >= dt = ${dt} ms: add "clip": [${dt}, ...] (the clip range now starts at ${lo})`);
      } else if (msToSteps(hi, dt) > MAX_DELAY_STEPS) {
        add(`${at}/delay`, `delays must be at most ${MAX_DELAY_STEPS} steps (${MAX_DELAY_STEPS * dt} ms); the high end is ${hi} ms`);
      }
    }
  }
  return expected;
}

// Couplings between binary units: immediate, symmetric (w_ij = w_ji), no self-coupling.
function checkCoupling(pr: Projection, post: Population, at: string, add: Add): void {
  const c = pr.connect;
  const same = pr.from === pr.to;
  for (const key of ['delay', 'receptor', 'plasticity', 'normalize'] as const) {
    if (pr[key] !== undefined && pr[key] !== null) add(`${at}/${key}`, `couplings between binary units act at once and have no ${key}; omit "${key}"`);
  }
  if (pr.learn !== undefined) {
    if (!same) add(`${at}/learn`, 'learned couplings connect a population to itself');
    if (c.rule !== 'all_to_all' || c.allow_autapses !== false) add(`${at}/connect`, 'learned couplings need { "rule": "all_to_all", "allow_autapses": false }');
    if (pr.weight !== undefined) add(`${at}/weight`, 'give either "weight" or "learn", not both');
    if (patternCount(post) === 0) add(`${at}/learn`, `population "${pr.to}" has no patterns to learn`);
    return;
  }
  const symmetricHint = 'couplings of binary units must be symmetric (w_ij = w_ji): use all_to_all or lattice with one weight, "learn", or a symmetric list';
  if (pr.weight !== undefined && typeof pr.weight !== 'number') add(`${at}/weight`, `${symmetricHint}; random weights are not`);
  if (c.rule === 'list') {
    const pre = c.pre as number[], postIds = c.post as number[];
    const w = (c.weights as number[] | undefined) ?? pre.map(() => (typeof pr.weight === 'number' ? pr.weight : NaN));
    const key = (i: number, j: number) => `${i},${j}`;
    const table = new Map<string, number>();
    pre.forEach((i, s) => table.set(key(i, postIds[s]!), w[s]!));
    pre.forEach((i, s) => {
      const j = postIds[s]!;
      if (same && i === j) add(`${at}/connect/pre/${s}`, `unit ${i} cannot couple to itself`);
      else if (same && table.get(key(j, i)) !== w[s]) add(`${at}/connect`, `${symmetricHint}: ${i}->${j} has weight ${w[s]}, ${j}->${i} ${table.has(key(j, i)) ? `has ${table.get(key(j, i))}` : 'is missing'}`);
    });
  } else if (same) {
    if (c.rule === 'all_to_all' && c.allow_autapses !== false) add(`${at}/connect/allow_autapses`, 'a unit cannot couple to itself: set "allow_autapses": false');
    else if (c.rule !== 'all_to_all' && c.rule !== 'lattice') add(`${at}/connect/rule`, `${symmetricHint}; ${c.rule} is not`);
  } else if (c.rule !== 'all_to_all') {
    add(`${at}/connect/rule`, `between two populations of binary units, use all_to_all both ways with one weight (or set the couplings from code); ${c.rule} is not symmetric`);
  }
}

function checkPlasticity(pr: Projection, pre: Population, post: Population, at: string, dt: number, add: Add): void {
  const pl = pr.plasticity!;
  const ap = `${at}/plasticity`;
  const c = pr.connect;
  if (pr.delay !== undefined && typeof pr.delay !== 'number') {
    add(`${at}/delay`, 'plastic synapses share one delay: give a number (the presynaptic trace serves all synapses of a neuron)');
  }
  if (c.rule === 'list' && c.delays && new Set(c.delays as number[]).size > 1) {
    add(`${at}/connect/delays`, 'plastic synapses share one delay: give "delay" instead of per-synapse delays');
  }
  plasticityRule(String(pl.rule)).check?.(pl as never, ap, add, { pre: variableUnits(pre), post: variableUnits(post), dt: dt > 0 ? dt : 0.1 });
  const wMin = pl.w_min ?? 0, wMax = pl.w_max;
  if (!(wMin < wMax)) add(`${ap}/w_max`, `w_max must be above w_min (w_min ${wMin}, w_max ${wMax})`);
  if (modelOf(post).synapses?.conductance && wMin < 0) add(`${ap}/w_min`, `conductance weights must be >= 0 nS (got w_min ${wMin})`);
  const within = (lo: number, hi: number) => lo >= wMin && hi <= wMax;
  if (pr.weight !== undefined && !within(lowestOf(pr.weight), highestOf(pr.weight))) {
    add(`${at}/weight`, typeof pr.weight === 'number'
      ? `initial weight ${pr.weight} is outside the plasticity bounds [${wMin}, ${wMax}]`
      : `initial weights must lie within the plasticity bounds [${wMin}, ${wMax}]${'normal' in pr.weight ? ' (clip the normal distribution)' : ''}`);
  }
  if (c.rule === 'list' && c.weights) {
    (c.weights as number[]).forEach((w, s) => { if (!within(w, w)) add(`${at}/connect/weights/${s}`, `initial weight ${w} is outside the plasticity bounds [${wMin}, ${wMax}]`); });
  }
}

/** exc and inh for the built-in models; an equation population has the receptors it names. */
function checkReceptor(pop: Population, receptor: string, at: string, what: string, add: Add): void {
  if (pop.model === 'equations') {
    const receptors = (pop as { receptors?: Record<string, string> }).receptors ?? {};
    if (receptors[receptor] === undefined) add(at, `${what} has no "${receptor}" receptor: give its equations "receptors": { "${receptor}": "<variable>" }`);
  } else if (receptor !== 'exc' && receptor !== 'inh') {
    add(at, `${what} (${pop.model}) has the receptors "exc" and "inh" (got "${receptor}")`);
  }
}

function checkDelayBound(d: number, at: string, dt: number, add: Add): void {
  if (!(d >= dt * (1 - 1e-9))) add(at, `delay must be >= dt = ${dt} ms (got ${d} ms)`);
  else if (msToSteps(d, dt) > MAX_DELAY_STEPS) add(at, `delay must be at most ${MAX_DELAY_STEPS} steps (${MAX_DELAY_STEPS * dt} ms; got ${d} ms)`);
}

/** Every model's variables (for the docs and the CLI's help). */
export function modelVariableTable(): Record<string, string[]> {
  return Object.fromEntries(NEURON_MODELS.map((m) => [m.name, modelVariables(m as NeuronModel<unknown>)]));
}

export type { Value };
