// Binary units: Hopfield neurons and stochastic Boltzmann units (and Ising
// spins) in one population kind. A unit's state is s in {lo, hi}: {-1, +1}
// ("pm1": Hopfield, Ising) or {0, 1} ("01": Boltzmann machines). A unit
// turning on (to hi) is its spike. Each unit keeps its local field
// h_i = sum_j w_ij s_j up to date incrementally: a flip of j is an event that
// adds w_ij (s_j' - s_j) to the fields of j's targets, so an update costs a
// handful of instructions and a flip costs the unit's fan-out.
//
// With x_i = h_i + b_i (b = bias; a Hopfield threshold theta is b = -theta)
// and g = 2 for pm1 units, 1 for 01 units:
//   deterministic: s_i <- hi if x_i >= 0 else lo
//   heat bath:     P(s_i = hi) = 1 / (1 + exp(-g x_i / T))      (Gibbs sampling)
//   Metropolis:    flip with probability min(1, exp(-dE / T)), dE = +-g x_i
// Energy: E = -1/2 sum_ij w_ij s_i s_j - sum_i b_i s_i = sum_i (-1/2 s_i h_i - b_i s_i).
//
// Update orders: "random" (a uniformly drawn unit per update: Glauber),
// "sequential" (sweeps in a fresh random order), "typewriter" (sweeps in index
// order), "poisson" (each unit on its own Poisson clock, exact times), and
// "synchronous" (all units from the same old state).

import { Projection } from "./projection";
import { Population } from "./population";
import { philox, philoxX4, philoxX8, x8out0, x8out1, x8out2, x8out3, x4out0, x4out1, x4out2, x4out3, out0, out1, out2, out3, STREAM_UNIT } from "./rng";

export const DYN_DETERMINISTIC: i32 = 0;
export const DYN_HEAT_BATH: i32 = 1;
export const DYN_METROPOLIS: i32 = 2;

export const UPDATE_RANDOM: i32 = 0;
export const UPDATE_SEQUENTIAL: i32 = 1;
export const UPDATE_TYPEWRITER: i32 = 2;
export const UPDATE_POISSON: i32 = 3;
export const UPDATE_SYNCHRONOUS: i32 = 4;

@inline function unit53(lo: u32, hi: u32): f64 {
  return <f64>((((<u64>hi) << 32) | <u64>lo) >> 11) * 1.1102230246251565e-16;
}

export class BinaryUnits {
  n: i32;
  lo: i8 = -1;
  hi: i8 = 1;
  gain: f64 = 2;
  dynamics: i32 = DYN_DETERMINISTIC;
  temperature: f64 = 1;
  update: i32 = UPDATE_SEQUENTIAL;
  sweeps: f64 = 1;
  rate: f64 = 1000;     // poisson order: updates per unit per second

  s: StaticArray<i8>;
  h: StaticArray<f64>;
  bias: StaticArray<f64>;
  clamped: StaticArray<u8>;
  anyClamped: bool = false;
  perm: StaticArray<i32>;
  next: StaticArray<i8>;  // synchronous order: the new states

  draws: f64 = 0;       // RNG blocks drawn (the stream's counter)
  carry: f64 = 0;       // fractional updates carried to the next step
  cursor: i32 = 0;      // position in the current sweep (sequential, typewriter)
  nextT: f64 = 0;       // poisson order: time of the next update
  flips: f64 = 0;
  updates: f64 = 0;
  fieldsDirty: bool = true;

  out: Array<Projection> = [];   // couplings from these units

  // Ising fast path: the only coupling is a periodic L x L lattice onto
  // itself with one weight J, one bias, pm1 units, stochastic dynamics.
  latticeL: i32 = 0;
  latticeJ: f64 = 0;
  table: StaticArray<u32> = new StaticArray<u32>(10);
  tableT: f64 = NaN;

  // Temperature schedule: from step tSteps[k] on, T = tVals[k].
  tSteps: StaticArray<i32> = new StaticArray<i32>(0);
  tVals: StaticArray<f64> = new StaticArray<f64>(0);
  tCursor: i32 = 0;

  // Histogram of joint states (small populations): one count per step.
  hist: StaticArray<u32> = new StaticArray<u32>(0);

  constructor(n: i32) {
    this.n = n;
    this.s = new StaticArray<i8>(n);
    this.h = new StaticArray<f64>(n);
    this.bias = new StaticArray<f64>(n);
    this.clamped = new StaticArray<u8>(n);
    this.perm = new StaticArray<i32>(n);
    this.next = new StaticArray<i8>(n);
    for (let i = 0; i < n; i++) { this.s[i] = -1; this.perm[i] = i; }
  }

  setValues01(on: bool): void {
    this.lo = on ? 0 : -1;
    this.hi = 1;
    this.gain = on ? 1 : 2;
    for (let i = 0; i < this.n; i++) this.s[i] = this.lo;
  }
}

// ---------------------------------------------------------------- fields

// Recomputes every field from scratch (after states or weights changed).
export function recomputeFields(all: Array<BinaryUnits>, owners: Array<i32>, projs: Array<Projection>): void {
  for (let k = 0; k < all.length; k++) {
    const b = all[k];
    for (let i = 0; i < b.n; i++) unchecked(b.h[i] = 0);
  }
  for (let q = 0; q < projs.length; q++) {
    const pr = projs[q];
    const pre = pr.pre.bin, post = pr.post.bin;
    if (pre == null || post == null) continue;
    for (let j = 0; j < pre.n; j++) {
      const sj = <f64>unchecked(pre.s[j]);
      if (sj == 0) continue;
      const s1 = <i32>unchecked(pr.rowPtr[j + 1]);
      for (let s = <i32>unchecked(pr.rowPtr[j]); s < s1; s++) {
        unchecked(post.h[unchecked(pr.targets[s])] += <f64>unchecked(pr.weights[s]) * sj);
      }
    }
  }
  for (let k = 0; k < all.length; k++) all[k].fieldsDirty = false;
  void owners;
}

// A flip of unit i by delta (new - old) reaches its targets' fields.
@inline function propagate(b: BinaryUnits, i: i32, delta: f64): void {
  const out = b.out;
  for (let q = 0; q < out.length; q++) {
    const pr = unchecked(out[q]);
    const post = pr.post.bin!;
    const h = post.h;
    const targets = pr.targets, weights = pr.weights;
    const s1 = <i32>unchecked(pr.rowPtr[i + 1]);
    for (let s = <i32>unchecked(pr.rowPtr[i]); s < s1; s++) {
      unchecked(h[unchecked(targets[s])] += <f64>unchecked(weights[s]) * delta);
    }
  }
}

export function energyOf(b: BinaryUnits): f64 {
  let e: f64 = 0;
  for (let i = 0; i < b.n; i++) {
    const s = <f64>unchecked(b.s[i]);
    e += -0.5 * s * unchecked(b.h[i]) - unchecked(b.bias[i]) * s;
  }
  return e;
}

// Energy of a periodic L x L lattice with one coupling J and one bias:
// -J sum over bonds (right and down neighbours) - b sum s.
export function latticeEnergy(b: BinaryUnits): f64 {
  const L = b.latticeL, s = changetype<usize>(b.s);
  let bonds: i32 = 0, sum: i32 = 0;
  for (let y = 0; y < L; y++) {
    const row = y * L, down = (y == L - 1 ? 0 : row + L);
    for (let x = 0; x < L; x++) {
      const si = <i32>load<i8>(s + <usize>(row + x));
      const right = <i32>load<i8>(s + <usize>(row + (x == L - 1 ? 0 : x + 1)));
      const below = <i32>load<i8>(s + <usize>(down + x));
      bonds += si * (right + below);
      sum += si;
    }
  }
  return -b.latticeJ * <f64>bonds - unchecked(b.bias[0]) * <f64>sum;
}

// ---------------------------------------------------------------- updates

// One update of unit i with uniform u; returns true when it flipped on.
@inline function updateUnit(b: BinaryUnits, i: i32, u: f64): i32 {
  if (b.anyClamped && unchecked(b.clamped[i]) != 0) return 0;
  const x = unchecked(b.h[i]) + unchecked(b.bias[i]);
  const si = unchecked(b.s[i]);
  let sn = si;
  const dyn = b.dynamics;
  if (dyn == DYN_DETERMINISTIC) {
    sn = x >= 0 ? b.hi : b.lo;
  } else if (dyn == DYN_HEAT_BATH) {
    sn = u * (1.0 + Math.exp(-b.gain * x / b.temperature)) < 1.0 ? b.hi : b.lo;
  } else {
    const dE = (si == b.hi ? b.gain : -b.gain) * x;
    if (dE <= 0 || u < Math.exp(-dE / b.temperature)) sn = si == b.hi ? b.lo : b.hi;
  }
  b.updates += 1;
  if (sn == si) return 0;
  unchecked(b.s[i] = sn);
  b.flips += 1;
  propagate(b, i, <f64>(<i32>sn - <i32>si));
  return sn == b.hi ? 1 : 2;
}

@inline function draw(b: BinaryUnits, index: u32): void {
  const k = b.draws;
  b.draws = k + 1;
  philox(<u32>(<u64>k), <u32>(k / 4294967296.0), index, STREAM_UNIT);
}

/**
 * Advances the units of population p through step m (tStart, tStart + dt];
 * a unit turning on is a spike at the time of its update.
 */
export function stepUnits(p: Population, slot: i32, m: i32, tStart: f64, dt: f64): void {
  const b = p.bin!;
  const popIndex = <u32>p.index;
  while (b.tCursor < b.tSteps.length && unchecked(b.tSteps[b.tCursor]) <= m) {
    b.temperature = unchecked(b.tVals[b.tCursor]);
    b.tCursor++;
  }
  const n = b.n;
  if (n == 0) return;
  if (b.latticeL > 0) {
    isingSweeps(p, b, slot, dt);
    return;
  }
  const mode = b.update;
  if (mode == UPDATE_POISSON) {
    const tEnd = tStart + dt;
    const totalRate = <f64>n * b.rate / 1000.0;  // updates per ms
    while (b.nextT <= tEnd) {
      const t = b.nextT;
      draw(b, popIndex);
      const w2 = out2, w3 = out3;
      const gap = -Math.log(1.0 - unit53(out0, out1)) / totalRate;
      const i = <i32>((<u64>w2 * <u64>n) >> 32);
      const r = updateUnit(b, i, <f64>w3 * 2.3283064365386963e-10);
      if (r == 1) p.pushSpike(slot, i, t - tStart);
      b.nextT = t + gap;
    }
    return;
  }
  if (mode == UPDATE_SYNCHRONOUS) {
    const rounds = max(1, <i32>Math.round(b.sweeps));
    for (let k = 0; k < rounds; k++) {
      for (let i = 0; i < n; i++) {
        let u: f64 = 0;
        if (b.dynamics != DYN_DETERMINISTIC) { draw(b, popIndex); u = unit53(out0, out1); }
        const si = unchecked(b.s[i]);
        let sn = si;
        if (!(b.anyClamped && unchecked(b.clamped[i]) != 0)) {
          const x = unchecked(b.h[i]) + unchecked(b.bias[i]);
          if (b.dynamics == DYN_DETERMINISTIC) sn = x >= 0 ? b.hi : b.lo;
          else if (b.dynamics == DYN_HEAT_BATH) sn = u * (1.0 + Math.exp(-b.gain * x / b.temperature)) < 1.0 ? b.hi : b.lo;
          else {
            const dE = (si == b.hi ? b.gain : -b.gain) * x;
            if (dE <= 0 || u < Math.exp(-dE / b.temperature)) sn = si == b.hi ? b.lo : b.hi;
          }
        }
        unchecked(b.next[i] = sn);
      }
      const off = dt * <f64>(k + 1) / <f64>rounds;
      for (let i = 0; i < n; i++) {
        const sn = unchecked(b.next[i]), si = unchecked(b.s[i]);
        b.updates += 1;
        if (sn == si) continue;
        unchecked(b.s[i] = sn);
        b.flips += 1;
        propagate(b, i, <f64>(<i32>sn - <i32>si));
        if (sn == b.hi) p.pushSpike(slot, i, off);
      }
    }
    return;
  }
  // random, sequential, typewriter: sweeps x n updates, fractions carried over
  const want = b.carry + b.sweeps * <f64>n;
  const count = <i32>Math.floor(want);
  b.carry = want - <f64>count;
  for (let k = 0; k < count; k++) {
    let i: i32;
    let u: f64;
    draw(b, popIndex);
    if (mode == UPDATE_RANDOM) {
      i = <i32>((<u64>out0 * <u64>n) >> 32);
    } else if (mode == UPDATE_SEQUENTIAL) {
      // Fisher-Yates, one position at a time: a fresh random order per sweep.
      const q = b.cursor;
      const r = q + <i32>((<u64>out0 * <u64>(n - q)) >> 32);
      const t = unchecked(b.perm[r]);
      unchecked(b.perm[r] = unchecked(b.perm[q]));
      unchecked(b.perm[q] = t);
      i = t;
      b.cursor = q + 1 == n ? 0 : q + 1;
    } else {
      i = b.cursor;
      b.cursor = i + 1 == n ? 0 : i + 1;
    }
    u = unit53(out2, out3);
    const r = updateUnit(b, i, u);
    if (r == 1) p.pushSpike(slot, i, dt * <f64>(k + 1) / <f64>count);
  }
}

// ---------------------------------------------------------------- Ising fast path

// Heat-bath or Metropolis sweeps of a periodic L x L lattice of +-1 spins
// with one coupling J and one field b: the local field only takes 5 values
// (J x {-4, -2, 0, 2, 4} + b), so the acceptance thresholds are a table and
// an update is a few loads, an add and a compare. One Philox block gives the
// uniforms of four sites.
function isingTable(b: BinaryUnits): void {
  if (b.tableT == b.temperature) return;
  const T = b.temperature, J = b.latticeJ, bias = b.bias[0];
  for (let k = 0; k < 5; k++) {
    const x = J * <f64>(2 * k - 4) + bias;
    if (b.dynamics == DYN_HEAT_BATH) {
      const p = 1.0 / (1.0 + Math.exp(-2.0 * x / T));
      b.table[k] = <u32>Math.min(4294967295.0, Math.floor(p * 4294967296.0));
    } else {
      // Metropolis: table[k] for a spin now down (flip up costs -2x),
      // table[5 + k] for a spin now up (flip down costs +2x).
      b.table[k] = <u32>Math.min(4294967295.0, Math.floor(Math.min(1.0, Math.exp(2.0 * x / T)) * 4294967296.0));
      b.table[5 + k] = <u32>Math.min(4294967295.0, Math.floor(Math.min(1.0, Math.exp(-2.0 * x / T)) * 4294967296.0));
    }
  }
  b.tableT = T;
}

// One site of the lattice with uniform word r.
@inline function isingSite(p: Population, b: BinaryUnits, s: usize, i: i32, r: u32, heat: bool, slot: i32, off: f64): void {
  const L = b.latticeL, n = b.n;
  const y = i / L, x = i - y * L;
  const up = (y == 0 ? n - L : -L) + i, down = (y == L - 1 ? L - n : L) + i;
  const left = (x == 0 ? L - 1 : -1) + i, right = (x == L - 1 ? 1 - L : 1) + i;
  const sum = <i32>load<i8>(s + <usize>up) + <i32>load<i8>(s + <usize>down) + <i32>load<i8>(s + <usize>left) + <i32>load<i8>(s + <usize>right);
  const k = (sum + 4) >> 1;
  const si = load<i8>(s + <usize>i);
  let sn: i8;
  if (heat) sn = r < unchecked(b.table[k]) ? 1 : -1;
  else sn = r < unchecked(b.table[si > 0 ? 5 + k : k]) ? <i8>(-si) : si;
  if (sn != si) {
    store<i8>(s + <usize>i, sn);
    b.flips += 1;
    if (sn > 0) p.pushSpike(slot, i, off);
  }
}

const isingWords = new StaticArray<u32>(32);

// Eight Philox blocks (32 words) of a population's unit stream into words.
// The blocks share the high counter word: a group that would wrap the low
// word starts at the next high word instead.
@inline function isingDraw8(b: BinaryUnits, popIndex: u32, words: usize): void {
  let k = b.draws;
  if (<u32>(<u64>k) > 0xfffffff8) k = (Math.floor(k / 4294967296.0) + 1) * 4294967296.0;
  b.draws = k + 8;
  const c1 = i32x4.splat(<i32>(<u32>(k / 4294967296.0)));
  const k0 = <i32>(<u32>(<u64>k));
  const c2 = i32x4.splat(<i32>popIndex), c3 = i32x4.splat(<i32>STREAM_UNIT);
  philoxX8(i32x4(k0, k0 + 1, k0 + 2, k0 + 3), c1, c2, c3, i32x4(k0 + 4, k0 + 5, k0 + 6, k0 + 7), c1, c2, c3);
  v128.store(words, x4out0, 0);
  v128.store(words, x4out1, 16);
  v128.store(words, x4out2, 32);
  v128.store(words, x4out3, 48);
  v128.store(words, x8out0, 64);
  v128.store(words, x8out1, 80);
  v128.store(words, x8out2, 96);
  v128.store(words, x8out3, 112);
}

// One site with its neighbours' offsets given (no division in the loop);
// returns 1 when the spin turned up, -1 when it turned down, 0 otherwise.
@inline function isingSiteAt(
  s: usize, table: usize, i: i32, up: i32, down: i32, left: i32, right: i32, r: u32, heat: bool,
): i32 {
  const sum = <i32>load<i8>(s + <usize>up) + <i32>load<i8>(s + <usize>down) + <i32>load<i8>(s + <usize>left) + <i32>load<i8>(s + <usize>right);
  const k = (sum + 4) >> 1;
  const si = load<i8>(s + <usize>i);
  let sn: i8;
  if (heat) sn = r < load<u32>(table + (<usize>k << 2)) ? 1 : -1;
  else sn = r < load<u32>(table + (<usize>(si > 0 ? 5 + k : k) << 2)) ? <i8>(-si) : si;
  if (sn == si) return 0;
  store<i8>(s + <usize>i, sn);
  return sn;
}

// Typewriter sweeps of the lattice.
function isingSweeps(p: Population, b: BinaryUnits, slot: i32, dt: f64): void {
  isingTable(b);
  const n = b.n, L = b.latticeL;
  const s = changetype<usize>(b.s);
  const table = changetype<usize>(b.table);
  // Spikes (spins turning up) are counted always, stored only when recorded.
  const record = p.record;
  let flips = 0, ups = 0;
  const heat = b.dynamics == DYN_HEAT_BATH;
  const popIndex = <u32>p.index;
  const want = b.carry + b.sweeps;
  const sweeps = <i32>Math.floor(want);
  b.carry = want - <f64>sweeps;
  if ((L & 31) == 0 && !record) {
    // Row by row, 32 sites from eight Philox blocks computed at once (site q of
    // a group takes word q of the lanes stored in order). Branch-free: near Tc
    // a flip is a coin toss, and a mispredicted branch costs more than the update.
    const words = changetype<usize>(isingWords);
    for (let w = 0; w < sweeps; w++) {
      for (let y = 0; y < L; y++) {
        const row = y * L;
        const rowUp = (y == 0 ? n - L : row - L), rowDown = (y == L - 1 ? 0 : row + L);
        // Site 0's left neighbour wraps to the end of the row (not updated yet this sweep).
        let left = <i32>load<i8>(s + <usize>(row + L - 1));
        for (let x = 0; x < L; x += 32) {
          isingDraw8(b, popIndex, words);
          const base = row + x;
          for (let q = 0; q < 32; q++) {
            const i = base + q, xx = x + q;
            const right = select<i32>(row, i + 1, xx == L - 1);
            // The left neighbour is the spin just updated: it stays in a
            // register, and the two thresholds it chooses between are looked
            // up before it is known, so the chain from site to site is a
            // select and a compare, not a store, a load and a table load.
            const partial = <i32>load<i8>(s + <usize>(rowUp + xx)) + <i32>load<i8>(s + <usize>(rowDown + xx)) + <i32>load<i8>(s + <usize>right);
            const si = <i32>load<i8>(s + <usize>i);
            const off = heat ? 0 : 5 * ((si + 1) >> 1);
            const tUp = load<u32>(table + (<usize>(((partial + 5) >> 1) + off) << 2));
            const tDown = load<u32>(table + (<usize>(((partial + 3) >> 1) + off) << 2));
            const r = load<u32>(words + (<usize>q << 2));
            const accept = <i32>(r < select<u32>(tUp, tDown, left > 0));
            const sn = heat ? (accept << 1) - 1 : si - ((si * accept) << 1);
            store<i8>(s + <usize>i, <i8>sn);
            flips += <i32>(sn != si);
            ups += <i32>(sn > si);
            left = sn;
          }
        }
      }
      b.updates += <f64>n;
    }
    b.flips += <f64>flips;
    p.totalSpikesUnrecorded += <f64>ups;
    b.fieldsDirty = true;
    return;
  }
  if ((L & 3) == 0) {
    // Row by row, four sites per Philox block; the edge columns wrap around.
    for (let w = 0; w < sweeps; w++) {
      const off = dt * <f64>(w + 1) / <f64>sweeps;
      for (let y = 0; y < L; y++) {
        const row = y * L;
        const rowUp = (y == 0 ? n - L : row - L), rowDown = (y == L - 1 ? 0 : row + L);
        for (let x = 0; x < L; x += 4) {
          draw(b, popIndex);
          const rs0 = out0, rs1 = out1, rs2 = out2, rs3 = out3;
          const i = row + x;
          const f0 = isingSiteAt(s, table, i, rowUp + x, rowDown + x, x == 0 ? row + L - 1 : i - 1, i + 1, rs0, heat);
          const f1 = isingSiteAt(s, table, i + 1, rowUp + x + 1, rowDown + x + 1, i, i + 2, rs1, heat);
          const f2 = isingSiteAt(s, table, i + 2, rowUp + x + 2, rowDown + x + 2, i + 1, i + 3, rs2, heat);
          const f3 = isingSiteAt(s, table, i + 3, rowUp + x + 3, rowDown + x + 3, i + 2, x + 4 == L ? row : i + 4, rs3, heat);
          flips += <i32>(f0 != 0) + <i32>(f1 != 0) + <i32>(f2 != 0) + <i32>(f3 != 0);
          if (f0 > 0) { ups++; if (record) p.pushSpike(slot, i, off); }
          if (f1 > 0) { ups++; if (record) p.pushSpike(slot, i + 1, off); }
          if (f2 > 0) { ups++; if (record) p.pushSpike(slot, i + 2, off); }
          if (f3 > 0) { ups++; if (record) p.pushSpike(slot, i + 3, off); }
        }
      }
      b.updates += <f64>n;
    }
    b.flips += <f64>flips;
    if (!record) p.totalSpikesUnrecorded += <f64>ups;
    b.fieldsDirty = true;
    return;
  }
  const n4 = n & ~3;
  for (let w = 0; w < sweeps; w++) {
    const off = dt * <f64>(w + 1) / <f64>sweeps;
    for (let i = 0; i < n4; i += 4) {
      draw(b, popIndex);
      const r0 = out0, r1 = out1, r2 = out2, r3 = out3;
      isingSite(p, b, s, i, r0, heat, slot, off);
      isingSite(p, b, s, i + 1, r1, heat, slot, off);
      isingSite(p, b, s, i + 2, r2, heat, slot, off);
      isingSite(p, b, s, i + 3, r3, heat, slot, off);
    }
    if (n4 < n) {
      draw(b, popIndex);
      const r0 = out0, r1 = out1, r2 = out2;
      isingSite(p, b, s, n4, r0, heat, slot, off);
      if (n4 + 1 < n) isingSite(p, b, s, n4 + 1, r1, heat, slot, off);
      if (n4 + 2 < n) isingSite(p, b, s, n4 + 2, r2, heat, slot, off);
    }
    b.updates += <f64>n;
  }
  b.fieldsDirty = true;
}
