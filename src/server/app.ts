// The HTTP and WebSocket server as a Fastify app factory: buildApp() wires
// the error handler, the run manager and the routes, one plugin per
// resource (routes/), typed by their TypeBox schemas (src/protocol/rest.ts);
// it never listens (tests inject).

import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { resolve } from 'node:path';
import { schemaIssues, type Limits } from '../model/validate.js';
import { ModelError, UsageError, type Issue, formatIssue } from '../core/errors.js';
import { RunManager, TooManyRunsError, DiskFullError, type RunManagerOptions } from './runs.js';
import { registerStatic } from './static.js';
import { HttpError, errorName } from './errors.js';
import { registerGuard } from './guard.js';
import { Validator } from './validator.js';
import { presetRoutes } from './routes/presets.js';
import { experimentRoutes } from './routes/experiments.js';
import { modelRoutes } from './routes/models.js';
import { runRoutes } from './routes/runs.js';

export interface ServerOptions extends RunManagerOptions {
  /** Model limits for runs created through the API (413 beyond them). */
  limits?: Partial<Limits> & { maxDurationMs?: number };
  logger?: boolean;
  /** Largest request body (bytes); larger ones get 413. */
  bodyLimit?: number;
  /** Host names the server answers to beyond its addresses and localhost; '*' allows any (see guard.ts). */
  allowedHosts?: readonly string[];
  /** The address the server listens on (set by startServer). */
  listenHost?: string;
  /** Where `hebb experiment` writes (default out/): the page shows the summaries found there. */
  resultsDir?: string;
}

export const DEFAULT_SERVER_LIMITS = { maxNeurons: 500_000, maxSynapses: 50_000_000, maxDurationMs: 3_600_000 };

export async function buildApp(options: ServerOptions = {}): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 16 << 20,
    ajv: { customOptions: { allErrors: true, verbose: true, coerceTypes: false, removeAdditional: false, useDefaults: true, discriminator: true, strict: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const runs = new RunManager({ experimentLimits: limits, ...options });
  const validator = new Validator(limits);
  app.addHook('onClose', async () => { await runs.close(); await validator.close(); });

  app.setErrorHandler((err: FastifyError & { issues?: Issue[] }, request, reply) => {
    if (err.validation) {
      const issues = schemaIssues(err.validation as Parameters<typeof schemaIssues>[0]).map((i) => ({ ...i, path: `/${err.validationContext}${i.path}` }));
      return reply.code(400).send({ statusCode: 400, code: 'HEBB_ERR_BAD_REQUEST', error: 'Bad Request', message: issues.map(formatIssue).join('; '), issues });
    }
    if (err instanceof ModelError) {
      const tooLarge = err.issues.every((i) => i.rule === 'limit');
      const status = tooLarge ? 413 : 400;
      return reply.code(status).send({ statusCode: status, code: err.code, error: errorName(status), message: err.message, issues: err.issues });
    }
    if (err instanceof DiskFullError) return reply.code(507).send({ statusCode: 507, code: err.code, error: errorName(507), message: err.message });
    if (err instanceof TooManyRunsError) return reply.code(429).send({ statusCode: 429, code: err.code, error: errorName(429), message: err.message });
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ statusCode: err.statusCode, code: err.code, error: errorName(err.statusCode), message: err.message, ...(err.issues ? { issues: err.issues } : {}) });
    if (err instanceof UsageError) return reply.code(400).send({ statusCode: 400, code: err.code, error: 'Bad Request', message: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error(err);
      // With the logger off (the default), the server's stderr is the log.
      if (!options.logger) process.stderr.write(`hebb server: internal error in ${request.method} ${request.url.slice(0, 200)}: ${err.stack ?? err.message}\n`);
    }
    return reply.code(status).send({
      statusCode: status, code: err.code ?? 'HEBB_ERR_INTERNAL', error: errorName(status),
      message: status === 500 ? 'internal error (the server wrote the details to its standard error)' : err.message,
    });
  });
  // The WebSocket plugin's hooks first: they close an upgrade's socket that the guard refuses.
  await app.register(websocket);
  registerGuard(app, { ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}), ...(options.listenHost ? { listenHost: options.listenHost } : {}) });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ statusCode: 404, code: 'HEBB_ERR_NOT_FOUND', error: 'Not Found', message: `no route ${request.method} ${request.url}` });
  });

  await app.register(presetRoutes);
  await app.register(experimentRoutes, { resultsDir: resolve(options.resultsDir ?? 'out') });
  await app.register(modelRoutes, { validator });
  await app.register(runRoutes, { runs, validator });
  app.get('/api/health', async () => ({ ok: true }));

  registerStatic(app);
  app.decorate('runs', runs);
  return app;
}


declare module 'fastify' {
  interface FastifyInstance {
    runs: RunManager;
  }
}
