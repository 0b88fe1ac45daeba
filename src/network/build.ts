// Builds a validated model inside a kernel: populations with their
// parameters and initial values (each neuron model says how, see
// src/model/neurons), projections with their connectivity (each rule says
// how, src/model/connect.ts; the kernel draws it), weights, delays and
// plasticity, recording, then prepare().

import type { Kernel } from '../kernel/kernel.js';
import type { ValidModel } from '../model/validate.js';
import type { Population, Projection, InitValue } from '../model/schema.js';
import { neuronModel, variableUnits, type NeuronModel, type SetupPort } from '../model/neurons/index.js';
import { connectionRule, type ConnectionBuilder } from '../model/connect.js';
import { plasticityRule } from '../model/plasticity.js';
import { msToSteps } from '../model/units.js';
import { makePatterns, storkeyWeights } from './patterns.js';

export interface BuiltPopulation {
  name: string;
  model: string;
  size: number;
  /** Kernel population index. */
  index: number;
  /** Global id of neuron 0 (ids in the spike record are global). */
  first: number;
  /** Spikes fall on the step's end (most clock-driven models); otherwise they keep their times. */
  clock: boolean;
  /** Equation populations: the integration method chosen and why. */
  method?: { name: string; reason: string };
}

export interface BuiltProjection {
  name: string;
  from: string;
  to: string;
  /** Kernel projection index. */
  index: number;
  plastic: boolean;
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
  /** Milliseconds spent generating code for equation populations (summary.json wall_ms.compile). */
  compileMs: number;
}

export function buildNetwork(kernel: Kernel, model: ValidModel, options: { recordCapacity?: number } = {}): Network {
  // Milliseconds spent generating and instantiating code for equation models.
  const compileMs = { value: 0 };
  const dt = model.dt;
  kernel.setSeed(model.seed);
  kernel.setDt(dt);

  const populations: BuiltPopulation[] = [];
  const byName = new Map<string, BuiltPopulation>();
  const patterns: Record<string, Float32Array> = {};
  for (const pop of model.populations) {
    const built = buildPopulation(kernel, pop, model, patterns, compileMs);
    populations.push(built);
    byName.set(pop.name, built);
  }

  const projections: BuiltProjection[] = model.projections.map((pr) => {
    const pre = byName.get(pr.from)!, post = byName.get(pr.to)!;
    return buildProjection(kernel, pr, pre, post, model, compileMs, patterns[pr.to]);
  });

  const recorded = model.record?.spikes ?? 'all';
  for (const pop of populations) {
    if (recorded === 'all' || recorded.includes(pop.name)) kernel.setRecord(pop.index, true, `record "${pop.name}"`);
  }
  kernel.setRecordCapacity(options.recordCapacity ?? 1 << 18);

  const probes: StateProbe[] = [];
  const states = model.record?.state ?? [];
  const intervals = states.map((s) => msToSteps(s.interval ?? dt, dt));
  const probeEverySteps = intervals.length ? Math.max(1, Math.min(...intervals)) : 1;
  for (const s of states) {
    const pop = byName.get(s.population)!;
    for (const id of s.ids) {
      kernel.addProbe(pop.index, s.variable, id, `record ${s.population}.${s.variable}[${id}]`);
      probes.push({ population: s.population, variable: s.variable, neuron: id });
    }
  }
  if (probes.length) kernel.setProbeInterval(probeEverySteps, Math.max(64, Math.floor((1 << 20) / probes.length)));

  kernel.prepare();
  return { populations, projections, patterns, probes, probeEverySteps, neurons: kernel.neuronCount(), compileMs: compileMs.value };
}

function buildPopulation(kernel: Kernel, pop: Population, model: ValidModel, patterns: Record<string, Float32Array>, compileMs: { value: number }): BuiltPopulation {
  const m = neuronModel(pop.model)! as NeuronModel<unknown>;
  const what = `population "${pop.name}"`;
  const index = kernel.addPopulation(m.name, pop.size, what);
  let method: BuiltPopulation['method'];
  m.compile?.(pop as never, { dt: model.dt, defineEquations: (c) => { compileMs.value += kernel.defineEquations(index, c, what); method = { name: c.method, reason: c.methodReason }; } });
  const params = (pop.params ?? {}) as unknown;
  if (pop.patterns) patterns[pop.name] = makePatterns(pop.patterns, pop.size, (pop.params as { values?: string }).values === '01', model.seed, index);
  kernel.configurePopulation(index, m.kernel(params), what);
  const init = (name: string, v: InitValue) => {
    const where = `${what} init ${name}`;
    if (Array.isArray(v)) kernel.setState(index, name, v, where);
    else kernel.initState(index, name, v, where);
  };
  for (const [name, v] of Object.entries(m.initial(params))) init(name, v);
  if (pop.init && m.initSchema === undefined) {
    for (const [name, v] of Object.entries(pop.init) as [string, InitValue | undefined][]) if (v !== undefined) init(name, v);
  }
  for (const inp of pop.poisson_input ?? []) {
    kernel.addPoissonInput(index, inp.rate, inp.weight, inp.receptor ?? (inp.weight < 0 ? 'inh' : 'exc'), inp.timing === 'exact', `${what} poisson_input`);
  }
  if (pop.current && pop.current.times.length) {
    const steps = Int32Array.from(pop.current.times, (t) => msToSteps(t, model.dt));
    kernel.setSchedule(index, steps, Float64Array.from(pop.current.amplitudes), `${what} current`);
  }
  if (m.setup) {
    const port: SetupPort = {
      seed: model.seed,
      dt: model.dt,
      index,
      patterns: patterns[pop.name],
      initState: init,
      setSourceTimes: (offsets, times) => kernel.setSourceTimes(index, offsets, times, what),
      setTemperatureSchedule: (steps, values) => kernel.setTemperatureSchedule(index, steps, values, `${what} temperature schedule`),
      writeBinaryStates: (states) => kernel.writeBinaryStates(index, states),
    };
    m.setup(pop as never, port);
  }
  return { name: pop.name, model: pop.model, size: pop.size, index, first: kernel.firstId(index), clock: !kernel.exactSpikeTimes(index), ...(method ? { method } : {}) };
}

function buildProjection(kernel: Kernel, pr: Projection, pre: BuiltPopulation, post: BuiltPopulation, model: ValidModel, compileMs: { value: number }, postPatterns?: Float32Array): BuiltProjection {
  const name = pr.name ?? `${pr.from}->${pr.to}`;
  const what = `projection "${name}"`;
  const c = pr.connect;
  const listWeights = c.rule === 'list' && c.weights !== undefined;
  const receptor = pr.receptor ?? (typeof pr.weight === 'number' && pr.weight < 0 ? 'inh' : 'exc');
  const index = kernel.addProjection(pre.index, post.index, receptor, what);
  const builder: ConnectionBuilder = {
    fixedProbability: (p, autapses) => kernel.connectFixedProbability(index, p, autapses, what),
    fixedIndegree: (n, autapses, multapses) => kernel.connectFixedIndegree(index, n, autapses, multapses, what),
    fixedOutdegree: (n, autapses, multapses) => kernel.connectFixedOutdegree(index, n, autapses, multapses, what),
    oneToOne: () => kernel.connectOneToOne(index, what),
    allToAll: (autapses) => kernel.connectAllToAll(index, autapses, what),
    allButOne: () => kernel.connectAllButOne(index, what),
    lattice: (side) => kernel.connectLattice(index, side, what),
    list: (preIds, postIds, weights, delaySteps) => kernel.connectList(index, preIds, postIds, weights, delaySteps, what),
  };
  connectionRule(c.rule).build(c as never, builder, model.dt);
  if (pr.learn === 'hebbian') {
    kernel.hebbianWeights(index, postPatterns!, postPatterns!.length / post.size, 1 / post.size, what);
  } else if (pr.learn === 'storkey') {
    const n = post.size;
    const dense = storkeyWeights(postPatterns!, n);
    const rowPtr = kernel.rowPointers(index, pre.size);
    const targets = kernel.targets(index);
    // Synapse j -> i carries w_ij (row of the source j, target i).
    const w = new Float32Array(targets.length);
    for (let j = 0; j < pre.size; j++) for (let s = rowPtr[j]!; s < rowPtr[j + 1]!; s++) w[s] = dense[targets[s]! * n + j]!;
    kernel.writeWeights(index, w, what);
  } else if (!listWeights) {
    kernel.setWeights(index, pr.weight!, what);
  }
  const built = { name, from: pr.from, to: pr.to, index, plastic: !!pr.plasticity };
  if (kernel.inputMode(pre.index) === 'coupling') return built;
  const listDelays = c.rule === 'list' && c.delays !== undefined;
  if (!listDelays) {
    const d = pr.delay ?? model.dt;
    if (typeof d === 'number') kernel.setDelaySteps(index, msToSteps(d, model.dt), what);
    else kernel.setDelayDistribution(index, d, what);
  }
  if (pr.plasticity) {
    const prePop = model.populations.find((q) => q.name === pr.from)!, postPop = model.populations.find((q) => q.name === pr.to)!;
    const k = plasticityRule(pr.plasticity.rule).kernel(pr.plasticity, { pre: variableUnits(prePop), post: variableUnits(postPop), dt: model.dt });
    kernel.setPlasticity(index, k.base, what);
    if (k.triplet) kernel.setTriplet(index, k.triplet.tauX, k.triplet.tauY, k.triplet.a2p, k.triplet.a3p, k.triplet.a2m, k.triplet.a3m, what);
    if (k.reward) kernel.setReward(index, k.reward.tauC, k.reward.eta, what);
    if (k.equations) compileMs.value += kernel.defineSynapseEquations(index, pre.index, post.index, k.equations, what);
  }
  if (pr.normalize) kernel.setNormalization(index, pr.normalize.total, msToSteps(pr.normalize.interval, model.dt), what);
  return built;
}
