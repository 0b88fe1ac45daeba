// The two requests that carry a model (POST /api/models/validate and
// POST /api/runs), from their raw JSON text to what the server needs: a
// reply, or a plan for a run. Pure and synchronous; the server calls them
// in its validator thread (validator.ts), so that parsing, copying and
// validating a large or hostile body never runs on its event loop.

import { availableParallelism } from 'node:os';
import AjvModule from 'ajv';
import { validateModel, schemaIssues, modelSize, type Limits, type ValidModel } from '../model/validate.js';
import { applyOverrides, loadPreset } from '../model/load.js';
import { ModelError, type Issue, formatIssue } from '../core/errors.js';
import { parseJson, tooDeep, MAX_JSON_DEPTH, UNSAFE_KEYS } from '../core/json.js';
import { EXPERIMENTS, parseOptions, defaultOptions } from '../experiments/index.js';
import { CreateRun, ValidateBody } from '../protocol/rest.js';
import { httpError } from './errors.js';
import type { Pace } from './worker-protocol.js';

// ajv's CJS default export under NodeNext
const Ajv = AjvModule as unknown as typeof AjvModule.default;
// The options fastify gives its own ajv (app.ts), so both read bodies alike.
const ajv = new Ajv({ allErrors: true, verbose: true, coerceTypes: false, removeAdditional: false, useDefaults: true, discriminator: true, strict: false });
const checkCreate = ajv.compile(CreateRun);
const checkValidate = ajv.compile(ValidateBody);

export type ServerLimits = Partial<Limits> & { maxDurationMs: number };

export interface RunPlanOptions {
  durationMs: number | null;
  pace: Pace;
  /** Threads of a network run (undefined: the Simulation's default). */
  threads?: number;
  waitForWatcher: boolean;
  stopWhenUnwatched: boolean;
}

/** What POST /api/runs asks for, checked: a model (as JSON text) or an experiment run. */
export type RunPlan =
  | { kind: 'model'; modelJson: string; name: string; dt: number; size: { neurons: number; synapses: number }; options: RunPlanOptions }
  | { kind: 'experiment'; experiment: string; options: Record<string, unknown>; run: RunPlanOptions };

/** A request body: JSON, not too deep, no prototype keys, matching its schema (400 naming each issue). */
export function readBody<T>(text: string, check: AjvModule.ValidateFunction): T {
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (e) {
    throw httpError(400, 'HEBB_ERR_BAD_REQUEST', `the body is not JSON: ${(e as Error).message}`);
  }
  const deep = tooDeep(body);
  if (deep !== undefined) throw httpError(400, 'HEBB_ERR_BAD_REQUEST', `/body${deep}: nests deeper than ${MAX_JSON_DEPTH} levels: no request does`);
  const unsafe = unsafeKey(body);
  if (unsafe !== undefined) throw httpError(400, 'HEBB_ERR_BAD_REQUEST', `/body${unsafe}: the key "${unsafe.slice(unsafe.lastIndexOf('/') + 1)}" is not allowed in a request`);
  if (!check(body)) {
    const issues: Issue[] = schemaIssues(check.errors ?? []).map((i) => ({ ...i, path: `/body${i.path}` }));
    throw Object.assign(httpError(400, 'HEBB_ERR_BAD_REQUEST', issues.map(formatIssue).join('; ')), { issues });
  }
  return body as T;
}

/** Where a __proto__, constructor or prototype key is (the body is at most MAX_JSON_DEPTH deep). */
function unsafeKey(x: unknown, path = ''): string | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v === null || typeof v !== 'object') continue;
      const found = unsafeKey(v, `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const k of Object.keys(x)) {
    if (UNSAFE_KEYS.has(k)) return `${path}/${k}`;
    const v = (x as Record<string, unknown>)[k];
    if (v === null || typeof v !== 'object') continue;
    const found = unsafeKey(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** POST /api/models/validate: the reply's JSON text (the model with its defaults). */
export function validateRequest(text: string, limits: Partial<Limits>): string {
  const body = readBody<{ model: unknown }>(text, checkValidate);
  return JSON.stringify({ valid: true, model: validateModel(body.model, { limits }) });
}

/** POST /api/runs: what to run, every rule checked; the run itself is the caller's to start. */
export function planRun(text: string, limits: ServerLimits): RunPlan {
  const body = readBody<CreateRun>(text, checkCreate);
  if ([body.preset, body.model, body.experiment, body.run_experiment].filter((x) => x !== undefined).length !== 1) {
    throw httpError(400, 'HEBB_ERR_BAD_REQUEST', 'give exactly one of "preset", "model", "experiment" and "run_experiment"');
  }
  if (body.run_experiment !== undefined) {
    if (body.threads !== undefined) throw httpError(400, 'HEBB_ERR_BAD_REQUEST', '"threads" goes with a network run; an experiment\'s networks take the default (the cores, by size)');
    const exp = Object.hasOwn(EXPERIMENTS, body.run_experiment) ? EXPERIMENTS[body.run_experiment] : undefined;
    if (!exp) throw httpError(400, 'HEBB_ERR_BAD_REQUEST', `no experiment named "${body.run_experiment.slice(0, 100)}"; experiments: ${Object.keys(EXPERIMENTS).join(', ')}`);
    // The experiment's own schema checks the options, as on the command line.
    const options = parseOptions(exp.options, body.options ?? {}, 'api');
    // An experiment's own threads (AIS) are capped at the server's cores, as a run's are.
    if (typeof options.threads === 'number' && options.threads > availableParallelism()) options.threads = availableParallelism();
    // The network it would show, against the server's limits now (413) rather than in its thread.
    if (exp.model) validateModel(exp.model(options), { limits });
    return { kind: 'experiment', experiment: body.run_experiment, options, run: { durationMs: null, pace: { mode: 'max' }, waitForWatcher: false, stopWhenUnwatched: body.stop_when_unwatched ?? false } };
  }
  if (body.options !== undefined) throw httpError(400, 'HEBB_ERR_BAD_REQUEST', '"options" go with "run_experiment"');
  let source: unknown;
  if (body.experiment !== undefined) {
    const exp = Object.hasOwn(EXPERIMENTS, body.experiment) ? EXPERIMENTS[body.experiment] : undefined;
    if (!exp?.model) throw httpError(400, 'HEBB_ERR_BAD_REQUEST', `no watchable experiment named "${body.experiment.slice(0, 100)}"; watchable: ${Object.entries(EXPERIMENTS).filter(([, e]) => e.model).map(([n]) => n).join(', ')}`);
    source = exp.model(defaultOptions(exp.options));
  } else {
    source = body.preset !== undefined ? loadPreset(body.preset) : body.model;
  }
  source = applyOverrides(source, body.set ?? []);
  const patch: Record<string, unknown> = {};
  if (body.seed !== undefined) patch.seed = body.seed;
  const durationMs = body.duration_ms;
  if (typeof durationMs === 'number') patch.duration = durationMs;
  const input = Object.keys(patch).length && source !== null && typeof source === 'object' && !Array.isArray(source) ? { ...source, ...patch } : source;
  const model: ValidModel = validateModel(input, { limits, ...(body.preset ? { source: `preset ${body.preset}` } : {}) });
  const runFor = durationMs === null ? null : model.duration;
  if (runFor !== null && runFor > limits.maxDurationMs) {
    throw new ModelError([{ path: '/duration', message: `duration ${runFor} ms exceeds the server's limit of ${limits.maxDurationMs} ms (use duration_ms: null to run until stopped)`, rule: 'limit' }]);
  }
  const pace = body.pace;
  return {
    kind: 'model', modelJson: JSON.stringify(model), name: model.name ?? 'model', dt: model.dt, size: modelSize(model),
    options: {
      durationMs: runFor,
      pace: pace?.mode === 'realtime' ? { mode: 'realtime', speed: pace.speed ?? 1 } : pace?.mode === 'max' ? { mode: 'max' } : { mode: 'realtime', speed: 1 },
      waitForWatcher: body.wait_for_watcher ?? true,
      stopWhenUnwatched: body.stop_when_unwatched ?? false,
      // One request does not take more cores than the machine has.
      ...(body.threads !== undefined ? { threads: Math.min(body.threads, availableParallelism()) } : {}),
    },
  };
}
