import { describe, it, expect } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { philox4x32, Philox, toUnit } from '../../src/core/philox.js';
import { Dense } from '../../src/kernel/dense.js';
import { gatherRows } from '../../src/dense/batches.js';

// Known-answer vectors of Random123 (kat_vectors): counter, key -> output.
const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

function kernelBlock(kernel: Kernel, key: number[], c: number[]): number[] {
  kernel.setSeedWords(key[0]!, key[1]!);
  return Array.from(kernel.philoxBlock([c[0]!, c[1]!, c[2]!, c[3]!]));
}

describe('Philox4x32-10', () => {
  it.each(['release', 'debug'] as const)('the %s kernel reproduces the Random123 known answers', (flavor) => {
    const kernel = new Kernel(flavor);
    for (const [c, key, expected] of KAT) expect(kernelBlock(kernel, key, c)).toEqual(expected);
  });

  it('the TypeScript twin reproduces the Random123 known answers', () => {
    for (const [c, key, expected] of KAT) expect(philox4x32(key as [number, number], c as [number, number, number, number])).toEqual(expected);
  });

  it('kernel and twin agree on random addresses, seeds above 2^32 included', () => {
    const kernel = new Kernel('release');
    const seeds = [0, 1, 12345, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER];
    let x = 0x9e3779b9;
    const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
    for (const seed of seeds) {
      const twin = new Philox(seed);
      for (let k = 0; k < 200; k++) {
        const c = [next(), next(), next(), next()];
        expect(kernelBlock(kernel, twin.key, c)).toEqual(twin.block(c[0]!, c[1]!, c[2]!, c[3]!));
        kernel.setSeed(seed);
        const addr = [c[0]!, c[1]!, c[2]!, c[3]!] as const;
        expect(kernel.uniform(addr)).toBe(twin.uniform(c[0]!, c[1]!, c[2]!, c[3]!));
        // Box-Muller goes through Math.log/cos, whose last bit may differ between
        // the kernel's libm and V8's; the draws themselves agree exactly.
        expect(Math.abs(kernel.normal(addr) - twin.normal(c[0]!, c[1]!, c[2]!, c[3]!))).toBeLessThan(1e-12);
      }
    }
  });

  it('the four-lane SIMD Philox gives the scalar blocks, carries in the low word included', () => {
    const kernel = new Kernel('release');
    const twin = new Philox(987654321);
    kernel.setSeed(987654321);
    for (const c0 of [0, 17, 0xfffffffd, 0x7fffffff]) {
      const words = Array.from(kernel.philoxBlocks4([c0, 5, 6, 7]));
      const expected = [0, 1, 2, 3].flatMap((j) => twin.block((c0 + j) >>> 0, 5, 6, 7));
      expect(words).toEqual(expected);
    }
  });

  it('the kernel binarises digits with the bits of the twin (keys and counters above 2^31, values at the thresholds, odd row lengths)', () => {
    const dense = new Dense();
    for (const [seed, n] of [[1, 784], [2 ** 33 + 5, 13], [0xfffffffe, 7]] as const) {
      const rows = 12;
      // Grey levels, and the values the uniform's range ends at.
      const data = Float32Array.from({ length: rows * n }, (_, k) => [0, 1, 0.5, (k * 0.618034) % 1][k % 4]!);
      const order = Array.from({ length: rows }, (_, r) => (r * 7) % rows);
      const b = { rng: new Philox(seed), epoch: 3, lane: 1, stream: 0x7000012 };
      const host = new Float32Array(rows * n), kern = new Float32Array(rows * n);
      gatherRows(data, n, order, 0, rows, host, b);
      gatherRows(data, n, order, 0, rows, kern, b, dense);
      expect(Array.from(kern)).toEqual(Array.from(host));
      expect(host.some((v) => v === 1) && host.some((v) => v === 0)).toBe(true);
      // Counters above 2^31 (rows far into a data set), against the twin's draws.
      const bases = [2 ** 31 - 3, 2 ** 32 - 5 * n, 3e9];
      const x = Float32Array.from({ length: bases.length * n }, (_, k) => (k * 0.377) % 1);
      const expected = Array.from(x, (v, k) => (b.rng.uniform(bases[Math.floor(k / n)]! + (k % n), 3, 1, 0x7000012) < v ? 1 : 0));
      dense.binarizeRows(x, n, bases, b.rng.key, 3, 1, 0x7000012);
      expect(Array.from(x)).toEqual(expected);
    }
  });

  it('the kernel draws dropout masks with the bits of the twin (counters past 2^32 wrap alike)', () => {
    const dense = new Dense();
    const twin = new Philox(12345);
    for (const [drawn, n, keep] of [[0, 1000, 0.7], [2 ** 32 - 9, 37, 0.5], [2 ** 33 + 3, 8, 0.3]] as const) {
      const M = dense.mat(1, n);
      dense.dropoutMask(M, keep, 1 / keep, twin.key, drawn, 0, 0, 0x7000018);
      const expected = Float32Array.from({ length: n }, (_, i) => (twin.uniform((drawn + i) % 2 ** 32, 0, 0, 0x7000018) < keep ? 1 / keep : 0));
      expect(Array.from(M.data)).toEqual(Array.from(expected));
      M.free();
    }
  });

  it('the kernel draws uniform noise with the bits of the twin (the GAN\'s latent; counters past 2^32 wrap alike)', () => {
    const dense = new Dense();
    for (const [seed, drawn, n] of [[1, 0, 6400], [2 ** 33 + 5, 2 ** 32 - 9, 37], [0xfffffffe, 2 ** 33 + 3, 3]] as const) {
      const twin = new Philox(seed);
      const M = dense.mat(1, n);
      dense.uniformKeyed(M, 2, -1, twin.key, drawn, 0, 0, 0x7000014);
      const expected = Float32Array.from({ length: n }, (_, i) => 2 * twin.uniform((drawn + i) % 2 ** 32, 0, 0, 0x7000014) - 1);
      expect(Array.from(M.data)).toEqual(Array.from(expected));
      expect(Math.min(...M.data)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...M.data)).toBeLessThan(1);
      M.free();
    }
  });

  it('uniforms are 53-bit, in [0, 1), with the right mean and variance', () => {
    expect(toUnit(0, 0)).toBe(0);
    expect(toUnit(0xffffffff, 0xffffffff)).toBe(1 - 2 ** -53);
    const twin = new Philox(42);
    let sum = 0, sum2 = 0;
    const n = 100_000;
    for (let k = 0; k < n; k++) {
      const u = twin.uniform(k, 0, 0, 0);
      sum += u;
      sum2 += u * u;
    }
    const mean = sum / n, variance = sum2 / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });
});
