// spike_source: neurons that fire at given times. Neuron j fires at
// times[off[j] .. off[j+1]) (ms, ascending, > 0); the next time of each
// neuron is its key in an indexed heap.

import { Population, ModelInfo, INPUT_NONE } from "../population";
import { IndexedHeap } from "../heap";
import { STATUS_OK, STATUS_BAD_ARGUMENT } from "../status";
import * as io from "../checkpoint-io";

export const SPIKE_SOURCE = new ModelInfo(
  "spike_source",
  "",
  "",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new SpikeSource(index, size, first, info),
);

export class SpikeSource extends Population {
  srcOffsets: StaticArray<u32>;
  srcTimes: StaticArray<f64> = new StaticArray<f64>(0);
  srcCursor: StaticArray<u32>;
  heap: IndexedHeap;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
    this.srcOffsets = new StaticArray<u32>(size + 1);
    this.srcCursor = new StaticArray<u32>(size);
    this.heap = new IndexedHeap(size);
  }

  inputMode(): i32 { return INPUT_NONE; }
  configure(dt: f64): i32 { return STATUS_OK; }

  // off: size + 1 u32 offsets; times: nTimes f64.
  setTimes(offPtr: usize, timesPtr: usize, nTimes: i32): i32 {
    for (let j = 0; j <= this.size; j++) this.srcOffsets[j] = load<u32>(offPtr + (<usize>j << 2));
    if (this.srcOffsets[this.size] != <u32>nTimes) return STATUS_BAD_ARGUMENT;
    this.srcTimes = new StaticArray<f64>(nTimes);
    memory.copy(changetype<usize>(this.srcTimes), timesPtr, <usize>nTimes << 3);
    for (let j = 0; j < this.size; j++) this.srcCursor[j] = this.srcOffsets[j];
    return STATUS_OK;
  }

  start(t: f64): void {
    for (let j = 0; j < this.size; j++) {
      const c = this.srcCursor[j], end = this.srcOffsets[j + 1];
      this.heap.key[j] = c < end ? this.srcTimes[c] : Infinity;
    }
    this.heap.heapify();
  }

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 {
    const heap = this.heap;
    while (heap.topKey() <= tEnd) {
      const j = heap.topId();
      const t = unchecked(heap.key[j]);
      this.pushSpike(slot, j, t - tStart);
      const c = unchecked(this.srcCursor[j]) + 1;
      unchecked(this.srcCursor[j] = c);
      heap.update(j, c < unchecked(this.srcOffsets[j + 1]) ? unchecked(this.srcTimes[c]) : Infinity);
    }
    return 0;
  }

  variablePtr(k: i32): usize { return k == this.countVariable() ? changetype<usize>(this.counts) : 0; }
  variableType(k: i32): i32 { return k == this.countVariable() ? 3 : 0; }

  saveState(): void {
    io.wArr(this.srcCursor);
    io.wArr(this.heap.ids); io.wArr(this.heap.pos); io.wArr(this.heap.key);
  }
  loadState(): void {
    io.rArr(this.srcCursor);
    io.rArr(this.heap.ids); io.rArr(this.heap.pos); io.rArr(this.heap.key);
  }
}
