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
  return deliverRows(pr, m, false, 0, 0, true, noSplit, 0, 1);
}

// Thread t's share: the synapses onto its targets [lo, hi) (lo a multiple
// of 4), in the order one thread gives them, so every target sums its
// inputs in the same order whatever the threads. Only the thread that
// counts adds to the projection's event count. `split` (when not empty)
// holds where each row's share of threads 1.. starts (threads.ts).
export function deliverGridShare(
  pr: Projection, m: i32, lo: i32, hi: i32, count: bool, split: StaticArray<u32>, t: i32, threads: i32,
): f64 {
  return deliverRows(pr, m, true, lo, hi, count, split, t, threads);
}

// One body for both; inlined with `part` a constant, so that one thread's
// loop carries nothing of the share's.
@inline function deliverRows(
  pr: Projection, m: i32, part: bool, lo: i32, hi: i32, count: bool, split: StaticArray<u32>, t: i32, threads: i32,
): f64 {
  const pre = pr.pre, post = changetype<ClockPopulation>(pr.post);
  const tgtVar = changetype<usize>(post.receptorArray(pr.receptor));
  const gain = <f32>post.receptorGain(pr.receptor);  // lazy decay: see ClockPopulation
  const targets = changetype<usize>(pr.targets), weights = changetype<usize>(pr.weights);
  const rowPtr = pr.rowPtr;
  const perSynapse = pr.delayConst == 0;
  const hiPad = part ? min(hi, padded(post.size)) : i32.MAX_VALUE;
  let events: f64 = 0;
  for (let d = pr.dMin; d <= pr.dMax; d++) {
    const src = m - d;
    if (src < 0) break;
    const s = pre.slotOf(src);
    const n = unchecked(pre.histCount[s]);
    if (n == 0) continue;
    const ids = unchecked(pre.histIds[s]);
    for (let k = 0; k < n; k++) {
      const i = unchecked(ids[k]);
      let s0 = <i32>unchecked(rowPtr[i]), s1 = <i32>unchecked(rowPtr[i + 1]);
      if (perSynapse) {
        s0 = lowerBoundDelay(pr.delays, s0, s1, d);
        s1 = lowerBoundDelay(pr.delays, s0, s1, d + 1);
      }
      events += <f64>(s1 - s0);
      if (pr.dense) {
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
        continue;
      }
      if (part) {
        if (split.length > 0) {
          // s0, s1 are the row's bounds (one delay): narrow them to this thread's share.
          const at = i * (threads - 1) + t;
          if (t > 0) s0 = <i32>unchecked(split[at - 1]);
          if (t < threads - 1) s1 = <i32>unchecked(split[at]);
        } else if (pr.sortedRows) {
          s0 = lowerBoundTarget(pr.targets, s0, s1, lo);
          s1 = lowerBoundTarget(pr.targets, s0, s1, hi);
        } else {
          for (let s = s0; s < s1; s++) {
            const o = <usize>s << 2;
            const t = load<u32>(targets + o);
            if (t < <u32>lo || t >= <u32>hi) continue;
            const a = tgtVar + (<usize>t << 2);
            store<f32>(a, load<f32>(a) + gain * load<f32>(weights + o));
          }
          continue;
        }
      }
      // s in [rowPtr[i], rowPtr[i+1]) lies inside targets/weights by construction.
      for (let s = s0; s < s1; s++) {
        const o = <usize>s << 2;
        const a = tgtVar + (<usize>load<u32>(targets + o) << 2);
        store<f32>(a, load<f32>(a) + gain * load<f32>(weights + o));
      }
    }
  }
  if (!count) return 0;
  pr.events += events;
  return events;
}

const counts = new StaticArray<i32>(4);
const noSplit = new StaticArray<u32>(0);

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
