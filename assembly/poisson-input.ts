// External Poisson drive attached to a population (Brian2's PoissonInput, or
// NEST's poisson_generator connected one-to-one): every neuron receives its
// own Poisson train of `rate` Hz, each spike adding `weight` to the target
// variable. Per neuron and step one count K ~ Poisson(rate dt) is drawn, by
// inversion of a precomputed table. With grid timing (clock-driven targets,
// or asked for) K * weight arrives at the step's end, t_{m+1}, like NEST's
// generator; with exact timing (event-driven targets, lif_delta's default)
// the K spikes are spread over the step at their own times.
// The count of neuron j at step m is addressed by (m, j / 4, population,
// input): one Philox block serves four neurons.

import { philox, out0, out1, out2, out3, STREAM_POISSON_INPUT } from "./rng";

export class PoissonInput {
  rate: f64;       // Hz
  weight: f64;     // in the target variable's unit
  receptor: i32;   // RECEPTOR_EXC / RECEPTOR_INH (unused for lif_delta)
  exact: bool;     // event-driven targets: spikes at their own times in the step
  // cdf[k] = P(K <= k) * 2^32, as u64 so the last entry can be 2^32.
  cdf: StaticArray<u64> = new StaticArray<u64>(0);

  constructor(rate: f64, weight: f64, receptor: i32, exact: bool) {
    this.rate = rate;
    this.weight = weight;
    this.receptor = receptor;
    this.exact = exact;
  }

  prepare(dt: f64): void {
    const lambda = this.rate * dt / 1000.0;
    // Enough terms that the tail left out is below 2^-40.
    const n = <i32>Math.ceil(lambda + 12.0 * Math.sqrt(lambda) + 30.0);
    this.cdf = new StaticArray<u64>(n + 1);
    let pk = Math.exp(-lambda), acc = 0.0;
    for (let k = 0; k <= n; k++) {
      acc += pk;
      this.cdf[k] = <u64>Math.min(Math.floor(acc * 4294967296.0), 4294967296.0);
      pk *= lambda / <f64>(k + 1);
    }
    this.cdf[n] = 4294967296;
  }

  // Smallest k with u < cdf[k].
  @inline sample(u: u32): i32 {
    const cdf = this.cdf;
    let lo = 0, hi = cdf.length - 1;
    const x = <u64>u;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < unchecked(cdf[mid])) hi = mid; else lo = mid + 1;
    }
    return lo;
  }
}

// Counts of the four neurons 4q .. 4q+3 at step m, into counts[0..3].
export function drawCounts(inp: PoissonInput, index: i32, pop: i32, step: i32, q: i32, counts: StaticArray<i32>): void {
  philox(<u32>step, <u32>q, <u32>pop, STREAM_POISSON_INPUT | <u32>index);
  unchecked(counts[0] = inp.sample(out0));
  unchecked(counts[1] = inp.sample(out1));
  unchecked(counts[2] = inp.sample(out2));
  unchecked(counts[3] = inp.sample(out3));
}
