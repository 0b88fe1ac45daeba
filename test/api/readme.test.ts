// The README's first run is what `hebb run cuba` prints: every line shown
// (the times, elided as "...", vary from run to run). A change of the
// physics that moves a count makes this fail until the README follows.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

describe('README', () => {
  it('"A first run" shows what hebb run cuba prints', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /## A first run\s+```text\n\$ npx hebb run cuba\n([\s\S]*?)```/.exec(readme);
    expect(block, 'the README has the first-run block').not.toBeNull();
    const shown = block![1]!.trimEnd().split('\n');
    const cwd = mkdtempSync(join(tmpdir(), 'hebb-readme-'));
    const r = spawnSync(process.execPath, [join(root, 'bin', 'hebb.js'), 'run', 'cuba'], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const printed = r.stdout.trimEnd().split('\n');
    // Each shown line in order; "..." skips printed lines up to the next shown one.
    let at = 0;
    for (let k = 0; k < shown.length; k++) {
      const line = shown[k]!;
      if (line === '...') {
        const next = shown[k + 1];
        while (at < printed.length && printed[at] !== next) at++;
        continue;
      }
      expect(printed[at], `README line ${k + 1} ("${line}"); hebb printed:\n${r.stdout}`).toBe(line);
      at++;
    }
  });
});
