// Writes a msgpack document piece by piece, so large bin payloads can be
// streamed from disk behind their headers instead of held in memory.

import { encode } from '@msgpack/msgpack';

export class MsgpackStreamWriter {
  constructor(private readonly out: (bytes: Uint8Array) => void) {}

  /** Any small value, encoded whole. */
  value(v: unknown): void {
    this.out(encode(v));
  }

  mapHeader(n: number): void {
    if (n < 16) this.out(Uint8Array.of(0x80 | n));
    else if (n < 0x10000) this.out(Uint8Array.of(0xde, n >>> 8, n & 0xff));
    else this.out(Uint8Array.of(0xdf, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff));
  }

  /** Header of a bin of `length` bytes; the caller writes the bytes next. */
  binHeader(length: number): void {
    if (length > 0xffffffff) throw new Error('bin payload over 4 GiB');
    this.out(Uint8Array.of(0xc6, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff));
  }
}
