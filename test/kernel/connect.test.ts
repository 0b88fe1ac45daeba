import { describe, it, expect } from 'vitest';
import { validateModel } from '../../src/model/validate.js';
import { Simulation } from '../../src/sim/simulation.js';
import { Philox, STREAM_CONNECT, STREAM_WEIGHT } from '../../src/core/philox.js';
import { readCsr, rowOf } from '../support/csr.js';

function build(connect: object, opts: { pre?: number; post?: number; same?: boolean; weight?: unknown; delay?: unknown; seed?: number } = {}) {
  const pre = opts.pre ?? 200, post = opts.post ?? 300;
  const populations = [{ name: 'a', size: pre, model: 'lif' }, ...(opts.same ? [] : [{ name: 'b', size: post, model: 'lif' }])];
  const model = validateModel({
    seed: opts.seed ?? 7, duration: 0,
    populations,
    projections: [{ name: 'p', from: 'a', to: opts.same ? 'a' : 'b', connect, weight: opts.weight ?? 1, receptor: 'exc', ...(opts.delay !== undefined ? { delay: opts.delay } : {}) }],
  });
  const sim = new Simulation(model, { flavor: 'debug' });
  return { sim, csr: readCsr(sim, 'p') };
}

describe('connectivity generated in the kernel', () => {
  it('fixed_probability equals an independent Bernoulli draw by geometric skipping (recomputed with the TS twin)', () => {
    const p = 0.05;
    const { csr } = build({ rule: 'fixed_probability', p }, { seed: 11 });
    const twin = new Philox(11);
    const lq = Math.log1p(-p);
    for (let i = 0; i < 200; i++) {
      const expected: number[] = [];
      let j = -1, draw = 0;
      for (;;) {
        j += 1 + Math.floor(Math.log(twin.uniformPos(draw++, i, 0, STREAM_CONNECT)) / lq);
        if (j >= 300) break;
        expected.push(j);
      }
      expect(rowOf(csr, i)).toEqual(expected);
    }
  });

  it('fixed_probability makes p * N_pre * N_post synapses within binomial bounds, and every pair is equally likely', () => {
    const p = 0.1, n = 400;
    const { csr } = build({ rule: 'fixed_probability', p }, { pre: n, post: n });
    const total = csr.targets.length, mean = p * n * n, sd = Math.sqrt(n * n * p * (1 - p));
    expect(Math.abs(total - mean)).toBeLessThan(4 * sd);
    // In-degrees are Binomial(n, p): check their mean and variance.
    const indeg = new Array(n).fill(0);
    for (const t of csr.targets) indeg[t]++;
    const m = indeg.reduce((a, b) => a + b) / n;
    const v = indeg.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1);
    expect(Math.abs(m - n * p)).toBeLessThan(4 * Math.sqrt(n * p * (1 - p) / n));
    expect(v / (n * p * (1 - p))).toBeGreaterThan(0.8);
    expect(v / (n * p * (1 - p))).toBeLessThan(1.2);
  });

  it('autapses are made only when allowed', () => {
    const withSelf = build({ rule: 'all_to_all' }, { pre: 50, same: true }).csr;
    const noSelf = build({ rule: 'all_to_all', allow_autapses: false }, { pre: 50, same: true }).csr;
    expect(withSelf.targets.length).toBe(2500);
    expect(noSelf.targets.length).toBe(2450);
    for (let i = 0; i < 50; i++) expect(rowOf(noSelf, i)).not.toContain(i);
    const fp = build({ rule: 'fixed_probability', p: 1, allow_autapses: false }, { pre: 30, same: true }).csr;
    for (let i = 0; i < 30; i++) expect(rowOf(fp, i)).toEqual([...Array(30).keys()].filter((j) => j !== i));
  });

  it('fixed_indegree gives every target exactly k distinct sources (no multapses, no autapses)', () => {
    const { csr } = build({ rule: 'fixed_indegree', indegree: 40, allow_multapses: false, allow_autapses: false }, { pre: 100, same: true });
    const sources: Set<number>[] = Array.from({ length: 100 }, () => new Set());
    for (let i = 0; i < 100; i++) for (const j of rowOf(csr, i)) { expect(sources[j]!.has(i)).toBe(false); sources[j]!.add(i); }
    for (let j = 0; j < 100; j++) { expect(sources[j]!.size).toBe(40); expect(sources[j]!.has(j)).toBe(false); }
  });

  it('fixed_indegree with multapses draws sources uniformly', () => {
    const { csr } = build({ rule: 'fixed_indegree', indegree: 50 }, { pre: 10, post: 400 });
    expect(csr.targets.length).toBe(50 * 400);
    for (let i = 0; i < 10; i++) {
      const count = csr.rowPtr[i + 1]! - csr.rowPtr[i]!;
      expect(Math.abs(count - 2000)).toBeLessThan(4 * Math.sqrt(20000 * 0.1 * 0.9));
    }
  });

  it('fixed_outdegree gives every source exactly k distinct, sorted targets', () => {
    const { csr } = build({ rule: 'fixed_outdegree', outdegree: 25, allow_multapses: false }, { pre: 60, post: 70 });
    for (let i = 0; i < 60; i++) {
      const row = rowOf(csr, i);
      expect(row.length).toBe(25);
      expect(new Set(row).size).toBe(25);
      expect(row).toEqual([...row].sort((a, b) => a - b));
      expect(Math.max(...row)).toBeLessThan(70);
    }
  });

  it('one_to_one connects i to i', () => {
    const { csr } = build({ rule: 'one_to_one' }, { pre: 33, post: 33 });
    for (let i = 0; i < 33; i++) expect(rowOf(csr, i)).toEqual([i]);
  });

  it('explicit lists keep their weights and delays with their pairs', () => {
    const model = validateModel({
      duration: 0,
      populations: [{ name: 'a', size: 3, model: 'lif' }, { name: 'b', size: 4, model: 'lif' }],
      projections: [{ name: 'p', from: 'a', to: 'b', receptor: 'exc', connect: { rule: 'list', pre: [2, 0, 2, 1], post: [3, 1, 0, 2], weights: [0.5, 1.5, 2.5, 3.5], delays: [0.3, 0.1, 0.2, 0.4] } }],
    });
    const sim = new Simulation(model, { flavor: 'debug' });
    const csr = readCsr(sim, 'p');
    expect(Array.from(csr.rowPtr)).toEqual([0, 1, 2, 4]);
    // Row 2 holds (3, 2.5, 3 steps) and (0, 2.5...): sorted by delay within the row.
    expect(rowOf(csr, 0)).toEqual([1]);
    expect(rowOf(csr, 1)).toEqual([2]);
    expect(rowOf(csr, 2)).toEqual([0, 3]);
    expect(Array.from(csr.weights)).toEqual([1.5, 3.5, 2.5, 0.5]);
    expect(Array.from(csr.delays!)).toEqual([1, 4, 2, 3]);
  });

  it('random weights are drawn per synapse from the twin-addressable stream and clipped', () => {
    const { csr } = build({ rule: 'fixed_outdegree', outdegree: 10 }, { pre: 20, post: 50, weight: { uniform: [1, 3] }, seed: 5 });
    const twin = new Philox(5);
    for (let i = 0; i < 20; i++) {
      for (let q = 0; q < 10; q++) {
        const w = 1 + 2 * twin.uniform(q, i, 0, STREAM_WEIGHT);
        expect(csr.weights[csr.rowPtr[i]! + q]).toBe(Math.fround(w));
      }
    }
    const clipped = build({ rule: 'all_to_all' }, { pre: 50, post: 50, weight: { normal: [0, 1], clip: [-0.5, 0.5] } }).csr;
    expect(Math.min(...clipped.weights)).toBe(-0.5);
    expect(Math.max(...clipped.weights)).toBe(0.5);
  });

  it('delay distributions are rounded to whole steps within their bounds, rows sorted by delay', () => {
    const { csr } = build({ rule: 'fixed_outdegree', outdegree: 30 }, { pre: 40, post: 100, delay: { uniform: [0.1, 2.0] } });
    expect(csr.delayConst).toBe(0);
    for (let i = 0; i < 40; i++) {
      const d = Array.from(csr.delays!.subarray(csr.rowPtr[i]!, csr.rowPtr[i + 1]!));
      expect(d).toEqual([...d].sort((a, b) => a - b));
      expect(Math.min(...d)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...d)).toBeLessThanOrEqual(20);
    }
  });

  it('the same seed gives the same synapses, another seed different ones', () => {
    const a = build({ rule: 'fixed_probability', p: 0.1 }, { seed: 3 }).csr;
    const b = build({ rule: 'fixed_probability', p: 0.1 }, { seed: 3 }).csr;
    const c = build({ rule: 'fixed_probability', p: 0.1 }, { seed: 4 }).csr;
    expect(Buffer.from(a.targets.buffer).equals(Buffer.from(b.targets.buffer))).toBe(true);
    expect(Buffer.from(a.targets.buffer).equals(Buffer.from(c.targets.buffer))).toBe(false);
  });
});
