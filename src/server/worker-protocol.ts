// Messages between the server thread and a run's worker thread.

import type { RunState } from '../protocol/messages.js';

/** How fast a run advances: `speed` biological ms per wall ms, or flat out. */
export type Pace = { mode: 'realtime'; speed: number } | { mode: 'max' };

export type WorkerCommand =
  | { cmd: 'start' }
  | { cmd: 'pause' }
  | { cmd: 'resume' }
  | { cmd: 'stop' }
  | { cmd: 'pace'; pace: Pace };

export type WorkerMessage =
  /** An encoded protocol frame to forward to the watchers. */
  | { kind: 'frame'; type: string; spikes: number; bytes: ArrayBuffer }
  /** The model is built; `hello` is sent first to every new watcher. */
  | { kind: 'ready'; hello: Uint8Array }
  | { kind: 'state'; state: RunState }
  | { kind: 'done'; state: RunState; summary: Record<string, unknown> }
  /** The run failed; `summary` when its files were still finished (a limit reached). */
  | { kind: 'error'; code: string; message: string; summary?: Record<string, unknown> };
