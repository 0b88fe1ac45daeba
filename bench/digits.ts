// The Diehl & Cook network at work: wall time per training digit (350 ms
// shown + 150 ms rest at dt 0.5 ms, with the per-digit control the method
// needs: weight normalisation, input-rate boosts, response collection), with
// STDP on and, in the same process on the same digits, with learning frozen.
// The pass time over 8000 digits is extrapolated from the digits measured.

import { stdpNetwork } from '../src/experiments/stdp-vs-backprop.js';
import { loadDigits, PIXELS } from '../src/data/mnist.js';

export interface DigitsBench {
  neurons: number; digits: number;
  ms_per_digit_learning: number; ms_per_digit_frozen: number; stdp_cost: number;
  pass_8000_s: number; boosts: number;
}

export function benchDigits(options: { neurons?: number; digits?: number } = {}): DigitsBench {
  const neurons = options.neurons ?? 400, count = options.digits ?? 300;
  const data = loadDigits();
  const net = stdpNetwork(neurons, 1);
  const image = (k: number) => data.images.subarray(k * PIXELS, (k + 1) * PIXELS);
  // Learning first (the thresholds grow as they would), then the same digits frozen.
  let boosts = 0;
  const t0 = performance.now();
  for (let k = 0; k < count; k++) boosts += net.present(image(k)).boosts;
  const learning = (performance.now() - t0) / count;
  net.setLearning(false);
  const t1 = performance.now();
  for (let k = 0; k < count; k++) net.present(image(k));
  const frozen = (performance.now() - t1) / count;
  return {
    neurons, digits: count, ms_per_digit_learning: learning, ms_per_digit_frozen: frozen, stdp_cost: learning / frozen,
    pass_8000_s: (learning * 8000) / 1000, boosts,
  };
}
