// A hebb model as a self-contained PyNN 0.10 script, so that it runs on the
// engines PyNN drives (NEST, NEURON, Brian2, SpiNNaker), on one process or
// under MPI. Each model feature maps to its PyNN equivalent, converted to
// PyNN's units (nF, nA, uS); a feature without one is refused with its
// JSON path, never dropped. The script writes its spikes in hebb's
// spikes.csv layout (t_ms,population,neuron), so `hebb compare` reads both.

import { ModelError, type Issue } from '../core/errors.js';
import type { ValidModel } from '../model/validate.js';
import { MODULE_TYPES, type Population, type Projection } from '../model/schema.js';

type Dist = number | { uniform: readonly [number, number] } | { normal: readonly [number, number]; clip?: readonly [number, number] | undefined };

const py = (x: unknown): string => {
  if (typeof x === 'number') return Number.isFinite(x) ? String(x) : x > 0 ? 'float("inf")' : 'float("-inf")';
  if (typeof x === 'boolean') return x ? 'True' : 'False';
  if (typeof x === 'string') return JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map(py).join(', ')}]`;
  return 'None';
};

/** A value or distribution as PyNN takes it, times a unit factor. */
function dist(v: Dist, scale = 1): string {
  if (typeof v === 'number') return py(v * scale);
  if ('uniform' in v) return `RandomDistribution("uniform", low=${py(v.uniform[0] * scale)}, high=${py(v.uniform[1] * scale)}, rng=rng)`;
  const [mu, sd] = v.normal;
  if (v.clip) return `RandomDistribution("normal_clipped", mu=${py(mu * scale)}, sigma=${py(Math.abs(sd * scale))}, low=${py(Math.min(v.clip[0] * scale, v.clip[1] * scale))}, high=${py(Math.max(v.clip[0] * scale, v.clip[1] * scale))}, rng=rng)`;
  return `RandomDistribution("normal", mu=${py(mu * scale)}, sigma=${py(Math.abs(sd * scale))}, rng=rng)`;
}

interface Cell {
  /** The PyNN cell type and its parameters. */
  type: string;
  params: Record<string, number>;
  /** A weight in hebb's unit for this model -> PyNN's (nA for current-based, uS for conductance-based, mV for delta). */
  weight: (w: number) => number;
  /** Current (pA in hebb) -> nA. */
  source: boolean;
}

function cellOf(pop: Population, at: string, fail: (path: string, message: string) => void): Cell | undefined {
  const p = (pop.params ?? {}) as Record<string, number>;
  switch (pop.model) {
    case 'lif': {
      if (p.theta_plus) fail(`${at}/params/theta_plus`, 'an adaptive threshold has no PyNN standard cell (IF_curr_exp has none)');
      // hebb's ge, gi are R I (mV); PyNN's synaptic currents are in nA: I = w / R = w c_m / tau_m (pA).
      const toNa = p.c_m! / p.tau_m! / 1000;
      return {
        type: 'IF_curr_exp', source: false, weight: (w) => w * toNa,
        params: { cm: p.c_m! / 1000, tau_m: p.tau_m!, v_rest: p.v_rest!, v_reset: p.v_reset!, v_thresh: p.v_thresh!, tau_refrac: p.t_ref!, tau_syn_E: p.tau_syn_e!, tau_syn_I: p.tau_syn_i!, i_offset: (p.i_e ?? 0) / 1000 },
      };
    }
    case 'lif_cond':
      if (p.theta_plus) fail(`${at}/params/theta_plus`, 'an adaptive threshold has no PyNN standard cell (IF_cond_exp has none)');
      return {
        type: 'IF_cond_exp', source: false, weight: (w) => w / 1000,
        params: { cm: p.c_m! / 1000, tau_m: p.c_m! / p.g_l!, v_rest: p.e_l!, v_reset: p.v_reset!, v_thresh: p.v_thresh!, tau_refrac: p.t_ref!, tau_syn_E: p.tau_syn_e!, tau_syn_I: p.tau_syn_i!, e_rev_E: p.e_ex!, e_rev_I: p.e_in!, i_offset: (p.i_e ?? 0) / 1000 },
      };
    case 'lif_delta':
      return {
        type: 'IF_curr_delta', source: false, weight: (w) => w,
        params: { cm: p.c_m! / 1000, tau_m: p.tau_m!, v_rest: p.v_rest!, v_reset: p.v_reset!, v_thresh: p.v_thresh!, tau_refrac: p.t_ref!, i_offset: (p.i_e ?? 0) / 1000 },
      };
    case 'adex':
      return {
        type: 'EIF_cond_exp_isfa_ista', source: false, weight: (w) => w / 1000,
        params: {
          cm: p.c_m! / 1000, tau_m: p.c_m! / p.g_l!, v_rest: p.e_l!, v_thresh: p.v_t!, delta_T: p.delta_t!, a: p.a!, tau_w: p.tau_w!, b: p.b! / 1000,
          v_reset: p.v_reset!, v_spike: p.v_peak!, tau_refrac: p.t_ref!, e_rev_E: p.e_ex!, e_rev_I: p.e_in!, tau_syn_E: p.tau_syn_e!, tau_syn_I: p.tau_syn_i!, i_offset: (p.i_e ?? 0) / 1000,
        },
      };
    case 'poisson':
      return { type: 'SpikeSourcePoisson', source: true, weight: (w) => w, params: { rate: p.rate! } };
    case 'spike_source':
      return { type: 'SpikeSourceArray', source: true, weight: (w) => w, params: {} };
    default:
      fail(`${at}/model`, `the ${pop.model} model has no PyNN standard cell type (PyNN has IF_curr_exp, IF_cond_exp, IF_curr_delta, EIF_cond_exp_isfa_ista, SpikeSourcePoisson, SpikeSourceArray for hebb's lif, lif_cond, lif_delta, adex, poisson, spike_source)`);
      return undefined;
  }
}

function connector(pr: Projection, at: string, fail: (path: string, message: string) => void): string | undefined {
  const c = pr.connect as Record<string, unknown> & { rule: string };
  const self = c.allow_autapses === false ? 'False' : 'True';
  switch (c.rule) {
    case 'fixed_probability': return `FixedProbabilityConnector(${py(c.p)}, allow_self_connections=${self}, rng=rng)`;
    case 'fixed_indegree': return `FixedNumberPreConnector(${py(c.indegree)}, allow_self_connections=${self}, with_replacement=${c.allow_multapses === false ? 'False' : 'True'}, rng=rng)`;
    case 'fixed_outdegree': return `FixedNumberPostConnector(${py(c.outdegree)}, allow_self_connections=${self}, with_replacement=${c.allow_multapses === false ? 'False' : 'True'}, rng=rng)`;
    case 'one_to_one': return 'OneToOneConnector()';
    case 'all_to_all': return `AllToAllConnector(allow_self_connections=${self})`;
    case 'all_but_one':
      if (pr.from !== pr.to) { fail(`${at}/connect/rule`, 'all_but_one between two populations has no PyNN connector'); return undefined; }
      return 'AllToAllConnector(allow_self_connections=False)';
    default:
      fail(`${at}/connect/rule`, `the ${c.rule} rule has no PyNN connector`);
      return undefined;
  }
}

/** The connectivity and initial state hebb drew, for an exact export (see exactNetwork). */
export interface ExactNetwork {
  projections: Record<string, { pre: Uint32Array; post: Uint32Array; weights: Float64Array; delaysMs: Float64Array }>;
  initial: Record<string, Record<string, Float64Array>>;
}

export interface PyNNOptions {
  /** The model's name or file, for the script's header. */
  source: string;
  /** The synapses (and initial values) hebb drew, written as lists instead of connector rules. */
  exact?: ExactNetwork | undefined;
}

/** An array as base64 of its bytes, for numpy.frombuffer (compact for hundreds of thousands of synapses). */
function b64(a: Uint32Array | Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** The PyNN script of a valid model; a ModelError lists every feature without a PyNN equivalent. */
export function exportPyNN(model: ValidModel, options: PyNNOptions): string {
  const issues: Issue[] = [];
  const fail = (path: string, message: string) => { issues.push({ path, message }); };
  const cells = new Map<string, Cell>();
  model.populations.forEach((pop, k) => {
    const at = `/populations/${k}`;
    const cell = cellOf(pop, at, fail);
    if (cell) cells.set(pop.name, cell);
    if ((pop as { patterns?: unknown }).patterns) fail(`${at}/patterns`, 'stored patterns belong to binary units, which PyNN does not have');
    (pop.poisson_input ?? []).forEach((inp, q) => {
      if (inp.timing === 'exact' && pop.model !== 'lif_delta') fail(`${at}/poisson_input/${q}/timing`, 'exact timing is for event-driven targets');
    });
  });
  model.projections.forEach((pr, k) => {
    const at = `/projections/${k}`;
    connector(pr, at, fail);
    const pl = pr.plasticity as (Record<string, unknown> & { rule: string }) | null | undefined;
    if (pl && pl.rule !== 'stdp') fail(`${at}/plasticity/rule`, `the ${pl.rule} rule has no PyNN equivalent here (PyNN's STDPMechanism with SpikePairRule carries hebb's "stdp")`);
    if (pl && pl.rule === 'stdp' && pl.pairing === 'nearest') fail(`${at}/plasticity/pairing`, 'nearest-neighbour pairing is not in PyNN\'s SpikePairRule');
    if (pl && pl.rule === 'stdp' && pl.mu !== 0 && pl.mu !== 1) fail(`${at}/plasticity/mu`, 'PyNN has additive (mu 0) and multiplicative (mu 1) weight dependence only');
    if (pr.normalize) fail(`${at}/normalize`, 'weight normalisation has no PyNN equivalent');
    if ((pr as { learn?: unknown }).learn) fail(`${at}/learn`, 'learned couplings belong to binary units');
  });
  const m = model as unknown as Record<string, unknown>;
  if (Array.isArray(m.modules) && m.modules.length) fail('/modules', `rate-coded modules (${MODULE_TYPES.join(', ')}) have no PyNN equivalent`);
  if ((model.record as { weights?: unknown[] } | undefined)?.weights?.length) fail('/record/weights', 'weight monitors are not exported (record the weights with PyNN\'s get("weight") instead)');
  if (issues.length) throw new ModelError(issues, `${options.source} (export to PyNN)`);

  const L: string[] = [];
  L.push(
    '#!/usr/bin/env python3',
    `"""${options.source}, exported by hebb to PyNN 0.10.`,
    '',
    'Run: python3 THIS.py --simulator nest|neuron|brian2|spiNNaker [--out DIR] [--duration MS]',
    'Under MPI: mpirun -np 2 python3 THIS.py --simulator neuron',
    'Writes DIR/spikes.csv as hebb does (t_ms,population,neuron), to compare with "hebb compare".',
    'Units: PyNN\'s (ms, mV, nF, nA, uS); hebb\'s weights are converted per target model."""',
    'import argparse, base64, importlib, os',
    'import numpy as np',
    '',
    'parser = argparse.ArgumentParser()',
    'parser.add_argument("--simulator", default="nest")',
    'parser.add_argument("--out", default="out/pynn")',
    `parser.add_argument("--duration", type=float, default=${py(model.duration)})`,
    `parser.add_argument("--seed", type=int, default=${py(model.seed)})`,
    'args = parser.parse_args()',
    'sim = importlib.import_module("pyNN." + args.simulator)',
    'def array(data, dtype):',
    '    return np.frombuffer(base64.b64decode(data), dtype=dtype)',
    'from pyNN.random import RandomDistribution, NumpyRNG',
    'from pyNN.connectors import FixedProbabilityConnector, FixedNumberPreConnector, FixedNumberPostConnector, OneToOneConnector, AllToAllConnector, FromListConnector',
    '',
    `sim.setup(timestep=${py(model.dt)}, min_delay=${py(model.dt)})`,
    ...(options.exact ? ['# Exact export: the synapses and initial values hebb drew (seed ' + String(model.seed) + '), not PyNN\'s draws.'] : []),
    'rng = NumpyRNG(seed=args.seed, parallel_safe=True)',
    'populations = {}',
    '',
  );
  model.populations.forEach((pop) => {
    const cell = cells.get(pop.name)!;
    const params = Object.entries(cell.params).map(([k, v]) => `${k}=${py(v)}`);
    if (pop.model === 'spike_source') {
      const lists = (pop.params as { spike_times: number[][] }).spike_times;
      params.push(`spike_times=[Sequence(t) for t in ${py(lists)}]`);
    }
    if (pop.model === 'spike_source') L.push('from pyNN.parameters import Sequence');
    L.push(`populations[${py(pop.name)}] = sim.Population(${pop.size}, sim.${cell.type}(${params.join(', ')}), label=${py(pop.name)})`);
    const init = { ...(pop.init ?? {}) } as Record<string, Dist | number[] | undefined>;
    // Exact: the values hebb drew, neuron by neuron.
    for (const [name, values] of Object.entries(options.exact?.initial[pop.name] ?? {})) init[name] = Array.from(values);
    for (const [name, v] of Object.entries(init)) {
      if (v === undefined) continue;
      // PyNN's initial values: v (mV); conductances gsyn_exc/gsyn_inh (uS), currents isyn (nA) are left at 0 unless hebb gives them.
      const target = name === 'v' ? 'v' : name === 'ge' && pop.model === 'lif_cond' ? 'gsyn_exc' : name === 'gi' && pop.model === 'lif_cond' ? 'gsyn_inh' : name === 'w' && pop.model === 'adex' ? 'w' : undefined;
      if (!target) continue;
      const scale = target === 'gsyn_exc' || target === 'gsyn_inh' ? 1 / 1000 : target === 'w' ? 1 / 1000 : 1;
      if (target === 'gsyn_exc' || target === 'gsyn_inh') {
        // Not every back-end initialises conductances (PyNN's NEURON one leaves them at 0): they
        // arrive instead as one input spike per neuron at t = dt, weights clipped at 0 (conductances).
        const values = Array.isArray(v) ? py(v.map((x) => Math.max(0, x * scale)))
          : typeof v === 'number' ? py(Math.max(0, v * scale))
            : 'uniform' in (v as object) ? dist(v as Dist, scale)
              : `RandomDistribution("normal_clipped", mu=${py((v as unknown as { normal: number[] }).normal[0]! * scale)}, sigma=${py(Math.abs((v as unknown as { normal: number[] }).normal[1]! * scale))}, low=0.0, high=float("inf"), rng=rng)`;
        L.push(`kick = sim.Population(${pop.size}, sim.SpikeSourceArray(spike_times=[0.0]), label=${py(`${pop.name}_initial_${name}`)})`);
        if (Array.isArray(v)) {
          // One value per neuron: (i, i, weight, delay) rows.
          const w = Float64Array.from(v, (x) => Math.max(0, x * scale));
          L.push(
            `w0 = array(${py(b64(w))}, np.float64)`,
            `rows = np.stack([np.arange(${pop.size}, dtype=float), np.arange(${pop.size}, dtype=float), w0, np.full(${pop.size}, ${py(model.dt)})], axis=1)`,
            `sim.Projection(kick, populations[${py(pop.name)}], FromListConnector(rows, column_names=["weight", "delay"]), sim.StaticSynapse(), receptor_type=${py(target === 'gsyn_exc' ? 'excitatory' : 'inhibitory')})`,
          );
        } else {
          L.push(`sim.Projection(kick, populations[${py(pop.name)}], OneToOneConnector(), sim.StaticSynapse(weight=${values}, delay=${py(model.dt)}), receptor_type=${py(target === 'gsyn_exc' ? 'excitatory' : 'inhibitory')})`);
        }
        continue;
      }
      L.push(`populations[${py(pop.name)}].initialize(${target}=${Array.isArray(v) ? `array(${py(b64(Float64Array.from(v, (x) => x * scale)))}, np.float64)` : dist(v as Dist, scale)})`);
    }
    (pop.poisson_input ?? []).forEach((inp, q) => {
      const receptor = inp.receptor ?? (inp.weight < 0 ? 'inh' : 'exc');
      const w = cell.weight(inp.weight);
      L.push(
        `drive = sim.Population(${pop.size}, sim.SpikeSourcePoisson(rate=${py(inp.rate)}), label=${py(`${pop.name}_poisson_input_${q}`)})`,
        `sim.Projection(drive, populations[${py(pop.name)}], OneToOneConnector(), sim.StaticSynapse(weight=${py(receptor === 'inh' && !pop.model.startsWith('lif_cond') && pop.model !== 'adex' ? -Math.abs(w) : Math.abs(w))}, delay=${py(model.dt)}), receptor_type=${py(receptor === 'inh' ? 'inhibitory' : 'excitatory')})`,
      );
    });
    if (pop.current && pop.current.times.length) {
      L.push(`sim.StepCurrentSource(times=${py(pop.current.times)}, amplitudes=${py(pop.current.amplitudes.map((a) => a / 1000))}).inject_into(populations[${py(pop.name)}])`);
    }
  });
  L.push('');
  model.projections.forEach((pr, k) => {
    const post = model.populations.find((p) => p.name === pr.to)!;
    const cell = cells.get(post.name)!;
    const receptor = pr.receptor ?? (typeof pr.weight === 'number' && pr.weight < 0 ? 'inh' : 'exc');
    // Current-based inhibition is a negative weight in PyNN; conductances are positive.
    const sign = receptor === 'inh' && (post.model === 'lif' || post.model === 'lif_delta') ? -1 : 1;
    const w = pr.weight === undefined ? 0 : typeof pr.weight === 'number' ? sign * Math.abs(cell.weight(pr.weight)) : null;
    const weight = w !== null ? py(w) : dist(pr.weight as Dist, sign * cell.weight(1));
    const delay = pr.delay === undefined ? py(model.dt) : typeof pr.delay === 'number' ? py(pr.delay) : dist(pr.delay as Dist);
    const pl = pr.plasticity as Record<string, number & string> | null | undefined;
    const synapse = pl
      ? `sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=${py(pl.tau_plus)}, tau_minus=${py(pl.tau_minus)}, A_plus=${py(pl.a_plus)}, A_minus=${py(pl.a_minus)}), `
        + `weight_dependence=sim.${Number(pl.mu) === 1 ? 'MultiplicativeWeightDependence' : 'AdditiveWeightDependence'}(w_min=${py(sign * cell.weight(Number(pl.w_min ?? 0)))}, w_max=${py(sign * cell.weight(Number(pl.w_max)))}), weight=${weight}, delay=${delay})`
      : `sim.StaticSynapse(weight=${weight}, delay=${delay})`;
    const label = pr.name ?? `${pr.from}->${pr.to}`;
    const exact = options.exact?.projections[label];
    if (exact) {
      // The synapses hebb drew: (pre, post, weight, delay) rows, weights in PyNN's unit.
      const w = Float64Array.from(exact.weights, (x) => sign * Math.abs(cell.weight(x)));
      L.push(
        `conn = np.stack([array(${py(b64(exact.pre))}, np.uint32).astype(float), array(${py(b64(exact.post))}, np.uint32).astype(float), array(${py(b64(w))}, np.float64), array(${py(b64(exact.delaysMs))}, np.float64)], axis=1)`,
        `sim.Projection(populations[${py(pr.from)}], populations[${py(pr.to)}], FromListConnector(conn, column_names=["weight", "delay"]), ${pl ? synapse.replace(/weight=[^,]+, delay=[^)]+\)$/, ')') : 'sim.StaticSynapse()'}, receptor_type=${py(receptor === 'inh' ? 'inhibitory' : 'excitatory')}, label=${py(label)})`,
      );
      return;
    }
    L.push(`sim.Projection(populations[${py(pr.from)}], populations[${py(pr.to)}], ${connector(pr, `/projections/${k}`, fail)}, ${synapse}, receptor_type=${py(receptor === 'inh' ? 'inhibitory' : 'excitatory')}, label=${py(label)})`);
  });
  const recorded = model.record?.spikes ?? 'all';
  const names = model.populations.filter((p) => recorded === 'all' || recorded.includes(p.name)).map((p) => p.name);
  L.push(
    '',
    `recorded = ${py(names)}`,
    'for name in recorded:',
    '    populations[name].record("spikes")',
    'sim.run(args.duration)',
    '',
    '# Spikes of every rank gathered on rank 0, written in hebb\'s spikes.csv layout, in time order.',
    'rows = []',
    'for name in recorded:',
    '    block = populations[name].get_data("spikes", gather=True)',
    '    for train in block.segments[0].spiketrains:',
    '        ann = train.annotations  # the neuron: source_index (NEST, NEURON), channel_id (Brian2), or source_id',
    '        neuron = int(ann["source_index"]) if "source_index" in ann else int(ann["channel_id"]) if "channel_id" in ann else int(populations[name].id_to_index(ann["source_id"]))',
    '        rows.extend((float(t), name, neuron) for t in train.magnitude)',
    'if sim.rank() == 0:',
    '    os.makedirs(args.out, exist_ok=True)',
    '    rows.sort(key=lambda r: (r[0], recorded.index(r[1]), r[2]))',
    '    with open(os.path.join(args.out, "spikes.csv"), "w") as f:',
    '        f.write("t_ms,population,neuron\\n")',
    '        for t, name, neuron in rows:',
    '            f.write(f"{t:.6g},{name},{neuron}\\n")',
    '    print(f"{len(rows)} spikes from {sim.num_processes()} process(es) to {args.out}/spikes.csv")',
    'sim.end()',
    '',
  );
  return L.join('\n');
}
