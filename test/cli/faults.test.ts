// The command line under faults and hostile files (issue 11): output
// locations that cannot be written, signals, a run killed between two file
// publications, byte-order marks, deep JSON, huge --record-v ranges.
// Every refusal is exit code 2 with a sentence, never a stack trace.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync, statSync, watch, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPreset } from '../../src/model/load.js';
import { validateModel } from '../../src/model/validate.js';
import { runModel } from '../../src/record/run-model.js';

const BIN = join(import.meta.dirname, '../../bin/hebb.js');

function hebb(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'hebb-faults-'));
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

describe('output locations are checked before the run', () => {
  it('refuses /proc paths, files in the way and over-long names with exit 2 naming the option, leaving nothing', () => {
    const d = tmp();
    writeFileSync(join(d, 'file'), 'x');
    const cases: [string[], RegExp][] = [
      [['--out', '/proc/x/out'], /--out: cannot write into \/proc\/x\/out/],
      [['--out', join(d, 'file', 'sub')], /--out: cannot write into .*: .*file is not a folder/],
      [['--out', join(d, 'file')], /--out: cannot write into .*file is not a folder/],
      [['--out', join(d, 'o1'), '--save-state', '/dev/full'], /--save-state: \/dev\/full is not a regular file/],
      [['--out', join(d, 'o2'), '--save-state', join(d, 'file', 's.ckpt')], /--save-state: cannot write into/],
      [['--out', join(d, 'o3'), '--save-state', join(d, `${'n'.repeat(240)}.ckpt`)], /--save-state: the file name is longer than 200 bytes/],
    ];
    for (const [args, message] of cases) {
      const r = hebb(['run', 'poisson-lif', '--duration', '10', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      noStack(r.stderr);
    }
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(readdirSync(d)).toEqual(['file']);
  });

  it('refuses a folder it may not write into (as a user; root may write anywhere)', () => {
    if (process.getuid?.() === 0) {
      // Root ignores permissions: a read-only file system is the only refusal, and /proc is one.
      const r = hebb(['run', 'poisson-lif', '--duration', '10', '--out', '/proc/self/hebb-out']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out: cannot write into/);
      return;
    }
    const d = tmp();
    chmodSync(d, 0o555);
    const r = hebb(['run', 'poisson-lif', '--duration', '10', '--out', join(d, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: cannot write into .*permission denied|EACCES/);
  });

  it('experiments check --out the same way', () => {
    const r = hebb(['experiment', 'ising', '--out', '/proc/x', '--sizes', '4', '--temperatures', '2', '--sweeps', '10', '--burn_in', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: cannot write into \/proc\/x/);
    noStack(r.stderr);
  });
});

describe('a state that cannot be saved at the end loses nothing else', () => {
  it('publishes the run\'s files and says what failed', async () => {
    const d = tmp();
    writeFileSync(join(d, 'file'), 'x');
    const model = validateModel({ ...(loadPreset('poisson-lif') as object), duration: 20 });
    // (The command line refuses this path up front; a library caller, or a disk that fills during the run, meets it at the end.)
    await expect(runModel(model, { outDir: join(d, 'out'), saveState: join(d, 'file', 's.ckpt') })).rejects.toThrow(/the run's files are written to .*out, but the state could not be saved to .*s\.ckpt/);
    const s = JSON.parse(readFileSync(join(d, 'out', 'summary.json'), 'utf8'));
    for (const [name, f] of Object.entries(s.files as Record<string, { bytes: number }>)) expect(statSync(join(d, 'out', name)).size, name).toBe(f.bytes);
    expect(readdirSync(join(d, 'out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('signals and sets of files', () => {
  it('SIGTERM finishes the files like Ctrl-C: exit 143, a complete set, no temporaries', async () => {
    const d = tmp();
    mkdirSync(d, { recursive: true });
    const started = new Promise<void>((resolve) => {
      // The run's temporaries appear once it simulates: the moment to signal it.
      const w = watch(d, (_event, name) => {
        if (name && name.endsWith('.tmp') && !name.startsWith('.hebb-probe')) { w.close(); resolve(); }
      });
    });
    const child = spawn(process.execPath, [BIN, 'run', 'cuba', '--duration', '1000000', '--out', d, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => { stderr += c; });
    await started;
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(143);
    expect(stderr).toMatch(/interrupted \(SIGTERM\)/);
    noStack(stderr);
    const s = JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8'));
    expect(s.interrupted).toBe(true);
    for (const [name, f] of Object.entries(s.files as Record<string, { bytes: number }>)) expect(statSync(join(d, name)).size, name).toBe(f.bytes);
    expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a run killed between two publications leaves no summary.json (the set is visibly incomplete); the next run cleans up', () => {
    const d = tmp();
    expect(hebb(['run', 'poisson-lif', '--duration', '50', '--out', d, '--quiet']).code).toBe(0);
    const before = JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8'));
    expect(Object.keys(before.files).sort()).toEqual(readdirSync(d).filter((f) => f !== 'summary.json').sort());
    // Dies as kill -9 would, right after publishing spikes.csv of a run with another seed.
    const killed = hebb(['run', 'poisson-lif', '--duration', '50', '--seed', '7', '--out', d, '--quiet'], { HEBB_TEST_KILL_AFTER: 'spikes.csv' });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(d, 'summary.json'))).toBe(false);
    expect(readFileSync(join(d, 'spikes.csv'), 'utf8')).not.toBe('');
    // Its temporaries are those of a dead process: the next run removes them and publishes a whole set.
    expect(hebb(['run', 'poisson-lif', '--duration', '50', '--seed', '7', '--out', d, '--quiet']).code).toBe(0);
    expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const after = JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8'));
    expect(after.seed).toBe(7);
    for (const [name, f] of Object.entries(after.files as Record<string, { bytes: number }>)) expect(statSync(join(d, name)).size, name).toBe(f.bytes);
  });
});

describe('hostile and unusual model files', () => {
  it('accepts UTF-8 with a byte-order mark', () => {
    const d = tmp();
    const file = join(d, 'bom.json');
    writeFileSync(file, `\ufeff${JSON.stringify(loadPreset('poisson-lif'))}`);
    const r = hebb(['validate', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid/);
  });

  it('refuses deeply nested JSON (10,000 and 200,000 levels) with exit 2 and a sentence', () => {
    const d = tmp();
    for (const depth of [10_000, 200_000]) {
      const file = join(d, `deep${depth}.json`);
      writeFileSync(file, `{"name":"x","populations":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      const runs = [['validate', file], ['run', file, '--out', join(d, 'o')]];
      // (One argument may hold at most 128 kB.)
      if (depth <= 10_000) runs.push(['run', 'cuba', '--set', `/seed=${'['.repeat(depth)}${']'.repeat(depth)}`, '--out', join(d, 'o')]);
      for (const args of runs) {
        const r = hebb(args);
        expect(r.code, `${args[0]} ${depth}`).toBe(2);
        expect(r.stderr).toMatch(/nests deeper than \d+ levels/);
        noStack(r.stderr);
      }
    }
    expect(existsSync(join(d, 'o'))).toBe(false);
  });

  it('reports an out-of-range --record-v range once, at once', () => {
    const r = hebb(['run', 'cuba', '--duration', '10', '--record-v', 'exc:0-999999', '--out', join(tmp(), 'o')]);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(600);
    expect(r.stderr).toMatch(/996,800 neurons \(3200 and on\)|996800 neurons \(3200 and on\)/);
    noStack(r.stderr);
  });

  it('refuses prototype keys in --set and a model that would not fit the kernel, up front', () => {
    for (const set of ['/__proto__/x=1', 'constructor.prototype.x=1', '/populations/0/__proto__/size=3']) {
      const r = hebb(['validate', 'cuba', '--set', set]);
      expect(r.code, set).toBe(2);
      expect(r.stderr).toMatch(/__proto__|constructor|prototype/);
    }
    // all_to_all on 15,811 neurons with STDP: 250 M plastic synapses, refused with its estimate.
    const big = {
      name: 'big', duration: 1,
      populations: [{ name: 'n', size: 15_811, model: 'lif' }],
      projections: [{ from: 'n', to: 'n', connect: { rule: 'all_to_all' }, weight: 0.1, plasticity: { rule: 'stdp', w_max: 1 } }],
    };
    const d = tmp();
    writeFileSync(join(d, 'big.json'), JSON.stringify(big));
    const r = hebb(['validate', join(d, 'big.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GiB|synapses/);
    noStack(r.stderr);
  });
});
