// f32 matrices in a kernel's linear memory, and the dense kernels over them
// (assembly/dense.ts): the facade the rate-coded layers (src/dense) use. A
// Mat is a pointer and a shape; its data view is made afresh on each access,
// since growing the memory detaches old views.

import { Kernel } from './kernel.js';
import type { Instance } from './instance.js';

export class Mat {
  constructor(readonly dense: Dense, readonly ptr: number, readonly rows: number, readonly cols: number) {}
  get size(): number { return this.rows * this.cols; }
  /** A live view of the elements (row-major); do not hold it across kernel calls that allocate. */
  get data(): Float32Array { return this.dense.view(this.ptr, this.size); }
  /** Row r as a view. */
  row(r: number): Float32Array { return this.dense.view(this.ptr + r * this.cols * 4, this.cols); }
  set(values: ArrayLike<number>): this { this.data.set(values); return this; }
  fill(v: number): this { this.data.fill(v); return this; }
  /** A copy of the elements. */
  toArray(): Float32Array { return this.data.slice(); }
  /** Rows start .. start + count - 1 as a matrix sharing this one's memory (not to be freed). */
  rowBlock(start: number, count: number): Mat {
    if (start < 0 || count < 0 || start + count > this.rows) throw new RangeError(`rows ${start}..${start + count - 1} of a ${this.rows}-row matrix`);
    return new Mat(this.dense, this.ptr + start * this.cols * 4, count, this.cols);
  }
  free(): void { this.dense.free(this.ptr); }
}

/** A kernel instance used for dense algebra, and matrices allocated in it. */
export class Dense {
  readonly kernel: Kernel;
  readonly #i: Instance;

  constructor(kernel: Kernel = new Kernel()) {
    this.kernel = kernel;
    this.#i = Kernel.instanceOf(kernel);
  }

  private get x() { return this.#i.x; }

  view(ptr: number, n: number): Float32Array {
    return this.#i.viewF32(ptr, n);
  }

  free(ptr: number): void { this.#i.free(ptr); }

  mat(rows: number, cols: number, values?: ArrayLike<number>): Mat {
    const ptr = this.#i.alloc(rows * cols * 4);
    const m = new Mat(this, ptr, rows, cols);
    if (values) m.set(values); else m.fill(0);
    return m;
  }

  /** C = alpha op(A) op(B) + beta C, op(X) = X or X^T. May grow the memory (its packing scratch, on a larger shape): take views after it. */
  gemm(A: Mat, B: Mat, C: Mat, o: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {}): void {
    const m = o.transA ? A.cols : A.rows, k = o.transA ? A.rows : A.cols;
    const kb = o.transB ? B.cols : B.rows, n = o.transB ? B.rows : B.cols;
    if (k !== kb || C.rows !== m || C.cols !== n) {
      throw new RangeError(`gemm shapes: op(A) ${m} x ${k}, op(B) ${kb} x ${n}, C ${C.rows} x ${C.cols}`);
    }
    this.x.gemm(o.transA ? 1 : 0, o.transB ? 1 : 0, m, n, k, o.alpha ?? 1, A.ptr, A.cols, B.ptr, B.cols, o.beta ?? 0, C.ptr, C.cols);
  }

  /** y = A x + beta y (or A^T x). */
  gemv(A: Mat, x: Mat, y: Mat, o: { transA?: boolean; beta?: number } = {}): void {
    this.x.gemv(o.transA ? 1 : 0, A.rows, A.cols, A.ptr, x.ptr, o.beta ?? 0, y.ptr);
  }

  /** A += alpha x y^T. */
  ger(x: Mat, y: Mat, A: Mat, alpha = 1): void {
    this.x.ger(A.rows, A.cols, alpha, x.ptr, y.ptr, A.ptr);
  }

  sigmoid(x: Mat, out: Mat = x): void { this.x.sigmoid(x.size, x.ptr, out.ptr); }
  /**
   * One LSTM step (B rows, H cells): A (B x 4H, gates [f | i | g | o]) from
   * pre-activations to activations, C = f Cprev + i g (Cprev null: zeros),
   * tC = tanh(C), h = o tC written at column `hCol` of each row of `h`.
   */
  lstmForward(A: Mat, Cprev: Mat | null, C: Mat, tC: Mat, h: Mat, hCol = 0): void {
    const H = C.cols;
    if (A.cols !== 4 * H || A.rows !== C.rows || tC.size !== C.size || h.rows !== C.rows || hCol + H > h.cols || (Cprev && Cprev.size !== C.size)) throw new RangeError('lstmForward shapes');
    this.x.lstmForward(C.rows, H, A.ptr, Cprev ? Cprev.ptr : 0, C.ptr, tC.ptr, h.ptr + hCol * 4, h.cols);
  }
  /** The LSTM step backwards: dA (B x 4H) and dcPrev (may be dc) from dh, dc and the step's A, tC, Cprev (null: zeros). */
  lstmBackward(A: Mat, tC: Mat, Cprev: Mat | null, dh: Mat, dc: Mat, dA: Mat, dcPrev: Mat): void {
    const H = tC.cols;
    if (A.cols !== 4 * H || dA.cols !== 4 * H || dA.rows !== A.rows || dh.size !== tC.size || dc.size !== tC.size || dcPrev.size !== tC.size || (Cprev && Cprev.size !== tC.size)) throw new RangeError('lstmBackward shapes');
    this.x.lstmBackward(tC.rows, H, A.ptr, tC.ptr, Cprev ? Cprev.ptr : 0, dh.ptr, dc.ptr, dA.ptr, dcPrev.ptr);
  }
  /** out = dy (1 - a^2): back through tanh from its output a. */
  tanhBackward(a: Mat, dy: Mat, out: Mat): void {
    if (dy.size !== a.size || out.size !== a.size) throw new RangeError('tanhBackward shapes');
    this.x.tanhBackward(a.size, a.ptr, dy.ptr, out.ptr);
  }
  /** Copies the rows x cols block at column srcCol of src to column dstCol of dst (both with rows rows). */
  copyBlock(src: Mat, srcCol: number, dst: Mat, dstCol: number, cols: number): void {
    if (src.rows !== dst.rows || srcCol + cols > src.cols || dstCol + cols > dst.cols) throw new RangeError('copyBlock shapes');
    this.x.copyBlock(src.rows, cols, src.ptr + srcCol * 4, src.cols, dst.ptr + dstCol * 4, dst.cols);
  }
  tanh(x: Mat, out: Mat = x): void { this.x.tanh(x.size, x.ptr, out.ptr); }
  /** Adds the row vector b to every row of X. */
  addRows(X: Mat, b: Mat): void { this.x.addRows(X.rows, X.cols, X.ptr, b.ptr); }
  /** out = alpha (column sums of X) + beta out. */
  sumRows(X: Mat, out: Mat, alpha = 1, beta = 0): void { this.x.sumRows(X.rows, X.cols, X.ptr, alpha, beta, out.ptr); }
  /** out_i = 1 with probability p_i, from the Philox stream (seed, stream, counter). */
  /**
   * Binarises the rows of x (rows of n values) in place, as the host's
   * Philox twin would: value i of row r becomes 1 when the uniform of the
   * block (bases[r] + i, c1, c2, c3) under `key` is below it.
   */
  binarizeRows(x: Float32Array, n: number, bases: ArrayLike<number>, key: readonly [number, number], c1: number, c2: number, c3: number): void {
    const m = this.mat(bases.length, n, x.subarray(0, bases.length * n));
    for (let r = 0; r < bases.length; r++) this.x.binarizeKeyed(n, m.ptr + r * n * 4, key[0], key[1], bases[r]!, c1, c2, c3);
    x.set(this.view(m.ptr, bases.length * n));
    m.free();
  }
  /**
   * A dropout mask as the host's Philox twin would draw it: out[i] = on where
   * the uniform of the block (c0 + i, c1, c2, c3) under `key` is below p, else 0.
   */
  dropoutMask(out: Mat, p: number, on: number, key: readonly [number, number], c0: number, c1: number, c2: number, c3: number): void {
    this.x.maskKeyed(out.size, out.ptr, p, on, key[0], key[1], c0 % 2 ** 32, c1, c2, c3);
  }
  /**
   * Uniform values as the host's Philox twin draws them: out[i] = a u + b
   * (in f64, then f32), u the uniform of the block (c0 + i, c1, c2, c3) under `key`.
   */
  uniformKeyed(out: Mat, a: number, b: number, key: readonly [number, number], c0: number, c1: number, c2: number, c3: number): void {
    this.x.uniformKeyed(out.size, out.ptr, a, b, key[0], key[1], c0 % 2 ** 32, c1, c2, c3);
  }
  bernoulli(p: Mat, out: Mat, counter: number, stream: number): void {
    this.x.bernoulli(p.size, p.ptr, out.ptr, counter % 2 ** 32, Math.floor(counter / 2 ** 32), stream);
  }
  /** y += alpha x. */
  axpy(x: Mat, y: Mat, alpha: number): void { this.x.axpy(x.size, alpha, x.ptr, y.ptr); }
  scale(x: Mat, alpha: number): void { this.x.scale(x.size, alpha, x.ptr); }
  sumSquares(x: Mat): number { return this.x.sumSquares(x.size, x.ptr); }
  /** Adam on w with gradient g and moments m, v (see assembly/dense.ts). */
  adam(w: Mat, g: Mat, m: Mat, v: Mat, lrT: number, beta1: number, beta2: number, epsT: number): void {
    this.x.adam(w.size, w.ptr, g.ptr, m.ptr, v.ptr, lrT, beta1, beta2, epsT);
  }
  /** n f64 values in kernel memory, zeroed (accumulators of softplusDelta). */
  vecF64(n: number): { ptr: number; length: number; toArray(): Float64Array; zero(): void; free(): void } {
    const i = this.#i;
    const ptr = i.alloc(n * 8);
    const zero = () => i.writeAt(ptr, new Float64Array(n));
    zero();
    return { ptr, length: n, toArray: () => i.readF64(ptr, n), zero, free: () => i.free(ptr) };
  }
  /** C = X W + beta C, skipping X's zero entries (an input of mostly zeros: the pixels that are off). */
  gemmSparseA(X: Mat, W: Mat, C: Mat, beta = 0): void {
    if (X.cols !== W.rows || C.rows !== X.rows || C.cols !== W.cols) throw new RangeError(`gemmSparseA: ${X.rows}x${X.cols} times ${W.rows}x${W.cols} into ${C.rows}x${C.cols}`);
    this.x.gemmSparseA(X.rows, W.cols, X.cols, X.ptr, W.ptr, C.ptr, beta);
  }
  /** D = X^T G + beta D, skipping X's zero entries. */
  gemmSparseATrans(X: Mat, G: Mat, D: Mat, beta = 0): void {
    if (X.rows !== G.rows || D.rows !== X.cols || D.cols !== G.cols) throw new RangeError(`gemmSparseATrans: (${X.rows}x${X.cols})^T times ${G.rows}x${G.cols} into ${D.rows}x${D.cols}`);
    this.x.gemmSparseATrans(X.rows, G.cols, X.cols, X.ptr, G.ptr, D.ptr, beta);
  }
  /** acc[r] += sum_j over row r of X of softplus(b1 x_j + c_j) - softplus(b0 x_j + c_j) (b0, b1 >= 0; c a 1 x cols row or none; see assembly/dense.ts). */
  softplusDelta(X: Mat, b1: number, b0: number, acc: { ptr: number; length: number }, c?: Mat): void {
    if (acc.length < X.rows) throw new RangeError(`softplusDelta: ${X.rows} rows into ${acc.length} accumulators`);
    if (c && c.size !== X.cols) throw new RangeError(`softplusDelta: ${c.size} offsets for ${X.cols} columns`);
    this.x.softplusDelta(X.rows, X.cols, X.ptr, b1, b0, c?.ptr ?? 0, acc.ptr);
  }
  setSeed(seed: number): void {
    this.kernel.setSeed(seed);
  }
}
