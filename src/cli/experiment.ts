// hebb experiment NAME: runs one of the experiments and writes its
// summary.json and CSV files into --out.

import { resolve, join } from 'node:path';
import type { Command } from './command.js';
import { EXPERIMENTS, describeOptions, optionsFromArgs } from '../experiments/index.js';
import { shownPath } from './options.js';
import { writeExperiment } from '../experiments/files.js';
import type { ExperimentResult } from '../experiments/types.js';
import { UsageError } from '../core/errors.js';
import { closest } from '../core/closest.js';
import { table } from '../core/table.js';
import { checkWritableDir } from '../core/atomic.js';

export const experimentCommand: Command = {
  summary: 'run an experiment (checks against theory, plot-ready CSV)',
  usage: `hebb experiment NAME [options] [--out DIR] [--json]

experiments:
${Object.entries(EXPERIMENTS).map(([n, e]) => `  ${n.padEnd(20)} ${e.description}\n${describeOptions(e.options).map((o) => `      --${o.name} (${o.type}, default ${JSON.stringify(o.default)}): ${o.description}`).join('\n')}`).join('\n')}

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
    const params = optionsFromArgs(exp.options, args);
    const outDir = resolve(out ?? join('out', name!));
    checkWritableDir(outDir, '--out');
    let stop: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop) process.exit(signal === 'SIGTERM' ? 143 : 130);
      stop = signal;
      process.stderr.write(`\ninterrupted (${signal}): finishing with what there is\n`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const t0 = performance.now();
    let result: ExperimentResult;
    try {
      result = await exp.run(params, {
        progress: (m) => process.stderr.write(`${m}\n`),
        shouldStop: () => stop !== undefined,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (stop) result.interrupted = true;
    const files = writeExperiment(name!, outDir, params, result, exp.description);
    if (json) {
      process.stdout.write(`${JSON.stringify({ experiment: name, params, results: result.results, checks: result.checks }, null, 2)}\n`);
    } else {
      process.stdout.write(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n\n`);
      process.stdout.write(`${table(['check', 'measured', 'expected', 'tolerance', 'pass'], result.checks.map((c) => [c.name, fmt(c.measured), fmt(c.expected), fmt(c.tolerance), c.pass ? 'yes' : 'NO']))}\n`);
      process.stdout.write(`\nwrote ${files.join(', ')} to ${shownPath(outDir)}\n`);
    }
    if (stop) return stop === 'SIGTERM' ? 143 : 130;
    return result.checks.every((c) => c.pass) ? 0 : 1;
  },
};

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(3);
  return String(Number(x.toPrecision(6)));
}
