// A worker thread of aisLogZThreads: runs its block of AIS runs in a dense
// kernel of its own and posts their log weights.

import { parentPort, workerData } from 'node:worker_threads';
import { runAisJob, type AisJob } from './ais-threads.js';

try {
  const logWeights = runAisJob(workerData as AisJob);
  parentPort!.postMessage({ logWeights }, [logWeights.buffer as ArrayBuffer]);
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message ?? String(e) });
}
