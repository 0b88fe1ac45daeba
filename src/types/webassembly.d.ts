// The part of the WebAssembly JS API hebb uses (Node 20's @types/node does
// not declare it, and the DOM library does not belong in a Node program).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
    static imports(module: Module): { module: string; name: string; kind: string }[];
    static exports(module: Module): { name: string; kind: string }[];
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    /** A SharedArrayBuffer when the memory is shared (hebb's kernel memory is). */
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Global {
    value: unknown;
  }
  /** A trap: out-of-bounds access, unreachable, out of memory. */
  class RuntimeError extends Error {}
  type BufferSource = ArrayBufferView | ArrayBuffer;
}
