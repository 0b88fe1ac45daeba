// hebb experiment NAME: runs one of the experiments and writes its
// summary.json and CSV files into --out.

import { resolve, join } from 'node:path';
import type { Command } from './main.js';
import { EXPERIMENTS } from '../experiments/index.js';
import type { Experiment, ExperimentResult } from '../experiments/types.js';
import { UsageError } from '../core/errors.js';
import { closest } from '../core/closest.js';
import { writeFileAtomic } from '../core/atomic.js';
import { table } from './table.js';

/** Parses an experiment's options from --name value pairs, checking each. */
export function experimentOptions(exp: Experiment, args: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    const spec = exp.options[name];
    if (!spec) {
      const hint = closest(name, Object.keys(exp.options));
      throw new UsageError(`unknown option${hint ? ` (did you mean --${hint}?)` : ''}; options: ${Object.keys(exp.options).map((o) => `--${o}`).join(', ') || 'none'}`, `--${name}`);
    }
    let raw: string;
    if (eq > 0) raw = arg.slice(eq + 1);
    else if (spec.type === 'boolean') raw = 'true';
    else {
      if (k + 1 >= args.length) throw new UsageError('needs a value', `--${name}`);
      raw = args[++k]!;
    }
    let value: unknown = raw;
    if (spec.type === 'number' || spec.type === 'integer') {
      const x = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(x)) throw new UsageError(`must be a number (got "${raw}")`, `--${name}`);
      if (spec.type === 'integer' && !Number.isInteger(x)) throw new UsageError(`must be an integer (got ${raw})`, `--${name}`);
      if (spec.min !== undefined && x < spec.min) throw new UsageError(`must be >= ${spec.min} (got ${raw})`, `--${name}`);
      value = x;
    } else if (spec.type === 'numbers') {
      const xs = raw.split(',').map((v) => v.trim());
      const bad = xs.find((v) => v === '' || !Number.isFinite(Number(v)) || (spec.min !== undefined && Number(v) < spec.min));
      if (bad !== undefined) throw new UsageError(`must be a comma-separated list of numbers${spec.min !== undefined ? ` >= ${spec.min}` : ''} (got "${raw}")`, `--${name}`);
      value = xs.map(Number);
    } else if (spec.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new UsageError(`must be true or false (got "${raw}")`, `--${name}`);
      value = raw === 'true';
    } else if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(`must be one of ${spec.choices.join(', ')} (got "${raw}")`, `--${name}`);
    }
    values[name] = value;
  }
  for (const [name, spec] of Object.entries(exp.options)) if (!(name in values)) values[name] = spec.default;
  return values;
}

export function writeExperiment(name: string, outDir: string, params: Record<string, unknown>, result: ExperimentResult): string[] {
  const summary = { experiment: name, params: { ...params, ...result.params }, results: result.results, checks: result.checks };
  writeFileAtomic(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  for (const [file, text] of Object.entries(result.files)) writeFileAtomic(join(outDir, file), text);
  for (const [file, bytes] of Object.entries(result.binaries ?? {})) writeFileAtomic(join(outDir, file), bytes);
  return ['summary.json', ...Object.keys(result.files), ...Object.keys(result.binaries ?? {})];
}

export const experimentCommand: Command = {
  summary: 'run an experiment (checks against theory, plot-ready CSV)',
  usage: `hebb experiment NAME [options] [--out DIR] [--json]

experiments:
${Object.entries(EXPERIMENTS).map(([n, e]) => `  ${n.padEnd(20)} ${e.description}\n${Object.entries(e.options).map(([o, s]) => `      --${o} (${s.type}, default ${JSON.stringify(s.default)}): ${s.description}`).join('\n')}`).join('\n')}

Writes summary.json ({ experiment, params, results, checks }) and CSV into DIR
(default out/NAME). Exit code 1 when a check fails.`,
  options: {},
  positionals: [1, Infinity],
  async run({ positionals }) {
    const [name, ...rest] = positionals;
    if (name === undefined || name.startsWith('--')) throw new UsageError(`name an experiment: ${Object.keys(EXPERIMENTS).join(', ')} (hebb experiment --help)`);
    const exp = EXPERIMENTS[name];
    if (!exp) {
      const hint = closest(name!, Object.keys(EXPERIMENTS));
      throw new UsageError(`no experiment named "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; experiments: ${Object.keys(EXPERIMENTS).join(', ')}`);
    }
    let out: string | undefined, json = false;
    const args: string[] = [];
    for (let k = 0; k < rest.length; k++) {
      if (rest[k] === '--out') { out = rest[++k]; if (out === undefined) throw new UsageError('needs a directory', '--out'); }
      else if (rest[k]!.startsWith('--out=')) out = rest[k]!.slice(6);
      else if (rest[k] === '--json') json = true;
      else args.push(rest[k]!);
    }
    const params = experimentOptions(exp, args);
    const outDir = resolve(out ?? join('out', name!));
    let stop = false;
    const onSigint = () => { if (stop) process.exit(130); stop = true; process.stderr.write('\ninterrupted: finishing with what there is\n'); };
    process.on('SIGINT', onSigint);
    const t0 = performance.now();
    let result: ExperimentResult;
    try {
      result = await exp.run(params, {
        progress: (m) => process.stderr.write(`${m}\n`),
        shouldStop: () => stop,
      });
    } finally {
      process.off('SIGINT', onSigint);
    }
    const files = writeExperiment(name!, outDir, params, result);
    if (json) {
      process.stdout.write(`${JSON.stringify({ experiment: name, params, results: result.results, checks: result.checks }, null, 2)}\n`);
    } else {
      process.stdout.write(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n\n`);
      process.stdout.write(`${table(['check', 'measured', 'expected', 'tolerance', 'pass'], result.checks.map((c) => [c.name, fmt(c.measured), fmt(c.expected), fmt(c.tolerance), c.pass ? 'yes' : 'NO']))}\n`);
      process.stdout.write(`\nwrote ${files.join(', ')} to ${outDir}\n`);
    }
    if (stop) return 130;
    return result.checks.every((c) => c.pass) ? 0 : 1;
  },
};

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(3);
  return String(Number(x.toPrecision(6)));
}
