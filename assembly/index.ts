// The kernel's ABI: plain functions over numbers and pointers. No logic here
// beyond argument checks; see engine.ts for the step, population.ts and
// models/ for the neurons, projection.ts for connectivity. Every call that
// can fail returns a status (status.ts): 0 or a non-negative result on
// success, a negative code on failure. The host's typings of these exports
// are generated from them (bin/gen-bindings.mjs).

import * as engine from "./engine";
import * as proj from "./projection";
import * as rng from "./rng";
import * as threads from "./threads";
import * as plastic from "./plasticity";
import * as ckpt from "./checkpoint";
import * as units from "./models/binary";
import { Population } from "./population";
import { Equations } from "./models/equations";
import { MODELS } from "./models/registry";
import { PoissonSource } from "./models/poisson";
import { SpikeSource } from "./models/spike-source";
import { BinaryUnits } from "./models/binary";
import { Plasticity, RULE_REWARD, RULE_EQUATIONS } from "./plasticity-rule";
import {
  STATUS_OK, STATUS_BAD_POPULATION, STATUS_BAD_PROJECTION, STATUS_BAD_MODEL, STATUS_BAD_ARGUMENT,
  STATUS_NOT_PREPARED, STATUS_BAD_CHECKPOINT,
} from "./status";

export * from "./status";
export * from "./abi";
export { RULE_PAIR, RULE_TRIPLET, RULE_REWARD, PAIRING_ALL, PAIRING_NEAREST } from "./plasticity-rule";
export { TYPE_NONE, TYPE_F32, TYPE_F64, TYPE_U32, TYPE_I8, INPUT_NONE, INPUT_GRID, INPUT_EVENTS, INPUT_COUPLING } from "./population";
export { setDt, addPopulation, setParam, configurePopulation, addProjection, addPoissonInput, initState, setStateValues, setSchedule } from "./engine";
export { prepare, run, normalizeState, freezeLearning, setThreads, setRowBlockBytes, setUniformWeights } from "./engine";
export { setRecordCapacity, recTimesPtr, recIdsPtr, clearRecorded } from "./engine";
export { addProbe, setProbeInterval, samplesPtr, clearSamples, probeCount } from "./engine";
export { setMaxSynapses } from "./projection";
export { STREAM_INIT, STREAM_CONNECT, STREAM_WEIGHT, STREAM_DELAY, STREAM_POISSON, STREAM_USER } from "./rng";
export { savedPtr as checkpointPtr } from "./checkpoint";

// ---------------------------------------------------------------- memory

// Scratch memory for the host to pass arrays in (lists, spike times).
export function alloc(bytes: usize): usize { return heap.alloc(max<usize>(bytes, 16)); }
export function free(ptr: usize): void { heap.free(ptr); }

// ---------------------------------------------------------------- threads

// Helper threads (threads.ts), in the kernel built with the threads feature;
// without it there are no helpers and these do nothing.
export function workerLoop(t: i32): void { if (ASC_FEATURE_THREADS) threads.workerLoop(t); }
export function stopThreads(): void { if (ASC_FEATURE_THREADS) threads.stopThreads(); }
export function controlBlock(): usize { return ASC_FEATURE_THREADS ? threads.controlBlock() : 0; }
export { CTRL_GEN, CTRL_FAILED, CTRL_ACK, CTRL_LINE, MAX_THREADS } from "./threads";

// ---------------------------------------------------------------- rng

export function setSeed(lo: u32, hi: u32): void { rng.setSeed(lo, hi); }
// The key's two words (what setSeed set), for a second instance that must draw the same bits.
export function seedLo(): u32 { return rng.seedLo(); }
export function seedHi(): u32 { return rng.seedHi(); }

// Writes the four words of block (c0, c1, c2, c3) to out (for the TS twin test).
export function philoxBlock(c0: u32, c1: u32, c2: u32, c3: u32, out: usize): void {
  rng.philox(c0, c1, c2, c3);
  store<u32>(out, rng.out0);
  store<u32>(out, rng.out1, 4);
  store<u32>(out, rng.out2, 8);
  store<u32>(out, rng.out3, 12);
}
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

// ---------------------------------------------------------------- the model registry

// The host reads the models from here: a kind is an index below modelCount().
export function modelCount(): i32 { return MODELS.length; }
export function modelName(kind: i32): string { return kind >= 0 && kind < MODELS.length ? MODELS[kind].name : ""; }
// Space-separated parameter names; an enumerated one is name=a|b|c (set it to the value's index).
export function modelParams(kind: i32): string { return kind >= 0 && kind < MODELS.length ? MODELS[kind].params : ""; }
// Space-separated state variables (the last is always count).
export function modelVariables(kind: i32): string { return kind >= 0 && kind < MODELS.length ? MODELS[kind].variables : ""; }

export function popKind(pop: i32): i32 {
  const p = engine.popAt(pop);
  return p == null ? STATUS_BAD_POPULATION : p.info.kind;
}
// 1 when the population's update is split across threads (threads.ts), else 0.
export function popThreaded(pop: i32): i32 {
  const p = engine.popAt(pop);
  return p == null ? STATUS_BAD_POPULATION : (threads.isRangeUpdated(p) ? 1 : 0);
}
// How the population takes input (INPUT_*): the host needs it to place spike times.
export function popInputMode(pop: i32): i32 {
  const p = engine.popAt(pop);
  return p == null ? STATUS_BAD_POPULATION : p.inputMode();
}

// An equation population's state and generated code (see models/equations.ts):
// nVars f32 arrays (keysPtr: their initial-value streams; offsetsPtr: stored = value - offset), the table indices of its update and reset, its refractory
// period (ms), and the variables receptors exc (0) and inh (1) add to (-1: none).
export function defineEquations(pop: i32, nVars: i32, keysPtr: usize, offsetsPtr: usize, updateFn: i32, resetFn: i32, refMs: f64, exc: i32, inh: i32, tauE: f64, tauI: f64, heldMask: u32, clampPtr: usize, extraPtr: usize, nExtra: i32): i32 {
  const p = engine.popAt(pop);
  if (p == null || !(p instanceof Equations) || engine.prepared) return STATUS_BAD_POPULATION;
  return changetype<Equations>(p).define(nVars, keysPtr, offsetsPtr, updateFn, resetFn, refMs, exc, inh, tauE, tauI, heldMask, clampPtr, extraPtr, nExtra);
}

// Located spike times for an equation population (after defineEquations): the
// table indices of its generated deriv, thresh and vreset, its differential
// variables (bit k) and the variable watched for fast change.
export function locateEquations(pop: i32, derivFn: i32, threshFn: i32, vresetFn: i32, diffMask: u32, watch: i32): i32 {
  const p = engine.popAt(pop);
  if (p == null || !(p instanceof Equations) || engine.prepared) return STATUS_BAD_POPULATION;
  return changetype<Equations>(p).locate(derivFn, threshFn, vresetFn, diffMask, watch);
}

// 1 when the population's spikes keep their time within the step, 0 when they fall on its end.
export function popExactTimes(pop: i32): i32 {
  const p = engine.popAt(pop);
  return p == null ? STATUS_BAD_POPULATION : p.exactSpikeTimes() ? 1 : 0;
}

export function setRecord(pop: i32, on: bool): i32 {
  const p = engine.popAt(pop);
  if (p == null) return STATUS_BAD_POPULATION;
  p.record = on;
  return STATUS_OK;
}

// ---------------------------------------------------------------- sources

function poissonOf(pop: i32): PoissonSource | null {
  const p = engine.popAt(pop);
  return p != null && p instanceof PoissonSource ? changetype<PoissonSource>(p) : null;
}

// All the rates of a Poisson population at once (one restart of its process).
export function setRates(pop: i32, ratesPtr: usize): i32 {
  const p = poissonOf(pop);
  if (p == null) return STATUS_BAD_POPULATION;
  p.setRates(ratesPtr, <f64>engine.step * engine.dt);
  return STATUS_OK;
}

// Spike times of a spike_source: neuron j fires at times[off[j] .. off[j+1])
// (ms, sorted, > 0). off has size + 1 entries.
export function setSourceTimes(pop: i32, offPtr: usize, timesPtr: usize, nTimes: i32): i32 {
  const p = engine.popAt(pop);
  if (p == null || !(p instanceof SpikeSource) || engine.prepared) return STATUS_BAD_POPULATION;
  return changetype<SpikeSource>(p).setTimes(offPtr, timesPtr, nTimes);
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
export function connectLattice(k: i32, L: i32): i32 {
  const pr = openProj(k);
  return pr == null ? STATUS_BAD_PROJECTION : proj.connectLattice(pr, L);
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
  proj.refreshUniformWeight(pr);
  units.markFieldsDirty();
  units.invalidateFastPaths();
  return STATUS_OK;
}

// All weights of a projection at once (f32, in synapse order), e.g. learned couplings.
export function setWeights(k: i32, ptr: usize): i32 {
  const pr = engine.projAt(k);
  if (pr == null || !pr.connected) return STATUS_BAD_PROJECTION;
  memory.copy(changetype<usize>(pr.weights), ptr, <usize>pr.nSyn << 2);
  proj.refreshUniformWeight(pr);
  units.markFieldsDirty();
  units.invalidateFastPaths();
  return STATUS_OK;
}

// ---------------------------------------------------------------- plasticity

// Makes a connected projection plastic (before prepare). Amplitudes are
// fractions of w_max; see plasticity.ts for the rules.
export function setPlasticity(
  k: i32, rule: i32, pairing: i32, dendritic: bool, tauPlus: f64, tauMinus: f64,
  aPlus: f64, aMinus: f64, wMin: f64, wMax: f64, mu: f64,
): i32 {
  const pr = connectedProj(k);
  if (pr == null) return STATUS_BAD_PROJECTION;
  const pl = new Plasticity(rule);
  pl.pairing = pairing; pl.dendritic = dendritic; pl.tauPlus = tauPlus; pl.tauMinus = tauMinus;
  pl.aPlus = aPlus; pl.aMinus = aMinus; pl.wMin = wMin; pl.wMax = wMax; pl.mu = mu;
  pr.plasticity = pl;
  return STATUS_OK;
}
// A plastic projection of the equations rule (after setPlasticity): nSyn
// synaptic variables per synapse and the table indices of the generated
// on_pre, on_post and step (-1: no clock-driven equations); see
// src/equations/wasm.ts, synapseModule.
// sidesPtr: nSyn u32 (0 per synapse, 1 per presynaptic neuron, 2 per postsynaptic
// neuron); tausPtr: nSyn f64, the decay time of each (Infinity: none).
export function defineSynapseEquations(k: i32, nSyn: i32, onPre: i32, onPost: i32, stepFn: i32, sidesPtr: usize, tausPtr: usize): i32 {
  const pr = connectedProj(k);
  if (pr == null || pr.plasticity == null || engine.prepared) return STATUS_BAD_PROJECTION;
  if (nSyn < 0) return STATUS_BAD_ARGUMENT;
  const pl = pr.plasticity!;
  pl.rule = RULE_EQUATIONS;
  pl.nEv = nSyn; pl.onPre = onPre; pl.onPost = onPost; pl.stepFn = stepFn;
  pl.evSide = new StaticArray<u32>(nSyn);
  pl.evTau = new StaticArray<f64>(nSyn);
  for (let q = 0; q < nSyn; q++) {
    const side = load<u32>(sidesPtr + (<usize>q << 2)), tau = load<f64>(tausPtr + (<usize>q << 3));
    if (side > 2 || !(tau > 0)) return STATUS_BAD_ARGUMENT;
    pl.evSide[q] = side;
    pl.evTau[q] = tau;
  }
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
  if (pr == null || pr.plasticity == null || pr.plasticity!.rule != RULE_REWARD) return STATUS_BAD_PROJECTION;
  plastic.setModulator(pr, value, <f64>engine.step * engine.dt);
  return STATUS_OK;
}
// Scales the weight changes of a plastic projection by rate (> 0), from now on.
export function setLearningRate(k: i32, rate: f64): i32 {
  const pr = engine.projAt(k);
  if (pr == null || pr.plasticity == null) return STATUS_BAD_PROJECTION;
  if (!(rate > 0) || !isFinite(rate)) return STATUS_BAD_ARGUMENT;
  plastic.setLearningRate(pr.plasticity!, rate);
  return STATUS_OK;
}
// Brings reward-modulated weights up to date (before reading them).
export function flushPlasticity(k: i32): i32 {
  const pr = engine.projAt(k);
  if (pr == null) return STATUS_BAD_PROJECTION;
  if (pr.plasticity != null && pr.plasticity!.rule == RULE_REWARD) plastic.flushReward(pr, <f64>engine.step * engine.dt);
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
  if (pr == null || pr.plasticity == null || pr.plasticity!.rule != RULE_REWARD) return NaN;
  const pl = pr.plasticity!;
  return pl.elig[s] * Math.exp(-(<f64>engine.step * engine.dt - pl.base) / pl.tauC);
}

// ---------------------------------------------------------------- binary units

function unitsOf(pop: i32): BinaryUnits | null {
  const p = engine.popAt(pop);
  return p != null && p instanceof BinaryUnits ? changetype<BinaryUnits>(p) : null;
}

// From step steps[k] on, the temperature is values[k].
export function setTemperatureSchedule(pop: i32, stepsPtr: usize, valsPtr: usize, n: i32): i32 {
  const b = unitsOf(pop);
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
  const b = unitsOf(pop);
  if (b == null) return STATUS_BAD_POPULATION;
  if (!(t > 0)) return STATUS_BAD_ARGUMENT;
  b.temperature = t;
  return STATUS_OK;
}
export function setClamped(pop: i32, j: i32, on: bool): i32 {
  const b = unitsOf(pop);
  if (b == null) return STATUS_BAD_POPULATION;
  if (j < 0 || j >= b.n) return STATUS_BAD_ARGUMENT;
  units.setClamped(b, j, on);
  return STATUS_OK;
}
// Counts of joint states (index = sum over units of (s_i == hi) << i), one per step.
export function enableStateHistogram(pop: i32): i32 {
  const b = unitsOf(pop);
  if (b == null) return STATUS_BAD_POPULATION;
  if (b.n > 24) return STATUS_BAD_ARGUMENT;
  b.hist = new StaticArray<u32>(1 << b.n);
  return STATUS_OK;
}
export function stateHistogramPtr(pop: i32): usize {
  const b = unitsOf(pop);
  return b == null ? 0 : changetype<usize>(b.hist);
}
export function clearStateHistogram(pop: i32): i32 {
  const b = unitsOf(pop);
  if (b == null) return STATUS_BAD_POPULATION;
  for (let k = 0; k < b.hist.length; k++) b.hist[k] = 0;
  return STATUS_OK;
}
export function binaryFlips(pop: i32): f64 {
  const b = unitsOf(pop);
  return b == null ? NaN : b.flips;
}
export function binaryUpdates(pop: i32): f64 {
  const b = unitsOf(pop);
  return b == null ? NaN : b.updates;
}
export function latticeFastPath(pop: i32): i32 {
  const b = unitsOf(pop);
  return b == null ? STATUS_BAD_POPULATION : b.latticeL;
}
export function energy(pop: i32): f64 {
  const b = unitsOf(pop);
  return b == null ? NaN : units.energy(b, engine.prepared);
}
export function magnetisation(pop: i32): f64 {
  const b = unitsOf(pop);
  return b == null ? NaN : units.magnetisation(b);
}
// States written from outside (through statePtr): the fields follow.
export function markFieldsDirty(): void { units.markFieldsDirty(); }

// ---------------------------------------------------------------- checkpoints

// Checkpoints (see checkpoint.ts): between runs, with the record buffers
// drained. Returns the bytes written at checkpointPtr().
export function saveCheckpoint(): i32 {
  if (!engine.prepared) return STATUS_NOT_PREPARED;
  return ckpt.saveState(engine.pops, engine.projs, engine.step, engine.totalEvents);
}

export function loadCheckpoint(ptr: usize, n: i32): i32 {
  if (!engine.prepared) return STATUS_NOT_PREPARED;
  const s = ckpt.loadState(engine.pops, engine.projs, ptr, n);
  if (s < 0) return STATUS_BAD_CHECKPOINT;
  engine.restoreClock(<i32>s, ckpt.loadedEvents);
  return STATUS_OK;
}

// ---------------------------------------------------------------- inspection

export function currentStep(): i32 { return engine.step; }
export function recordedCount(): i32 { return engine.recCount; }
export function sampleCount(): i32 { return engine.sampleRows; }
export function totalEvents(): f64 { return engine.totalEvents; }
export function neuronCount(): i32 { return engine.neuronCount(); }

export function popSpikes(pop: i32): f64 {
  const p = engine.popAt(pop);
  return p == null ? NaN : p.totalSpikes + p.totalSpikesUnrecorded;
}
export function popFirst(pop: i32): i32 {
  const p = engine.popAt(pop);
  return p == null ? STATUS_BAD_POPULATION : p.first;
}

function popOf(pop: i32): Population | null { return engine.popAt(pop); }

// Pointer to the array behind state variable `variable` (index in the
// model's variable list), its element type (TYPE_*) and the offset its
// values are stored from (value = stored + offset). Call normalizeState()
// first: some variables are stored lazily decayed.
export function statePtr(pop: i32, variable: i32): usize {
  const p = popOf(pop);
  return p == null ? 0 : p.variablePtr(variable);
}
export function stateType(pop: i32, variable: i32): i32 {
  const p = popOf(pop);
  return p == null ? 0 : p.variableType(variable);
}
export function stateOffset(pop: i32, variable: i32): f64 {
  const p = popOf(pop);
  return p == null ? 0 : p.variableOffset(variable);
}
// Value of a state variable of one neuron now (event-driven potentials are
// evaluated at the current time); NaN when there is no such value.
export function stateValue(pop: i32, variable: i32, j: i32): f64 {
  const p = popOf(pop);
  if (p == null || j < 0 || j >= p.size || variable < 0 || variable >= p.variableCount()) return NaN;
  return engine.readState(p, variable, j);
}

export function projSynapses(k: i32): i32 {
  const p = engine.projAt(k);
  return p == null ? STATUS_BAD_PROJECTION : p.nSyn;
}
export function projEvents(k: i32): f64 {
  const p = engine.projAt(k);
  return p == null ? NaN : p.events;
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
  return p == null ? STATUS_BAD_PROJECTION : p.delayConst;
}
export function projDelayRange(k: i32, max: bool): i32 {
  const p = engine.projAt(k);
  return p == null ? STATUS_BAD_PROJECTION : max ? p.dMax : p.dMin;
}

// ---------------------------------------------------------------- bench references

export { referenceIsingInit, referenceIsingSweeps } from "./reference";

// ---------------------------------------------------------------- dense kernels (rate-coded modules)

export { gemm, gemv, ger, sigmoid, tanh, addRows, sumRows, bernoulli, binarizeKeyed, maskKeyed, uniformKeyed, axpy, adam, sumSquares, scale, softplusDelta, gemmSparseA, gemmSparseATrans, lstmForward, lstmBackward, tanhBackward, copyBlock } from "./dense";
