// The plasticity experiments, at their defaults: every check against theory passes.
import { describe, it, expect } from 'vitest';
import { EXPERIMENTS } from '../../src/experiments/index.js';
import { optionsFromArgs } from '../../src/experiments/index.js';

async function run(name: string, args: string[] = []) {
  const exp = EXPERIMENTS[name]!;
  return exp.run(optionsFromArgs(exp.options, args), {});
}

describe('plasticity experiments', () => {
  it('stdp-window: every variant matches its analytic window to 1e-6', async () => {
    const r = await run('stdp-window');
    expect(r.checks.length).toBe(7);
    for (const c of r.checks) expect(c.pass, `${c.name}: ${c.measured}`).toBe(true);
    const points = (r.results as { points: { dt_ms: number; dw: number; expected: number }[] }).points;
    expect(points.length).toBe(7 * 201);
    expect(points.every((p) => p.dt_ms >= -100 && p.dt_ms <= 100)).toBe(true);
    expect(r.files['stdp-window.csv']!.split('\n')[0]).toBe('variant,dt_ms,dw,expected');
  });

  it('song2000: the weights split to the bounds and the output rate is regulated', async () => {
    const r = await run('song2000');
    for (const c of r.checks) expect(c.pass, `${c.name}: ${c.measured}`).toBe(true);
    const res = r.results as { histogram: number[]; frac_low: number; frac_high: number; histograms: unknown[] };
    expect(res.histogram.length).toBe(20);
    expect(res.histogram.reduce((a, b) => a + b)).toBe(1000);
    expect(res.histograms.length).toBeGreaterThan(10);
  }, 120_000);

  it('rstdp: reward-modulated STDP learns to answer pattern A and not B', async () => {
    const r = await run('rstdp');
    for (const c of r.checks) expect(c.pass, `${c.name}: ${c.measured}`).toBe(true);
  });

  it('rejects bad experiment options with the option named', () => {
    expect(() => optionsFromArgs(EXPERIMENTS['song2000']!.options, ['--duration_s', 'x'])).toThrow('--duration_s: must be a number (got "x")');
    expect(() => optionsFromArgs(EXPERIMENTS['song2000']!.options, ['--duraton_s', '5'])).toThrow(/--duraton_s: unknown option \(did you mean --duration_s\?\)/);
    expect(() => optionsFromArgs(EXPERIMENTS['rstdp']!.options, ['--trials', '2.5'])).toThrow('--trials: must be an integer (got 2.5)');
  });
});
