// Dense f32 kernels for the rate-coded modules (MLP, RBM, LSTM, RNN), in
// 128-bit SIMD. Matrices are row-major; pointers are byte addresses in
// linear memory, lengths are element counts.
//
// gemm: C (m x n) = alpha * op(A) op(B) + beta * C, op(A) m x k, op(B) k x n.
// The micro-kernel holds a 4 x 8 block of C in eight f32x4 registers and
// walks k, broadcasting one element of A per row and loading eight of B:
// 16 vector multiply-adds per four scalar and two vector loads. Each column
// panel of op(B) (k x 8) is packed into a contiguous scratch first, then
// every row block of A passes over it: B is read from memory once, and the
// panel's rows sit side by side (read in place, rows a power of two apart
// fell into one cache set: 24 against 40 GFLOP/s at n = 1024). A
// transposed B is packed by 4 x 4 transposes, so B^T costs what B does (a
// whole transposed copy first took 2.5 times the product). A transposed A
// is read with strides. Packing moves values only: the sums are the same.

import { philox, philoxX4, x4out0, x4out1, out0, out1, out2, out3, setSeed, seedLo, seedHi, uniform, toUnit } from "./rng";
import { exp4 } from "./simd-math";

export const STREAM_DENSE: u32 = 9 << 24;

let scratch: usize = 0;
let scratchBytes: usize = 0;

function scratchOf(bytes: usize): usize {
  if (bytes > scratchBytes) {
    if (scratch != 0) heap.free(scratch);
    scratch = heap.alloc(bytes);
    scratchBytes = bytes;
  }
  return scratch;
}

// C block rows i..i+3, columns j..j+7, over p = 0..k-1.
// a(r, p) is at A + ((i + r) * ars + p * acs) * 4; B row p at B + (p * ldb + j) * 4.
@inline function kernel4x8(
  k: i32, A: usize, ars: i32, acs: i32, i: i32, B: usize, ldb: i32, j: i32,
  C: usize, ldc: i32, alpha: f32, beta: f32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = A + (<usize>(i * ars) << 2), a1 = a0 + (<usize>ars << 2), a2 = a1 + (<usize>ars << 2), a3 = a2 + (<usize>ars << 2);
  const astep = <usize>acs << 2;
  let b = B + (<usize>j << 2);
  const bstep = <usize>ldb << 2;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const x0 = f32x4.splat(load<f32>(a0)), x1 = f32x4.splat(load<f32>(a1));
    const x2 = f32x4.splat(load<f32>(a2)), x3 = f32x4.splat(load<f32>(a3));
    c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
    c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
    c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
    c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
    a0 += astep; a1 += astep; a2 += astep; a3 += astep;
    b += bstep;
  }
  const va = f32x4.splat(alpha);
  let c = C + (<usize>(i * ldc + j) << 2);
  const cstep = <usize>ldc << 2;
  if (beta == 0) {
    v128.store(c, f32x4.mul(va, c00)); v128.store(c, f32x4.mul(va, c01), 16); c += cstep;
    v128.store(c, f32x4.mul(va, c10)); v128.store(c, f32x4.mul(va, c11), 16); c += cstep;
    v128.store(c, f32x4.mul(va, c20)); v128.store(c, f32x4.mul(va, c21), 16); c += cstep;
    v128.store(c, f32x4.mul(va, c30)); v128.store(c, f32x4.mul(va, c31), 16);
  } else {
    const vb = f32x4.splat(beta);
    v128.store(c, f32x4.add(f32x4.mul(va, c00), f32x4.mul(vb, v128.load(c)))); v128.store(c, f32x4.add(f32x4.mul(va, c01), f32x4.mul(vb, v128.load(c, 16))), 16); c += cstep;
    v128.store(c, f32x4.add(f32x4.mul(va, c10), f32x4.mul(vb, v128.load(c)))); v128.store(c, f32x4.add(f32x4.mul(va, c11), f32x4.mul(vb, v128.load(c, 16))), 16); c += cstep;
    v128.store(c, f32x4.add(f32x4.mul(va, c20), f32x4.mul(vb, v128.load(c)))); v128.store(c, f32x4.add(f32x4.mul(va, c21), f32x4.mul(vb, v128.load(c, 16))), 16); c += cstep;
    v128.store(c, f32x4.add(f32x4.mul(va, c30), f32x4.mul(vb, v128.load(c)))); v128.store(c, f32x4.add(f32x4.mul(va, c31), f32x4.mul(vb, v128.load(c, 16))), 16);
  }
}

// One row of C, columns j..j+7: the rows below the last 4 x 8 block.
@inline function kernel1x8(
  k: i32, A: usize, ars: i32, acs: i32, i: i32, B: usize, ldb: i32, j: i32,
  C: usize, ldc: i32, alpha: f32, beta: f32,
): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let a = A + (<usize>(i * ars) << 2);
  const astep = <usize>acs << 2;
  let b = B + (<usize>j << 2);
  const bstep = <usize>ldb << 2;
  for (let p = 0; p < k; p++) {
    const x = f32x4.splat(load<f32>(a));
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(b)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(b, 16)));
    a += astep;
    b += bstep;
  }
  const va = f32x4.splat(alpha);
  const c = C + (<usize>(i * ldc + j) << 2);
  if (beta == 0) {
    v128.store(c, f32x4.mul(va, c0)); v128.store(c, f32x4.mul(va, c1), 16);
  } else {
    const vb = f32x4.splat(beta);
    v128.store(c, f32x4.add(f32x4.mul(va, c0), f32x4.mul(vb, v128.load(c))));
    v128.store(c, f32x4.add(f32x4.mul(va, c1), f32x4.mul(vb, v128.load(c, 16))), 16);
  }
}

// Columns j..j+7 of op(B) (k x 8) into P, row p at P + 32 p. transB: B is
// stored n x k, so the eight columns are eight rows of B, read four
// elements at a time and turned by 4 x 4 transposes.
@inline function packPanel(transB: bool, k: i32, B: usize, ldb: i32, j: i32, P: usize): void {
  if (!transB) {
    let b = B + (<usize>j << 2), q = P;
    const bstep = <usize>ldb << 2;
    for (let p = 0; p < k; p++) {
      v128.store(q, v128.load(b));
      v128.store(q, v128.load(b, 16), 16);
      b += bstep;
      q += 32;
    }
    return;
  }
  const row = <usize>ldb << 2;
  const r0 = B + (<usize>(j * ldb) << 2);
  const k4 = k & ~3;
  for (let h = 0; h < 2; h++) {
    // Rows j + 4h .. j + 4h + 3 of B become lanes 0-3 of columns 4h .. 4h + 3.
    const b0 = r0 + <usize>(4 * h) * row, b1 = b0 + row, b2 = b1 + row, b3 = b2 + row;
    let q = P + (<usize>h << 4);
    for (let p = 0; p < k4; p += 4) {
      const o = <usize>p << 2;
      const x0 = v128.load(b0 + o), x1 = v128.load(b1 + o), x2 = v128.load(b2 + o), x3 = v128.load(b3 + o);
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      v128.store(q, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(q, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
      v128.store(q, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
      v128.store(q, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
      q += 128;
    }
    for (let p = k4; p < k; p++) {
      const o = <usize>p << 2;
      const qp = P + (<usize>p << 5) + (<usize>h << 4);
      store<f32>(qp, load<f32>(b0 + o));
      store<f32>(qp, load<f32>(b1 + o), 4);
      store<f32>(qp, load<f32>(b2 + o), 8);
      store<f32>(qp, load<f32>(b3 + o), 12);
    }
  }
}

// A panel of B is packed when it serves enough rows of A and is deeper than
// the first-level cache holds read in place (k lines, and rows a power of
// two apart fall into few sets); B^T is always packed. Measured: 64 x 1024
// x 784 24.5 -> 40 GFLOP/s packed; an LSTM step's 32 x 256 x 66 and 32 x 66
// x 256 about 20 % slower packed.
const PACK_ROWS = 16;
const PACK_DEPTH = 256;

// transA: A is stored k x m (lda its row length); transB: B is stored n x k.
export function gemm(
  transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32, beta: f32, C: usize, ldc: i32,
): void {
  const ars = transA ? 1 : lda, acs = transA ? lda : 1;
  const m4 = m & ~3, n8 = n & ~7;
  if (!transB && (m < PACK_ROWS || k <= PACK_DEPTH)) {
    for (let j = 0; j < n8; j += 8) {
      for (let i = 0; i < m4; i += 4) kernel4x8(k, A, ars, acs, i, B, ldb, j, C, ldc, alpha, beta);
      for (let i = m4; i < m; i++) kernel1x8(k, A, ars, acs, i, B, ldb, j, C, ldc, alpha, beta);
    }
  } else if (n8 > 0) {
    const P = scratchOf(<usize>k << 5);
    for (let j = 0; j < n8; j += 8) {
      packPanel(transB, k, B, ldb, j, P);
      for (let i = 0; i < m4; i += 4) kernel4x8(k, A, ars, acs, i, P, 8, 0, C + (<usize>j << 2), ldc, alpha, beta);
      for (let i = m4; i < m; i++) kernel1x8(k, A, ars, acs, i, P, 8, 0, C + (<usize>j << 2), ldc, alpha, beta);
    }
  }
  if (n8 == n) return;
  // The last n - n8 columns: a panel padded with zero columns, each block
  // of C into a 4 x 8 scratch (alpha applied, as the kernel does), then its
  // valid columns into C. Each lane sums over k in order, as the scalar dot
  // product these columns had did, so the values are the same, at the
  // kernel's speed (the dot product walked B with a stride, one dependent
  // add at a time: 100 x 20 x 500 took 140 µs, 100 x 16 x 500 38).
  const w = n - n8;
  const P = scratchOf((<usize>k << 5) + 128), T = P + (<usize>k << 5);
  for (let p = 0; p < k; p++) {
    const q = P + (<usize>p << 5);
    for (let c = 0; c < 8; c++) {
      const x: f32 = c >= w ? 0 : transB ? load<f32>(B + (<usize>((n8 + c) * ldb + p) << 2)) : load<f32>(B + (<usize>(p * ldb + n8 + c) << 2));
      store<f32>(q + (<usize>c << 2), x);
    }
  }
  for (let i = 0; i < m; i += 4) {
    const rows = min(4, m - i);
    const Ai = A + (<usize>(i * ars) << 2);
    if (rows == 4) kernel4x8(k, Ai, ars, acs, 0, P, 8, 0, T, 8, alpha, 0);
    else for (let r = 0; r < rows; r++) kernel1x8(k, Ai, ars, acs, r, P, 8, 0, T, 8, alpha, 0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < w; c++) {
        const at = C + (<usize>((i + r) * ldc + n8 + c) << 2);
        const v = load<f32>(T + (<usize>(r * 8 + c) << 2));
        store<f32>(at, beta == 0 ? v : v + beta * load<f32>(at));
      }
    }
  }
}

// y (m) = A (m x k) x + beta y, or with transA: y (k) = A^T x (A still m x k).
export function gemv(transA: bool, m: i32, k: i32, A: usize, x: usize, beta: f32, y: usize): void {
  if (!transA) {
    const k4 = k & ~3;
    for (let i = 0; i < m; i++) {
      const row = A + (<usize>(i * k) << 2);
      let acc = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(row + (<usize>p << 2)), v128.load(x + (<usize>p << 2))));
      let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (let p = k4; p < k; p++) s += load<f32>(row + (<usize>p << 2)) * load<f32>(x + (<usize>p << 2));
      const yi = y + (<usize>i << 2);
      store<f32>(yi, beta == 0 ? s : s + beta * load<f32>(yi));
    }
    return;
  }
  // y = A^T x: y += x_i * row_i, rows streamed once.
  const k4 = k & ~3;
  if (beta == 0) memory.fill(y, 0, <usize>k << 2);
  else if (beta != 1) for (let p = 0; p < k; p++) store<f32>(y + (<usize>p << 2), beta * load<f32>(y + (<usize>p << 2)));
  for (let i = 0; i < m; i++) {
    const xi = load<f32>(x + (<usize>i << 2));
    if (xi == 0) continue;
    const vx = f32x4.splat(xi);
    const row = A + (<usize>(i * k) << 2);
    for (let p = 0; p < k4; p += 4) {
      const yp = y + (<usize>p << 2);
      v128.store(yp, f32x4.add(v128.load(yp), f32x4.mul(vx, v128.load(row + (<usize>p << 2)))));
    }
    for (let p = k4; p < k; p++) store<f32>(y + (<usize>p << 2), load<f32>(y + (<usize>p << 2)) + xi * load<f32>(row + (<usize>p << 2)));
  }
}

// A (m x n) += alpha x y^T.
export function ger(m: i32, n: i32, alpha: f32, x: usize, y: usize, A: usize): void {
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const xi = alpha * load<f32>(x + (<usize>i << 2));
    if (xi == 0) continue;
    const vx = f32x4.splat(xi);
    const row = A + (<usize>(i * n) << 2);
    for (let j = 0; j < n4; j += 4) {
      const r = row + (<usize>j << 2);
      v128.store(r, f32x4.add(v128.load(r), f32x4.mul(vx, v128.load(y + (<usize>j << 2)))));
    }
    for (let j = n4; j < n; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) + xi * load<f32>(y + (<usize>j << 2)));
  }
}

// ---------------------------------------------------------------- elementwise

@inline function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

@inline function expScalar(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

// out = sigmoid(x) (out may be x).
export function sigmoid(n: i32, x: usize, out: usize): void {
  const n4 = n & ~3, n8 = n & ~7;
  // Two vectors per iteration: independent chains fill the divider's latency.
  for (let i = 0; i < n8; i += 8) {
    const a = v128.load(x + (<usize>i << 2)), b = v128.load(x + (<usize>i << 2), 16);
    v128.store(out + (<usize>i << 2), sigmoid4(a));
    v128.store(out + (<usize>i << 2), sigmoid4(b), 16);
  }
  for (let i = n8; i < n4; i += 4) v128.store(out + (<usize>i << 2), sigmoid4(v128.load(x + (<usize>i << 2))));
  for (let i = n4; i < n; i++) store<f32>(out + (<usize>i << 2), 1.0 / (1.0 + expScalar(-load<f32>(x + (<usize>i << 2)))));
}

// tanh(x) = 1 - 2 / (1 + e^{2x}): no cancellation for large |x|, absolute error ~1e-7 near 0.
export function tanh(n: i32, x: usize, out: usize): void {
  const n4 = n & ~3;
  const one = f32x4.splat(1.0), two = f32x4.splat(2.0);
  for (let i = 0; i < n4; i += 4) {
    const e = exp4(f32x4.mul(two, v128.load(x + (<usize>i << 2))));
    v128.store(out + (<usize>i << 2), f32x4.sub(one, f32x4.div(two, f32x4.add(one, e))));
  }
  for (let i = n4; i < n; i++) {
    const e = expScalar(2 * load<f32>(x + (<usize>i << 2)));
    store<f32>(out + (<usize>i << 2), 1.0 - 2.0 / (1.0 + e));
  }
}

// Adds a row vector b (n) to each of m rows of X (m x n).
export function addRows(m: i32, n: i32, X: usize, b: usize): void {
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const row = X + (<usize>(i * n) << 2);
    for (let j = 0; j < n4; j += 4) v128.store(row + (<usize>j << 2), f32x4.add(v128.load(row + (<usize>j << 2)), v128.load(b + (<usize>j << 2))));
    for (let j = n4; j < n; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) + load<f32>(b + (<usize>j << 2)));
  }
}

// out (n) = alpha * (column sums of X (m x n)) + beta * out.
export function sumRows(m: i32, n: i32, X: usize, alpha: f32, beta: f32, out: usize): void {
  for (let j = 0; j < n; j++) store<f32>(out + (<usize>j << 2), beta * load<f32>(out + (<usize>j << 2)));
  const n4 = n & ~3;
  const va = f32x4.splat(alpha);
  for (let i = 0; i < m; i++) {
    const row = X + (<usize>(i * n) << 2);
    for (let j = 0; j < n4; j += 4) {
      const o = out + (<usize>j << 2);
      v128.store(o, f32x4.add(v128.load(o), f32x4.mul(va, v128.load(row + (<usize>j << 2)))));
    }
    for (let j = n4; j < n; j++) store<f32>(out + (<usize>j << 2), load<f32>(out + (<usize>j << 2)) + alpha * load<f32>(row + (<usize>j << 2)));
  }
}

// Binarises n values in place: x_i becomes 1 when the uniform of the Philox
// block (c0 + i, c1, c2, c3) under the key (keyLo, keyHi) is below x_i, else
// 0; the uniform is the 53-bit one of the block's first two words, in f64,
// so this draws exactly what the host's Philox twin draws (the digits'
// dynamic binarisation, src/dense/batches.ts), four blocks at a time.
export function binarizeKeyed(n: i32, x: usize, keyLo: u32, keyHi: u32, c0: u32, c1: u32, c2: u32, c3: u32): void {
  keyedDraws(n, x, true, -1, 1, 0, 0, keyLo, keyHi, c0, c1, c2, c3);
}

// A dropout mask the same way: x_i = on where that uniform is below p, else 0.
export function maskKeyed(n: i32, x: usize, p: f64, on: f32, keyLo: u32, keyHi: u32, c0: u32, c1: u32, c2: u32, c3: u32): void {
  keyedDraws(n, x, true, p, on, 0, 0, keyLo, keyHi, c0, c1, c2, c3);
}

// Uniform noise the same way: x_i = a u_i + b in f64, rounded to f32 once
// (the GAN's latent noise).
export function uniformKeyed(n: i32, x: usize, a: f64, b: f64, keyLo: u32, keyHi: u32, c0: u32, c1: u32, c2: u32, c3: u32): void {
  keyedDraws(n, x, false, 0, 0, a, b, keyLo, keyHi, c0, c1, c2, c3);
}

// Value i from its uniform u: threshold ? (on where u < (p >= 0 ? p : x_i),
// else 0) : a u + b. `threshold` is a constant at every call: one branch stays.
@inline function keyedValue(u: f64, o: usize, threshold: bool, p: f64, on: f32, a: f64, b: f64): f32 {
  if (!threshold) return <f32>(a * u + b);
  return u < (p >= 0 ? p : <f64>load<f32>(o)) ? on : 0;
}

// In place over x (n values), four Philox blocks at a time under the key.
@inline function keyedDraws(
  n: i32, x: usize, threshold: bool, p: f64, on: f32, a: f64, b: f64,
  keyLo: u32, keyHi: u32, c0: u32, c1: u32, c2: u32, c3: u32,
): void {
  const lo = seedLo(), hi = seedHi();
  setSeed(keyLo, keyHi);
  const n4 = n & ~3;
  const s1 = i32x4.splat(<i32>c1), s2 = i32x4.splat(<i32>c2), s3 = i32x4.splat(<i32>c3);
  for (let i = 0; i < n4; i += 4) {
    const c = <i32>(c0 + <u32>i);
    philoxX4(i32x4(c, c + 1, c + 2, c + 3), s1, s2, s3);
    const w0 = x4out0, w1 = x4out1;
    const o = x + (<usize>i << 2);
    const v0 = keyedValue(toUnit(<u32>i32x4.extract_lane(w0, 0), <u32>i32x4.extract_lane(w1, 0)), o, threshold, p, on, a, b);
    const v1 = keyedValue(toUnit(<u32>i32x4.extract_lane(w0, 1), <u32>i32x4.extract_lane(w1, 1)), o + 4, threshold, p, on, a, b);
    const v2 = keyedValue(toUnit(<u32>i32x4.extract_lane(w0, 2), <u32>i32x4.extract_lane(w1, 2)), o + 8, threshold, p, on, a, b);
    const v3 = keyedValue(toUnit(<u32>i32x4.extract_lane(w0, 3), <u32>i32x4.extract_lane(w1, 3)), o + 12, threshold, p, on, a, b);
    store<f32>(o, v0);
    store<f32>(o, v1, 4);
    store<f32>(o, v2, 8);
    store<f32>(o, v3, 12);
  }
  for (let i = n4; i < n; i++) {
    const o = x + (<usize>i << 2);
    store<f32>(o, keyedValue(uniform(c0 + <u32>i, c1, c2, c3), o, threshold, p, on, a, b));
  }
  setSeed(lo, hi);
}

// out = 1 where u < p else 0, with u uniform from the Philox stream
// (seed, STREAM_DENSE | stream, counter + block): four units per block.
export function bernoulli(n: i32, p: usize, out: usize, counterLo: u32, counterHi: u32, stream: u32): void {
  const scale: f32 = 4294967296.0;
  for (let i = 0; i < n; i += 4) {
    philox(counterLo + <u32>(i >> 2), counterHi, stream, STREAM_DENSE);
    const w0 = out0, w1 = out1, w2 = out2, w3 = out3;
    const q = p + (<usize>i << 2), o = out + (<usize>i << 2);
    store<f32>(o, <f64>w0 < <f64>(load<f32>(q) * scale) ? 1 : 0);
    if (i + 1 < n) store<f32>(o, <f64>w1 < <f64>(load<f32>(q, 4) * scale) ? 1 : 0, 4);
    if (i + 2 < n) store<f32>(o, <f64>w2 < <f64>(load<f32>(q, 8) * scale) ? 1 : 0, 8);
    if (i + 3 < n) store<f32>(o, <f64>w3 < <f64>(load<f32>(q, 12) * scale) ? 1 : 0, 12);
  }
}

// y += alpha x.
export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  const n4 = n & ~3;
  const va = f32x4.splat(alpha);
  for (let i = 0; i < n4; i += 4) {
    const yi = y + (<usize>i << 2);
    v128.store(yi, f32x4.add(v128.load(yi), f32x4.mul(va, v128.load(x + (<usize>i << 2)))));
  }
  for (let i = n4; i < n; i++) store<f32>(y + (<usize>i << 2), load<f32>(y + (<usize>i << 2)) + alpha * load<f32>(x + (<usize>i << 2)));
}

// One Adam step (Kingma & Ba 2015) on n parameters w with gradient g and
// moments m, v: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// w -= lr_t m / (sqrt(v) + eps_t), with the bias corrections folded into
// lr_t = lr sqrt(1 - b2^t) / (1 - b1^t) and eps_t = eps sqrt(1 - b2^t).
export function adam(n: i32, w: usize, g: usize, m: usize, v: usize, lrT: f32, b1: f32, b2: f32, epsT: f32): void {
  const n4 = n & ~3;
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), c1 = f32x4.splat(1 - b1), c2 = f32x4.splat(1 - b2);
  const vlr = f32x4.splat(lrT), veps = f32x4.splat(epsT);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(c1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(w + o, f32x4.sub(v128.load(w + o), f32x4.div(f32x4.mul(vlr, mi), f32x4.add(f32x4.sqrt(vi), veps))));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = b1 * load<f32>(m + o) + (1 - b1) * gi;
    const vi = b2 * load<f32>(v + o) + (1 - b2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, load<f32>(w + o) - lrT * mi / (Mathf.sqrt(vi) + epsT));
  }
}

// Sum of squares (for gradient norms and clipping).
export function sumSquares(n: i32, x: usize): f64 {
  const n4 = n & ~3;
  let acc = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) { const v = v128.load(x + (<usize>i << 2)); acc = f32x4.add(acc, f32x4.mul(v, v)); }
  let s = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (let i = n4; i < n; i++) { const v = <f64>load<f32>(x + (<usize>i << 2)); s += v * v; }
  return s;
}

// x *= alpha.
export function scale(n: i32, alpha: f32, x: usize): void {
  const n4 = n & ~3;
  const va = f32x4.splat(alpha);
  for (let i = 0; i < n4; i += 4) v128.store(x + (<usize>i << 2), f32x4.mul(va, v128.load(x + (<usize>i << 2))));
  for (let i = n4; i < n; i++) store<f32>(x + (<usize>i << 2), alpha * load<f32>(x + (<usize>i << 2)));
}

// log(1 + y) for y in [0, 1] on f32x4: 2 atanh(s), s = y / (2 + y) <= 1/3, by
// its series to s^15 (the next term is below 1e-9): absolute error near f32's
// rounding, where log1p through a general log would lose digits.
@inline function log1pUnit4(y: v128): v128 {
  const s = f32x4.div(y, f32x4.add(f32x4.splat(2.0), y));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.splat(<f32>(2.0 / 15.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(2.0 / 13.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(2.0 / 11.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(2.0 / 9.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(2.0 / 7.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(2.0 / 5.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(2.0 / 3.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(2.0));
  return f32x4.mul(p, s);
}

// Annealed importance sampling's weight increment (see src/dense/ais.ts):
// out[r] (f64) += sum_j softplus(b1 x_rj + c_j) - softplus(b0 x_rj + c_j)
// for the m rows of X (m x n), b0, b1 >= 0, c a row of n offsets (or none:
// c = 0). softplus(y) = max(y, 0) + log1p(e^{-|y|}); the second part is
// bounded by log 2, so its f32 error stays near 1e-7 per term however large
// y is. Without offsets the first part's difference is (b1 - b0) max(x, 0),
// summed in f32 and scaled in f64. The same x and b give the same terms, so
// over a chain the rounding errors telescope where the state rests.
export function softplusDelta(m: i32, n: i32, X: usize, b1: f32, b0: f32, c: usize, out: usize): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0.0);
  const vb1 = f32x4.splat(b1), vb0 = f32x4.splat(b0);
  for (let r = 0; r < m; r++) {
    const row = X + (<usize>(r * n) << 2);
    let relu = zero, diff = zero;
    for (let i = 0; i < n4; i += 4) {
      const x = v128.load(row + (<usize>i << 2));
      let y1 = f32x4.mul(vb1, x), y0 = f32x4.mul(vb0, x);
      if (c != 0) {
        const cc = v128.load(c + (<usize>i << 2));
        y1 = f32x4.add(y1, cc);
        y0 = f32x4.add(y0, cc);
        diff = f32x4.add(diff, f32x4.sub(f32x4.pmax(y1, zero), f32x4.pmax(y0, zero)));
      } else {
        relu = f32x4.add(relu, f32x4.pmax(x, zero));
      }
      const g1 = log1pUnit4(exp4(f32x4.neg(f32x4.abs(y1))));
      const g0 = log1pUnit4(exp4(f32x4.neg(f32x4.abs(y0))));
      diff = f32x4.add(diff, f32x4.sub(g1, g0));
    }
    let sRelu = <f64>f32x4.extract_lane(relu, 0) + <f64>f32x4.extract_lane(relu, 1) + <f64>f32x4.extract_lane(relu, 2) + <f64>f32x4.extract_lane(relu, 3);
    let sDiff = <f64>f32x4.extract_lane(diff, 0) + <f64>f32x4.extract_lane(diff, 1) + <f64>f32x4.extract_lane(diff, 2) + <f64>f32x4.extract_lane(diff, 3);
    for (let i = n4; i < n; i++) {
      const x = <f64>load<f32>(row + (<usize>i << 2));
      const cc = c != 0 ? <f64>load<f32>(c + (<usize>i << 2)) : 0.0;
      const y1 = <f64>b1 * x + cc, y0 = <f64>b0 * x + cc;
      sDiff += max(y1, 0.0) - max(y0, 0.0) + Math.log1p(Math.exp(-Math.abs(y1))) - Math.log1p(Math.exp(-Math.abs(y0)));
    }
    const o = out + (<usize>r << 3);
    store<f64>(o, load<f64>(o) + (<f64>b1 - <f64>b0) * sRelu + sDiff);
  }
}

// C = X W + beta C for X (m x k) with mostly zero entries (pixels that are
// off): row r of C gathers x_ri W_i (W's rows are contiguous) over the
// non-zero x_ri only, one f32x4 axpy each. For a digit with 150 of 784
// pixels on, a fifth of a dense gemm's multiply-adds.
export function gemmSparseA(m: i32, n: i32, k: i32, X: usize, W: usize, C: usize, beta: f32): void {
  const n4 = n & ~3;
  const vb = f32x4.splat(beta);
  for (let r = 0; r < m; r++) {
    const c = C + (<usize>(r * n) << 2);
    if (beta == 0) memory.fill(c, 0, <usize>n << 2);
    else if (beta != 1) {
      for (let j = 0; j < n4; j += 4) v128.store(c + (<usize>j << 2), f32x4.mul(vb, v128.load(c + (<usize>j << 2))));
      for (let j = n4; j < n; j++) store<f32>(c + (<usize>j << 2), beta * load<f32>(c + (<usize>j << 2)));
    }
    const x = X + (<usize>(r * k) << 2);
    for (let i = 0; i < k; i++) {
      const a = load<f32>(x + (<usize>i << 2));
      if (a == 0) continue;
      axpy(n, a, W + (<usize>(i * n) << 2), c);
    }
  }
}

// D = X^T G + beta D (D: k x n) for X (m x k) with mostly zero entries:
// for each non-zero x_ri, D_i += x_ri G_r (one f32x4 axpy).
export function gemmSparseATrans(m: i32, n: i32, k: i32, X: usize, G: usize, D: usize, beta: f32): void {
  if (beta == 0) memory.fill(D, 0, <usize>(k * n) << 2);
  else if (beta != 1) scale(k * n, beta, D);
  for (let r = 0; r < m; r++) {
    const x = X + (<usize>(r * k) << 2), g = G + (<usize>(r * n) << 2);
    for (let i = 0; i < k; i++) {
      const a = load<f32>(x + (<usize>i << 2));
      if (a == 0) continue;
      axpy(n, a, g, D + (<usize>(i * n) << 2));
    }
  }
}

@inline function tanh4(x: v128): v128 {
  const one = f32x4.splat(1.0), two = f32x4.splat(2.0);
  return f32x4.sub(one, f32x4.div(two, f32x4.add(one, exp4(f32x4.mul(two, x)))));
}

@inline function sigmoid1(x: f32): f32 { return 1.0 / (1.0 + expScalar(-x)); }
@inline function tanh1(x: f32): f32 { return 1.0 - 2.0 / (1.0 + expScalar(2 * x)); }

// One LSTM step for B rows (the gates' pre-activations A, B x 4H, laid out
// [f | i | g | o]): A becomes the activations (sigmoid, sigmoid, tanh,
// sigmoid), C = f Cprev + i g, tC = tanh(C), h = o tC (rows hStride apart,
// so h can land in the next step's [h | x]). Cprev = 0 means a zero cell state. Each gate is computed once, with no pass over the others.
export function lstmForward(B: i32, H: i32, A: usize, Cprev: usize, C: usize, tC: usize, h: usize, hStride: i32): void {
  const H4 = H & ~3;
  const zero = f32x4.splat(0.0);
  for (let r = 0; r < B; r++) {
    const a = A + (<usize>(r * 4 * H) << 2), row = <usize>(r * H) << 2, hrow = h + (<usize>(r * hStride) << 2);
    const f = a, i = a + (<usize>H << 2), g = a + (<usize>(2 * H) << 2), o = a + (<usize>(3 * H) << 2);
    for (let j = 0; j < H4; j += 4) {
      const q = <usize>j << 2;
      const fv = sigmoid4(v128.load(f + q)), iv = sigmoid4(v128.load(i + q)), gv = tanh4(v128.load(g + q)), ov = sigmoid4(v128.load(o + q));
      const cp = Cprev != 0 ? v128.load(Cprev + row + q) : zero;
      const c = f32x4.add(f32x4.mul(fv, cp), f32x4.mul(iv, gv));
      const tc = tanh4(c);
      v128.store(f + q, fv); v128.store(i + q, iv); v128.store(g + q, gv); v128.store(o + q, ov);
      v128.store(C + row + q, c);
      v128.store(tC + row + q, tc);
      v128.store(hrow + q, f32x4.mul(ov, tc));
    }
    for (let j = H4; j < H; j++) {
      const q = <usize>j << 2;
      const fv = sigmoid1(load<f32>(f + q)), iv = sigmoid1(load<f32>(i + q)), gv = tanh1(load<f32>(g + q)), ov = sigmoid1(load<f32>(o + q));
      const cp: f32 = Cprev != 0 ? load<f32>(Cprev + row + q) : 0;
      const c = fv * cp + iv * gv, tc = tanh1(c);
      store<f32>(f + q, fv); store<f32>(i + q, iv); store<f32>(g + q, gv); store<f32>(o + q, ov);
      store<f32>(C + row + q, c);
      store<f32>(tC + row + q, tc);
      store<f32>(hrow + q, ov * tc);
    }
  }
}

// The same step backwards: from dh and dc (the gradients reaching h and C
// from later steps, B x H) and the step's activations A, tC and Cprev (0:
// zeros), the gradient of the gates' pre-activations dA (B x 4H) and of the
// previous cell state dcPrev (B x H; may be dc itself).
export function lstmBackward(B: i32, H: i32, A: usize, tC: usize, Cprev: usize, dh: usize, dc: usize, dA: usize, dcPrev: usize): void {
  const H4 = H & ~3;
  const one = f32x4.splat(1.0), zero = f32x4.splat(0.0);
  for (let r = 0; r < B; r++) {
    const a = A + (<usize>(r * 4 * H) << 2), d = dA + (<usize>(r * 4 * H) << 2), row = <usize>(r * H) << 2;
    const hq = <usize>H << 2;
    for (let j = 0; j < H4; j += 4) {
      const q = <usize>j << 2;
      const f = v128.load(a + q), i = v128.load(a + hq + q), g = v128.load(a + 2 * hq + q), o = v128.load(a + 3 * hq + q);
      const tc = v128.load(tC + row + q), dhv = v128.load(dh + row + q);
      const dC = f32x4.add(v128.load(dc + row + q), f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      const cp = Cprev != 0 ? v128.load(Cprev + row + q) : zero;
      v128.store(d + q, f32x4.mul(f32x4.mul(f32x4.mul(dC, cp), f), f32x4.sub(one, f)));
      v128.store(d + hq + q, f32x4.mul(f32x4.mul(f32x4.mul(dC, g), i), f32x4.sub(one, i)));
      v128.store(d + 2 * hq + q, f32x4.mul(f32x4.mul(dC, i), f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(d + 3 * hq + q, f32x4.mul(f32x4.mul(f32x4.mul(dhv, tc), o), f32x4.sub(one, o)));
      v128.store(dcPrev + row + q, f32x4.mul(dC, f));
    }
    for (let j = H4; j < H; j++) {
      const q = <usize>j << 2;
      const f = load<f32>(a + q), i = load<f32>(a + hq + q), g = load<f32>(a + 2 * hq + q), o = load<f32>(a + 3 * hq + q);
      const tc = load<f32>(tC + row + q), dhv = load<f32>(dh + row + q);
      const dC = load<f32>(dc + row + q) + dhv * o * (1 - tc * tc);
      const cp: f32 = Cprev != 0 ? load<f32>(Cprev + row + q) : 0;
      store<f32>(d + q, dC * cp * f * (1 - f));
      store<f32>(d + hq + q, dC * g * i * (1 - i));
      store<f32>(d + 2 * hq + q, dC * i * (1 - g * g));
      store<f32>(d + 3 * hq + q, dhv * tc * o * (1 - o));
      store<f32>(dcPrev + row + q, dC * f);
    }
  }
}

// out = dy (1 - a^2): the gradient through tanh from its output a (the RNN's step).
export function tanhBackward(n: i32, a: usize, dy: usize, out: usize): void {
  const n4 = n & ~3;
  const one = f32x4.splat(1.0);
  for (let k = 0; k < n4; k += 4) {
    const q = <usize>k << 2;
    const av = v128.load(a + q);
    v128.store(out + q, f32x4.mul(v128.load(dy + q), f32x4.sub(one, f32x4.mul(av, av))));
  }
  for (let k = n4; k < n; k++) {
    const q = <usize>k << 2;
    const av = load<f32>(a + q);
    store<f32>(out + q, load<f32>(dy + q) * (1 - av * av));
  }
}

// Copies a rows x cols block between matrices with row strides (in elements):
// the recurrent layers' [h | x] inputs assembled in place.
export function copyBlock(rows: i32, cols: i32, src: usize, srcStride: i32, dst: usize, dstStride: i32): void {
  for (let r = 0; r < rows; r++) memory.copy(dst + (<usize>(r * dstStride) << 2), src + (<usize>(r * srcStride) << 2), <usize>cols << 2);
}
