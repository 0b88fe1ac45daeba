import { describe, it, expect } from 'vitest';
import { validateModel } from '../../src/model/validate.js';
import { ModelError, type Issue } from '../../src/core/errors.js';
import { applyOverrides, loadPreset, listPresets } from '../../src/model/load.js';
import { MODEL_NAMES } from '../../src/model/neurons/index.js';

const base = () => ({
  populations: [{ name: 'a', size: 10, model: 'lif' }, { name: 'b', size: 5, model: 'lif' }],
  projections: [{ from: 'a', to: 'b', connect: { rule: 'fixed_probability', p: 0.5 }, weight: 1 }],
});

function issuesOf(model: unknown, limits = {}): Issue[] {
  try {
    validateModel(model, { limits });
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return (e as ModelError).issues;
  }
  throw new Error('model was accepted');
}

function set(model: object, path: string, value: unknown): Record<string, unknown> {
  return applyOverrides(model, [`${path}=${JSON.stringify(value)}`]) as Record<string, unknown>;
}

describe('model validation', () => {
  it('accepts every preset and fills in defaults', () => {
    for (const p of listPresets()) validateModel(loadPreset(p.name));
    const m = validateModel(base());
    expect(m.dt).toBe(0.1);
    expect(m.duration).toBe(1000);
    expect(m.seed).toBe(1);
    expect(m.populations[0]!.params!.tau_m).toBe(10);
  });

  it.each([
    ['unknown model', '/populations/0/model', 'lfi', '/populations/0/model', 'unknown model "lfi" (did you mean "lif"?); expected one of ' + MODEL_NAMES.join(', ')],
    ['negative size', '/populations/0/size', -3, '/populations/0/size', 'must be >= 0 (got -3)'],
    ['fractional size', '/populations/0/size', 2.5, '/populations/0/size', 'must be an integer (got 2.5)'],
    ['p above 1', '/projections/0/connect/p', 1.5, '/projections/0/connect/p', 'must be <= 1 (got 1.5)'],
    ['p below 0', '/projections/0/connect/p', -0.1, '/projections/0/connect/p', 'must be >= 0 (got -0.1)'],
    ['delay below dt', '/projections/0/delay', 0.05, '/projections/0/delay', 'delay must be >= dt = 0.1 ms (got 0.05 ms)'],
    ['missing population', '/projections/0/to', 'c', '/projections/0/to', 'no population named "c"'],
    ['misspelt population', '/projections/0/from', 'aa', '/projections/0/from', 'no population named "aa" (did you mean "a"?)'],
    ['unknown parameter', '/populations/0/params', { tau_mm: 5 }, '/populations/0/params/tau_mm', 'unknown property "tau_mm" (did you mean "tau_m"?)'],
    ['negative time constant', '/populations/0/params', { tau_m: -5 }, '/populations/0/params/tau_m', 'membrane time constant must be > 0 ms (got -5)'],
    ['reset above threshold', '/populations/0/params', { v_reset: -40, v_thresh: -50 }, '/populations/0/params/v_reset', 'reset potential must be below the threshold (v_reset -40 mV, v_thresh -50 mV)'],
    ['unknown rule', '/projections/0/connect', { rule: 'random' }, '/projections/0/connect/rule', 'unknown rule "random"; expected one of fixed_probability, fixed_indegree, fixed_outdegree, one_to_one, all_to_all, all_but_one, lattice, list'],
    ['weight of the wrong type', '/projections/0/weight', 'heavy', '/projections/0/weight', 'must be a number, { "uniform": [low, high] } or { "normal": [mean, sd], "clip": [low, high] } (got "heavy")'],
    ['a zero time step', '/dt', 0, '/dt', 'time step must be > 0 ms (got 0)'],
  ])('rejects %s with the path and the rule', (_what, path, value, issuePath, message) => {
    const issues = issuesOf(set(base(), path, value));
    expect(issues).toContainEqual({ path: issuePath, message });
  });

  it('rejects NaN and Infinity wherever they are', () => {
    const m = base() as Record<string, unknown>;
    (m.populations as Record<string, unknown>[])[0]!.params = { tau_m: NaN };
    m.duration = Infinity;
    const issues = issuesOf(m);
    expect(issues).toContainEqual({ path: '/populations/0/params/tau_m', message: 'must be a finite number (got NaN)' });
    expect(issues).toContainEqual({ path: '/duration', message: 'must be a finite number (got Infinity)' });
  });

  it('reports every issue at once, and names the first in the message with a count', () => {
    const m = set(set(base(), '/populations/0/params', { tau_m: -1, c_m: 0 }), '/projections/0/to', 'zz');
    try {
      validateModel(m, { source: 'm.json' });
      expect.unreachable();
    } catch (e) {
      const err = e as ModelError;
      expect(err.issues.length).toBe(3);
      expect(err.message).toBe('m.json: /populations/0/params/tau_m: membrane time constant must be > 0 ms (got -1) (+2 more)');
    }
  });

  it('enforces configurable size limits', () => {
    expect(issuesOf(base(), { maxNeurons: 12 })).toContainEqual({ path: '/populations', message: 'the model has 15 neurons, more than the limit of 12', rule: 'limit' });
    expect(issuesOf(base(), { maxSynapses: 20 })).toContainEqual({ path: '/projections', message: 'the model expects 25 synapses, more than the limit of 20', rule: 'limit' });
    expect(issuesOf(set(base(), '/populations/0/size', 100), { maxNeurons: 50 })).toContainEqual({ path: '/populations/0/size', message: 'size 100 exceeds the limit of 50 neurons', rule: 'limit' });
  });

  it('checks connection rules against population sizes', () => {
    expect(issuesOf(set(base(), '/projections/0/connect', { rule: 'one_to_one' })))
      .toContainEqual({ path: '/projections/0/connect', message: 'one_to_one needs populations of equal size ("a" 10, "b" 5)' });
    expect(issuesOf(set(base(), '/projections/0/connect', { rule: 'fixed_indegree', indegree: 11, allow_multapses: false })))
      .toContainEqual({ path: '/projections/0/connect/indegree', message: 'indegree 11 needs that many distinct sources, but "a" offers 10 (set allow_multapses)' });
    expect(issuesOf(set(base(), '/projections/0/connect', { rule: 'list', pre: [0, 10], post: [1] })))
      .toEqual(expect.arrayContaining([
        { path: '/projections/0/connect/post', message: 'needs one entry per source: 2 (got 1)' },
        { path: '/projections/0/connect/pre/1', message: 'neuron 10 is outside "a" (size 10)' },
      ]));
  });

  it('checks weights against the target model', () => {
    const cond = set(base(), '/populations/1/model', 'lif_cond');
    expect(issuesOf(set(cond, '/projections/0/weight', -2))).toContainEqual({ path: '/projections/0/weight', message: 'conductance weights (nS) must be >= 0 (got -2)' });
    expect(issuesOf(set(cond, '/projections/0/weight', { normal: [1, 1] })))
      .toContainEqual({ path: '/projections/0/weight', message: 'conductance weights (nS) must be >= 0: the clip range must be >= 0 (add "clip": [0, ...])' });
    expect(issuesOf(set(base(), '/projections/0/weight', { uniform: [1, 2] })))
      .toContainEqual({ path: '/projections/0/receptor', message: 'is required when the weight is a distribution ("exc" or "inh")' });
    const delta = set(set(base(), '/populations/1/model', 'lif_delta'), '/projections/0/receptor', 'exc');
    expect(issuesOf(delta)).toContainEqual({ path: '/projections/0/receptor', message: 'lif_delta has no synaptic receptors: its weights are mV (jump of the membrane potential); omit "receptor"' });
  });

  it('checks plasticity blocks', () => {
    const plastic = (pl: object, extra: object = {}) => {
      const m = base() as Record<string, unknown> & { projections: Record<string, unknown>[] };
      Object.assign(m.projections[0]!, { plasticity: pl, ...extra });
      return m;
    };
    expect(issuesOf(plastic({ rule: 'stdpp', w_max: 1 }))).toContainEqual({ path: '/projections/0/plasticity/rule', message: 'unknown rule "stdpp" (did you mean "stdp"?); expected one of stdp, triplet, reward_stdp, equations' });
    expect(issuesOf(plastic({ rule: 'stdp' }))).toContainEqual({ path: '/projections/0/plasticity/w_max', message: 'is required' });
    expect(issuesOf(plastic({ rule: 'stdp', w_max: 1, tau_plus: 0 }))).toContainEqual({ path: '/projections/0/plasticity/tau_plus', message: 'time constant must be > 0 ms (got 0)' });
    expect(issuesOf(plastic({ rule: 'stdp', w_max: 1, a_minus: -0.1 }))).toContainEqual({ path: '/projections/0/plasticity/a_minus', message: 'must be >= 0 (got -0.1)' });
    expect(issuesOf(plastic({ rule: 'stdp', w_max: 1, w_min: 2 }))).toContainEqual({ path: '/projections/0/plasticity/w_max', message: 'w_max must be above w_min (w_min 2, w_max 1)' });
    expect(issuesOf(plastic({ rule: 'stdp', w_max: 0.5 }))).toContainEqual({ path: '/projections/0/weight', message: 'initial weight 1 is outside the plasticity bounds [0, 0.5]' });
    expect(issuesOf(plastic({ rule: 'stdp', w_max: 2 }, { delay: { uniform: [1, 2] } }))).toContainEqual({ path: '/projections/0/delay', message: 'plastic synapses share one delay: give a number (the presynaptic trace serves all synapses of a neuron)' });
    expect(issuesOf(plastic({ rule: 'triplet', w_max: 2, tau_y: -1 }))).toContainEqual({ path: '/projections/0/plasticity/tau_y', message: 'time constant must be > 0 ms (got -1)' });
    expect(issuesOf(plastic({ rule: 'stdp', w_max: 2, tau_c: 5 }))).toContainEqual({ path: '/projections/0/plasticity/tau_c', message: 'unknown property "tau_c"; expected one of rule, pairing, delay, w_min, w_max, tau_plus, tau_minus, a_plus, a_minus, mu' });
    expect(issuesOf(plastic({ rule: 'stdp', w_max: 2, pairing: 'closest' }))).toContainEqual({ path: '/projections/0/plasticity/pairing', message: 'must be "all" or "nearest" (got "closest")' });
    const m = validateModel(plastic({ rule: 'triplet', w_max: 2 }));
    expect(m.projections[0]!.plasticity).toMatchObject({ a3_plus: 6.2e-3, tau_x: 101, tau_y: 125, pairing: 'all', delay: 'axonal' });
  });

  it('refuses projections onto sources and unknown recorded variables', () => {
    const m = base() as Record<string, unknown>;
    (m.populations as object[]).push({ name: 'src', size: 2, model: 'poisson', params: { rate: 5 } });
    (m.projections as object[]).push({ from: 'a', to: 'src', connect: { rule: 'all_to_all' }, weight: 1 });
    m.record = { state: [{ population: 'a', variable: 'w', ids: [0, 99] }] };
    expect(issuesOf(m)).toEqual(expect.arrayContaining([
      { path: '/projections/1/to', message: 'population "src" is a poisson source and cannot receive synapses' },
      { path: '/record/state/0/variable', message: 'lif has no variable "w"; it has v, ge, gi, i_e, theta' },
      { path: '/record/state/0/ids/1', message: 'neuron 99 is outside population "a" (size 10)' },
    ]));
  });

  it('checks binary units, their patterns and their couplings', () => {
    const hop = (pop: object = {}, proj: object = {}) => ({
      populations: [{ name: 'h', size: 4, model: 'binary', ...pop }],
      projections: [{ from: 'h', to: 'h', connect: { rule: 'all_to_all', allow_autapses: false }, weight: 1, ...proj }],
    });
    expect(issuesOf(hop({ params: { dynamics: 'heat_bath', temperature: 0 } }))).toContainEqual({ path: '/populations/0/params/temperature', message: 'temperature must be > 0 (got 0)' });
    expect(issuesOf(hop({ params: { temperature: -2 } }))).toContainEqual({ path: '/populations/0/params/temperature', message: 'temperature must be > 0 (got -2)' });
    expect(issuesOf(hop({ params: { temperature_schedule: { times: [0, 10], values: [2, 0] } } }))).toContainEqual({ path: '/populations/0/params/temperature_schedule/values/1', message: 'temperature must be > 0 (got 0)' });
    expect(issuesOf(hop({ patterns: { list: [[1, -1, 1]] } }))).toContainEqual({ path: '/populations/0/patterns/list/0', message: 'a pattern needs one value per unit: 4 (got 3)' });
    expect(issuesOf(hop({ patterns: { list: [[1, -1, 1, 0]] } }))).toContainEqual({ path: '/populations/0/patterns/list/0/3', message: 'pattern values must be -1 or 1 (got 0)' });
    expect(issuesOf(hop({ patterns: { mnist: { count: 3 } } }))).toContainEqual({ path: '/populations/0/patterns/mnist', message: 'MNIST patterns are 28 x 28 images: the population needs 784 units (got 4)' });
    expect(issuesOf(hop({ init: { state: { pattern: 0 } } }))).toContainEqual({ path: '/populations/0/init/state/pattern', message: 'the population has no patterns' });
    expect(issuesOf(hop({ init: { bias: [1, 2] } }))).toContainEqual({ path: '/populations/0/init/bias', message: 'needs one value per neuron: 4 (got 2)' });
    const asymmetric = { connect: { rule: 'list', pre: [0, 1], post: [1, 0], weights: [0.5, -0.5] }, weight: undefined };
    expect(issuesOf(hop({}, asymmetric))).toContainEqual({ path: '/projections/0/connect', message: 'couplings of binary units must be symmetric (w_ij = w_ji): use all_to_all or lattice with one weight, "learn", or a symmetric list: 0->1 has weight 0.5, 1->0 has -0.5' });
    expect(issuesOf(hop({}, { connect: { rule: 'fixed_probability', p: 0.5 } }))).toContainEqual({ path: '/projections/0/connect/rule', message: 'couplings of binary units must be symmetric (w_ij = w_ji): use all_to_all or lattice with one weight, "learn", or a symmetric list; fixed_probability is not' });
    expect(issuesOf(hop({}, { connect: { rule: 'all_to_all' } }))).toContainEqual({ path: '/projections/0/connect/allow_autapses', message: 'a unit cannot couple to itself: set "allow_autapses": false' });
    expect(issuesOf(hop({}, { learn: 'hebbian', weight: undefined }))).toContainEqual({ path: '/projections/0/learn', message: 'population "h" has no patterns to learn' });
    expect(issuesOf(hop({}, { delay: 2 }))).toContainEqual({ path: '/projections/0/delay', message: 'couplings between binary units act at once and have no delay; omit "delay"' });
    expect(issuesOf(hop({ size: 10 }, { connect: { rule: 'lattice', shape: [3, 3] } })).map((i) => i.path)).toContain('/projections/0/connect/shape');
    expect(issuesOf(hop({ size: 20 }, { connect: { rule: 'lattice', shape: [4, 5] } }))).toContainEqual({ path: '/projections/0/connect/shape', message: 'the lattice must be square (got 4 x 5)' });
  });

  it('checks spike source times', () => {
    const m = { populations: [{ name: 's', size: 2, model: 'spike_source', params: { spike_times: [[1, 0.5], [0]] } }] };
    expect(issuesOf(m)).toEqual([
      { path: '/populations/0/params/spike_times/0/1', message: 'spike times must be ascending (0.5 ms after 1 ms)' },
      { path: '/populations/0/params/spike_times/1/0', message: 'spike times must be > 0 ms (got 0)' },
    ]);
  });

  it('does not change the input object', () => {
    const m = base();
    const copy = structuredClone(m);
    validateModel(m);
    expect(m).toEqual(copy);
  });
});

describe('overrides', () => {
  it('set values by JSON Pointer or dotted path, parsing JSON values', () => {
    const m = applyOverrides(base(), ['/populations/0/size=20', 'projections.0.connect.p=0.25', 'name=hello']) as ReturnType<typeof base> & { name: string };
    expect(m.populations[0]!.size).toBe(20);
    expect(m.projections[0]!.connect.p).toBe(0.25);
    expect(m.name).toBe('hello');
  });

  it('refuse a path that does not exist', () => {
    expect(() => applyOverrides(base(), ['/populations/7/size=1'])).toThrow('--set: "populations/7" does not exist in the model (setting /populations/7/size)');
  });
});
