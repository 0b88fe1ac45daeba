// hebb export (a model as a PyNN script) and hebb compare (two spike files side by side).

import type { Command } from './command.js';
import { loadModelSource, applyOverrides } from '../model/load.js';
import { validateModel } from '../model/validate.js';
import { modelOptions, modelOptionsHelp, limitsFrom } from './run.js';
import { stringList } from './options.js';
import { exportPyNN } from '../export/pynn.js';
import { exactNetwork } from '../export/exact.js';
import { readSpikeFile, compareSpikes, DEFAULT_TOLERANCES } from '../export/compare.js';
import { writeFileAtomic } from '../core/atomic.js';
import { UsageError } from '../core/errors.js';
import { table } from '../core/table.js';

export const exportCommand: Command = {
  summary: 'write a model as a PyNN script (NEST, NEURON, Brian2, SpiNNaker; MPI)',
  usage: `hebb export MODEL.json|PRESET --format pynn [-o FILE] [--connectivity rules|exact]\n\n  --format pynn       the target (PyNN 0.10)\n  -o, --output FILE   write the script there (default: standard output)\n  --connectivity      rules (default): PyNN draws the connections by the model's rules;\n                      exact: the synapses, weights, delays and initial values hebb draws, as lists\n${modelOptionsHelp}\n\nThe script takes --simulator nest|neuron|brian2|spiNNaker, --out DIR, --duration MS, --seed N and writes DIR/spikes.csv as hebb does;\ncompare it with hebb's own run by "hebb compare". Features without a PyNN equivalent are refused by name (exit code 2).`,
  options: { format: { type: 'string' }, output: { type: 'string', short: 'o' }, connectivity: { type: 'string' }, ...modelOptions },
  positionals: [1, 1],
  run({ positionals, values }) {
    if (values.format !== 'pynn') throw new UsageError(values.format === undefined ? 'give --format pynn (the only target so far)' : `unknown format "${String(values.format)}": hebb exports to pynn`, '--format');
    const { model, source } = loadModelSource(positionals[0]!);
    const valid = validateModel(applyOverrides(model, stringList(values.set)), { limits: limitsFrom(values), source });
    const connectivity = values.connectivity ?? 'rules';
    if (connectivity !== 'rules' && connectivity !== 'exact') throw new UsageError(`--connectivity is rules or exact (got "${String(connectivity)}")`, '--connectivity');
    const script = exportPyNN(valid, { source, ...(connectivity === 'exact' ? { exact: exactNetwork(valid) } : {}) });
    if (typeof values.output === 'string') {
      writeFileAtomic(values.output, script);
      process.stderr.write(`wrote ${values.output}\n`);
    } else process.stdout.write(script);
    return 0;
  },
};

const num = (v: unknown, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0) throw new UsageError(`--${name} must be a number >= 0 (got ${String(v)})`, `--${name}`);
  return x;
};

export const compareCommand: Command = {
  summary: 'compare two spike files (hebb\'s or an exported script\'s): rates, CV, Fano factor, correlation',
  usage: `hebb compare A/spikes.csv B/spikes.csv [--model MODEL] [--from MS] [--to MS] [--rate-tol 0.05] [--cv-tol 0.1] [--fano-tol 0.3] [--corr-tol 0.05] [--json]\n\n  --model MODEL       population sizes from a model (otherwise the largest neuron index seen)\n  --from, --to        the window in ms (default: all of both files)\n  tolerances: relative for rate, CV and Fano factor, absolute for the mean pairwise correlation\n\nExit code 0 when every measure agrees within its tolerance, 1 when one does not.`,
  options: {
    model: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' },
    'rate-tol': { type: 'string' }, 'cv-tol': { type: 'string' }, 'fano-tol': { type: 'string' }, 'corr-tol': { type: 'string' },
  },
  positionals: [2, 2],
  run({ positionals, values }) {
    const a = readSpikeFile(positionals[0]!), b = readSpikeFile(positionals[1]!);
    let sizes: Record<string, number> | undefined;
    let end = 0;
    for (const m of [a, b]) for (const t of m.values()) for (const x of t.times) end = Math.max(end, x);
    if (typeof values.model === 'string') {
      const { model, source } = loadModelSource(values.model);
      const valid = validateModel(model, { source });
      sizes = Object.fromEntries(valid.populations.map((p) => [p.name, p.size]));
      end = valid.duration;
    }
    const from = num(values.from, 'from', 0), to = num(values.to, 'to', end);
    if (!(to > from)) throw new UsageError(`the window must not be empty (from ${from} to ${to} ms)`, '--to');
    const tolerances = {
      rate: num(values['rate-tol'], 'rate-tol', DEFAULT_TOLERANCES.rate), cv: num(values['cv-tol'], 'cv-tol', DEFAULT_TOLERANCES.cv),
      fano: num(values['fano-tol'], 'fano-tol', DEFAULT_TOLERANCES.fano), correlation: num(values['corr-tol'], 'corr-tol', DEFAULT_TOLERANCES.correlation),
    };
    const rows = compareSpikes(a, b, { from, to, tolerances, ...(sizes ? { sizes } : {}) });
    const agree = rows.every((r) => Object.values(r.ok).every(Boolean));
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ from_ms: from, to_ms: to, tolerances, populations: rows, agree }, null, 2)}\n`);
      return agree ? 0 : 1;
    }
    const f = (x: number, d: number) => (Number.isNaN(x) ? '-' : x.toFixed(d));
    const mark = (ok: boolean) => (ok ? '' : ' *');
    process.stdout.write(`${positionals[0]} (A) against ${positionals[1]} (B), ${from}-${to} ms\n\n`);
    process.stdout.write(`${table(
      ['population', 'neurons', 'rate A Hz', 'rate B Hz', 'CV A', 'CV B', 'Fano A', 'Fano B', 'corr A', 'corr B'],
      rows.map((r) => [r.population, String(r.size), f(r.a.rate_hz, 3), f(r.b.rate_hz, 3) + mark(r.ok.rate_hz), f(r.a.cv, 3), f(r.b.cv, 3) + mark(r.ok.cv),
        f(r.a.fano, 2), f(r.b.fano, 2) + mark(r.ok.fano), f(r.a.correlation, 4), f(r.b.correlation, 4) + mark(r.ok.correlation)]),
    )}\n\n`);
    process.stdout.write(agree
      ? `equivalent: every measure within its tolerance (rate ${tolerances.rate * 100} %, CV ${tolerances.cv * 100} %, Fano factor ${tolerances.fano * 100} %, correlation +-${tolerances.correlation})\n`
      : 'NOT equivalent: the measures marked * are outside their tolerance\n');
    return agree ? 0 : 1;
  },
};
