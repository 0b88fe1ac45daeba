// An experiment's output files (DESIGN.md): summary.json ({ experiment,
// params, results, checks, figures }), its plot-ready CSV, its images, its
// figures as SVG and report.html, each written atomically into outDir.

import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { writeFileAtomic, makeDir, removeStaleTemps } from '../core/atomic.js';
import type { ExperimentResult } from './types.js';
import type { WeightsDocument } from '../model/weights.js';
import { figureSvg } from '../figures/svg.js';
import { experimentReport } from './report.js';

export function experimentSummary(name: string, params: Record<string, unknown>, result: ExperimentResult) {
  return { experiment: name, ...(result.interrupted ? { interrupted: true } : {}), params: { ...params, ...result.params }, results: result.results, checks: result.checks, figures: result.figures ?? [] };
}

/** The files of a result beyond its own: NAME.svg per figure, report.html unless it wrote one. */
export function derivedFiles(name: string, description: string, params: Record<string, unknown>, result: ExperimentResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of result.figures ?? []) out[`${f.name}.svg`] = figureSvg(f);
  if (!('report.html' in result.files)) out['report.html'] = experimentReport(name, description, params, result);
  return out;
}

/** Writes the files as a set, summary.json last (the old one removed first); returns their names. */
export function writeExperiment(name: string, outDir: string, params: Record<string, unknown>, result: ExperimentResult, description = ''): string[] {
  const summaryFile = join(outDir, 'summary.json');
  makeDir(outDir);
  removeStaleTemps(outDir);
  rmSync(summaryFile, { force: true });
  const files = { ...result.files, ...derivedFiles(name, description, params, result) };
  for (const [file, text] of Object.entries(files)) writeFileAtomic(join(outDir, file), text);
  for (const [file, bytes] of Object.entries(result.binaries ?? {})) writeFileAtomic(join(outDir, file), bytes);
  writeFileAtomic(summaryFile, `${JSON.stringify(experimentSummary(name, params, result), null, 2)}\n`);
  return ['summary.json', ...Object.keys(files), ...Object.keys(result.binaries ?? {})];
}

/** A weights document as the bytes of its file (JSON). */
export function weightsFile(doc: WeightsDocument): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(doc)}\n`);
}
