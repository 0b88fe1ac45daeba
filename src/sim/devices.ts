// Recording devices: each reads one kind of data from the kernel after a
// kernel call (or at its own interval) and emits records; the simulation
// stops the kernel where a device wants a sample. Spikes and state samples
// are buffered by the kernel and drained after every call; weight, energy
// and module samples are taken every their interval (weights.ts, energy.ts,
// modules/runtime.ts).

import type { Kernel } from '../kernel/kernel.js';
import type { Recording } from './recording.js';

export type Emit = (record: Recording) => void;

export interface Device {
  /** Steps from `step` to this device's next sample (Infinity: it takes what the kernel buffered). */
  stepsToSample(step: number): number;
  /** Records at the start of a run from step 0. */
  begin?(emit: Emit): void;
  /** After a kernel call that ended at `step` (time `timeMs`). */
  collect(step: number, timeMs: number, emit: Emit): void;
  /** After a checkpoint was loaded at `step`. */
  restored?(step: number): void;
}

/** The spikes the kernel recorded since the last call. */
export class SpikeDevice implements Device {
  constructor(private readonly kernel: Kernel) {}
  stepsToSample(): number { return Infinity; }
  collect(_step: number, _t: number, emit: Emit): void {
    const chunk = this.kernel.drainSpikes();
    if (chunk) emit({ kind: 'spikes', chunk });
  }
}

/** The state probes' samples since the last call (record.state). */
export class StateDevice implements Device {
  private taken = 0;
  constructor(private readonly kernel: Kernel, private readonly everySteps: number, private readonly dtMs: number) {}
  stepsToSample(): number { return Infinity; }
  collect(_step: number, _t: number, emit: Emit): void {
    const s = this.kernel.drainSamples();
    if (!s) return;
    const timesMs = Float64Array.from({ length: s.rows }, (_, r) => (this.taken + r + 1) * this.everySteps * this.dtMs);
    this.taken += s.rows;
    emit({ kind: 'state', chunk: { timesMs, values: s.values, probes: s.probes } });
  }
  restored(step: number): void { this.taken = Math.floor(step / this.everySteps); }
}
