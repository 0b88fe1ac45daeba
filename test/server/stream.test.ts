// Streaming over a real WebSocket: frames decode, spikes equal a direct run
// of the same model and seed, slow clients are decimated within bounded
// memory, disconnects are harmless, several clients may watch one run.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { decodeFrame, blockTimes, spikeCount, type Frame, type HelloFrame } from '../../src/protocol/messages.js';
import { simulate } from '../support/helpers.js';
import { loadPreset } from '../../src/model/load.js';

let app: FastifyInstance;
let base: string;
const LIMITS = { highWaterBytes: 64 << 10, maxQueueBytes: 256 << 10 };

beforeAll(async () => {
  app = await buildApp({ maxActiveRuns: 8, watcherLimits: LIMITS });
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
});
afterAll(async () => { await app.close(); });

async function createRun(payload: object): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/api/runs', payload });
  expect(r.statusCode).toBe(201);
  return r.json().id;
}

function connect(id: string): { ws: WebSocket; frames: Frame[]; done: Promise<void>; closed: Promise<{ code: number; reason: string }> } {
  const ws = new WebSocket(`${base}/api/runs/${id}/stream`);
  const frames: Frame[] = [];
  let finish!: () => void;
  const done = new Promise<void>((resolve) => { finish = resolve; });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('message', (data) => {
    const f = decodeFrame(data as Buffer);
    frames.push(f);
    if (f.type === 'done' || f.type === 'error') finish();
  });
  return { ws, frames, done, closed };
}

describe('WebSocket stream', () => {
  it('sends hello first, then spikes, state and progress, then done; frames decode', async () => {
    const id = await createRun({ preset: 'cuba', duration_ms: 200, pace: { mode: 'max' } });
    const c = connect(id);
    await c.done;
    c.ws.close();
    expect(c.frames[0]!.type).toBe('hello');
    const hello = c.frames[0] as HelloFrame;
    expect(hello.run.populations.map((p) => p.name)).toEqual(['exc', 'inh']);
    expect(hello.run.probes.length).toBe(3);
    const types = new Set(c.frames.map((f) => f.type));
    for (const t of ['spikes', 'state', 'progress', 'done']) expect(types.has(t as Frame['type'])).toBe(true);
    expect(c.frames[c.frames.length - 1]!.type).toBe('done');
  });

  it('streams exactly the spikes of a direct run of the same model and seed', async () => {
    const model = { ...(loadPreset('poisson-lif') as object), duration: 300, seed: 17 };
    const id = await createRun({ model, pace: { mode: 'max' } });
    const c = connect(id);
    await c.done;
    c.ws.close();
    const direct = simulate(model).spikes;
    const hello = c.frames[0] as HelloFrame;
    const got: Record<string, { times: number[]; ids: number[] }> = Object.fromEntries(hello.run.populations.map((p) => [p.name, { times: [], ids: [] }]));
    for (const f of c.frames) {
      if (f.type !== 'spikes') continue;
      for (const b of f.blocks) {
        const name = hello.run.populations[b.pop]!.name;
        got[name]!.times.push(...blockTimes(f, b));
        got[name]!.ids.push(...b.ids);
      }
    }
    for (const [name, s] of Object.entries(direct)) {
      expect(got[name]!.ids).toEqual(s.ids);
      expect(got[name]!.times.length).toBe(s.times.length);
      // Clock-driven spikes travel as steps (exact); event-driven ones as f32 offsets.
      const worst = s.times.reduce((m, t, k) => Math.max(m, Math.abs(t - got[name]!.times[k]!)), 0);
      expect(worst).toBeLessThan(1e-4);
    }
    expect(direct.neurons!.times.length).toBeGreaterThan(0);
  });

  it('decimates a slow client with a dropped count, holding bounded memory, and the run completes', async () => {
    // 5000 Poisson sources at 100 Hz, flat out: far more than a stalled client takes.
    const model = { name: 'flood', duration: 8000, populations: [{ name: 'p', size: 5000, model: 'poisson', params: { rate: 100 } }] };
    const id = await createRun({ model, pace: { mode: 'max' } });
    const c = connect(id);
    await new Promise<void>((resolve) => c.ws.on('open', () => resolve()));
    // Stop reading from the socket: the kernel buffers fill, then the server's queue.
    (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const run = app.runs.get(id)!;
    let peak = 0;
    for (let k = 0; k < 100 && !run.finished; k++) {
      await new Promise((res) => setTimeout(res, 50));
      for (const w of run.currentWatchers) peak = Math.max(peak, w.peakHeldBytes);
    }
    (c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await c.done;
    c.ws.close();
    const dropped = c.frames.filter((f) => f.type === 'dropped');
    expect(dropped.length).toBeGreaterThan(0);
    const droppedSpikes = dropped.reduce((n, f) => n + (f as { spikes: number }).spikes, 0);
    const received = c.frames.reduce((n, f) => n + (f.type === 'spikes' ? spikeCount(f) : 0), 0);
    const done = c.frames.find((f) => f.type === 'done');
    const total = done?.type === 'done' ? Number(done.summary.spikes) : NaN;
    expect(received + droppedSpikes).toBe(total);
    expect(received).toBeLessThan(total);
    // What the server held for this client: queue + in flight, never more than the limits plus one frame.
    expect(peak).toBeLessThan(LIMITS.maxQueueBytes + LIMITS.highWaterBytes + (1 << 20));
    expect(c.frames[c.frames.length - 1]!.type).toBe('done');
  });

  it('a client leaving mid-run costs nothing: the run goes on, or stops if asked to', async () => {
    const keep = await createRun({ preset: 'cuba', duration_ms: 3000, pace: { mode: 'realtime', speed: 10 } });
    const a = connect(keep);
    await new Promise((res) => setTimeout(res, 300));
    a.ws.terminate();
    const stopper = await createRun({ preset: 'cuba', duration_ms: null, stop_when_unwatched: true });
    const b = connect(stopper);
    await new Promise((res) => setTimeout(res, 300));
    b.ws.close();
    for (let k = 0; k < 100 && !(app.runs.get(keep)!.finished && app.runs.get(stopper)!.finished); k++) await new Promise((res) => setTimeout(res, 100));
    expect(app.runs.get(keep)!.state).toBe('done');
    expect(app.runs.get(stopper)!.state).toBe('stopped');
  });

  it('several clients watch one run and receive the same frames', async () => {
    const id = await createRun({ preset: 'cuba', duration_ms: 1500, pace: { mode: 'realtime', speed: 3 } });
    const a = connect(id);
    await new Promise((res) => setTimeout(res, 200));
    const b = connect(id);
    await Promise.all([a.done, b.done]);
    a.ws.close();
    b.ws.close();
    expect(b.frames[0]!.type).toBe('hello');
    const spikeFrames = (c: { frames: Frame[] }) => c.frames.filter((f) => f.type === 'spikes').map((f) => (f as { t0: number }).t0);
    const fromA = spikeFrames(a), fromB = spikeFrames(b);
    expect(fromB.length).toBeGreaterThan(5);
    // B joined late: its frames are the tail of A's.
    expect(fromA.slice(fromA.length - fromB.length)).toEqual(fromB);
  });

  it('streams weight histograms and chosen synapses of a plastic run (the song2000 experiment)', async () => {
    const id = await createRun({ experiment: 'song2000', duration_ms: 5000, pace: { mode: 'max' } });
    const c = connect(id);
    await c.done;
    c.ws.close();
    const weights = c.frames.filter((f) => f.type === 'weights') as Extract<Frame, { type: 'weights' }>[];
    expect(weights.length).toBe(6); // t = 0, 1, ..., 5 s
    expect(weights.map((w) => w.t_ms)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    for (const w of weights) {
      expect(w.projection).toBe('plastic');
      expect(w.counts!.length).toBe(20);
      expect(w.counts!.reduce((a, b) => a + b, 0)).toBe(1000);
      expect(w.edges!.length).toBe(21);
      expect(w.values!.length).toBe(8);
      expect(w.pairs!.length).toBe(16);
    }
  });

  it('runs an experiment in full: log, live receptive fields, both accuracy curves, results, report.html; a late watcher catches up', async () => {
    const id = await createRun({ run_experiment: 'stdp-vs-backprop', options: { neurons: 20, train: 200, test: 50, epochs: 1, mlp_epochs: 2 } });
    const c = connect(id);
    await c.done;
    c.ws.close();
    const types = c.frames.map((f) => f.type);
    expect(types[0]).toBe('hello');
    expect(types[types.length - 1]).toBe('done');
    for (const t of ['log', 'images', 'curve', 'results']) expect(types).toContain(t);
    const images = c.frames.filter((f) => f.type === 'images') as Extract<Frame, { type: 'images' }>[];
    const last = images[images.length - 1]!;
    expect([last.rows, last.cols, last.count, last.pixels.length]).toEqual([28, 28, 20, 20 * 784]);
    const curves = c.frames.filter((f) => f.type === 'curve') as Extract<Frame, { type: 'curve' }>[];
    expect(new Set(curves.filter((f) => f.chart === 'test accuracy').map((f) => f.series))).toEqual(new Set(['stdp', 'backprop']));
    expect(curves.filter((f) => f.chart !== 'test accuracy').map((f) => f.series)).toEqual(['converted MLP']);
    const results = c.frames.find((f) => f.type === 'results') as Extract<Frame, { type: 'results' }>;
    expect((results.summary as { results: { stdp: { accuracy: number } } }).results.stdp.accuracy).toBeGreaterThan(0);
    const report = await app.inject({ method: 'GET', url: `/api/runs/${id}/files/report.html` });
    expect(report.statusCode).toBe(200);
    expect(report.body.startsWith('<!doctype html>')).toBe(true);
    // A watcher arriving after the end sees the log, the curves, the latest image grid and the results.
    const late = connect(id);
    await late.done;
    late.ws.close();
    const lateTypes = late.frames.map((f) => f.type);
    expect(lateTypes.filter((t) => t === 'curve').length).toBe(curves.length);
    expect(lateTypes.filter((t) => t === 'images').length).toBe(1);
    expect(lateTypes).toContain('results');
    expect(lateTypes[lateTypes.length - 1]).toBe('done');
  }, 60_000);

  it('closes the socket of an unknown run with 4404', async () => {
    const c = connect('nosuchrun');
    const { code, reason } = await c.closed;
    expect(code).toBe(4404);
    expect(reason).toMatch(/no run with id "nosuchrun"/);
  });
});
