// One WebSocket client watching a run. Frames wait in a bounded queue while
// the socket is busy; when the queue is full, the oldest spike and state
// frames are dropped (the kinds FRAME_DELIVERY marks 'drop') and the client
// is told how many with a 'dropped' frame before the next one it gets. A slow
// client thus sees a decimated stream, and costs a bounded amount of memory.

import type { WebSocket } from 'ws';
import { encodeFrame, FRAME_DELIVERY, type Frame } from '../protocol/messages.js';

export interface WatcherLimits {
  /** Bytes handed to the socket and not yet written out, before queueing. */
  highWaterBytes: number;
  /** Bytes of queued frames, before dropping. */
  maxQueueBytes: number;
}

export const DEFAULT_WATCHER_LIMITS: WatcherLimits = { highWaterBytes: 1 << 20, maxQueueBytes: 4 << 20 };

interface Queued { bytes: Uint8Array; droppable: boolean; spikes: number }


export class Watcher {
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private inflight = 0;
  private droppedFrames = 0;
  private droppedSpikes = 0;
  /** Totals over the watcher's life (for tests and the bench). */
  sentFrames = 0;
  sentBytes = 0;
  totalDroppedFrames = 0;
  /** Most bytes held at once (queued and in flight). */
  peakHeldBytes = 0;
  closed = false;
  /** Set by end(): the socket is closed once what is queued has gone out. */
  private ending: { code: number; reason: string } | undefined;

  constructor(private readonly socket: WebSocket, private readonly limits: WatcherLimits = DEFAULT_WATCHER_LIMITS) {}

  /** Bytes this watcher holds (queued and in flight). */
  get heldBytes(): number {
    return this.queuedBytes + this.inflight;
  }

  push(bytes: Uint8Array, type: string, spikes = 0): void {
    if (this.closed || this.ending) return;
    const item = { bytes, droppable: FRAME_DELIVERY[type as Frame['type']] === 'drop', spikes };
    if (this.queue.length === 0 && this.inflight < this.limits.highWaterBytes && this.droppedFrames === 0) {
      this.transmit(item);
      return;
    }
    this.queue.push(item);
    this.queuedBytes += bytes.byteLength;
    this.peakHeldBytes = Math.max(this.peakHeldBytes, this.heldBytes);
    while (this.queuedBytes > this.limits.maxQueueBytes) {
      const k = this.queue.findIndex((q) => q.droppable);
      if (k < 0) break;
      const [gone] = this.queue.splice(k, 1);
      this.queuedBytes -= gone!.bytes.byteLength;
      this.droppedFrames++;
      this.droppedSpikes += gone!.spikes;
      this.totalDroppedFrames++;
    }
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.inflight < this.limits.highWaterBytes && (this.queue.length > 0 || this.droppedFrames > 0)) {
      if (this.droppedFrames > 0) {
        const notice = encodeFrame({ type: 'dropped', frames: this.droppedFrames, spikes: this.droppedSpikes });
        this.droppedFrames = 0;
        this.droppedSpikes = 0;
        this.transmit({ bytes: notice, droppable: false, spikes: 0 });
        continue;
      }
      const item = this.queue.shift()!;
      this.queuedBytes -= item.bytes.byteLength;
      this.transmit(item);
    }
  }

  private transmit(item: Queued): void {
    const size = item.bytes.byteLength;
    this.inflight += size;
    this.peakHeldBytes = Math.max(this.peakHeldBytes, this.heldBytes);
    this.sentFrames++;
    this.sentBytes += size;
    this.socket.send(item.bytes, { binary: true }, () => {
      this.inflight -= size;
      this.pump();
      this.closeIfDrained();
    });
  }

  /** Closes the socket after the frames already queued (the run's last ones) are written. */
  end(code: number, reason: string): void {
    if (this.closed || this.ending) return;
    this.ending = { code, reason };
    this.closeIfDrained();
  }

  private closeIfDrained(): void {
    if (!this.ending || this.closed || this.inflight > 0 || this.queue.length > 0 || this.droppedFrames > 0) return;
    this.closed = true;
    this.socket.close(this.ending.code, this.ending.reason);
  }

  /** Stops sending; with a code, closes the socket now (frames still queued are dropped). */
  close(code?: number, reason?: string): void {
    const open = !this.closed;
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    if (open && code !== undefined) this.socket.close(code, reason);
  }
}
