// Poisson sources and transmission delays.
import { describe, it, expect } from 'vitest';
import { simulate, expectClose, trainOf } from '../support/helpers.js';

describe('poisson source', () => {
  const rate = 20, n = 500, duration = 20_000;
  const { spikes } = simulate({ dt: 0.1, duration, seed: 3, populations: [{ name: 'p', size: n, model: 'poisson', params: { rate } }] });
  const s = spikes.p!;

  it('fires at its rate within 3 standard errors', () => {
    const expected = rate * n * duration / 1000;
    expect(Math.abs(s.times.length - expected)).toBeLessThan(3 * Math.sqrt(expected));
  });

  it('has exponential interspike intervals: CV within [0.95, 1.05] and P(ISI > mean) = 1/e', () => {
    const isis: number[] = [];
    const last = new Map<number, number>();
    for (let k = 0; k < s.times.length; k++) {
      const prev = last.get(s.ids[k]!);
      if (prev !== undefined) isis.push(s.times[k]! - prev);
      last.set(s.ids[k]!, s.times[k]!);
    }
    const mean = isis.reduce((a, b) => a + b) / isis.length;
    const sd = Math.sqrt(isis.reduce((a, b) => a + (b - mean) ** 2, 0) / (isis.length - 1));
    expectClose(mean, 1000 / rate, { rel: 0.01 }, 'mean ISI');
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
    const tail = isis.filter((x) => x > mean).length / isis.length;
    expectClose(tail, Math.exp(-1), { abs: 4 * Math.sqrt(0.23 / isis.length) }, 'P(ISI > mean)');
  });

  it('draws spike times off the grid, inside the run, in time order', () => {
    expect(s.times.every((t) => t > 0 && t <= duration)).toBe(true);
    expect(s.times.some((t) => Math.abs(t * 10 - Math.round(t * 10)) > 1e-6)).toBe(true);
    const steps = s.times.map((t) => Math.ceil(t / 0.1 - 1e-9));
    expect(steps.every((m, k) => k === 0 || m >= steps[k - 1]!)).toBe(true);
  });

  it('per-neuron rates from init give each neuron its own rate', () => {
    const { spikes: t, sim } = simulate({
      dt: 0.1, duration: 10_000,
      populations: [{ name: 'p', size: 200, model: 'poisson', params: { rate: 0 }, init: { rate: { uniform: [0, 40] } } }],
    });
    const rates = Array.from(sim.population('p').state('rate'));
    const counts = new Array(200).fill(0);
    for (const id of t.p!.ids) counts[id]++;
    // Low-rate and high-rate halves each fire at their own expected totals (4 sigma).
    for (const inHalf of [(r: number) => r < 20, (r: number) => r >= 20]) {
      const idx = rates.map((r, j) => [r, j] as const).filter(([r]) => inHalf(r)).map(([, j]) => j);
      const expected = idx.reduce((a, j) => a + rates[j]! * 10, 0);
      const got = idx.reduce((a, j) => a + counts[j]!, 0);
      expect(Math.abs(got - expected)).toBeLessThan(4 * Math.sqrt(expected));
    }
    // Per neuron: counts follow rates (correlation near 1 for Poisson counts of ~200).
    const mr = rates.reduce((a, b) => a + b) / 200, mc = counts.reduce((a, b) => a + b) / 200;
    const cov = rates.reduce((a, r, j) => a + (r - mr) * (counts[j]! - mc), 0);
    const corr = cov / Math.sqrt(rates.reduce((a, r) => a + (r - mr) ** 2, 0) * counts.reduce((a, c) => a + (c - mc) ** 2, 0));
    expect(corr).toBeGreaterThan(0.98);
    const zero = simulate({ dt: 0.1, duration: 1000, populations: [{ name: 'p', size: 10, model: 'poisson', params: { rate: 0 } }] });
    expect(zero.spikes.p!.times).toEqual([]);
  });
});

describe('delays', () => {
  const delays = [0.1, 0.5, 1.0, 2.3, 7.9];
  const sourceTimes = [5.0, 12.34];

  it('a spike at t reaches an event-driven target exactly at t + delay', () => {
    const { spikes } = simulate({
      dt: 0.1, duration: 40,
      populations: [
        { name: 'src', size: 1, model: 'spike_source', params: { spike_times: [sourceTimes] } },
        ...delays.map((_, k) => ({ name: `t${k}`, size: 1, model: 'lif_delta', params: { v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 0.5 } })),
      ],
      projections: delays.map((d, k) => ({ from: 'src', to: `t${k}`, connect: { rule: 'all_to_all' }, weight: 20, delay: d })),
    });
    delays.forEach((d, k) => {
      const got = spikes[`t${k}`]!.times;
      expect(got.length).toBe(2);
      got.forEach((t, q) => expectClose(t, sourceTimes[q]! + d, { abs: 1e-9 }, `delay ${d}`));
    });
  });

  it('a spike reaches a clock-driven target at the first step boundary after t + delay (ge jumps there)', () => {
    const { samples } = simulate({
      dt: 0.1, duration: 30,
      populations: [
        { name: 'src', size: 1, model: 'spike_source', params: { spike_times: [[5.0]] } },
        { name: 'n', size: delays.length, model: 'lif', params: { tau_syn_e: 5 } },
      ],
      projections: [{ from: 'src', to: 'n', connect: { rule: 'list', pre: delays.map(() => 0), post: delays.map((_, k) => k), weights: delays.map(() => 1), delays }, receptor: 'exc' }],
      record: { state: [{ population: 'n', variable: 'ge', ids: delays.map((_, k) => k) }] },
    });
    delays.forEach((d, k) => {
      const arrival = 5.0 + d;
      samples.timesMs.forEach((t, r) => {
        const ge = samples.values[r]![k]!;
        if (t < arrival - 1e-9) expect(ge).toBe(0);
        else expectClose(ge, Math.exp(-(t - arrival) / 5), { rel: 1e-5 }, `ge(${t}) delay ${d}`);
      });
    });
  });

  it('clock-driven spikes travel with per-synapse delays: target k fires at (source spike + delay_k) + its own latency', () => {
    const { spikes } = simulate({
      dt: 0.1, duration: 40,
      populations: [
        { name: 'drive', size: 1, model: 'spike_source', params: { spike_times: [[1.0]] } },
        { name: 'relay', size: 1, model: 'lif', params: { tau_syn_e: 1 } },
        { name: 'out', size: delays.length, model: 'lif_delta', params: { t_ref: 50 } },
      ],
      projections: [
        { from: 'drive', to: 'relay', connect: { rule: 'all_to_all' }, weight: 200, delay: 0.1 },
        { from: 'relay', to: 'out', connect: { rule: 'list', pre: delays.map(() => 0), post: delays.map((_, k) => k), weights: delays.map(() => 30), delays } },
      ],
    });
    const relay = spikes.relay!.times;
    expect(relay.length).toBe(1);
    delays.forEach((d, k) => expectClose(trainOf(spikes.out!, k)[0]!, relay[0]! + d, { abs: 1e-9 }, `delay ${d}`));
  });
});
