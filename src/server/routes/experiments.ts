// GET /api/experiments (each with its options' schema) and the results
// `hebb experiment` wrote (GET /api/results, /api/results/:name).

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENTS, describeOptions } from '../../experiments/index.js';
import { ExperimentInfo, ResultInfo, NameParams, ErrorReply } from '../../protocol/rest.js';
import { httpError } from '../errors.js';
import { parseJson } from '../../core/json.js';

/** Largest summary.json read (a result's summary is a few kB to a few MB). */
const MAX_SUMMARY_BYTES = 64 << 20;

/**
 * A result's summary, or undefined when there is none: no file, not a
 * regular file, too large, torn or foreign JSON (hebb writes summary.json
 * last, so a complete one means a complete result).
 */
function readResult(file: string): { experiment: string } & Record<string, unknown> | undefined {
  try {
    const stat = statSync(file);
    if (!stat.isFile() || stat.size > MAX_SUMMARY_BYTES) return undefined;
    const summary = parseJson(readFileSync(file, 'utf8')) as { experiment?: unknown } | null;
    if (summary === null || typeof summary !== 'object' || Array.isArray(summary) || typeof summary.experiment !== 'string') return undefined;
    return summary as { experiment: string } & Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The experiment each result belongs to, by file, size and mtime: the page
 * polls the list, and a list must not re-parse every summary (up to 64 MB)
 * each time.
 */
const listed = new Map<string, { key: string; experiment: string }>();

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
      if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name) || name.startsWith('.')) continue;
      let stat;
      try { stat = statSync(file); } catch { continue; }
      const key = `${stat.size}:${stat.mtimeMs}`;
      let experiment = listed.get(file)?.key === key ? listed.get(file)!.experiment : undefined;
      if (experiment === undefined) {
        experiment = readResult(file)?.experiment;
        if (experiment === undefined) continue;
        listed.set(file, { key, experiment });
      }
      found.push({ name, experiment, modified: stat.mtime.toISOString() });
    }
    return found.sort((a, b) => a.name.localeCompare(b.name));
  });

  app.get('/api/results/:name', { schema: { params: NameParams, response: { 200: Type.Unknown({ description: 'the summary.json of the result' }), 404: ErrorReply } } }, async (request) => {
    const { name } = request.params;
    // The same rule as the list: what it skips does not exist here either.
    const summary = name.startsWith('.') ? undefined : readResult(join(resultsDir, name, 'summary.json'));
    if (!summary) throw httpError(404, 'HEBB_ERR_NO_RESULT', `no experiment result "${name}" in the results folder`);
    return summary;
  });
};
