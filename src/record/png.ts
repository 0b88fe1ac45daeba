// Minimal PNG writer: 8-bit greyscale, no interlace, every row unfiltered
// and the whole image deflated by node:zlib. Enough for filter and sample grids.

import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A greyscale PNG of width x height pixels, values in [0, 1] (row-major). */
export function encodePng(pixels: ArrayLike<number>, width: number, height: number): Buffer {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0;
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = Math.round(255 * Math.min(1, Math.max(0, pixels[y * width + x]!)));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;   // bit depth
  ihdr[9] = 0;   // greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/**
 * Tiles count images of side x side pixels into a grid of `columns`, with a
 * one-pixel gap; each image is scaled to [0, 1] by its own range when
 * `normalise` (filters), else taken as is (samples).
 */
export function imageGrid(images: ArrayLike<number>, count: number, rows: number, cols: number, columns: number, normalise: boolean): { pixels: Float32Array; width: number; height: number } {
  const gridRows = Math.ceil(count / columns);
  const width = columns * (cols + 1) + 1, height = gridRows * (rows + 1) + 1;
  const pixels = new Float32Array(width * height).fill(normalise ? 0.5 : 1);
  for (let k = 0; k < count; k++) {
    let lo = 0, hi = 1;
    if (normalise) {
      lo = Infinity; hi = -Infinity;
      for (let i = 0; i < rows * cols; i++) { const v = images[k * rows * cols + i]!; lo = Math.min(lo, v); hi = Math.max(hi, v); }
      if (!(hi > lo)) hi = lo + 1;
    }
    const ox = 1 + (k % columns) * (cols + 1), oy = 1 + Math.floor(k / columns) * (rows + 1);
    for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) pixels[(oy + y) * width + ox + x] = (images[k * rows * cols + y * cols + x]! - lo) / (hi - lo);
  }
  return { pixels, width, height };
}
