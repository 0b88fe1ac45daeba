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

/** The library's figures beside hebb's, by model (and T). */
export function pairWith(lib: LibraryResult, epochs: EpochBench[], steps: StepBench[]): LibraryRow[] {
  const rows: LibraryRow[] = [];
  for (const x of epochs) {
    for (const l of lib.epochs) {
      const sklearn = x.model.startsWith('RBM 784-256') && SKLEARN_RBM.test(l.model);
      if (l.model !== x.model && !sklearn) continue;
      rows.push({ model: x.model, unit: 's per epoch', hebb: x.seconds_per_epoch, library: l.seconds_per_epoch, library_name: sklearn ? 'scikit-learn BernoulliRBM (PCD-1, no momentum, float64)' : 'torch', hebb_over_library: x.seconds_per_epoch / l.seconds_per_epoch });
    }
  }
  for (const x of steps) {
    const l = lib.steps.find((s) => s.model === x.model && s.T === x.T);
    if (l) rows.push({ model: x.T ? `${x.model}, T = ${x.T}` : x.model, unit: 'ms per step', hebb: x.ms_per_step, library: l.ms_per_step, library_name: 'torch', hebb_over_library: x.ms_per_step / l.ms_per_step });
  }
  return rows;
}
