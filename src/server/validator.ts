// Requests that carry a model, read off the server's event loop: their raw
// JSON text goes to one worker thread (validate-worker.ts, which calls
// requests.ts) and what comes back is a reply's text or a run's plan with
// the model as JSON text. Strings cross threads as a copy of their bytes;
// parsing, copying an object graph and validating, the costs that grow
// with a hostile body, all happen in the worker. Jobs queue in order, so
// one hostile request delays only the model requests behind it.

import { Worker } from 'node:worker_threads';
import { packagePath } from '../core/paths.js';
import { HebbError, ModelError, UsageError, type Issue } from '../core/errors.js';
import { HttpError } from './errors.js';
import type { RunPlan, ServerLimits } from './requests.js';

export type DeskJob =
  | { id: number; op: 'validate'; text: string; limits: ServerLimits }
  | { id: number; op: 'plan'; text: string; limits: ServerLimits };

export type DeskResult =
  | { id: number; value: string | RunPlan }
  | { id: number; error: { kind: 'model' | 'usage' | 'http' | 'internal'; code: string; message: string; status?: number; issues?: Issue[]; stack?: string } };

export class Validator {
  private worker: Worker | undefined;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: string | RunPlan) => void; reject: (e: Error) => void }>();

  constructor(private readonly limits: ServerLimits) {}

  /** POST /api/models/validate's reply, as JSON text. */
  async validate(text: string): Promise<string> {
    return (await this.job('validate', text)) as string;
  }

  /** POST /api/runs checked into a plan. */
  async plan(text: string): Promise<RunPlan> {
    return (await this.job('plan', text)) as RunPlan;
  }

  private job(op: DeskJob['op'], text: string): Promise<string | RunPlan> {
    const worker = this.worker ?? this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, op, text, limits: this.limits } satisfies DeskJob);
    });
  }

  private start(): Worker {
    // Always the compiled worker, also when this module runs from source (tests).
    const worker = new Worker(packagePath('dist', 'src', 'server', 'validate-worker.js'));
    worker.on('message', (r: DeskResult) => {
      const job = this.pending.get(r.id);
      if (!job) return;
      this.pending.delete(r.id);
      // Idle, the thread must not keep the process alive.
      if (this.pending.size === 0) worker.unref();
      if ('value' in r) job.resolve(r.value);
      else job.reject(rebuild(r.error));
    });
    const fail = (e: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const job of this.pending.values()) job.reject(new HebbError('HEBB_ERR_INTERNAL', `the validator thread failed: ${e.message}`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => { if (this.worker === worker) fail(new Error(`it exited with code ${code}`)); });
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

/** The worker's error as the error the server's handler knows (status, code, issues kept). */
function rebuild(e: Extract<DeskResult, { error: unknown }>['error']): Error {
  let err: Error;
  if (e.kind === 'model') err = new ModelError(e.issues ?? []);
  else if (e.kind === 'usage') err = new UsageError(e.message);
  else if (e.kind === 'http') err = Object.assign(new HttpError(e.status ?? 400, e.code, e.message), e.issues ? { issues: e.issues } : {});
  else {
    err = new HebbError(e.code, e.message);
    err.stack = e.stack ?? err.stack;
  }
  err.message = e.message;
  return err;
}
