// The native C references of ../shared/anchors (or $HEBB_ANCHORS), compiled
// with the machine's C compiler when there is one.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../src/core/paths.js';

export function anchorsDir(): string | undefined {
  // $HEBB_ANCHORS, or the anchors folder beside the checkout; no machine's own path.
  const candidates = [process.env.HEBB_ANCHORS, resolve(packageRoot(), '..', 'shared', 'anchors')];
  return candidates.find((d): d is string => !!d && existsSync(join(d, 'cuba.c')));
}

function compiler(): string | undefined {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang']) {
    if (cc && spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0) return cc;
  }
  return undefined;
}

/** Compiles the references; returns model -> executable, or a reason why not. */
export function buildNative(): { binaries: Record<string, string> } | { skipped: string } {
  const dir = anchorsDir();
  if (!dir) return { skipped: 'no reference programs found (set HEBB_ANCHORS to the anchors folder)' };
  const cc = compiler();
  if (!cc) return { skipped: 'no C compiler (cc) on this machine' };
  const out = mkdtempSync(join(tmpdir(), 'hebb-anchors-'));
  const binaries: Record<string, string> = {};
  for (const model of ['cuba', 'coba']) {
    const exe = join(out, model);
    execFileSync(cc, ['-O3', '-march=native', '-o', exe, join(dir, `${model}.c`), '-lm'], { stdio: 'inherit' });
    binaries[model] = exe;
  }
  return { binaries };
}
