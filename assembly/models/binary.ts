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

import { Projection } from "../projection";
import { Population, ModelInfo, INPUT_COUPLING, TYPE_I8, TYPE_F64, TYPE_U32 } from "../population";
import { philox, philoxX8, x8out0, x8out1, x8out2, x8out3, x4out0, x4out1, x4out2, x4out3, out0, out1, out2, out3, STREAM_UNIT } from "../rng";
import { STATUS_OK, STATUS_BAD_VARIABLE } from "../status";
import * as io from "../checkpoint-io";

// The orders of the parameters "dynamics" and "update" below.
export const DYN_DETERMINISTIC: i32 = 0;
export const DYN_HEAT_BATH: i32 = 1;
export const DYN_METROPOLIS: i32 = 2;

export const UPDATE_RANDOM: i32 = 0;
export const UPDATE_SEQUENTIAL: i32 = 1;
export const UPDATE_TYPEWRITER: i32 = 2;
export const UPDATE_POISSON: i32 = 3;
export const UPDATE_SYNCHRONOUS: i32 = 4;

export const BINARY = new ModelInfo(
  "binary",
  "values=pm1|01 dynamics=deterministic|heat_bath|metropolis temperature update=random|sequential|typewriter|poisson|synchronous sweeps_per_step rate",
  "state bias field",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new BinaryUnits(index, size, first, info),
);

const VAR_STATE: i32 = 0;
const VAR_BIAS: i32 = 1;
const VAR_FIELD: i32 = 2;


@inline function unit53(lo: u32, hi: u32): f64 {
  return <f64>((((<u64>hi) << 32) | <u64>lo) >> 11) * 1.1102230246251565e-16;
}

export class BinaryUnits extends Population {
  n: i32;
  lo: i8 = -1;
  hi: i8 = 1;
  gain: f64 = 2;
  dynamics: i32 = DYN_DETERMINISTIC;
  temperature: f64 = 1;
  order: i32 = UPDATE_SEQUENTIAL;
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

  constructor(index: i32, n: i32, first: i32, info: ModelInfo) {
    super(index, n, first, info);
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

  inputMode(): i32 { return INPUT_COUPLING; }

  configure(dt: f64): i32 {
    this.setValues01(this.param("values") == 1);
    this.dynamics = <i32>this.param("dynamics");
    this.temperature = this.param("temperature");
    this.order = <i32>this.param("update");
    this.sweeps = this.param("sweeps_per_step");
    this.rate = this.param("rate");
    return STATUS_OK;
  }

  prepare(dt: f64): void {
    if (binaries.indexOf(this) < 0) binaries.push(this);
    this.nextT = 0;
  }

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 {
    if (!fastPathChecked) checkFastPaths();
    if (this.latticeL == 0) ensureFields();
    const before = this.flips;
    stepUnits(this, slot, m, tStart, dt);
    if (this.hist.length > 0) this.recordJointState();
    return this.flips - before;
  }

  recordJointState(): void {
    let idx = 0;
    for (let i = 0; i < this.n; i++) if (unchecked(this.s[i]) == this.hi) idx |= 1 << i;
    unchecked(this.hist[idx] += 1);
  }

  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    if (k == VAR_STATE) return <f64>this.s[j];
    if (k == VAR_BIAS) return this.bias[j];
    if (k == VAR_FIELD) { ensureFields(); return this.h[j]; }
    return super.readVariable(k, j, step, dt);
  }

  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 {
    if (k == VAR_STATE) {
      this.s[j] = x >= 0.5 * (<f64>this.lo + <f64>this.hi) ? this.hi : this.lo;
      markFieldsDirty();
    } else if (k == VAR_BIAS) {
      this.bias[j] = x;
      this.tableT = NaN;
      fastPathChecked = false;
    } else return STATUS_BAD_VARIABLE;
    return STATUS_OK;
  }

  variablePtr(k: i32): usize {
    if (k == VAR_STATE) return changetype<usize>(this.s);
    if (k == VAR_BIAS) return changetype<usize>(this.bias);
    if (k == VAR_FIELD) { ensureFields(); return changetype<usize>(this.h); }
    return k == this.countVariable() ? changetype<usize>(this.counts) : 0;
  }
  variableType(k: i32): i32 {
    if (k == VAR_STATE) return TYPE_I8;
    if (k == VAR_BIAS || k == VAR_FIELD) return TYPE_F64;
    return k == this.countVariable() ? TYPE_U32 : 0;
  }

  // Fields are saved as they are (not recomputed), so a continued run adds
  // in the same order as an uninterrupted one, bit for bit.
  saveState(): void {
    io.wF64(this.temperature); io.wF64(this.draws); io.wF64(this.carry); io.wF64(<f64>this.cursor); io.wF64(this.nextT);
    io.wF64(this.flips); io.wF64(this.updates); io.wF64(this.fieldsDirty ? 1 : 0); io.wF64(this.anyClamped ? 1 : 0); io.wF64(<f64>this.tCursor);
    io.wArr(this.s); io.wArr(this.h); io.wArr(this.bias); io.wArr(this.clamped); io.wArr(this.perm); io.wArr(this.hist);
  }

  loadState(): void {
    this.temperature = io.rF64(); this.draws = io.rF64(); this.carry = io.rF64(); this.cursor = <i32>io.rF64(); this.nextT = io.rF64();
    this.flips = io.rF64(); this.updates = io.rF64(); this.fieldsDirty = io.rF64() != 0; this.anyClamped = io.rF64() != 0; this.tCursor = <i32>io.rF64();
    this.tableT = NaN;  // the acceptance table is rebuilt for the loaded temperature
    io.rArr(this.s); io.rArr(this.h); io.rArr(this.bias); io.rArr(this.clamped); io.rArr(this.perm); io.rArr(this.hist);
    fastPathChecked = false;
  }
}

// ---------------------------------------------------------------- the coupled units

// Every population of binary units, and every coupling between them: a
// flip anywhere changes fields across them, so they are one system.
const binaries: Array<BinaryUnits> = [];
const couplings: Array<Projection> = [];
let fieldsDirty = true;
let fastPathChecked = false;

@inline function asUnits(p: Population): BinaryUnits { return changetype<BinaryUnits>(p); }

export function addCoupling(pr: Projection): void {
  couplings.push(pr);
  asUnits(pr.pre).out.push(pr);
}

export function markFieldsDirty(): void {
  fieldsDirty = true;
  for (let k = 0; k < binaries.length; k++) binaries[k].fieldsDirty = true;
}

export function invalidateFastPaths(): void {
  fastPathChecked = false;
}

// Local fields are recomputed exactly when states or weights changed from
// outside, or after a lattice fast path (which does not keep them).
export function ensureFields(): void {
  let dirty = fieldsDirty;
  for (let k = 0; k < binaries.length && !dirty; k++) dirty = binaries[k].fieldsDirty;
  if (!dirty) return;
  recomputeFields(binaries, couplings);
  fieldsDirty = false;
}

// The lattice fast path applies to a population whose only coupling is a
// lattice onto itself with one weight, one bias, +-1 stochastic units,
// nothing clamped, typewriter order.
function checkFastPaths(): void {
  for (let k = 0; k < binaries.length; k++) {
    const b = binaries[k];
    b.latticeL = 0;
    if (b.out.length != 1 || b.lo != -1 || b.dynamics == DYN_DETERMINISTIC || b.order != UPDATE_TYPEWRITER || b.anyClamped) continue;
    const pr = b.out[0];
    if (pr.latticeL == 0 || pr.post !== b) continue;
    let incoming = 0;
    for (let q = 0; q < couplings.length; q++) if (couplings[q].post === b) incoming++;
    if (incoming != 1) continue;
    let uniform = true;
    const w0 = pr.weights.length > 0 ? pr.weights[0] : 0;
    for (let s = 1; s < pr.weights.length && uniform; s++) uniform = pr.weights[s] == w0;
    for (let i = 1; i < b.n && uniform; i++) uniform = b.bias[i] == b.bias[0];
    if (!uniform) continue;
    b.latticeL = pr.latticeL;
    b.latticeJ = <f64>w0;
    b.tableT = NaN;
  }
  fastPathChecked = true;
}

export function energy(b: BinaryUnits, prepared: bool): f64 {
  // A lattice on the fast path sums its bonds directly: no fields to rebuild.
  if (prepared && !fastPathChecked) checkFastPaths();
  if (b.latticeL > 0) return latticeEnergy(b);
  ensureFields();
  return energyOf(b);
}

// Mean state on the +-1 scale (01 units count as 2 s - 1).
export function magnetisation(b: BinaryUnits): f64 {
  if (b.n == 0) return NaN;
  let sum: i32 = 0;
  const s = changetype<usize>(b.s);
  for (let i = 0; i < b.n; i++) sum += <i32>load<i8>(s + <usize>i);
  return b.lo == 0 ? 2.0 * <f64>sum / <f64>b.n - 1.0 : <f64>sum / <f64>b.n;
}

// Units held at their state (not updated), e.g. visible units on data.
export function setClamped(b: BinaryUnits, j: i32, on: bool): void {
  b.clamped[j] = on ? 1 : 0;
  b.anyClamped = false;
  for (let i = 0; i < b.n; i++) if (b.clamped[i] != 0) b.anyClamped = true;
  fastPathChecked = false;
}

// ---------------------------------------------------------------- fields

// Recomputes every field from scratch (after states or weights changed).
function recomputeFields(all: Array<BinaryUnits>, projs: Array<Projection>): void {
  for (let k = 0; k < all.length; k++) {
    const b = all[k];
    for (let i = 0; i < b.n; i++) unchecked(b.h[i] = 0);
  }
  for (let q = 0; q < projs.length; q++) {
    const pr = projs[q];
    const pre = asUnits(pr.pre), post = asUnits(pr.post);
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
}

// A flip of unit i by delta (new - old) reaches its targets' fields.
@inline function propagate(b: BinaryUnits, i: i32, delta: f64): void {
  const out = b.out;
  for (let q = 0; q < out.length; q++) {
    const pr = unchecked(out[q]);
    const post = asUnits(pr.post);
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
function stepUnits(b: BinaryUnits, slot: i32, m: i32, tStart: f64, dt: f64): void {
  const popIndex = <u32>b.index;
  while (b.tCursor < b.tSteps.length && unchecked(b.tSteps[b.tCursor]) <= m) {
    b.temperature = unchecked(b.tVals[b.tCursor]);
    b.tCursor++;
  }
  const n = b.n;
  if (n == 0) return;
  if (b.latticeL > 0) {
    isingSweeps(b, slot, dt);
    return;
  }
  const mode = b.order;
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
      if (r == 1) b.pushSpike(slot, i, t - tStart);
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
        if (sn == b.hi) b.pushSpike(slot, i, off);
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
    if (r == 1) b.pushSpike(slot, i, dt * <f64>(k + 1) / <f64>count);
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
@inline function isingSite(b: BinaryUnits, s: usize, i: i32, r: u32, heat: bool, slot: i32, off: f64): void {
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
    if (sn > 0) b.pushSpike(slot, i, off);
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
function isingSweeps(b: BinaryUnits, slot: i32, dt: f64): void {
  isingTable(b);
  const n = b.n, L = b.latticeL;
  const s = changetype<usize>(b.s);
  const table = changetype<usize>(b.table);
  // Spikes (spins turning up) are counted always, stored only when recorded.
  const record = b.record;
  let flips = 0, ups = 0;
  const heat = b.dynamics == DYN_HEAT_BATH;
  const popIndex = <u32>b.index;
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
    b.totalSpikesUnrecorded += <f64>ups;
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
          if (f0 > 0) { ups++; if (record) b.pushSpike(slot, i, off); }
          if (f1 > 0) { ups++; if (record) b.pushSpike(slot, i + 1, off); }
          if (f2 > 0) { ups++; if (record) b.pushSpike(slot, i + 2, off); }
          if (f3 > 0) { ups++; if (record) b.pushSpike(slot, i + 3, off); }
        }
      }
      b.updates += <f64>n;
    }
    b.flips += <f64>flips;
    if (!record) b.totalSpikesUnrecorded += <f64>ups;
    b.fieldsDirty = true;
    return;
  }
  const n4 = n & ~3;
  for (let w = 0; w < sweeps; w++) {
    const off = dt * <f64>(w + 1) / <f64>sweeps;
    for (let i = 0; i < n4; i += 4) {
      draw(b, popIndex);
      const r0 = out0, r1 = out1, r2 = out2, r3 = out3;
      isingSite(b, s, i, r0, heat, slot, off);
      isingSite(b, s, i + 1, r1, heat, slot, off);
      isingSite(b, s, i + 2, r2, heat, slot, off);
      isingSite(b, s, i + 3, r3, heat, slot, off);
    }
    if (n4 < n) {
      draw(b, popIndex);
      const r0 = out0, r1 = out1, r2 = out2;
      isingSite(b, s, n4, r0, heat, slot, off);
      if (n4 + 1 < n) isingSite(b, s, n4 + 1, r1, heat, slot, off);
      if (n4 + 2 < n) isingSite(b, s, n4 + 2, r2, heat, slot, off);
    }
    b.updates += <f64>n;
  }
  b.fieldsDirty = true;
}
