// One benchmark case in its own process (so peak RSS is its own):
//   node dist/bench/case.js cuba|coba N SEED DURATION_MS [THREADS]
// prints one JSON line. The network is the preset scaled to N neurons with
// the fan-in kept at 80 (p = 80 / N), as the native references do.

import { loadPreset } from '../src/model/load.js';
import { validateModel } from '../src/model/validate.js';
import { Simulation } from '../src/sim/simulation.js';

/** CUBA's excitatory-to-excitatory synapses made plastic (pair STDP, small amplitudes). */
export function withStdp(model: { projections: Record<string, unknown>[] }): object {
  const ee = model.projections[0]!;
  ee.plasticity = { rule: 'stdp', w_max: 3.24, tau_plus: 20, tau_minus: 20, a_plus: 0.001, a_minus: 0.00105 };
  return model;
}

/** The same plasticity written as synapse equations (README, "Your own neuron models"). */
export function withStdpEquations(model: { projections: Record<string, unknown>[] }): object {
  const ee = model.projections[0]!;
  ee.plasticity = {
    rule: 'equations', w_max: 3.24,
    equations: ['dapre/dt = -apre/taupre : 1 (event-driven)', 'dapost/dt = -apost/taupost : 1 (event-driven)'],
    on_pre: 'apre += Apre; w = clip(w + apost, 0, wmax)',
    on_post: 'apost += Apost; w = clip(w + apre, 0, wmax)',
    params: { taupre: '20 ms', taupost: '20 ms', Apre: 0.001 * 3.24, Apost: -0.00105 * 3.24, wmax: 3.24 },
  };
  return model;
}

export function scaledModel(name: 'cuba' | 'coba' | 'cuba-eq' | 'coba-eq', n: number, seed: number, durationMs: number): object {
  const model = loadPreset(name) as { populations: { size: number }[]; projections: { connect: { p: number } }[] };
  const ne = Math.round(0.8 * n);
  model.populations[0]!.size = ne;
  model.populations[1]!.size = n - ne;
  for (const pr of model.projections) pr.connect.p = 80 / n;
  return { ...model, seed, duration: durationMs, record: { spikes: [] } };
}

function caseModel(name: string, n: number, seed: number, duration: number): object {
  if (name === 'cuba-stdp') return withStdp(scaledModel('cuba', n, seed, duration) as { projections: Record<string, unknown>[] });
  if (name === 'cuba-stdp-eq') return withStdpEquations(scaledModel('cuba', n, seed, duration) as { projections: Record<string, unknown>[] });
  if (name === 'song2000' || name === 'song2000-static') {
    const m = loadPreset('song2000') as { projections: Record<string, unknown>[]; record?: unknown; duration: number; seed: number };
    m.duration = duration;
    m.seed = seed;
    m.record = { spikes: [] };
    if (name === 'song2000-static') delete m.projections[0]!.plasticity;
    return m;
  }
  return scaledModel(name as 'cuba', n, seed, duration);
}

function main(): void {
  const [name = 'cuba', n = '4000', seed = '1', duration = '1000', threads = '1'] = process.argv.slice(2);
  const model = validateModel(caseModel(name, Number(n), Number(seed), Number(duration)), { limits: { maxNeurons: 1e8, maxSynapses: 1e9 } });
  const sim = new Simulation(model, { threads: Number(threads) });
  sim.run();
  sim.close();
  const s = sim.summary();
  // Synapse storage: target u32 + weight f32 per synapse (+ u16 delay when
  // delays are per synapse); row pointers are one u32 per source neuron.
  let synapseBytes = 0, rowBytes = 0;
  for (const p of sim.network.projections) {
    const pre = sim.network.populations.find((q) => q.name === p.from)!;
    const h = sim.projection(p.name);
    synapseBytes += 8 * h.synapses + (typeof h.delaySteps() === 'number' ? 0 : 2 * h.synapses);
    rowBytes += 4 * (pre.size + 1);
  }
  process.stdout.write(`${JSON.stringify({
    impl: 'hebb-wasm', model: name, N: s.neurons, threads: Number(threads), seed: s.seed, duration_s: s.simulated_ms / 1000,
    build_s: s.wall_ms.build / 1000, compile_ms: s.wall_ms.compile, wall_s: s.wall_ms.simulate / 1000,
    spikes: s.spikes, rate_hz: s.spikes / s.neurons / (s.simulated_ms / 1000), synapses: s.synapses,
    syn_events: s.synaptic_events, events_per_s: s.synaptic_events / (s.wall_ms.simulate / 1000),
    bytes_per_synapse: synapseBytes / s.synapses, row_pointer_bytes_per_synapse: rowBytes / s.synapses, peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  })}\n`);
}

if (process.argv[1]?.endsWith('case.js')) main();
