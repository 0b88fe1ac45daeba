// Runs: create (a model, a preset, an experiment's network, or an
// experiment run in full), list, control, download their files, and watch
// them over a WebSocket.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createReadStream } from 'node:fs';
import { validateModel, type Limits } from '../../model/validate.js';
import { applyOverrides, loadPreset } from '../../model/load.js';
import { ModelError } from '../../core/errors.js';
import { EXPERIMENTS, parseOptions, defaultOptions } from '../../experiments/index.js';
import { spikeCsvStream } from '../../record/spikes-csv.js';
import { CreateRun, RunInfo, Pace, IdParams, FileParams, ErrorReply } from '../../protocol/rest.js';
import type { RunManager } from '../runs.js';
import { httpError } from '../errors.js';

export interface RunRouteOptions {
  runs: RunManager;
  limits: Partial<Limits> & { maxDurationMs: number };
}

function links(id: string): Record<string, string> {
  const base = `/api/runs/${id}`;
  return {
    self: base, stream: `${base}/stream`, pause: `${base}/pause`, resume: `${base}/resume`, stop: `${base}/stop`,
    spikes_msgpack: `${base}/files/spikes.msgpack`, spikes_csv: `${base}/files/spikes.csv`, summary: `${base}/files/summary.json`,
  };
}

const CONTENT_TYPES: Record<string, string> = {
  'spikes.msgpack': 'application/vnd.msgpack', 'spikes.csv': 'text/csv; charset=utf-8',
  'summary.json': 'application/json; charset=utf-8', 'state.csv': 'text/csv; charset=utf-8', 'report.html': 'text/html; charset=utf-8',
};

export const runRoutes: FastifyPluginAsyncTypebox<RunRouteOptions> = async (app, { runs, limits }) => {
  const getRun = (id: string) => {
    const run = runs.get(id);
    if (!run) throw httpError(404, 'HEBB_ERR_NO_RUN', `no run with id "${id}"`);
    return run;
  };

  app.post('/api/runs', {
    schema: { body: CreateRun, response: { 201: RunInfo, 400: ErrorReply, 413: ErrorReply, 429: ErrorReply } },
  }, async (request, reply) => {
    const body = request.body;
    if ([body.preset, body.model, body.experiment, body.run_experiment].filter((x) => x !== undefined).length !== 1) {
      throw httpError(400, 'HEBB_ERR_BAD_REQUEST', 'give exactly one of "preset", "model", "experiment" and "run_experiment"');
    }
    if (body.run_experiment !== undefined) {
      const exp = Object.hasOwn(EXPERIMENTS, body.run_experiment) ? EXPERIMENTS[body.run_experiment] : undefined;
      if (!exp) throw httpError(400, 'HEBB_ERR_BAD_REQUEST', `no experiment named "${body.run_experiment}"; experiments: ${Object.keys(EXPERIMENTS).join(', ')}`);
      // The experiment's own schema checks the options, as on the command line.
      const options = parseOptions(exp.options, body.options ?? {}, 'api');
      const run = runs.create({ experiment: body.run_experiment, options }, { durationMs: null, pace: { mode: 'max' }, waitForWatcher: false, stopWhenUnwatched: body.stop_when_unwatched ?? false });
      reply.code(201);
      return { ...run.info(), links: links(run.id) };
    }
    if (body.options !== undefined) throw httpError(400, 'HEBB_ERR_BAD_REQUEST', '"options" go with "run_experiment"');
    let source: unknown;
    if (body.experiment !== undefined) {
      const exp = Object.hasOwn(EXPERIMENTS, body.experiment) ? EXPERIMENTS[body.experiment] : undefined;
      if (!exp?.model) throw httpError(400, 'HEBB_ERR_BAD_REQUEST', `no watchable experiment named "${body.experiment}"; watchable: ${Object.entries(EXPERIMENTS).filter(([, e]) => e.model).map(([n]) => n).join(', ')}`);
      source = exp.model(defaultOptions(exp.options));
    } else {
      source = body.preset !== undefined ? loadPreset(body.preset) : body.model;
    }
    source = applyOverrides(source, body.set ?? []);
    const patch: Record<string, unknown> = {};
    if (body.seed !== undefined) patch.seed = body.seed;
    const durationMs = body.duration_ms;
    if (typeof durationMs === 'number') patch.duration = durationMs;
    const model = validateModel({ ...(source as object), ...patch }, { limits, ...(body.preset ? { source: `preset ${body.preset}` } : {}) });
    const runFor = durationMs === null ? null : model.duration;
    if (runFor !== null && runFor > limits.maxDurationMs) {
      throw new ModelError([{ path: '/duration', message: `duration ${runFor} ms exceeds the server's limit of ${limits.maxDurationMs} ms (use duration_ms: null to run until stopped)`, rule: 'limit' }]);
    }
    const pace = body.pace;
    const run = runs.create(model, {
      durationMs: runFor,
      pace: pace?.mode === 'realtime' ? { mode: 'realtime', speed: pace.speed ?? 1 } : pace?.mode === 'max' ? { mode: 'max' } : { mode: 'realtime', speed: 1 },
      waitForWatcher: body.wait_for_watcher ?? true,
      stopWhenUnwatched: body.stop_when_unwatched ?? false,
    });
    reply.code(201);
    return { ...run.info(), links: links(run.id) };
  });

  app.get('/api/runs', { schema: { response: { 200: Type.Array(RunInfo) } } }, async () => runs.list().map((r) => ({ ...r.info(), links: links(r.id) })));

  app.get('/api/runs/:id', { schema: { params: IdParams, response: { 200: RunInfo, 404: ErrorReply } } }, async (request) => {
    const run = getRun(request.params.id);
    return { ...run.info(), links: links(run.id) };
  });

  for (const action of ['pause', 'resume', 'stop'] as const) {
    app.post(`/api/runs/:id/${action}`, { schema: { params: IdParams, response: { 200: RunInfo, 404: ErrorReply, 409: ErrorReply } } }, async (request) => {
      const run = getRun(request.params.id);
      if (run.finished) throw httpError(409, 'HEBB_ERR_RUN_FINISHED', `run ${run.id} has already ended (${run.state})`);
      if (action === 'stop') await run.stop();
      else run.command({ cmd: action });
      return run.info();
    });
  }

  app.post('/api/runs/:id/pace', { schema: { params: IdParams, body: Pace, response: { 200: RunInfo, 404: ErrorReply, 409: ErrorReply } } }, async (request) => {
    const run = getRun(request.params.id);
    if (run.finished) throw httpError(409, 'HEBB_ERR_RUN_FINISHED', `run ${run.id} has already ended (${run.state})`);
    const body = request.body;
    run.command({ cmd: 'pace', pace: body.mode === 'max' ? { mode: 'max' } : { mode: 'realtime', speed: body.speed ?? 1 } });
    return run.info();
  });

  app.delete('/api/runs/:id', { schema: { params: IdParams, response: { 204: Type.Null(), 404: ErrorReply } } }, async (request, reply) => {
    const { id } = request.params;
    if (!(await runs.delete(id))) throw httpError(404, 'HEBB_ERR_NO_RUN', `no run with id "${id}"`);
    return reply.code(204).send(null);
  });

  app.get('/api/runs/:id/files/:file', { schema: { params: FileParams, response: { 200: Type.Unknown({ description: 'the file' }), 404: ErrorReply, 409: ErrorReply } } }, async (request, reply) => {
    const { id, file } = request.params;
    const run = getRun(id);
    if (!run.finished) throw httpError(409, 'HEBB_ERR_RUN_NOT_FINISHED', `run ${id} is ${run.state}; its files are written when it ends (stop it, or wait)`);
    // spikes.csv is made from spikes.msgpack when asked for (see record/spikes-csv.ts).
    const stored = file === 'spikes.csv' ? 'spikes.msgpack' : file;
    if (!run.hasFile(stored)) throw httpError(404, 'HEBB_ERR_NO_FILE', `run ${id} has no ${file}${file === 'state.csv' ? ' (it records no state)' : ''}`);
    reply.header('content-type', CONTENT_TYPES[file]!);
    reply.header('content-disposition', `attachment; filename="${run.name}-${id}-${file}"`);
    if (file === 'spikes.csv') return reply.send(spikeCsvStream(`${run.outDir}/spikes.msgpack`, run.dtMs));
    return reply.send(createReadStream(`${run.outDir}/${file}`));
  });

  app.get('/api/runs/:id/stream', { websocket: true, schema: { params: Type.Object({ id: Type.String() }) } }, (socket, request) => {
    const run = runs.get(request.params.id);
    if (!run) {
      socket.close(4404, `no run with id "${request.params.id}"`);
      return;
    }
    run.watch(socket);
  });
};
