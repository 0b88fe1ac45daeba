// poisson: independent Poisson spike trains (rate per neuron, Hz), or
// regular generators (process "regular": each neuron fires every 1/rate).
//
// Poisson: the neurons fire as independent processes of rates r_j,
// generated as one merged process (superposition): candidate events at rate
// N r_max, each given to a uniformly drawn neuron j and kept with probability
// r_j / r_max (thinning). Each neuron's train is then exactly Poisson with
// rate r_j, and an event costs O(1): one Philox block, addressed by the
// population's event index, gives the interval (words 0-1), the neuron
// (word 2) and the thinning draw (word 3).
//
// Regular: a neuron that has not fired starts at a random phase (so the
// population is not synchronous); after a rate change its next spike is its
// last spike plus the new period (or now, if that has passed).

import { Population, ModelInfo, INPUT_NONE, TYPE_F64, TYPE_U32 } from "../population";
import { IndexedHeap } from "../heap";
import { philox, out0, out1, out2, out3, STREAM_POISSON } from "../rng";
import { STATUS_OK, STATUS_BAD_VARIABLE } from "../status";
import * as io from "../checkpoint-io";

export const POISSON = new ModelInfo(
  "poisson",
  "process=poisson|regular",
  "rate",
  (index: i32, size: i32, first: i32, info: ModelInfo): Population => new PoissonSource(index, size, first, info),
);

export class PoissonSource extends Population {
  rate: StaticArray<f64>;   // Hz
  rMax: f64 = 0;            // largest rate (Hz)
  nextT: f64 = Infinity;    // time of the next candidate event
  events: f64 = 0;          // candidate events drawn (RNG counter)
  nextWord: u32 = 0;        // neuron word of the next candidate
  nextAccept: u32 = 0;      // thinning word of the next candidate
  regular: bool = false;
  regLast: StaticArray<f64> = new StaticArray<f64>(0);
  heap: IndexedHeap = new IndexedHeap(0);
  started: bool = false;

  constructor(index: i32, size: i32, first: i32, info: ModelInfo) {
    super(index, size, first, info);
    this.rate = new StaticArray<f64>(size);
  }

  inputMode(): i32 { return INPUT_NONE; }

  configure(dt: f64): i32 {
    this.regular = this.param("process") == 1;
    if (this.regular) {
      this.heap = new IndexedHeap(this.size);
      this.regLast = new StaticArray<f64>(this.size);
      for (let j = 0; j < this.size; j++) this.regLast[j] = -Infinity;
    }
    return STATUS_OK;
  }

  // Restarts the process at time t (at start, or after rates change: the
  // Poisson process is memoryless, so redrawing from t is exact).
  start(t: f64): void {
    this.started = true;
    if (this.regular) this.restartRegular(t); else this.restartPoisson(t);
  }

  update(m: i32, slot: i32, tStart: f64, tEnd: f64, dt: f64): f64 {
    if (this.regular) this.emitRegular(slot, tStart, tEnd); else this.emitPoisson(slot, tStart, tEnd);
    return 0;
  }

  // All the rates at once (one restart of the process).
  setRates(ratesPtr: usize, t: f64): void {
    for (let j = 0; j < this.size; j++) unchecked(this.rate[j] = load<f64>(ratesPtr + (<usize>j << 3)));
    if (this.started) this.start(t);
  }

  readVariable(k: i32, j: i32, step: i32, dt: f64): f64 {
    return k == 0 ? this.rate[j] : super.readVariable(k, j, step, dt);
  }
  writeVariable(k: i32, j: i32, x: f64, step: i32, dt: f64, prepared: bool): i32 {
    if (k != 0) return STATUS_BAD_VARIABLE;
    unchecked(this.rate[j] = x);
    if (this.started) this.start(<f64>step * dt);
    return STATUS_OK;
  }
  variablePtr(k: i32): usize {
    return k == 0 ? changetype<usize>(this.rate) : k == this.countVariable() ? changetype<usize>(this.counts) : 0;
  }
  variableType(k: i32): i32 { return k == 0 ? TYPE_F64 : k == this.countVariable() ? TYPE_U32 : 0; }

  saveState(): void {
    io.wF64(this.rMax); io.wF64(this.nextT); io.wF64(this.events); io.wF64(<f64>this.nextWord); io.wF64(<f64>this.nextAccept);
    io.wArr(this.rate); io.wArr(this.regLast);
    io.wArr(this.heap.ids); io.wArr(this.heap.pos); io.wArr(this.heap.key);
  }
  loadState(): void {
    this.rMax = io.rF64(); this.nextT = io.rF64(); this.events = io.rF64(); this.nextWord = <u32>io.rF64(); this.nextAccept = <u32>io.rF64();
    io.rArr(this.rate); io.rArr(this.regLast);
    io.rArr(this.heap.ids); io.rArr(this.heap.pos); io.rArr(this.heap.key);
  }

  // ------------------------------------------------------------ Poisson

  @inline candidateInterval(u: f64): f64 {
    return -Math.log(1.0 - u) * 1000.0 / (<f64>this.size * this.rMax);
  }

  restartPoisson(t: f64): void {
    let rMax = 0.0;
    for (let j = 0; j < this.size; j++) rMax = Math.max(rMax, unchecked(this.rate[j]));
    this.rMax = rMax;
    this.nextT = rMax > 0 && this.size > 0 ? t + this.candidateInterval(this.drawPoisson()) : Infinity;
  }

  // Draws block number this.events (advancing it): returns the interval
  // uniform and keeps the event's neuron word and thinning word.
  @inline drawPoisson(): f64 {
    const k = this.events;
    this.events = k + 1;
    philox(<u32>(<u64>k), <u32>(k / 4294967296.0), <u32>this.index, STREAM_POISSON);
    this.nextWord = out2;
    this.nextAccept = out3;
    return <f64>((((<u64>out1) << 32) | <u64>out0) >> 11) * 1.1102230246251565e-16;
  }

  emitPoisson(slot: i32, tStart: f64, tEnd: f64): void {
    const n = <u64>this.size;
    const rMax = this.rMax;
    let t = this.nextT;
    while (t <= tEnd) {
      // Words 2 and 3 of the block that drew this event's interval.
      const j = <i32>((<u64>this.nextWord * n) >> 32);
      if (<f64>this.nextAccept < unchecked(this.rate[j]) / rMax * 4294967296.0) this.pushSpike(slot, j, t - tStart);
      t += this.candidateInterval(this.drawPoisson());
    }
    this.nextT = t;
  }

  // ------------------------------------------------------------ regular

  restartRegular(t: f64): void {
    for (let j = 0; j < this.size; j++) {
      const r = unchecked(this.rate[j]);
      let next = Infinity;
      if (r > 0) {
        const period = 1000.0 / r;
        const last = unchecked(this.regLast[j]);
        if (last == -Infinity) {
          philox(<u32>j, 0xffffffff, <u32>this.index, STREAM_POISSON);
          next = t + period * (<f64>out0 / 4294967296.0);
        } else {
          next = Math.max(t, last + period);
        }
      }
      unchecked(this.heap.key[j] = next);
    }
    this.heap.heapify();
  }

  emitRegular(slot: i32, tStart: f64, tEnd: f64): void {
    const heap = this.heap;
    while (heap.topKey() <= tEnd) {
      const j = heap.topId();
      const t = unchecked(heap.key[j]);
      // A spike exactly at tStart belongs to the previous step: it was emitted there.
      this.pushSpike(slot, j, Math.max(t - tStart, 0));
      unchecked(this.regLast[j] = t);
      const r = unchecked(this.rate[j]);
      heap.update(j, r > 0 ? t + 1000.0 / r : Infinity);
    }
  }
}
