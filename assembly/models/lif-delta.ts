// lif_delta: leaky integrate-and-fire with voltage jumps, event-driven with
// exact spike times:
//   tau_m dv/dt = v_rest - v + R (i_e + i_step); an input spike of weight w
//   makes v jump by w mV. Between events v relaxes exactly towards
//   v_inf = v_rest + R I.
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
//
// A step m covers (t_m, t_m + dt]; an event at time t in it has the offset
// t - t_m in (0, dt]. The minimum delay is one step, so neurons cannot
// affect each other within a step.
//
// External Poisson drive (poisson_input) arrives at exact times by default,
// not at the step's end: each neuron's count of the step K ~ Poisson(rate dt)
// (the draw every target shares, poisson-input.ts) is spread over the step
// as K uniform times, drawn by (step, neuron, population, input). Inputs
// with "grid" timing arrive at the step's end, as NEST's poisson_generator. A neuron's
// external spikes are applied in time order between its recurrent inputs
// (neurons are independent within a step, so the order only matters per
// neuron). On the grid, the drive of a step arrived at once at its end and
// the Brunel SI-fast regime was not converged at dt 0.1 ms.

import { Population, ModelInfo, INPUT_EVENTS, TYPE_F64, TYPE_U32 } from "../population";
import { EventTarget } from "./event-target";
import { IndexedHeap } from "../heap";
import { Projection, lowerBoundDelay } from "../projection";
import { drawCounts } from "../poisson-input";
import { philoxX4, x4out0, x4out1, x4out2, x4out3, STREAM_POISSON_INPUT_TIMES } from "../rng";
import { STATUS_OK, STATUS_BAD_VARIABLE } from "../status";
import * as io from "../checkpoint-io";

export const LIF_DELTA = new ModelInfo(
  "lif_delta",
  "tau_m c_m v_rest v_reset v_thresh t_ref",
  "v i_e",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new LifDelta(index, size, first, info),
);

const VAR_V: i32 = 0;
const VAR_IE: i32 = 1;

export class LifDelta extends EventTarget {
  tauM: f64 = 10; cM: f64 = 250; vRest: f64 = -70; vReset: f64 = -70; vThresh: f64 = -55; tRef: f64 = 0;
  rM: f64 = 0;
  vd: StaticArray<f64>;        // v before the run, then the lazy u
  ied: StaticArray<f64>;       // bias current (pA)
  refUntil: StaticArray<f64>;  // end of the refractory period
  tBase: f64 = 0;              // time of the lazy form's base
  hasDrive: bool = false;      // some neuron has v_inf > v_thresh
  heap: IndexedHeap;
  touched: StaticArray<u8>;
  started: bool = false;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
    this.vd = new StaticArray<f64>(size);
    this.ied = new StaticArray<f64>(size);
    this.refUntil = new StaticArray<f64>(size);
    this.heap = new IndexedHeap(size);
    this.touched = new StaticArray<u8>(size);
    for (let j = 0; j < size; j++) this.refUntil[j] = -Infinity;
  }

  inputMode(): i32 { return INPUT_EVENTS; }

  configure(dt: f64): i32 {
    this.tauM = this.param("tau_m"); this.cM = this.param("c_m");
    this.vRest = this.param("v_rest"); this.vReset = this.param("v_reset"); this.vThresh = this.param("v_thresh");
    this.tRef = this.param("t_ref");
    this.rM = this.tauM / this.cM;  // GOhm: mV per pA
    return STATUS_OK;
  }

  // Converts the absolute potentials written before the run to the lazy
  // form, and keys every neuron.
  start(t: f64): void {
    this.started = true;
    this.tBase = t;
    for (let j = 0; j < this.size; j++) unchecked(this.vd[j] = unchecked(this.vd[j]) - this.vInf(j));
    this.rekeyAll();
  }

  // Sets i_step at time t, keeping every potential continuous.
  setStepCurrent(amp: f64, t: f64): void {
    if (this.started) this.changeCurrent(-1, 0, amp, t);
    else this.iStep = amp;
  }

  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    if (k == VAR_V) return this.started ? this.voltageAt(j, <f64>step * dt) : this.vd[j];
    if (k == VAR_IE) return this.ied[j];
    return super.readVariable(k, j, step, dt);
  }

  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 {
    if (k == VAR_V) {
      if (this.started) this.writeVoltage(j, x, <f64>step * dt);
      else this.vd[j] = x;
    } else if (k == VAR_IE) {
      if (this.started) this.changeCurrent(j, x, this.iStep, <f64>step * dt);
      else this.ied[j] = x;
    } else return STATUS_BAD_VARIABLE;
    return STATUS_OK;
  }

  variablePtr(k: i32): usize {
    if (k == VAR_V) return changetype<usize>(this.vd);
    if (k == VAR_IE) return changetype<usize>(this.ied);
    return k == this.countVariable() ? changetype<usize>(this.counts) : 0;
  }
  variableType(k: i32): i32 { return k == this.countVariable() ? TYPE_U32 : k == VAR_V || k == VAR_IE ? TYPE_F64 : 0; }

  saveState(): void {
    io.wF64(this.tBase); io.wF64(this.hasDrive ? 1 : 0);
    io.wArr(this.vd); io.wArr(this.ied); io.wArr(this.refUntil);
    io.wArr(this.heap.ids); io.wArr(this.heap.pos); io.wArr(this.heap.key);
  }
  loadState(): void {
    this.tBase = io.rF64(); this.hasDrive = io.rF64() != 0;
    io.rArr(this.vd); io.rArr(this.ied); io.rArr(this.refUntil);
    io.rArr(this.heap.ids); io.rArr(this.heap.pos); io.rArr(this.heap.key);
  }

  // ------------------------------------------------------------ lazy form

  @inline vInf(j: i32): f64 {
    return this.vRest + this.rM * (unchecked(this.ied[j]) + this.iStep);
  }

  @inline gainAt(t: f64): f64 {
    return Math.exp((t - this.tBase) / this.tauM);
  }

  // Stored u of a neuron whose potential is v at time t.
  @inline storeVoltage(j: i32, v: f64, t: f64): void {
    unchecked(this.vd[j] = (v - this.vInf(j)) * this.gainAt(t));
  }

  fire(j: i32, t: f64): void {
    this.pushSpike(stepSlot, j, t - stepStart);
    const ru = t + this.tRef;
    unchecked(this.refUntil[j] = ru);
    this.storeVoltage(j, this.vReset, ru);
  }

  // Membrane potential of j at time t (not before its last spike).
  voltageAt(j: i32, t: f64): f64 {
    if (t < unchecked(this.refUntil[j])) return this.vReset;
    return this.vInf(j) + unchecked(this.vd[j]) / this.gainAt(t);
  }

  // Next threshold crossing of j on its own (Infinity unless v_inf > v_thresh).
  @inline crossingOf(j: i32): f64 {
    const d = this.vThresh - this.vInf(j);
    if (d >= 0) return Infinity;
    const u = unchecked(this.vd[j]);
    if (u >= d) return max(this.tBase, unchecked(this.refUntil[j]));  // already over threshold
    return this.tBase + this.tauM * Math.log(u / d);
  }

  rekey(j: i32): void {
    this.heap.update(j, this.crossingOf(j));
  }

  // Fires every crossing of j due at or before t (neurons with v_inf > v_thresh).
  @inline settleCrossings(j: i32, t: f64): void {
    while (unchecked(this.heap.key[j]) <= t) {
      this.fire(j, unchecked(this.heap.key[j]));
      this.rekey(j);
    }
  }

  rekeyAll(): void {
    for (let j = 0; j < this.size; j++) unchecked(this.heap.key[j] = this.crossingOf(j));
    this.heap.heapify();
    this.hasDrive = false;
    for (let j = 0; j < this.size; j++) if (this.vInf(j) > this.vThresh) this.hasDrive = true;
  }

  // Sets i_step (or neuron j's i_e) at time t, keeping every potential continuous.
  changeCurrent(j: i32, ie: f64, iStep: f64, t: f64): void {
    const from = j < 0 ? 0 : j, to = j < 0 ? this.size : j + 1;
    const v = new StaticArray<f64>(to - from);
    for (let k = from; k < to; k++) {
      const ru = unchecked(this.refUntil[k]);
      v[k - from] = t < ru ? this.vReset : this.voltageAt(k, t);
    }
    if (j >= 0) this.ied[j] = ie;
    this.iStep = iStep;
    for (let k = from; k < to; k++) {
      const ru = unchecked(this.refUntil[k]);
      this.storeVoltage(k, v[k - from], t < ru ? ru : t);
    }
    this.rekeyAll();
  }

  // Writes v of neuron j at time t (a host write after the start).
  writeVoltage(j: i32, v: f64, t: f64): void {
    unchecked(this.refUntil[j] = -Infinity);
    this.storeVoltage(j, v, t);
    this.rekey(j);
  }

  // Moves tBase to t (keeps the stored values within exp(20)).
  rebase(t: f64): void {
    const f = Math.exp(-(t - this.tBase) / this.tauM);
    for (let j = 0; j < this.size; j++) unchecked(this.vd[j] *= f);
    this.tBase = t;
  }

  // ------------------------------------------------------------ inputs

  resolvePending(): void {
    const t = pendingT;
    const g = this.gainAt(t);
    for (let q = 0; q < nPending; q++) {
      const j = unchecked(pending[q]);
      unchecked(this.touched[j] = 0);
      if (unchecked(this.vd[j]) >= (this.vThresh - this.vInf(j)) * g) this.fire(j, t);
      if (this.hasDrive) this.rekey(j);
    }
    nPending = 0;
  }

  @inline markPending(j: i32): void {
    if (unchecked(this.touched[j]) != 0) return;
    unchecked(this.touched[j] = 1);
    if (nPending == pending.length) {
      const a = new StaticArray<i32>(nPending * 2);
      for (let q = 0; q < nPending; q++) a[q] = pending[q];
      pending = a;
    }
    unchecked(pending[nPending++] = j);
  }

  // Adds w to neuron j at time t (gain g = g(t)).
  @inline input(j: i32, w: f64, t: f64, g: f64, drive: bool): void {
    if (drive) this.settleCrossings(j, t);
    if (t < unchecked(this.refUntil[j])) return;
    const u = unchecked(this.vd[j]) + w * g;
    unchecked(this.vd[j] = u);
    if (u >= (this.vThresh - this.vInf(j)) * g) this.markPending(j);
    else if (drive) this.rekey(j);
  }

  // Draws the external spikes of the step: per neuron, (offset, weight) in time order,
  // at extOff/extW[extStart[j] .. extStart[j + 1]); extNext[j] is the next unapplied.
  prepareExternal(step: i32, dt: f64): void {
    const n = this.size;
    const nIn = this.inputs.length;
    if (extStart.length < n + 1) {
      extStart = new StaticArray<i32>(n + 1);
      extNext = new StaticArray<i32>(n);
      extAt = new StaticArray<f64>(n);
    }
    if (blockCounts.length < nIn * 4) {
      blockCounts = new StaticArray<i32>(nIn * 4);
      blockU = new StaticArray<u32>(nIn * 16);
      blockUsed = new StaticArray<i32>(nIn);
      blockCall = new StaticArray<u32>(nIn);
    }
    let total = 0;
    for (let j0 = 0; j0 < n; j0 += 4) {
      for (let k = 0; k < nIn; k++) {
        const inp = unchecked(this.inputs[k]);
        if (inp.exact) drawCounts(inp, k, this.index, step, j0 >> 2, counts);
        for (let l = 0; l < 4; l++) unchecked(blockCounts[k * 4 + l] = inp.exact ? unchecked(counts[l]) : 0);
      }
      const lanes = min(4, n - j0);
      // The block's uniforms come four per Philox call, (step, block, population, input, call).
      for (let k = 0; k < nIn; k++) { unchecked(blockUsed[k] = 16); unchecked(blockCall[k] = 0); }
      for (let l = 0; l < lanes; l++) {
        const j = j0 + l;
        const s0 = total;
        unchecked(extStart[j] = s0);
        unchecked(extNext[j] = s0);
        for (let k = 0; k < nIn; k++) {
          const c = unchecked(blockCounts[k * 4 + l]);
          if (c == 0) continue;
          while (total + c > extOff.length) growExternal();
          const w = unchecked(this.inputs[k]).weight;
          for (let e = 0; e < c; e++) {
            let used = unchecked(blockUsed[k]);
            if (used == 16) {
              // Four Philox blocks at once (SIMD): 16 uniforms, blocks (step, block, population, input, call * 4 + lane).
              const call = <i32>unchecked(blockCall[k]);
              unchecked(blockCall[k] = <u32>(call + 1));
              const c3 = <i32>(STREAM_POISSON_INPUT_TIMES | (<u32>k << 16)) + (call << 2);
              philoxX4(i32x4.splat(step), i32x4.splat(j0 >> 2), i32x4.splat(this.index), i32x4(c3, c3 + 1, c3 + 2, c3 + 3));
              const bu = changetype<usize>(blockU) + (<usize>(k * 16) << 2);
              v128.store(bu, x4out0); v128.store(bu, x4out1, 16); v128.store(bu, x4out2, 32); v128.store(bu, x4out3, 48);
              used = 0;
            }
            // f32: the offset within the step to 1e-7 of dt (10 ps at dt 0.1 ms).
            unchecked(extOff[total] = <f32>(dt * (<f64>unchecked(blockU[k * 16 + used]) + 1.0) * INV_2_32));
            unchecked(extW[total] = w);
            unchecked(blockUsed[k] = used + 1);
            total++;
          }
        }
        // A handful per neuron and step: insertion sort.
        for (let x = s0 + 1; x < total; x++) {
          const o = unchecked(extOff[x]), w = unchecked(extW[x]);
          let y = x - 1;
          while (y >= s0 && unchecked(extOff[y]) > o) {
            unchecked(extOff[y + 1] = unchecked(extOff[y]));
            unchecked(extW[y + 1] = unchecked(extW[y]));
            y--;
          }
          unchecked(extOff[y + 1] = o);
          unchecked(extW[y + 1] = w);
        }
        unchecked(extAt[j] = total > s0 ? stepStart + <f64>unchecked(extOff[s0]) : Infinity);
      }
    }
    unchecked(extStart[n] = total);
    // g(t) = g(t_m) e^{(t - t_m)/tau_m} within the step (see externalInput).
    extGain0 = this.gainAt(stepStart);
    extInvTau = 1.0 / this.tauM;
  }

  // Applies neuron j's external spikes before time t, each at its own time
  // (extAt[j], the time of the next, makes the usual case one comparison).
  @inline flushExternal(j: i32, t: f64, drive: bool): void {
    if (unchecked(extAt[j]) < t) {
      if (drive) this.applyExternal(j, t, drive);
      else this.applyExternalQuiet(j, t);
    }
  }

  // applyExternal without self-driven neurons (no crossings of their own to settle): inlined.
  @inline applyExternalQuiet(j: i32, t: f64): void {
    let e = unchecked(extNext[j]);
    const end = unchecked(extStart[j + 1]);
    const thr = this.vThresh - this.vInf(j);
    let u = unchecked(this.vd[j]), ru = unchecked(this.refUntil[j]);
    while (e < end) {
      const off = <f64>unchecked(extOff[e]);
      const te = stepStart + off;
      if (te >= t) break;
      e++;
      if (te < ru) continue;
      const g = extGain0 * expSmall(off * extInvTau);
      u += unchecked(extW[e - 1]) * g;
      if (u >= thr * g) {
        unchecked(this.vd[j] = u);
        this.fire(j, te);
        u = unchecked(this.vd[j]);
        ru = unchecked(this.refUntil[j]);
      }
    }
    unchecked(this.vd[j] = u);
    unchecked(extNext[j] = e);
    unchecked(extAt[j] = e < end ? stepStart + <f64>unchecked(extOff[e]) : Infinity);
  }

  // Each external spike is alone at its instant, so it is resolved at once.
  // (Self-driven neurons: their own crossings are settled before each spike.)
  applyExternal(j: i32, t: f64, drive: bool): void {
    let e = unchecked(extNext[j]);
    const end = unchecked(extStart[j + 1]);
    const thr = this.vThresh - this.vInf(j);
    while (e < end) {
      const off = <f64>unchecked(extOff[e]);
      const te = stepStart + off;
      if (te >= t) break;
      e++;
      this.settleCrossings(j, te);
      if (te < unchecked(this.refUntil[j])) continue;
      const g = extGain0 * expSmall(off * extInvTau);
      const u = unchecked(this.vd[j]) + unchecked(extW[e - 1]) * g;
      unchecked(this.vd[j] = u);
      if (u >= thr * g) this.fire(j, te);
      this.rekey(j);
    }
    unchecked(extNext[j] = e);
    unchecked(extAt[j] = e < end ? stepStart + <f64>unchecked(extOff[e]) : Infinity);
  }

  // External Poisson counts of the step with grid timing: K jumps of w at t_{m+1}.
  gridInputs(step: i32, tEnd: f64): void {
    const n = this.size;
    const g = this.gainAt(tEnd);
    const drive = this.hasDrive;
    for (let k = 0; k < this.inputs.length; k++) {
      const inp = unchecked(this.inputs[k]);
      if (inp.exact) continue;
      for (let j0 = 0; j0 < n; j0 += 4) {
        drawCounts(inp, k, this.index, step, j0 >> 2, counts);
        const lanes = min(4, n - j0);
        for (let l = 0; l < lanes; l++) {
          const c = unchecked(counts[l]);
          if (c != 0) this.input(j0 + l, <f64>c * inp.weight, tEnd, g, drive);
        }
      }
    }
  }

  // One step: gather the presynaptic spikes that arrive in this step (spike
  // of step m - D through a projection of delay D), apply them in time
  // order, then fire the crossings due in the step.
  update(step: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 {
    stepStart = tStart;
    stepSlot = slot;
    if (tStart - this.tBase > 20.0 * this.tauM) this.rebase(tStart);
    let external = false, grid = false;
    for (let k = 0; k < this.inputs.length; k++) {
      if (unchecked(this.inputs[k]).exact) external = true;
      else grid = true;
    }
    if (external) this.prepareExternal(step, dt);
    nPk = 0;
    let events: f64 = 0;
    const incoming = this.incoming;
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
          addPacket(unchecked(offs[k]), q, s0, s1);
        }
      }
    }
    sortPackets();
    const drive = this.hasDrive;
    nPending = 0;
    pendingT = -Infinity;
    let g: f64 = 1;
    for (let q = 0; q < nPk; q++) {
      const o = unchecked(pkOrder[q]);
      const pr = unchecked(incoming[unchecked(pkProj[o])]);
      const t = tStart + unchecked(pkOff[o]);
      if (t != pendingT) {
        this.resolvePending();
        pendingT = t;
        g = this.gainAt(t);
      }
      const s1 = unchecked(pkS1[o]);
      events += <f64>(s1 - unchecked(pkS0[o]));
      if (external) {
        for (let s = unchecked(pkS0[o]); s < s1; s++) {
          const j = <i32>unchecked(pr.targets[s]);
          this.flushExternal(j, t, drive);
          this.input(j, <f64>unchecked(pr.weights[s]), t, g, drive);
        }
      } else {
        for (let s = unchecked(pkS0[o]); s < s1; s++) {
          this.input(<i32>unchecked(pr.targets[s]), <f64>unchecked(pr.weights[s]), t, g, drive);
        }
      }
    }
    this.resolvePending();
    if (external) for (let j = 0; j < this.size; j++) this.flushExternal(j, Infinity, drive);
    if (grid) {
      pendingT = tEnd;
      this.gridInputs(step, tEnd);
      this.resolvePending();
    }
    if (drive) {
      const heap = this.heap;
      while (heap.topKey() <= tEnd) {
        const j = heap.topId();
        this.fire(j, unchecked(heap.key[j]));
        this.rekey(j);
      }
    }
    return events;
  }
}

let stepStart: f64 = 0;
let stepSlot: i32 = 0;
const counts = new StaticArray<i32>(4);
const INV_2_32: f64 = 1.0 / 4294967296.0;

// The external spikes of a step (see prepareExternal): scratch, reused.
let extStart = new StaticArray<i32>(0);
let extNext = new StaticArray<i32>(0);
let extAt = new StaticArray<f64>(0);
let extOff = new StaticArray<f32>(1024);
let extW = new StaticArray<f64>(1024);
let blockCounts = new StaticArray<i32>(4);
let blockU = new StaticArray<u32>(16);
let blockUsed = new StaticArray<i32>(1);
let blockCall = new StaticArray<u32>(1);
let extGain0: f64 = 1;
let extInvTau: f64 = 0;

function growExternal(): void {
  const cap = extOff.length * 2;
  const a = new StaticArray<f32>(cap), b = new StaticArray<f64>(cap);
  memory.copy(changetype<usize>(a), changetype<usize>(extOff), <usize>extOff.length << 2);
  memory.copy(changetype<usize>(b), changetype<usize>(extW), <usize>extW.length << 3);
  extOff = a; extW = b;
}

// e^x for 0 <= x <= dt / tau_m: the series to x^6 (relative error below
// x^7 / 5040, 2e-13 at x = 0.05), e^x beyond.
@inline function expSmall(x: f64): f64 {
  if (x > 0.05) return Math.exp(x);
  return 1.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0))))));
}

// Input packets of one step: one per (arriving presynaptic spike, incoming
// projection, run of synapses). Scratch arrays, grown on demand and reused
// every step.
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
