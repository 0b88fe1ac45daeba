// Neuron models written as equations: the text is read with units checked,
// the method chosen is the one that applies, the generated WebAssembly
// integrates what the equations say (closed forms, the built-in models, a
// fine reference), and a network written as equations gives the spikes of
// the built-in one.
import { describe, it, expect } from 'vitest';
import { compileEquations, EquationError, type EquationSpec } from '../../src/equations/model.js';
import { parseUnit, valueIn } from '../../src/equations/units.js';
import { equationModule } from '../../src/equations/wasm.js';
import { validateModel } from '../../src/model/validate.js';
import { loadPreset } from '../../src/model/load.js';
import { ModelError } from '../../src/core/errors.js';
import { Simulation } from '../../src/sim/simulation.js';
import { recordingSink } from '../../src/sim/recording.js';
import { saveCheckpoint, loadCheckpoint } from '../../src/sim/checkpoint-file.js';
import { runPlastic, poissonTrains } from '../support/plastic.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIF: EquationSpec = {
  equations: ['dv/dt = (v_rest - v + R*I)/tau_m : mV (unless refractory)', 'I : pA'],
  threshold: 'v > v_th', reset: 'v = v_reset', refractory: '2 ms',
  params: { v_rest: '-70 mV', tau_m: '10 ms', R: '0.04 GOhm', v_th: '-55 mV', v_reset: '-70 mV' },
};

function issuesOf(spec: EquationSpec): string[] {
  try {
    compileEquations(spec, 0.1);
  } catch (e) {
    if (e instanceof EquationError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

function spikesOf(model: Record<string, unknown>): [number, number][] {
  const sim = new Simulation(validateModel(model));
  const out: [number, number][] = [];
  sim.run({ sink: recordingSink({ spikes: (c) => { for (let k = 0; k < c.times.length; k++) out.push([c.ids[k]!, c.times[k]!]); } }) });
  return out;
}

describe('the text of equations', () => {
  it('reads units as hebb uses them (ms, mV, pA, nS, pF, GOhm; Hz = 0.001/ms)', () => {
    expect(parseUnit('mV/ms')).toEqual({ dim: { t: -1, v: 1, i: 0 }, scale: 1 });
    expect(parseUnit('nS*mV')).toEqual(parseUnit('pA'));
    expect(parseUnit('pF/nS')!.dim).toEqual(parseUnit('ms')!.dim);
    expect(parseUnit('Hz')).toEqual({ dim: { t: -1, v: 0, i: 0 }, scale: 1e-3 });
    expect(valueIn('0.02 s', parseUnit('ms')!)).toBe(20);
    expect(valueIn('20 mV', parseUnit('ms')!)).toMatch(/voltage \(mV\), not time \(ms\)/);
    expect(parseUnit('parsec')).toBeUndefined();
  });

  it('names the equation, the term and the units of a dimensional mismatch', () => {
    const issues = issuesOf({ ...LIF, equations: ['dv/dt = (v_rest - v + I)/tau_m : mV', 'I : pA'] });
    expect(issues).toEqual(['equations/0: the two sides of "+" differ in units: voltage (mV) + current (pA) (column 21)']);
    expect(issuesOf({ ...LIF, equations: ['dv/dt = v_rest - v : mV'] })[0]).toMatch(/^equations\/0: dv\/dt must be in voltage per time \(mV\/ms\) .* but the right side is voltage \(mV\)/);
  });

  it('gives the column of a syntax error, and names unknown names and functions', () => {
    expect(issuesOf({ ...LIF, equations: ['dv/dt = (v_rest - v / tau_m : mV'] })).toEqual(['equations/0: expected ")" at the end (column 29)']);
    expect(issuesOf({ ...LIF, equations: ['dv/dt = (v_rest - u)/tau_m : mV'] })[0]).toMatch(/unknown name "u".*\(column 19\)/);
    expect(issuesOf({ ...LIF, equations: ['dv/dt = erf(v)/tau_m : mV'] })[0]).toMatch(/unknown function "erf"/);
    expect(issuesOf({ ...LIF, threshold: 'v + v_th' })).toEqual(['threshold: the threshold must be a condition (e.g. "v > v_th")']);
    expect(issuesOf({ ...LIF, reset: 'v = 3*ms' })[0]).toMatch(/^reset: v is in mV .* but the value is time \(ms\)/);
  });

  it('refuses a model with errors through the validator, with the JSON path (exit code 2 in the CLI)', () => {
    const model = { dt: 0.1, duration: 10, populations: [{ name: 'n', size: 1, equations: ['dv/dt = (v_rest - v + I)/tau_m : mV', 'I : pA'], params: LIF.params }], projections: [] };
    expect(() => validateModel(model)).toThrow(ModelError);
    try { validateModel(model); } catch (e) {
      expect((e as ModelError).issues[0]).toEqual({ path: '/populations/0/equations/0', message: 'the two sides of "+" differ in units: voltage (mV) + current (pA) (column 21)' });
    }
  });
});

describe('the integration method', () => {
  it('is exact for a linear system with constant coefficients, exponential Euler for conductances, RK4 otherwise', () => {
    expect(compileEquations(LIF, 0.1).method).toBe('exact');
    const coba = compileEquations({
      equations: ['dv/dt = (g_l*(e_l - v) + ge*(e_ex - v))/c_m : mV', 'dge/dt = -ge/tau_e : nS'],
      params: { g_l: '10 nS', e_l: '-60 mV', e_ex: '0 mV', c_m: '200 pF', tau_e: '5 ms' },
    }, 0.1);
    expect(coba.method).toBe('exponential_euler');
    expect(coba.methodReason).toMatch(/linear in its own variable: exponential Euler/);
    const izh = compileEquations({ equations: ['dv/dt = (0.04*v^2/mV + 5*v + 140*mV - u)/ms : mV', 'du/dt = a*(b*v - u) : mV'], params: { a: '0.02 kHz', b: 0.2 } }, 0.1);
    expect(izh.method).toBe('rk4');
    expect(() => compileEquations({ ...LIF, equations: ['dv/dt = v^2/(mV*ms) : mV'], method: 'exact', threshold: undefined, reset: undefined, refractory: undefined }, 0.1)).toThrow(/"exact" needs a linear system/);
  });

  it('the exact propagator of the LIF neuron is the closed form: spikes at t_ref + tau ln((V_inf - V_reset)/(V_inf - V_th)) on the grid', () => {
    const currents = [400, 500, 600, 700, 800];
    const spikes = spikesOf({ dt: 0.1, duration: 100, populations: [{ name: 'n', size: 5, ...LIF, init: { v: -70, I: currents } }], projections: [] });
    currents.forEach((I, j) => {
      const vinf = -70 + 0.04 * I;
      const t1 = 10 * Math.log((vinf + 70) / (vinf + 55));
      const times = spikes.filter(([id]) => id === j).map(([, t]) => t);
      // On the grid: the first step whose end is past the crossing; then every (t_ref + T) rounded up to steps.
      const first = Math.ceil(t1 / 0.1 - 1e-9) * 0.1;
      expect(times[0]).toBeCloseTo(first, 6);
      const period = (20 + Math.ceil((t1 - 1e-9) / 0.1)) * 0.1;
      for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBeCloseTo(period, 6);
    });
  });

  it('reads the population\'s step current as i_step: the same spikes as the built-in lif under the same steps', () => {
    const current = { times: [50, 150, 250], amplitudes: [300, 600, 0] };
    const run = (pop: object) => spikesOf({ dt: 0.1, duration: 300, seed: 1, populations: [pop], projections: [] }).map(([, t]) => t);
    const builtIn = run({ name: 'n', size: 1, model: 'lif', params: { tau_m: 10, c_m: 250, v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 2 }, current });
    const written = run({
      name: 'n', size: 1, equations: ['dv/dt = (v_rest - v)/tau_m + i_step/c_m : mV (unless refractory)'], threshold: 'v >= v_th', reset: 'v = v_reset', refractory: '2 ms',
      params: { tau_m: '10 ms', c_m: '250 pF', v_rest: '-70 mV', v_reset: '-70 mV', v_th: '-55 mV' }, current, init: { v: -70 },
    });
    expect(builtIn.length).toBeGreaterThan(5);
    expect(written).toEqual(builtIn);
  });

  it('takes synapses at receptors it names beyond exc and inh (a slow receptor\'s variable decays with its own time constant)', () => {
    const model = (receptor: string) => ({
      dt: 0.1, duration: 40, seed: 1,
      populations: [
        { name: 'src', size: 1, model: 'spike_source', params: { spike_times: [[10]] } },
        { name: 'n', size: 1, equations: ['dv/dt = (-v + g_a + g_b)/tau : mV', 'dg_a/dt = -g_a/tau_a : mV', 'dg_b/dt = -g_b/tau_b : mV'],
          params: { tau: '20 ms', tau_a: '2 ms', tau_b: '50 ms' }, receptors: { exc: 'g_a', slow: 'g_b' } },
      ],
      projections: [{ from: 'src', to: 'n', connect: { rule: 'all_to_all' }, weight: 2, delay: 1, receptor }],
    });
    const at = (t: number) => {
      const sim = new Simulation(validateModel({ ...model('slow'), duration: t }));
      sim.run({});
      return { a: sim.population('n').state('g_a')[0]!, b: sim.population('n').state('g_b')[0]! };
    };
    const x = at(30), y = at(40);
    expect(x.a).toBe(0);
    expect(y.b / x.b).toBeCloseTo(Math.exp(-10 / 50), 5);
    expect(x.b).toBeGreaterThan(1.2);
    expect(() => validateModel(model('nmda'))).toThrow(/\/projections\/0\/receptor: population "n" has no "nmda" receptor/);
    const builtIn = { ...model('slow'), populations: [model('slow').populations[0], { name: 'n', size: 1, model: 'lif' }] };
    expect(() => validateModel(builtIn)).toThrow(/\/projections\/0\/receptor: population "n" \(lif\) has the receptors "exc" and "inh" \(got "slow"\)/);
  });

  it('RK4, RK2 and Euler converge to the exact solution at their orders', () => {
    const err = (method: 'rk4' | 'rk2' | 'euler', dt: number) => {
      const spec: EquationSpec = { equations: ['dx/dt = -x*y/tau : 1', 'dy/dt = (1 - y)/tau : 1'], params: { tau: '10 ms' }, method };
      const c = compileEquations(spec, dt);
      // One neuron through the generated code (f32), 10 ms.
      const memory = new WebAssembly.Memory({ initial: 1 });
      const inst = new WebAssembly.Instance(new WebAssembly.Module(equationModule(c)), { env: { memory }, math: { log: Math.log, tanh: Math.tanh, sin: Math.sin, cos: Math.cos, pow: Math.pow } } as never);
      const f32 = new Float32Array(memory.buffer), u32 = new Uint32Array(memory.buffer), i32 = new Int32Array(memory.buffer);
      u32[0] = 64; u32[1] = 128;  // x at 64, y at 128
      f32[16] = 1; f32[32] = 0;
      i32.fill(-0x40000000, 48, 52);  // lastSpike at 192
      const update = inst.exports.update as (...a: number[]) => number;
      const steps = Math.round(10 / dt);
      for (let m = 0; m < steps; m++) update(0, 4, 192, m, 0, 256, m * dt, 1, 1, 0);
      // x(t) = exp(-(t/tau - 1 + e^{-t/tau})) with y(t) = 1 - e^{-t/tau}, at t = tau.
      return Math.abs(f32[16]! - Math.exp(-Math.exp(-1)));
    };
    expect(err('euler', 0.1) / err('euler', 0.05)).toBeCloseTo(2, 0);
    expect(err('rk2', 0.1) / err('rk2', 0.05)).toBeGreaterThan(3.5);
    expect(err('rk4', 2)).toBeLessThan(1e-4);
    expect(err('rk4', 2) / err('rk4', 1)).toBeGreaterThan(10);
  });

  it('the vector exponential of the generated code is exact to f32 over [-20, 20]', () => {
    const c = compileEquations({ equations: ['dy/dt = exp(z)/ms : 1', 'z : 1'], method: 'euler' }, 1);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(equationModule(c)), { env: { memory }, math: { log: Math.log, tanh: Math.tanh, sin: Math.sin, cos: Math.cos, pow: Math.pow } } as never);
    const n = 400;
    const f32 = new Float32Array(memory.buffer), u32 = new Uint32Array(memory.buffer), i32 = new Int32Array(memory.buffer);
    const y = 1024, s = y + 4 * n, last = s + 4 * n;
    u32[0] = y; u32[1] = s;
    for (let j = 0; j < n; j++) f32[s / 4 + j] = -20 + (40 * j) / (n - 1);
    i32.fill(-0x40000000, last / 4, last / 4 + n);
    (inst.exports.update as (...a: number[]) => number)(0, n, last, 0, 0, last + 4 * n, 0, 1, 1, 0);
    let worst = 0;
    for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(f32[y / 4 + j]! / Math.exp(f32[s / 4 + j]!) - 1));
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('a network written as equations', () => {
  const lifParams = { tau_m: 20, v_rest: -49, v_reset: -60, v_thresh: -50, t_ref: 5, tau_syn_e: 5, tau_syn_i: 10 };
  const eqPop = (loadPreset('cuba-eq') as { populations: Record<string, unknown>[] }).populations[0]!;

  // The generated code stores v relative to the system's fixed point, keeps ge and gi
  // lazily and sums in lif's order: the arithmetic is the built-in's, so are the spikes.
  it('the CUBA neuron as equations fires exactly where the built-in lif fires (500 neurons under Poisson input, 1 s)', () => {
    const drive = { poisson_input: [{ rate: 2000, weight: 0.6 }, { rate: 500, weight: -1.5 }] };
    const builtIn = spikesOf({ dt: 0.1, duration: 1000, seed: 3, populations: [{ name: 'n', size: 500, model: 'lif', params: lifParams, init: { v: { uniform: [-60, -50] } }, ...drive }], projections: [] });
    const written = spikesOf({ dt: 0.1, duration: 1000, seed: 3, populations: [{ ...eqPop, name: 'n', size: 500, ...drive }], projections: [] });
    expect(builtIn.length).toBeGreaterThan(2000);
    expect(written).toEqual(builtIn);
  });

  it('cuba-eq gives the spikes of cuba, bit for bit (seeds 1 and 2, 2 s)', () => {
    for (const seed of [1, 2]) {
      const a = spikesOf({ ...(loadPreset('cuba') as object), duration: 2000, seed });
      const b = spikesOf({ ...(loadPreset('cuba-eq') as object), duration: 2000, seed });
      expect(a.length).toBeGreaterThan(40_000);
      expect(b).toEqual(a);
    }
  }, 120_000);

  it('coba-eq (conductances, forward Euler with step means) gives the spikes of coba for the first 100 ms and its rate within 1 % (seeds 1-5, 2 s)', () => {
    let a = 0, b = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const x = spikesOf({ ...(loadPreset('coba') as object), duration: 2000, seed });
      const y = spikesOf({ ...(loadPreset('coba-eq') as object), duration: 2000, seed });
      a += x.length; b += y.length;
      expect(y.filter(([, t]) => t <= 100)).toEqual(x.filter(([, t]) => t <= 100));
    }
    expect(Math.abs(b / a - 1)).toBeLessThan(0.01);
  }, 120_000);

  it('izhikevich written as equations fires as the built-in model (five of Izhikevich\'s 2003 classes, 1 s at I = 10)', () => {
    const sets = [[0.02, 0.2, -65, 8], [0.02, 0.2, -55, 4], [0.02, 0.2, -50, 2], [0.1, 0.2, -65, 2], [0.02, 0.25, -65, 0.05]];
    const run = (pop: object) => spikesOf({ dt: 0.1, duration: 1000, seed: 1, populations: [pop], projections: [] }).map(([, t]) => t);
    for (const [a, b, c, d] of sets) {
      const builtIn = run({ name: 'n', size: 1, model: 'izhikevich', params: { a, b, c, d, i_e: 10 }, init: { v: -65 } });
      const eq = (dv: string) => run({
        name: 'n', size: 1, equations: [dv, 'du/dt = a*(b*v - u) : mV/ms'], threshold: 'v >= 30*mV', reset: 'v = c; u += d', method: 'euler',
        params: { a: `${a} kHz`, b: `${b} kHz`, c: `${c} mV`, d: `${d} mV/ms`, I: '10 mV/ms' }, init: { v: -65, u: b! * -65 },
      });
      // Summed in the built-in's order: the same f32 arithmetic, the same spikes.
      expect(eq('dv/dt = (0.04*v**2/mV + 5*v)/ms + ((140*mV/ms + I) - u) : mV')).toEqual(builtIn);
      // As the paper writes it: another rounding order; the same count, times within 2 ms (measured 1.7 ms, fast spiking).
      const paper = eq('dv/dt = (0.04*v**2/mV + 5*v + 140*mV)/ms - u + I : mV');
      expect(paper.length).toBe(builtIn.length);
      paper.forEach((t, k) => expect(Math.abs(t - builtIn[k]!)).toBeLessThan(2));
    }
  });

  it('adex written as equations with located spike times fires as the built-in adex (Naud et al. 2008, six patterns, 500 ms: counts equal, every spike within 0.01 ms)', () => {
    const patterns = [
      { C: 200, g_L: 10, E_L: -70, a: 2, tau_w: 30, b: 0, V_r: -58, I: 500 },
      { C: 200, g_L: 12, E_L: -70, a: 2, tau_w: 300, b: 60, V_r: -58, I: 500 },
      { C: 130, g_L: 18, E_L: -58, a: 4, tau_w: 150, b: 120, V_r: -50, I: 400 },
      { C: 200, g_L: 10, E_L: -58, a: 2, tau_w: 120, b: 100, V_r: -46, I: 210 },
      { C: 200, g_L: 12, E_L: -70, a: -10, tau_w: 300, b: 0, V_r: -58, I: 300 },
      { C: 100, g_L: 10, E_L: -65, a: 10, tau_w: 90, b: 100, V_r: -47, I: 180 },
    ];
    const run = (pop: object) => spikesOf({ dt: 0.1, duration: 500, seed: 1, populations: [pop], projections: [] }).map(([, t]) => t);
    for (const p of patterns) {
      const builtIn = run({ name: 'n', size: 1, model: 'adex', params: { c_m: p.C, g_l: p.g_L, e_l: p.E_L, v_t: -50, delta_t: 2, a: p.a, tau_w: p.tau_w, b: p.b, v_reset: p.V_r, v_peak: 0, t_ref: 0, i_e: p.I }, init: { v: p.E_L, w: 0 } });
      const written = run({
        name: 'n', size: 1, spike_timing: 'located',
        equations: ['dv/dt = (g_l*(e_l - v) + g_l*delta_t*exp((v - v_t)/delta_t) - w + I)/c_m : mV', 'dw/dt = (a*(v - e_l) - w)/tau_w : pA'],
        threshold: 'v > 0*mV', reset: 'v = v_r; w += b',
        params: { c_m: `${p.C} pF`, g_l: `${p.g_L} nS`, e_l: `${p.E_L} mV`, v_t: '-50 mV', delta_t: '2 mV', a: `${p.a} nS`, tau_w: `${p.tau_w} ms`, b: `${p.b} pA`, v_r: `${p.V_r} mV`, I: `${p.I} pA` },
        init: { v: p.E_L, w: 0 },
      });
      expect(written.length).toBe(builtIn.length);
      written.forEach((t, k) => expect(Math.abs(t - builtIn[k]!)).toBeLessThan(0.01));
    }
  });

  it('reads and sets its variables in their units, through the lazy and offset storage: the state of cuba after 50 ms', () => {
    const at50 = (name: string) => {
      const sim = new Simulation(validateModel({ ...(loadPreset(name) as object), duration: 50 }));
      sim.run({});
      return sim.population('exc');
    };
    const a = at50('cuba'), b = at50('cuba-eq');
    expect(b.variables).toEqual(['v', 'ge', 'gi', 'count']);
    expect(b.state('v')).toEqual(a.state('v'));
    for (const g of ['ge', 'gi']) {
      const x = a.state(g), y = b.state(g);
      for (let j = 0; j < x.length; j += 97) expect(y[j]!).toBeCloseTo(x[j]!, 9);
    }
    b.setState('ge', new Array(3200).fill(2.5));
    expect(b.state('ge')[7]).toBeCloseTo(2.5, 5);
  });
});

describe('the README', () => {
  it('its equation example runs as written: three neurons at the closed-form rates', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Your own neuron models: equations'));
    const json = /```json\n([\s\S]*?)```/.exec(section)![1]!;
    const spikes = spikesOf(JSON.parse(json));
    [400, 600, 800].forEach((I, j) => {
      const vinf = -70 + 0.04 * I;
      const period = (20 + Math.ceil(10 * Math.log((vinf + 70) / (vinf + 55)) / 0.1 - 1e-9)) * 0.1;
      expect(spikes.filter(([id]) => id === j).length).toBe(Math.floor((200 - (period - 2)) / period) + 1);
    });
  });
});

describe('plasticity written as equations', () => {
  const PAIR_EQ = {
    rule: 'equations', w_max: 1,
    equations: ['dapre/dt = -apre/taupre : 1 (event-driven)', 'dapost/dt = -apost/taupost : 1 (event-driven)'],
    on_pre: 'apre += Apre; w = clip(w + apost, 0, wmax)',
    on_post: 'apost += Apost; w = clip(w + apre, 0, wmax)',
    params: { taupre: '20 ms', taupost: '20 ms', Apre: 0.01, Apost: -0.0105, wmax: 1 },
  };

  // The final weights (the STDP tests' set-up, test/support/plastic.ts).
  const weightsAfter = (plasticity: object, preTimes: number[][], postTimes: number[], duration: number): number[] => runPlastic(plasticity, preTimes, postTimes, { duration }).w;

  it('pair STDP as synapse equations gives the window of the built-in rule to 1e-9 (one pair per synapse, Delta t from -100 to 100 ms)', () => {
    const deltas = Array.from({ length: 41 }, (_, k) => -100 + 5 * k).filter((d) => d !== 0);
    // The post neuron fires at 200 ms; each synapse's pre spike reaches it at 200 - Delta t (1 ms axonal delay).
    const pre = deltas.map((d) => [Math.round((199 - d) * 10) / 10]);
    const builtIn = weightsAfter({ rule: 'stdp', w_max: 1, tau_plus: 20, tau_minus: 20, a_plus: 0.01, a_minus: 0.0105 }, pre, [200], 400);
    const written = weightsAfter(PAIR_EQ, pre, [200], 400);
    deltas.forEach((d, k) => {
      expect(Math.abs(written[k]! - builtIn[k]!), `Delta t ${d}`).toBeLessThan(1e-9);
      expect(Math.abs(builtIn[k]! - 0.5 - (d > 0 ? 0.01 * Math.exp(-d / 20) : -0.0105 * Math.exp(d / 20)))).toBeLessThan(1e-7);
    });
  });

  it('and under random pre and post trains (20 synapses, 2 s): the same weights to 1e-9', () => {
    const pre = poissonTrains(12345, 20, 20, 2000);
    const post = [...new Set(poissonTrains(54321, 1, 10, 2000)[0]!.map((t) => Math.round(t * 10) / 10))].sort((a, b) => a - b);
    const builtIn = weightsAfter({ rule: 'stdp', w_max: 1, tau_plus: 20, tau_minus: 20, a_plus: 0.01, a_minus: 0.0105 }, pre, post, 2100);
    const written = weightsAfter(PAIR_EQ, pre, post, 2100);
    expect(builtIn.some((w) => Math.abs(w - 0.5) > 0.01)).toBe(true);
    for (let k = 0; k < 20; k++) expect(Math.abs(written[k]! - builtIn[k]!)).toBeLessThan(1e-9);
  });

  it('the triplet rule as synapse equations gives the built-in triplet rule (20 synapses, random trains, 2 s: to 1e-9)', () => {
    const pre = poissonTrains(777, 20, 20, 2000);
    const post = [...new Set(poissonTrains(7777, 1, 15, 2000)[0]!.map((t) => Math.round(t * 10) / 10))].sort((a, b) => a - b);
    const amps = { a2_plus: 5e-3, a3_plus: 6.2e-3, a2_minus: 7e-3, a3_minus: 2.3e-4 };
    const builtIn = weightsAfter({ rule: 'triplet', w_max: 1, tau_plus: 16.8, tau_minus: 33.7, tau_x: 101, tau_y: 125, ...amps }, pre, post, 2100);
    const written = weightsAfter({
      rule: 'equations', w_max: 1,
      equations: ['dr1/dt = -r1/tau_plus : 1 (event-driven)', 'dr2/dt = -r2/tau_x : 1 (event-driven)', 'do1/dt = -o1/tau_minus : 1 (event-driven)', 'do2/dt = -o2/tau_y : 1 (event-driven)'],
      // Each spike's own trace is bumped after the weight change: the triplet term reads its value just before.
      on_pre: ['w = clip(w - o1*(A2m + A3m*r2), 0, 1)', 'r1 += 1', 'r2 += 1'],
      on_post: ['w = clip(w + r1*(A2p + A3p*o2), 0, 1)', 'o1 += 1', 'o2 += 1'],
      params: { tau_plus: '16.8 ms', tau_minus: '33.7 ms', tau_x: '101 ms', tau_y: '125 ms', A2p: amps.a2_plus, A3p: amps.a3_plus, A2m: amps.a2_minus, A3m: amps.a3_minus },
    }, pre, post, 2100);
    expect(builtIn.some((w) => Math.abs(w - 0.5) > 0.01)).toBe(true);
    for (let k = 0; k < 20; k++) expect(Math.abs(written[k]! - builtIn[k]!)).toBeLessThan(1e-9);
  });

  it('the README\'s plasticity example runs as written and learns as the built-in stdp rule does', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('A plasticity rule is written the same way'));
    const model = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!) as { projections: { plasticity: object }[] };
    const final = (m: object) => { const sim = new Simulation(validateModel(m)); sim.run({}); return Array.from(sim.projection('plastic').weights()); };
    const written = final(model);
    const builtIn = final({ ...model, projections: [{ ...model.projections[0], plasticity: { rule: 'stdp', w_max: 1, tau_plus: 20, tau_minus: 20, a_plus: 0.01, a_minus: 0.0105 } }] });
    let moved = 0, worst = 0;
    written.forEach((w, k) => { worst = Math.max(worst, Math.abs(w - builtIn[k]!)); });
    const initial = new Simulation(validateModel({ ...model, duration: 0.1 })).projection('plastic').weights();
    builtIn.forEach((w, k) => { if (Math.abs(w - initial[k]!) > 0.01) moved++; });
    expect(moved).toBeGreaterThan(20);
    // The f32 weights transmission reads: equal to f32 rounding.
    expect(worst).toBeLessThan(1e-6);
  });

  describe('reading the neurons (NAME_pre, NAME_post) and clock-driven equations', () => {
    const model = (plasticity: object, spikes: number[][]) => ({
      dt: 0.1, duration: 100, seed: 1,
      populations: [
        { name: 'pre', size: 2, model: 'spike_source', params: { spike_times: spikes } },
        { name: 'post', size: 1, model: 'lif', params: { tau_m: 10, v_rest: -65, v_reset: -65, v_thresh: -50 } },
      ],
      projections: [{ name: 'p', from: 'pre', to: 'post', connect: { rule: 'all_to_all' }, weight: 0, delay: 1, plasticity }],
    });
    const run = (pl: object, spikes: number[][]) => { const sim = new Simulation(validateModel(model(pl, spikes))); sim.run({}); return Array.from(sim.projection('p').weights()); };

    it('on_pre reads the postsynaptic potential at the event: dw = k (v_post - v0) per spike', () => {
      // The second synapse's only spike arrives while the post neuron is still at rest: dw = 0.01 (-65 + 70) exactly.
      const w = run({ rule: 'equations', w_max: 10, w_min: -10, equations: ['dx/dt = -x/(10*ms) : 1 (event-driven)'], on_pre: 'w = w + k*(v_post - v0)/mV', params: { k: 0.01, v0: '-70 mV' } }, [[], [50]]);
      expect(w[1]).toBeCloseTo(0.05, 6);
      expect(w[0]).toBe(0);
    });

    it('a clock-driven weight integrates every step: dw/dt = a (v_post + 70 mV) at a resting neuron grows linearly', () => {
      const w = run({ rule: 'equations', w_max: 10, w_min: -10, equations: ['dw/dt = a*(v_post + 70*mV)/(mV*ms) : 1 (clock-driven)'], params: { a: 1e-4 } }, [[], []]);
      // 100 ms at 5e-4 per ms (Euler of a constant rate is exact).
      expect(w[0]).toBeCloseTo(0.05, 6);
      expect(w[1]).toBeCloseTo(0.05, 6);
    });

    it('an unknown neuron variable is named', () => {
      expect(() => validateModel(model({ rule: 'equations', w_max: 1, equations: ['dx/dt = -x/(10*ms) : 1 (event-driven)'], on_pre: 'w = w + u_post/mV' }, [[10], []])))
        .toThrow(/\/projections\/0\/plasticity\/on_pre: unknown name "u_post"/);
    });
  });

  it('names the place of an error in a rule', () => {
    const bad = { ...PAIR_EQ, on_pre: 'apre += Apre; w = clip(w + apost, 0, wmax * ms)' };
    expect(() => weightsAfter(bad, [[10]], [20], 50)).toThrow(/\/projections\/1\/plasticity\/on_pre: .*differ in units/);
    const notEvent = { ...PAIR_EQ, equations: ['dapre/dt = -apre/taupre : 1'] };
    expect(() => weightsAfter(notEvent, [[10]], [20], 50)).toThrow(/\/projections\/1\/plasticity\/equations\/0: .*\(event-driven\)/);
  });
});

describe('checkpoints of models written as equations', () => {
  it('cuba-eq with STDP written as synapse equations: T, save, load, T more equals 2T (spikes and weights)', () => {
    const base = loadPreset('cuba-eq') as { projections: Record<string, unknown>[] } & Record<string, unknown>;
    const model = (duration: number) => ({
      ...base, duration, record: { spikes: 'all' },
      projections: base.projections.map((p, k) => (k === 0 ? { ...p, plasticity: {
        rule: 'equations', w_max: 3.24,
        equations: ['dapre/dt = -apre/(20*ms) : 1 (event-driven)', 'dapost/dt = -apost/(20*ms) : 1 (event-driven)'],
        on_pre: 'apre += 0.00324; w = clip(w + apost, 0, 3.24)', on_post: 'apost -= 0.0034; w = clip(w + apre, 0, 3.24)',
      } } : p)),
    });
    const dir = mkdtempSync(join(tmpdir(), 'hebb-eq-ckpt-'));
    const spikesOfSim = (sim: Simulation) => { const out: [number, number][] = []; sim.run({ sink: recordingSink({ spikes: (c) => { for (let k = 0; k < c.times.length; k++) out.push([c.ids[k]!, c.times[k]!]); } }) }); return out; };
    const first = new Simulation(validateModel(model(300)));
    const a = spikesOfSim(first);
    saveCheckpoint(first, join(dir, 's.ckpt'));
    const second = new Simulation(validateModel(model(300)));
    loadCheckpoint(second, join(dir, 's.ckpt'));
    const b = spikesOfSim(second);
    const whole = new Simulation(validateModel(model(600)));
    const c = spikesOfSim(whole);
    expect(a.length).toBeGreaterThan(1000);
    expect([...a, ...b]).toEqual(c);
    expect(Array.from(second.projection('exc->exc').weights())).toEqual(Array.from(whole.projection('exc->exc').weights()));
  }, 60_000);
});
