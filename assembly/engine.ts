// The scheduler: one step of the network, in a fixed order.
//
//   1. step-current changes due at t_m;
//   2. clock-driven populations integrate t_m -> t_m + dt and fire;
//      event-driven populations fire at their exact times in (t_m, t_m + dt];
//      lif_delta populations take the spikes that arrive in the step;
//   3. transmission to clock-driven targets: a spike of step m - D through a
//      synapse of delay D steps is added to its target's ge/gi now, i.e. it
//      acts from t_{m+1} = (spike step + 1 + D) dt on;
//   4. recording (spikes of step m, probes at t_{m+1}).
//
// Every spike is kept for D_max steps in its population's history, so
// transmission reads only the spikes that happened: its cost is spikes x
// fan-out, with no per-neuron buffers to sweep.

import {
  MODEL_LIF, MODEL_LIF_COND, MODEL_LIF_DELTA, MODEL_IZHIKEVICH, MODEL_POISSON, MODEL_SPIKE_SOURCE, MODEL_BINARY,
  VAR_V, VAR_GE, VAR_GI, VAR_U, VAR_IE, VAR_RATE, VAR_COUNT, VAR_THETA, VAR_STATE, VAR_BIAS, VAR_FIELD, RECEPTOR_EXC,
  STATUS_OK, STATUS_BAD_POPULATION, STATUS_BAD_PROJECTION, STATUS_BAD_VARIABLE, STATUS_BAD_ARGUMENT,
  STATUS_NOT_PREPARED, STATUS_ALREADY_PREPARED,
} from "./abi";
import { Population } from "./population";
import { IndexedHeap } from "./heap";
import { Projection, lowerBoundDelay, finishDelays, checkDense } from "./projection";
import { updateLif, updateLifCond, updateIzhikevich } from "./models";
import {
  emitPoisson, emitSource, restartPoisson, restartSource, restartRegular, emitRegular, restartDelta, updateLifDelta,
  deltaVoltageAt, setPoissonRate, changeDeltaCurrent, writeDeltaVoltage,
} from "./events";
import { uniform, normal, STREAM_INIT } from "./rng";
import { PoissonInput, drawCounts } from "./poisson-input";
import { preparePlasticity, stepPlasticity, normalizeIncoming } from "./plasticity";
import * as ckpt from "./checkpoint";
import { BinaryUnits, stepUnits, recomputeFields, energyOf, latticeEnergy, DYN_DETERMINISTIC, UPDATE_TYPEWRITER } from "./binary";

export const pops: Array<Population> = [];
export const projs: Array<Projection> = [];
const incomingDelta: Array<Array<Projection>> = [];   // per population (lif_delta targets)
const gridProjs: Array<Projection> = [];               // projections onto clock-driven targets
const plasticProjs: Array<Projection> = [];            // projections with plasticity
const couplings: Array<Projection> = [];               // projections between binary units
const binaries: Array<BinaryUnits> = [];               // every population of binary units
const binaryOwners: Array<i32> = [];
const normProjs: Array<Projection> = [];               // projections with weight normalisation

export let dt: f64 = 0.1;
export let step: i32 = 0;
export let prepared: bool = false;
let nNeurons: i32 = 0;

export function setDt(h: f64): void { dt = h; }

export function addPopulation(kind: i32, size: i32): i32 {
  if (prepared) return -STATUS_ALREADY_PREPARED;
  if (kind < MODEL_LIF || kind > MODEL_BINARY || size < 0) return -STATUS_BAD_ARGUMENT;
  const p = new Population(pops.length, kind, size, nNeurons);
  nNeurons += size;
  pops.push(p);
  incomingDelta.push([]);
  return p.index;
}

export function popAt(k: i32): Population | null {
  return k >= 0 && k < pops.length ? pops[k] : null;
}

export function projAt(k: i32): Projection | null {
  return k >= 0 && k < projs.length ? projs[k] : null;
}

export function addProjection(pre: i32, post: i32, receptor: i32): i32 {
  if (prepared) return -STATUS_ALREADY_PREPARED;
  const a = popAt(pre), b = popAt(post);
  if (a == null || b == null) return -STATUS_BAD_POPULATION;
  const pr = new Projection(projs.length, a, b, receptor);
  projs.push(pr);
  return pr.index;
}

// Adaptive threshold of a lif or lif_cond population (before prepare).
export function setAdaptiveThreshold(pop: i32, thetaPlus: f64, tauTheta: f64): i32 {
  const p = popAt(pop);
  if (p == null || prepared || !(p.kind == MODEL_LIF || p.kind == MODEL_LIF_COND)) return STATUS_BAD_POPULATION;
  if (!(thetaPlus > 0) || !(tauTheta > 0)) return STATUS_BAD_ARGUMENT;
  p.thetaPlus = thetaPlus;
  p.tauTheta = tauTheta;
  p.theta = new StaticArray<f32>(p.v.length);
  return STATUS_OK;
}

export function addPoissonInput(pop: i32, rate: f64, weight: f64, receptor: i32): i32 {
  const p = popAt(pop);
  if (p == null || prepared) return STATUS_BAD_POPULATION;
  if (!(p.isClockDriven() || p.kind == MODEL_LIF_DELTA) || !(rate >= 0)) return STATUS_BAD_ARGUMENT;
  p.inputs.push(new PoissonInput(rate, weight, receptor));
  return STATUS_OK;
}

// ---------------------------------------------------------------- state

// Fills a state variable: kind 0 constant a, 1 uniform [a, b), 2 normal(a, b)
// clipped to [lo, hi]. Draws are addressed by (population, variable, neuron).
export function initState(pop: i32, variable: i32, kind: i32, a: f64, b: f64, lo: f64, hi: f64): i32 {
  const p = popAt(pop);
  if (p == null) return STATUS_BAD_POPULATION;
  for (let j = 0; j < p.size; j++) {
    let x = a;
    if (kind == 1) x = a + (b - a) * uniform(0, <u32>j, <u32>p.index, STREAM_INIT | <u32>variable);
    else if (kind == 2) x = a + b * normal(0, <u32>j, <u32>p.index, STREAM_INIT | <u32>variable);
    x = Math.min(Math.max(x, lo), hi);
    const status = writeState(p, variable, j, x);
    if (status != STATUS_OK) return status;
  }
  return STATUS_OK;
}

// Sets a state variable neuron by neuron from n f64 values at ptr.
export function setStateValues(pop: i32, variable: i32, ptr: usize, n: i32): i32 {
  const p = popAt(pop);
  if (p == null || n != p.size) return STATUS_BAD_POPULATION;
  for (let j = 0; j < n; j++) {
    const status = writeState(p, variable, j, load<f64>(ptr + (<usize>j << 3)));
    if (status != STATUS_OK) return status;
  }
  return STATUS_OK;
}

function writeState(p: Population, variable: i32, j: i32, x: f64): i32 {
  const k = p.kind;
  if (variable == VAR_V) {
    if (k == MODEL_LIF_DELTA) {
      if (prepared) writeDeltaVoltage(p, j, x, <f64>step * dt);
      else p.vd[j] = x;
    }
    else if (p.isClockDriven()) p.v[j] = <f32>(x - p.vOffset);
    else return STATUS_BAD_VARIABLE;
  } else if (variable == VAR_IE) {
    if (k == MODEL_LIF_DELTA) {
      if (prepared) changeDeltaCurrent(p, j, x, p.iStep, <f64>step * dt);
      else p.ied[j] = x;
    } else if (p.isClockDriven()) {
      p.ie[j] = <f32>x;
      if (x != 0) p.hasBias = true;
    } else return STATUS_BAD_VARIABLE;
  } else if (variable == VAR_GE && p.isClockDriven()) p.ge[j] = <f32>(x / storedScale(p, p.tauE));
  else if (variable == VAR_GI && p.isClockDriven()) p.gi[j] = <f32>(x / storedScale(p, p.tauI));
  else if (variable == VAR_U && k == MODEL_IZHIKEVICH) p.u[j] = <f32>x;
  else if (variable == VAR_THETA && p.thetaPlus != 0) p.theta[j] = <f32>(x / storedScale(p, p.tauTheta));
  else if (variable == VAR_STATE && k == MODEL_BINARY) {
    const b = p.bin!;
    b.s[j] = x >= 0.5 * (<f64>b.lo + <f64>b.hi) ? b.hi : b.lo;
    markFieldsDirty();
  } else if (variable == VAR_BIAS && k == MODEL_BINARY) {
    p.bin!.bias[j] = x;
    p.bin!.tableT = NaN;
    fastPathChecked = false;
  }
  else if (variable == VAR_RATE && k == MODEL_POISSON) {
    if (prepared) setPoissonRate(p, j, x, <f64>step * dt);
    else p.rate[j] = x;
  } else return STATUS_BAD_VARIABLE;
  return STATUS_OK;
}

// True value of a lazily decayed synaptic variable = stored value times this.
function storedScale(p: Population, tau: f64): f64 {
  return Math.exp(-<f64>(step - p.baseStep) * dt / tau);
}

// Brings the stored ge, gi of every population to their true values now
// (before the host reads the raw arrays).
export function normalizeState(): void {
  for (let k = 0; k < pops.length; k++) {
    const p = pops[k];
    if (p.isClockDriven()) p.renormalize(step, dt);
  }
}

export function readState(p: Population, variable: i32, j: i32): f64 {
  const k = p.kind;
  if (variable == VAR_V) {
    if (k == MODEL_LIF_DELTA) return prepared ? deltaVoltageAt(p, j, <f64>step * dt) : p.vd[j];
    if (p.isClockDriven()) return <f64>p.v[j] + p.vOffset;
  } else if (variable == VAR_GE && p.isClockDriven()) return <f64>p.ge[j] * storedScale(p, p.tauE);
  else if (variable == VAR_GI && p.isClockDriven()) return <f64>p.gi[j] * storedScale(p, p.tauI);
  else if (variable == VAR_U && k == MODEL_IZHIKEVICH) return <f64>p.u[j];
  else if (variable == VAR_THETA && p.thetaPlus != 0) return <f64>p.theta[j] * storedScale(p, p.tauTheta);
  else if (variable == VAR_STATE && k == MODEL_BINARY) return <f64>p.bin!.s[j];
  else if (variable == VAR_BIAS && k == MODEL_BINARY) return p.bin!.bias[j];
  else if (variable == VAR_FIELD && k == MODEL_BINARY) { ensureFields(); return p.bin!.h[j]; }
  else if (variable == VAR_IE) {
    if (k == MODEL_LIF_DELTA) return p.ied[j];
    if (p.isClockDriven()) return <f64>p.ie[j];
  } else if (variable == VAR_RATE && k == MODEL_POISSON) return p.rate[j];
  else if (variable == VAR_COUNT) return <f64>p.counts[j];
  return NaN;
}

// ---------------------------------------------------------------- prepare

export function prepare(): i32 {
  if (prepared) return STATUS_ALREADY_PREPARED;
  for (let q = 0; q < projs.length; q++) {
    const pr = projs[q];
    if (!pr.connected) return STATUS_BAD_PROJECTION;
    finishDelays(pr);
    checkDense(pr);
    if (pr.dMax > pr.pre.maxOutDelay) pr.pre.maxOutDelay = pr.dMax;
    const pl = pr.plasticity;
    if (pl != null) {
      // Plastic synapses share one delay: a presynaptic trace serves all of them.
      if (pr.delayConst == 0) return STATUS_BAD_PROJECTION;
      if (pl.dendritic && pr.delayConst > pr.post.maxOutDelay) pr.post.maxOutDelay = pr.delayConst;
      preparePlasticity(pr);
      plasticProjs.push(pr);
    }
    if (pr.normEvery > 0) normProjs.push(pr);
    if (pr.post.kind == MODEL_BINARY || pr.pre.kind == MODEL_BINARY) {
      // Binary units couple to binary units only, at once (no delay).
      if (pr.post.kind != MODEL_BINARY || pr.pre.kind != MODEL_BINARY) return STATUS_BAD_PROJECTION;
      couplings.push(pr);
      pr.pre.bin!.out.push(pr);
      continue;
    }
    if (pr.post.kind == MODEL_LIF_DELTA) incomingDelta[pr.post.index].push(pr);
    else if (pr.post.isClockDriven()) gridProjs.push(pr);
    else return STATUS_BAD_PROJECTION;
  }
  for (let k = 0; k < pops.length; k++) {
    const p = pops[k];
    p.refSteps = <i32>Math.round(p.tRef / dt);
    p.allocHistory();
    computePropagators(p);
    for (let q = 0; q < p.inputs.length; q++) p.inputs[q].prepare(dt);
    applySchedule(p, 0);
    if (p.kind == MODEL_POISSON) { if (p.regular) restartRegular(p, 0); else restartPoisson(p, 0); }
    else if (p.kind == MODEL_SPIKE_SOURCE) restartSource(p);
    else if (p.kind == MODEL_LIF_DELTA) restartDelta(p, 0);
    else if (p.kind == MODEL_BINARY) {
      binaries.push(p.bin!);
      binaryOwners.push(p.index);
      p.bin!.nextT = 0;
    }
  }
  prepared = true;
  markFieldsDirty();
  return STATUS_OK;
}

function computePropagators(p: Population): void {
  p.ee = Math.exp(-dt / p.tauE);
  p.ei = Math.exp(-dt / p.tauI);
  if (p.isClockDriven()) {
    p.renormEvery = max(1, <i32>Math.floor(20.0 * Math.min(Math.min(p.tauE, p.tauI), p.tauTheta) / dt));
    p.baseStep = 0;
    p.lazyDecayFactors(0, dt);
    p.hasBias = false;
    for (let j = 0; j < p.size; j++) if (p.ie[j] != 0) p.hasBias = true;
  }
  if (p.kind == MODEL_LIF || p.kind == MODEL_LIF_DELTA) {
    p.em = Math.exp(-dt / p.tauM);
    p.rM = p.tauM / p.cM;  // GOhm: mV per pA
    p.ce = synapticPropagator(p.tauE, p.tauM, p.ee, p.em);
    p.ci = synapticPropagator(p.tauI, p.tauM, p.ei, p.em);
  }
}

// Contribution of an exponential current (initial value 1, time constant
// tau_s) to v over one step: tau_s / (tau_s - tau_m) (e^{-dt/tau_s} - e^{-dt/tau_m});
// the limit dt/tau_m e^{-dt/tau_m} when the time constants coincide.
function synapticPropagator(tauS: f64, tauM: f64, es: f64, em: f64): f64 {
  if (Math.abs(tauS - tauM) < 1e-9 * tauM) return dt / tauM * em;
  return tauS / (tauS - tauM) * (es - em);
}

// Step current: the schedule holds (step, amplitude) sorted by step.
export function setSchedule(pop: i32, stepsPtr: usize, ampsPtr: usize, n: i32): i32 {
  const p = popAt(pop);
  if (p == null) return STATUS_BAD_POPULATION;
  p.schedSteps = new StaticArray<i32>(n);
  p.schedAmps = new StaticArray<f64>(n);
  for (let k = 0; k < n; k++) {
    p.schedSteps[k] = load<i32>(stepsPtr + (<usize>k << 2));
    p.schedAmps[k] = load<f64>(ampsPtr + (<usize>k << 3));
  }
  p.schedCursor = 0;
  return STATUS_OK;
}

// Applies the schedule entries due at step m; true when the current changed.
function applySchedule(p: Population, m: i32): bool {
  let changed = false;
  let amp = p.iStep;
  while (p.schedCursor < p.schedSteps.length && unchecked(p.schedSteps[p.schedCursor]) <= m) {
    amp = unchecked(p.schedAmps[p.schedCursor]);
    p.schedCursor++;
    changed = true;
  }
  if (changed) {
    if (p.kind == MODEL_LIF_DELTA && prepared) changeDeltaCurrent(p, -1, 0, amp, <f64>m * dt);
    else p.iStep = amp;
  }
  return changed;
}

// ---------------------------------------------------------------- recording

let recT = new StaticArray<f64>(0);
let recId = new StaticArray<u32>(0);
export let recCount: i32 = 0;
let recSoft: i32 = 0;

export function setRecordCapacity(cap: i32): void {
  recT = new StaticArray<f64>(cap);
  recId = new StaticArray<u32>(cap);
  recSoft = cap >> 1;
  recCount = 0;
}
export function recTimesPtr(): usize { return changetype<usize>(recT); }
export function recIdsPtr(): usize { return changetype<usize>(recId); }
export function clearRecorded(): void { recCount = 0; }

function growRecord(need: i32): void {
  let cap = max(recT.length * 2, 1024);
  while (cap < need) cap *= 2;
  const t = new StaticArray<f64>(cap), id = new StaticArray<u32>(cap);
  memory.copy(changetype<usize>(t), changetype<usize>(recT), <usize>recCount << 3);
  memory.copy(changetype<usize>(id), changetype<usize>(recId), <usize>recCount << 2);
  recT = t;
  recId = id;
}

// State probes: (population, variable, neuron), sampled every probeEvery steps.
const probePop: Array<i32> = [];
const probeVar: Array<i32> = [];
const probeIdx: Array<i32> = [];
let probeEvery: i32 = 1;
let samples = new StaticArray<f64>(0);
export let sampleRows: i32 = 0;
let sampleCap: i32 = 0;

export function addProbe(pop: i32, variable: i32, j: i32): i32 {
  const p = popAt(pop);
  if (p == null || j < 0 || j >= p.size) return STATUS_BAD_POPULATION;
  if (isNaN(readState(p, variable, j))) return STATUS_BAD_VARIABLE;
  probePop.push(pop);
  probeVar.push(variable);
  probeIdx.push(j);
  return STATUS_OK;
}
export function setProbeInterval(steps: i32, rowsCap: i32): void {
  probeEvery = max(steps, 1);
  sampleCap = max(rowsCap, 1);
  samples = new StaticArray<f64>(sampleCap * max(probePop.length, 1));
  sampleRows = 0;
}
export function samplesPtr(): usize { return changetype<usize>(samples); }
export function clearSamples(): void { sampleRows = 0; }
export function probeCount(): i32 { return probePop.length; }
export function probeStride(): i32 { return probeEvery; }

// ---------------------------------------------------------------- run

export let totalEvents: f64 = 0;

// Runs up to maxSteps steps; returns the steps done. Stops early when the
// spike record is half full or the sample buffer is full, for the host to
// drain, so neither ever grows with the length of a run.
export function run(maxSteps: i32): i32 {
  if (!prepared) return -STATUS_NOT_PREPARED;
  let done = 0;
  while (done < maxSteps) {
    if (recCount > recSoft && recSoft > 0) break;
    if (probePop.length > 0 && sampleRows >= sampleCap) break;
    stepOnce();
    done++;
  }
  return done;
}

function stepOnce(): void {
  const m = step;
  const tStart = <f64>m * dt, tEnd = <f64>(m + 1) * dt;
  const np = pops.length;
  for (let k = 0; k < np; k++) {
    const p = unchecked(pops[k]);
    unchecked(p.histCount[p.slotOf(m)] = 0);
    if (p.schedCursor < p.schedSteps.length) applySchedule(p, m);
  }
  for (let k = 0; k < np; k++) {
    const p = unchecked(pops[k]);
    const slot = p.slotOf(m);
    const kind = p.kind;
    if (p.isClockDriven()) p.lazyDecayFactors(m, dt);
    if (kind == MODEL_LIF) updateLif(p, m, slot, dt);
    else if (kind == MODEL_LIF_COND) updateLifCond(p, m, slot, dt);
    else if (kind == MODEL_IZHIKEVICH) updateIzhikevich(p, m, slot, dt);
    else if (kind == MODEL_POISSON) { if (p.regular) emitRegular(p, slot, tStart, tEnd); else emitPoisson(p, slot, tStart, tEnd); }
    else if (kind == MODEL_SPIKE_SOURCE) emitSource(p, slot, tStart, tEnd);
    else if (kind == MODEL_LIF_DELTA) {
      totalEvents += updateLifDelta(p, unchecked(incomingDelta[k]), projs, m, slot, tStart, tEnd);
    } else if (kind == MODEL_BINARY) {
      if (!fastPathChecked) checkFastPaths();
      const b = p.bin!;
      if (b.latticeL == 0) ensureFields();
      const before = b.flips;
      stepUnits(p, slot, m, tStart, dt);
      totalEvents += b.flips - before;
      if (b.hist.length > 0) recordJointState(b);
    }
  }
  for (let q = 0; q < gridProjs.length; q++) deliverGrid(unchecked(gridProjs[q]), m);
  for (let k = 0; k < np; k++) {
    const p = unchecked(pops[k]);
    if (p.inputs.length > 0 && p.isClockDriven()) deliverPoissonInputs(p, m);
  }
  for (let q = 0; q < plasticProjs.length; q++) {
    const pr = unchecked(plasticProjs[q]);
    if (!pr.frozen) stepPlasticity(pr, m, dt);
  }
  for (let q = 0; q < normProjs.length; q++) {
    const pr = unchecked(normProjs[q]);
    if ((m + 1) % pr.normEvery == 0) normalizeIncoming(pr, pr.normTotal);
  }
  for (let k = 0; k < np; k++) recordStep(unchecked(pops[k]), m, tStart);
  step = m + 1;
  if (probePop.length > 0 && step % probeEvery == 0) sampleProbes();
}

// Adds the weights of the synapses whose spikes arrive now to the targets'
// synaptic variable (ge or gi by receptor).
function deliverGrid(pr: Projection, m: i32): void {
  const pre = pr.pre, post = pr.post;
  const exc = pr.receptor == RECEPTOR_EXC;
  const tgtVar = changetype<usize>(exc ? post.ge : post.gi);
  const gain = <f32>(exc ? post.gainE : post.gainI);  // lazy decay: see Population
  const targets = changetype<usize>(pr.targets), weights = changetype<usize>(pr.weights);
  const rowPtr = pr.rowPtr;
  const perSynapse = pr.delayConst == 0;
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
        const n = s1 - s0, n4 = n & ~3;
        const g4 = f32x4.splat(gain);
        const w0 = weights + (<usize>s0 << 2);
        for (let j = 0; j < n4; j += 4) {
          const a = tgtVar + (<usize>j << 2);
          v128.store(a, f32x4.add(v128.load(a), f32x4.mul(g4, v128.load(w0 + (<usize>j << 2)))));
        }
        for (let j = n4; j < n; j++) {
          const a = tgtVar + (<usize>j << 2);
          store<f32>(a, load<f32>(a) + gain * load<f32>(w0 + (<usize>j << 2)));
        }
        continue;
      }
      // s in [rowPtr[i], rowPtr[i+1]) lies inside targets/weights by construction.
      for (let s = s0; s < s1; s++) {
        const o = <usize>s << 2;
        const a = tgtVar + (<usize>load<u32>(targets + o) << 2);
        store<f32>(a, load<f32>(a) + gain * load<f32>(weights + o));
      }
    }
  }
  pr.events += events;
  totalEvents += events;
}

const counts = new StaticArray<i32>(4);

// External Poisson counts of step m, arriving at t_{m+1} like a spike
// delivered at the end of the step.
function deliverPoissonInputs(p: Population, m: i32): void {
  const n = p.size;
  for (let k = 0; k < p.inputs.length; k++) {
    const inp = unchecked(p.inputs[k]);
    const exc = inp.receptor == RECEPTOR_EXC;
    const target = exc ? p.ge : p.gi;
    const w = <f32>(inp.weight * (exc ? p.gainE : p.gainI));
    for (let j0 = 0; j0 < n; j0 += 4) {
      drawCounts(inp, k, p.index, m, j0 >> 2, counts);
      const lanes = min(4, n - j0);
      for (let l = 0; l < lanes; l++) {
        const c = unchecked(counts[l]);
        if (c != 0) unchecked(target[j0 + l] += <f32>c * w);
      }
    }
  }
}

function recordStep(p: Population, m: i32, tStart: f64): void {
  const s = p.slotOf(m);
  const n = unchecked(p.histCount[s]);
  if (n == 0) return;
  p.totalSpikes += <f64>n;
  if (!p.record) return;
  if (recCount + n > recT.length) growRecord(recCount + n);
  const ids = unchecked(p.histIds[s]), offs = unchecked(p.histOffs[s]);
  const first = <u32>p.first;
  for (let k = 0; k < n; k++) {
    unchecked(recT[recCount] = tStart + unchecked(offs[k]));
    unchecked(recId[recCount] = first + <u32>unchecked(ids[k]));
    recCount++;
  }
}

function sampleProbes(): void {
  const n = probePop.length;
  const row = sampleRows * n;
  for (let q = 0; q < n; q++) {
    const p = unchecked(pops[unchecked(probePop[q])]);
    samples[row + q] = readState(p, unchecked(probeVar[q]), unchecked(probeIdx[q]));
  }
  sampleRows++;
}

// All the rates of a Poisson population at once (one restart of its process).
export function setRates(pop: i32, ratesPtr: usize): i32 {
  const p = popAt(pop);
  if (p == null || p.kind != MODEL_POISSON) return STATUS_BAD_POPULATION;
  for (let j = 0; j < p.size; j++) unchecked(p.rate[j] = load<f64>(ratesPtr + (<usize>j << 3)));
  if (prepared) { if (p.regular) restartRegular(p, <f64>step * dt); else restartPoisson(p, <f64>step * dt); }
  return STATUS_OK;
}

// Freezes (or thaws) learning: plastic projections keep their weights and
// adaptive thresholds neither grow nor decay, from the current step on.
export function freezeLearning(frozen: bool): void {
  for (let q = 0; q < plasticProjs.length; q++) plasticProjs[q].frozen = frozen;
  for (let k = 0; k < pops.length; k++) {
    const p = pops[k];
    if (p.thetaPlus == 0 || p.thetaFrozen == frozen) continue;
    // Store the true values first: the lazy form depends on the decay time.
    if (prepared) p.renormalize(step, dt);
    if (frozen) { p.tauThetaLearning = p.tauTheta; p.tauTheta = Infinity; }
    else p.tauTheta = p.tauThetaLearning;
    p.thetaFrozen = frozen;
    if (prepared) p.lazyDecayFactors(step, dt);
  }
}

// Makes a poisson population a set of regular (periodic) generators (before prepare).
export function setRegular(pop: i32): i32 {
  const p = popAt(pop);
  if (p == null || p.kind != MODEL_POISSON || prepared) return STATUS_BAD_POPULATION;
  p.regular = true;
  p.heap = new IndexedHeap(p.size);
  p.regLast = new StaticArray<f64>(p.size);
  for (let j = 0; j < p.size; j++) p.regLast[j] = -Infinity;
  return STATUS_OK;
}

export function setRate(pop: i32, j: i32, rate: f64): i32 {
  const p = popAt(pop);
  if (p == null || p.kind != MODEL_POISSON || j < 0 || j >= p.size) return STATUS_BAD_POPULATION;
  if (prepared) setPoissonRate(p, j, rate, <f64>step * dt);
  else p.rate[j] = rate;
  return STATUS_OK;
}

export function neuronCount(): i32 { return nNeurons; }

// ---------------------------------------------------------------- binary units

let fieldsDirty = true;
let fastPathChecked = false;

export function markFieldsDirty(): void {
  fieldsDirty = true;
  for (let k = 0; k < binaries.length; k++) binaries[k].fieldsDirty = true;
}

// Local fields are recomputed exactly when states or weights changed from
// outside, or after a lattice fast path (which does not keep them).
export function ensureFields(): void {
  let dirty = fieldsDirty;
  for (let k = 0; k < binaries.length && !dirty; k++) dirty = binaries[k].fieldsDirty;
  if (!dirty) return;
  recomputeFields(binaries, binaryOwners, couplings);
  fieldsDirty = false;
}

// The lattice fast path applies to a population whose only coupling is a
// lattice onto itself with one weight, one bias, +-1 stochastic units,
// nothing clamped, typewriter order.
function checkFastPaths(): void {
  for (let k = 0; k < binaries.length; k++) {
    const b = binaries[k];
    b.latticeL = 0;
    if (b.out.length != 1 || b.lo != -1 || b.dynamics == DYN_DETERMINISTIC || b.update != UPDATE_TYPEWRITER || b.anyClamped) continue;
    const pr = b.out[0];
    if (pr.latticeL == 0 || pr.post.bin !== b) continue;
    let incoming = 0;
    for (let q = 0; q < couplings.length; q++) if (couplings[q].post.bin === b) incoming++;
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

function recordJointState(b: BinaryUnits): void {
  let idx = 0;
  for (let i = 0; i < b.n; i++) if (unchecked(b.s[i]) == b.hi) idx |= 1 << i;
  unchecked(b.hist[idx] += 1);
}

export function binaryOf(pop: i32): BinaryUnits | null {
  const p = popAt(pop);
  return p == null ? null : p.bin;
}

export function invalidateFastPaths(): void {
  fastPathChecked = false;
}

export function energy(pop: i32): f64 {
  const b = binaryOf(pop);
  if (b == null) return NaN;
  // A lattice on the fast path sums its bonds directly: no fields to rebuild.
  if (prepared && !fastPathChecked) checkFastPaths();
  if (b.latticeL > 0) return latticeEnergy(b);
  ensureFields();
  return energyOf(b);
}

// Mean state on the +-1 scale (01 units count as 2 s - 1).
export function magnetisation(pop: i32): f64 {
  const b = binaryOf(pop);
  if (b == null || b.n == 0) return NaN;
  let sum: i32 = 0;
  const s = changetype<usize>(b.s);
  for (let i = 0; i < b.n; i++) sum += <i32>load<i8>(s + <usize>i);
  return b.lo == 0 ? 2.0 * <f64>sum / <f64>b.n - 1.0 : <f64>sum / <f64>b.n;
}

// Checkpoints (see checkpoint.ts): between runs, with the record buffers drained.
export function saveCheckpoint(): i32 {
  if (!prepared) return -STATUS_NOT_PREPARED;
  return ckpt.saveState(pops, projs, step, totalEvents);
}

export function loadCheckpoint(ptr: usize, n: i32): i32 {
  if (!prepared) return STATUS_NOT_PREPARED;
  const s = ckpt.loadState(pops, projs, ptr, n);
  if (s < 0) return STATUS_BAD_ARGUMENT;
  step = <i32>s;
  totalEvents = ckpt.loadedEvents;
  recCount = 0;
  sampleRows = 0;
  return STATUS_OK;
}
