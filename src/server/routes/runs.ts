// Runs: create (a model, a preset, an experiment's network, or an
// experiment run in full), list, control, download their files, and watch
// them over a WebSocket.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createReadStream } from 'node:fs';
import type { Validator } from '../validator.js';
import { spikeCsvStream } from '../../record/spikes-csv.js';
import { RunInfo, Pace, IdParams, FileParams, ErrorReply } from '../../protocol/rest.js';
import type { RunManager } from '../runs.js';
import { httpError } from '../errors.js';

export interface RunRouteOptions {
  runs: RunManager;
  validator: Validator;
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

/**
 * An attachment header for any file name (RFC 6266): an ASCII fallback with
 * the characters that would break or smuggle a header replaced, and the
 * exact name percent-encoded as UTF-8 (RFC 5987) for the browsers, all of
 * which read it.
 */
export function contentDisposition(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_');
  const ascii = clean.replace(/[^\x20-\x7e]|["%]/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export const runRoutes: FastifyPluginAsyncTypebox<RunRouteOptions> = async (app, { runs, validator }) => {
  const getRun = (id: string) => {
    const run = runs.get(id);
    if (!run) throw httpError(404, 'HEBB_ERR_NO_RUN', `no run with id "${id}"`);
    return run;
  };

  // The body is read in the validator thread, from its text (validator.ts).
  await app.register(async (raw) => {
    raw.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => done(null, text));
    raw.post('/api/runs', {
      schema: { response: { 201: RunInfo, 400: ErrorReply, 413: ErrorReply, 429: ErrorReply, 507: ErrorReply } },
    }, async (request, reply) => {
      if (typeof request.body !== 'string') throw httpError(400, 'HEBB_ERR_BAD_REQUEST', 'the body must be a JSON object (Content-Type: application/json)');
      const plan = await validator.plan(request.body);
      const run = plan.kind === 'experiment'
        ? runs.create({ experiment: plan.experiment, options: plan.options }, plan.run)
        : runs.create({ modelJson: plan.modelJson, name: plan.name, dt: plan.dt, size: plan.size }, plan.options);
      reply.code(201);
      return { ...run.info(), links: links(run.id) };
    });
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
    reply.header('content-disposition', contentDisposition(`${run.name}-${id}-${file}`));
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
