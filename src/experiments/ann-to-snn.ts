// A trained ReLU MLP run as a spiking network in the engine (ANN-to-SNN
// conversion; Diehl et al., IJCNN 2015, "Fast-classifying, high-accuracy
// spiking deep networks through weight and threshold balancing"; Rueckauer
// et al., Front. Neurosci. 2017):
//
// - every ReLU unit becomes a non-leaky integrate-and-fire neuron (lif_delta
//   with tau_m = 1e7 ms, threshold 1, reset to 0): its rate is proportional
//   to its input as long as that is below the maximum rate;
// - pixels become regular spike trains at rate x r_max;
// - data-based normalisation: layer l's weights are scaled by
//   lambda_{l-1} / lambda_l and its biases by 1 / lambda_l, lambda_l the
//   99.9th percentile of layer l's activations over calibration digits, so
//   that almost no unit is asked to fire faster than r_max;
// - biases become constant currents (dv/dt = b r_max / 1000 per ms);
// - the answer is the output neuron that fired most (ties: the highest
//   potential), after `presentMs` of input.
//
// The network is reset (potentials to 0) between digits.

import { validateModel, type Limits } from '../model/validate.js';
import { Simulation } from '../sim/simulation.js';
import { PIXELS } from '../data/mnist.js';
import type { Mlp } from '../dense/mlp.js';

export interface ConversionOptions {
  /** Rate of a white pixel and the rate unit of every layer (Hz). */
  maxRate: number;
  /** Input time per digit (ms). */
  presentMs: number;
  dt: number;
  percentile: number;
  /** The answer is also read every this many ms (accuracy against time). */
  checkEveryMs: number;
}

export const CONVERSION_DEFAULTS: ConversionOptions = { maxRate: 500, presentMs: 50, dt: 0.1, percentile: 0.999, checkEveryMs: 5 };

export interface ConvertedNet {
  sim: Simulation;
  scales: number[];
  /** Runs one digit: the answer at the end and at every check, the synaptic events and spikes it cost. */
  classify(image: Float32Array): { answer: number; answers: number[]; events: number; spikes: number };
}

function percentile(values: Float32Array, q: number): number {
  const positive = values.filter((v) => v > 0).sort();
  if (positive.length === 0) return 1;
  return positive[Math.min(positive.length - 1, Math.floor(q * positive.length))]!;
}

/** Activations of every layer (after ReLU; the output before softmax, positive part) for the given digits. */
function layerActivations(W: Float32Array[], b: Float32Array[], sizes: number[], images: Float32Array, indices: ArrayLike<number>): Float32Array[] {
  const out = sizes.slice(1).map((n) => new Float32Array(indices.length * n));
  for (let k = 0; k < indices.length; k++) {
    let a: Float32Array = images.subarray(indices[k]! * PIXELS, (indices[k]! + 1) * PIXELS);
    for (let l = 0; l < W.length; l++) {
      const nIn = sizes[l]!, nOut = sizes[l + 1]!;
      const z = new Float32Array(b[l]!);
      for (let p = 0; p < nIn; p++) {
        const x = a[p]!;
        if (x === 0) continue;
        const row = p * nOut;
        for (let j = 0; j < nOut; j++) z[j]! += x * W[l]![row + j]!;
      }
      for (let j = 0; j < nOut; j++) if (z[j]! < 0) z[j] = 0;
      out[l]!.set(z, k * nOut);
      a = z;
    }
  }
  return out;
}

export function convertMlp(mlp: Mlp, images: Float32Array, calibration: ArrayLike<number>, o: ConversionOptions = CONVERSION_DEFAULTS, limits?: Partial<Limits>): ConvertedNet {
  const sizes = mlp.sizes;
  if (sizes[0] !== PIXELS) throw new RangeError(`the MLP's input has ${sizes[0]} units; the digits have ${PIXELS} pixels`);
  if (mlp.activation !== 'relu') throw new RangeError('only a ReLU MLP converts to integrate-and-fire neurons (their rate is a rectified linear function of the input)');
  const W = mlp.layers.map((L) => L.W.toArray()), b = mlp.layers.map((L) => L.b.toArray());
  const acts = layerActivations(W, b, sizes, images, calibration);
  const lambda = [1, ...acts.map((a) => percentile(a, o.percentile))];
  const names = sizes.map((_, l) => (l === 0 ? 'input' : l === sizes.length - 1 ? 'output' : `hidden${l}`));
  const iePerBias = o.maxRate / 1000;   // threshold 1, c_m 1 pF: dv/dt = i_e (mV/ms)
  const neuron = { tau_m: 1e7, c_m: 1, v_rest: 0, v_reset: 0, v_thresh: 1, t_ref: o.dt };
  const model = validateModel({
    name: 'mlp-as-snn', dt: o.dt, duration: 1e7, seed: 1,
    populations: [
      { name: 'input', size: PIXELS, model: 'poisson', params: { rate: 0, process: 'regular' } },
      ...sizes.slice(1).map((n, l) => ({
        name: names[l + 1], size: n, model: 'lif_delta', params: neuron,
        init: { v: 0, i_e: Array.from(b[l]!, (x) => (x / lambda[l + 1]!) * iePerBias) },
      })),
    ],
    projections: sizes.slice(1).map((_, l) => ({ name: `${names[l]}->${names[l + 1]}`, from: names[l], to: names[l + 1], connect: { rule: 'all_to_all' }, weight: 0, delay: o.dt })),
    record: { spikes: [] },
  }, { limits });
  const sim = new Simulation(model);
  W.forEach((w, l) => sim.projection(`${names[l]}->${names[l + 1]}`).setWeights(w.map((x) => (x * lambda[l]!) / lambda[l + 1]!)));
  const chunk = Math.round(o.checkEveryMs / o.dt), chunks = Math.max(1, Math.round(o.presentMs / o.checkEveryMs));
  const rates = new Float64Array(PIXELS), silence = new Float64Array(PIXELS);
  const outName = names[names.length - 1]!, nOut = sizes[sizes.length - 1]!;
  const zeros = sizes.map((n) => new Float64Array(n));
  const answerNow = (before: Uint32Array): number => {
    const counts = sim.population(outName).spikeCounts(), v = sim.population(outName).state('v');
    let answer = 0, best = -Infinity;
    for (let j = 0; j < nOut; j++) {
      // Spike counts first; the potential (below threshold 1) breaks ties.
      const score = counts[j]! - before[j]! + Math.min(0.999, Math.max(0, v[j]!));
      if (score > best) { best = score; answer = j; }
    }
    return answer;
  };
  return {
    sim, scales: lambda,
    classify(image) {
      for (let l = 1; l < sizes.length; l++) sim.population(names[l]!).setState('v', zeros[l]!);
      for (let i = 0; i < PIXELS; i++) rates[i] = image[i]! * o.maxRate;
      sim.population('input').setRates(rates);
      const events0 = sim.events;
      const spikes0 = names.slice(1).map((n) => sim.population(n).spikeCounts());
      const answers: number[] = [];
      for (let c = 0; c < chunks; c++) {
        sim.run({ steps: chunk });
        answers.push(answerNow(spikes0[spikes0.length - 1]!));
      }
      let spikes = 0;
      names.slice(1).forEach((n, l) => { const c = sim.population(n).spikeCounts(); for (let j = 0; j < c.length; j++) spikes += c[j]! - spikes0[l]![j]!; });
      const events = sim.events - events0;
      // Silence long enough for the spikes in flight to land, so the next digit starts clean.
      sim.population('input').setRates(silence);
      sim.run({ steps: 2 });
      return { answer: answers[answers.length - 1]!, answers, events, spikes };
    },
  };
}
