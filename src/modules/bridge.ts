// Bridges between spikes and rates. The encoder turns a population's spikes
// into rates from its neurons' spike counts (kept by the kernel): counts
// over a sliding window, or an exponential filter with time constant tau
// updated every interval d from the interval's count n. The decoder sets the rates of a
// poisson population (Poisson or regular trains) to max_rate x activity.

import type { Kernel } from '../kernel/kernel.js';

export type EncoderSpec = { kind: 'count'; window?: number | undefined } | { kind: 'exponential'; tau: number };

export class SpikeEncoder {
  private last: Float64Array;
  private history: Float64Array[] = [];   // count windows: spikes per interval, newest last
  private readonly rates: Float64Array;
  private readonly windowIntervals: number;

  constructor(private readonly kernel: Kernel, private readonly pop: number, private readonly size: number, private readonly spec: EncoderSpec, private readonly intervalMs: number) {
    this.last = this.counts();
    this.rates = new Float64Array(size);
    this.windowIntervals = spec.kind === 'count' ? Math.max(1, Math.round((spec.window ?? intervalMs) / intervalMs)) : 1;
  }

  private counts(): Float64Array {
    return Float64Array.from(this.kernel.spikeCounts(this.pop, this.size));
  }

  /** Values the state takes (stateValues, restoreValues): a fixed number for a given spec and size. */
  get stateLength(): number {
    return 1 + (2 + this.windowIntervals) * this.size;
  }

  /** The last counts, the rates and the count windows (newest last), for a checkpoint. */
  stateValues(): Float64Array {
    const out = new Float64Array(this.stateLength);
    out[0] = this.history.length;
    out.set(this.last, 1);
    out.set(this.rates, 1 + this.size);
    this.history.forEach((h, k) => out.set(h, 1 + (2 + k) * this.size));
    return out;
  }

  /** Whether values can be this encoder's state (its length and its number of windows). */
  fits(values: Float64Array): boolean {
    const n = values[0]!;
    return values.length === this.stateLength && Number.isInteger(n) && n >= 0 && n <= this.windowIntervals;
  }

  restoreValues(values: Float64Array): void {
    if (!this.fits(values)) throw new RangeError(`an encoder state of ${this.stateLength} values with at most ${this.windowIntervals} windows expected`);
    const n = values[0]!;
    this.last = values.slice(1, 1 + this.size);
    this.rates.set(values.subarray(1 + this.size, 1 + 2 * this.size));
    this.history = Array.from({ length: n }, (_, k) => values.slice(1 + (2 + k) * this.size, 1 + (3 + k) * this.size));
  }

  /** Rates (Hz) of the input neurons after the interval just simulated. */
  update(): Float64Array {
    const now = this.counts();
    const n = new Float64Array(this.size);
    for (let j = 0; j < this.size; j++) n[j] = now[j]! - this.last[j]!;
    this.last = now;
    if (this.spec.kind === 'exponential') {
      // The interval's spikes are taken as spread evenly over it: their
      // summed kernels (1000/tau) e^{-(t - t_k)/tau} at the update time are
      // n 1000 (1 - e^{-d/tau}) / d, so a steady rate r reads as r.
      const decay = Math.exp(-this.intervalMs / this.spec.tau);
      const gain = (1000 * (1 - decay)) / this.intervalMs;
      for (let j = 0; j < this.size; j++) this.rates[j] = this.rates[j]! * decay + gain * n[j]!;
      return this.rates;
    }
    this.history.push(n);
    if (this.history.length > this.windowIntervals) this.history.shift();
    const span = (this.history.length * this.intervalMs) / 1000;
    this.rates.fill(0);
    for (const h of this.history) for (let j = 0; j < this.size; j++) this.rates[j]! += h[j]! / span;
    return this.rates;
  }
}
