// An experiment run by the server (the page's "run" of an experiment): the
// experiment's function in its own thread, its progress, live images and
// curves sent as frames, its summary and files written into the run's
// directory when it ends. Experiments run synchronously, so a stop request
// reaches them through shared memory they poll, not through a message.

import { parentPort, workerData } from 'node:worker_threads';
import { EXPERIMENTS } from '../experiments/index.js';
import { writeExperiment, experimentSummary } from '../experiments/files.js';
import { encodeFrame, PROTOCOL_VERSION, type Frame } from '../protocol/messages.js';
import type { WorkerMessage } from './worker-protocol.js';
import type { Limits } from '../model/validate.js';

export interface ExperimentWorkerInput {
  id: string;
  experiment: string;
  options: Record<string, unknown>;
  outDir: string;
  /** Int32Array over a SharedArrayBuffer: [0] = 1 asks the experiment to stop. */
  stop: SharedArrayBuffer;
  /** The server's limits for the networks the experiment builds. */
  limits: Partial<Limits>;
}

const input = workerData as ExperimentWorkerInput;
const port = parentPort!;
const stopFlag = new Int32Array(input.stop);

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function send(frame: Frame): void {
  const bytes = encodeFrame(frame);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  post({ kind: 'frame', type: frame.type, spikes: 0, bytes: buffer }, [buffer]);
}

async function main(): Promise<void> {
  const exp = EXPERIMENTS[input.experiment]!;
  const hello: Frame = {
    type: 'hello', v: PROTOCOL_VERSION,
    run: { id: input.id, kind: 'experiment', name: input.experiment, dt_ms: 0, duration_ms: null, populations: [], probes: [], state: 'running' },
  };
  post({ kind: 'ready', hello: encodeFrame(hello) });
  let fraction = 0, lastSent = 0;
  const t0 = performance.now();
  const result = await exp.run(input.options, {
    progress: (message) => send({ type: 'log', message, fraction }),
    fraction: (done, total) => {
      fraction = total > 0 ? done / total : 0;
      // A few progress frames a second are plenty.
      const now = performance.now();
      if (now - lastSent > 250) {
        lastSent = now;
        send({ type: 'progress', state: 'running', t_ms: 0, wall_ms: now - t0, spikes: [], rates_hz: [], speed: 0, fraction });
      }
    },
    shouldStop: () => Atomics.load(stopFlag, 0) !== 0,
    emit: (frame) => send(frame),
    limits: input.limits,
  });
  const stopped = Atomics.load(stopFlag, 0) !== 0;
  if (stopped) result.interrupted = true;
  writeExperiment(input.experiment, input.outDir, input.options, result, exp.description);
  const summary = experimentSummary(input.experiment, input.options, result);
  send({ type: 'results', summary });
  const state = stopped ? 'stopped' : 'done';
  const brief = { experiment: input.experiment, checks: result.checks, wall_ms: performance.now() - t0 };
  send({ type: 'done', state, summary: brief });
  post({ kind: 'done', state, summary: brief });
}

main().catch((e: unknown) => {
  const err = e as Error & { code?: string };
  post({ kind: 'error', code: err.code ?? 'HEBB_ERR_EXPERIMENT', message: err.message ?? String(e) });
}).finally(() => port.close());
