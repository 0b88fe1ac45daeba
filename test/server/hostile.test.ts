// The server under hostile input and faults (issue 11): prototype keys,
// huge and deep payloads, idle and disk-hungry runs, foreign Host and
// Origin (DNS rebinding, cross-site WebSockets), odd run names in downloads,
// errors labelled by their status, sockets closed when runs end.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/server/app.js';
import { contentDisposition } from '../../src/server/routes/runs.js';
import { decodeFrame, type Frame } from '../../src/protocol/messages.js';
import { loadPreset } from '../../src/model/load.js';

const tiny = (name = 'tiny', duration: number | null = 100) => ({
  name, ...(duration === null ? {} : { duration }),
  populations: [{ name: 'src', size: 20, model: 'poisson', params: { rate: 50 } }, { name: 'n', size: 5, model: 'lif' }],
  projections: [{ from: 'src', to: 'n', connect: { rule: 'all_to_all' }, weight: 2 }],
});

async function waitFor(app: FastifyInstance, id: string, states: string[]): Promise<Record<string, unknown>> {
  for (;;) {
    const info = (await app.inject({ url: `/api/runs/${id}` })).json();
    if (states.includes(info.state)) return info;
    await new Promise((res) => setTimeout(res, 20));
  }
}

describe('prototype keys never reach a prototype', () => {
  let app: FastifyInstance;
  beforeAll(async () => { app = await buildApp({ maxActiveRuns: 2 }); });
  afterAll(async () => { await app.close(); });

  it('refuses __proto__, constructor and prototype in overrides, bodies and options, and the server stays whole', async () => {
    const attempts: object[] = [
      { preset: 'cuba', set: ['/__proto__/polluted=1'] },
      { preset: 'cuba', set: ['__proto__.polluted=1'] },
      { preset: 'cuba', set: ['/constructor/prototype/polluted=1'] },
      { preset: 'cuba', set: ['/populations/0/__proto__/polluted=1'] },
      { run_experiment: 'hopfield-recall', options: { toString: 1 } },
    ];
    for (const payload of attempts) {
      const r = await app.inject({ method: 'POST', url: '/api/runs', payload });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().message).toMatch(/__proto__|constructor|prototype|toString/);
    }
    // A literal "__proto__" key in a JSON body.
    const raw = await app.inject({ method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/json' }, payload: '{"preset":"cuba","__proto__":{"polluted":1}}' });
    expect(raw.statusCode).toBe(400);
    const opts = await app.inject({ method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/json' }, payload: '{"run_experiment":"hopfield-recall","options":{"__proto__":{"n":5}}}' });
    expect(opts.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    // Everything still works.
    const ok = await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny(), wait_for_watcher: false, pace: { mode: 'max' } } });
    expect(ok.statusCode).toBe(201);
    const id = ok.json().id;
    const pause = await app.inject({ method: 'POST', url: `/api/runs/${id}/pause` });
    expect([200, 409]).toContain(pause.statusCode);
    await app.inject({ method: 'DELETE', url: `/api/runs/${id}` });
  });
});

describe('huge and deep payloads are refused in bounded work', () => {
  let app: FastifyInstance;
  beforeAll(async () => { app = await buildApp({ bodyLimit: 12 << 20 }); });
  afterAll(async () => { await app.close(); });

  it('a 1 MB and a 10 MB model name are refused with a short message (no suggestion built from them)', async () => {
    for (const size of [1 << 20, 10 << 20]) {
      const model = tiny();
      (model.populations[0] as { model: string }).model = 'x'.repeat(size);
      const r = await app.inject({ method: 'POST', url: '/api/models/validate', payload: { model } });
      expect(r.statusCode).toBe(400);
      expect(r.body.length).toBeLessThan(4096);
      expect(r.json().message).toMatch(/\/populations\/0\/model/);
    }
    // An unknown property with a huge name: reported cut, no "did you mean".
    const model = { ...tiny(), ['y'.repeat(1 << 20)]: 1 };
    const r = await app.inject({ method: 'POST', url: '/api/models/validate', payload: { model } });
    expect(r.statusCode).toBe(400);
    expect(r.body.length).toBeLessThan(4096);
    expect(r.json().message).not.toMatch(/did you mean/);
  });

  it('validates in its own thread: requests sent after a hostile one are answered before it', async () => {
    // 300,000 unknown properties cost the validator about a second; on the
    // event loop they would hold back every request queued behind them.
    const model: Record<string, unknown> = tiny();
    for (let i = 0; i < 300_000; i++) model[`k${i}`] = i;
    let hostileDone = false;
    const hostile = app.inject({ method: 'POST', url: '/api/models/validate', payload: { model } }).then((r) => { hostileDone = true; return r; });
    for (let k = 0; k < 20; k++) {
      const r = await app.inject({ url: '/api/health' });
      expect(r.statusCode).toBe(200);
    }
    const preset = await app.inject({ url: '/api/presets/cuba' });
    expect(preset.statusCode).toBe(200);
    expect(hostileDone).toBe(false);
    const r = await hostile;
    expect(r.statusCode).toBe(400);
    expect(r.json().issues.length).toBeLessThanOrEqual(101);
  });

  it('deep nesting anywhere (model, set value, options) is a 400 naming the depth, never a 500', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const bodies = [
      `{"model":${deep(100_000)}}`,
      `{"model":{"populations":${deep(5000)}}}`,
      `{"preset":"cuba","set":["/seed=${deep(5000)}"]}`,
      `{"run_experiment":"hopfield-recall","options":{"n":${deep(5000)}}}`,
    ];
    for (const payload of bodies) {
      const r = await app.inject({ method: 'POST', url: payload.includes('"set"') || payload.includes('run_experiment') ? '/api/runs' : '/api/models/validate', headers: { 'content-type': 'application/json' }, payload });
      expect(r.statusCode, payload.slice(0, 60)).toBe(400);
      expect(r.json().error).toBe('Bad Request');
    }
  });

  it('labels every error by its status (415 is Unsupported Media Type, 413 Payload Too Large)', async () => {
    const r415 = await app.inject({ method: 'POST', url: '/api/models/validate', headers: { 'content-type': 'application/xml' }, payload: '<model/>' });
    expect(r415.statusCode).toBe(415);
    expect(r415.json().error).toBe('Unsupported Media Type');
    const r413 = await app.inject({ method: 'POST', url: '/api/models/validate', headers: { 'content-type': 'application/json' }, payload: `{"model":"${'x'.repeat(13 << 20)}"}` });
    expect(r413.statusCode).toBe(413);
    expect(r413.json().error).toBe('Payload Too Large');
  });
});

describe('runs are bounded: idle expiry, disk per run and in total, experiments under the same limits', () => {
  let app: FastifyInstance;
  let clock = 0;
  beforeAll(async () => {
    app = await buildApp({
      maxActiveRuns: 4, idleMs: 60_000, now: () => clock, maxRunBytes: 256 << 10, maxTotalBytes: 768 << 10,
      limits: { maxNeurons: 20_000, maxSynapses: 5_000_000 },
    });
  });
  afterAll(async () => { await app.close(); });

  it('stops a run nobody watches or asks about, keeps one that is asked about', async () => {
    clock = 1_000_000;
    const idle = (await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny('idle') } })).json().id;
    const polled = (await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny('polled') } })).json().id;
    clock += 40_000;
    await app.inject({ url: `/api/runs/${polled}` });
    clock += 30_000;
    const expired = app.runs.expireIdle();
    expect(expired.map((r) => r.id)).toEqual([idle]);
    const info = await waitFor(app, idle, ['stopped', 'done']);
    expect(info.reason).toMatch(/no watcher/);
    expect((await app.inject({ url: `/api/runs/${polled}` })).json().state).toBe('waiting');
    await app.inject({ method: 'DELETE', url: `/api/runs/${idle}` });
    await app.inject({ method: 'DELETE', url: `/api/runs/${polled}` });
  });

  it('ends a run whose files outgrow the per-run cap, keeping what it recorded', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/runs', payload: { preset: 'cuba', duration_ms: null, pace: { mode: 'max' }, wait_for_watcher: false } });
    expect(r.statusCode).toBe(201);
    const id = r.json().id;
    const info = await waitFor(app, id, ['error', 'done', 'stopped']);
    expect(info.state).toBe('error');
    expect((info.error as { code: string }).code).toBe('HEBB_ERR_DISK_LIMIT');
    expect((info.error as { message: string }).message).toMatch(/256 KiB|0\.25 MiB|262144 bytes/);
    // cuba records spikes and three voltage traces: together they reached the cap.
    let total = 0;
    for (const name of ['spikes.msgpack', 'state.csv', 'summary.json']) {
      const file = await app.inject({ url: `/api/runs/${id}/files/${name}` });
      expect(file.statusCode, name).toBe(200);
      total += file.rawPayload.length;
    }
    expect(total).toBeGreaterThan(256 << 10);
    expect(total).toBeLessThan(1 << 20);
    await app.inject({ method: 'DELETE', url: `/api/runs/${id}` });
  });

  it('answers 507 when active runs hold the whole disk budget, and makes room by deleting finished runs', async () => {
    const create = () => app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny('hold', null) } });
    const a = await create(), b = await create(), c = await create();
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([201, 201, 201]);
    const d = await create();
    expect(d.statusCode).toBe(507);
    expect(d.json().error).toBe('Insufficient Storage');
    expect(d.json().message).toMatch(/stop one/);
    await app.inject({ method: 'POST', url: `/api/runs/${a.json().id}/stop` });
    const e = await create();
    expect(e.statusCode).toBe(201);
    expect((await app.inject({ url: `/api/runs/${a.json().id}` })).statusCode).toBe(404);
    for (const r of [b, c, e]) await app.inject({ method: 'DELETE', url: `/api/runs/${r.json().id}` });
  });

  it('applies the model limits to experiments and refuses unknown options by name', async () => {
    const big = await app.inject({ method: 'POST', url: '/api/runs', payload: { run_experiment: 'hopfield-recall', options: { n: 15_000 } } });
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toMatch(/limit/);
    const ising = await app.inject({ method: 'POST', url: '/api/runs', payload: { run_experiment: 'ising', options: { sizes: [400] } } });
    expect(ising.statusCode).toBe(413);
    const unknown = await app.inject({ method: 'POST', url: '/api/runs', payload: { run_experiment: 'ising', options: { toString: 1 } } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/options\.toString/);
    const dense = await app.inject({ method: 'POST', url: '/api/runs', payload: { run_experiment: 'rbm-mnist', options: { hidden: 1_000_000 } } });
    expect(dense.statusCode).toBe(400);
    expect(dense.json().message).toMatch(/options\.hidden/);
  });

  it('builds an experiment network under the server limits in its thread too (capacity sizes)', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/runs', payload: { run_experiment: 'hopfield-capacity', options: { sizes: [10_000] } } });
    expect(r.statusCode).toBe(201);
    const info = await waitFor(app, r.json().id, ['error', 'done', 'stopped']);
    expect(info.state).toBe('error');
    expect((info.error as { message: string }).message).toMatch(/limit/);
    await app.inject({ method: 'DELETE', url: `/api/runs/${r.json().id}` });
  });
});

describe('Host and Origin: web pages and rebound names cannot drive the server', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = await buildApp({ allowedHosts: ['hebb.lab.example'] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => { await app.close(); });

  it('serves its addresses, localhost, *.localhost and allowed names; refuses other hosts with 403', async () => {
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'localhost', 'hebb.localhost:1', '[::1]:8080', '192.168.1.20', 'hebb.lab.example:8080', 'LOCALHOST.']) {
      const r = await app.inject({ url: '/api/health', headers: { host } });
      expect(r.statusCode, host).toBe(200);
    }
    for (const host of ['evil.example', 'evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io']) {
      const r = await app.inject({ url: '/api/presets', headers: { host } });
      expect(r.statusCode, host).toBe(403);
      expect(r.json().error).toBe('Forbidden');
      expect(r.json().message).toMatch(/--allow-host/);
    }
  });

  it('refuses requests from pages of another origin, serves its own page', async () => {
    const post = (origin: string) => app.inject({ method: 'POST', url: '/api/models/validate', headers: { host: 'localhost:8080', origin }, payload: { model: tiny() } });
    expect((await post('http://localhost:8080')).statusCode).toBe(200);
    expect((await post('http://hebb.lab.example')).statusCode).toBe(200);
    for (const origin of ['http://evil.example', 'http://localhost:3000', 'null', 'file://', 'http://127.0.0.1:8080']) {
      const r = await post(origin);
      expect(r.statusCode, origin).toBe(403);
      expect(r.json().code).toBe('HEBB_ERR_FORBIDDEN_ORIGIN');
    }
  });

  it('refuses a WebSocket upgrade from a foreign page; accepts its own', async () => {
    const id = (await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny(), pace: { mode: 'max' } } })).json().id;
    const url = `ws://127.0.0.1:${port}/api/runs/${id}/stream`;
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(url, { origin: 'http://evil.example' });
      ws.on('open', () => resolve('open'));
      ws.on('message', () => resolve('message'));
      ws.on('error', (e) => resolve(e.message));
    });
    expect(refused).toMatch(/403/);
    const frames = await new Promise<Frame[]>((resolve, reject) => {
      const got: Frame[] = [];
      const ws = new WebSocket(url, { origin: `http://127.0.0.1:${port}` });
      ws.on('message', (d) => got.push(decodeFrame(d as Buffer)));
      ws.on('close', () => resolve(got));
      ws.on('error', reject);
    });
    expect(frames[0]!.type).toBe('hello');
    expect(frames[frames.length - 1]!.type).toBe('done');
  });

  it("'*' turns both checks off", async () => {
    const open = await buildApp({ allowedHosts: ['*'] });
    const r = await open.inject({ url: '/api/health', headers: { host: 'anything.example', origin: 'http://elsewhere.example' } });
    expect(r.statusCode).toBe(200);
    await open.close();
  });
});

describe('downloads, results and sockets', () => {
  let app: FastifyInstance;
  let base: string;
  let results: string;
  beforeAll(async () => {
    results = mkdtempSync(join(tmpdir(), 'hebb-results-'));
    app = await buildApp({ resultsDir: results });
    base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
  });
  afterAll(async () => { await app.close(); });

  it('encodes any run name in Content-Disposition (RFC 6266 / 5987)', async () => {
    const name = 'Größe "x"; \u00e9t\u00e9 \u4e2d';
    const id = (await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny(name), pace: { mode: 'max' }, wait_for_watcher: false } })).json().id;
    await waitFor(app, id, ['done']);
    for (const file of ['summary.json', 'spikes.msgpack', 'spikes.csv']) {
      const r = await app.inject({ url: `/api/runs/${id}/files/${file}` });
      expect(r.statusCode, file).toBe(200);
      const header = String(r.headers['content-disposition']);
      expect(header).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/);
      const star = /filename\*=UTF-8''(.*)$/.exec(header)![1]!;
      expect(decodeURIComponent(star)).toBe(`${name}-${id}-${file}`);
    }
    expect(contentDisposition('a\r\nSet-Cookie: x=1\u0000.csv')).not.toMatch(/[\r\n\u0000]/);
    expect(contentDisposition('../../etc/passwd')).not.toMatch(/\//);
  });

  it('answers 404 for missing, torn and folder summaries without naming server paths; the list skips them', async () => {
    mkdirSync(join(results, 'torn'));
    writeFileSync(join(results, 'torn', 'summary.json'), '{"experiment": "ising", "res');
    mkdirSync(join(results, 'folder', 'summary.json'), { recursive: true });
    mkdirSync(join(results, 'good'));
    writeFileSync(join(results, 'good', 'summary.json'), '\ufeff{"experiment": "ising", "results": {}}');
    const list = (await app.inject({ url: '/api/results' })).json();
    expect(list.map((r: { name: string }) => r.name)).toEqual(['good']);
    for (const name of ['torn', 'folder', 'absent']) {
      const r = await app.inject({ url: `/api/results/${name}` });
      expect(r.statusCode, name).toBe(404);
      expect(r.json().message).not.toContain(results);
      expect(r.json().message).not.toMatch(/\/tmp|\/home|\/root/);
    }
    expect((await app.inject({ url: '/api/results/good' })).statusCode).toBe(200);
  });

  it('closes the sockets of ended runs after their last frame, and of deleted runs with 1001', async () => {
    const id = (await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny(), pace: { mode: 'max' } } })).json().id;
    const watch = (runId: string) => {
      const ws = new WebSocket(`${base}/api/runs/${runId}/stream`);
      const frames: Frame[] = [];
      ws.on('message', (d) => frames.push(decodeFrame(d as Buffer)));
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      return { frames, closed, opened: new Promise((resolve) => ws.on('open', resolve)) };
    };
    const a = watch(id);
    expect(await a.closed).toBe(1000);
    expect(a.frames[a.frames.length - 1]!.type).toBe('done');
    // A late watcher of the ended run gets hello and done, then the close.
    const late = watch(id);
    expect(await late.closed).toBe(1000);
    expect(late.frames.map((f) => f.type)).toEqual(['hello', 'progress', 'done'].filter((t) => late.frames.some((f) => f.type === t)));

    const forever = (await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny('forever', null) } })).json().id;
    const b = watch(forever);
    await b.opened;
    await app.inject({ method: 'DELETE', url: `/api/runs/${forever}` });
    expect(await b.closed).toBe(1001);
    const stopped = (await app.inject({ method: 'POST', url: '/api/runs', payload: { model: tiny('stopped', null) } })).json().id;
    const c = watch(stopped);
    await c.opened;
    await app.inject({ method: 'POST', url: `/api/runs/${stopped}/stop` });
    expect(await c.closed).toBe(1000);
    expect(c.frames[c.frames.length - 1]!.type).toBe('done');
  });

  it('a preset still runs after all this', async () => {
    const model = { ...(loadPreset('poisson-lif') as object), duration: 50 };
    const r = await app.inject({ method: 'POST', url: '/api/models/validate', payload: { model } });
    expect(r.statusCode).toBe(200);
  });
});
