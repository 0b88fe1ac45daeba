// The deep Boltzmann machine against exact enumeration of a small one: its
// partition function through the equivalent RBM over h1 (and by AIS), the
// mean-field fixed point and the variational bound below the exact
// log-likelihood, and the Gibbs sampler's marginals against the exact ones.

import { describe, it, expect } from 'vitest';
import { Dense } from '../../src/kernel/dense.js';
import { Dbm } from '../../src/dense/dbm.js';
import { aisLogZ, exactLogZ } from '../../src/dense/ais.js';
import { Philox } from '../../src/core/philox.js';

const nv = 6, n1 = 4, n2 = 3;

function randomDbm(d: Dense, sd: number, seed: number): Dbm {
  const m = new Dbm(d, nv, n1, n2, seed);
  const rng = new Philox(seed);
  let k = 0;
  const g = (n: number, s: number) => Float32Array.from({ length: n }, () => s * rng.normal(k++, 0, 0, 0));
  m.W1.set(g(nv * n1, sd));
  m.W2.set(g(n1 * n2, sd));
  m.b.set(g(nv, 0.5));
  m.c1.set(g(n1, 0.5));
  m.c2.set(g(n2, 0.5));
  return m;
}

/** Unnormalised log p*(v) = log sum_{h1, h2} exp(-E) for every v, and log Z, by brute force. */
function enumerate(m: Dbm): { logPv: Float64Array; logZ: number; meanV: Float64Array } {
  const W1 = m.W1.toArray(), W2 = m.W2.toArray(), b = m.b.toArray(), c1 = m.c1.toArray(), c2 = m.c2.toArray();
  const pv = new Float64Array(2 ** nv);
  for (let v = 0; v < 2 ** nv; v++) for (let h = 0; h < 2 ** n1; h++) for (let g = 0; g < 2 ** n2; g++) {
    let e = 0;
    for (let i = 0; i < nv; i++) if ((v >> i) & 1) e += b[i]!;
    for (let j = 0; j < n1; j++) if ((h >> j) & 1) e += c1[j]!;
    for (let k = 0; k < n2; k++) if ((g >> k) & 1) e += c2[k]!;
    for (let i = 0; i < nv; i++) for (let j = 0; j < n1; j++) if ((v >> i) & 1 && (h >> j) & 1) e += W1[i * n1 + j]!;
    for (let j = 0; j < n1; j++) for (let k = 0; k < n2; k++) if ((h >> j) & 1 && (g >> k) & 1) e += W2[j * n2 + k]!;
    pv[v]! += Math.exp(e);
  }
  const z = pv.reduce((a, x) => a + x, 0);
  const meanV = new Float64Array(nv);
  for (let v = 0; v < 2 ** nv; v++) for (let i = 0; i < nv; i++) if ((v >> i) & 1) meanV[i]! += pv[v]! / z;
  return { logPv: Float64Array.from(pv, Math.log), logZ: Math.log(z), meanV };
}

const bits = (v: number) => Float32Array.from({ length: nv }, (_, i) => (v >> i) & 1);

describe('deep Boltzmann machine (Salakhutdinov & Hinton 2009)', () => {
  const d = new Dense();
  d.setSeed(4);

  it('log Z of the RBM over h1 (v and h2 summed out) is the DBM\'s, by enumeration, and AIS finds it within 0.1 nats', () => {
    const m = randomDbm(d, 1, 3);
    const exact = enumerate(m).logZ;
    const rbm = m.asRbm(1);
    expect(exactLogZ(rbm)).toBeCloseTo(exact, 8);
    for (const keepHiddenBiases of [false, true]) {
      const a = aisLogZ(rbm, { betas: 3000, runs: 100, seed: 2, baseBias: new Float32Array(n1), keepHiddenBiases });
      expect(Math.abs(a.logZ - exact)).toBeLessThan(0.1);
    }
  });

  it('the mean-field bound lies below the exact log-likelihood of every v and, for weak couplings, within 0.05 nats of it', () => {
    for (const [sd, gap] of [[1.5, Infinity], [0.2, 0.05]] as const) {
      const m = randomDbm(d, sd, 7);
      const { logPv } = enumerate(m);
      const V = new Float32Array(2 ** nv * nv);
      for (let v = 0; v < 2 ** nv; v++) V.set(bits(v), v * nv);
      const bound = m.variationalBound(V, 50);
      for (let v = 0; v < 2 ** nv; v++) {
        expect(bound[v]!).toBeLessThanOrEqual(logPv[v]! + 1e-5);
        expect(logPv[v]! - bound[v]!).toBeLessThan(gap);
      }
    }
  });

  it('mean field reaches its fixed point: mu1 = sigmoid(v W1 + mu2 W2^T + c1), mu2 = sigmoid(mu1 W2 + c2)', () => {
    const m = randomDbm(d, 0.8, 9);
    const V = d.mat(3, nv, [...bits(5), ...bits(42), ...bits(63)]);
    const { M1, M2 } = m.meanField(V, 3, 100);
    const mu1 = M1.toArray(), mu2 = M2.toArray();
    const W1 = m.W1.toArray(), W2 = m.W2.toArray(), c1 = m.c1.toArray(), c2 = m.c2.toArray(), v = V.toArray();
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    for (let r = 0; r < 3; r++) {
      for (let j = 0; j < n1; j++) {
        let a = c1[j]!;
        for (let i = 0; i < nv; i++) a += v[r * nv + i]! * W1[i * n1 + j]!;
        for (let k = 0; k < n2; k++) a += mu2[r * n2 + k]! * W2[j * n2 + k]!;
        expect(mu1[r * n1 + j]!).toBeCloseTo(sig(a), 4);
      }
      for (let k = 0; k < n2; k++) {
        let a = c2[k]!;
        for (let j = 0; j < n1; j++) a += mu1[r * n1 + j]! * W2[j * n2 + k]!;
        expect(mu2[r * n2 + k]!).toBeCloseTo(sig(a), 4);
      }
    }
  });

  it('Gibbs chains reach the exact visible marginals (2000 chains, 100 sweeps: within 0.03)', () => {
    const m = randomDbm(d, 1, 11);
    const { meanV } = enumerate(m);
    const count = 2000;
    const rng = new Philox(3);
    const v0 = Float32Array.from({ length: count * nv }, (_, k) => (rng.uniform(k, 0, 0, 0) < 0.5 ? 1 : 0));
    const { visible } = m.gibbsFrom(v0, count, 100);
    for (let i = 0; i < nv; i++) {
      let s = 0;
      for (let r = 0; r < count; r++) s += visible[r * nv + i]! / count;
      expect(Math.abs(s - meanV[i]!)).toBeLessThan(0.03);
    }
  });
});
