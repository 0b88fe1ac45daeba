// Spikes per second delivered to one WebSocket client, and bytes per spike
// on the wire: a run flat out, a real client decoding every frame.

import WebSocket from 'ws';
import { buildApp } from '../src/server/app.js';
import { decodeFrame, spikeCount } from '../src/protocol/messages.js';

export interface StreamResult {
  source: string;
  spikes: number;
  bytes: number;
  wall_s: number;
  spikes_per_s: number;
  bytes_per_spike: number;
  dropped_frames: number;
}

const SOURCES: Record<string, object> = {
  // 20000 clock-driven LIF neurons firing regularly at about 100 Hz (spikes as steps).
  'lif (clock-driven)': {
    name: 'lif-100hz', duration: 5000,
    populations: [{ name: 'n', size: 20000, model: 'lif', params: { tau_m: 10, c_m: 250, v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 2, i_e: 500 }, init: { v: { uniform: [-70, -55] } } }],
  },
  // 20000 Poisson sources at 100 Hz (exact times as f32 offsets).
  'poisson (event-driven)': {
    name: 'poisson-100hz', duration: 5000,
    populations: [{ name: 'p', size: 20000, model: 'poisson', params: { rate: 100 } }],
  },
};

export async function benchStream(): Promise<StreamResult[]> {
  const app = await buildApp({ limits: { maxNeurons: 1e6 } });
  const base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
  const results: StreamResult[] = [];
  try {
    for (const [source, model] of Object.entries(SOURCES)) {
      const r = await app.inject({ method: 'POST', url: '/api/runs', payload: { model, pace: { mode: 'max' } } });
      const { id } = r.json() as { id: string };
      const ws = new WebSocket(`${base}/api/runs/${id}/stream`);
      let spikes = 0, bytes = 0, dropped = 0, t0 = 0;
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data: Buffer) => {
          if (t0 === 0) t0 = performance.now();
          const f = decodeFrame(data);
          if (f.type === 'spikes') { spikes += spikeCount(f); bytes += data.byteLength; }
          if (f.type === 'dropped') dropped += f.frames;
          if (f.type === 'done') resolve();
          if (f.type === 'error') reject(new Error(f.message));
        });
        ws.on('error', reject);
      });
      const wall = (performance.now() - t0) / 1000;
      ws.close();
      await app.inject({ method: 'DELETE', url: `/api/runs/${id}` });
      results.push({ source, spikes, bytes, wall_s: wall, spikes_per_s: spikes / wall, bytes_per_spike: bytes / spikes, dropped_frames: dropped });
    }
  } finally {
    await app.close();
  }
  return results;
}
