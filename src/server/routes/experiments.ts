// GET /api/experiments (each with its options' schema) and the results
// `hebb experiment` wrote (GET /api/results, /api/results/:name).

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENTS, describeOptions } from '../../experiments/index.js';
import { ExperimentInfo, ResultInfo, NameParams, ErrorReply } from '../../protocol/rest.js';
import { httpError } from '../errors.js';

export const experimentRoutes: FastifyPluginAsyncTypebox<{ resultsDir: string }> = async (app, { resultsDir }) => {
  app.get('/api/experiments', { schema: { response: { 200: Type.Array(ExperimentInfo) } } }, async () => Object.entries(EXPERIMENTS).map(([name, e]) => ({
    name, description: e.description, watchable: e.model !== undefined,
    options: Object.fromEntries(describeOptions(e.options).map(({ name: option, ...info }) => [option, info])),
    schema: e.options,
  })));

  app.get('/api/results', { schema: { response: { 200: Type.Array(ResultInfo) } } }, async () => {
    if (!existsSync(resultsDir)) return [];
    const found: ResultInfo[] = [];
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

  app.get('/api/results/:name', { schema: { params: NameParams, response: { 200: Type.Unknown({ description: 'the summary.json of the result' }), 404: ErrorReply } } }, async (request) => {
    const { name } = request.params;
    const file = join(resultsDir, name, 'summary.json');
    if (name.startsWith('.') || !existsSync(file)) throw httpError(404, 'HEBB_ERR_NO_RESULT', `no experiment result "${name}" in ${resultsDir}`);
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  });
};
