// The energy-based experiments (at reduced sizes where the defaults take
// long): every check against theory passes, and the results have the shape
// DESIGN.md fixes.
import { describe, it, expect } from 'vitest';
import { EXPERIMENTS } from '../../src/experiments/index.js';
import { optionsFromArgs } from '../../src/experiments/index.js';
import { ONSAGER_TC, onsagerEnergy, yangMagnetisation } from '../../src/experiments/ising.js';
import { barsAndStripes, boltzmannDistribution } from '../../src/experiments/boltzmann.js';
import { expectClose } from '../support/helpers.js';

async function run(name: string, args: string[] = []) {
  const exp = EXPERIMENTS[name]!;
  return exp.run(optionsFromArgs(exp.options, args), {});
}

function expectChecksPass(r: { checks: { name: string; measured: number; pass: boolean }[] }): void {
  expect(r.checks.length).toBeGreaterThan(0);
  for (const c of r.checks) expect(c.pass, `${c.name}: ${c.measured}`).toBe(true);
}

describe('energy-based experiments', () => {
  it('hopfield-recall: the cue converges on the stored pattern while the energy falls', async () => {
    const r = await run('hopfield-recall');
    expectChecksPass(r);
    const res = r.results as { trace: { energy: number; overlap: number }[]; final_overlap: number; initial_overlap: number };
    expect(res.initial_overlap).toBeCloseTo(0.5, 12);
    expect(res.final_overlap).toBe(1);
    expect(res.trace[res.trace.length - 1]!.energy).toBeLessThan(res.trace[0]!.energy);
    expect(r.files['recall_trace.csv']!.split('\n')[0]).toBe('sweeps,energy,overlap,best_other_overlap,flips');
  });

  it('hopfield-recall above capacity fails to recall (the check is not vacuous)', async () => {
    const r = await run('hopfield-recall', ['--n', '500', '--patterns', '125', '--flip', '0.1']);
    expect((r.results as { final_overlap: number }).final_overlap).toBeLessThan(0.9);
  });

  it('hopfield-capacity: recall breaks down near alpha_c = 0.138', async () => {
    const r = await run('hopfield-capacity', ['--sizes', '1000,2000', '--alpha_step', '0.02', '--tested', '30']);
    expectChecksPass(r);
    const res = r.results as { curve: { N: number; alpha: number; recall_fraction: number }[]; alpha_c_estimate: number };
    expect(res.curve.length).toBe(2 * 11);
    expect(Math.abs(res.alpha_c_estimate - 0.138)).toBeLessThan(0.03);
  }, 60_000);

  it('ising: |m| and the energy follow Yang and Onsager; the specific heat peaks at T_c', async () => {
    const r = await run('ising', ['--sizes', '32', '--temperatures', '1.5,2.0,2.27,2.6,3.5', '--sweeps', '6000']);
    expectChecksPass(r);
    const points = (r.results as { points: { L: number; T: number; abs_m: number; energy: number; specific_heat: number; susceptibility: number }[] }).points;
    expect(points.map((p) => p.T)).toEqual([1.5, 2.0, 2.27, 2.6, 3.5]);
    // Near T_c a 32 x 32 lattice differs from the infinite one by a few per cent.
    for (const p of points) expectClose(p.energy, onsagerEnergy(p.T), { abs: Math.abs(p.T - ONSAGER_TC) < 0.2 ? 0.06 : 0.01 }, `energy per spin at T = ${p.T}`);
  }, 60_000);

  it('Onsager and Yang, as coded, give their textbook values', () => {
    expectClose(ONSAGER_TC, 2.269185314213022, { abs: 1e-12 });
    expectClose(onsagerEnergy(ONSAGER_TC), -Math.SQRT2, { abs: 1e-3 });
    expectClose(onsagerEnergy(0.2), -2, { abs: 1e-6 });
    expectClose(yangMagnetisation(1.0), 0.99927, { abs: 1e-5 });
    expect(yangMagnetisation(2.3)).toBe(0);
  });

  it('boltzmann-exact: every sampler reaches the exact distribution (KL < 0.01)', async () => {
    const r = await run('boltzmann-exact');
    expectChecksPass(r);
    expect((r.results as { kl: number }).kl).toBeLessThan(0.01);
  });

  it('the exact distribution sums to one and follows the energy', () => {
    const w = new Float64Array([0, 1, 1, 0]);
    const p = boltzmannDistribution(2, w, [0, 0], 1);
    expectClose(p.reduce((a, b) => a + b), 1, { abs: 1e-15 });
    // States 00, 10, 01 have energy 0; 11 has -1.
    expectClose(p[3]! / p[0]!, Math.E, { rel: 1e-12 });
  });

  it('boltzmann-learn: persistent Gibbs chains learn bars and stripes', async () => {
    expect(barsAndStripes(3).length).toBe(14);
    const r = await run('boltzmann-learn', ['--iterations', '3000']);
    expectChecksPass(r);
    const res = r.results as { curve: { hidden: { iteration: number; kl: number }[] } };
    expect(res.curve.hidden[0]!.iteration).toBe(0);
  }, 60_000);

  it('list options parse and are checked', () => {
    expect(optionsFromArgs(EXPERIMENTS['ising']!.options, ['--sizes', '16, 32']).sizes).toEqual([16, 32]);
    expect(() => optionsFromArgs(EXPERIMENTS['ising']!.options, ['--sizes', '16,x'])).toThrow('--sizes: must be a number (got "x")');
  });
});
