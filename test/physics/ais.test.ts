// Annealed importance sampling against exact partition functions: the
// kernel's weight increment against f64 loops, the enumeration against a
// brute-force sum over both layers, and AIS's log Z against the enumeration
// for a small RBM with strong random weights and for a 784-12 RBM trained on
// the digits (Salakhutdinov & Murray 2008 test theirs the same way, on
// RBMs small enough to enumerate).

import { describe, it, expect } from 'vitest';
import { Dense } from '../../src/kernel/dense.js';
import { Rbm } from '../../src/dense/rbm.js';
import { aisLogZ, betaSchedule, exactLogZ, meanLogLikelihood } from '../../src/dense/ais.js';
import { aisLogZThreads, runBlocks } from '../../src/dense/ais-threads.js';
import { Philox } from '../../src/core/philox.js';
import { loadDigits, split, permutation } from '../../src/data/mnist.js';

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

function randomRbm(d: Dense, nv: number, nh: number, sd: number, seed: number): Rbm {
  const rbm = new Rbm(d, nv, nh, seed);
  const rng = new Philox(seed);
  let k = 0;
  rbm.W.set(Float32Array.from({ length: nv * nh }, () => sd * rng.normal(k++, 0, 0, 0)));
  rbm.b.set(Float32Array.from({ length: nv }, () => 0.5 * rng.normal(k++, 0, 0, 0)));
  rbm.c.set(Float32Array.from({ length: nh }, () => 0.5 * rng.normal(k++, 0, 0, 0)));
  return rbm;
}

describe('annealed importance sampling for RBMs', () => {
  const d = new Dense();
  d.setSeed(3);

  it('adds sum_j softplus(b1 x + c) - softplus(b0 x + c) per row as an f64 loop does, for large and small x, with and without offsets c', () => {
    const rng = new Philox(11);
    for (const [rows, cols] of [[3, 13], [5, 500], [2, 3]] as const) {
      const x = Float32Array.from({ length: rows * cols }, (_, k) => 30 * rng.normal(k, 0, 0, 0));
      const X = d.mat(rows, cols, x);
      const offsets = Float32Array.from({ length: cols }, (_, k) => 5 * rng.normal(k, 1, 0, 0));
      const C = d.mat(1, cols, offsets);
      for (const withOffsets of [false, true]) {
        const acc = d.vecF64(rows);
        for (const [b1, b0] of [[Math.fround(0.5001), Math.fround(0.5)], [1, Math.fround(0.9999)], [Math.fround(0.001), 0]]) {
          d.softplusDelta(X, b1!, b0!, acc, withOffsets ? C : undefined);
        }
        const got = acc.toArray();
        for (let r = 0; r < rows; r++) {
          let want = 0;
          for (const [b1, b0] of [[Math.fround(0.5001), Math.fround(0.5)], [1, Math.fround(0.9999)], [Math.fround(0.001), 0]]) {
            for (let j = 0; j < cols; j++) {
              const c = withOffsets ? offsets[j]! : 0;
              want += softplus(b1! * x[r * cols + j]! + c) - softplus(b0! * x[r * cols + j]! + c);
            }
          }
          expect(Math.abs(got[r]! - want)).toBeLessThan(1e-5 * cols);
        }
        acc.free();
      }
      X.free();
      C.free();
    }
  });

  it('the exact pseudo-log-likelihood is sum_i log p(v_i | v_-i) from free energies of every flipped vector, and the one-bit estimate averages to it', () => {
    const rbm = randomRbm(d, 7, 5, 1, 13);
    const rows = 4;
    const rng = new Philox(5);
    const V = Float32Array.from({ length: rows * 7 }, (_, k) => (rng.uniform(k, 0, 0, 0) < 0.5 ? 1 : 0));
    let want = 0;
    for (let r = 0; r < rows; r++) {
      const v = V.slice(r * 7, (r + 1) * 7);
      const F = (x: Float32Array) => { const m = d.mat(1, 7, x); const f = rbm.freeEnergy(m)[0]!; m.free(); return f; };
      const f0 = F(v);
      for (let i = 0; i < 7; i++) {
        const w = v.slice();
        w[i] = 1 - w[i]!;
        // p(v_i | v_-i) = e^-F(v) / (e^-F(v) + e^-F(v~i))
        want += -Math.log1p(Math.exp(f0 - F(w)));
      }
    }
    expect(rbm.exactPseudoLogLikelihood(V)).toBeCloseTo(want / rows, 4);
  });

  it('the schedule is the paper\'s: 14500 steps, 500 / 4000 / 10000 in [0, 0.5], [0.5, 0.9], [0.9, 1]', () => {
    const b = betaSchedule(14500);
    expect(b.length).toBe(14501);
    expect([b[0], b[500], b[4500], b[14500]]).toEqual([0, 0.5, Math.fround(0.9), 1]);
    for (let k = 1; k < b.length; k++) expect(b[k]!).toBeGreaterThan(b[k - 1]!);
    expect(() => betaSchedule(2)).toThrow(/at least 3/);
  });

  it('enumerates log Z over the smaller layer as a brute-force sum over both layers does', () => {
    for (const [nv, nh] of [[6, 4], [4, 7]] as const) {
      const rbm = randomRbm(d, nv, nh, 1, 5);
      const W = rbm.W.toArray(), b = rbm.b.toArray(), c = rbm.c.toArray();
      let z = 0;
      for (let v = 0; v < 2 ** nv; v++) for (let h = 0; h < 2 ** nh; h++) {
        let e = 0;
        for (let i = 0; i < nv; i++) if ((v >> i) & 1) e += b[i]!;
        for (let j = 0; j < nh; j++) if ((h >> j) & 1) e += c[j]!;
        for (let i = 0; i < nv; i++) for (let j = 0; j < nh; j++) if ((v >> i) & 1 && (h >> j) & 1) e += W[i * nh + j]!;
        z += Math.exp(e);
      }
      expect(exactLogZ(rbm)).toBeCloseTo(Math.log(z), 10);
    }
  });

  it('20-10 RBM with strong random weights (sd 1): AIS log Z within 0.1 nats of the exact, inside its 3-sigma bar', () => {
    const rbm = randomRbm(d, 20, 10, 1, 9);
    const exact = exactLogZ(rbm);
    const a = aisLogZ(rbm, { betas: 3000, runs: 100, seed: 1, baseBias: new Float32Array(20) });
    expect(Math.abs(a.logZ - exact)).toBeLessThan(0.1);
    expect(a.logZLow).toBeLessThan(exact);
    expect(a.logZHigh).toBeGreaterThan(exact);
    expect(a.logZBase).toBeCloseTo(30 * Math.LN2, 10);
  });

  it('784-12 RBM trained on digits: AIS log Z within 0.1 nats of the exact, and so the held-out log-likelihood', () => {
    const digits = loadDigits();
    const sp = split(digits, 8000, 2000, 1);
    const rbm = new Rbm(d, 784, 12, 5);
    rbm.initVisibleBias(digits.images, sp.train);
    const base = rbm.b.toArray();
    const opt = rbm.optimizer({ kind: 'sgd', lr: 0.05, momentum: 0.9 });
    const sub = sp.train.slice(0, 2000);
    for (let e = 1; e <= 3; e++) rbm.trainEpoch(digits.images, Array.from(permutation(sub.length, e), (i) => sub[i]!), opt, { k: 1, persistent: false, batch: 20 });
    const exact = exactLogZ(rbm);
    const a = aisLogZ(rbm, { betas: 2000, runs: 100, seed: 1, baseBias: base });
    expect(Math.abs(a.logZ - exact)).toBeLessThan(0.1);
    expect(a.logZLow).toBeLessThan(exact);
    expect(a.logZHigh).toBeGreaterThan(exact);
    // The held-out log-likelihood moves with log Z one for one.
    const test = new Float32Array(200 * 784);
    for (let r = 0; r < 200; r++) for (let i = 0; i < 784; i++) test[r * 784 + i] = digits.images[sp.test[r]! * 784 + i]! > 0.5 ? 1 : 0;
    expect(meanLogLikelihood(rbm, test, a.logZ) - meanLogLikelihood(rbm, test, exact)).toBeCloseTo(exact - a.logZ, 6);
    expect(meanLogLikelihood(rbm, test, exact)).toBeLessThan(0);
  });

  it('over threads: runs split in blocks of whole groups of 4, the estimate bit for bit the one thread\'s (1-4 threads, sizes not multiples of 4, both paths)', async () => {
    expect(runBlocks(30, 3)).toEqual([[0, 8], [8, 20], [20, 30]]);
    expect(runBlocks(7, 4)).toEqual([[0, 4], [4, 7]]);
    expect(runBlocks(100, 1)).toEqual([[0, 100]]);
    for (const [nv, nh, runs, keep] of [[21, 13, 30, false], [21, 13, 7, true], [784, 12, 13, false]] as const) {
      const rbm = randomRbm(d, nv, nh, 0.5, nv + nh);
      const o = { betas: 200, runs, seed: 3, keepHiddenBiases: keep, baseBias: Float32Array.from({ length: nv }, (_, i) => -1 + 0.01 * i) };
      const one = aisLogZ(rbm, o);
      for (const threads of [1, 2, 3, 4]) expect(await aisLogZThreads(rbm, o, threads), `${nv}-${nh}, ${runs} runs, ${threads} threads`).toEqual(one);
    }
  }, 60_000);
});
