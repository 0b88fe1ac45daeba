// The scheduler: one step of the network, in a fixed order.
//
//   1. step-current changes due at t_m;
//   2. every population advances t_m -> t_m + dt with its model's update:
//      clock-driven populations integrate and fire, event-driven ones fire
//      at their exact times in (t_m, t_m + dt] (lif_delta takes the spikes
//      that arrive in the step), binary units flip;
//   3. transmission to clock-driven targets (transmission.ts) and their
//      external Poisson drives;
//   4. plasticity, weight normalisation;
//   5. recording (spikes of step m, probes at t_{m+1}).
//
// The engine knows populations only through their base classes: how they
// take input (grid, events, couplings) and the methods every model defines.

import { Population, INPUT_NONE, INPUT_GRID, INPUT_EVENTS, INPUT_COUPLING } from "./population";
import { MODELS } from "./models/registry";
import { ClockPopulation } from "./models/clock";
import { EventTarget } from "./models/event-target";
import { addCoupling, markFieldsDirty } from "./models/binary";
import { Projection, finishDelays, checkDense, checkSorted, refreshUniformWeight, allowUniformWeights } from "./projection";
import { ThreadPlan, parallel, collectEvents, flushCounts, isRangeUpdated, PHASE_UPDATE, PHASE_DELIVER, PHASE_STEP, MAX_THREADS } from "./threads";
import { deliverGrid, deliverPoissonInputs, chooseRowBlocks, ROW_BLOCK_BYTES } from "./transmission";
import { uniform, normal, STREAM_INIT } from "./rng";
import { PoissonInput } from "./poisson-input";
import { preparePlasticity, stepPlasticity, normalizeIncoming } from "./plasticity";
import {
  STATUS_OK, STATUS_BAD_POPULATION, STATUS_BAD_PROJECTION, STATUS_BAD_VARIABLE, STATUS_BAD_ARGUMENT,
  STATUS_NOT_PREPARED, STATUS_ALREADY_PREPARED, STATUS_BAD_PARAMETER, STATUS_MISSING_PARAMETER, STATUS_BAD_MODEL,
  STATUS_THREAD_FAILED,
} from "./status";

export const pops: Array<Population> = [];
export const projs: Array<Projection> = [];
const configured: Array<bool> = [];
const gridProjs: Array<Projection> = [];               // projections onto clock-driven targets
const plasticProjs: Array<Projection> = [];            // projections with plasticity
const normProjs: Array<Projection> = [];               // projections with weight normalisation

export let dt: f64 = 0.1;
export let step: i32 = 0;
export let prepared: bool = false;
let nNeurons: i32 = 0;
export let totalEvents: f64 = 0;

export function setDt(h: f64): void { dt = h; }

export function popAt(k: i32): Population | null {
  return k >= 0 && k < pops.length ? pops[k] : null;
}

export function projAt(k: i32): Projection | null {
  return k >= 0 && k < projs.length ? projs[k] : null;
}

// ---------------------------------------------------------------- structure

// Adds a population of model `kind` (its index in the registry); returns its index.
export function addPopulation(kind: i32, size: i32): i32 {
  if (prepared) return STATUS_ALREADY_PREPARED;
  if (kind < 0 || kind >= MODELS.length) return STATUS_BAD_MODEL;
  if (size < 0) return STATUS_BAD_ARGUMENT;
  const p = MODELS[kind].make(pops.length, size, nNeurons);
  nNeurons += size;
  pops.push(p);
  configured.push(false);
  return p.index;
}

// Sets parameter k (index in the model's parameter list) before configure.
export function setParam(pop: i32, k: i32, value: f64): i32 {
  const p = popAt(pop);
  if (p == null || prepared || configured[pop]) return STATUS_BAD_POPULATION;
  if (k < 0 || k >= p.par.length) return STATUS_BAD_PARAMETER;
  p.par[k] = value;
  return STATUS_OK;
}

// Reads the parameters into the model (after every setParam, before the initial values).
export function configurePopulation(pop: i32): i32 {
  const p = popAt(pop);
  if (p == null || prepared || configured[pop]) return STATUS_BAD_POPULATION;
  const status = p.checkParams();
  if (status != STATUS_OK) return status;
  const c = p.configure(dt);
  if (c != STATUS_OK) return c;
  configured[pop] = true;
  return STATUS_OK;
}

export function addProjection(pre: i32, post: i32, receptor: i32): i32 {
  if (prepared) return STATUS_ALREADY_PREPARED;
  const a = popAt(pre), b = popAt(post);
  if (a == null || b == null) return STATUS_BAD_POPULATION;
  if (!receptorExists(b, receptor)) return STATUS_BAD_ARGUMENT;
  const pr = new Projection(projs.length, a, b, receptor);
  projs.push(pr);
  return pr.index;
}

export function addPoissonInput(pop: i32, rate: f64, weight: f64, receptor: i32, exact: i32): i32 {
  const p = popAt(pop);
  if (p == null || prepared) return STATUS_BAD_POPULATION;
  const mode = p.inputMode();
  if (!(mode == INPUT_GRID || mode == INPUT_EVENTS) || !(rate >= 0) || (exact != 0 && mode != INPUT_EVENTS)) return STATUS_BAD_ARGUMENT;
  if (!receptorExists(p, receptor)) return STATUS_BAD_ARGUMENT;
  p.inputs.push(new PoissonInput(rate, weight, receptor, exact != 0));
  return STATUS_OK;
}

// Receptors 0 (exc) and 1 (inh) everywhere; clock-driven models may have more (equations).
function receptorExists(p: Population, r: i32): bool {
  if (r < 0) return false;
  if (p.inputMode() == INPUT_GRID) return r < changetype<ClockPopulation>(p).receptorCount();
  return r < 2;
}

// ---------------------------------------------------------------- state

// Fills a state variable: kind 0 constant a, 1 uniform [a, b), 2 normal(a, b)
// clipped to [lo, hi]. Draws are addressed by (population, variable, neuron).
export function initState(pop: i32, variable: i32, kind: i32, a: f64, b: f64, lo: f64, hi: f64): i32 {
  const p = popAt(pop);
  if (p == null || !configured[pop]) return STATUS_BAD_POPULATION;
  if (variable < 0 || variable >= p.variableCount()) return STATUS_BAD_VARIABLE;
  const key = STREAM_INIT | p.initStream(variable);
  for (let j = 0; j < p.size; j++) {
    let x = a;
    if (kind == 1) x = a + (b - a) * uniform(0, <u32>j, <u32>p.index, key);
    else if (kind == 2) x = a + b * normal(0, <u32>j, <u32>p.index, key);
    x = Math.min(Math.max(x, lo), hi);
    const status = p.writeVariable(variable, j, x, step, dt, prepared);
    if (status != STATUS_OK) return status;
  }
  return STATUS_OK;
}

// Sets a state variable neuron by neuron from n f64 values at ptr.
export function setStateValues(pop: i32, variable: i32, ptr: usize, n: i32): i32 {
  const p = popAt(pop);
  if (p == null || !configured[pop] || n != p.size) return STATUS_BAD_POPULATION;
  for (let j = 0; j < n; j++) {
    const status = p.writeVariable(variable, j, load<f64>(ptr + (<usize>j << 3)), step, dt, prepared);
    if (status != STATUS_OK) return status;
  }
  return STATUS_OK;
}

export function readState(p: Population, variable: i32, j: i32): f64 {
  return p.readVariable(variable, j, step, dt);
}

// Brings lazily stored values of every population to their true values now
// (before the host reads the raw arrays).
export function normalizeState(): void {
  for (let k = 0; k < pops.length; k++) pops[k].settle(step, dt);
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

// ---------------------------------------------------------------- prepare

export function prepare(): i32 {
  if (prepared) return STATUS_ALREADY_PREPARED;
  for (let k = 0; k < pops.length; k++) if (!configured[k]) return STATUS_MISSING_PARAMETER;
  for (let q = 0; q < projs.length; q++) {
    const pr = projs[q];
    if (!pr.connected) return STATUS_BAD_PROJECTION;
    finishDelays(pr);
    checkDense(pr);
    checkSorted(pr);
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
    const to = pr.post.inputMode(), from = pr.pre.inputMode();
    if (to == INPUT_COUPLING || from == INPUT_COUPLING) {
      // Binary units couple to binary units only, at once (no delay).
      if (to != from) return STATUS_BAD_PROJECTION;
      addCoupling(pr);
    } else if (to == INPUT_EVENTS) changetype<EventTarget>(pr.post).incoming.push(pr);
    else if (to == INPUT_GRID) gridProjs.push(pr);
    else return STATUS_BAD_PROJECTION;
  }
  for (let k = 0; k < pops.length; k++) {
    const p = pops[k];
    p.allocHistory();
    p.prepare(dt);
    for (let q = 0; q < p.inputs.length; q++) p.inputs[q].prepare(dt);
    p.applySchedule(0, dt);
    p.start(0);
  }
  chooseRowBlocks(gridProjs, rowBlockBytes);
  for (let q = 0; q < gridProjs.length; q++) refreshUniformWeight(gridProjs[q]);
  pendingSpikes = new StaticArray<f64>(pops.length);
  prepared = true;
  markFieldsDirty();
  planThreads();
  return STATUS_OK;
}

// ---------------------------------------------------------------- threads

// Threads that run each step (threads.ts); the host started the helpers.
// The kernel is built twice: with the threads feature (shared memory) and
// without, where none of this is compiled and one thread runs as before.
let threads: i32 = 1;
let plan: ThreadPlan | null = null;

export function setThreads(n: i32): i32 {
  if (n < 1 || n > MAX_THREADS || (n > 1 && !ASC_FEATURE_THREADS)) return STATUS_BAD_ARGUMENT;
  threads = n;
  if (prepared) planThreads();
  return STATUS_OK;
}

// Synapse bytes above which rows are read in blocks (transmission.ts); a
// tuning knob, and the tests' way to run the blocked path on small networks.
// The spikes are the same either way.
let rowBlockBytes: f64 = ROW_BLOCK_BYTES;
export function setRowBlockBytes(bytes: f64): i32 {
  if (!(bytes >= 0)) return STATUS_BAD_ARGUMENT;
  rowBlockBytes = bytes;
  if (prepared) chooseRowBlocks(gridProjs, rowBlockBytes);
  return STATUS_OK;
}

// Projections whose synapses share one weight skip reading it (a speed
// knob, on by default; the tests' way to compare with the per-synapse
// path). The spikes are the same either way.
export function setUniformWeights(on: bool): void {
  allowUniformWeights(on);
  if (prepared) for (let q = 0; q < gridProjs.length; q++) refreshUniformWeight(gridProjs[q]);
}

function planThreads(): void {
  flushRunCounts();
  if (ASC_FEATURE_THREADS) plan = threads > 1 ? new ThreadPlan(threads, pops, gridProjs) : null;
}

// Spikes per population counted during a run call, added to the populations
// when it ends (with the threads' event counts): a write to a population
// every step would take from the helpers the line of the fields they read.
let pendingSpikes = new StaticArray<f64>(0);

function flushRunCounts(): void {
  for (let k = 0; k < pendingSpikes.length; k++) {
    const p = unchecked(pops[k]);
    p.totalSpikes += unchecked(pendingSpikes[k]);
    unchecked(pendingSpikes[k] = 0);
  }
  const pl = plan;
  if (ASC_FEATURE_THREADS && pl != null) flushCounts(pl);
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
  if (variable < 0 || variable >= p.variableCount() || isNaN(readState(p, variable, j))) return STATUS_BAD_VARIABLE;
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

// ---------------------------------------------------------------- run

// Runs up to maxSteps steps; returns the steps done. Stops early when the
// spike record is half full or the sample buffer is full, for the host to
// drain, so neither ever grows with the length of a run.
export function run(maxSteps: i32): i32 {
  if (!prepared) return STATUS_NOT_PREPARED;
  let done = 0;
  let ok = true;
  while (done < maxSteps) {
    if (recCount > recSoft && recSoft > 0) break;
    if (probePop.length > 0 && sampleRows >= sampleCap) break;
    if (!(ok = stepOnce())) break;
    done++;
  }
  flushRunCounts();
  return ok ? done : STATUS_THREAD_FAILED;
}

function stepOnce(): bool {
  const m = step;
  const tStart = <f64>m * dt, tEnd = <f64>(m + 1) * dt;
  const np = pops.length;
  for (let k = 0; k < np; k++) {
    const p = unchecked(pops[k]);
    unchecked(p.histCount[p.slotOf(m)] = 0);
    if (p.schedCursor < p.schedSteps.length) p.applySchedule(m, dt);
  }
  const pl = plan;
  if (ASC_FEATURE_THREADS && pl != null) {
    if (!updateAndDeliverThreaded(pl, m, tStart, tEnd)) return false;
  } else {
    for (let k = 0; k < np; k++) {
      const p = unchecked(pops[k]);
      totalEvents += p.update(m, p.slotOf(m), tStart, tEnd, dt);
    }
    for (let q = 0; q < gridProjs.length; q++) totalEvents += deliverGrid(unchecked(gridProjs[q]), m);
    for (let k = 0; k < np; k++) {
      const p = unchecked(pops[k]);
      if (p.inputs.length > 0 && p.inputMode() == INPUT_GRID) deliverPoissonInputs(changetype<ClockPopulation>(p), m);
    }
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
  return true;
}

// The update and transmission of step m on the threads: the vector loops of
// range-updated populations and all deliveries to clock-driven targets are
// split by neuron (with the firing of each thread's own candidates:
// settleRange); appending the spikes to the history (in neuron order:
// thread 0's, then thread 1's, ...) and every other population run here,
// as on one thread.
// Transmission reads spikes of earlier steps only, so it may run before
// the firing of step m (PHASE_STEP); firing touches no synaptic variable.
function updateAndDeliverThreaded(pl: ThreadPlan, m: i32, tStart: f64, tEnd: f64): bool {
  const np = pops.length;
  if (pl.dt != dt) pl.dt = dt;
  for (let k = 0; k < np; k++) {
    const p = unchecked(pops[k]);
    if (isRangeUpdated(p)) changetype<ClockPopulation>(p).lazyDecayFactors(m, dt);
  }
  if (!parallel(pl, pl.merged ? PHASE_STEP : PHASE_UPDATE, m)) return false;
  for (let k = 0; k < np; k++) {
    const p = unchecked(pops[k]);
    const slot = p.slotOf(m);
    if (!isRangeUpdated(p)) {
      totalEvents += p.update(m, slot, tStart, tEnd, dt);
      continue;
    }
    for (let t = 0; t < pl.threads; t++) {
      const at = t * np + k;
      const fired = unchecked(pl.fired[at]);
      for (let q = 0, n = unchecked(pl.firedCount[t * pl.countStride + k]); q < n; q++) p.appendSpike(slot, unchecked(fired[q]), dt);
    }
  }
  if (!pl.merged && !parallel(pl, PHASE_DELIVER, m)) return false;
  totalEvents += collectEvents(pl);
  return true;
}

function recordStep(p: Population, m: i32, tStart: f64): void {
  const s = p.slotOf(m);
  const n = unchecked(p.histCount[s]);
  if (n == 0) return;
  unchecked(pendingSpikes[p.index] += <f64>n);
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

// Freezes (or thaws) learning: plastic projections keep their weights and
// adaptive thresholds neither grow nor decay, from the current step on.
export function freezeLearning(frozen: bool): void {
  for (let q = 0; q < plasticProjs.length; q++) plasticProjs[q].frozen = frozen;
  for (let k = 0; k < pops.length; k++) pops[k].freeze(frozen, step, dt, prepared);
}

export function neuronCount(): i32 { return nNeurons; }

// After a checkpoint is loaded: the time and the event count it holds.
export function restoreClock(s: i32, events: f64): void {
  step = s;
  totalEvents = events;
  recCount = 0;
  sampleRows = 0;
}

export function isSource(p: Population): bool { return p.inputMode() == INPUT_NONE; }
