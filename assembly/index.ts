// The kernel's ABI: plain functions over numbers and pointers. No logic here
// beyond argument checks; see engine.ts for the step, projection.ts for
// connectivity, models.ts and events.ts for the neurons.

import {
  STATUS_OK, STATUS_BAD_POPULATION, STATUS_BAD_PROJECTION,
  MODEL_LIF, MODEL_LIF_COND, MODEL_LIF_DELTA, MODEL_IZHIKEVICH, MODEL_SPIKE_SOURCE, MODEL_POISSON,
  VAR_V, VAR_GE, VAR_GI, VAR_U, VAR_IE, VAR_RATE, VAR_COUNT, VAR_THETA,
} from "./abi";
import * as engine from "./engine";
import * as proj from "./projection";
import * as rng from "./rng";
import { Population } from "./population";
import * as plastic from "./plasticity";
import { BinaryUnits } from "./binary";

export * from "./abi";
export { saveCheckpoint, loadCheckpoint, setAdaptiveThreshold, addPoissonInput, normalizeState, setDt, addPopulation, addProjection, initState, setStateValues, setRegular, freezeLearning, prepare, run, setSchedule, setRate, setRates } from "./engine";
export { setRecordCapacity, recTimesPtr, recIdsPtr, clearRecorded } from "./engine";
export { addProbe, setProbeInterval, samplesPtr, clearSamples, probeCount } from "./engine";
export { setMaxSynapses } from "./projection";
export { STREAM_INIT, STREAM_CONNECT, STREAM_WEIGHT, STREAM_DELAY, STREAM_POISSON, STREAM_USER } from "./rng";

// ---------------------------------------------------------------- memory

// Scratch memory for the host to pass arrays in (lists, spike times).
export function alloc(bytes: usize): usize { return heap.alloc(max<usize>(bytes, 16)); }
export function free(ptr: usize): void { heap.free(ptr); }

// ---------------------------------------------------------------- rng

export function setSeed(lo: u32, hi: u32): void { rng.setSeed(lo, hi); }

// Writes the four words of block (c0, c1, c2, c3) to out (for the TS twin test).
export function philoxBlock(c0: u32, c1: u32, c2: u32, c3: u32, out: usize): void {
  rng.philox(c0, c1, c2, c3);
  store<u32>(out, rng.out0);
  store<u32>(out, rng.out1, 4);
  store<u32>(out, rng.out2, 8);
  store<u32>(out, rng.out3, 12);
}
// Four blocks at once (the vector path), words block-major to out (64 bytes).
// Test hook: four consecutive Philox blocks from counter (c0..c0+3, c1, c2, c3)
// by the SIMD path, written block by block (16 words) to out.
export function philoxBlocks4(c0: u32, c1: u32, c2: u32, c3: u32, out: usize): void {
  rng.philoxX4(i32x4(<i32>c0, <i32>c0 + 1, <i32>c0 + 2, <i32>c0 + 3), i32x4.splat(<i32>c1), i32x4.splat(<i32>c2), i32x4.splat(<i32>c3));
  // x4outW holds word W of each block in its lanes; transpose to block order.
  for (let j = 0; j < 4; j++) {
    store<u32>(out + (<usize>(4 * j + 0) << 2), <u32>laneOf(rng.x4out0, j));
    store<u32>(out + (<usize>(4 * j + 1) << 2), <u32>laneOf(rng.x4out1, j));
    store<u32>(out + (<usize>(4 * j + 2) << 2), <u32>laneOf(rng.x4out2, j));
    store<u32>(out + (<usize>(4 * j + 3) << 2), <u32>laneOf(rng.x4out3, j));
  }
}
function laneOf(v: v128, j: i32): i32 {
  if (j == 0) return i32x4.extract_lane(v, 0);
  if (j == 1) return i32x4.extract_lane(v, 1);
  if (j == 2) return i32x4.extract_lane(v, 2);
  return i32x4.extract_lane(v, 3);
}
export function rngUniform(c0: u32, c1: u32, c2: u32, c3: u32): f64 { return rng.uniform(c0, c1, c2, c3); }
export function rngNormal(c0: u32, c1: u32, c2: u32, c3: u32): f64 { return rng.normal(c0, c1, c2, c3); }

// ---------------------------------------------------------------- models

function modelPop(pop: i32, kind: i32): Population | null {
  const p = engine.popAt(pop);
  if (p == null || p.kind != kind || engine.prepared) return null;
  return p;
}

export function configureLif(
  pop: i32, tauM: f64, cM: f64, vRest: f64, vReset: f64, vThresh: f64, tRef: f64, tauE: f64, tauI: f64,
): i32 {
  const p = modelPop(pop, MODEL_LIF);
  if (p == null) return STATUS_BAD_POPULATION;
  p.tauM = tauM; p.cM = cM; p.vRest = vRest; p.vReset = vReset; p.vThresh = vThresh;
  p.tRef = tRef; p.tauE = tauE; p.tauI = tauI;
  p.vOffset = vRest;
  return STATUS_OK;
}

export function configureLifCond(
  pop: i32, cM: f64, gL: f64, eL: f64, eEx: f64, eIn: f64, vReset: f64, vThresh: f64, tRef: f64,
  tauE: f64, tauI: f64, integrator: i32,
): i32 {
  const p = modelPop(pop, MODEL_LIF_COND);
  if (p == null) return STATUS_BAD_POPULATION;
  p.cM = cM; p.gL = gL; p.eL = eL; p.eEx = eEx; p.eIn = eIn; p.vReset = vReset; p.vThresh = vThresh;
  p.tRef = tRef; p.tauE = tauE; p.tauI = tauI; p.integrator = integrator;
  p.vOffset = eL;
  return STATUS_OK;
}

export function configureLifDelta(
  pop: i32, tauM: f64, cM: f64, vRest: f64, vReset: f64, vThresh: f64, tRef: f64,
): i32 {
  const p = modelPop(pop, MODEL_LIF_DELTA);
  if (p == null) return STATUS_BAD_POPULATION;
  p.tauM = tauM; p.cM = cM; p.vRest = vRest; p.vReset = vReset; p.vThresh = vThresh; p.tRef = tRef;
  return STATUS_OK;
}

export function configureIzhikevich(
  pop: i32, a: f64, b: f64, c: f64, d: f64, vPeak: f64, tauE: f64, tauI: f64,
): i32 {
  const p = modelPop(pop, MODEL_IZHIKEVICH);
  if (p == null) return STATUS_BAD_POPULATION;
  p.a = a; p.b = b; p.c = c; p.d = d; p.vPeak = vPeak; p.tauE = tauE; p.tauI = tauI;
  return STATUS_OK;
}

// Spike times of a spike_source: neuron j fires at times[off[j] .. off[j+1])
// (ms, sorted, > 0). off has size + 1 entries.
export function setSourceTimes(pop: i32, offPtr: usize, timesPtr: usize, nTimes: i32): i32 {
  const p = modelPop(pop, MODEL_SPIKE_SOURCE);
  if (p == null) return STATUS_BAD_POPULATION;
  for (let j = 0; j <= p.size; j++) p.srcOffsets[j] = load<u32>(offPtr + (<usize>j << 2));
  if (p.srcOffsets[p.size] != <u32>nTimes) return STATUS_BAD_ARGUMENT;
  p.srcTimes = new StaticArray<f64>(nTimes);
  memory.copy(changetype<usize>(p.srcTimes), timesPtr, <usize>nTimes << 3);
  for (let j = 0; j < p.size; j++) p.srcCursor[j] = p.srcOffsets[j];
  return STATUS_OK;
}

export function setRecord(pop: i32, on: bool): i32 {
  const p = engine.popAt(pop);
  if (p == null) return STATUS_BAD_POPULATION;
  p.record = on;
  return STATUS_OK;
}

// ---------------------------------------------------------------- connectivity

function openProj(k: i32): proj.Projection | null {
  const p = engine.projAt(k);
  if (p == null || p.connected || engine.prepared) return null;
  return p;
}

export function connectFixedProbability(k: i32, p: f64, autapses: bool): i32 {
  const pr = openProj(k);
  return pr == null ? STATUS_BAD_PROJECTION : proj.connectFixedProbability(pr, p, autapses);
}
export function connectFixedIndegree(k: i32, n: i32, autapses: bool, multapses: bool): i32 {
  const pr = openProj(k);
  return pr == null ? STATUS_BAD_PROJECTION : proj.connectFixedIndegree(pr, n, autapses, multapses);
}
export function connectFixedOutdegree(k: i32, n: i32, autapses: bool, multapses: bool): i32 {
  const pr = openProj(k);
  return pr == null ? STATUS_BAD_PROJECTION : proj.connectFixedOutdegree(pr, n, autapses, multapses);
}
export function connectOneToOne(k: i32): i32 {
  const pr = openProj(k);
  return pr == null ? STATUS_BAD_PROJECTION : proj.connectOneToOne(pr);
}
export function connectAllToAll(k: i32, autapses: bool): i32 {
  const pr = openProj(k);
  return pr == null ? STATUS_BAD_PROJECTION : proj.connectAllToAll(pr, autapses);
}
export function connectAllButOne(k: i32): i32 {
  const pr = openProj(k);
  return pr == null ? STATUS_BAD_PROJECTION : proj.connectAllButOne(pr);
}
export function connectList(k: i32, prePtr: usize, postPtr: usize, n: i32, weightPtr: usize, delayPtr: usize): i32 {
  const pr = openProj(k);
  return pr == null ? STATUS_BAD_PROJECTION : proj.connectList(pr, prePtr, postPtr, n, weightPtr, delayPtr);
}

function connectedProj(k: i32): proj.Projection | null {
  const p = engine.projAt(k);
  if (p == null || !p.connected || engine.prepared) return null;
  return p;
}

export function setWeightConst(k: i32, w: f64): i32 {
  const pr = connectedProj(k);
  if (pr == null) return STATUS_BAD_PROJECTION;
  proj.setWeightConst(pr, w);
  return STATUS_OK;
}
export function setWeightRandom(k: i32, kind: i32, a: f64, b: f64, lo: f64, hi: f64): i32 {
  const pr = connectedProj(k);
  if (pr == null) return STATUS_BAD_PROJECTION;
  proj.setWeightRandom(pr, kind, a, b, lo, hi);
  return STATUS_OK;
}
export function setDelayConst(k: i32, steps: i32): i32 {
  const pr = connectedProj(k);
  if (pr == null || steps < 1 || steps > 65535) return STATUS_BAD_PROJECTION;
  proj.setDelayConst(pr, steps);
  return STATUS_OK;
}
export function setDelayRandom(k: i32, kind: i32, a: f64, b: f64, lo: f64, hi: f64): i32 {
  const pr = connectedProj(k);
  if (pr == null) return STATUS_BAD_PROJECTION;
  proj.setDelayRandom(pr, kind, a, b, lo, hi, engine.dt);
  return STATUS_OK;
}

// ---------------------------------------------------------------- binary units

export { DYN_DETERMINISTIC, DYN_HEAT_BATH, DYN_METROPOLIS, UPDATE_RANDOM, UPDATE_SEQUENTIAL, UPDATE_TYPEWRITER, UPDATE_POISSON, UPDATE_SYNCHRONOUS } from "./binary";
export { energy, magnetisation, markFieldsDirty } from "./engine";

function openBinary(pop: i32): BinaryUnits | null {
  return engine.binaryOf(pop);
}

// values01: {0, 1} units (else {-1, +1}); rate: updates per unit per second (poisson order).
export function configureBinary(pop: i32, values01: bool, dynamics: i32, temperature: f64, update: i32, sweeps: f64, rate: f64): i32 {
  const b = openBinary(pop);
  if (b == null || engine.prepared) return STATUS_BAD_POPULATION;
  b.setValues01(values01);
  b.dynamics = dynamics; b.temperature = temperature; b.update = update; b.sweeps = sweeps; b.rate = rate;
  return STATUS_OK;
}
// From step steps[k] on, the temperature is values[k].
export function setTemperatureSchedule(pop: i32, stepsPtr: usize, valsPtr: usize, n: i32): i32 {
  const b = openBinary(pop);
  if (b == null) return STATUS_BAD_POPULATION;
  b.tSteps = new StaticArray<i32>(n);
  b.tVals = new StaticArray<f64>(n);
  for (let k = 0; k < n; k++) {
    b.tSteps[k] = load<i32>(stepsPtr + (<usize>k << 2));
    b.tVals[k] = load<f64>(valsPtr + (<usize>k << 3));
  }
  b.tCursor = 0;
  return STATUS_OK;
}
export function setTemperature(pop: i32, t: f64): i32 {
  const b = openBinary(pop);
  if (b == null || !(t > 0)) return STATUS_BAD_POPULATION;
  b.temperature = t;
  return STATUS_OK;
}
// Units held at their state (not updated), e.g. visible units on data.
export function setClamped(pop: i32, j: i32, on: bool): i32 {
  const b = openBinary(pop);
  if (b == null || j < 0 || j >= b.n) return STATUS_BAD_POPULATION;
  b.clamped[j] = on ? 1 : 0;
  b.anyClamped = false;
  for (let i = 0; i < b.n; i++) if (b.clamped[i] != 0) b.anyClamped = true;
  engine.invalidateFastPaths();
  return STATUS_OK;
}
// Counts of joint states (index = sum over units of (s_i == hi) << i), one per step.
export function enableStateHistogram(pop: i32): i32 {
  const b = openBinary(pop);
  if (b == null || b.n > 24) return STATUS_BAD_POPULATION;
  b.hist = new StaticArray<u32>(1 << b.n);
  return STATUS_OK;
}
export function stateHistogramPtr(pop: i32): usize {
  const b = openBinary(pop);
  return b == null ? 0 : changetype<usize>(b.hist);
}
export function clearStateHistogram(pop: i32): void {
  const b = openBinary(pop);
  if (b != null) for (let k = 0; k < b.hist.length; k++) b.hist[k] = 0;
}
export function binaryStatePtr(pop: i32): usize {
  const b = openBinary(pop);
  return b == null ? 0 : changetype<usize>(b.s);
}
export function binaryFlips(pop: i32): f64 {
  const b = openBinary(pop);
  return b == null ? -1 : b.flips;
}
export function binaryUpdates(pop: i32): f64 {
  const b = openBinary(pop);
  return b == null ? -1 : b.updates;
}
export function latticeFastPath(pop: i32): i32 {
  const b = openBinary(pop);
  return b == null ? -1 : b.latticeL;
}
export function connectLattice(k: i32, L: i32): i32 {
  const pr = openProj(k);
  return pr == null ? STATUS_BAD_PROJECTION : proj.connectLattice(pr, L);
}
// Hebbian couplings w_ij = scale * sum_mu e_i^mu e_j^mu for every synapse of
// the projection, from P patterns (f32, P x n, row-major) of the units.
// Each row is a sum of P scaled copies of the patterns (f32x4), then
// gathered to the row's targets.
export function hebbianWeights(k: i32, patternsPtr: usize, nPatterns: i32, scale: f64): i32 {
  const pr = engine.projAt(k);
  if (pr == null || !pr.connected || pr.nPre != pr.nPost) return STATUS_BAD_PROJECTION;
  const n = pr.nPost;
  const np = (n + 3) & ~3;
  const row = new StaticArray<f32>(np);
  const rowPtr = changetype<usize>(row);
  for (let j = 0; j < pr.nPre; j++) {
    for (let q = 0; q < np; q++) unchecked(row[q] = 0);
    for (let mu = 0; mu < nPatterns; mu++) {
      const e = patternsPtr + ((<usize>mu * <usize>n) << 2);
      const a = <f32>(scale * <f64>load<f32>(e + (<usize>j << 2)));
      if (a == 0) continue;
      const av = f32x4.splat(a);
      const n4 = n & ~3;
      for (let q = 0; q < n4; q += 4) {
        const o = <usize>q << 2;
        v128.store(rowPtr + o, f32x4.add(v128.load(rowPtr + o), f32x4.mul(av, v128.load(e + o))));
      }
      for (let q = n4; q < n; q++) unchecked(row[q] += a * load<f32>(e + (<usize>q << 2)));
    }
    const s1 = <i32>pr.rowPtr[j + 1];
    for (let s = <i32>pr.rowPtr[j]; s < s1; s++) pr.weights[s] = row[pr.targets[s]];
  }
  engine.markFieldsDirty();
  engine.invalidateFastPaths();
  return STATUS_OK;
}

// All weights of a projection at once (f32, in synapse order), e.g. learned couplings.
export function setWeights(k: i32, ptr: usize): i32 {
  const pr = engine.projAt(k);
  if (pr == null || !pr.connected) return STATUS_BAD_PROJECTION;
  memory.copy(changetype<usize>(pr.weights), ptr, <usize>pr.nSyn << 2);
  engine.markFieldsDirty();
  engine.invalidateFastPaths();
  return STATUS_OK;
}

// ---------------------------------------------------------------- plasticity

export { RULE_PAIR, RULE_TRIPLET, RULE_REWARD, PAIRING_ALL, PAIRING_NEAREST } from "./plasticity";

// Makes a connected projection plastic (before prepare). Amplitudes are
// fractions of w_max; see plasticity.ts for the rules.
export function setPlasticity(
  k: i32, rule: i32, pairing: i32, dendritic: bool, tauPlus: f64, tauMinus: f64,
  aPlus: f64, aMinus: f64, wMin: f64, wMax: f64, mu: f64,
): i32 {
  const pr = connectedProj(k);
  if (pr == null) return STATUS_BAD_PROJECTION;
  const pl = new plastic.Plasticity(rule);
  pl.pairing = pairing; pl.dendritic = dendritic; pl.tauPlus = tauPlus; pl.tauMinus = tauMinus;
  pl.aPlus = aPlus; pl.aMinus = aMinus; pl.wMin = wMin; pl.wMax = wMax; pl.mu = mu;
  pr.plasticity = pl;
  return STATUS_OK;
}
export function setTriplet(k: i32, tauX: f64, tauY: f64, a2p: f64, a3p: f64, a2m: f64, a3m: f64): i32 {
  const pr = connectedProj(k);
  if (pr == null || pr.plasticity == null) return STATUS_BAD_PROJECTION;
  const pl = pr.plasticity!;
  pl.tauX = tauX; pl.tauY = tauY; pl.a2p = a2p; pl.a3p = a3p; pl.a2m = a2m; pl.a3m = a3m;
  return STATUS_OK;
}
export function setReward(k: i32, tauC: f64, eta: f64): i32 {
  const pr = connectedProj(k);
  if (pr == null || pr.plasticity == null) return STATUS_BAD_PROJECTION;
  pr.plasticity!.tauC = tauC;
  pr.plasticity!.eta = eta;
  return STATUS_OK;
}
export function setNormalization(k: i32, total: f64, everySteps: i32): i32 {
  const pr = connectedProj(k);
  if (pr == null) return STATUS_BAD_PROJECTION;
  pr.normTotal = total;
  pr.normEvery = everySteps;
  return STATUS_OK;
}
// The neuromodulator of a reward-modulated projection, from now on.
export function setModulator(k: i32, value: f64): i32 {
  const pr = engine.projAt(k);
  if (pr == null || pr.plasticity == null || pr.plasticity!.rule != plastic.RULE_REWARD) return STATUS_BAD_PROJECTION;
  plastic.setModulator(pr, value, <f64>engine.step * engine.dt);
  return STATUS_OK;
}
// Scales the weight changes of a plastic projection by rate (> 0), from now on.
export function setLearningRate(k: i32, rate: f64): i32 {
  const pr = engine.projAt(k);
  if (pr == null || pr.plasticity == null || !(rate > 0) || !isFinite(rate)) return STATUS_BAD_PROJECTION;
  plastic.setLearningRate(pr.plasticity!, rate);
  return STATUS_OK;
}
// Brings reward-modulated weights up to date (before reading them).
export function flushPlasticity(k: i32): i32 {
  const pr = engine.projAt(k);
  if (pr == null || pr.plasticity == null) return STATUS_BAD_PROJECTION;
  if (pr.plasticity!.rule == plastic.RULE_REWARD) plastic.flushReward(pr, <f64>engine.step * engine.dt);
  return STATUS_OK;
}
export function normalizeIncoming(k: i32, total: f64): i32 {
  const pr = engine.projAt(k);
  if (pr == null) return STATUS_BAD_PROJECTION;
  plastic.normalizeIncoming(pr, total);
  return STATUS_OK;
}
// Trace r1 of pre neuron i (post = false) or o1 of post neuron j (post = true), now.
export function traceValue(k: i32, post: bool, i: i32): f64 {
  const pr = engine.projAt(k);
  if (pr == null || pr.plasticity == null) return NaN;
  return plastic.traceValue(pr, post, i, <f64>engine.step * engine.dt);
}
// Eligibility of synapse s now (reward rule).
export function eligibilityValue(k: i32, s: i32): f64 {
  const pr = engine.projAt(k);
  if (pr == null || pr.plasticity == null || pr.plasticity!.rule != plastic.RULE_REWARD) return NaN;
  const pl = pr.plasticity!;
  return pl.elig[s] * Math.exp(-(<f64>engine.step * engine.dt - pl.base) / pl.tauC);
}

export { savedPtr as checkpointPtr } from "./checkpoint";

// ---------------------------------------------------------------- inspection

export function currentStep(): i32 { return engine.step; }
export function recordedCount(): i32 { return engine.recCount; }
export function sampleCount(): i32 { return engine.sampleRows; }
export function totalEvents(): f64 { return engine.totalEvents; }
export function neuronCount(): i32 { return engine.neuronCount(); }

export function popSpikes(pop: i32): f64 {
  const p = engine.popAt(pop);
  return p == null ? -1 : p.totalSpikes + p.totalSpikesUnrecorded;
}
export function popFirst(pop: i32): i32 {
  const p = engine.popAt(pop);
  return p == null ? -1 : p.first;
}

// Pointer to a state variable's array and its element type; call
// normalizeState() first to read ge, gi (they are stored lazily decayed).
// The v of lif and lif_cond is stored minus stateOffset().
// (1 = f32, 2 = f64, 3 = u32, 0 = the population has no such variable).
export function statePtr(pop: i32, variable: i32): usize {
  const p = engine.popAt(pop);
  if (p == null) return 0;
  const delta = p.kind == MODEL_LIF_DELTA, grid = p.isClockDriven();
  if (variable == VAR_V) return grid ? changetype<usize>(p.v) : delta ? changetype<usize>(p.vd) : 0;
  if (variable == VAR_IE) return grid ? changetype<usize>(p.ie) : delta ? changetype<usize>(p.ied) : 0;
  if (variable == VAR_GE) return grid ? changetype<usize>(p.ge) : 0;
  if (variable == VAR_GI) return grid ? changetype<usize>(p.gi) : 0;
  if (variable == VAR_U) return p.kind == MODEL_IZHIKEVICH ? changetype<usize>(p.u) : 0;
  if (variable == VAR_RATE) return p.kind == MODEL_POISSON ? changetype<usize>(p.rate) : 0;
  if (variable == VAR_COUNT) return changetype<usize>(p.counts);
  if (variable == VAR_THETA) return p.thetaPlus != 0 ? changetype<usize>(p.theta) : 0;
  return 0;  // binary units: binaryStatePtr (i8)
}
export function stateOffset(pop: i32, variable: i32): f64 {
  const p = engine.popAt(pop);
  return p != null && variable == VAR_V && p.isClockDriven() ? p.vOffset : 0;
}
export function stateType(pop: i32, variable: i32): i32 {
  const p = engine.popAt(pop);
  if (p == null || statePtr(pop, variable) == 0) return 0;
  if (variable == VAR_COUNT) return 3;
  if (p.kind == MODEL_LIF_DELTA || p.kind == MODEL_POISSON) return 2;
  return 1;
}
// Value of a state variable of one neuron now (lif_delta potentials are
// evaluated at the current time).
export function stateValue(pop: i32, variable: i32, j: i32): f64 {
  const p = engine.popAt(pop);
  if (p == null || j < 0 || j >= p.size) return NaN;
  return engine.readState(p, variable, j);
}

export function projSynapses(k: i32): i32 {
  const p = engine.projAt(k);
  return p == null ? -1 : p.nSyn;
}
export function projEvents(k: i32): f64 {
  const p = engine.projAt(k);
  return p == null ? -1 : p.events;
}
export function projRowPtr(k: i32): usize {
  const p = engine.projAt(k);
  return p == null ? 0 : changetype<usize>(p.rowPtr);
}
export function projTargetsPtr(k: i32): usize {
  const p = engine.projAt(k);
  return p == null ? 0 : changetype<usize>(p.targets);
}
export function projWeightsPtr(k: i32): usize {
  const p = engine.projAt(k);
  return p == null ? 0 : changetype<usize>(p.weights);
}
// Plastic projections: their f64 master weights (0 when static).
export function projWeights64Ptr(k: i32): usize {
  const p = engine.projAt(k);
  return p == null || p.plasticity == null ? 0 : changetype<usize>(p.plasticity!.w);
}
// Per-synapse delays (u16 steps), or 0 when the projection has one delay.
export function projDelaysPtr(k: i32): usize {
  const p = engine.projAt(k);
  return p == null || p.delays.length == 0 ? 0 : changetype<usize>(p.delays);
}
export function projDelayConst(k: i32): i32 {
  const p = engine.projAt(k);
  return p == null ? -1 : p.delayConst;
}
export function projDelayRange(k: i32, max: bool): i32 {
  const p = engine.projAt(k);
  return p == null ? -1 : max ? p.dMax : p.dMin;
}

// ---------------------------------------------------------------- bench references

export { referenceIsingInit, referenceIsingSweeps } from "./reference";

// ---------------------------------------------------------------- dense kernels (rate-coded modules)

export { gemm, gemv, ger, sigmoid, tanh, addRows, sumRows, bernoulli, axpy, adam, sumSquares, scale } from "./dense";
