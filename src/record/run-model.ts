// Runs a validated model to its end (or until stopped) and writes the output
// files of DESIGN.md into outDir: summary.json, spikes.csv, spikes.msgpack and
// state.csv when state is recorded. Every file appears complete or not at all.

import { join } from 'node:path';
import { Simulation, type RunSummary } from '../sim/simulation.js';
import { fanOut, type RecordingSink } from '../sim/recording.js';
import { SpikeFiles } from './spike-files.js';
import { rmSync, statSync } from 'node:fs';
import { writeFileAtomic, fsReason } from '../core/atomic.js';
import { HebbError } from '../core/errors.js';
import type { ValidModel } from '../model/validate.js';
import type { KernelFlavor } from '../kernel/kernel.js';
import { saveCheckpoint, loadCheckpoint } from '../sim/checkpoint-file.js';

export interface RunModelOptions {
  /** Directory for the output files; none are written when undefined. */
  outDir?: string;
  flavor?: KernelFlavor;
  /** Threads that run each step (default: the Simulation's); the spikes do not depend on it. */
  threads?: number;
  onProgress?(done: number, total: number): void;
  shouldStop?(): boolean;
  /** Extra sink (e.g. a live stream) fed beside the files. */
  sink?: RecordingSink;
  /** Continue from this checkpoint (the model's duration is then the time added). */
  loadState?: string;
  /** Save the final state here. */
  saveState?: string;
}

export interface RunModelResult {
  summary: RunSummary;
  files: string[];
  simulation: Simulation;
}

export async function runModel(model: ValidModel, options: RunModelOptions = {}): Promise<RunModelResult> {
  const simulation = new Simulation(model, { ...(options.flavor ? { flavor: options.flavor } : {}), ...(options.threads ? { threads: options.threads } : {}) });
  // A bad checkpoint is refused before any output file is opened.
  if (options.loadState) loadCheckpoint(simulation, options.loadState);
  const files = options.outDir
    ? new SpikeFiles(simulation.network, { dir: options.outDir, weights: model.record?.weights ?? [], ...energyFiles(simulation, model), modules: (model.modules ?? []).length > 0, meta: { model: model.name ?? 'model', seed: model.seed, dt_ms: model.dt } })
    : undefined;
  const sink = fanOut(files, options.sink);
  let interrupted = false;
  try {
    await simulation.runAsync({
      sink,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      shouldStop: () => (interrupted = options.shouldStop?.() ?? false),
    });
  } catch (e) {
    files?.abort();
    throw e;
  }
  const summary = simulation.summary(interrupted && !simulation.reachedEnd);
  const written: string[] = [];
  if (options.outDir && files) {
    // The files of a run are published as a set, summary.json last, listing
    // them: the old summary goes first, so that a run killed while publishing
    // leaves no summary beside a mix of old and new files.
    const summaryFile = join(options.outDir, 'summary.json');
    rmSync(summaryFile, { force: true });
    files.finish();
    written.push('spikes.csv', 'spikes.msgpack');
    if (simulation.network.probes.length) written.push('state.csv');
    const rec = model.record?.weights ?? [];
    if (rec.some((w) => w.synapses?.length)) written.push('weights.csv');
    if (rec.some((w) => w.histogram)) written.push('weight_histograms.csv');
    const energy = energyFiles(simulation, model).energy;
    if (energy) written.push('energy.csv', ...(energy.overlaps ? ['overlaps.csv'] : []));
    if ((model.modules ?? []).length) written.push('modules.csv');
    const manifest = Object.fromEntries(written.map((name) => [name, { bytes: statSync(join(options.outDir!, name)).size }]));
    writeFileAtomic(summaryFile, `${JSON.stringify({ ...summary, files: manifest }, null, 2)}\n`);
    written.unshift('summary.json');
  }
  if (options.saveState) {
    // The outputs are out first: a state that cannot be written loses nothing else.
    try {
      saveCheckpoint(simulation, options.saveState);
    } catch (e) {
      throw new HebbError('HEBB_ERR_SAVE_STATE', `${options.outDir ? `the run's files are written to ${options.outDir}, but ` : ''}the state could not be saved to ${options.saveState}: ${fsReason(e)}`, { cause: e });
    }
  }
  simulation.close();
  return { summary, files: written, simulation };
}

function energyFiles(simulation: Simulation, model: ValidModel): { energy?: { overlaps: boolean } } {
  const pops = model.record?.energy?.populations ?? [];
  if (!pops.length) return {};
  return { energy: { overlaps: pops.some((name) => simulation.network.patterns[name] !== undefined) } };
}
