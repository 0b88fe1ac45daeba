// The validator thread: requests that carry a model are read here, from
// their raw text, so that a large or hostile body (millions of keys, huge
// strings, deep nesting) costs this thread its time, never the server's
// event loop.

import { parentPort } from 'node:worker_threads';
import { planRun, validateRequest } from './requests.js';
import { HttpError } from './errors.js';
import { ModelError, UsageError } from '../core/errors.js';
import type { DeskJob, DeskResult } from './validator.js';

const port = parentPort!;

port.on('message', (job: DeskJob) => {
  let result: DeskResult;
  try {
    result = { id: job.id, value: job.op === 'validate' ? validateRequest(job.text, job.limits) : planRun(job.text, job.limits) };
  } catch (e) {
    const err = e as Error & { code?: string; issues?: unknown };
    const kind = e instanceof ModelError ? 'model' : e instanceof UsageError ? 'usage' : e instanceof HttpError ? 'http' : 'internal';
    result = {
      id: job.id,
      error: {
        kind, code: err.code ?? 'HEBB_ERR_INTERNAL', message: err.message ?? String(e),
        ...(e instanceof HttpError ? { status: e.statusCode } : {}),
        ...(Array.isArray(err.issues) ? { issues: err.issues as DeskError['issues'] } : {}),
        ...(kind === 'internal' ? { stack: err.stack ?? '' } : {}),
      },
    };
  }
  port.postMessage(result);
});

type DeskError = Extract<DeskResult, { error: unknown }>['error'];
