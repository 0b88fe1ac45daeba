// An experiment's output files (DESIGN.md): summary.json ({ experiment,
// params, results, checks }), its plot-ready CSV and its images, each
// written atomically into outDir.

import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { writeFileAtomic, makeDir, removeStaleTemps } from '../core/atomic.js';
import type { ExperimentResult } from './types.js';

export function experimentSummary(name: string, params: Record<string, unknown>, result: ExperimentResult) {
  return { experiment: name, params: { ...params, ...result.params }, results: result.results, checks: result.checks };
}

/** Writes the files; returns their names. */
/** Writes the files as a set, summary.json last (the old one removed first); returns their names. */
export function writeExperiment(name: string, outDir: string, params: Record<string, unknown>, result: ExperimentResult): string[] {
  const summaryFile = join(outDir, 'summary.json');
  makeDir(outDir);
  removeStaleTemps(outDir);
  rmSync(summaryFile, { force: true });
  for (const [file, text] of Object.entries(result.files)) writeFileAtomic(join(outDir, file), text);
  for (const [file, bytes] of Object.entries(result.binaries ?? {})) writeFileAtomic(join(outDir, file), bytes);
  writeFileAtomic(summaryFile, `${JSON.stringify(experimentSummary(name, params, result), null, 2)}\n`);
  return ['summary.json', ...Object.keys(result.files), ...Object.keys(result.binaries ?? {})];
}
