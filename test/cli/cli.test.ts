// The hebb command as a user runs it: exit codes, messages, output files.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSpikeFile, type SpikeFileContents } from '../../src/record/spike-files.js';

const BIN = join(import.meta.dirname, '../../bin/hebb.js');

function hebb(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'hebb-cli-'));
}

function readSpikes(dir: string): SpikeFileContents {
  return decodeSpikeFile(readFileSync(join(dir, 'spikes.msgpack')));
}

function csvRows(dir: string): string[][] {
  return readFileSync(join(dir, 'spikes.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(','));
}

describe('hebb run', () => {
  let dir: string;
  let result: ReturnType<typeof hebb>;
  beforeAll(() => {
    dir = tmp();
    result = hebb(['run', 'cuba', '--duration', '200', '--out', dir, '--record-v', 'inh:0-3']);
  });

  it('exits 0 and prints the summary table', () => {
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/population\s+neurons\s+spikes\s+rate \(Hz\)/);
    expect(result.stdout).toMatch(/synaptic events/);
    expect(result.stdout).toMatch(/events per second/);
  });

  it('writes summary.json with the fields of DESIGN.md, consistent with the spike files', () => {
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    for (const key of ['model', 'seed', 'dt_ms', 'duration_ms', 'neurons', 'synapses', 'spikes', 'synaptic_events', 'wall_ms', 'events_per_second', 'populations']) {
      expect(s).toHaveProperty(key);
    }
    expect(s.model).toBe('cuba');
    expect(s.duration_ms).toBe(200);
    expect(s.neurons).toBe(4000);
    expect(s.wall_ms).toHaveProperty('build');
    expect(s.wall_ms).toHaveProperty('simulate');
    expect(s.populations.exc.size).toBe(3200);
    const rows = csvRows(dir);
    expect(rows.length).toBe(s.spikes);
    const file = readSpikes(dir);
    expect(file.populations.exc!.times.length).toBe(s.populations.exc.spikes);
    expect(file.populations.inh!.ids.length).toBe(s.populations.inh.spikes);
    expect(file.populations.exc!.times).toBeInstanceOf(Float64Array);
    expect(file.populations.exc!.ids).toBeInstanceOf(Uint32Array);
    expect(s.populations.exc.rate_hz).toBeCloseTo(s.populations.exc.spikes / 3200 / 0.2, 10);
  });

  it('spikes.csv and spikes.msgpack hold the same spikes', () => {
    expect(readFileSync(join(dir, 'spikes.csv'), 'utf8').split('\n')[0]).toBe('t_ms,population,neuron');
    const file = readSpikes(dir);
    const fromCsv = csvRows(dir).filter((r) => r[1] === 'inh');
    const inh = file.populations.inh!;
    expect(fromCsv.length).toBe(inh.times.length);
    fromCsv.forEach((r, k) => {
      expect(Number(r[2])).toBe(inh.ids[k]);
      expect(Math.abs(Number(r[0]) - inh.times[k]!)).toBeLessThan(1e-9);
    });
  });

  it('--record-v writes state.csv (the preset probes and the requested ones)', () => {
    const lines = readFileSync(join(dir, 'state.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('t_ms,population,neuron,variable,value');
    const inh = lines.filter((l) => l.includes(',inh,'));
    expect(inh.length).toBe(4 * 2000);
    expect(inh[0]).toMatch(/^0\.1,inh,0,v,-5\d\.\d+/);
  });

  it('--json prints the summary as JSON on stdout', () => {
    const r = hebb(['run', 'poisson-lif', '--duration', '50', '--out', tmp(), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).model).toBe('poisson-lif');
  });

  it('runs a model file, with --seed and --dt overrides', () => {
    const d = tmp();
    const file = join(d, 'm.json');
    writeFileSync(file, JSON.stringify({ name: 'tiny', populations: [{ name: 'p', size: 20, model: 'poisson', params: { rate: 50 } }] }));
    const a = hebb(['run', file, '--out', join(d, 'a'), '--seed', '9', '--dt', '0.05', '--json']);
    expect(a.code).toBe(0);
    const s = JSON.parse(a.stdout);
    expect(s.seed).toBe(9);
    expect(s.dt_ms).toBe(0.05);
    expect(readSpikes(join(d, 'a')).seed).toBe(9);
  });
});

describe('determinism through the CLI', () => {
  it('two runs with the same seed write byte-identical spike files; another seed differs', () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    for (const [dir, seed] of [[a, '5'], [b, '5'], [c, '6']] as const) {
      expect(hebb(['run', 'brunel', '--duration', '50', '--seed', seed, '--out', dir, '--quiet']).code).toBe(0);
    }
    for (const f of ['spikes.csv', 'spikes.msgpack']) {
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
      expect(readFileSync(join(a, f)).equals(readFileSync(join(c, f)))).toBe(false);
    }
  });
});

describe('hebb run with bad input', () => {
  it.each([
    [['run', 'nope.json'], /^error: nope\.json: cannot read the model file \(ENOENT\)/],
    [['run', 'cubaa'], /^error: no preset named "cubaa" \(did you mean "cuba"\?\); presets: .*cuba/],
    [['run', 'cuba', '--duration', 'abc'], /^error: --duration: must be a number \(got "abc"\)/],
    [['run', 'cuba', '--duration=-5'], /^error: --duration: must be >= 0 \(got -5\)/],
    [['run', 'cuba', '--seed', '1.5'], /^error: --seed: must be an integer \(got 1\.5\)/],
    [['run', 'cuba', '--dt', '0'], /^error: --dt: must be > 0 \(got 0\)/],
    [['run', 'cuba', '--bogus'], /^error: Unknown option '--bogus'/],
    [['run'], /^error: expected 1 argument \(got 0\)/],
    [['run', 'cuba', '--set', '/populations/0/size=-1'], /^error: preset cuba: \/populations\/0\/size: must be >= 0 \(got -1\)/],
    [['run', 'cuba', '--record-v', 'exc:a-b'], /^error: --record-v: expected neuron ids like 0,1,2 or 0-9/],
    [['run', 'cuba', '--record-v', 'exc:5000'], /\/record\/state\/1\/ids\/0: neuron 5000 is outside population "exc" \(size 3200\)/],
    [['frobnicate'], /^error: unknown command "frobnicate"/],
  ])('hebb %j exits 2 with a clear message', (args, message) => {
    const r = hebb(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names the file and the JSON path of a bad model, lists every issue, and writes nothing', () => {
    const d = tmp();
    const file = join(d, 'bad.json');
    writeFileSync(file, JSON.stringify({ populations: [{ name: 'a', size: 10, model: 'lif', params: { tau_m: -1 } }], projections: [{ from: 'a', to: 'b', connect: { rule: 'all_to_all' }, weight: 1 }] }));
    const out = join(d, 'out');
    const r = hebb(['run', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${file}: /populations/0/params/tau_m: membrane time constant must be > 0 ms (got -1) (+1 more)`);
    expect(r.stderr).toContain('  /projections/0/to: no population named "b"');
    expect(existsSync(out)).toBe(false);
  });

  it('reports a file that is not JSON', () => {
    const d = tmp();
    writeFileSync(join(d, 'x.json'), '{ "populations": [ }');
    const r = hebb(['run', join(d, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/x\.json: not valid JSON/);
  });

  it('leaves earlier output untouched when the new model is rejected', () => {
    const d = tmp();
    writeFileSync(join(d, 'summary.json'), '{"old": true}');
    const r = hebb(['run', 'cuba', '--out', d, '--set', 'dt=-1']);
    expect(r.code).toBe(2);
    expect(readFileSync(join(d, 'summary.json'), 'utf8')).toBe('{"old": true}');
    expect(readdirSync(d)).toEqual(['summary.json']);
  });
});

describe('checkpoints through the CLI', () => {
  it('run T, save, load, run T more: the second half equals a 2T run', () => {
    const d = tmp();
    expect(hebb(['run', 'song2000', '--duration', '3000', '--save-state', join(d, 's.ckpt'), '--out', join(d, 'a'), '--quiet']).code).toBe(0);
    const second = hebb(['run', 'song2000', '--duration', '3000', '--load-state', join(d, 's.ckpt'), '--out', join(d, 'b'), '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).start_ms).toBe(3000);
    expect(hebb(['run', 'song2000', '--duration', '6000', '--out', join(d, 'c'), '--quiet']).code).toBe(0);
    const lines = (f: string) => readFileSync(f, 'utf8').trimEnd().split('\n').slice(1);
    expect([...lines(join(d, 'a', 'spikes.csv')), ...lines(join(d, 'b', 'spikes.csv'))]).toEqual(lines(join(d, 'c', 'spikes.csv')));
  });

  it('refuses a foreign or mismatched checkpoint with exit code 2 and writes nothing', () => {
    const d = tmp();
    writeFileSync(join(d, 'x.ckpt'), 'not a checkpoint');
    const r = hebb(['run', 'cuba', '--load-state', join(d, 'x.ckpt'), '--out', join(d, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/x\.ckpt: not a hebb checkpoint/);
    expect(existsSync(join(d, 'out'))).toBe(false);
    expect(hebb(['run', 'poisson-lif', '--duration', '10', '--save-state', join(d, 'p.ckpt'), '--out', join(d, 'o'), '--quiet']).code).toBe(0);
    const m = hebb(['run', 'cuba', '--load-state', join(d, 'p.ckpt'), '--out', join(d, 'out2')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/saved from a different model/);
  });
});

describe('hebb validate, presets, help', () => {
  it('validate accepts a good model and rejects a bad one', () => {
    expect(hebb(['validate', 'coba']).stdout).toMatch(/preset coba: valid \(2 populations, 4,000 neurons, 4 projections/);
    const r = hebb(['validate', 'coba', '--set', '/projections/2/weight=-67']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/projections\/2\/weight: conductance weights \(nS\) must be >= 0 \(got -67\)/);
  });

  it('presets lists the shipped models', () => {
    const r = hebb(['presets', '--json']);
    const names = JSON.parse(r.stdout).map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['cuba', 'coba', 'brunel', 'poisson-lif', 'song2000']));
  });

  it.each([['--help'], ['run', '--help'], ['validate', '-h'], ['help', 'presets'], ['bench', '--help']])('hebb %j prints help and exits 0', (...args) => {
    const r = hebb(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hebb/);
  });
});

describe('Ctrl-C', () => {
  it('stops cleanly with exit code 130 and leaves complete output files', async () => {
    const d = tmp();
    // The run's temporaries appear once it simulates: the moment to interrupt it (no sleeping).
    const started = new Promise<void>((resolve) => {
      const w = watch(d, (_event, name) => {
        if (name && name.endsWith('.tmp') && !name.startsWith('.hebb-probe')) { w.close(); resolve(); }
      });
    });
    const child = spawn(process.execPath, [BIN, 'run', 'cuba', '--duration', '1000000', '--out', d, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => { stderr += c; });
    await started;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    const s = JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8'));
    expect(s.interrupted).toBe(true);
    expect(s.simulated_ms).toBeGreaterThanOrEqual(0);
    expect(s.simulated_ms).toBeLessThan(1_000_000);
    expect(csvRows(d).length).toBe(s.spikes);
    expect(csvRows(d).every((r) => r.length === 3)).toBe(true);
    const file = readSpikes(d);
    expect(file.populations.exc!.times.length + file.populations.inh!.times.length).toBe(s.spikes);
    // (Both are step x dt; they may differ in the last bit.)
    expect(file.populations.exc!.times.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(s.simulated_ms + 1e-9);
    expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('hebb run --threads', () => {
  it('writes the same spike file on 1 and 3 threads and says how many ran', () => {
    const one = tmp(), three = tmp();
    const a = hebb(['run', 'coba', '--duration', '150', '--threads', '1', '--out', one, '--json', '--quiet']);
    const b = hebb(['run', 'coba', '--duration', '150', '--threads', '3', '--out', three, '--json', '--quiet']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(a.stdout).threads).toBe(1);
    expect(JSON.parse(b.stdout).threads).toBe(3);
    expect(readFileSync(join(three, 'spikes.msgpack')).equals(readFileSync(join(one, 'spikes.msgpack')))).toBe(true);
    expect(readFileSync(join(three, 'spikes.csv'), 'utf8')).toBe(readFileSync(join(one, 'spikes.csv'), 'utf8'));
  });

  it('refuses a thread count out of range with exit 2, naming the option', () => {
    for (const bad of ['0', '65', '1.5', 'many']) {
      const r = hebb(['run', 'cuba', '--duration', '1', '--threads', bad, '--out', tmp()]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--threads/);
    }
  });
});
