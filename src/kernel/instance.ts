// A kernel instance: the compiled module (once per flavour and process),
// its exports as generated bindings, and typed views on its memory. This
// module and the facades beside it (kernel.ts, dense.ts) are the only code
// that touches WebAssembly memory; the layering test keeps it so.

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { KernelError, UsageError } from '../core/errors.js';
import { packagePath } from '../core/paths.js';
import { STATUS_MESSAGES, KERNEL_CONSTANT_NAMES, KERNEL_MEMORY, type KernelExports, type KernelConstants, type StringPtr } from './generated/bindings.js';

export type KernelFlavor = 'release' | 'debug';

// Per flavour, two builds of the kernel: without and with the threads feature
// (the second on a shared memory; one thread runs the first, which carries
// none of the threads' code).
const modules = new Map<string, WebAssembly.Module>();

function kernelModule(flavor: KernelFlavor, threaded: boolean): WebAssembly.Module {
  const name = threaded ? `${flavor}-threads` : flavor;
  let mod = modules.get(name);
  if (!mod) {
    const file = packagePath('build', `${name}.wasm`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (cause) {
      throw new KernelError(`cannot read the kernel ${file}: run "npm run build"`, undefined, { cause });
    }
    mod = new WebAssembly.Module(bytes);
    modules.set(name, mod);
  }
  return mod;
}

/** The flavour used unless told otherwise (HEBB_KERNEL=debug: bounds-checked, for tests). */
export function defaultFlavor(): KernelFlavor {
  return process.env.HEBB_KERNEL === 'debug' ? 'debug' : 'release';
}

/** Threads a kernel can run on (its control block has a slot for each). */
export const MAX_THREADS = 64;

export type Typed = Float64Array | Float32Array | Uint32Array | Int32Array | Uint16Array | Uint8Array | Int8Array;

export class Instance {
  readonly x: KernelExports;
  readonly k: KernelConstants;
  readonly flavor: KernelFlavor;
  private buffer: ArrayBuffer | undefined;
  private u8v!: Uint8Array;
  private u16v!: Uint16Array;
  private u32v!: Uint32Array;
  private i32v!: Int32Array;
  private f32v!: Float32Array;
  private f64v!: Float64Array;

  /** Threads that run each step: this one and `threads - 1` helpers. */
  threads: number;
  /** The memory is shared (the threaded kernel): modules generated for it import it so. */
  readonly shared: boolean;
  readonly #helpers: Worker[];

  constructor(flavor: KernelFlavor = defaultFlavor(), threads = 1) {
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw new UsageError(`must be a whole number from 1 to ${MAX_THREADS} (got ${threads})`, 'threads');
    this.flavor = flavor;
    this.threads = threads;
    this.shared = threads > 1;
    const memory = new WebAssembly.Memory({ ...KERNEL_MEMORY, shared: this.shared });
    const abort = (msgPtr: number, filePtr: number, line: number, col: number) => {
      throw new KernelError(`kernel abort: ${readAsString(memory, msgPtr)} at ${readAsString(memory, filePtr)}:${line}:${col}`);
    };
    const module = kernelModule(flavor, this.shared);
    const instance = new WebAssembly.Instance(module, { env: { memory, abort } });
    const raw = instance.exports as unknown as KernelExports & Record<string, WebAssembly.Global>;
    this.x = raw;
    // Every instantiation writes the module's data segments into the shared
    // memory: the helpers are instantiated before this instance runs (and
    // changes) anything, then it runs its start function.
    this.#helpers = threads > 1 ? startHelpers(module, memory, threads) : [];
    raw._start();
    if (threads > 1) {
      const room = (raw.MAX_THREADS as unknown as WebAssembly.Global).value;
      if (room !== MAX_THREADS) throw new KernelError(`the kernel has room for ${String(room)} threads, the host expects ${MAX_THREADS}: rebuild`);
      this.check(raw.setThreads(threads), 'setThreads');
      helperRegistry.register(this, this.#helpers, this);
    }
    const k: Record<string, number> = {};
    for (const name of KERNEL_CONSTANT_NAMES) k[name] = raw[name]!.value as number;
    this.k = k as unknown as KernelConstants;
  }

  /** Stops the helper threads; the instance goes on with one thread (same results). */
  close(): void {
    if (this.#helpers.length === 0) return;
    this.check(this.x.setThreads(1), 'setThreads');
    this.x.stopThreads();
    for (const w of this.#helpers) void w.terminate();
    this.#helpers.length = 0;
    this.threads = 1;
    helperRegistry.unregister(this);
  }

  /** Throws a KernelError unless a call returned a non-negative status. */
  check(status: number, what: string): number {
    if (status < 0) throw new KernelError(`${what}: ${STATUS_MESSAGES.get(status) ?? `status ${status}`}`);
    return status;
  }

  string(ptr: StringPtr): string {
    return readAsString(this.x.memory, ptr);
  }

  // Views are rebuilt whenever memory has grown (growing detaches the old buffer).
  private views(): void {
    const buf = this.x.memory.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.u8v = new Uint8Array(buf);
      this.u16v = new Uint16Array(buf);
      this.u32v = new Uint32Array(buf);
      this.i32v = new Int32Array(buf);
      this.f32v = new Float32Array(buf);
      this.f64v = new Float64Array(buf);
    }
  }

  /** Copies `n` elements from kernel memory at `ptr`. */
  readF64(ptr: number, n: number): Float64Array { this.views(); return this.f64v.slice(ptr >>> 3, (ptr >>> 3) + n); }
  readF32(ptr: number, n: number): Float32Array { this.views(); return this.f32v.slice(ptr >>> 2, (ptr >>> 2) + n); }
  readU32(ptr: number, n: number): Uint32Array { this.views(); return this.u32v.slice(ptr >>> 2, (ptr >>> 2) + n); }
  readI32(ptr: number, n: number): Int32Array { this.views(); return this.i32v.slice(ptr >>> 2, (ptr >>> 2) + n); }
  readU16(ptr: number, n: number): Uint16Array { this.views(); return this.u16v.slice(ptr >>> 1, (ptr >>> 1) + n); }
  readU8(ptr: number, n: number): Uint8Array { this.views(); return this.u8v.slice(ptr, ptr + n); }
  readI8(ptr: number, n: number): Int8Array { this.views(); return new Int8Array(this.u8v.buffer.slice(ptr, ptr + n)); }

  /** A live f32 view of `n` elements at `ptr`: do not hold it across calls that allocate. */
  viewF32(ptr: number, n: number): Float32Array { this.views(); return this.f32v.subarray(ptr >>> 2, (ptr >>> 2) + n); }

  /** Copies bytes into kernel memory at `ptr` (an array the kernel owns). */
  writeAt(ptr: number, data: Typed): void {
    this.views();
    this.u8v.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ptr);
  }

  /** Copies an array into fresh kernel memory; returns its pointer (free it with free()). */
  write(data: Typed): number {
    const ptr = this.x.alloc(Math.max(data.byteLength, 16));
    this.writeAt(ptr, data);
    return ptr;
  }

  /** Runs `call` with copies of `arrays` in kernel memory (0 for an absent one), then frees them. */
  withArrays<T>(arrays: readonly (Typed | undefined)[], call: (...ptrs: number[]) => T): T {
    const ptrs = arrays.map((a) => (a ? this.write(a) : 0));
    try {
      return call(...ptrs);
    } finally {
      for (const p of ptrs) if (p) this.x.free(p);
    }
  }

  alloc(bytes: number): number { return this.x.alloc(Math.max(16, bytes)); }
  free(ptr: number): void { this.x.free(ptr); }
}

// Helpers of an instance that was never closed end with it.
const helperRegistry = new FinalizationRegistry<Worker[]>((helpers) => {
  for (const w of helpers) void w.terminate();
});

// Starts threads 1..n-1 and waits (blocking: the instance must not run
// before they are instantiated) until each has its instance.
function startHelpers(module: WebAssembly.Module, memory: WebAssembly.Memory, n: number): Worker[] {
  const ready = new SharedArrayBuffer(8);
  const flags = new Int32Array(ready);
  const file = packagePath('dist', 'src', 'kernel', 'worker.js');
  const helpers: Worker[] = [];
  for (let thread = 1; thread < n; thread++) {
    const w = new Worker(file, { workerData: { module, memory, thread, helpers: n - 1, ready } });
    // A helper never keeps the process alive; its errors are reported through the control block.
    w.unref();
    w.on('error', () => {});
    helpers.push(w);
  }
  const deadline = Date.now() + 60_000;
  for (let started = Atomics.load(flags, 0); started < n - 1; started = Atomics.load(flags, 0)) {
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(flags, 0, started, left) === 'timed-out') break;
  }
  if (Atomics.load(flags, 0) < n - 1 || Atomics.load(flags, 1) !== 0) {
    for (const w of helpers) void w.terminate();
    throw new KernelError(`the kernel's ${n - 1} helper thread(s) could not start (${file})`);
  }
  return helpers;
}

// AssemblyScript strings: UTF-16LE, byte length stored 4 bytes before the data.
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0]! >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
}
