// Export to PyNN: the script's content and refusals, hebb compare, and the
// exported CUBA and COBA networks run on a real engine (PyNN 0.10 with
// NEURON 8, Debian's packages; bin/setup-pynn-neuron.sh compiles PyNN's
// mechanisms), on one process and under mpirun -np 2, against hebb's own runs.
// Without PyNN and NEURON the engine tests say so and skip, except under CI.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPyNN } from '../../src/export/pynn.js';
import { readSpikeFile, compareSpikes } from '../../src/export/compare.js';
import { validateModel } from '../../src/model/validate.js';
import { loadPreset } from '../../src/model/load.js';
import { ModelError } from '../../src/core/errors.js';
import { main } from '../../src/cli/main.js';

const PYTHON = '/usr/bin/python3';
const ENV = { ...process.env, LD_LIBRARY_PATH: '/usr/lib/nrn' };
const engine = spawnSync(PYTHON, ['-c', 'import pyNN.neuron'], { env: ENV, encoding: 'utf8' }).status === 0
  && spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status === 0;
if (!engine && !process.env.HEBB_CI) console.warn('PyNN engine tests skipped: no pyNN.neuron or mpirun (apt-get install python3-pynn python3-neuron neuron-dev python3-mpi4py openmpi-bin; bash bin/setup-pynn-neuron.sh)');

async function hebb(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const o = process.stdout.write, e = process.stderr.write;
  process.stdout.write = ((c: string | Uint8Array) => { out += String(c); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { err += String(c); return true; }) as typeof process.stderr.write;
  try { return { code: await main(args), out, err }; } finally { process.stdout.write = o; process.stderr.write = e; }
}

describe('hebb export --format pynn', () => {
  it('writes PyNN\'s standard cells, connectors and units (CUBA: IF_curr_exp, weights in nA)', () => {
    const script = exportPyNN(validateModel(loadPreset('cuba')), { source: 'preset cuba' });
    expect(script).toContain('sim.IF_curr_exp(cm=0.25, tau_m=20, v_rest=-49, v_reset=-60, v_thresh=-50, tau_refrac=5, tau_syn_E=5, tau_syn_I=10, i_offset=0)');
    expect(script).toContain('FixedProbabilityConnector(0.02, allow_self_connections=True, rng=rng)');
    // 1.62 mV of R I with R = 20 ms / 250 pF is 0.02025 nA; inhibition negative (current-based).
    expect(script).toMatch(/StaticSynapse\(weight=0\.0202500*\d*, delay=0\.1\)/);
    expect(script).toContain('StaticSynapse(weight=-0.1125, delay=0.1), receptor_type="inhibitory"');
  });

  it('carries STDP as STDPMechanism with SpikePairRule and the weight dependence', () => {
    const song = { ...(loadPreset('song2000') as object), record: { spikes: ['neuron'] } };
    const script = exportPyNN(validateModel(song), { source: 'song2000' }).split('\n').find((l) => l.includes('STDPMechanism'))!;
    expect(script).toContain('sim.SpikePairRule(tau_plus=20, tau_minus=20, A_plus=0.005, A_minus=0.00525)');
    expect(script).toContain('sim.AdditiveWeightDependence(w_min=0, w_max=0.0002)');
  });

  it('refuses a feature without a PyNN equivalent by its path, never dropping it (exit code 2)', async () => {
    expect(() => exportPyNN(validateModel(loadPreset('ising')), { source: 'ising' })).toThrow(ModelError);
    const r = await hebb(['export', 'ising', '--format', 'pynn']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\/populations\/0\/model: the binary model has no PyNN standard cell type/);
    const triplet = await hebb(['export', 'triplet-stdp', '--format', 'pynn']);
    expect(triplet.code).toBe(2);
    expect(triplet.err).toMatch(/\/plasticity\/rule: the triplet rule has no PyNN equivalent/);
    expect((await hebb(['export', 'cuba'])).err).toMatch(/--format: give --format pynn/);
  });
});

describe('hebb compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hebb-compare-'));
  const file = (name: string, rows: [number, string, number][]) => {
    const f = join(dir, name);
    writeFileSync(f, `t_ms,population,neuron\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    return f;
  };
  it('finds a file equivalent to itself and names what differs in another (exit code 1)', async () => {
    const rows: [number, string, number][] = [];
    for (let j = 0; j < 50; j++) for (let k = 0; k < 20; k++) rows.push([k * 50 + j * 0.7 + 1, 'a', j]);
    const a = file('a.csv', rows);
    const half = file('b.csv', rows.filter((_, k) => k % 2 === 0));
    const same = await hebb(['compare', a, a, '--to', '1000']);
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/equivalent: every measure within its tolerance/);
    const diff = await hebb(['compare', a, half, '--to', '1000']);
    expect(diff.code).toBe(1);
    expect(diff.out).toMatch(/NOT equivalent/);
    expect(compareSpikes(readSpikeFile(a), readSpikeFile(half), { from: 0, to: 1000 })[0]!.ok.rate_hz).toBe(false);
    const bad = file('bad.csv', []);
    writeFileSync(bad, 'time,neuron\n1,2\n');
    expect((await hebb(['compare', a, bad])).err).toMatch(/bad\.csv: not a spike file/);
  });
});

describe.skipIf(!engine && !process.env.HEBB_CI)('exported models on NEURON (PyNN 0.10)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hebb-pynn-'));
  const seeds = [1, 2, 3];

  beforeAll(() => {
    expect(engine, 'PyNN with NEURON and mpirun are required here (HEBB_CI is set)').toBe(true);
  });

  /** Mean rate per population over seeds 1-3, 1 s, from 100 ms on: hebb's run and the exported script on NEURON. */
  async function rates(preset: string, exact = false): Promise<{ hebb: Record<string, number>; neuron: Record<string, number> }> {
    const model = validateModel(loadPreset(preset));
    const sizes = Object.fromEntries(model.populations.map((p) => [p.name, p.size]));
    const sum = { hebb: {} as Record<string, number>, neuron: {} as Record<string, number> };
    for (const seed of seeds) {
      // The exact network is the one hebb draws for this seed: one script per seed.
      const script = join(dir, `${preset}-${exact ? seed : 'rules'}.py`);
      expect((await hebb(['export', preset, '--format', 'pynn', '-o', script, '--set', `/seed=${seed}`, ...(exact ? ['--connectivity', 'exact'] : [])])).code).toBe(0);
      expect((await hebb(['run', preset, '--seed', String(seed), '--duration', '1000', '--out', join(dir, `${preset}-hebb-${seed}`), '--quiet'])).code).toBe(0);
      execFileSync(PYTHON, [script, '--simulator', 'neuron', '--seed', String(seed), '--duration', '1000', '--out', join(dir, `${preset}-neuron-${seed}`)], { env: ENV, stdio: 'pipe' });
      const rows = compareSpikes(readSpikeFile(join(dir, `${preset}-hebb-${seed}`, 'spikes.csv')), readSpikeFile(join(dir, `${preset}-neuron-${seed}`, 'spikes.csv')), { from: 100, to: 1000, sizes });
      for (const r of rows) {
        sum.hebb[r.population] = (sum.hebb[r.population] ?? 0) + r.a.rate_hz / seeds.length;
        sum.neuron[r.population] = (sum.neuron[r.population] ?? 0) + r.b.rate_hz / seeds.length;
      }
    }
    return sum;
  }

  it('CUBA: the rates on NEURON are hebb\'s within 5 % (mean of seeds 1-3)', async () => {
    const r = await rates('cuba');
    for (const pop of ['exc', 'inh']) expect(Math.abs(r.neuron[pop]! / r.hebb[pop]! - 1), `${pop}: NEURON ${r.neuron[pop]} Hz, hebb ${r.hebb[pop]} Hz`).toBeLessThan(0.05);
  }, 300_000);

  // COBA's preset draws initial conductances from normal(40, 15) and normal(200, 120) nS, unclipped, as
  // Brian2's example does: some are negative, which no PyNN input can give, and COBA's self-sustained
  // activity depends on that start (with PyNN's own draws and clipped starts NEURON fired 10 % lower).
  // So both engines run the same model: starts clipped at 0, and the network hebb drew (--connectivity exact).
  // Seed 1 sustains its activity in both engines and seed 2 falls silent in both: the two regimes
  // (seed 3, sustained like seed 1 and measured within 3 %, is left out for the suite's time).
  it('COBA (initial conductances clipped at 0, the network hebb drew): the same regime per seed, sustained rates within 5 % (seeds 1, 2)', async () => {
    const coba = loadPreset('coba') as { populations: { init: Record<string, unknown> }[] } & Record<string, unknown>;
    const clipped = { ...coba, populations: coba.populations.map((p) => ({ ...p, init: { ...p.init, ge: { normal: [40, 15], clip: [0, 1000] }, gi: { normal: [200, 120], clip: [0, 1000] } } })) };
    const file = join(dir, 'coba-clipped.json');
    writeFileSync(file, JSON.stringify(clipped));
    let sustained = 0, silent = 0;
    for (const seed of [1, 2]) {
      const script = join(dir, `coba-clipped-${seed}.py`);
      expect((await hebb(['export', file, '--format', 'pynn', '--connectivity', 'exact', '--set', `/seed=${seed}`, '-o', script])).code).toBe(0);
      expect((await hebb(['run', file, '--seed', String(seed), '--out', join(dir, `cc-hebb-${seed}`), '--quiet'])).code).toBe(0);
      execFileSync(PYTHON, [script, '--simulator', 'neuron', '--seed', String(seed), '--duration', '1000', '--out', join(dir, `cc-neuron-${seed}`)], { env: ENV, stdio: 'pipe' });
      const rows = compareSpikes(readSpikeFile(join(dir, `cc-hebb-${seed}`, 'spikes.csv')), readSpikeFile(join(dir, `cc-neuron-${seed}`, 'spikes.csv')), { from: 100, to: 1000, sizes: { exc: 3200, inh: 800 } });
      for (const r of rows) {
        const what = `seed ${seed}, ${r.population}: hebb ${r.a.rate_hz} Hz, NEURON ${r.b.rate_hz} Hz`;
        // Silent after the start in one engine, silent in the other; sustained in both, at the same rate.
        expect(r.a.rate_hz > 1, what).toBe(r.b.rate_hz > 1);
        if (r.a.rate_hz > 1) { expect(Math.abs(r.b.rate_hz / r.a.rate_hz - 1), what).toBeLessThan(0.05); sustained++; } else silent++;
      }
    }
    // Both regimes met (each population of each seed counted).
    expect(sustained).toBeGreaterThanOrEqual(2);
    expect(silent).toBeGreaterThanOrEqual(1);
  }, 300_000);

  // NEURON's ParallelContext needs delays between ranks longer than dt; CUBA's are one step (0.1 ms),
  // so the MPI run takes CUBA with 0.2 ms delays, the same script on one process and on two.
  it('CUBA under mpirun -np 2: two ranks, the spikes of the one-process run', async () => {
    const cuba = loadPreset('cuba') as { projections: Record<string, unknown>[] } & Record<string, unknown>;
    const file = join(dir, 'cuba-0.2.json');
    writeFileSync(file, JSON.stringify({ ...cuba, projections: cuba.projections.map((p) => ({ ...p, delay: 0.2 })) }));
    const script = join(dir, 'cuba-mpi.py');
    expect((await hebb(['export', file, '--format', 'pynn', '-o', script])).code).toBe(0);
    const out = execFileSync('mpirun', ['--allow-run-as-root', '--oversubscribe', '-np', '2', '-x', 'LD_LIBRARY_PATH', PYTHON, script, '--simulator', 'neuron', '--seed', '1', '--duration', '300', '--out', join(dir, 'cuba-mpi')], { env: ENV, encoding: 'utf8' });
    expect(out).toMatch(/spikes from 2 process\(es\)/);
    execFileSync(PYTHON, [script, '--simulator', 'neuron', '--seed', '1', '--duration', '300', '--out', join(dir, 'cuba-one')], { env: ENV, stdio: 'pipe' });
    const spikes = readFileSync(join(dir, 'cuba-mpi', 'spikes.csv'), 'utf8');
    expect(spikes.split('\n').length).toBeGreaterThan(1000);
    expect(spikes).toBe(readFileSync(join(dir, 'cuba-one', 'spikes.csv'), 'utf8'));
  }, 300_000);
});
