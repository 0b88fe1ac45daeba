// Annealed importance sampling over threads: the runs are independent, so
// they are split in blocks (each starting at a multiple of 4 runs) between
// this thread and worker threads (ais-worker.ts), each with its own dense
// kernel. Every run draws from the counters it has in the whole batch
// (aisLogWeights), so the estimate is bit-identical for any thread count.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { Dense } from '../kernel/dense.js';
import { packagePath } from '../core/paths.js';
import { aisLogWeights, aisEstimate, type AisOptions, type AisResult } from './ais.js';
import type { Rbm } from './rbm.js';

/** What a worker is given: the machine as plain arrays, the options and its runs. */
export interface AisJob {
  W: Float32Array;
  nv: number;
  nh: number;
  b: Float32Array;
  c: Float32Array;
  /** The random key of the caller's dense kernel: a worker draws what it would. */
  seedWords: [number, number];
  options: AisOptions;
  r0: number;
  r1: number;
}

/** Runs [r0, r1) of a job in a dense kernel of this thread. */
export function runAisJob(job: AisJob, dense = new Dense()): Float64Array {
  dense.kernel.setSeedWords(job.seedWords[0], job.seedWords[1]);
  const W = dense.mat(job.nv, job.nh, job.W);
  try {
    return aisLogWeights({ W, b: job.b, c: job.c }, job.options, job.r0, job.r1);
  } finally {
    W.free();
  }
}

/** The blocks [r0, r1) of M runs for n threads: whole groups of 4 runs, as even as they go. */
export function runBlocks(M: number, n: number): [number, number][] {
  const quads = Math.ceil(M / 4), parts = Math.max(1, Math.min(n, quads));
  const out: [number, number][] = [];
  for (let t = 0; t < parts; t++) {
    const q0 = Math.floor((t * quads) / parts), q1 = Math.floor(((t + 1) * quads) / parts);
    out.push([4 * q0, Math.min(M, 4 * q1)]);
  }
  return out;
}

/**
 * log Z of the RBM by AIS on `threads` threads (0: the machine's cores):
 * the same estimate as aisLogZ, bit for bit, in about 1/threads of its time.
 */
export async function aisLogZThreads(rbm: Rbm, o: AisOptions, threads = 0): Promise<AisResult> {
  if (!(Number.isInteger(threads) && threads >= 0)) throw new RangeError(`threads must be a whole number >= 0 (got ${threads})`);
  const n = threads === 0 ? availableParallelism() : threads;
  const b = rbm.b.toArray(), c = rbm.c.toArray();
  const blocks = runBlocks(o.runs, n);
  const seedWords = rbm.dense.kernel.seedWords();
  const job = (r0: number, r1: number): AisJob => ({ W: rbm.W.toArray(), nv: rbm.nv, nh: rbm.nh, b, c, seedWords, options: { ...o, ...(o.baseBias ? { baseBias: Float64Array.from(o.baseBias) } : {}) }, r0, r1 });
  // Workers take the later blocks; this thread runs the first while they do.
  const others = blocks.slice(1).map(([r0, r1]) => inWorker(job(r0, r1)));
  const lw = new Float64Array(o.runs);
  try {
    lw.set(aisLogWeights({ W: rbm.W, b, c }, o, blocks[0]![0], blocks[0]![1]), 0);
  } finally {
    // A failure here still waits for the workers, so none is left running.
    const done = await Promise.allSettled(others);
    done.forEach((d, k) => { if (d.status === 'fulfilled') lw.set(d.value, blocks[k + 1]![0]); });
    const failed = done.find((d): d is PromiseRejectedResult => d.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return aisEstimate(lw, { b, c }, o);
}

function inWorker(job: AisJob): Promise<Float64Array> {
  return new Promise((resolve, reject) => {
    const w = new Worker(packagePath('dist', 'src', 'dense', 'ais-worker.js'), { workerData: job });
    let settled = false;
    w.once('message', (m: { logWeights?: Float64Array; error?: string }) => {
      settled = true;
      if (m.logWeights) resolve(m.logWeights);
      else reject(new Error(`AIS worker (runs ${job.r0}..${job.r1 - 1}): ${m.error}`));
      void w.terminate();
    });
    w.once('error', (e) => { if (!settled) { settled = true; reject(e); } });
    w.once('exit', (code) => { if (!settled) { settled = true; reject(new Error(`AIS worker (runs ${job.r0}..${job.r1 - 1}) exited with code ${code}`)); } });
  });
}
