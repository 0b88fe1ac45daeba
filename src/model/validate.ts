// Validation of a model: the schema first (types, unknown keys, required
// keys, defaults filled in), then the rules a schema cannot say (names that
// must exist, v_reset < v_thresh, delay >= dt, sizes within limits, ...).
// Every issue is collected, each with the JSON Pointer of the offending value.

import AjvModule, { type ErrorObject } from 'ajv';
import { ModelError, type Issue } from '../errors.js';
import { Model, MODEL_VARIABLES, MODEL_NAMES, CONNECT_RULES, PLASTICITY_RULES, PairStdp, TripletStdp, RewardStdp, type Value, type InitValue, type Population, type Projection } from './schema.js';
import { msToSteps } from './units.js';
import { closest } from './closest.js';

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

/** The largest delay, in steps, the kernel stores per synapse (u16). */
export const MAX_DELAY_STEPS = 65535;

// Compiled on first use: commands that never validate do not pay for it.
let checkSchema: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;
function schemaChecker() {
  checkSchema ??= new Ajv({ allErrors: true, useDefaults: true, discriminator: true, verbose: true, strict: false }).compile(Model);
  return checkSchema;
}

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
  nonFiniteNumbers(input, '', issues);
  if (issues.length > 0) throw new ModelError(issues, options.source);
  const model = structuredClone(input);
  const check = schemaChecker();
  if (!check(model)) {
    throw new ModelError(schemaIssues(check.errors ?? []), options.source);
  }
  const valid = model as ValidModel;
  fillPlasticityDefaults(valid);
  checkRules(valid, limits, issues);
  if (issues.length > 0) throw new ModelError(issues, options.source);
  return valid;
}

// ajv fills defaults in everywhere except under anyOf, and a plasticity
// block sits under one (it may be null): fill its defaults from its schema.
const PLASTICITY_SCHEMAS = { stdp: PairStdp, triplet: TripletStdp, reward_stdp: RewardStdp } as const;
function fillPlasticityDefaults(m: ValidModel): void {
  for (const pr of m.projections) {
    const pl = pr.plasticity as Record<string, unknown> | null | undefined;
    if (!pl) continue;
    const schema = PLASTICITY_SCHEMAS[pl.rule as keyof typeof PLASTICITY_SCHEMAS];
    for (const [key, prop] of Object.entries(schema.properties as Record<string, { default?: unknown }>)) {
      if (pl[key] === undefined && prop.default !== undefined) pl[key] = prop.default;
    }
  }
}

// JSON cannot hold NaN or Infinity, but an object built in code can.
function nonFiniteNumbers(x: unknown, path: string, issues: Issue[]): void {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) issues.push({ path, message: `must be a finite number (got ${x})` });
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => nonFiniteNumbers(v, `${path}/${i}`, issues));
  } else if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) nonFiniteNumbers(v, `${path}/${escapePointer(k)}`, issues);
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
  for (const e of errors) {
    if (skip(e)) continue;
    const issue = describe(e);
    const key = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function got(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object';
  if (typeof x === 'string') return JSON.stringify(x);
  return String(x);
}

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
        message: `unknown property "${key}"${hint ? ` (did you mean "${hint}"?)` : known.length ? `; expected one of ${known.join(', ')}` : ''}`,
      };
    }
    case 'required':
      return { path: `${path}/${escapePointer(String(p.missingProperty))}`, message: 'is required' };
    case 'discriminator': {
      const tag = String(p.tag);
      const names = tag === 'model' ? MODEL_NAMES : tag === 'rule' ? (e.instancePath.endsWith('/plasticity') ? PLASTICITY_RULES : CONNECT_RULES) : [];
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
    case 'exclusiveMaximum':
      return { path, message: `must be ${p.comparison} ${p.limit} (got ${got(e.data)})` };
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
    default:
      return { path, message: e.message ?? `breaks the rule "${e.keyword}"` };
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

// ------------------------------------------------------------------ rules

function checkRules(m: ValidModel, limits: Limits, issues: Issue[]): void {
  const add = (path: string, message: string) => issues.push({ path, message });
  const limit = (path: string, message: string) => issues.push({ path, message, rule: 'limit' });
  const { dt, duration } = m;
  if (!(dt > 0)) add('/dt', `time step must be > 0 ms (got ${dt})`);
  if (!(duration >= 0)) add('/duration', `duration must be >= 0 ms (got ${duration})`);
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
    expectedSynapses += checkProjection(pr, pre, post, at, dt, stepOk, add);
  });
  if (expectedSynapses > limits.maxSynapses) {
    limit('/projections', `the model expects ${Math.round(expectedSynapses)} synapses, more than the limit of ${limits.maxSynapses}`);
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
    if (enc?.kind === 'exponential' && !(enc.tau > 0)) add(`${at}/encoder/tau`, `time constant must be > 0 ms (got ${enc.tau})`);
    if (!(mod.input_scale! > 0)) add(`${at}/input_scale`, `must be > 0 Hz (got ${mod.input_scale})`);
    if (!(mod.max_rate! >= 0)) add(`${at}/max_rate`, `must be >= 0 Hz (got ${mod.max_rate})`);
    if (mod.hidden !== undefined && mod.type !== 'mlp') add(`${at}/hidden`, `only an mlp has hidden layers; the ${mod.type}'s size is its output population's`);
    if (input && output && mod.type === 'mlp' && output.size < 2) add(`${at}/output`, `an mlp's softmax needs at least 2 outputs ("${mod.output}" has ${output.size})`);
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
    if (w.histogram?.range && !(w.histogram.range[0] < w.histogram.range[1])) add(`${at}/histogram/range`, `low must be below high (got [${w.histogram.range.join(', ')}])`);
    if (!w.synapses && !w.histogram) add(at, 'record "synapses", a "histogram", or both');
  });
  if (rec?.energy) {
    rec.energy.populations.forEach((name, i) => {
      const entry = pops.get(name);
      if (!entry) add(`/record/energy/populations/${i}`, unknownPopulation(name, pops));
      else if (entry.pop.model !== 'binary') add(`/record/energy/populations/${i}`, `"${name}" is not a population of binary units`);
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
    const vars = MODEL_VARIABLES[entry.pop.model];
    if (r.variable === 'theta' && vars.includes('theta') && !((entry.pop.params as { theta_plus?: number } | undefined)?.theta_plus! > 0)) {
      add(`${at}/variable`, `population "${r.population}" has no adaptive threshold (set params.theta_plus > 0)`);
    } else if (!vars.includes(r.variable)) {
      add(`${at}/variable`, vars.length
        ? `${entry.pop.model} has no variable "${r.variable}"; it has ${vars.join(', ')}`
        : `${entry.pop.model} has no state variables to record`);
    }
    r.ids.forEach((id, q) => {
      if (id >= entry.pop.size) add(`${at}/ids/${q}`, `neuron ${id} is outside population "${r.population}" (size ${entry.pop.size})`);
    });
    if (r.interval !== undefined && stepOk && !(msToSteps(r.interval, dt) >= 1)) {
      add(`${at}/interval`, `sampling interval must be >= dt = ${dt} ms (got ${r.interval})`);
    }
  });
}

function unknownPopulation(name: string, pops: Map<string, unknown>): string {
  const hint = closest(name, [...pops.keys()]);
  return `no population named "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
}

type Add = (path: string, message: string) => void;

function checkPopulation(pop: Population, at: string, m: ValidModel, add: Add): void {
  const positive = (key: string, value: number | undefined, what: string, unit: string) => {
    if (value !== undefined && !(value > 0)) add(`${at}/params/${key}`, `${what} must be > 0 ${unit} (got ${value})`);
  };
  const nonNegative = (key: string, value: number | undefined, what: string, unit: string) => {
    if (value !== undefined && !(value >= 0)) add(`${at}/params/${key}`, `${what} must be >= 0 ${unit} (got ${value})`);
  };
  switch (pop.model) {
    case 'lif':
    case 'lif_delta': {
      const p = pop.params!;
      positive('tau_m', p.tau_m, 'membrane time constant', 'ms');
      positive('c_m', p.c_m, 'membrane capacitance', 'pF');
      nonNegative('t_ref', p.t_ref, 'refractory period', 'ms');
      if (!(p.v_reset! < p.v_thresh!)) {
        add(`${at}/params/v_reset`, `reset potential must be below the threshold (v_reset ${p.v_reset} mV, v_thresh ${p.v_thresh} mV)`);
      }
      if (pop.model === 'lif') {
        nonNegative('theta_plus', pop.params!.theta_plus, 'threshold increase per spike', 'mV');
        positive('tau_theta', pop.params!.tau_theta, 'decay time of the adaptive threshold', 'ms');
        positive('tau_syn_e', pop.params!.tau_syn_e, 'excitatory synaptic time constant', 'ms');
        positive('tau_syn_i', pop.params!.tau_syn_i, 'inhibitory synaptic time constant', 'ms');
      }
      break;
    }
    case 'lif_cond': {
      const p = pop.params!;
      positive('c_m', p.c_m, 'membrane capacitance', 'pF');
      positive('g_l', p.g_l, 'leak conductance', 'nS');
      nonNegative('theta_plus', p.theta_plus, 'threshold increase per spike', 'mV');
      positive('tau_theta', p.tau_theta, 'decay time of the adaptive threshold', 'ms');
      nonNegative('t_ref', p.t_ref, 'refractory period', 'ms');
      positive('tau_syn_e', p.tau_syn_e, 'excitatory synaptic time constant', 'ms');
      positive('tau_syn_i', p.tau_syn_i, 'inhibitory synaptic time constant', 'ms');
      if (!(p.v_reset! < p.v_thresh!)) {
        add(`${at}/params/v_reset`, `reset potential must be below the threshold (v_reset ${p.v_reset} mV, v_thresh ${p.v_thresh} mV)`);
      }
      break;
    }
    case 'izhikevich': {
      const p = pop.params!;
      positive('tau_syn_e', p.tau_syn_e, 'excitatory synaptic time constant', 'ms');
      positive('tau_syn_i', p.tau_syn_i, 'inhibitory synaptic time constant', 'ms');
      if (!(p.c! < p.v_peak!)) add(`${at}/params/c`, `reset potential c must be below v_peak (c ${p.c} mV, v_peak ${p.v_peak} mV)`);
      break;
    }
    case 'poisson':
      if (!(pop.params.rate >= 0)) add(`${at}/params/rate`, `rate must be >= 0 Hz (got ${pop.params.rate})`);
      break;
    case 'binary':
      checkBinary(pop, at, add);
      break;
    case 'spike_source': {
      const lists = pop.params.spike_times;
      if (lists.length !== pop.size) {
        add(`${at}/params/spike_times`, `needs one list per neuron: ${pop.size} lists (got ${lists.length})`);
      }
      lists.forEach((times, j) => {
        times.forEach((t, q) => {
          if (!(t > 0)) add(`${at}/params/spike_times/${j}/${q}`, `spike times must be > 0 ms (got ${t})`);
          else if (q > 0 && t < times[q - 1]!) {
            add(`${at}/params/spike_times/${j}/${q}`, `spike times must be ascending (${t} ms after ${times[q - 1]} ms)`);
          }
        });
      });
      break;
    }
  }
  if ('init' in pop && pop.init && pop.model !== 'binary') {
    if ('theta' in pop.init && !((pop.params as { theta_plus?: number } | undefined)?.theta_plus! > 0)) {
      add(`${at}/init/theta`, 'the population has no adaptive threshold (set params.theta_plus > 0)');
    }
    for (const [name, value] of Object.entries(pop.init) as [string, InitValue | undefined][]) {
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        checkPerNeuron(value, pop.size, `${at}/init/${name}`, add);
        if (name === 'rate') value.forEach((r, j) => { if (r < 0) add(`${at}/init/rate/${j}`, `rates must be >= 0 (got ${r})`); });
        continue;
      }
      checkValue(value, `${at}/init/${name}`, add);
      if (name === 'rate') checkNonNegative(value, `${at}/init/rate`, 'rates', add);
    }
  }
  if ('poisson_input' in pop && pop.poisson_input) {
    pop.poisson_input.forEach((inp, q) => {
      const ip = `${at}/poisson_input/${q}`;
      if (!(inp.rate >= 0)) add(`${ip}/rate`, `rate must be >= 0 Hz (got ${inp.rate})`);
      if (m.dt > 0 && inp.rate * m.dt / 1000 > 1000) add(`${ip}/rate`, `rate x dt must be at most 1000 spikes per step (got ${inp.rate * m.dt / 1000})`);
      if (pop.model === 'lif_cond' && inp.weight < 0) add(`${ip}/weight`, `conductance weights must be >= 0 nS (got ${inp.weight})`);
      if (pop.model === 'lif_delta' && inp.receptor !== undefined) add(`${ip}/receptor`, 'lif_delta has no synaptic receptors; omit "receptor"');
    });
  }
  if ('current' in pop && pop.current) {
    const c = pop.current;
    if (c.times.length !== c.amplitudes.length) {
      add(`${at}/current/amplitudes`, `needs one amplitude per time: ${c.times.length} (got ${c.amplitudes.length})`);
    }
    c.times.forEach((t, q) => {
      if (!(t >= 0)) add(`${at}/current/times/${q}`, `times must be >= 0 ms (got ${t})`);
      else if (q > 0 && t < c.times[q - 1]!) add(`${at}/current/times/${q}`, `times must be ascending (${t} ms after ${c.times[q - 1]} ms)`);
    });
  }
}

/** Number of patterns a binary population defines. */
export function patternCount(pop: Population): number {
  if (pop.model !== 'binary' || !pop.patterns) return 0;
  const p = pop.patterns;
  if ('random' in p) return p.random.count;
  if ('list' in p) return p.list.length;
  return p.mnist.count;
}

function checkBinary(pop: Extract<Population, { model: 'binary' }>, at: string, add: Add): void {
  const p = pop.params!;
  const [lo, hi] = p.values === '01' ? [0, 1] : [-1, 1];
  if (!(p.temperature! > 0)) add(`${at}/params/temperature`, `temperature must be > 0 (got ${p.temperature})`);
  if (!(p.sweeps_per_step! > 0)) add(`${at}/params/sweeps_per_step`, `must be > 0 (got ${p.sweeps_per_step})`);
  if (!(p.rate! > 0)) add(`${at}/params/rate`, `must be > 0 Hz (got ${p.rate})`);
  if (p.threshold !== 0 && p.bias !== 0) add(`${at}/params/bias`, 'give a threshold or a bias, not both (the bias is -threshold)');
  const sched = p.temperature_schedule;
  if (sched) {
    if (sched.times.length !== sched.values.length) add(`${at}/params/temperature_schedule/values`, `needs one temperature per time: ${sched.times.length} (got ${sched.values.length})`);
    sched.values.forEach((v, q) => { if (!(v > 0)) add(`${at}/params/temperature_schedule/values/${q}`, `temperature must be > 0 (got ${v})`); });
    sched.times.forEach((t, q) => {
      if (!(t >= 0)) add(`${at}/params/temperature_schedule/times/${q}`, `times must be >= 0 ms (got ${t})`);
      else if (q > 0 && t < sched.times[q - 1]!) add(`${at}/params/temperature_schedule/times/${q}`, `times must be ascending (${t} ms after ${sched.times[q - 1]} ms)`);
    });
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
  if (Array.isArray(bias)) checkPerNeuron(bias, pop.size, `${at}/init/bias`, add);
  else if (bias !== undefined) checkValue(bias, `${at}/init/bias`, add);
}

function checkPerNeuron(values: number[], size: number, at: string, add: Add): void {
  if (values.length !== size) add(at, `needs one value per neuron: ${size} (got ${values.length})`);
}

function checkValue(v: Value, at: string, add: Add): void {
  if (typeof v === 'number') return;
  if ('uniform' in v) {
    if (!(v.uniform[0] <= v.uniform[1])) add(`${at}/uniform`, `low must not exceed high (got [${v.uniform.join(', ')}])`);
  } else {
    if (!(v.normal[1] >= 0)) add(`${at}/normal/1`, `standard deviation must be >= 0 (got ${v.normal[1]})`);
    if (v.clip && !(v.clip[0] <= v.clip[1])) add(`${at}/clip`, `low must not exceed high (got [${v.clip.join(', ')}])`);
  }
}

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

function checkNonNegative(v: Value, at: string, what: string, add: Add): void {
  if (lowestOf(v) < 0) {
    add(at, typeof v === 'number'
      ? `${what} must be >= 0 (got ${v})`
      : `${what} must be >= 0: ${'uniform' in v ? 'the low end' : 'the clip range'} must be >= 0${'normal' in v && !v.clip ? ' (add "clip": [0, ...])' : ''}`);
  }
}

/** Expected number of synapses (exact except for fixed_probability). */
function checkProjection(
  pr: Projection, pre: Population, post: Population, at: string, dt: number, stepOk: boolean, add: Add,
): number {
  const c = pr.connect;
  const nPre = pre.size, nPost = post.size;
  const same = pr.from === pr.to;
  let expected = 0;
  if (post.model === 'poisson' || post.model === 'spike_source') {
    add(`${at}/to`, `population "${pr.to}" is a ${post.model} source and cannot receive synapses`);
  }
  switch (c.rule) {
    case 'fixed_probability':
      expected = nPre * nPost * c.p;
      break;
    case 'fixed_indegree': {
      const available = same && c.allow_autapses === false ? nPre - 1 : nPre;
      if (c.allow_multapses === false && c.indegree > available) {
        add(`${at}/connect/indegree`, `indegree ${c.indegree} needs that many distinct sources, but "${pr.from}" offers ${available} (set allow_multapses)`);
      }
      if (c.indegree > 0 && available <= 0) add(`${at}/connect/indegree`, `"${pr.from}" has no neuron to connect from`);
      expected = c.indegree * nPost;
      break;
    }
    case 'fixed_outdegree': {
      const available = same && c.allow_autapses === false ? nPost - 1 : nPost;
      if (c.allow_multapses === false && c.outdegree > available) {
        add(`${at}/connect/outdegree`, `outdegree ${c.outdegree} needs that many distinct targets, but "${pr.to}" offers ${available} (set allow_multapses)`);
      }
      if (c.outdegree > 0 && available <= 0) add(`${at}/connect/outdegree`, `"${pr.to}" has no neuron to connect to`);
      expected = c.outdegree * nPre;
      break;
    }
    case 'one_to_one':
      if (nPre !== nPost) add(`${at}/connect`, `one_to_one needs populations of equal size ("${pr.from}" ${nPre}, "${pr.to}" ${nPost})`);
      expected = nPre;
      break;
    case 'all_to_all':
      expected = nPre * nPost;
      break;
    case 'all_but_one':
      if (nPre !== nPost) add(`${at}/connect`, `all_but_one needs populations of equal size ("${pr.from}" ${nPre}, "${pr.to}" ${nPost})`);
      expected = nPre * (nPost - 1);
      break;
    case 'lattice': {
      const [a, b] = c.shape;
      if (a !== b) add(`${at}/connect/shape`, `the lattice must be square (got ${a} x ${b})`);
      if (!same) add(`${at}/to`, 'a lattice couples a population to itself');
      if (nPre !== a * b) add(`${at}/connect/shape`, `a ${a} x ${b} lattice needs ${a * b} units; "${pr.from}" has ${nPre}`);
      expected = 4 * nPre;
      break;
    }
    case 'list': {
      const n = c.pre.length;
      if (c.post.length !== n) add(`${at}/connect/post`, `needs one entry per source: ${n} (got ${c.post.length})`);
      c.pre.forEach((i, s) => { if (i >= nPre) add(`${at}/connect/pre/${s}`, `neuron ${i} is outside "${pr.from}" (size ${nPre})`); });
      c.post.forEach((j, s) => { if (j >= nPost) add(`${at}/connect/post/${s}`, `neuron ${j} is outside "${pr.to}" (size ${nPost})`); });
      if (c.weights) {
        if (c.weights.length !== n) add(`${at}/connect/weights`, `needs one weight per synapse: ${n} (got ${c.weights.length})`);
        if (pr.weight !== undefined) add(`${at}/weight`, 'give either "weight" or connect.weights, not both');
      }
      if (c.delays) {
        if (c.delays.length !== n) add(`${at}/connect/delays`, `needs one delay per synapse: ${n} (got ${c.delays.length})`);
        if (pr.delay !== undefined) add(`${at}/delay`, 'give either "delay" or connect.delays, not both');
        if (stepOk) c.delays.forEach((d, s) => checkDelayBound(d, `${at}/connect/delays/${s}`, dt, add));
      }
      expected = n;
      break;
    }
  }

  const listWeights = c.rule === 'list' && c.weights !== undefined;
  const binaryPre = pre.model === 'binary', binaryPost = post.model === 'binary';
  if (binaryPre !== binaryPost) {
    add(`${at}/${binaryPre ? 'to' : 'from'}`, 'binary units couple only to binary units');
    return expected;
  }
  if (binaryPre) {
    checkCoupling(pr, pre, post, at, add);
    if (pr.learn === undefined && pr.weight === undefined && !listWeights) add(`${at}/weight`, 'is required');
    return expected;
  }
  if (pr.learn !== undefined) add(`${at}/learn`, 'learned couplings are for binary units');
  if (c.rule === 'lattice') add(`${at}/connect/rule`, 'lattices couple binary units');
  if (pr.weight === undefined && !listWeights) add(`${at}/weight`, 'is required');
  if (pr.weight !== undefined) checkValue(pr.weight, `${at}/weight`, add);
  if (post.model === 'lif_cond') {
    if (pr.weight !== undefined) checkNonNegative(pr.weight, `${at}/weight`, 'conductance weights (nS)', add);
    if (listWeights) {
      (c as { weights: number[] }).weights.forEach((w, s) => {
        if (w < 0) add(`${at}/connect/weights/${s}`, `conductance weights must be >= 0 nS (got ${w})`);
      });
    }
  }
  if (post.model === 'lif_delta' && pr.receptor !== undefined) {
    add(`${at}/receptor`, 'lif_delta has no synaptic receptors (a weight is a jump of v in mV); omit "receptor"');
  }
  if (pr.receptor === undefined && post.model !== 'lif_delta' && !listWeights && pr.weight !== undefined && typeof pr.weight !== 'number') {
    add(`${at}/receptor`, 'is required when the weight is a distribution ("exc" or "inh")');
  }
  if (pr.receptor === undefined && listWeights && post.model !== 'lif_delta') {
    add(`${at}/receptor`, 'is required with per-synapse weights ("exc" or "inh")');
  }

  if (pr.plasticity) checkPlasticity(pr, post, at, add);
  if (pr.normalize) {
    if (!(pr.normalize.total > 0)) add(`${at}/normalize/total`, `the sum of incoming weights must be > 0 (got ${pr.normalize.total})`);
    if (stepOk && !(msToSteps(pr.normalize.interval, dt) >= 1)) add(`${at}/normalize/interval`, `must be >= dt = ${dt} ms (got ${pr.normalize.interval})`);
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
function checkCoupling(pr: Projection, pre: Population, post: Population, at: string, add: Add): void {
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
    const w = c.weights ?? c.pre.map(() => (typeof pr.weight === 'number' ? pr.weight : NaN));
    const key = (i: number, j: number) => `${i},${j}`;
    const table = new Map<string, number>();
    c.pre.forEach((i, s) => table.set(key(i, c.post[s]!), w[s]!));
    c.pre.forEach((i, s) => {
      const j = c.post[s]!;
      if (same && i === j) add(`${at}/connect/pre/${s}`, `unit ${i} cannot couple to itself`);
      else if (same && table.get(key(j, i)) !== w[s]) add(`${at}/connect`, `${symmetricHint}: ${i}->${j} has weight ${w[s]}, ${j}->${i} ${table.has(key(j, i)) ? `has ${table.get(key(j, i))}` : 'is missing'}`);
    });
  } else if (same) {
    if (c.rule === 'all_to_all' && c.allow_autapses !== false) add(`${at}/connect/allow_autapses`, 'a unit cannot couple to itself: set "allow_autapses": false');
    else if (c.rule !== 'all_to_all' && c.rule !== 'lattice') add(`${at}/connect/rule`, `${symmetricHint}; ${c.rule} is not`);
  } else if (c.rule !== 'all_to_all') {
    add(`${at}/connect/rule`, `between two populations of binary units, use all_to_all both ways with one weight (or set the couplings from code); ${c.rule} is not symmetric`);
  }
  void pre;
}

function checkPlasticity(pr: Projection, post: Population, at: string, add: Add): void {
  const pl = pr.plasticity!;
  const ap = `${at}/plasticity`;
  const c = pr.connect;
  if (pr.delay !== undefined && typeof pr.delay !== 'number') {
    add(`${at}/delay`, 'plastic synapses share one delay: give a number (the presynaptic trace serves all synapses of a neuron)');
  }
  if (c.rule === 'list' && c.delays && new Set(c.delays).size > 1) {
    add(`${at}/connect/delays`, 'plastic synapses share one delay: give "delay" instead of per-synapse delays');
  }
  const wMin = pl.w_min ?? 0, wMax = pl.w_max;
  if (!(wMin < wMax)) add(`${ap}/w_max`, `w_max must be above w_min (w_min ${wMin}, w_max ${wMax})`);
  if (post.model === 'lif_cond' && wMin < 0) add(`${ap}/w_min`, `conductance weights must be >= 0 nS (got w_min ${wMin})`);
  const taus = pl.rule === 'triplet' ? ['tau_plus', 'tau_minus', 'tau_x', 'tau_y'] : pl.rule === 'reward_stdp' ? ['tau_plus', 'tau_minus', 'tau_c'] : ['tau_plus', 'tau_minus'];
  for (const key of taus) {
    const v = (pl as Record<string, unknown>)[key] as number;
    if (!(v > 0)) add(`${ap}/${key}`, `time constant must be > 0 ms (got ${v})`);
  }
  const amps = pl.rule === 'triplet' ? ['a2_plus', 'a3_plus', 'a2_minus', 'a3_minus'] : pl.rule === 'reward_stdp' ? ['a_plus', 'a_minus', 'learning_rate'] : ['a_plus', 'a_minus', 'mu'];
  for (const key of amps) {
    const v = (pl as Record<string, unknown>)[key] as number;
    if (!(v >= 0)) add(`${ap}/${key}`, `must be >= 0 (got ${v})`);
  }
  const within = (lo: number, hi: number) => lo >= wMin && hi <= wMax;
  if (pr.weight !== undefined && !within(lowestOf(pr.weight), highestOf(pr.weight))) {
    add(`${at}/weight`, typeof pr.weight === 'number'
      ? `initial weight ${pr.weight} is outside the plasticity bounds [${wMin}, ${wMax}]`
      : `initial weights must lie within the plasticity bounds [${wMin}, ${wMax}]${'normal' in pr.weight ? ' (clip the normal distribution)' : ''}`);
  }
  if (c.rule === 'list' && c.weights) {
    c.weights.forEach((w, s) => { if (!within(w, w)) add(`${at}/connect/weights/${s}`, `initial weight ${w} is outside the plasticity bounds [${wMin}, ${wMax}]`); });
  }
}

function checkDelayBound(d: number, at: string, dt: number, add: Add): void {
  if (!(d >= dt * (1 - 1e-9))) add(at, `delay must be >= dt = ${dt} ms (got ${d} ms)`);
  else if (msToSteps(d, dt) > MAX_DELAY_STEPS) add(at, `delay must be at most ${MAX_DELAY_STEPS} steps (${MAX_DELAY_STEPS * dt} ms; got ${d} ms)`);
}
