// The same training costs in PyTorch (and scikit-learn's RBM) on one core,
// measured in the same bench run by bench/reference/torch_epochs.py, and
// paired with hebb's by model. Python is $HEBB_PYTHON or python3; without
// torch the bench says so and goes on.

import { spawnSync } from 'node:child_process';
import { packagePath } from '../src/core/paths.js';
import { digitsDir } from '../src/data/mnist.js';
import type { EpochBench, StepBench } from './dense.js';

export interface LibraryResult {
  torch: string;
  threads: number;
  epochs: { model: string; seconds_per_epoch: number }[];
  steps: { model: string; T: number; ms_per_step: number }[];
  sklearn?: string;
}

export interface LibraryRow { model: string; unit: 's per epoch' | 'ms per step'; hebb: number; library: number; library_name: string; hebb_over_library: number }

export function runLibrary(quick: boolean): LibraryResult | { skipped: string } {
  const python = process.env.HEBB_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return { skipped: `${python} cannot import torch${probe.error ? ` (${probe.error.message})` : ''}` };
  const args = [packagePath('bench', 'reference', 'torch_epochs.py'), digitsDir(), ...(quick ? ['--quick'] : [])];
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { skipped: `the torch reference failed: ${r.stderr.trim().split('\n').pop() ?? ''}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as LibraryResult;
}

// The library's RBM rows name the implementation after the architecture.
const SKLEARN_RBM = /^RBM 784-256, scikit-learn/;

/**
 * The library's figures beside hebb's, by model (and T). The two sides name
 * their models alike (bench/dense.ts, the Python script); a library figure
 * with no hebb partner is listed with hebb's side empty, so a renamed case
 * shows rather than drops out.
 */
export function pairWith(lib: LibraryResult, epochs: EpochBench[], steps: StepBench[]): LibraryRow[] {
  const rows: LibraryRow[] = [];
  for (const l of lib.epochs) {
    const sklearn = SKLEARN_RBM.test(l.model);
    const x = epochs.find((e) => e.model === l.model || (sklearn && e.model.startsWith('RBM 784-256, CD-1')));
    const hebb = x?.seconds_per_epoch ?? NaN;
    rows.push({ model: x?.model ?? l.model, unit: 's per epoch', hebb, library: l.seconds_per_epoch, library_name: sklearn ? 'scikit-learn BernoulliRBM (PCD-1, no momentum, float64)' : 'torch', hebb_over_library: hebb / l.seconds_per_epoch });
  }
  for (const l of lib.steps) {
    const hebb = steps.find((s) => s.model === l.model && s.T === l.T)?.ms_per_step ?? NaN;
    rows.push({ model: l.T ? `${l.model}, T = ${l.T}` : l.model, unit: 'ms per step', hebb, library: l.ms_per_step, library_name: 'torch', hebb_over_library: hebb / l.ms_per_step });
  }
  return rows;
}
