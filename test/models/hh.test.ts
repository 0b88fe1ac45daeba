// hh against a fine RK4 reference of the same equations (the COBAHH neuron
// of Brette et al. 2007 as Brian2 writes it; test/support/hh-reference.ts,
// h = 0.001 ms): spike times of a single neuron under current steps, and
// under conductance input.

import { describe, it, expect } from 'vitest';
import { simulate, expectClose } from '../support/helpers.js';
import { simulateHHStep, simulateHH, COBAHH_DEFAULTS, hhSteadyState } from '../support/hh-reference.js';

function hebbStep(amp: number, dt: number): number[] {
  const { spikes } = simulate({
    dt, duration: 600,
    populations: [{ name: 'n', size: 1, model: 'hh', current: { times: [50, 550], amplitudes: [amp, 0] } }],
  });
  return spikes.n!.times;
}

describe('hh (COBAHH neuron) against a fine RK4 reference', () => {
  it.each([200, 500, 1000])('a %s pA step from 50 to 550 ms: every spike time within 0.1 ms at dt = 0.1 ms (measured: 0.01)', (amp) => {
    const ref = simulateHHStep(amp, { h: 0.001 }).spikes;
    const got = hebbStep(amp, 0.1);
    expect(ref.length).toBeGreaterThan(20);
    expect(got.length).toBe(ref.length);
    for (let k = 0; k < ref.length; k++) expectClose(got[k]!, ref[k]!, { abs: 0.1 }, `${amp} pA, spike ${k}`);
    // The measured agreement, so that a regression is seen long before the 0.1 ms bound.
    const worst = Math.max(...ref.map((t, k) => Math.abs(got[k]! - t)));
    expect(worst).toBeLessThan(0.01);
  });

  it('starts its gating at the steady state of the initial v, and fires on its own (the COBAHH cell is an intrinsic oscillator)', () => {
    const { sim } = simulate({ dt: 0.1, duration: 0, populations: [{ name: 'n', size: 1, model: 'hh' }] });
    const ss = hhSteadyState(COBAHH_DEFAULTS.e_l, COBAHH_DEFAULTS);
    const pop = sim.population('n');
    expectClose(pop.state('m')[0]!, ss.m, { rel: 1e-5 }, 'm');
    expectClose(pop.state('h')[0]!, ss.h, { rel: 1e-5 }, 'h');
    expectClose(pop.state('n')[0]!, ss.n, { rel: 1e-5 }, 'n');
    const ref = simulateHH(COBAHH_DEFAULTS, { durationMs: 300, h: 0.001 }).spikes;
    const { spikes } = simulate({ dt: 0.1, duration: 300, populations: [{ name: 'n', size: 1, model: 'hh' }] });
    expect(spikes.n!.times.length).toBe(ref.length);
    for (let k = 0; k < ref.length; k++) expectClose(spikes.n!.times[k]!, ref[k]!, { abs: 0.01 }, `spike ${k}`);
  });

  it('conductance input with the benchmark weights moves the spikes as the reference does', () => {
    // Held below its oscillation by -40 pA; excitatory and inhibitory inputs of 6 and 67 nS.
    const exc = Array.from({ length: 30 }, (_, k) => 10 + 7 * k);
    const inh = [60, 130, 175];
    const inputs = [
      ...exc.map((t) => ({ t, weight_nS: 6, receptor: 'exc' as const })),
      ...inh.map((t) => ({ t, weight_nS: 67, receptor: 'inh' as const })),
    ];
    const ref = simulateHH({ ...COBAHH_DEFAULTS, i_e: -40 }, { durationMs: 250, inputSpikes: inputs, h: 0.001 }).spikes;
    const { spikes } = simulate({
      dt: 0.1, duration: 250,
      populations: [
        { name: 'e', size: 1, model: 'spike_source', params: { spike_times: [exc.map((t) => t - 0.1)] } },
        { name: 'i', size: 1, model: 'spike_source', params: { spike_times: [inh.map((t) => t - 0.1)] } },
        { name: 'n', size: 1, model: 'hh', params: { i_e: -40 } },
      ],
      projections: [
        { from: 'e', to: 'n', connect: { rule: 'one_to_one' }, weight: 6, receptor: 'exc', delay: 0.1 },
        { from: 'i', to: 'n', connect: { rule: 'one_to_one' }, weight: 67, receptor: 'inh', delay: 0.1 },
      ],
    });
    expect(ref.length).toBeGreaterThan(2);
    expect(spikes.n!.times.length).toBe(ref.length);
    for (let k = 0; k < ref.length; k++) expectClose(spikes.n!.times[k]!, ref[k]!, { abs: 0.01 }, `spike ${k}`);
  });
});
