// Event-driven populations: spikes at exact (off-grid) times.
//
// A step m covers (t_m, t_m + dt]; an event at time t in it has the offset
// t - t_m in (0, dt]. Minimum delay is one step, so neurons cannot affect
// each other within a step: each population's events of step m can be
// processed neuron by neuron.

import { Population } from "./population";
import { Projection, lowerBoundDelay } from "./projection";
import { exponential, STREAM_POISSON } from "./rng";

// ------------------------------------------------------------- Poisson

// Interval to a neuron's next spike: Exp(rate), drawn from the neuron's own
// stream (draw index = spikes so far), so trains do not depend on the others.
@inline function poissonInterval(p: Population, j: i32): f64 {
  const r = unchecked(p.rate[j]);
  if (r <= 0) return Infinity;
  const k = unchecked(p.draws[j]);
  unchecked(p.draws[j] = k + 1);
  return 1000.0 * exponential(k, <u32>j, <u32>p.index, STREAM_POISSON) / r;
}

// First spike of every neuron after time t (at start, or after rates change:
// the process is memoryless, so redrawing from t is exact).
export function restartPoisson(p: Population, t: f64): void {
  for (let j = 0; j < p.size; j++) unchecked(p.heap.key[j] = t + poissonInterval(p, j));
  p.heap.heapify();
}

export function setPoissonRate(p: Population, j: i32, rate: f64, t: f64): void {
  unchecked(p.rate[j] = rate);
  p.heap.update(j, t + poissonInterval(p, j));
}

export function emitPoisson(p: Population, slot: i32, tStart: f64, tEnd: f64): void {
  const heap = p.heap;
  while (heap.topKey() <= tEnd) {
    const j = heap.topId();
    const t = unchecked(heap.key[j]);
    p.pushSpike(slot, j, t - tStart);
    heap.update(j, t + poissonInterval(p, j));
  }
}

// ------------------------------------------------------------- spike source

export function restartSource(p: Population): void {
  for (let j = 0; j < p.size; j++) {
    const c = p.srcCursor[j], end = p.srcOffsets[j + 1];
    p.heap.key[j] = c < end ? p.srcTimes[c] : Infinity;
  }
  p.heap.heapify();
}

export function emitSource(p: Population, slot: i32, tStart: f64, tEnd: f64): void {
  const heap = p.heap;
  while (heap.topKey() <= tEnd) {
    const j = heap.topId();
    const t = unchecked(heap.key[j]);
    p.pushSpike(slot, j, t - tStart);
    const c = unchecked(p.srcCursor[j]) + 1;
    unchecked(p.srcCursor[j] = c);
    heap.update(j, c < unchecked(p.srcOffsets[j + 1]) ? unchecked(p.srcTimes[c]) : Infinity);
  }
}

// ------------------------------------------------------------- lif_delta
//
// tau_m dv/dt = v_rest - v + R (i_e + i_step); an input spike of weight w
// makes v jump by w mV. Between events v relaxes exactly towards
// v_inf = v_rest + R I, and when v_inf > v_thresh the crossing time is known
// in closed form: t* = t0 + tau_m ln((v_inf - v0) / (v_inf - v_thresh)).
// Inputs that arrive together are summed before the threshold is tested.
// Inputs during the refractory period [t_spike, t_spike + t_ref) are dropped
// and v is held at v_reset.

let stepStart: f64 = 0;
let stepSlot: i32 = 0;

@inline function vInf(p: Population, j: i32): f64 {
  return p.vRest + p.rM * (unchecked(p.ied[j]) + p.iStep);
}

// Time at which v, free from (t0, v0), reaches threshold; Infinity if never.
@inline function crossing(p: Population, t0: f64, v0: f64, vinf: f64): f64 {
  if (vinf <= p.vThresh) return Infinity;
  if (v0 >= p.vThresh) return t0;
  return t0 + p.tauM * Math.log((vinf - v0) / (vinf - p.vThresh));
}

function fireDelta(p: Population, j: i32, t: f64): void {
  p.pushSpike(stepSlot, j, t - stepStart);
  unchecked(p.vd[j] = p.vReset);
  unchecked(p.tLast[j] = t);
  unchecked(p.refUntil[j] = t + p.tRef);
}

// Brings neuron j from tLast to time t, firing at every threshold crossing on
// the way. A potential at or above threshold left by inputs at tLast fires at
// tLast once time moves on (or at once when resolveAtT is set).
export function advanceDelta(p: Population, j: i32, t: f64, resolveAtT: bool): void {
  for (;;) {
    const tl = unchecked(p.tLast[j]);
    const vv = unchecked(p.vd[j]);
    const ru = unchecked(p.refUntil[j]);
    if (vv >= p.vThresh && tl >= ru && (t > tl || resolveAtT)) { fireDelta(p, j, tl); continue; }
    if (tl < ru) {
      if (t <= ru) { unchecked(p.tLast[j] = max(t, tl)); return; }
      unchecked(p.tLast[j] = ru);
      continue;
    }
    if (t <= tl) return;
    const vinf = vInf(p, j);
    const tc = crossing(p, tl, vv, vinf);
    if (tc <= t) { fireDelta(p, j, tc); continue; }
    unchecked(p.vd[j] = vinf + (vv - vinf) * Math.exp(-(t - tl) / p.tauM));
    unchecked(p.tLast[j] = t);
    return;
  }
}

// Membrane potential of j at time t >= tLast, without changing the state.
export function deltaVoltageAt(p: Population, j: i32, t: f64): f64 {
  let t0 = unchecked(p.tLast[j]);
  let v0 = unchecked(p.vd[j]);
  const ru = unchecked(p.refUntil[j]);
  if (t0 < ru) {
    if (t <= ru) return p.vReset;
    t0 = ru;
    v0 = p.vReset;
  }
  if (t <= t0) return v0;
  const vinf = vInf(p, j);
  return vinf + (v0 - vinf) * Math.exp(-(t - t0) / p.tauM);
}

// Heap key of j: its next predicted threshold crossing.
export function rekeyDelta(p: Population, j: i32): f64 {
  let t0 = unchecked(p.tLast[j]);
  let v0 = unchecked(p.vd[j]);
  const ru = unchecked(p.refUntil[j]);
  if (t0 < ru) { t0 = ru; v0 = p.vReset; }
  const k = crossing(p, t0, v0, vInf(p, j));
  p.heap.update(j, k);
  return k;
}

export function restartDelta(p: Population): void {
  for (let j = 0; j < p.size; j++) unchecked(p.heap.key[j] = Infinity);
  p.heap.heapify();
  for (let j = 0; j < p.size; j++) rekeyDelta(p, j);
}

// Brings every neuron to time t (before a population-wide input changes).
export function syncDelta(p: Population, t: f64): void {
  for (let j = 0; j < p.size; j++) advanceDelta(p, j, t, false);
}

// Input packets of one step: one per (arriving presynaptic spike, projection,
// run of synapses). Scratch arrays, grown on demand and reused every step.
let pkOff = new StaticArray<f64>(256);
let pkProj = new StaticArray<i32>(256);
let pkS0 = new StaticArray<u32>(256);
let pkS1 = new StaticArray<u32>(256);
let pkOrder = new StaticArray<i32>(256);
let nPk: i32 = 0;

function growPackets(): void {
  const cap = pkOff.length * 2;
  const a = new StaticArray<f64>(cap), b = new StaticArray<i32>(cap);
  const c = new StaticArray<u32>(cap), d = new StaticArray<u32>(cap);
  for (let q = 0; q < nPk; q++) { a[q] = pkOff[q]; b[q] = pkProj[q]; c[q] = pkS0[q]; d[q] = pkS1[q]; }
  pkOff = a; pkProj = b; pkS0 = c; pkS1 = d;
  pkOrder = new StaticArray<i32>(cap);
}

@inline function addPacket(off: f64, proj: i32, s0: u32, s1: u32): void {
  if (s0 == s1) return;
  if (nPk == pkOff.length) growPackets();
  unchecked(pkOff[nPk] = off);
  unchecked(pkProj[nPk] = proj);
  unchecked(pkS0[nPk] = s0);
  unchecked(pkS1[nPk] = s1);
  nPk++;
}

// Orders packets by arrival offset (ties by insertion order): insertion sort
// for the usual handful, heapsort beyond.
function sortPackets(): void {
  for (let q = 0; q < nPk; q++) unchecked(pkOrder[q] = q);
  if (nPk <= 24) {
    for (let x = 1; x < nPk; x++) {
      const o = pkOrder[x];
      let y = x - 1;
      while (y >= 0 && packetAfter(pkOrder[y], o)) { pkOrder[y + 1] = pkOrder[y]; y--; }
      pkOrder[y + 1] = o;
    }
    return;
  }
  for (let s = (nPk >> 1) - 1; s >= 0; s--) siftPacket(s, nPk);
  for (let end = nPk - 1; end > 0; end--) {
    const t = pkOrder[0]; pkOrder[0] = pkOrder[end]; pkOrder[end] = t;
    siftPacket(0, end);
  }
}

@inline function packetAfter(a: i32, b: i32): bool {
  const oa = unchecked(pkOff[a]), ob = unchecked(pkOff[b]);
  return oa > ob || (oa == ob && a > b);
}

function siftPacket(s: i32, n: i32): void {
  const v = pkOrder[s];
  for (;;) {
    let c = 2 * s + 1;
    if (c >= n) break;
    if (c + 1 < n && packetAfter(pkOrder[c + 1], pkOrder[c])) c++;
    if (!packetAfter(pkOrder[c], v)) break;
    pkOrder[s] = pkOrder[c];
    s = c;
  }
  pkOrder[s] = v;
}

// One step of a lif_delta population: gather the presynaptic spikes that
// arrive in this step (spike of step m - D through a projection of delay D),
// apply them in time order, then settle every neuron that received input or
// whose predicted crossing falls in the step.
export function updateLifDelta(
  p: Population, incoming: Array<Projection>, projs: Array<Projection>,
  step: i32, slot: i32, tStart: f64, tEnd: f64,
): f64 {
  stepStart = tStart;
  stepSlot = slot;
  nPk = 0;
  let events: f64 = 0;
  for (let q = 0; q < incoming.length; q++) {
    const pr = unchecked(incoming[q]);
    const pre = pr.pre;
    for (let d = pr.dMin; d <= pr.dMax; d++) {
      const src = step - d;
      if (src < 0) break;
      const s = pre.slotOf(src);
      const n = unchecked(pre.histCount[s]);
      if (n == 0) continue;
      const ids = unchecked(pre.histIds[s]), offs = unchecked(pre.histOffs[s]);
      for (let k = 0; k < n; k++) {
        const i = unchecked(ids[k]);
        let s0 = unchecked(pr.rowPtr[i]), s1 = unchecked(pr.rowPtr[i + 1]);
        if (pr.delayConst == 0) {
          s0 = <u32>lowerBoundDelay(pr.delays, <i32>s0, <i32>s1, d);
          s1 = <u32>lowerBoundDelay(pr.delays, <i32>s0, <i32>s1, d + 1);
        }
        addPacket(unchecked(offs[k]), pr.index, s0, s1);
      }
    }
  }
  sortPackets();
  for (let q = 0; q < nPk; q++) {
    const o = unchecked(pkOrder[q]);
    const pr = unchecked(projs[unchecked(pkProj[o])]);
    const t = tStart + unchecked(pkOff[o]);
    const s1 = unchecked(pkS1[o]);
    events += <f64>(s1 - unchecked(pkS0[o]));
    for (let s = unchecked(pkS0[o]); s < s1; s++) {
      const j = <i32>unchecked(pr.targets[s]);
      advanceDelta(p, j, t, false);
      if (t >= unchecked(p.refUntil[j])) unchecked(p.vd[j] += <f64>unchecked(pr.weights[s]));
      if (unchecked(p.touched[j]) == 0) {
        unchecked(p.touched[j] = 1);
        unchecked(p.touchedList[p.nTouched++] = j);
      }
    }
  }
  for (let q = 0; q < p.nTouched; q++) {
    const j = unchecked(p.touchedList[q]);
    unchecked(p.touched[j] = 0);
    advanceDelta(p, j, tEnd, true);
    rekeyDelta(p, j);
  }
  p.nTouched = 0;
  const heap = p.heap;
  while (heap.topKey() <= tEnd) {
    const j = heap.topId();
    const due = unchecked(heap.key[j]);
    advanceDelta(p, j, tEnd, true);
    const k = rekeyDelta(p, j);
    // Rounding can leave a crossing due that advance() did not see as
    // reached; fire it at its time so the loop always progresses.
    if (k <= tEnd && k <= due) {
      fireDelta(p, j, max(k, unchecked(p.tLast[j])));
      advanceDelta(p, j, tEnd, true);
      rekeyDelta(p, j);
    }
  }
  return events;
}
