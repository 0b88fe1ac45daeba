// The HTTP and WebSocket server as a Fastify app factory: buildApp() wires
// routes, schemas and the run manager, and never listens (tests inject).

import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import websocket from '@fastify/websocket';
import { Type, type Static } from '@sinclair/typebox';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateModel, schemaIssues, type Limits } from '../model/validate.js';
import { applyOverrides, listPresets, loadPreset } from '../model/load.js';
import { ModelError, UsageError, HebbError, type Issue, formatIssue } from '../core/errors.js';
import { RunManager, TooManyRunsError, type RunManagerOptions } from './runs.js';
import { registerStatic } from './static.js';
import { EXPERIMENTS } from '../experiments/index.js';
import { experimentOptions } from '../cli/experiment.js';
import { spikeCsvStream } from '../record/spikes-csv.js';

export interface ServerOptions extends RunManagerOptions {
  /** Model limits for runs created through the API (413 beyond them). */
  limits?: Partial<Limits> & { maxDurationMs?: number };
  logger?: boolean;
  /** Largest request body (bytes); larger ones get 413. */
  bodyLimit?: number;
  /** Where `hebb experiment` writes (default out/): the page shows the summaries found there. */
  resultsDir?: string;
}

export const DEFAULT_SERVER_LIMITS = { maxNeurons: 500_000, maxSynapses: 50_000_000, maxDurationMs: 3_600_000 };

const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
  issues: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String(), rule: Type.Optional(Type.String()) }))),
});

const Pace = Type.Union([
  Type.Object({ mode: Type.Literal('max') }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('realtime'), speed: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000, default: 1, description: 'biological ms per wall ms' })) }, { additionalProperties: false }),
], { title: '{ "mode": "max" } or { "mode": "realtime", "speed": x }' });

// A model is checked by hebb's own validator, not by the route's schema: one
// set of rules and messages for the CLI, the server and the page, every issue
// at once, each path a JSON Pointer into the model.
const ModelBody = Type.Unknown({ description: 'a model in the model format (src/model/schema.ts); its issues come back with JSON Pointers into it' });

const CreateRun = Type.Object({
  preset: Type.Optional(Type.String({ description: 'a preset name (or give "model" or "experiment")' })),
  experiment: Type.Optional(Type.String({ description: 'an experiment whose network to watch (GET /api/experiments: watchable)' })),
  run_experiment: Type.Optional(Type.String({ description: 'an experiment to run in full (its progress, live views and results stream; its files download when it ends)' })),
  options: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Array(Type.Number())]), { description: 'run_experiment: its options (as hebb experiment --help lists them)' })),
  model: Type.Optional(ModelBody),
  set: Type.Optional(Type.Array(Type.String(), { description: 'overrides PATH=VALUE, as hebb run --set' })),
  duration_ms: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'simulated time; null runs until stopped' })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  pace: Type.Optional(Pace),
  wait_for_watcher: Type.Optional(Type.Boolean({ default: true, description: 'start when the first watcher connects' })),
  stop_when_unwatched: Type.Optional(Type.Boolean({ default: false, description: 'stop when the last watcher leaves' })),
}, { additionalProperties: false });
type CreateRun = Static<typeof CreateRun>;

const RunInfo = Type.Object({
  id: Type.String(), name: Type.String(), state: Type.String(), created: Type.String(),
  duration_ms: Type.Union([Type.Number(), Type.Null()]), pace: Type.Any(), t_ms: Type.Number(), watchers: Type.Integer(),
  wait_for_watcher: Type.Boolean(), stop_when_unwatched: Type.Boolean(),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  summary: Type.Optional(Type.Any()),
  links: Type.Optional(Type.Record(Type.String(), Type.String())),
});

const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }) });
const FileParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }),
  file: Type.Union([Type.Literal('spikes.msgpack'), Type.Literal('spikes.csv'), Type.Literal('summary.json'), Type.Literal('state.csv'), Type.Literal('report.html')], { title: 'spikes.msgpack, spikes.csv, summary.json, state.csv or report.html' }),
});

function links(id: string): Record<string, string> {
  const base = `/api/runs/${id}`;
  return {
    self: base, stream: `${base}/stream`, pause: `${base}/pause`, resume: `${base}/resume`, stop: `${base}/stop`,
    spikes_msgpack: `${base}/files/spikes.msgpack`, spikes_csv: `${base}/files/spikes.csv`, summary: `${base}/files/summary.json`,
  };
}

class HttpError extends HebbError {
  constructor(readonly statusCode: number, code: string, message: string) {
    super(code, message);
  }
}

export async function buildApp(options: ServerOptions = {}): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 16 << 20,
    ajv: { customOptions: { allErrors: true, verbose: true, coerceTypes: false, removeAdditional: false, useDefaults: true, discriminator: true, strict: false } },
  });
  const runs = new RunManager(options);
  app.addHook('onClose', async () => runs.close());
  await app.register(websocket);

  app.setErrorHandler((err: FastifyError & { issues?: Issue[] }, request, reply) => {
    if (err.validation) {
      const issues = schemaIssues(err.validation as Parameters<typeof schemaIssues>[0]).map((i) => ({ ...i, path: `/${err.validationContext}${i.path}` }));
      return reply.code(400).send({ statusCode: 400, code: 'HEBB_ERR_BAD_REQUEST', error: 'Bad Request', message: issues.map(formatIssue).join('; '), issues });
    }
    if (err instanceof ModelError) {
      const tooLarge = err.issues.every((i) => i.rule === 'limit');
      const status = tooLarge ? 413 : 400;
      return reply.code(status).send({ statusCode: status, code: err.code, error: tooLarge ? 'Payload Too Large' : 'Bad Request', message: err.message, issues: err.issues });
    }
    if (err instanceof TooManyRunsError) return reply.code(429).send({ statusCode: 429, code: err.code, error: 'Too Many Requests', message: err.message });
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ statusCode: err.statusCode, code: err.code, error: errorName(err.statusCode), message: err.message });
    if (err instanceof UsageError) return reply.code(400).send({ statusCode: 400, code: err.code, error: 'Bad Request', message: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error(err);
    return reply.code(status).send({
      statusCode: status, code: err.code ?? 'HEBB_ERR_INTERNAL', error: errorName(status),
      message: status === 500 ? 'internal error (see the server log)' : err.message,
    });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ statusCode: 404, code: 'HEBB_ERR_NOT_FOUND', error: 'Not Found', message: `no route ${request.method} ${request.url}` });
  });

  const err = (status: number, code: string, message: string) => new HttpError(status, code, message);
  const getRun = (id: string) => {
    const run = runs.get(id);
    if (!run) throw err(404, 'HEBB_ERR_NO_RUN', `no run with id "${id}"`);
    return run;
  };

  app.get('/api/health', async () => ({ ok: true }));

  app.get('/api/presets', {
    schema: { response: { 200: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })) } },
  }, async () => listPresets().map(({ name, description }) => ({ name, description })));

  app.get('/api/presets/:name', {
    schema: { params: Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) }) },
  }, async (request) => {
    const { name } = request.params as { name: string };
    try {
      return loadPreset(name);
    } catch (e) {
      if (e instanceof UsageError) throw err(404, 'HEBB_ERR_NO_PRESET', e.message);
      throw e;
    }
  });

  app.get('/api/experiments', {
    schema: { response: { 200: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), watchable: Type.Boolean(), options: Type.Record(Type.String(), Type.Object({ type: Type.String(), default: Type.Unknown(), description: Type.String() })) })) } },
  }, async () => Object.entries(EXPERIMENTS).map(([name, e]) => ({
    name, description: e.description, watchable: e.model !== undefined,
    options: Object.fromEntries(Object.entries(e.options).map(([k, o]) => [k, { type: o.type, default: o.default, description: o.description }])),
  })));

  // Experiment results written by `hebb experiment` (out/NAME/summary.json), for the page's results view.
  const resultsDir = resolve(options.resultsDir ?? 'out');
  app.get('/api/results', {
    schema: { response: { 200: Type.Array(Type.Object({ name: Type.String(), experiment: Type.String(), modified: Type.String() })) } },
  }, async () => {
    if (!existsSync(resultsDir)) return [];
    const found: { name: string; experiment: string; modified: string }[] = [];
    for (const name of readdirSync(resultsDir)) {
      const file = join(resultsDir, name, 'summary.json');
      if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name) || !existsSync(file)) continue;
      try {
        const summary = JSON.parse(readFileSync(file, 'utf8')) as { experiment?: unknown };
        if (typeof summary.experiment === 'string') found.push({ name, experiment: summary.experiment, modified: statSync(file).mtime.toISOString() });
      } catch { /* a torn or foreign file is not a result */ }
    }
    return found.sort((a, b) => a.name.localeCompare(b.name));
  });

  app.get('/api/results/:name', {
    schema: { params: Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }) }) },
  }, async (request) => {
    const { name } = request.params as { name: string };
    const file = join(resultsDir, name, 'summary.json');
    if (name.startsWith('.') || !existsSync(file)) throw err(404, 'HEBB_ERR_NO_RESULT', `no experiment result "${name}" in ${resultsDir}`);
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  });

  app.post('/api/models/validate', {
    schema: { body: Type.Object({ model: ModelBody }, { additionalProperties: false }), response: { 200: Type.Object({ valid: Type.Boolean(), model: Type.Any() }), 400: ErrorReply, 413: ErrorReply } },
  }, async (request) => {
    const { model } = request.body as { model: unknown };
    return { valid: true, model: validateModel(model, { limits }) };
  });

  app.post('/api/runs', {
    schema: { body: CreateRun, response: { 201: RunInfo, 400: ErrorReply, 413: ErrorReply, 429: ErrorReply } },
  }, async (request, reply) => {
    const body = request.body as CreateRun;
    if ([body.preset, body.model, body.experiment, body.run_experiment].filter((x) => x !== undefined).length !== 1) {
      throw err(400, 'HEBB_ERR_BAD_REQUEST', 'give exactly one of "preset", "model", "experiment" and "run_experiment"');
    }
    if (body.run_experiment !== undefined) {
      const exp = EXPERIMENTS[body.run_experiment];
      if (!exp) throw err(400, 'HEBB_ERR_BAD_REQUEST', `no experiment named "${body.run_experiment}"; experiments: ${Object.keys(EXPERIMENTS).join(', ')}`);
      // The CLI's parser checks the options (types, minimums, choices, names).
      const args = Object.entries(body.options ?? {}).flatMap(([k, v]) => [`--${k}`, Array.isArray(v) ? v.join(',') : String(v)]);
      const options = experimentOptions(exp, args);
      const run = runs.create({ experiment: body.run_experiment, options }, { durationMs: null, pace: { mode: 'max' }, waitForWatcher: false, stopWhenUnwatched: body.stop_when_unwatched ?? false });
      reply.code(201);
      return { ...run.info(), links: links(run.id) };
    }
    if (body.options !== undefined) throw err(400, 'HEBB_ERR_BAD_REQUEST', '"options" go with "run_experiment"');
    let source: unknown;
    if (body.experiment !== undefined) {
      const exp = EXPERIMENTS[body.experiment];
      if (!exp?.model) throw err(400, 'HEBB_ERR_BAD_REQUEST', `no watchable experiment named "${body.experiment}"; watchable: ${Object.entries(EXPERIMENTS).filter(([, e]) => e.model).map(([n]) => n).join(', ')}`);
      source = exp.model(Object.fromEntries(Object.entries(exp.options).map(([k, o]) => [k, o.default])));
    } else {
      source = body.preset !== undefined ? loadPreset(body.preset) : body.model;
    }
    source = applyOverrides(source, body.set ?? []);
    const patch: Record<string, unknown> = {};
    if (body.seed !== undefined) patch.seed = body.seed;
    const durationMs = body.duration_ms === undefined ? undefined : body.duration_ms;
    if (typeof durationMs === 'number') patch.duration = durationMs;
    const model = validateModel({ ...(source as object), ...patch }, { limits, ...(body.preset ? { source: `preset ${body.preset}` } : {}) });
    const runFor = durationMs === null ? null : model.duration;
    if (runFor !== null && runFor > limits.maxDurationMs) {
      throw new ModelError([{ path: '/duration', message: `duration ${runFor} ms exceeds the server's limit of ${limits.maxDurationMs} ms (use duration_ms: null to run until stopped)`, rule: 'limit' }]);
    }
    const run = runs.create(model, {
      durationMs: runFor,
      pace: body.pace?.mode === 'realtime' ? { mode: 'realtime', speed: body.pace.speed ?? 1 } : body.pace?.mode === 'max' ? { mode: 'max' } : { mode: 'realtime', speed: 1 },
      waitForWatcher: body.wait_for_watcher ?? true,
      stopWhenUnwatched: body.stop_when_unwatched ?? false,
    });
    reply.code(201);
    return { ...run.info(), links: links(run.id) };
  });

  app.get('/api/runs', { schema: { response: { 200: Type.Array(RunInfo) } } }, async () => runs.list().map((r) => ({ ...r.info(), links: links(r.id) })));

  app.get('/api/runs/:id', { schema: { params: IdParams, response: { 200: RunInfo, 404: ErrorReply } } }, async (request) => {
    const run = getRun((request.params as { id: string }).id);
    return { ...run.info(), links: links(run.id) };
  });

  for (const action of ['pause', 'resume', 'stop'] as const) {
    app.post(`/api/runs/:id/${action}`, { schema: { params: IdParams, response: { 200: RunInfo, 404: ErrorReply, 409: ErrorReply } } }, async (request) => {
      const run = getRun((request.params as { id: string }).id);
      if (run.finished) throw err(409, 'HEBB_ERR_RUN_FINISHED', `run ${run.id} has already ended (${run.state})`);
      if (action === 'stop') await run.stop();
      else run.command({ cmd: action });
      return run.info();
    });
  }

  app.post('/api/runs/:id/pace', { schema: { params: IdParams, body: Pace, response: { 200: RunInfo, 404: ErrorReply, 409: ErrorReply } } }, async (request) => {
    const run = getRun((request.params as { id: string }).id);
    if (run.finished) throw err(409, 'HEBB_ERR_RUN_FINISHED', `run ${run.id} has already ended (${run.state})`);
    const body = request.body as Static<typeof Pace>;
    run.command({ cmd: 'pace', pace: body.mode === 'max' ? { mode: 'max' } : { mode: 'realtime', speed: body.speed ?? 1 } });
    return run.info();
  });

  app.delete('/api/runs/:id', { schema: { params: IdParams, response: { 204: Type.Null(), 404: ErrorReply } } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(await runs.delete(id))) throw err(404, 'HEBB_ERR_NO_RUN', `no run with id "${id}"`);
    reply.code(204).send();
  });

  const CONTENT_TYPES: Record<string, string> = {
    'spikes.msgpack': 'application/vnd.msgpack', 'spikes.csv': 'text/csv; charset=utf-8',
    'summary.json': 'application/json; charset=utf-8', 'state.csv': 'text/csv; charset=utf-8', 'report.html': 'text/html; charset=utf-8',
  };
  app.get('/api/runs/:id/files/:file', { schema: { params: FileParams, response: { 404: ErrorReply, 409: ErrorReply } } }, async (request, reply) => {
    const { id, file } = request.params as Static<typeof FileParams>;
    const run = getRun(id);
    if (!run.finished) throw err(409, 'HEBB_ERR_RUN_NOT_FINISHED', `run ${id} is ${run.state}; its files are written when it ends (stop it, or wait)`);
    // spikes.csv is made from spikes.msgpack when asked for (see record/spikes-csv.ts).
    const stored = file === 'spikes.csv' ? 'spikes.msgpack' : file;
    if (!run.hasFile(stored)) throw err(404, 'HEBB_ERR_NO_FILE', `run ${id} has no ${file}${file === 'state.csv' ? ' (it records no state)' : ''}`);
    reply.header('content-type', CONTENT_TYPES[file]!);
    reply.header('content-disposition', `attachment; filename="${run.name}-${id}-${file}"`);
    if (file === 'spikes.csv') return reply.send(spikeCsvStream(`${run.outDir}/spikes.msgpack`, run.dtMs));
    return reply.send(createReadStream(`${run.outDir}/${file}`));
  });

  app.get('/api/runs/:id/stream', { websocket: true }, (socket, request) => {
    const { id } = request.params as { id: string };
    const run = runs.get(id);
    if (!run) {
      socket.close(4404, `no run with id "${id}"`);
      return;
    }
    run.watch(socket);
  });

  registerStatic(app);
  app.decorate('runs', runs);
  return app;
}

function errorName(status: number): string {
  return { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 429: 'Too Many Requests' }[status] ?? 'Internal Server Error';
}

declare module 'fastify' {
  interface FastifyInstance {
    runs: RunManager;
  }
}
