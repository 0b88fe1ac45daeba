// Plastic synapses onto one neuron forced to fire at given times: the
// set-up of the STDP tests, built-in rules and rules written as equations.
import { validateModel } from '../../src/model/validate.js';
import { Simulation } from '../../src/sim/simulation.js';
import { recordingSink } from '../../src/sim/recording.js';

/**
 * n synapses onto one post neuron: synapse k's presynaptic source fires at
 * preTimes[k]; the post neuron is forced to fire at postTimes (a drive input
 * 0.1 ms earlier). Returns the final f64 weights.
 */
export function runPlastic(plasticity: object, preTimes: number[][], postTimes: number[], opts: { delay?: number; duration: number; w0?: number[] }): { w: number[]; postSpikes: number[] } {
  const n = preTimes.length;
  const model = validateModel({
    dt: 0.1, duration: opts.duration, seed: 1,
    populations: [
      { name: 'pre', size: n, model: 'spike_source', params: { spike_times: preTimes } },
      { name: 'drive', size: 1, model: 'spike_source', params: { spike_times: [postTimes.map((t) => t - 0.1)] } },
      { name: 'post', size: 1, model: 'lif_delta', params: { tau_m: 10, v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 0.01 } },
    ],
    projections: [
      { name: 'drive', from: 'drive', to: 'post', connect: { rule: 'all_to_all' }, weight: 100, delay: 0.1 },
      {
        name: 'plastic', from: 'pre', to: 'post', delay: opts.delay ?? 1, plasticity,
        connect: { rule: 'list', pre: preTimes.map((_, k) => k), post: preTimes.map(() => 0), weights: opts.w0 ?? preTimes.map(() => 0.5) },
      },
    ],
    record: { spikes: ['post'] },
  });
  const sim = new Simulation(model);
  const postSpikes: number[] = [];
  sim.run({ sink: recordingSink({ spikes: (c) => postSpikes.push(...c.times) }) });
  return { w: Array.from(sim.projection('plastic').weights()).slice(0, n), postSpikes };
}


/** Reproducible Poisson trains (an LCG, seeded), spike times on a 0.1 ms grid plus 0.05 ms. */
export function poissonTrains(seed: number, count: number, rate: number, end: number): number[][] {
  let x = seed;
  const rand = () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return (x + 0.5) / 4294967296; };
  return Array.from({ length: count }, () => {
    const out: number[] = [];
    for (let t = 5; ;) {
      t += -Math.log(rand()) * 1000 / rate;
      if (t >= end) return out;
      out.push(Math.round(t * 10) / 10 + 0.05);
    }
  });
}
