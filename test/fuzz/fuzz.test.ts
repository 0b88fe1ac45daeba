// Fuzzing (issue 11): mutated models from every preset through the command
// line's code path (hebb validate, then hebb run for those that pass) and
// the server's (POST /api/models/validate and POST /api/runs, read in its
// validator thread). Every answer is a success or a refusal: exit 0 or 2,
// HTTP 200, 201, 400 or 413, a message without a stack trace, a bounded
// length, and no polluted prototype. HEBB_FUZZ_COUNT sets the number of
// cases (npm run fuzz: 10,000), HEBB_FUZZ_SEED the seed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { main } from '../../src/cli/main.js';
import { buildApp } from '../../src/server/app.js';
import { listPresets, loadPreset } from '../../src/model/load.js';
import { mutateModel, Rng, type FuzzCase } from './mutate.js';

const COUNT = Number(process.env.HEBB_FUZZ_COUNT ?? 300);
const SEED = Number(process.env.HEBB_FUZZ_SEED ?? 1);
/** A generous bound on a case (most take a few ms): a hung case fails rather than stalls the suite. */
const TIMEOUT = 60_000 + COUNT * 200;

/** Runs the CLI in this process, as bin/hebb.js does, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const out = process.stdout.write, err = process.stderr.write;
  process.stdout.write = ((c: string | Uint8Array) => { stdout += String(c); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { stderr += String(c); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

function cases(): (FuzzCase & { preset: string; index: number })[] {
  const presets = listPresets().map((p) => p.name);
  const rng = new Rng(SEED);
  return Array.from({ length: COUNT }, (_, index) => {
    const preset = presets[index % presets.length]!;
    return { ...mutateModel(loadPreset(preset), rng), preset, index };
  });
}

const describeCase = (c: { preset: string; index: number; kinds: string[] }) => `case ${c.index} (seed ${SEED}, ${c.preset}: ${c.kinds.join(', ')})`;

function expectClean(text: string, what: string): void {
  expect(text, what).not.toMatch(/\n\s+at .*(\.js|\.ts):\d+/);
  expect(text, what).not.toMatch(/Maximum call stack|TypeError|ReferenceError|RangeError: Invalid|memory access out of bounds/);
  expect(text.length, what).toBeLessThan(64 << 10);
}

describe(`fuzzed models (${COUNT} cases, seed ${SEED})`, () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hebb-fuzz-'));
    app = await buildApp({ limits: { maxNeurons: 20_000, maxSynapses: 3_000_000, maxDurationMs: 1000 }, maxActiveRuns: 64 });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the command line answers each with exit 0 or 2 and a sentence', async () => {
    let valid = 0, ran = 0;
    for (const c of cases()) {
      const what = describeCase(c);
      const file = join(dir, 'model.json');
      writeFileSync(file, c.text);
      const v = await cli(['validate', file]);
      expect([0, 2], `${what}: ${v.stderr.slice(0, 300)}`).toContain(v.code);
      expectClean(v.stderr, what);
      if (v.code !== 0) continue;
      valid++;
      // Valid models run for a moment within small limits (kernel traps would show here).
      const r = await cli(['run', file, '--duration', '1', '--out', join(dir, 'out'), '--quiet', '--max-neurons', '20000', '--max-synapses', '3000000']);
      expect([0, 2], `${what}: ${r.stderr.slice(0, 300)}`).toContain(r.code);
      expectClean(r.stderr, what);
      if (r.code === 0) ran++;
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The mutations leave some models valid (odd but legal values): both paths are exercised.
    console.log(`fuzz: ${valid} of ${COUNT} valid, ${ran} ran`);
    expect(valid).toBeGreaterThan(0);
    expect(ran).toBeGreaterThan(0);
  }, TIMEOUT);

  it('the server answers each with 200, 201, 400 or 413 and a JSON message', async () => {
    for (const c of cases()) {
      const what = describeCase(c);
      const v = await app.inject({ method: 'POST', url: '/api/models/validate', headers: { 'content-type': 'application/json' }, payload: `{"model":${c.text}}` });
      expect([200, 400, 413], `${what}: ${v.body.slice(0, 300)}`).toContain(v.statusCode);
      if (v.statusCode !== 200) {
        const body = v.json();
        expect(typeof body.message, what).toBe('string');
        expectClean(v.body, what);
      }
      const r = await app.inject({ method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/json' }, payload: `{"model":${c.text},"duration_ms":1,"pace":{"mode":"max"},"wait_for_watcher":false}` });
      expect([201, 400, 413], `${what}: ${r.body.slice(0, 300)}`).toContain(r.statusCode);
      if (r.statusCode === 201) await app.inject({ method: 'DELETE', url: `/api/runs/${r.json().id}` });
      else expectClean(r.body, what);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, TIMEOUT);
});
