// The one random number generator of hebb: Philox4x32-10 (Salmon et al. 2011,
// "Parallel random numbers: as easy as 1, 2, 3"; the generator of Random123,
// cuRAND, NumPy's Philox and JAX).
//
// It is counter-based: a draw is a pure function of (key, counter), so every
// random quantity in a model has an address and no state is carried between
// draws. The key is the model seed (64 bits); the 128-bit counter is
//   c0 = draw index within the stream,
//   c1 = element index (neuron, or presynaptic row),
//   c2 = object index (population or projection),
//   c3 = purpose tag (STREAM_* below) | sub-purpose.
// Results therefore never depend on the order in which the kernel visits
// neurons or rows, nor on how the work is split across calls or threads.
// src/build/philox.ts is the TypeScript twin; a test proves they agree.

@inline const M0: u64 = 0xD2511F53;
@inline const M1: u64 = 0xCD9E8D57;
@inline const W0: u32 = 0x9E3779B9;
@inline const W1: u32 = 0xBB67AE85;

export const STREAM_INIT: u32 = 1 << 24;
export const STREAM_CONNECT: u32 = 2 << 24;
export const STREAM_WEIGHT: u32 = 3 << 24;
export const STREAM_DELAY: u32 = 4 << 24;
export const STREAM_POISSON: u32 = 5 << 24;
export const STREAM_UNIT: u32 = 6 << 24;
export const STREAM_USER: u32 = 7 << 24;
export const STREAM_POISSON_INPUT: u32 = 8 << 24;
export const STREAM_POISSON_INPUT_TIMES: u32 = 9 << 24;

// The initial-value draws of a state variable are keyed by its name:
// STREAM_INIT | initKey(name). Variables that existed before models were
// units keep the numbers they had then, so that a model and seed give the
// same run as before; any other name takes a 23-bit FNV-1a hash of itself
// (bit 23 set, so it cannot meet one of the numbered ones).
export function initKey(name: string): u32 {
  if (name == "v") return 0;
  if (name == "ge") return 1;
  if (name == "gi") return 2;
  if (name == "u") return 3;
  if (name == "i_e") return 4;
  if (name == "rate") return 5;
  if (name == "count") return 6;
  if (name == "theta") return 7;
  if (name == "state") return 8;
  if (name == "bias") return 9;
  if (name == "field") return 10;
  let h: u32 = 0x811c9dc5;
  for (let k = 0; k < name.length; k++) {
    h ^= <u32>name.charCodeAt(k);
    h *= 0x01000193;
  }
  return (1 << 23) | (h & 0x7fffff);
}

let key0: u32 = 0;
let key1: u32 = 0;

// The four output words of the last call.
export let out0: u32 = 0;
export let out1: u32 = 0;
export let out2: u32 = 0;
export let out3: u32 = 0;

export function setSeed(lo: u32, hi: u32): void {
  key0 = lo;
  key1 = hi;
}

export function seedLo(): u32 { return key0; }
export function seedHi(): u32 { return key1; }

// One Philox4x32-10 block: 10 rounds, key bumped by the Weyl constants
// between rounds.
export function philox(c0: u32, c1: u32, c2: u32, c3: u32): void {
  let k0 = key0, k1 = key1;
  for (let r = 0; r < 10; r++) {
    const p0: u64 = M0 * <u64>c0;
    const p1: u64 = M1 * <u64>c2;
    const hi0 = <u32>(p0 >> 32), lo0 = <u32>p0;
    const hi1 = <u32>(p1 >> 32), lo1 = <u32>p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += W0;
    k1 += W1;
  }
  out0 = c0; out1 = c1; out2 = c2; out3 = c3;
}

// Four Philox blocks at once, in f32x4-width lanes: counter words c0..c3 hold
// one block per lane; the result words go to x4out (lane j = block j),
// bit for bit what four philox() calls give. The 32 x 32 -> 64-bit products
// are i64x2.extmul (pmuludq), so a round costs a handful of vector ops.
export let x4out0: v128 = i32x4.splat(0);
export let x4out1: v128 = i32x4.splat(0);
export let x4out2: v128 = i32x4.splat(0);
export let x4out3: v128 = i32x4.splat(0);

// Inlined: a function with v128 parameters would draw asc's AS112 warning (v128 cannot cross to JS; these never do).
@inline export function philoxX4(c0: v128, c1: v128, c2: v128, c3: v128): void {
  let k0 = key0, k1 = key1;
  const m0 = i32x4.splat(<i32>M0), m1 = i32x4.splat(<i32>M1);
  for (let r = 0; r < 10; r++) {
    const p0lo = i64x2.extmul_low_i32x4_u(c0, m0), p0hi = i64x2.extmul_high_i32x4_u(c0, m0);
    const p1lo = i64x2.extmul_low_i32x4_u(c2, m1), p1hi = i64x2.extmul_high_i32x4_u(c2, m1);
    const lo0 = i32x4.shuffle(p0lo, p0hi, 0, 2, 4, 6), hi0 = i32x4.shuffle(p0lo, p0hi, 1, 3, 5, 7);
    const lo1 = i32x4.shuffle(p1lo, p1hi, 0, 2, 4, 6), hi1 = i32x4.shuffle(p1lo, p1hi, 1, 3, 5, 7);
    c0 = v128.xor(v128.xor(hi1, c1), i32x4.splat(<i32>k0));
    c1 = lo1;
    c2 = v128.xor(v128.xor(hi0, c3), i32x4.splat(<i32>k1));
    c3 = lo0;
    k0 += W0;
    k1 += W1;
  }
  x4out0 = c0; x4out1 = c1; x4out2 = c2; x4out3 = c3;
}

// Eight blocks: two independent sets of four, interleaved so that one set's
// multiplies overlap the other's shuffles. Results in x4out (first set) and
// x8out (second set).
export let x8out0: v128 = i32x4.splat(0);
export let x8out1: v128 = i32x4.splat(0);
export let x8out2: v128 = i32x4.splat(0);
export let x8out3: v128 = i32x4.splat(0);

@inline export function philoxX8(c0: v128, c1: v128, c2: v128, c3: v128, d0: v128, d1: v128, d2: v128, d3: v128): void {
  let k0 = key0, k1 = key1;
  const m0 = i32x4.splat(<i32>M0), m1 = i32x4.splat(<i32>M1);
  for (let r = 0; r < 10; r++) {
    const p0lo = i64x2.extmul_low_i32x4_u(c0, m0), p0hi = i64x2.extmul_high_i32x4_u(c0, m0);
    const p1lo = i64x2.extmul_low_i32x4_u(c2, m1), p1hi = i64x2.extmul_high_i32x4_u(c2, m1);
    const q0lo = i64x2.extmul_low_i32x4_u(d0, m0), q0hi = i64x2.extmul_high_i32x4_u(d0, m0);
    const q1lo = i64x2.extmul_low_i32x4_u(d2, m1), q1hi = i64x2.extmul_high_i32x4_u(d2, m1);
    const kk0 = i32x4.splat(<i32>k0), kk1 = i32x4.splat(<i32>k1);
    const lo0 = i32x4.shuffle(p0lo, p0hi, 0, 2, 4, 6), hi0 = i32x4.shuffle(p0lo, p0hi, 1, 3, 5, 7);
    const lo1 = i32x4.shuffle(p1lo, p1hi, 0, 2, 4, 6), hi1 = i32x4.shuffle(p1lo, p1hi, 1, 3, 5, 7);
    const mo0 = i32x4.shuffle(q0lo, q0hi, 0, 2, 4, 6), ho0 = i32x4.shuffle(q0lo, q0hi, 1, 3, 5, 7);
    const mo1 = i32x4.shuffle(q1lo, q1hi, 0, 2, 4, 6), ho1 = i32x4.shuffle(q1lo, q1hi, 1, 3, 5, 7);
    c0 = v128.xor(v128.xor(hi1, c1), kk0);
    c1 = lo1;
    c2 = v128.xor(v128.xor(hi0, c3), kk1);
    c3 = lo0;
    d0 = v128.xor(v128.xor(ho1, d1), kk0);
    d1 = mo1;
    d2 = v128.xor(v128.xor(ho0, d3), kk1);
    d3 = mo0;
    k0 += W0;
    k1 += W1;
  }
  x4out0 = c0; x4out1 = c1; x4out2 = c2; x4out3 = c3;
  x8out0 = d0; x8out1 = d1; x8out2 = d2; x8out3 = d3;
}

// 53-bit uniform in [0, 1) from two words.
@inline export function toUnit(lo: u32, hi: u32): f64 {
  return <f64>((((<u64>hi) << 32) | <u64>lo) >> 11) * 1.1102230246251565e-16;
}

// Uniform in [0, 1) from the first half of the block at this address.
export function uniform(c0: u32, c1: u32, c2: u32, c3: u32): f64 {
  philox(c0, c1, c2, c3);
  return toUnit(out0, out1);
}

// Uniform in (0, 1]: safe under a logarithm.
export function uniformPos(c0: u32, c1: u32, c2: u32, c3: u32): f64 {
  philox(c0, c1, c2, c3);
  return 1.0 - toUnit(out0, out1);
}

// Standard normal by Box-Muller from the two halves of one block
// (one normal per address: the second is discarded to keep addresses simple).
export function normal(c0: u32, c1: u32, c2: u32, c3: u32): f64 {
  philox(c0, c1, c2, c3);
  const u1 = 1.0 - toUnit(out0, out1);
  const u2 = toUnit(out2, out3);
  return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(6.283185307179586 * u2);
}

// Exponential with mean 1.
export function exponential(c0: u32, c1: u32, c2: u32, c3: u32): f64 {
  return -Math.log(uniformPos(c0, c1, c2, c3));
}

// Integer in [0, n): floor(u * n) from 53 bits; the bias is below 2^-53 * n.
export function below(n: u32, c0: u32, c1: u32, c2: u32, c3: u32): u32 {
  const r = <u32>(uniform(c0, c1, c2, c3) * <f64>n);
  return r < n ? r : n - 1;
}
