// Builds a validated model inside a kernel: populations with their
// parameters and initial state, projections with their connectivity (drawn
// by the kernel), weights and delays, recording, then prepare().

import type { Kernel } from '../kernel/wasm.js';
import type { ValidModel } from '../model/validate.js';
import type { Population, Projection, Value, InitValue } from '../model/schema.js';
import { msToSteps } from '../model/units.js';
import { makePatterns, storkeyWeights } from './patterns.js';
import { Philox, STREAM_USER_TS } from './philox.js';

export interface BuiltPopulation {
  name: string;
  model: Population['model'];
  size: number;
  /** Kernel population index. */
  index: number;
  /** Global id of neuron 0 (ids in the spike record are global). */
  first: number;
}

export interface BuiltProjection {
  name: string;
  from: string;
  to: string;
  /** Kernel projection index. */
  index: number;
}

export interface StateProbe {
  population: string;
  variable: string;
  neuron: number;
}

export interface Network {
  populations: BuiltPopulation[];
  /** Patterns of binary populations, +-1, P x N row-major, by population name. */
  patterns: Record<string, Float32Array>;
  projections: BuiltProjection[];
  probes: StateProbe[];
  /** Probe sampling interval in steps. */
  probeEverySteps: number;
  neurons: number;
}

/** Kernel variable index of a state variable name. */
export function variableIndex(kernel: Kernel, name: string): number {
  const k = kernel.k;
  const table: Record<string, number> = { v: k.VAR_V, ge: k.VAR_GE, gi: k.VAR_GI, u: k.VAR_U, i_e: k.VAR_IE, rate: k.VAR_RATE, count: k.VAR_COUNT, theta: k.VAR_THETA, state: k.VAR_STATE, bias: k.VAR_BIAS, field: k.VAR_FIELD };
  const index = table[name];
  if (index === undefined) throw new Error(`unknown state variable ${name}`);
  return index;
}

function modelKind(kernel: Kernel, model: Population['model']): number {
  const k = kernel.k;
  return {
    lif: k.MODEL_LIF, lif_cond: k.MODEL_LIF_COND, lif_delta: k.MODEL_LIF_DELTA,
    izhikevich: k.MODEL_IZHIKEVICH, poisson: k.MODEL_POISSON, spike_source: k.MODEL_SPIKE_SOURCE,
    binary: k.MODEL_BINARY,
  }[model];
}

/** Sets a state variable from a Value (drawn in the kernel) or one number per neuron. */
function setInitial(kernel: Kernel, index: number, variable: number, v: InitValue, what: string): void {
  const x = kernel.exports;
  if (!Array.isArray(v)) return kernel.check(x.initState(index, variable, ...valueArgs(v)), what);
  const ptr = kernel.write(Float64Array.from(v));
  const status = x.setStateValues(index, variable, ptr, v.length);
  kernel.free(ptr);
  kernel.check(status, what);
}

/** Arguments of the kernel's distribution calls: kind 0 const, 1 uniform, 2 normal. */
function valueArgs(v: Value): [kind: number, a: number, b: number, lo: number, hi: number] {
  if (typeof v === 'number') return [0, v, 0, -Infinity, Infinity];
  if ('uniform' in v) return [1, v.uniform[0], v.uniform[1], -Infinity, Infinity];
  return [2, v.normal[0], v.normal[1], v.clip?.[0] ?? -Infinity, v.clip?.[1] ?? Infinity];
}

export function splitSeed(seed: number): [lo: number, hi: number] {
  return [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
}

export function buildNetwork(kernel: Kernel, model: ValidModel, options: { recordCapacity?: number } = {}): Network {
  const x = kernel.exports;
  const dt = model.dt;
  x.setSeed(...splitSeed(model.seed));
  x.setDt(dt);

  const populations: BuiltPopulation[] = [];
  const byName = new Map<string, BuiltPopulation>();
  const patterns: Record<string, Float32Array> = {};
  for (const pop of model.populations) {
    const index = x.addPopulation(modelKind(kernel, pop.model), pop.size);
    kernel.check(index < 0 ? index : 0, `population "${pop.name}"`);
    const built: BuiltPopulation = { name: pop.name, model: pop.model, size: pop.size, index, first: x.popFirst(index) };
    populations.push(built);
    byName.set(pop.name, built);
    if (pop.model === 'binary') {
      if (pop.patterns) patterns[pop.name] = makePatterns(pop.patterns, pop.size, pop.params!.values === '01', model.seed, index);
      configureBinary(kernel, pop, index, dt, model.seed, patterns[pop.name]);
    } else {
      configurePopulation(kernel, pop, index, dt);
    }
  }

  const projections: BuiltProjection[] = model.projections.map((pr) => {
    const pre = byName.get(pr.from)!, post = byName.get(pr.to)!;
    return buildProjection(kernel, pr, pre, post, model, patterns[pr.to]);
  });

  const recorded = model.record?.spikes ?? 'all';
  for (const pop of populations) {
    if (recorded === 'all' || recorded.includes(pop.name)) kernel.check(x.setRecord(pop.index, 1), `record "${pop.name}"`);
  }
  x.setRecordCapacity(options.recordCapacity ?? 1 << 18);

  const probes: StateProbe[] = [];
  const states = model.record?.state ?? [];
  const intervals = states.map((s) => msToSteps(s.interval ?? dt, dt));
  const probeEverySteps = intervals.length ? Math.max(1, Math.min(...intervals)) : 1;
  for (const s of states) {
    const pop = byName.get(s.population)!;
    for (const id of s.ids) {
      kernel.check(x.addProbe(pop.index, variableIndex(kernel, s.variable), id), `record ${s.population}.${s.variable}[${id}]`);
      probes.push({ population: s.population, variable: s.variable, neuron: id });
    }
  }
  if (probes.length) x.setProbeInterval(probeEverySteps, Math.max(64, Math.floor((1 << 20) / probes.length)));

  kernel.check(x.prepare(), 'prepare');
  return { populations, projections, patterns, probes, probeEverySteps, neurons: x.neuronCount() };
}

function configureBinary(kernel: Kernel, pop: Extract<Population, { model: 'binary' }>, index: number, dt: number, seed: number, pats: Float32Array | undefined): void {
  const x = kernel.exports;
  const k = kernel.k;
  const p = pop.params!;
  const what = `population "${pop.name}"`;
  const dynamics = { deterministic: k.DYN_DETERMINISTIC, heat_bath: k.DYN_HEAT_BATH, metropolis: k.DYN_METROPOLIS }[p.dynamics!];
  const update = { random: k.UPDATE_RANDOM, sequential: k.UPDATE_SEQUENTIAL, typewriter: k.UPDATE_TYPEWRITER, poisson: k.UPDATE_POISSON, synchronous: k.UPDATE_SYNCHRONOUS }[p.update!];
  kernel.check(x.configureBinary(index, p.values === '01' ? 1 : 0, dynamics, p.temperature!, update, p.sweeps_per_step!, p.rate!), what);
  kernel.check(x.initState(index, k.VAR_BIAS, 0, p.bias! - p.threshold!, 0, -Infinity, Infinity), what);
  if (pop.init?.bias !== undefined) setInitial(kernel, index, k.VAR_BIAS, pop.init.bias, `${what} init bias`);
  const sched = p.temperature_schedule;
  if (sched && sched.times.length) {
    const sp = kernel.write(Int32Array.from(sched.times, (t) => msToSteps(t, dt))), vp = kernel.write(Float64Array.from(sched.values));
    kernel.check(x.setTemperatureSchedule(index, sp, vp, sched.times.length), `${what} temperature schedule`);
    kernel.free(sp);
    kernel.free(vp);
  }
  const [lo, hi] = p.values === '01' ? [0, 1] : [-1, 1];
  const st = pop.init?.state ?? 'random';
  const states = new Int8Array(pop.size);
  if (st === 'random') {
    const rng = new Philox(seed);
    for (let i = 0; i < pop.size; i++) states[i] = rng.uniform(i, 0, index, STREAM_USER_TS | 2) < 0.5 ? lo : hi;
  } else if (typeof st === 'number') {
    states.fill(st);
  } else if (Array.isArray(st)) {
    st.forEach((v, i) => { states[i] = v; });
  } else {
    // A stored pattern with a fraction of units flipped (a cue).
    const e = pats!.subarray(st.pattern * pop.size, (st.pattern + 1) * pop.size);
    for (let i = 0; i < pop.size; i++) states[i] = e[i]! > 0 ? hi : lo;
    const flips = Math.round((st.flip ?? 0) * pop.size);
    const rng = new Philox(seed);
    const order = Uint32Array.from({ length: pop.size }, (_, i) => i);
    for (let q = 0; q < flips; q++) {
      const r = q + Math.floor(rng.uniform(q, st.pattern, index, STREAM_USER_TS | 3) * (pop.size - q));
      const t = order[q]!; order[q] = order[r]!; order[r] = t;
      const i = order[q]!;
      states[i] = states[i] === hi ? lo : hi;
    }
  }
  writeBinaryStates(kernel, index, states);
}

/** Writes the states of a binary population (lo/hi values) and marks the fields for recomputation. */
export function writeBinaryStates(kernel: Kernel, pop: number, states: Int8Array): void {
  const x = kernel.exports;
  const ptr = x.binaryStatePtr(pop);
  new Int8Array(x.memory.buffer, ptr, states.length).set(states);
  x.markFieldsDirty();
}

function configurePopulation(kernel: Kernel, pop: Population, index: number, dt: number): void {
  const x = kernel.exports;
  const k = kernel.k;
  const what = `population "${pop.name}"`;
  const init = (name: string, v: InitValue) => setInitial(kernel, index, variableIndex(kernel, name), v, `${what} init ${name}`);
  switch (pop.model) {
    case 'lif': {
      const p = pop.params!;
      kernel.check(x.configureLif(index, p.tau_m!, p.c_m!, p.v_rest!, p.v_reset!, p.v_thresh!, p.t_ref!, p.tau_syn_e!, p.tau_syn_i!), what);
      if (p.theta_plus! > 0) kernel.check(x.setAdaptiveThreshold(index, p.theta_plus!, p.tau_theta!), what);
      init('v', p.v_rest!);
      init('i_e', p.i_e!);
      break;
    }
    case 'lif_cond': {
      const p = pop.params!;
      const integrator = p.integrator === 'euler' ? k.INTEGRATOR_EULER : k.INTEGRATOR_EXP_EULER;
      kernel.check(x.configureLifCond(index, p.c_m!, p.g_l!, p.e_l!, p.e_ex!, p.e_in!, p.v_reset!, p.v_thresh!, p.t_ref!, p.tau_syn_e!, p.tau_syn_i!, integrator), what);
      if (p.theta_plus! > 0) kernel.check(x.setAdaptiveThreshold(index, p.theta_plus!, p.tau_theta!), what);
      init('v', p.e_l!);
      init('i_e', p.i_e!);
      break;
    }
    case 'lif_delta': {
      const p = pop.params!;
      kernel.check(x.configureLifDelta(index, p.tau_m!, p.c_m!, p.v_rest!, p.v_reset!, p.v_thresh!, p.t_ref!), what);
      init('v', p.v_rest!);
      init('i_e', p.i_e!);
      break;
    }
    case 'izhikevich': {
      const p = pop.params!;
      kernel.check(x.configureIzhikevich(index, p.a!, p.b!, p.c!, p.d!, p.v_peak!, p.tau_syn_e!, p.tau_syn_i!), what);
      init('v', p.c!);
      init('i_e', p.i_e!);
      break;
    }
    case 'poisson':
      if (pop.params.process === 'regular') kernel.check(x.setRegular(index), `${what} regular`);
      init('rate', pop.params.rate);
      break;
    case 'spike_source': {
      const lists = pop.params.spike_times;
      const offsets = new Uint32Array(pop.size + 1);
      lists.forEach((times, j) => { offsets[j + 1] = offsets[j]! + times.length; });
      const times = Float64Array.from(lists.flat());
      const offPtr = kernel.write(offsets), timesPtr = kernel.write(times);
      kernel.check(x.setSourceTimes(index, offPtr, timesPtr, times.length), what);
      kernel.free(offPtr);
      kernel.free(timesPtr);
      break;
    }
  }
  if ('init' in pop && pop.init) {
    for (const [name, v] of Object.entries(pop.init) as [string, InitValue | undefined][]) if (v !== undefined) init(name, v);
  }
  if (pop.model === 'izhikevich' && !(pop.init && 'u' in pop.init)) setIzhikevichU(kernel, index, pop.size, pop.params!.b!);
  if ('poisson_input' in pop && pop.poisson_input) {
    for (const inp of pop.poisson_input) {
      const receptor = (inp.receptor ?? (inp.weight < 0 ? 'inh' : 'exc')) === 'inh' ? k.RECEPTOR_INH : k.RECEPTOR_EXC;
      kernel.check(x.addPoissonInput(index, inp.rate, inp.weight, receptor), `${what} poisson_input`);
    }
  }
  if ('current' in pop && pop.current && pop.current.times.length) {
    const steps = Int32Array.from(pop.current.times, (t) => msToSteps(t, dt));
    const amps = Float64Array.from(pop.current.amplitudes);
    const sp = kernel.write(steps), ap = kernel.write(amps);
    kernel.check(x.setSchedule(index, sp, ap, steps.length), `${what} current`);
    kernel.free(sp);
    kernel.free(ap);
  }
}

// u = b v per neuron, written through the state array (f32).
function setIzhikevichU(kernel: Kernel, pop: number, size: number, b: number): void {
  const x = kernel.exports;
  const vPtr = x.statePtr(pop, kernel.k.VAR_V);
  const uPtr = x.statePtr(pop, kernel.k.VAR_U);
  const v = kernel.readF32(vPtr, size); // izhikevich v has no offset
  const u = Float32Array.from(v, (vj) => b * vj);
  const tmp = kernel.write(u);
  new Uint8Array(x.memory.buffer).copyWithin(uPtr, tmp, tmp + u.byteLength);
  kernel.free(tmp);
}

function buildProjection(kernel: Kernel, pr: Projection, pre: BuiltPopulation, post: BuiltPopulation, model: ValidModel, postPatterns?: Float32Array): BuiltProjection {
  const x = kernel.exports;
  const k = kernel.k;
  const name = pr.name ?? `${pr.from}->${pr.to}`;
  const what = `projection "${name}"`;
  const c = pr.connect;
  const listWeights = c.rule === 'list' && c.weights !== undefined;
  const receptor = pr.receptor ?? (typeof pr.weight === 'number' && pr.weight < 0 ? 'inh' : 'exc');
  const index = x.addProjection(pre.index, post.index, receptor === 'inh' ? k.RECEPTOR_INH : k.RECEPTOR_EXC);
  kernel.check(index < 0 ? index : 0, what);
  switch (c.rule) {
    case 'fixed_probability':
      kernel.check(x.connectFixedProbability(index, c.p, c.allow_autapses === false ? 0 : 1), what);
      break;
    case 'fixed_indegree':
      kernel.check(x.connectFixedIndegree(index, c.indegree, c.allow_autapses === false ? 0 : 1, c.allow_multapses === false ? 0 : 1), what);
      break;
    case 'fixed_outdegree':
      kernel.check(x.connectFixedOutdegree(index, c.outdegree, c.allow_autapses === false ? 0 : 1, c.allow_multapses === false ? 0 : 1), what);
      break;
    case 'one_to_one':
      kernel.check(x.connectOneToOne(index), what);
      break;
    case 'all_to_all':
      kernel.check(x.connectAllToAll(index, c.allow_autapses === false ? 0 : 1), what);
      break;
    case 'all_but_one':
      kernel.check(x.connectAllButOne(index), what);
      break;
    case 'lattice':
      kernel.check(x.connectLattice(index, c.shape[0]), what);
      break;
    case 'list': {
      const ptrs = [
        kernel.write(Uint32Array.from(c.pre)),
        kernel.write(Uint32Array.from(c.post)),
        c.weights ? kernel.write(Float32Array.from(c.weights)) : 0,
        c.delays ? kernel.write(Uint16Array.from(c.delays, (d) => msToSteps(d, model.dt))) : 0,
      ] as const;
      kernel.check(x.connectList(index, ptrs[0], ptrs[1], c.pre.length, ptrs[2], ptrs[3]), what);
      for (const p of ptrs) if (p) kernel.free(p);
      break;
    }
  }
  if (pr.learn === 'hebbian') {
    const n = post.size;
    const ptr = kernel.write(postPatterns!);
    kernel.check(x.hebbianWeights(index, ptr, postPatterns!.length / n, 1 / n), what);
    kernel.free(ptr);
  } else if (pr.learn === 'storkey') {
    const n = post.size;
    const dense = storkeyWeights(postPatterns!, n);
    const rowPtr = kernel.readU32(x.projRowPtr(index), pre.size + 1);
    const targets = kernel.readU32(x.projTargetsPtr(index), rowPtr[pre.size]!);
    // Synapse j -> i carries w_ij (row of the source j, target i).
    const w = new Float32Array(targets.length);
    for (let j = 0; j < pre.size; j++) for (let s = rowPtr[j]!; s < rowPtr[j + 1]!; s++) w[s] = dense[targets[s]! * n + j]!;
    const ptr = kernel.write(w);
    kernel.check(x.setWeights(index, ptr), what);
    kernel.free(ptr);
  } else if (!listWeights) {
    const w = pr.weight!;
    if (typeof w === 'number') kernel.check(x.setWeightConst(index, w), what);
    else kernel.check(x.setWeightRandom(index, ...weightArgs(w)), what);
  }
  if (pre.model === 'binary') return { name, from: pr.from, to: pr.to, index };
  const listDelays = c.rule === 'list' && c.delays !== undefined;
  if (!listDelays) {
    const d = pr.delay ?? model.dt;
    if (typeof d === 'number') kernel.check(x.setDelayConst(index, msToSteps(d, model.dt)), what);
    else kernel.check(x.setDelayRandom(index, ...weightArgs(d)), what);
  }
  const pl = pr.plasticity;
  if (pl) {
    const rule = pl.rule === 'triplet' ? k.RULE_TRIPLET : pl.rule === 'reward_stdp' ? k.RULE_REWARD : k.RULE_PAIR;
    const pairing = pl.pairing === 'nearest' ? k.PAIRING_NEAREST : k.PAIRING_ALL;
    const dendritic = pl.delay === 'dendritic' ? 1 : 0;
    if (pl.rule === 'triplet') {
      kernel.check(x.setPlasticity(index, rule, pairing, dendritic, pl.tau_plus!, pl.tau_minus!, 0, 0, pl.w_min!, pl.w_max, 0), what);
      kernel.check(x.setTriplet(index, pl.tau_x!, pl.tau_y!, pl.a2_plus!, pl.a3_plus!, pl.a2_minus!, pl.a3_minus!), what);
    } else {
      kernel.check(x.setPlasticity(index, rule, pairing, dendritic, pl.tau_plus!, pl.tau_minus!, pl.a_plus!, pl.a_minus!, pl.w_min!, pl.w_max, pl.rule === 'stdp' ? pl.mu! : 0), what);
      if (pl.rule === 'reward_stdp') kernel.check(x.setReward(index, pl.tau_c!, pl.learning_rate!), what);
    }
  }
  if (pr.normalize) kernel.check(x.setNormalization(index, pr.normalize.total, msToSteps(pr.normalize.interval, model.dt)), what);
  return { name, from: pr.from, to: pr.to, index };
}

// setWeightRandom / setDelayRandom take kind 0 uniform, 1 normal.
function weightArgs(v: Exclude<Value, number>): [kind: number, a: number, b: number, lo: number, hi: number] {
  const [kind, a, b, lo, hi] = valueArgs(v);
  return [kind - 1, a, b, lo, hi];
}
