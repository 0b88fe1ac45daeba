// Transmission to clock-driven targets: a spike of step m - D through a
// synapse of delay D steps is added to its target's ge or gi at step m, i.e.
// it acts from t_{m+1} = (spike step + 1 + D) dt on. Every spike is kept
// for D_max steps in its population's history, so transmission reads only
// the spikes that happened: its cost is spikes x fan-out, with no
// per-neuron buffers to sweep. External Poisson drives of clock-driven
// targets arrive the same way, at the end of the step.

import { Projection, lowerBoundDelay, lowerBoundTarget } from "./projection";
import { padded } from "./population";
import { ClockPopulation } from "./models/clock";
import { drawCounts } from "./poisson-input";

// Adds the weights of the synapses whose spikes arrive now to the targets'
// synaptic variable (ge or gi by receptor); returns the synaptic events.
export function deliverGrid(pr: Projection, m: i32): f64 {
  return deliverRows(pr, m, false, 0, 0, true, noShares, blockBounds);
}

// A thread's share: the synapses onto its targets [lo, hi) (lo a multiple
// of 4), in the order one thread gives them, so every target sums its
// inputs in the same order whatever the threads. `shares` (when not empty)
// holds each row's share [s0, s1) as a pair (threads.ts); the thread then
// returns the synapses of its shares, else (rows searched or filtered)
// the counting thread returns all synapses of the rows and the others 0.
// The caller adds them to the projection.
export function deliverGridShare(
  pr: Projection, m: i32, lo: i32, hi: i32, count: bool, shares: StaticArray<u32>, bounds: StaticArray<u32>,
): f64 {
  return deliverRows(pr, m, true, lo, hi, count, shares, bounds);
}

// With large synapse arrays (pr.blockRows: chooseRowBlocks) rows are
// read in blocks of spikes: first every row's bounds, with a load of each
// cache line of the row's share, then the adds. The loads of a block are
// independent, so their cache misses overlap; one row at a time, each row's
// misses wait for the previous row's adds. (64000 neurons, fan-in 80:
// delivery in half the time.) Synapse arrays that stay in cache gain
// nothing from the extra pass, so small networks go one row at a time.
export const ROW_BLOCK: i32 = 32;
// Measured (CUBA, COBA, one thread): 4000 neurons (2.6 MB of synapses) a
// few per cent slower in blocks, 16000 (10 MB) even, 64000 (41 MB) 22-35 %
// faster.
export const ROW_BLOCK_BYTES: f64 = 8 * 1024 * 1024;

// Once the network is built: the projections onto clock-driven targets
// read their rows in blocks when their synapses (target and weight, 8
// bytes each) exceed `limit` bytes together.
export function chooseRowBlocks(grid: Array<Projection>, limit: f64): void {
  let bytes: f64 = 0;
  for (let q = 0; q < grid.length; q++) bytes += 8 * <f64>grid[q].targets.length;
  for (let q = 0; q < grid.length; q++) grid[q].blockRows = bytes > limit && !grid[q].dense;
}

// One body for both; inlined with `part` a constant, so that one thread's
// loop carries nothing of the share's. `bounds` holds a block's row bounds.
@inline function deliverRows(
  pr: Projection, m: i32, part: bool, lo: i32, hi: i32, count: bool, shares: StaticArray<u32>, bounds: StaticArray<u32>,
): f64 {
  const pre = pr.pre, post = changetype<ClockPopulation>(pr.post);
  const tgtVar = changetype<usize>(post.receptorArray(pr.receptor));
  const gain = <f32>post.receptorGain(pr.receptor);  // lazy decay: see ClockPopulation
  const targets = changetype<usize>(pr.targets);
  // One weight for all (refreshUniformWeight): 0 stands for no array to read,
  // and gain * w is the product every synapse would compute.
  const weights: usize = pr.uniformWeight ? 0 : changetype<usize>(pr.weights);
  const gw: f32 = gain * pr.uniformValue;
  const hiPad = part ? min(hi, padded(post.size)) : i32.MAX_VALUE;
  const noSplit = shares.length == 0;
  let events: f64 = 0;
  for (let d = pr.dMin; d <= pr.dMax; d++) {
    const src = m - d;
    if (src < 0) break;
    const sl = pre.slotOf(src);
    const n = unchecked(pre.histCount[sl]);
    if (n == 0) continue;
    const ids = unchecked(pre.histIds[sl]);
    if (!pr.blockRows) {
      for (let k = 0; k < n; k++) {
        const b = rowShare(pr, unchecked(ids[k]), d, part, lo, hi, shares);
        events += <f64>rowSynapses;
        addRow(pr, rowStart(b), rowEnd(b), part, lo, hi, hiPad, noSplit, tgtVar, gain, targets, weights, gw);
      }
      continue;
    }
    events += deliverBlocks(pr, d, ids, n, part, lo, hi, hiPad, shares, changetype<usize>(bounds), tgtVar, gain, targets, weights, gw);
  }
  if (!part) pr.events += events;
  return count || !noSplit ? events : 0;
}

// The rows of n spikes at delay d, in blocks (see ROW_BLOCK); returns the events.
@noinline function deliverBlocks(
  pr: Projection, d: i32, ids: StaticArray<i32>, n: i32, part: bool, lo: i32, hi: i32, hiPad: i32,
  shares: StaticArray<u32>, bp: usize, tgtVar: usize, gain: f32, targets: usize, weights: usize, gw: f32,
): f64 {
  const noSplit = shares.length == 0;
  let events: f64 = 0;
  let touched: u32 = 0;
  for (let k0 = 0; k0 < n; k0 += ROW_BLOCK) {
    const nb = min(ROW_BLOCK, n - k0);
    for (let b = 0; b < nb; b++) {
      const share = rowShare(pr, unchecked(ids[k0 + b]), d, part, lo, hi, shares);
      events += <f64>rowSynapses;
      store<u64>(bp + (<usize>b << 3), share);
      const s1 = rowEnd(share);
      if (weights == 0) {
        for (let s = rowStart(share); s < s1; s += 16) touched ^= load<u32>(targets + (<usize>s << 2));
      } else {
        for (let s = rowStart(share); s < s1; s += 16) {
          const o = <usize>s << 2;
          touched ^= load<u32>(targets + o) ^ load<u32>(weights + o);
        }
      }
    }
    for (let b = 0; b < nb; b++) {
      const share = load<u64>(bp + (<usize>b << 3));
      addRow(pr, rowStart(share), rowEnd(share), part, lo, hi, hiPad, noSplit, tgtVar, gain, targets, weights, gw);
    }
  }
  // The touching loads must not be optimised away.
  store<u32>(bp + (<usize>ROW_BLOCK << 3), touched);
  return events;
}

// Synapse ranges [s0, s1) packed in a u64.
@inline function rowStart(r: u64): i32 { return <i32>(r & 0xffffffff); }
@inline function rowEnd(r: u64): i32 { return <i32>(r >>> 32); }
@inline function packRow(s0: i32, s1: i32): u64 { return <u64><u32>s0 | (<u64><u32>s1 << 32); }

// The synapses of spiking neuron i with delay d.
@inline function rowBounds(pr: Projection, i: i32, d: i32): u64 {
  let s0 = <i32>unchecked(pr.rowPtr[i]), s1 = <i32>unchecked(pr.rowPtr[i + 1]);
  if (pr.delayConst == 0) {
    s0 = lowerBoundDelay(pr.delays, s0, s1, d);
    s1 = lowerBoundDelay(pr.delays, s0, s1, d + 1);
  }
  return packRow(s0, s1);
}

// What spiking neuron i's row at delay d gives this thread: its share
// (the pair in `shares`; else narrowed by a search when the row is sorted
// by target, or the whole row, filtered as it is added: addRow). Sets
// rowSynapses to the synapses the thread counts: its share when it has
// pairs, else the whole row. (A global is the thread's own: every thread
// runs its own instance.)
let rowSynapses: i32 = 0;
@inline function rowShare(pr: Projection, i: i32, d: i32, part: bool, lo: i32, hi: i32, shares: StaticArray<u32>): u64 {
  if (part && shares.length > 0) {
    const s0 = <i32>unchecked(shares[2 * i]), s1 = <i32>unchecked(shares[2 * i + 1]);
    rowSynapses = s1 - s0;
    return packRow(s0, s1);
  }
  const row = rowBounds(pr, i, d);
  let s0 = rowStart(row), s1 = rowEnd(row);
  rowSynapses = s1 - s0;
  if (part && !pr.dense && pr.sortedRows) {
    s0 = lowerBoundTarget(pr.targets, s0, s1, lo);
    s1 = lowerBoundTarget(pr.targets, s0, s1, hi);
  }
  return packRow(s0, s1);
}

// Adds synapses [s0, s1) to their targets; a share of an unsorted row
// (no split) adds those onto targets [lo, hi) only. weights == 0: every
// synapse adds gw.
@inline function addRow(
  pr: Projection, s0: i32, s1: i32, part: bool, lo: i32, hi: i32, hiPad: i32, noSplit: bool,
  tgtVar: usize, gain: f32, targets: usize, weights: usize, gw: f32,
): void {
  if (pr.dense) {
    weights = changetype<usize>(pr.weights);
    // Targets 0..n-1: the row adds to the target array as a vector
    // (ge, gi are padded to whole vectors; the tail goes one by one).
    const n = min(s1 - s0, hiPad), n4 = n & ~3;
    const g4 = f32x4.splat(gain);
    const w0 = weights + (<usize>s0 << 2);
    for (let j = part ? lo : 0; j < n4; j += 4) {
      const a = tgtVar + (<usize>j << 2);
      v128.store(a, f32x4.add(v128.load(a), f32x4.mul(g4, v128.load(w0 + (<usize>j << 2)))));
    }
    for (let j = part ? max(n4, lo) : n4; j < n; j++) {
      const a = tgtVar + (<usize>j << 2);
      store<f32>(a, load<f32>(a) + gain * load<f32>(w0 + (<usize>j << 2)));
    }
    return;
  }
  if (part && noSplit && !pr.sortedRows) {
    for (let s = s0; s < s1; s++) {
      const o = <usize>s << 2;
      const t = load<u32>(targets + o);
      if (t < <u32>lo || t >= <u32>hi) continue;
      const a = tgtVar + (<usize>t << 2);
      store<f32>(a, load<f32>(a) + (weights == 0 ? gw : gain * load<f32>(weights + o)));
    }
    return;
  }
  // s in [rowPtr[i], rowPtr[i+1]) lies inside targets/weights by construction.
  if (weights == 0) {
    for (let s = s0; s < s1; s++) {
      const a = tgtVar + (<usize>load<u32>(targets + (<usize>s << 2)) << 2);
      store<f32>(a, load<f32>(a) + gw);
    }
    return;
  }
  for (let s = s0; s < s1; s++) {
    const o = <usize>s << 2;
    const a = tgtVar + (<usize>load<u32>(targets + o) << 2);
    store<f32>(a, load<f32>(a) + gain * load<f32>(weights + o));
  }
}

const counts = new StaticArray<i32>(4);
const noShares = new StaticArray<u32>(0);
// Row bounds of a block (and a slot for the touching loads); each helper
// thread has its own in the thread plan.
const blockBounds = newRowBounds();
export function newRowBounds(pad: i32 = 0): StaticArray<u32> { return new StaticArray<u32>(2 * ROW_BLOCK + 1 + pad); }

// External Poisson counts of step m, arriving at t_{m+1} like a spike
// delivered at the end of the step.
export function deliverPoissonInputs(p: ClockPopulation, m: i32): void {
  poissonRange(p, m, 0, p.size, counts);
}

// Thread t's share: its neurons [lo, hi), drawn into its own scratch (the
// draws are keyed by neuron, so the split does not change them).
export function deliverPoissonShare(p: ClockPopulation, m: i32, lo: i32, hi: i32, scratch: StaticArray<i32>): void {
  poissonRange(p, m, lo, hi, scratch);
}

@inline function poissonRange(p: ClockPopulation, m: i32, lo: i32, hi: i32, scratch: StaticArray<i32>): void {
  const n = min(p.size, hi);
  for (let k = 0; k < p.inputs.length; k++) {
    const inp = unchecked(p.inputs[k]);
    const target = p.receptorArray(inp.receptor);
    const w = <f32>(inp.weight * p.receptorGain(inp.receptor));
    for (let j0 = lo; j0 < n; j0 += 4) {
      drawCounts(inp, k, p.index, m, j0 >> 2, scratch);
      const lanes = min(4, n - j0);
      for (let l = 0; l < lanes; l++) {
        const c = unchecked(scratch[l]);
        if (c != 0) unchecked(target[j0 + l] += <f32>c * w);
      }
    }
  }
}
