// The layering of ARCHITECTURE.md, checked with dependency-cruiser and the
// rules in .dependency-cruiser.cjs: no upward imports, no cycles, the page
// on the protocol alone, the kernel's memory behind src/kernel. A fixture
// tree that breaks each rule once shows that the check can fail.

import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const root = join(import.meta.dirname, '..', '..');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation { rule: { name: string }; from: string; to: string }

function violations(cwd: string, paths: string[]): Violation[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [depcruise, ...paths, '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    // It exits non-zero when it finds violations; the JSON is still there.
    out = (e as { stdout?: string }).stdout ?? '';
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the layers', () => {
  it('hold in the source tree: no upward import, no cycle, the page on the protocol only, kernel memory behind src/kernel', () => {
    expect(violations(root, ['src', 'bench', 'web', 'assembly'])).toEqual([]);
  }, 60_000);

  it('a tree that breaks each rule is refused, rule by rule (the check can fail)', () => {
    const found = violations(join(root, 'test', 'fixtures', 'layering'), ['src', 'web']);
    const by = (rule: string) => found.filter((v) => v.rule.name === rule).map((v) => `${v.from} -> ${v.to}`);
    expect(by('no-upward-from-core-protocol-analysis-figures-equations')).toEqual(['src/core/units.ts -> src/cli/format.ts']);
    expect(by('no-circular').length).toBeGreaterThan(0);
    expect(by('page-knows-only-the-protocol')).toEqual(['web/page.ts -> src/model/a.ts']);
    expect(by('kernel-memory-stays-in-src-kernel')).toEqual(['src/sim/sim.ts -> src/kernel/instance.ts']);
  }, 60_000);

  it('are the ones ARCHITECTURE.md describes, in its order', () => {
    const { LAYERS } = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as { LAYERS: string[][] };
    const doc = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
    // The table of layers, bottom first: | n | `dir`, `dir` | ...
    const rows = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((m) => [...m[2]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!.replace(/^src\//, '').replace(/\/$/, '').replace(/\.ts$/, '')));
    expect(rows).toEqual(LAYERS);
  });
});
