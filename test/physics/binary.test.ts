// Binary units against theory: the Hopfield energy is a Lyapunov function of
// asynchronous deterministic dynamics, stored patterns are fixed points below
// capacity, heat-bath sampling reaches the Boltzmann distribution, and the
// 2D Ising model magnetises as Onsager and Yang say.

import { describe, it, expect } from 'vitest';
import { validateModel, type ValidModel } from '../../src/model/validate.js';
import { Simulation } from '../../src/sim/simulation.js';
import { Philox } from '../../src/core/philox.js';
import { expectClose } from '../support/helpers.js';
import { boltzmannDistribution, klFromCounts } from '../../src/experiments/boltzmann.js';
import { recordingSink } from '../../src/sim/recording.js';

type Update = 'sequential' | 'random' | 'typewriter' | 'poisson' | 'synchronous';

interface Couplings { pre: number[]; post: number[]; weights: number[] }

/** A random symmetric coupling matrix with zero diagonal, as a list; w[i][j] Gaussian, some entries zero. */
function randomSymmetric(n: number, rng: Philox, salt: number, density: number): { list: Couplings; w: Float64Array } {
  const w = new Float64Array(n * n);
  const list: Couplings = { pre: [], post: [], weights: [] };
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (rng.uniform(salt, k++, 1, 0) >= density) continue;
      // Weights exact in f32, so the test's energy and the kernel's agree.
      const v = Math.fround(rng.normal(salt, k++, 2, 0));
      w[i * n + j] = v;
      w[j * n + i] = v;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (w[i * n + j] !== 0) { list.pre.push(i); list.post.push(j); list.weights.push(w[i * n + j]!); }
  return { list, w };
}

function binaryModel(n: number, couplings: Couplings, opts: { update?: Update; sweeps?: number; seed?: number; bias?: number[]; state?: unknown; steps?: number } = {}): ValidModel {
  return validateModel({
    dt: 1, duration: opts.steps ?? 100, seed: opts.seed ?? 1,
    populations: [{
      name: 'h', size: n, model: 'binary',
      params: { update: opts.update ?? 'sequential', sweeps_per_step: opts.sweeps ?? 1 },
      init: { state: opts.state ?? 'random', ...(opts.bias ? { bias: opts.bias } : {}) },
    }],
    projections: couplings.pre.length ? [{ from: 'h', to: 'h', connect: { rule: 'list', ...couplings } }] : [],
    record: { spikes: [] },
  });
}

function energyOf(w: Float64Array, bias: number[], s: Int8Array): number {
  const n = s.length;
  let e = 0;
  for (let i = 0; i < n; i++) {
    let h = 0;
    for (let j = 0; j < n; j++) h += w[i * n + j]! * s[j]!;
    e += -0.5 * s[i]! * h - bias[i]! * s[i]!;
  }
  return e;
}

function isFixedPoint(w: Float64Array, bias: number[], s: Int8Array): boolean {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let h = bias[i]!;
    for (let j = 0; j < n; j++) h += w[i * n + j]! * s[j]!;
    if ((h >= 0 ? 1 : -1) !== s[i]) return false;
  }
  return true;
}

describe('Hopfield dynamics (deterministic, asynchronous)', () => {
  it.each(['sequential', 'random', 'typewriter', 'poisson'] as const)(
    'energy never rises and settles on a fixed point: 60 random symmetric matrices, %s order',
    (update) => {
      const rng = new Philox(7);
      for (let trial = 0; trial < 60; trial++) {
        const n = 3 + Math.floor(rng.uniform(trial, 0, 0, 1) * 60);
        const density = 0.2 + 0.8 * rng.uniform(trial, 1, 0, 1);
        const { list, w } = randomSymmetric(n, rng, trial, density);
        const bias = Array.from({ length: n }, (_, i) => Math.fround(0.5 * rng.normal(trial, i, 3, 1)));
        // A fifth of a sweep per step, so the trace sees many single flips.
        const sim = new Simulation(binaryModel(n, list, { update, sweeps: 0.2, seed: trial + 1, bias, steps: 400 }));
        let last = sim.population('h').energy();
        expectClose(last, energyOf(w, bias, sim.population('h').binaryStates()), { abs: 1e-9 * n * n }, `trial ${trial} start`);
        for (let step = 0; step < 400; step++) {
          sim.run({ steps: 1 });
          const e = sim.population('h').energy();
          if (e > last + 1e-9 * Math.max(1, Math.abs(last))) expect.fail(`trial ${trial} (n ${n}), step ${step}: energy rose from ${last} to ${e}`);
          last = e;
        }
        const s = sim.population('h').binaryStates();
        // The incremental fields give the energy of the states the units hold.
        expectClose(last, energyOf(w, bias, s), { abs: 1e-9 * n * n }, `trial ${trial} end`);
        expect(isFixedPoint(w, bias, s), `trial ${trial} (n ${n}, ${update}) reached a fixed point`).toBe(true);
      }
    },
  );

  it('synchronous updates compute every unit from the same old state', () => {
    const rng = new Philox(11);
    const n = 40;
    const { list, w } = randomSymmetric(n, rng, 0, 0.5);
    const bias = new Array<number>(n).fill(0);
    const sim = new Simulation(binaryModel(n, list, { update: 'synchronous', steps: 20 }));
    for (let step = 0; step < 20; step++) {
      const old = sim.population('h').binaryStates();
      sim.run({ steps: 1 });
      const now = sim.population('h').binaryStates();
      for (let i = 0; i < n; i++) {
        let h = bias[i]!;
        for (let j = 0; j < n; j++) h += w[i * n + j]! * old[j]!;
        expect(now[i], `step ${step} unit ${i}`).toBe(h >= 0 ? 1 : -1);
      }
    }
  });

  it('stored patterns are fixed points below capacity (N 1000, alpha 0.03), and a cue with 20 % flipped bits is recalled', () => {
    const n = 1000, P = 30;
    for (let mu = 0; mu < 3; mu++) {
      const model = validateModel({
        dt: 1, duration: 5, seed: 5,
        populations: [{ name: 'h', size: n, model: 'binary', patterns: { random: { count: P } }, init: { state: { pattern: mu } } }],
        projections: [{ from: 'h', to: 'h', connect: { rule: 'all_to_all', allow_autapses: false }, learn: 'hebbian' }],
        record: { spikes: [] },
      });
      const sim = new Simulation(model);
      sim.run({ steps: 5 });
      expect(sim.population('h').binaryCounts().flips, `pattern ${mu} is a fixed point`).toBe(0);
      const e = sim.network.patterns.h!.subarray(mu * n, (mu + 1) * n);
      const s = sim.population('h').binaryStates();
      expect(s.every((v, i) => v === e[i])).toBe(true);

      const cued = validateModel({ ...model, populations: [{ ...model.populations[0]!, init: { state: { pattern: mu, flip: 0.2 } } }] } as unknown);
      const sim2 = new Simulation(cued);
      const s0 = sim2.population('h').binaryStates();
      let m0 = 0;
      for (let i = 0; i < n; i++) m0 += s0[i]! * e[i]!;
      expectClose(m0 / n, 0.6, { abs: 1e-12 }, 'the cue has 20 % of its bits flipped');
      sim2.run({ steps: 5 });
      const s2 = sim2.population('h').binaryStates();
      expect(s2.every((v, i) => v === e[i]), `pattern ${mu} recalled from the cue`).toBe(true);
    }
  });

  it('Hebbian couplings are (1/N) sum_mu e_i e_j with a zero diagonal', () => {
    const n = 37, P = 5;
    const model = validateModel({
      dt: 1, duration: 1, seed: 9,
      populations: [{ name: 'h', size: n, model: 'binary', patterns: { random: { count: P } } }],
      projections: [{ name: 'w', from: 'h', to: 'h', connect: { rule: 'all_to_all', allow_autapses: false }, learn: 'hebbian' }],
      record: { spikes: [] },
    });
    const sim = new Simulation(model);
    const w = sim.projection('w').weights();
    const e = sim.network.patterns.h!;
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        let sum = 0;
        for (let mu = 0; mu < P; mu++) sum += e[mu * n + i]! * e[mu * n + j]!;
        expectClose(w[k++]!, sum / n, { abs: 1e-7 }, `w[${i}][${j}]`);
      }
    }
    expect(k).toBe(w.length);
  });
});

describe('stochastic Boltzmann units', () => {
  it.each([['heat_bath', 'sequential'], ['heat_bath', 'random'], ['metropolis', 'sequential'], ['heat_bath', 'poisson']] as const)(
    '%s sampling (%s order) reaches the exact distribution of 10 units: KL < 0.01',
    (dynamics, update) => {
      const n = 10, T = 1.3;
      const rng = new Philox(21);
      const { list, w } = randomSymmetric(n, rng, 3, 1);
      const bias = Array.from({ length: n }, (_, i) => Math.fround(0.7 * rng.normal(4, i, 0, 0)));
      const model = validateModel({
        dt: 1, duration: 100000, seed: 3,
        populations: [{ name: 'h', size: n, model: 'binary', params: { values: '01', dynamics, temperature: T, update }, init: { state: 'random', bias } }],
        projections: [{ from: 'h', to: 'h', connect: { rule: 'list', ...list } }],
        record: { spikes: [] },
      });
      const sim = new Simulation(model);
      sim.run({ steps: 200 });
      sim.population('h').enableStateHistogram();
      sim.run({ steps: 100000 });
      const counts = sim.population('h').stateHistogram();
      expect(klFromCounts(counts, boltzmannDistribution(n, w, bias, T))).toBeLessThan(0.01);
      // The measure can tell: the distribution at a 30 % higher temperature is far.
      expect(klFromCounts(counts, boltzmannDistribution(n, w, bias, 1.3 * T))).toBeGreaterThan(0.03);
    },
  );

  it('an annealing schedule lowers the temperature at the given times', () => {
    const model = validateModel({
      dt: 1, duration: 30, seed: 2,
      populations: [{ name: 's', size: 64, model: 'binary', params: { dynamics: 'heat_bath', temperature: 10, temperature_schedule: { times: [10, 20], values: [1, 0.01] } } }],
      projections: [{ from: 's', to: 's', connect: { rule: 'all_to_all', allow_autapses: false }, weight: 0.1 }],
      record: { spikes: [] },
    });
    const sim = new Simulation(model);
    sim.run({ steps: 30 });
    // At T = 0.01 a ferromagnet with J N = 6.3 is fully ordered.
    const s = sim.population('s').binaryStates();
    expect(Math.abs(s.reduce((a, v) => a + v, 0))).toBe(64);
  });
});

const onsagerTc = 2 / Math.log(1 + Math.SQRT2);
function yang(T: number): number {
  return T >= onsagerTc ? 0 : (1 - Math.sinh(2 / T) ** -4) ** 0.125;
}

describe('2D Ising model (L = 32, heat bath)', () => {
  function meanAbsM(T: number, sweeps: number, burn: number): number {
    const L = 32;
    const model = validateModel({
      dt: 1, duration: sweeps + burn, seed: 12,
      populations: [{ name: 'spins', size: L * L, model: 'binary', params: { dynamics: 'heat_bath', temperature: T, update: 'typewriter' }, init: { state: 1 } }],
      projections: [{ from: 'spins', to: 'spins', connect: { rule: 'lattice', shape: [L, L] }, weight: 1 }],
      record: { spikes: [], energy: { populations: ['spins'], interval: 1 } },
    });
    const sim = new Simulation(model);
    let sum = 0, count = 0;
    sim.run({ steps: burn });
    expect(sim.population('spins').latticeFastPath(), 'the lattice fast path is taken').toBe(L);
    sim.run({ steps: sweeps, sink: recordingSink({ energy: (e) => { sum += Math.abs(e.populations[0]!.magnetisation); count++; } }) });
    return sum / count;
  }

  it.each([1.5, 2.0])('|m| at T = %s is within 0.02 of Yang\'s exact value', (T) => {
    expectClose(meanAbsM(T, 20000, 2000), yang(T), { abs: 0.02 }, `T = ${T}`);
  });

  it('|m| at T = 3.5 (disordered) is near 0: the finite-size sqrt(2 chi T / (pi N)) ~ 0.06, not order 1', () => {
    expect(meanAbsM(3.5, 5000, 500)).toBeLessThan(0.1);
  });

  it('the fast path and the general path sample the same physics', () => {
    // L = 12 is not a multiple of 4: a lattice the general code takes with random order.
    const L = 12, T = 2.0;
    const model = validateModel({
      dt: 1, duration: 40000, seed: 4,
      populations: [{ name: 'spins', size: L * L, model: 'binary', params: { dynamics: 'heat_bath', temperature: T, update: 'sequential' }, init: { state: 1 } }],
      projections: [{ from: 'spins', to: 'spins', connect: { rule: 'lattice', shape: [L, L] }, weight: 1 }],
      record: { spikes: [], energy: { populations: ['spins'], interval: 1 } },
    });
    const sim = new Simulation(model);
    let e = 0, count = 0;
    sim.run({ sink: recordingSink({ energy: (x) => { e += x.energy; count++; } }) });
    expect(sim.population('spins').latticeFastPath()).toBe(0);
    const fast = new Simulation(validateModel({ ...model, populations: [{ ...model.populations[0]!, params: { dynamics: 'heat_bath', temperature: T, update: 'typewriter' } }] } as unknown));
    let ef = 0, countF = 0;
    fast.run({ sink: recordingSink({ energy: (x) => { ef += x.energy; countF++; } }) });
    expect(fast.population('spins').latticeFastPath()).toBe(L);
    // Energy per spin at T = 2 on a 12 x 12 lattice, two independent chains.
    expectClose(ef / countF / (L * L), e / count / (L * L), { abs: 0.01 });
  });
});
