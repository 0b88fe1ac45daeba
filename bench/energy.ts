// Energy-based units, side by side with plain reference loops in the same
// process:
//  - Ising L x L heat-bath sweeps: the kernel's lattice path against a plain
//    typed-array sweep with a precomputed acceptance table and a xorshift
//    generator (the simplest fast code one would write by hand, in V8).
//  - Hopfield N units, Hebbian couplings, asynchronous deterministic updates
//    from a corrupted cue: update events per second (and field updates, the
//    flips' fan-out) against a plain dense-matrix loop with incremental fields.
// Rounds alternate kernel and reference; the table shows medians.

import { validateModel } from '../src/model/validate.js';
import { Simulation } from '../src/sim/simulation.js';
import { Kernel, defaultFlavor } from '../src/kernel/kernel.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export interface IsingBench {
  L: number; T: number; sweeps: number;
  hebb_updates_per_s: number; wasm_reference_updates_per_s: number; js_reference_updates_per_s: number;
  ratio_over_wasm: number; ratio_over_js: number; hebb_abs_m: number; reference_abs_m: number;
}

/** The plain WASM sweep (assembly/reference.ts), xorshift and a table. */
function isingWasmReferenceRun(L: number, T: number, sweeps: number, seed: number): { seconds: number; absM: number } {
  const kernel = new Kernel(defaultFlavor());
  kernel.referenceIsingInit(L, T, seed);
  for (let k = 0; k < 50; k++) kernel.referenceIsingSweeps(L, 1, seed + k);
  const t0 = performance.now();
  let m = 0;
  for (let k = 0; k < sweeps; k++) m = kernel.referenceIsingSweeps(L, 1, seed + 1000 + k);
  return { seconds: (performance.now() - t0) / 1000, absM: Math.abs(m / (L * L)) };
}

function isingKernelRun(L: number, T: number, sweeps: number, seed: number): { seconds: number; absM: number } {
  const sim = new Simulation(validateModel({
    dt: 1, duration: sweeps + 50, seed,
    populations: [{ name: 's', size: L * L, model: 'binary', params: { dynamics: 'heat_bath', temperature: T, update: 'typewriter' }, init: { state: 'random' } }],
    projections: [{ from: 's', to: 's', connect: { rule: 'lattice', shape: [L, L] }, weight: 1 }],
    record: { spikes: [] },
  }));
  // Warm-up calls let V8 tier the kernel up before the timed run (no OSR in wasm).
  for (let k = 0; k < 50; k++) sim.run({ steps: 1 });
  const t0 = performance.now();
  sim.run({ steps: sweeps });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, absM: Math.abs(sim.population('s').magnetisation()) };
}

/** The reference: one plain heat-bath sweep loop, table lookup, xorshift32. */
function isingReferenceRun(L: number, T: number, sweeps: number, seed: number): { seconds: number; absM: number } {
  const n = L * L;
  const s = new Int8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  for (let i = 0; i < n; i++) s[i] = next() & 1 ? 1 : -1;
  const table = new Uint32Array(5);
  for (let k = 0; k < 5; k++) table[k] = Math.min(4294967295, Math.floor(4294967296 / (1 + Math.exp((-2 * (2 * k - 4)) / T))));
  const sweep = () => {
    for (let y = 0; y < L; y++) {
      const row = y * L, up = (y === 0 ? n - L : row - L), down = (y === L - 1 ? 0 : row + L);
      for (let xx = 0; xx < L; xx++) {
        const i = row + xx;
        const sum = s[up + xx]! + s[down + xx]! + s[xx === 0 ? row + L - 1 : i - 1]! + s[xx === L - 1 ? row : i + 1]!;
        s[i] = next() < table[(sum + 4) >> 1]! ? 1 : -1;
      }
    }
  };
  for (let k = 0; k < 50; k++) sweep();
  const t0 = performance.now();
  for (let k = 0; k < sweeps; k++) sweep();
  const seconds = (performance.now() - t0) / 1000;
  let m = 0;
  for (let i = 0; i < n; i++) m += s[i]!;
  return { seconds, absM: Math.abs(m / n) };
}

export function benchIsing(options: { L?: number; T?: number; sweeps?: number; repeats?: number } = {}): IsingBench {
  const L = options.L ?? 256, T = options.T ?? 2.269, sweeps = options.sweeps ?? 400, repeats = options.repeats ?? 3;
  const hebb: number[] = [], wasm: number[] = [], js: number[] = [];
  let hm = 0, rm = 0;
  for (let r = 0; r < repeats; r++) {
    const h = isingKernelRun(L, T, sweeps, r + 1);
    const w = isingWasmReferenceRun(L, T, sweeps, r + 1);
    const q = isingReferenceRun(L, T, sweeps, r + 1);
    hebb.push(h.seconds); wasm.push(w.seconds); js.push(q.seconds);
    hm = h.absM; rm = w.absM;
  }
  const updates = L * L * sweeps;
  const hs = median(hebb), ws = median(wasm), js_ = median(js);
  return {
    L, T, sweeps, hebb_updates_per_s: updates / hs, wasm_reference_updates_per_s: updates / ws, js_reference_updates_per_s: updates / js_,
    ratio_over_wasm: ws / hs, ratio_over_js: js_ / hs, hebb_abs_m: hm, reference_abs_m: rm,
  };
}

export interface HopfieldBench { N: number; patterns: number; sweeps: number; build_s: number; hebb_updates_per_s: number; hebb_field_updates_per_s: number; reference_updates_per_s: number; ratio: number; flips: number; final_overlap: number }

export function benchHopfield(options: { N?: number; patterns?: number; sweeps?: number; repeats?: number } = {}): HopfieldBench {
  const N = options.N ?? 10000, P = options.patterns ?? 100, sweeps = options.sweeps ?? 4, repeats = options.repeats ?? 3;
  const t0 = performance.now();
  const sim = new Simulation(validateModel({
    dt: 1, duration: 1e6, seed: 1,
    populations: [{ name: 'h', size: N, model: 'binary', params: { update: 'sequential' }, patterns: { random: { count: P } } }],
    projections: [{ name: 'w', from: 'h', to: 'h', connect: { rule: 'all_to_all', allow_autapses: false }, learn: 'hebbian' }],
    record: { spikes: [] },
  }));
  const buildS = (performance.now() - t0) / 1000;
  const e = sim.network.patterns.h!.subarray(0, N);
  // The reference holds the same couplings densely (f32, as the kernel).
  const csr = sim.projection('w').synapsePairs();
  const wk = sim.projection('w').weights();
  const dense = new Float32Array(N * N);
  for (let s = 0; s < csr.pre.length; s++) dense[csr.pre[s]! * N + csr.post[s]!] = wk[s]!;
  const cue = (k: number) => Int8Array.from(e, (v, i) => (((i * 2654435761 + k * 97) >>> 0) % 5 === 0 ? -v : v));
  const hebb: number[] = [], ref: number[] = [];
  let flips = 0, fieldUpdates = 0, overlap = 0;
  for (let r = 0; r < repeats; r++) {
    sim.population('h').setBinaryStates(cue(r));
    sim.run({ steps: 1 });  // the fields are rebuilt on the first step; keep that out of the timing
    sim.population('h').setBinaryStates(cue(r));
    const flips0 = sim.population('h').binaryCounts().flips;
    sim.population('h').energy();
    const a = performance.now();
    sim.run({ steps: sweeps });
    hebb.push((performance.now() - a) / 1000);
    flips = sim.population('h').binaryCounts().flips - flips0;
    fieldUpdates = flips * (N - 1);
    const st = sim.population('h').binaryStates();
    overlap = st.reduce((acc, v, i) => acc + v * e[i]!, 0) / N;

    // Reference: the same order of work, a random permutation per sweep.
    const s = cue(r);
    const h = new Float64Array(N);
    for (let i = 0; i < N; i++) { let x = 0; const row = i * N; for (let j = 0; j < N; j++) x += dense[row + j]! * s[j]!; h[i] = x; }
    const perm = Int32Array.from({ length: N }, (_, i) => i);
    let seed = 12345 + r;
    const rnd = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
    const b = performance.now();
    for (let w = 0; w < sweeps; w++) {
      for (let k = N - 1; k > 0; k--) { const j = rnd() % (k + 1); const t = perm[k]!; perm[k] = perm[j]!; perm[j] = t; }
      for (let k = 0; k < N; k++) {
        const i = perm[k]!;
        const sn = h[i]! >= 0 ? 1 : -1;
        if (sn === s[i]) continue;
        const d = sn - s[i]!;
        s[i] = sn;
        const row = i * N;
        for (let j = 0; j < N; j++) h[j]! += dense[row + j]! * d;
        h[i]! -= dense[row + i]! * d;
      }
    }
    ref.push((performance.now() - b) / 1000);
  }
  const hs = median(hebb), rs = median(ref);
  return { N, patterns: P, sweeps, build_s: buildS, hebb_updates_per_s: (N * sweeps) / hs, hebb_field_updates_per_s: fieldUpdates / hs, reference_updates_per_s: (N * sweeps) / rs, ratio: rs / hs, flips, final_overlap: overlap };
}
