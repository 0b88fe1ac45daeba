import type { TObject } from '@sinclair/typebox';
import type { ImagesFrame, CurveFrame } from '../protocol/messages.js';
import type { Limits } from '../model/validate.js';
import type { Figure } from '../protocol/figures.js';

// What an experiment is: options in, a summary (params, results, checks
// against theory or literature) and plot-ready files out.

export interface Check {
  name: string;
  measured: number;
  expected: number;
  tolerance: number;
  pass: boolean;
}

export interface ExperimentResult {
  params: Record<string, unknown>;
  results: Record<string, unknown>;
  checks: Check[];
  /** Plot-ready files (CSV) written beside summary.json: name -> contents. */
  files: Record<string, string>;
  /** Binary files (PNG images) written beside them: name -> bytes. */
  binaries?: Record<string, Uint8Array>;
  /** What to plot, with the theory over the measurements: NAME.svg, report.html, the page. */
  figures?: Figure[];
  /** Stopped before its end (Ctrl-C, the page's Stop): partial, its checks not all made. */
  interrupted?: boolean;
}

export interface ExperimentContext {
  /** A line of progress for the user (stderr on the CLI). */
  progress?(message: string): void;
  /** Fraction done, for a progress bar. */
  fraction?(done: number, total: number): void;
  /** True when the user asked to stop (Ctrl-C): finish early with what there is. */
  shouldStop?(): boolean;
  /** Live views while it runs (the server streams them to the page). */
  emit?(frame: ImagesFrame | CurveFrame): void;
  /** Size limits for every network the experiment builds (the server's; none on the CLI beyond the kernel's). */
  limits?: Partial<Limits>;
}

export interface Experiment {
  description: string;
  /** The options (types, ranges, defaults, descriptions): see options.ts. */
  options: TObject;
  run(options: Record<string, unknown>, ctx: ExperimentContext): Promise<ExperimentResult> | ExperimentResult;
  /** The experiment's network as a model, to watch it run in the live view. */
  model?(options: Record<string, unknown>): Record<string, unknown>;
}
