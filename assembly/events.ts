// Event-driven populations: spikes at exact (off-grid) times.
//
// A step m covers (t_m, t_m + dt]; an event at time t in it has the offset
// t - t_m in (0, dt]. Minimum delay is one step, so neurons cannot affect
// each other within a step: each population's events of step m can be
// processed neuron by neuron.

import { Population } from "./population";
import { Projection, lowerBoundDelay } from "./projection";
import { philox, out0, out1, out2, out3, STREAM_POISSON } from "./rng";
import { drawCounts } from "./poisson-input";

// ------------------------------------------------------------- Poisson
//
// The population's neurons fire as independent Poisson processes of rates
// r_j. They are generated as one merged process (superposition): candidate
// events at rate N r_max, each given to a uniformly drawn neuron j and kept
// with probability r_j / r_max (thinning). Each neuron's train is then
// exactly Poisson with rate r_j, and an event costs O(1): one Philox block,
// addressed by the population's event index, gives the interval (words 0-1),
// the neuron (word 2) and the thinning draw (word 3).

@inline function candidateInterval(p: Population, u: f64): f64 {
  return -Math.log(1.0 - u) * 1000.0 / (<f64>p.size * p.rMax);
}

// Restarts the merged process at time t (at start, or after rates change:
// it is memoryless, so redrawing from t is exact).
export function restartPoisson(p: Population, t: f64): void {
  let rMax = 0.0;
  for (let j = 0; j < p.size; j++) rMax = Math.max(rMax, unchecked(p.rate[j]));
  p.rMax = rMax;
  p.nextT = rMax > 0 && p.size > 0 ? t + candidateInterval(p, drawPoisson(p)) : Infinity;
}

// Draws block number p.events (advancing it): returns the interval uniform
// and keeps the event's neuron word and thinning word with the population.
@inline function drawPoisson(p: Population): f64 {
  const k = p.events;
  p.events = k + 1;
  philox(<u32>(<u64>k), <u32>(k / 4294967296.0), <u32>p.index, STREAM_POISSON);
  p.nextWord = out2;
  p.nextAccept = out3;
  return <f64>((((<u64>out1) << 32) | <u64>out0) >> 11) * 1.1102230246251565e-16;
}

export function setPoissonRate(p: Population, j: i32, rate: f64, t: f64): void {
  unchecked(p.rate[j] = rate);
  if (p.regular) restartRegular(p, t);
  else restartPoisson(p, t);
}

export function emitPoisson(p: Population, slot: i32, tStart: f64, tEnd: f64): void {
  const n = <u64>p.size;
  const rMax = p.rMax;
  let t = p.nextT;
  while (t <= tEnd) {
    // Words 2 and 3 of the block that drew this event's interval.
    const j = <i32>((<u64>p.nextWord * n) >> 32);
    if (<f64>p.nextAccept < unchecked(p.rate[j]) / rMax * 4294967296.0) p.pushSpike(slot, j, t - tStart);
    t += candidateInterval(p, drawPoisson(p));
  }
  p.nextT = t;
}

// ------------------------------------------------------------- regular generators
//
// Neurons of a poisson population set regular fire periodically at their
// rates. A neuron that has not fired starts at a random phase (so the
// population is not synchronous); after a rate change a neuron's next spike
// is its last spike plus the new period (or now, if that has passed).

export function restartRegular(p: Population, t: f64): void {
  for (let j = 0; j < p.size; j++) {
    const r = unchecked(p.rate[j]);
    let next = Infinity;
    if (r > 0) {
      const period = 1000.0 / r;
      const last = unchecked(p.regLast[j]);
      if (last == -Infinity) {
        philox(<u32>j, 0xffffffff, <u32>p.index, STREAM_POISSON);
        next = t + period * (<f64>out0 / 4294967296.0);
      } else {
        next = Math.max(t, last + period);
      }
    }
    unchecked(p.heap.key[j] = next);
  }
  p.heap.heapify();
}

export function emitRegular(p: Population, slot: i32, tStart: f64, tEnd: f64): void {
  const heap = p.heap;
  while (heap.topKey() <= tEnd) {
    const j = heap.topId();
    const t = unchecked(heap.key[j]);
    // A spike exactly at tStart belongs to the previous step: it was emitted there.
    p.pushSpike(slot, j, Math.max(t - tStart, 0));
    unchecked(p.regLast[j] = t);
    const r = unchecked(p.rate[j]);
    heap.update(j, r > 0 ? t + 1000.0 / r : Infinity);
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
// v_inf = v_rest + R I.
//
// Lazy form: the state array holds u = (v - v_inf) exp((t - tBase) / tau_m),
// which does not change between events. An input at t adds w g(t), with
// g(t) = exp((t - tBase) / tau_m) computed once per arrival time for all its
// targets, so an input costs no exponential. v >= v_thresh is
// u >= (v_thresh - v_inf) g(t). tBase moves forward every 20 tau_m.
//
// Inputs that arrive together are summed before the threshold is tested
// (a neuron over threshold is "pending" until the arrival time moves on).
// After a spike at t_s, v is held at v_reset and inputs are dropped during
// [t_s, t_s + t_ref); u then describes the relaxation from v_reset at
// t_s + t_ref. Neurons with v_inf > v_thresh cross on their own at
// t* = tBase + tau_m ln(u / (v_thresh - v_inf)); that time is their key in
// the population's heap and is rechecked before each of their inputs.

let stepStart: f64 = 0;
let stepSlot: i32 = 0;

@inline function vInf(p: Population, j: i32): f64 {
  return p.vRest + p.rM * (unchecked(p.ied[j]) + p.iStep);
}

@inline function gainAt(p: Population, t: f64): f64 {
  return Math.exp((t - p.tBase) / p.tauM);
}

// Stored u of a neuron whose potential is v at time t.
@inline function storeVoltage(p: Population, j: i32, v: f64, t: f64): void {
  unchecked(p.vd[j] = (v - vInf(p, j)) * gainAt(p, t));
}

function fireDelta(p: Population, j: i32, t: f64): void {
  p.pushSpike(stepSlot, j, t - stepStart);
  const ru = t + p.tRef;
  unchecked(p.refUntil[j] = ru);
  storeVoltage(p, j, p.vReset, ru);
}

// Membrane potential of j at time t (not before its last spike).
export function deltaVoltageAt(p: Population, j: i32, t: f64): f64 {
  if (t < unchecked(p.refUntil[j])) return p.vReset;
  return vInf(p, j) + unchecked(p.vd[j]) / gainAt(p, t);
}

// Next threshold crossing of j on its own (Infinity unless v_inf > v_thresh).
@inline function crossingOf(p: Population, j: i32): f64 {
  const d = p.vThresh - vInf(p, j);
  if (d >= 0) return Infinity;
  const u = unchecked(p.vd[j]);
  if (u >= d) return max(p.tBase, unchecked(p.refUntil[j]));  // already over threshold
  return p.tBase + p.tauM * Math.log(u / d);
}

export function rekeyDelta(p: Population, j: i32): void {
  p.heap.update(j, crossingOf(p, j));
}

// Fires every crossing of j due at or before t (neurons with v_inf > v_thresh).
@inline function settleDelta(p: Population, j: i32, t: f64): void {
  while (unchecked(p.heap.key[j]) <= t) {
    fireDelta(p, j, unchecked(p.heap.key[j]));
    rekeyDelta(p, j);
  }
}

// Converts the absolute potentials written before the run to the lazy form,
// and keys every neuron.
export function restartDelta(p: Population, t: f64): void {
  p.tBase = t;
  for (let j = 0; j < p.size; j++) unchecked(p.vd[j] = unchecked(p.vd[j]) - vInf(p, j));
  rekeyAll(p);
}

function rekeyAll(p: Population): void {
  for (let j = 0; j < p.size; j++) unchecked(p.heap.key[j] = crossingOf(p, j));
  p.heap.heapify();
  p.hasDrive = false;
  for (let j = 0; j < p.size; j++) if (vInf(p, j) > p.vThresh) p.hasDrive = true;
}

// Sets i_step (or neuron j's i_e) at time t, keeping every potential continuous.
export function changeDeltaCurrent(p: Population, j: i32, ie: f64, iStep: f64, t: f64): void {
  const from = j < 0 ? 0 : j, to = j < 0 ? p.size : j + 1;
  const v = new StaticArray<f64>(to - from);
  for (let k = from; k < to; k++) {
    const ru = unchecked(p.refUntil[k]);
    v[k - from] = t < ru ? p.vReset : deltaVoltageAt(p, k, t);
  }
  if (j >= 0) p.ied[j] = ie;
  p.iStep = iStep;
  for (let k = from; k < to; k++) {
    const ru = unchecked(p.refUntil[k]);
    storeVoltage(p, k, v[k - from], t < ru ? ru : t);
  }
  rekeyAll(p);
}

// Writes v of neuron j at time t (initial state or a host write).
export function writeDeltaVoltage(p: Population, j: i32, v: f64, t: f64): void {
  unchecked(p.refUntil[j] = -Infinity);
  storeVoltage(p, j, v, t);
  rekeyDelta(p, j);
}

// Moves tBase to t (keeps the stored values within exp(20)).
function rebase(p: Population, t: f64): void {
  const f = Math.exp(-(t - p.tBase) / p.tauM);
  for (let j = 0; j < p.size; j++) unchecked(p.vd[j] *= f);
  p.tBase = t;
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

// Neurons over threshold at the current arrival time, waiting for the
// other inputs of that instant.
let pending = new StaticArray<i32>(256);
let nPending: i32 = 0;
let pendingT: f64 = 0;

@inline function markPending(p: Population, j: i32): void {
  if (unchecked(p.touched[j]) != 0) return;
  unchecked(p.touched[j] = 1);
  if (nPending == pending.length) {
    const a = new StaticArray<i32>(nPending * 2);
    for (let q = 0; q < nPending; q++) a[q] = pending[q];
    pending = a;
  }
  unchecked(pending[nPending++] = j);
}

function resolvePending(p: Population): void {
  const t = pendingT;
  const g = gainAt(p, t);
  for (let q = 0; q < nPending; q++) {
    const j = unchecked(pending[q]);
    unchecked(p.touched[j] = 0);
    if (unchecked(p.vd[j]) >= (p.vThresh - vInf(p, j)) * g) fireDelta(p, j, t);
    if (p.hasDrive) rekeyDelta(p, j);
  }
  nPending = 0;
}

// Adds w to neuron j at time t (gain g = g(t)).
@inline function inputDelta(p: Population, j: i32, w: f64, t: f64, g: f64, drive: bool): void {
  if (drive) settleDelta(p, j, t);
  if (t < unchecked(p.refUntil[j])) return;
  const u = unchecked(p.vd[j]) + w * g;
  unchecked(p.vd[j] = u);
  if (u >= (p.vThresh - vInf(p, j)) * g) markPending(p, j);
  else if (drive) rekeyDelta(p, j);
}

const counts = new StaticArray<i32>(4);

// External Poisson counts of the step: K jumps of w at t_{m+1}.
function poissonInputsDelta(p: Population, step: i32, tEnd: f64): void {
  const n = p.size;
  const g = gainAt(p, tEnd);
  const drive = p.hasDrive;
  for (let k = 0; k < p.inputs.length; k++) {
    const inp = unchecked(p.inputs[k]);
    for (let j0 = 0; j0 < n; j0 += 4) {
      drawCounts(inp, k, p.index, step, j0 >> 2, counts);
      const lanes = min(4, n - j0);
      for (let l = 0; l < lanes; l++) {
        const c = unchecked(counts[l]);
        if (c != 0) inputDelta(p, j0 + l, <f64>c * inp.weight, tEnd, g, drive);
      }
    }
  }
}

// One step of a lif_delta population: gather the presynaptic spikes that
// arrive in this step (spike of step m - D through a projection of delay D),
// apply them in time order, then fire the crossings due in the step.
export function updateLifDelta(
  p: Population, incoming: Array<Projection>, projs: Array<Projection>,
  step: i32, slot: i32, tStart: f64, tEnd: f64,
): f64 {
  stepStart = tStart;
  stepSlot = slot;
  if (tStart - p.tBase > 20.0 * p.tauM) rebase(p, tStart);
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
  const drive = p.hasDrive;
  nPending = 0;
  pendingT = -Infinity;
  let g: f64 = 1;
  for (let q = 0; q < nPk; q++) {
    const o = unchecked(pkOrder[q]);
    const pr = unchecked(projs[unchecked(pkProj[o])]);
    const t = tStart + unchecked(pkOff[o]);
    if (t != pendingT) {
      resolvePending(p);
      pendingT = t;
      g = gainAt(p, t);
    }
    const s1 = unchecked(pkS1[o]);
    events += <f64>(s1 - unchecked(pkS0[o]));
    for (let s = unchecked(pkS0[o]); s < s1; s++) {
      inputDelta(p, <i32>unchecked(pr.targets[s]), <f64>unchecked(pr.weights[s]), t, g, drive);
    }
  }
  if (p.inputs.length > 0) {
    if (tEnd != pendingT) {
      resolvePending(p);
      pendingT = tEnd;
    }
    poissonInputsDelta(p, step, tEnd);
  }
  resolvePending(p);
  if (drive) {
    const heap = p.heap;
    while (heap.topKey() <= tEnd) {
      const j = heap.topId();
      fireDelta(p, j, unchecked(heap.key[j]));
      rekeyDelta(p, j);
    }
  }
  return events;
}
