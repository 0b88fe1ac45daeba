// hebb run MODEL|PRESET: validate, build, run with a progress bar, write the
// output files, print the summary table (or JSON).

import { resolve } from 'node:path';
import type { Command } from './command.js';
import { loadModelSource, applyOverrides, resolveWeightFiles } from '../model/load.js';
import { validateModel, type Limits } from '../model/validate.js';
import { runModel } from '../record/run-model.js';
import { NEURONS_PER_THREAD } from '../sim/simulation.js';
import { NEURON_MODELS } from '../model/neurons/index.js';
import { ProgressBar } from './progress.js';
import { table, formatCount, formatRate } from '../core/table.js';
import { numberOption, parseIds, stringList, shownPath } from './options.js';
import { UsageError } from '../core/errors.js';
import { checkWritableDir, checkWritableFile } from '../core/atomic.js';
import type { RunSummary } from '../sim/simulation.js';
import { MAX_THREADS, type KernelFlavor } from '../kernel/kernel.js';

export const modelOptions = {
  set: { type: 'string', multiple: true },
  'max-neurons': { type: 'string' },
  'max-synapses': { type: 'string' },
} as const;

export const modelOptionsHelp = `  --set PATH=VALUE    override a model value before validation (repeatable);
                      PATH is a JSON Pointer or dotted path: --set /populations/0/size=800
  --max-neurons N     refuse models with more neurons (default 10000000)
  --max-synapses N    refuse models expecting more synapses (default 250000000)`;

export function limitsFrom(values: Record<string, unknown>): Partial<Limits> {
  const limits: Partial<Limits> = {};
  const n = numberOption(values['max-neurons'], '--max-neurons', { min: 0, integer: true });
  const s = numberOption(values['max-synapses'], '--max-synapses', { min: 0, integer: true });
  if (n !== undefined) limits.maxNeurons = n;
  if (s !== undefined) limits.maxSynapses = s;
  return limits;
}

// The models whose update the threads split (each says so in its host file).
const THREADED_MODELS = NEURON_MODELS.filter((m) => m.threaded).map((m) => m.name).join(', ').replace(/, ([^,]*)$/, ' or $1');

export const runCommand: Command = {
  summary: 'run a model file or a preset and write spikes and a summary',
  usage: `hebb run MODEL.json|PRESET [options]

  --duration MS       simulated time (ms), overrides the model's
  --dt MS             time step (ms)
  --seed N            seed of every random draw (integer >= 0)
  --out DIR           output directory (default out/)
  --record-v POP:IDS  also record the membrane potential of POP's neurons IDS
                      (e.g. exc:0,1,2 or exc:0-9) into state.csv
  --quiet             no progress bar
  --json              print the summary as JSON
  --kernel FLAVOR     release (default) or debug (bounds-checked)
  --threads N         threads that run each step (default: the cores, at most one
                      per ${NEURONS_PER_THREAD} ${THREADED_MODELS} neurons); the spikes
                      do not depend on it
  --save-state FILE   save the whole network state at the end (weights, traces,
                      neuron state, spikes in flight, time)
  --load-state FILE   continue from a saved state: the run adds --duration ms
                      (the model must be the one the state was saved from)
${modelOptionsHelp}

Writes summary.json, spikes.csv, spikes.msgpack (and state.csv) to DIR.`,
  options: {
    duration: { type: 'string' }, dt: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
    'record-v': { type: 'string', multiple: true }, quiet: { type: 'boolean' }, json: { type: 'boolean' },
    kernel: { type: 'string' }, threads: { type: 'string' }, 'save-state': { type: 'string' }, 'load-state': { type: 'string' }, ...modelOptions,
  },
  positionals: [1, 1],
  async run({ positionals, values }) {
    const { model: raw, source, dir } = loadModelSource(positionals[0]!);
    const model = resolveWeightFiles(applyOverrides(raw, stringList(values.set)), dir) as Record<string, unknown>;
    const duration = numberOption(values.duration, '--duration', { min: 0 });
    const dt = numberOption(values.dt, '--dt', { exclusiveMin: 0 });
    const seed = numberOption(values.seed, '--seed', { min: 0, integer: true });
    if (seed !== undefined && seed > Number.MAX_SAFE_INTEGER) throw new UsageError(`must be at most ${Number.MAX_SAFE_INTEGER}`, '--seed');
    if (duration !== undefined) model.duration = duration;
    if (dt !== undefined) model.dt = dt;
    if (seed !== undefined) model.seed = seed;
    for (const spec of stringList(values['record-v'])) {
      const colon = spec.indexOf(':');
      if (colon <= 0) throw new UsageError(`expected POP:IDS such as exc:0,1,2 (got "${spec}")`, '--record-v');
      const record = (model.record ??= {}) as { state?: unknown[] };
      (record.state ??= []).push({ population: spec.slice(0, colon), variable: 'v', ids: parseIds(spec.slice(colon + 1), '--record-v') });
    }
    const flavor = values.kernel === undefined ? undefined : String(values.kernel);
    if (flavor !== undefined && flavor !== 'release' && flavor !== 'debug') {
      throw new UsageError(`must be release or debug (got "${flavor}")`, '--kernel');
    }
    const threads = numberOption(values.threads, '--threads', { min: 1, max: MAX_THREADS, integer: true });
    const valid = validateModel(model, { limits: limitsFrom(values), source });
    const outDir = resolve(String(values.out ?? 'out'));
    // Where the results go is checked before any work, not after it.
    checkWritableDir(outDir, '--out');
    if (values['save-state'] !== undefined) checkWritableFile(resolve(String(values['save-state'])), '--save-state');

    const bar = new ProgressBar(values.quiet !== true);
    // Ctrl-C and SIGTERM both finish the output files with what there is.
    let stop: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop) process.exit(signal === 'SIGTERM' ? 143 : 130);
      stop = signal;
      process.stderr.write(`\ninterrupted (${signal}): finishing the output files (again to abort)\n`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let result;
    try {
      result = await runModel(valid, {
        outDir,
        ...(flavor ? { flavor: flavor as KernelFlavor } : {}),
        ...(threads !== undefined ? { threads } : {}),
        onProgress: (done, total) => bar.update(done, total, `${((done * valid.dt) / 1000).toFixed(2)} s`),
        shouldStop: () => stop !== undefined,
        ...(values['load-state'] !== undefined ? { loadState: String(values['load-state']) } : {}),
        ...(values['save-state'] !== undefined ? { saveState: resolve(String(values['save-state'])) } : {}),
      });
    } finally {
      bar.done();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const { summary } = result;
    if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      process.stdout.write(`${formatSummary(summary)}\nwrote ${result.files.join(', ')} to ${shownPath(outDir)}\n`);
      if (values['save-state'] !== undefined) process.stdout.write(`saved the state at ${(result.simulation.timeMs).toFixed(1)} ms to ${resolve(String(values['save-state']))}\n`);
    }
    return summary.interrupted ? (stop === 'SIGTERM' ? 143 : 130) : 0;
  },
};

export function formatSummary(s: RunSummary): string {
  const seconds = s.simulated_ms / 1000;
  const rows = Object.entries(s.populations).map(([name, p]) => [name, formatCount(p.size), formatCount(p.spikes), p.rate_hz.toFixed(2)]);
  const from = s.start_ms !== undefined ? ` from ${s.start_ms} ms` : '';
  const head = `${s.model}: ${s.simulated_ms} ms simulated${from}${s.interrupted ? ` (interrupted; ${s.duration_ms} ms asked)` : ''}, dt ${s.dt_ms} ms, seed ${s.seed}`;
  const pops = table(['population', 'neurons', 'spikes', 'rate (Hz)'], rows);
  const totals = table(['', ''], [
    ['neurons', formatCount(s.neurons)],
    ['synapses', formatCount(s.synapses)],
    ['spikes', formatCount(s.spikes)],
    ['mean rate', `${(s.neurons && seconds ? s.spikes / s.neurons / seconds : 0).toFixed(2)} Hz`],
    ['synaptic events', formatCount(s.synaptic_events)],
    ['build time', `${s.wall_ms.build.toFixed(1)} ms`],
    ['simulation time', `${s.wall_ms.simulate.toFixed(1)} ms`],
    ['output time', `${s.wall_ms.output.toFixed(1)} ms`],
    ['events per second', formatRate(s.events_per_second)],
    ['realtime factor', s.wall_ms.simulate > 0 ? `${(s.simulated_ms / s.wall_ms.simulate).toFixed(1)}x` : '-'],
  ]).split('\n').slice(2).join('\n');
  return `${head}\n\n${pops}\n\n${totals}`;
}
