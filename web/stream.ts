// The WebSocket to a run: decodes frames and hands them on.

import { decodeFrame, spikeCount, type Frame } from '../src/protocol/messages.js';
import { stats } from './stats.js';

export function watchRun(runId: string, onFrame: (f: Frame) => void, onClose: (reason: string) => void): WebSocket {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${proto}//${location.host}/api/runs/${runId}/stream`);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (e) => {
    const frame = decodeFrame(e.data as ArrayBuffer);
    stats.frames[frame.type] = (stats.frames[frame.type] ?? 0) + 1;
    if (frame.type === 'spikes') stats.spikes += spikeCount(frame);
    if (frame.type === 'dropped') stats.dropped += frame.frames;
    onFrame(frame);
  };
  ws.onclose = (e) => onClose(e.reason || `closed (${e.code})`);
  return ws;
}
