// A helper thread of a kernel (assembly/threads.ts): instantiates the
// kernel's module on the kernel's shared memory, says so, then runs its
// share of every step in the kernel's workerLoop until thread 0 stops it.
// If its instance traps, it marks the failure in the control block and
// acknowledges the phase, so that thread 0 is never left waiting.

import { parentPort, workerData } from 'node:worker_threads';

interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  thread: number;
  /** Helpers started with this one. */
  helpers: number;
  /** [instantiated helpers, failures]: thread 0 waits on it. */
  ready: SharedArrayBuffer;
}

interface HelperExports {
  workerLoop(thread: number): void;
  controlBlock(): number;
  CTRL_GEN: WebAssembly.Global;
  CTRL_FAILED: WebAssembly.Global;
  CTRL_ACK: WebAssembly.Global;
  CTRL_LINE: WebAssembly.Global;
}

const { module, memory, thread, helpers, ready } = workerData as HelperData;
const flags = new Int32Array(ready);
let x: HelperExports;
try {
  const abort = () => { throw new Error('kernel abort in a worker thread'); };
  x = new WebAssembly.Instance(module, { env: { memory, abort } }).exports as unknown as HelperExports;
} catch (error) {
  Atomics.store(flags, 1, 1);
  throw error;
} finally {
  Atomics.add(flags, 0, 1);
  Atomics.notify(flags, 0);
}
// Every instantiation writes the module's data segments, the control block
// among them, into the shared memory: no helper enters its loop (and writes
// there) before the last one is instantiated.
for (let started = Atomics.load(flags, 0); started < helpers; started = Atomics.load(flags, 0)) Atomics.wait(flags, 0, started);
try {
  x.workerLoop(thread);
} catch (error) {
  const ctrl = new Int32Array(memory.buffer);
  const at = x.controlBlock();
  const ack = (at + (x.CTRL_ACK.value as number) + thread * (x.CTRL_LINE.value as number)) >> 2;
  Atomics.store(ctrl, (at + (x.CTRL_FAILED.value as number)) >> 2, 1);
  Atomics.store(ctrl, ack, Atomics.load(ctrl, (at + (x.CTRL_GEN.value as number)) >> 2));
  Atomics.notify(ctrl, ack);
  parentPort?.postMessage({ failed: String(error) });
}
