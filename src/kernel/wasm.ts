// Loads the WASM kernel. The module is compiled once per flavour and
// process; every Kernel is a fresh instance with its own memory. This is the
// only module that touches WebAssembly memory directly.

import { readFileSync } from 'node:fs';
import { KernelError } from '../errors.js';
import { packagePath } from '../paths.js';

export type KernelFlavor = 'release' | 'debug';

/** The kernel's exports (assembly/index.ts). Pointers are byte offsets. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  setSeed(lo: number, hi: number): void;
  philoxBlock(c0: number, c1: number, c2: number, c3: number, out: number): void;
  philoxBlocks4(c0: number, c1: number, c2: number, c3: number, out: number): void;
  rngUniform(c0: number, c1: number, c2: number, c3: number): number;
  rngNormal(c0: number, c1: number, c2: number, c3: number): number;
  setDt(dtMs: number): void;
  addPopulation(kind: number, size: number): number;
  configureLif(pop: number, tauM: number, cM: number, vRest: number, vReset: number, vThresh: number, tRef: number, tauE: number, tauI: number): number;
  configureLifCond(pop: number, cM: number, gL: number, eL: number, eEx: number, eIn: number, vReset: number, vThresh: number, tRef: number, tauE: number, tauI: number, integrator: number): number;
  configureLifDelta(pop: number, tauM: number, cM: number, vRest: number, vReset: number, vThresh: number, tRef: number): number;
  configureIzhikevich(pop: number, a: number, b: number, c: number, d: number, vPeak: number, tauE: number, tauI: number): number;
  setSourceTimes(pop: number, offPtr: number, timesPtr: number, nTimes: number): number;
  setSchedule(pop: number, stepsPtr: number, ampsPtr: number, n: number): number;
  setRecord(pop: number, on: number): number;
  setRate(pop: number, j: number, rate: number): number;
  setRates(pop: number, ratesPtr: number): number;
  addPoissonInput(pop: number, rate: number, weight: number, receptor: number): number;
  setAdaptiveThreshold(pop: number, thetaPlus: number, tauTheta: number): number;
  initState(pop: number, variable: number, kind: number, a: number, b: number, lo: number, hi: number): number;
  setStateValues(pop: number, variable: number, ptr: number, n: number): number;
  setRegular(pop: number): number;
  freezeLearning(frozen: number): void;
  addProjection(pre: number, post: number, receptor: number): number;
  connectFixedProbability(proj: number, p: number, autapses: number): number;
  connectFixedIndegree(proj: number, k: number, autapses: number, multapses: number): number;
  connectFixedOutdegree(proj: number, k: number, autapses: number, multapses: number): number;
  connectOneToOne(proj: number): number;
  connectAllToAll(proj: number, autapses: number): number;
  connectAllButOne(proj: number): number;
  connectList(proj: number, prePtr: number, postPtr: number, n: number, weightPtr: number, delayPtr: number): number;
  setWeightConst(proj: number, w: number): number;
  setWeightRandom(proj: number, kind: number, a: number, b: number, lo: number, hi: number): number;
  setDelayConst(proj: number, steps: number): number;
  setDelayRandom(proj: number, kind: number, a: number, b: number, lo: number, hi: number): number;
  setMaxSynapses(n: number): void;
  setPlasticity(proj: number, rule: number, pairing: number, dendritic: number, tauPlus: number, tauMinus: number, aPlus: number, aMinus: number, wMin: number, wMax: number, mu: number): number;
  setTriplet(proj: number, tauX: number, tauY: number, a2p: number, a3p: number, a2m: number, a3m: number): number;
  setReward(proj: number, tauC: number, eta: number): number;
  setNormalization(proj: number, total: number, everySteps: number): number;
  setModulator(proj: number, value: number): number;
  setLearningRate(proj: number, rate: number): number;
  flushPlasticity(proj: number): number;
  normalizeIncoming(proj: number, total: number): number;
  traceValue(proj: number, post: number, i: number): number;
  eligibilityValue(proj: number, s: number): number;
  configureBinary(pop: number, values01: number, dynamics: number, temperature: number, update: number, sweeps: number, rate: number): number;
  setTemperatureSchedule(pop: number, stepsPtr: number, valsPtr: number, n: number): number;
  setTemperature(pop: number, t: number): number;
  setClamped(pop: number, j: number, on: number): number;
  enableStateHistogram(pop: number): number;
  stateHistogramPtr(pop: number): number;
  clearStateHistogram(pop: number): void;
  binaryStatePtr(pop: number): number;
  binaryFlips(pop: number): number;
  binaryUpdates(pop: number): number;
  latticeFastPath(pop: number): number;
  connectLattice(proj: number, L: number): number;
  hebbianWeights(proj: number, patternsPtr: number, nPatterns: number, scale: number): number;
  setWeights(proj: number, ptr: number): number;
  energy(pop: number): number;
  magnetisation(pop: number): number;
  referenceIsingInit(L: number, T: number, seed: number): void;
  gemm(transA: number, transB: number, m: number, n: number, k: number, alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number): void;
  gemv(transA: number, m: number, k: number, A: number, x: number, beta: number, y: number): void;
  ger(m: number, n: number, alpha: number, x: number, y: number, A: number): void;
  sigmoid(n: number, x: number, out: number): void;
  tanh(n: number, x: number, out: number): void;
  addRows(m: number, n: number, X: number, b: number): void;
  sumRows(m: number, n: number, X: number, alpha: number, beta: number, out: number): void;
  bernoulli(n: number, p: number, out: number, counterLo: number, counterHi: number, stream: number): void;
  axpy(n: number, alpha: number, x: number, y: number): void;
  adam(n: number, w: number, g: number, m: number, v: number, lrT: number, b1: number, b2: number, epsT: number): void;
  sumSquares(n: number, x: number): number;
  scale(n: number, alpha: number, x: number): void;
  referenceIsingSweeps(L: number, sweeps: number, seed: number): number;
  markFieldsDirty(): void;
  prepare(): number;
  saveCheckpoint(): number;
  loadCheckpoint(ptr: number, n: number): number;
  checkpointPtr(): number;
  run(maxSteps: number): number;
  normalizeState(): void;
  setRecordCapacity(cap: number): void;
  recTimesPtr(): number;
  recIdsPtr(): number;
  recordedCount(): number;
  clearRecorded(): void;
  addProbe(pop: number, variable: number, j: number): number;
  setProbeInterval(steps: number, rowsCap: number): void;
  samplesPtr(): number;
  sampleCount(): number;
  clearSamples(): void;
  probeCount(): number;
  currentStep(): number;
  totalEvents(): number;
  neuronCount(): number;
  popSpikes(pop: number): number;
  popFirst(pop: number): number;
  statePtr(pop: number, variable: number): number;
  stateType(pop: number, variable: number): number;
  stateOffset(pop: number, variable: number): number;
  stateValue(pop: number, variable: number, j: number): number;
  projSynapses(proj: number): number;
  projEvents(proj: number): number;
  projRowPtr(proj: number): number;
  projTargetsPtr(proj: number): number;
  projWeightsPtr(proj: number): number;
  projWeights64Ptr(proj: number): number;
  projDelaysPtr(proj: number): number;
  projDelayConst(proj: number): number;
  projDelayRange(proj: number, max: number): number;
}

/** Constants exported by assembly/abi.ts, read from the instance. */
export interface KernelConstants {
  MODEL_LIF: number; MODEL_LIF_COND: number; MODEL_LIF_DELTA: number; MODEL_IZHIKEVICH: number;
  MODEL_POISSON: number; MODEL_SPIKE_SOURCE: number;
  VAR_V: number; VAR_GE: number; VAR_GI: number; VAR_U: number; VAR_IE: number; VAR_RATE: number; VAR_COUNT: number; VAR_THETA: number;
  RECEPTOR_EXC: number; RECEPTOR_INH: number;
  INTEGRATOR_EULER: number; INTEGRATOR_EXP_EULER: number;
  STREAM_INIT: number; STREAM_CONNECT: number; STREAM_WEIGHT: number; STREAM_DELAY: number; STREAM_POISSON: number; STREAM_USER: number;
  STATUS_OK: number;
  RULE_PAIR: number; RULE_TRIPLET: number; RULE_REWARD: number; PAIRING_ALL: number; PAIRING_NEAREST: number;
  MODEL_BINARY: number; VAR_STATE: number; VAR_BIAS: number; VAR_FIELD: number;
  DYN_DETERMINISTIC: number; DYN_HEAT_BATH: number; DYN_METROPOLIS: number;
  UPDATE_RANDOM: number; UPDATE_SEQUENTIAL: number; UPDATE_TYPEWRITER: number; UPDATE_POISSON: number; UPDATE_SYNCHRONOUS: number;
}

const STATUS_NAMES: Record<number, string> = {
  1: 'no such population', 2: 'no such projection (or not connected)', 3: 'the population has no such variable',
  4: 'bad argument', 5: 'too many synapses', 6: 'not prepared', 7: 'already prepared',
};

const modules = new Map<KernelFlavor, WebAssembly.Module>();

export function kernelModule(flavor: KernelFlavor): WebAssembly.Module {
  let mod = modules.get(flavor);
  if (!mod) {
    const file = packagePath('build', `${flavor}.wasm`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (cause) {
      throw new KernelError(`cannot read the kernel ${file}: run "npm run build"`, undefined, { cause });
    }
    mod = new WebAssembly.Module(bytes);
    modules.set(flavor, mod);
  }
  return mod;
}

/** The flavour tests and tools use unless told otherwise (HEBB_KERNEL=debug). */
export function defaultFlavor(): KernelFlavor {
  return process.env.HEBB_KERNEL === 'debug' ? 'debug' : 'release';
}

export class Kernel {
  readonly exports: KernelExports;
  readonly k: KernelConstants;
  readonly flavor: KernelFlavor;
  private buffer: ArrayBuffer | undefined;
  private u8v!: Uint8Array;
  private u16v!: Uint16Array;
  private u32v!: Uint32Array;
  private i32v!: Int32Array;
  private f32v!: Float32Array;
  private f64v!: Float64Array;

  constructor(flavor: KernelFlavor = defaultFlavor()) {
    this.flavor = flavor;
    let memory: WebAssembly.Memory | undefined;
    const abort = (msgPtr: number, filePtr: number, line: number, col: number) => {
      const msg = memory ? readAsString(memory, msgPtr) : '?';
      const file = memory ? readAsString(memory, filePtr) : '?';
      throw new KernelError(`kernel abort: ${msg} at ${file}:${line}:${col}`);
    };
    const instance = new WebAssembly.Instance(kernelModule(flavor), { env: { abort } });
    const raw = instance.exports as unknown as KernelExports & Record<string, WebAssembly.Global>;
    memory = raw.memory;
    this.exports = raw;
    const k: Record<string, number> = {};
    for (const [name, value] of Object.entries(instance.exports)) {
      if (value instanceof WebAssembly.Global && /^[A-Z_]+$/.test(name)) k[name] = value.value as number;
    }
    this.k = k as unknown as KernelConstants;
  }

  /** Throws a KernelError unless a build call returned STATUS_OK. */
  check(status: number, what: string): void {
    if (status !== 0) {
      const code = Math.abs(status);
      throw new KernelError(`${what}: ${STATUS_NAMES[code] ?? `status ${status}`}`);
    }
  }

  // Views are rebuilt whenever memory has grown (growing detaches the old buffer).
  private views(): void {
    const buf = this.exports.memory.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.u8v = new Uint8Array(buf);
      this.u16v = new Uint16Array(buf);
      this.u32v = new Uint32Array(buf);
      this.i32v = new Int32Array(buf);
      this.f32v = new Float32Array(buf);
      this.f64v = new Float64Array(buf);
    }
  }

  /** Copies `n` f64 from kernel memory at `ptr`. */
  readF64(ptr: number, n: number): Float64Array { this.views(); return this.f64v.slice(ptr >>> 3, (ptr >>> 3) + n); }
  readF32(ptr: number, n: number): Float32Array { this.views(); return this.f32v.slice(ptr >>> 2, (ptr >>> 2) + n); }
  readU32(ptr: number, n: number): Uint32Array { this.views(); return this.u32v.slice(ptr >>> 2, (ptr >>> 2) + n); }
  readI32(ptr: number, n: number): Int32Array { this.views(); return this.i32v.slice(ptr >>> 2, (ptr >>> 2) + n); }
  readU16(ptr: number, n: number): Uint16Array { this.views(); return this.u16v.slice(ptr >>> 1, (ptr >>> 1) + n); }
  readU8(ptr: number, n: number): Uint8Array { this.views(); return this.u8v.slice(ptr, ptr + n); }
  readI8(ptr: number, n: number): Int8Array { this.views(); return new Int8Array(this.u8v.buffer.slice(ptr, ptr + n)); }

  /** Copies an array into fresh kernel memory; returns its pointer (free it with free()). */
  write(data: Float64Array | Float32Array | Uint32Array | Int32Array | Uint16Array | Uint8Array | Int8Array): number {
    const ptr = this.exports.alloc(Math.max(data.byteLength, 16));
    this.views();
    this.u8v.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ptr);
    return ptr;
  }

  free(ptr: number): void { this.exports.free(ptr); }
}

// AssemblyScript strings: UTF-16LE, byte length stored 4 bytes before the data.
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0]! >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
}
