// TypeScript twin of assembly/rng.ts (Philox4x32-10). The kernel draws every
// random number; this copy lets the host and the tests compute the same
// draws (a test proves the two agree word for word).

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

export const STREAM_INIT = 1 << 24;
export const STREAM_CONNECT = 2 << 24;
export const STREAM_WEIGHT = 3 << 24;
export const STREAM_DELAY = 4 << 24;
export const STREAM_POISSON = 5 << 24;
export const STREAM_USER_TS = 7 << 24;

/** High and low 32 bits of the 64-bit product of two u32. */
function mulhilo(a: number, b: number): [hi: number, lo: number] {
  const lo = Math.imul(a, b) >>> 0;
  // Split a into 16-bit halves to get the exact high word.
  const aHi = a >>> 16, aLo = a & 0xffff;
  const bHi = b >>> 16, bLo = b & 0xffff;
  const mid1 = aHi * bLo, mid2 = aLo * bHi;
  const carry = ((aLo * bLo) >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff);
  const hi = (aHi * bHi + (mid1 >>> 16) + (mid2 >>> 16) + (carry >>> 16)) >>> 0;
  return [hi, lo];
}

export function philox4x32(key: [number, number], c: [number, number, number, number]): [number, number, number, number] {
  let [c0, c1, c2, c3] = c.map((x) => x >>> 0) as [number, number, number, number];
  let k0 = key[0] >>> 0, k1 = key[1] >>> 0;
  for (let r = 0; r < 10; r++) {
    const [hi0, lo0] = mulhilo(M0, c0);
    const [hi1, lo1] = mulhilo(M1, c2);
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** 53-bit uniform in [0, 1) from (lo, hi) words, as the kernel makes it. */
export function toUnit(lo: number, hi: number): number {
  return ((hi >>> 0) * 2 ** 21 + Math.floor((lo >>> 0) / 2 ** 11)) * 2 ** -53;
}

export class Philox {
  readonly key: [number, number];
  constructor(seed: number) {
    this.key = [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
  }
  block(c0: number, c1: number, c2: number, c3: number): [number, number, number, number] {
    return philox4x32(this.key, [c0, c1, c2, c3]);
  }
  uniform(c0: number, c1: number, c2: number, c3: number): number {
    const [a, b] = this.block(c0, c1, c2, c3);
    return toUnit(a, b);
  }
  uniformPos(c0: number, c1: number, c2: number, c3: number): number {
    return 1 - this.uniform(c0, c1, c2, c3);
  }
  normal(c0: number, c1: number, c2: number, c3: number): number {
    const [a, b, c, d] = this.block(c0, c1, c2, c3);
    const u1 = 1 - toUnit(a, b), u2 = toUnit(c, d);
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

const NUMBERED_KEYS = ['v', 'ge', 'gi', 'u', 'i_e', 'rate', 'count', 'theta', 'state', 'bias', 'field'];

/** The kernel's initKey (assembly/rng.ts): the stream of a variable's initial-value draws, by its name. */
export function initKey(name: string): number {
  const k = NUMBERED_KEYS.indexOf(name);
  if (k >= 0) return k;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return ((h & 0x7fffff) | 0x800000) >>> 0;
}
