// The HTTP API through fastify.inject: good and bad inputs, limits, the run life cycle.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { decodeSpikeFile } from '../../src/record/spike-files.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_NAMES } from '../../src/model/neurons/index.js';

let app: FastifyInstance;
beforeAll(async () => { app = await buildApp({ maxActiveRuns: 3, limits: { maxNeurons: 20_000, maxDurationMs: 60_000 }, bodyLimit: 1 << 20 }); });
afterAll(async () => { await app.close(); });

const tiny = (size = 50) => ({
  name: 'tiny', duration: 200,
  populations: [{ name: 'src', size, model: 'poisson', params: { rate: 20 } }, { name: 'n', size: 10, model: 'lif', params: { tau_m: 20 } }],
  projections: [{ from: 'src', to: 'n', connect: { rule: 'fixed_indegree', indegree: 5 }, weight: 5 }],
  record: { state: [{ population: 'n', variable: 'v', ids: [0] }] },
});

async function waitFor(id: string, states: string[], timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  for (;;) {
    const r = await app.inject({ url: `/api/runs/${id}` });
    const info = r.json();
    if (states.includes(info.state)) return info;
    if (Date.now() - t0 > timeoutMs) throw new Error(`run ${id} stayed ${info.state}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('presets, experiments, validation', () => {
  it('lists the presets and serves each as a model', async () => {
    const list = (await app.inject({ url: '/api/presets' })).json();
    expect(list.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['cuba', 'coba', 'brunel', 'poisson-lif']));
    const cuba = await app.inject({ url: '/api/presets/cuba' });
    expect(cuba.statusCode).toBe(200);
    expect(cuba.json().populations[0].name).toBe('exc');
    const missing = await app.inject({ url: '/api/presets/cubaa' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toMatch(/no preset named "cubaa" \(did you mean "cuba"\?\)/);
  });

  it('lists the experiments', async () => {
    const r = await app.inject({ url: '/api/experiments' });
    expect(r.statusCode).toBe(200);
    expect(Array.isArray(r.json())).toBe(true);
  });

  it('validates a good model and fills in its defaults', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/models/validate', payload: { model: tiny() } });
    expect(r.statusCode).toBe(200);
    expect(r.json().model.dt).toBe(0.1);
  });

  it.each([
    ['a negative size', (m: ReturnType<typeof tiny>) => { m.populations[0]!.size = -1; }, '/populations/0/size', 'must be >= 0 (got -1)'],
    ['an unknown model', (m: ReturnType<typeof tiny>) => { (m.populations[1] as { model: string }).model = 'lifx'; }, '/populations/1/model', 'unknown model "lifx" (did you mean "lif"?); expected one of ' + MODEL_NAMES.join(', ')],
    ['an unknown key', (m: ReturnType<typeof tiny>) => { (m as Record<string, unknown>).durration = 5; }, '/durration', 'unknown property "durration" (did you mean "duration"?)'],
    ['a missing population', (m: ReturnType<typeof tiny>) => { m.projections[0]!.to = 'm'; }, '/projections/0/to', 'no population named "m"'],
    ['p above 1', (m: ReturnType<typeof tiny>) => { (m.projections[0] as { connect: object }).connect = { rule: 'fixed_probability', p: 3 }; }, '/projections/0/connect/p', 'must be <= 1 (got 3)'],
    ['a weights file name (the server reads no file a request names)', (m: ReturnType<typeof tiny>) => {
      const r = m as unknown as { populations: unknown[]; modules: unknown[] };
      r.populations.push({ name: 'out', size: 4, model: 'poisson', params: { rate: 0 } });
      r.modules = [{ name: 'rbm', type: 'rbm', input: 'src', output: 'out', weights: '/etc/passwd' }];
    }, '/modules/0/weights', 'a weights file name ("/etc/passwd") is read when the model is loaded from a file (hebb run MODEL.json, or resolveWeightFiles in code); here give the document itself'],
  ])('answers 400 naming the field for %s', async (_what, change, path, message) => {
    const m = tiny();
    change(m);
    const r = await app.inject({ method: 'POST', url: '/api/models/validate', payload: { model: m } });
    expect(r.statusCode).toBe(400);
    expect(r.json().issues).toContainEqual(expect.objectContaining({ path, message }));
  });

  it('answers 413 for a model beyond the size limits, and for a body beyond the byte limit', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/models/validate', payload: { model: tiny(50_000) } });
    expect(r.statusCode).toBe(413);
    expect(r.json().message).toMatch(/limit of 20000/);
    const huge = { model: { ...tiny(), description: 'x'.repeat(2 << 20) } };
    expect((await app.inject({ method: 'POST', url: '/api/models/validate', payload: huge })).statusCode).toBe(413);
  });

  it('answers 404 for unknown routes and runs', async () => {
    expect((await app.inject({ url: '/api/nothing' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/runs/abc123' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/runs/abc123/pause' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/api/runs/abc123' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/runs/abc123/files/spikes.csv' })).statusCode).toBe(404);
  });
});

describe('runs', () => {
  it('refuses a request with neither or both of preset and model, and bad pacing', async () => {
    for (const payload of [{}, { preset: 'cuba', model: tiny() }]) {
      const r = await app.inject({ method: 'POST', url: '/api/runs', payload });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe('give exactly one of "preset", "model", "experiment" and "run_experiment"');
    }
    const r = await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: 'cuba', pace: { mode: 'realtime', speed: -1 } } });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/body\/pace/);
  });

  it('refuses a full experiment run with an unknown experiment or bad options, naming the option', async () => {
    const bad = async (payload: object) => {
      const r = await app.inject({ method: 'POST', url: '/api/runs', payload });
      expect(r.statusCode).toBe(400);
      return r.json().message as string;
    };
    expect(await bad({ run_experiment: 'stdp-vs-backprop', options: { neurons: 0 } })).toBe('options.neurons: must be >= 1 (got 0)');
    expect(await bad({ run_experiment: 'stdp-vs-backprop', options: { neuron: 40 } })).toMatch(/options\.neuron: unknown option \(did you mean options\.neurons\?\)/);
    // Names of Object.prototype are not options (nor a way into it).
    expect(await bad({ run_experiment: 'stdp-vs-backprop', options: { toString: 1 } })).toMatch(/^options\.toString: unknown option/);
    expect(await bad({ run_experiment: 'no-such' })).toMatch(/^no experiment named "no-such"; experiments: stdp-window, /);
    expect(await bad({ preset: 'cuba', options: { neurons: 10 } })).toBe('"options" go with "run_experiment"');
    const list = (await app.inject({ method: 'GET', url: '/api/experiments' })).json() as { name: string; options: Record<string, { default: unknown; description: string }> }[];
    expect(list.find((e) => e.name === 'stdp-vs-backprop')!.options.neurons).toEqual({ type: 'integer', default: 400, description: expect.stringContaining('excitatory neurons') });
  });

  it('refuses a duration beyond the limit with 413 (and accepts "until stopped")', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: 'cuba', duration_ms: 100_000 } });
    expect(r.statusCode).toBe(413);
    expect(r.json().message).toMatch(/exceeds the server's limit of 60000 ms/);
  });

  it('runs a model to the end and serves its files', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny(), wait_for_watcher: false, pace: { mode: 'max' } } });
    expect(r.statusCode).toBe(201);
    const { id } = r.json();
    const info = await waitFor(id, ['done']);
    expect(info.t_ms).toBe(200);
    const summary = (await app.inject({ url: `/api/runs/${id}/files/summary.json` })).json();
    expect(summary.model).toBe('tiny');
    const spikes = await app.inject({ url: `/api/runs/${id}/files/spikes.msgpack` });
    expect(spikes.headers['content-type']).toBe('application/vnd.msgpack');
    const file = decodeSpikeFile(spikes.rawPayload);
    expect(file.populations.src!.times.length + file.populations.n!.times.length).toBe(summary.spikes);
    const csv = await app.inject({ url: `/api/runs/${id}/files/spikes.csv` });
    const lines = csv.body.trimEnd().split('\n');
    expect(lines[0]).toBe('t_ms,population,neuron');
    expect(lines.length - 1).toBe(summary.spikes);
    // The same rows, in the same order, as the CLI writes for this model and seed.
    const dir = mkdtempSync(join(tmpdir(), 'hebb-csv-'));
    writeFileSync(join(dir, 'm.json'), JSON.stringify(tiny()));
    spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/hebb.js'), 'run', join(dir, 'm.json'), '--out', dir, '--quiet']);
    expect(csv.body).toBe(readFileSync(join(dir, 'spikes.csv'), 'utf8'));
    expect((await app.inject({ url: `/api/runs/${id}/files/state.csv` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/runs/${id}/pause` })).statusCode).toBe(409);
    expect((await app.inject({ method: 'DELETE', url: `/api/runs/${id}` })).statusCode).toBe(204);
    expect((await app.inject({ url: `/api/runs/${id}` })).statusCode).toBe(404);
  });

  it('runs a model on two threads with the spikes of one, and refuses threads for an experiment run', async () => {
    const one = (await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny(), wait_for_watcher: false, pace: { mode: 'max' }, threads: 1 } })).json().id;
    const two = (await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny(), wait_for_watcher: false, pace: { mode: 'max' }, threads: 2 } })).json().id;
    await waitFor(one, ['done']);
    await waitFor(two, ['done']);
    expect((await app.inject({ url: `/api/runs/${two}/files/summary.json` })).json().threads).toBe(2);
    expect((await app.inject({ url: `/api/runs/${one}/files/summary.json` })).json().threads).toBe(1);
    const csv = async (id: string) => (await app.inject({ url: `/api/runs/${id}/files/spikes.csv` })).body;
    expect(await csv(two)).toBe(await csv(one));
    const bad = await app.inject({ method: 'POST', url: '/api/runs', payload: { run_experiment: 'ising', threads: 2 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/"threads" goes with a network run/);
    const zero = await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny(), threads: 0 } });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().message).toMatch(/threads/);
  });

  it('pauses, resumes and stops a run; files wait for its end', async () => {
    const { id } = (await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: 'poisson-lif', duration_ms: null, wait_for_watcher: false } })).json();
    await waitFor(id, ['running']);
    expect((await app.inject({ url: `/api/runs/${id}/files/spikes.csv` })).statusCode).toBe(409);
    await new Promise((res) => setTimeout(res, 300));
    expect((await app.inject({ method: 'POST', url: `/api/runs/${id}/pause` })).statusCode).toBe(200);
    await waitFor(id, ['paused']);
    await new Promise((res) => setTimeout(res, 100));
    const t1 = (await app.inject({ url: `/api/runs/${id}` })).json().t_ms;
    await new Promise((res) => setTimeout(res, 300));
    expect((await app.inject({ url: `/api/runs/${id}` })).json().t_ms).toBe(t1);
    expect((await app.inject({ method: 'POST', url: `/api/runs/${id}/resume` })).statusCode).toBe(200);
    await new Promise((res) => setTimeout(res, 300));
    expect((await app.inject({ url: `/api/runs/${id}` })).json().t_ms).toBeGreaterThan(t1);
    const stopped = await app.inject({ method: 'POST', url: `/api/runs/${id}/stop` });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json().state).toBe('stopped');
    const summary = (await app.inject({ url: `/api/runs/${id}/files/summary.json` })).json();
    expect(summary.interrupted).toBe(true);
    await app.inject({ method: 'DELETE', url: `/api/runs/${id}` });
  });

  it('answers 429 beyond the number of active runs', async () => {
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) {
      const r = await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: 'cuba' } });
      expect(r.statusCode).toBe(201);
      ids.push(r.json().id);
    }
    const r = await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: 'cuba' } });
    expect(r.statusCode).toBe(429);
    expect(r.json().message).toBe('at most 3 runs may be active at once; stop or delete one first');
    const listed = (await app.inject({ url: '/api/runs' })).json().map((x: { id: string }) => x.id);
    expect(listed).toEqual(expect.arrayContaining(ids));
    for (const id of ids) expect((await app.inject({ method: 'DELETE', url: `/api/runs/${id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: 'cuba' } })).statusCode).toBe(201);
  });

  it('serves the page and its modules', async () => {
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/importmap/);
    expect((await app.inject({ url: '/app/web/main.js' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/app/src/protocol/messages.js' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/vendor/uplot/uPlot.esm.js' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/vendor/msgpack/index.mjs' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/app/../../package.json' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/app/%2e%2e/%2e%2e/package.json' })).statusCode).toBe(404);
  });
});
