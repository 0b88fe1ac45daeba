// hebb: the command line. Exit codes: 0 done, 1 failure while running,
// 2 bad input (the message names the JSON path or the option and the rule),
// 130 interrupted by Ctrl-C (output files are complete up to that point).

import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { readFileSync } from 'node:fs';
import { HebbError, ModelError, UsageError, isInputError, formatIssue } from '../core/errors.js';
import { packagePath } from '../core/paths.js';
import { runCommand } from './run.js';
import { validateCommand, presetsCommand } from './inspect.js';
import { serveCommand } from './serve.js';
import { experimentCommand } from './experiment.js';
import { exportCommand, compareCommand } from './export.js';
import { closest } from '../core/closest.js';


const help = { help: { type: 'boolean', short: 'h' } } as const;

export const COMMANDS: Record<string, Command> = {
  run: runCommand,
  validate: validateCommand,
  presets: presetsCommand,
  serve: serveCommand,
  experiment: experimentCommand,
  export: exportCommand,
  compare: compareCommand,
  bench: {
    summary: 'benchmark the kernel against the native C references',
    usage: 'hebb bench [--quick] [--json]\n\n  --quick   smaller cases (4000 neurons only)\n  --json    print the results as JSON',
    options: { quick: { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [0, 0],
    async run({ values }) {
      const { runBenchmarks } = await import('../../bench/run.js');
      return runBenchmarks({ quick: values.quick === true, json: values.json === true });
    },
  },
};

function version(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `hebb ${version()}: a spiking neuromorphic simulator (event-driven WASM kernel)`,
    '',
    'usage: hebb COMMAND [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "hebb COMMAND --help" for the options of a command.',
    'Exit codes: 0 done, 1 failure, 2 bad input, 130 interrupted.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const cmd = topic ? COMMANDS[topic] : undefined;
    process.stdout.write(`${cmd ? cmd.usage : mainHelp()}\n`);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  try {
    if (!cmd) {
      const hint = closest(name, Object.keys(COMMANDS));
      throw new UsageError(`unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; run "hebb --help"`);
    }
    // Experiments declare their own options: hand them over unparsed.
    if (name === 'experiment' && !rest.includes('--help') && !rest.includes('-h')) return await cmd.run({ positionals: rest, values: {} });
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...cmd.options, ...help }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}\n\nusage: ${cmd.usage}`);
    }
    if (parsed.values.help) {
      process.stdout.write(`${cmd.usage}\n`);
      return 0;
    }
    const [min, max] = cmd.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(`expected ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'} (got ${parsed.positionals.length})\n\nusage: ${cmd.usage}`);
    }
    return await cmd.run({ positionals: parsed.positionals, values: parsed.values as Record<string, unknown> });
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof ModelError) {
    process.stderr.write(`error: ${e.message}\n`);
    if (e.issues.length > 1) for (const issue of e.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
    return 2;
  }
  if (isInputError(e)) {
    process.stderr.write(`error: ${e.message}\n`);
    return 2;
  }
  if (e instanceof HebbError) {
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  // A trap of the kernel (out of memory, a bug): a sentence, not a stack trace.
  if (e instanceof WebAssembly.RuntimeError) {
    process.stderr.write(`error: the kernel stopped: ${e.message} (out of memory, or a bug: please report it with the model)\n`);
    return 1;
  }
  process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
  return 1;
}

export { help };
