// The whole dynamic state of a built network as bytes, and back: neuron
// state, event queues, spike histories (spikes still in flight), counters,
// weights, traces, eligibilities, time. Structure (parameters, connectivity)
// is not saved: it is rebuilt from the model and seed, which are keyed and
// deterministic. The host wraps these bytes with a header and a checksum.
//
// Layout: every array is a u32 element count and its raw bytes, every
// scalar an f64; read back in the same order, each count checked against
// the rebuilt network.

import { Population } from "./population";
import { Projection } from "./projection";
import { BinaryUnits } from "./binary";
import { setLearningRate } from "./plasticity";

const MAGIC: u32 = 0x48454232;  // "HEB2"

let buf = new StaticArray<u8>(1 << 16);
let len: i32 = 0;
let pos: i32 = 0;
let readLen: i32 = 0;
let readPtr: usize = 0;
let bad = false;

function reserve(n: i32): void {
  if (len + n <= buf.length) return;
  let cap = buf.length * 2;
  while (cap < len + n) cap *= 2;
  const b = new StaticArray<u8>(cap);
  memory.copy(changetype<usize>(b), changetype<usize>(buf), <usize>len);
  buf = b;
}

function wBytes(ptr: usize, bytes: i32): void {
  reserve(bytes);
  memory.copy(changetype<usize>(buf) + <usize>len, ptr, <usize>bytes);
  len += bytes;
}

function wF64(x: f64): void {
  reserve(8);
  store<f64>(changetype<usize>(buf) + <usize>len, x);
  len += 8;
}

function wU32(x: u32): void {
  reserve(4);
  store<u32>(changetype<usize>(buf) + <usize>len, x);
  len += 4;
}

function wArr<T>(a: StaticArray<T>, n: i32 = -1): void {
  const count = n < 0 ? a.length : n;
  wU32(<u32>count);
  wBytes(changetype<usize>(a), count * sizeof<T>());
}

function rF64(): f64 {
  if (pos + 8 > readLen) { bad = true; return 0; }
  const x = load<f64>(readPtr + <usize>pos);
  pos += 8;
  return x;
}

function rU32(): u32 {
  if (pos + 4 > readLen) { bad = true; return 0; }
  const x = load<u32>(readPtr + <usize>pos);
  pos += 4;
  return x;
}

// Reads an array saved by wArr into `a`, which must have room (count <= length
// when `exact` is false, count == length otherwise). Returns the count.
function rArr<T>(a: StaticArray<T>, exact: bool = true): i32 {
  const count = <i32>rU32();
  const bytes = count * sizeof<T>();
  if (bad || (exact ? count != a.length : count > a.length) || pos + bytes > readLen) { bad = true; return 0; }
  memory.copy(changetype<usize>(a), readPtr + <usize>pos, <usize>bytes);
  pos += bytes;
  return count;
}

function savePopulation(p: Population): void {
  wF64(p.iStep); wF64(<f64>p.baseStep); wF64(p.tBase); wF64(p.hasDrive ? 1 : 0); wF64(p.hasBias ? 1 : 0);
  wF64(p.rMax); wF64(p.nextT); wF64(p.events); wF64(p.totalSpikes); wF64(<f64>p.schedCursor);
  wF64(<f64>p.nextWord); wF64(<f64>p.nextAccept); wF64(p.totalSpikesUnrecorded);
  wArr(p.v); wArr(p.ge); wArr(p.gi); wArr(p.u); wArr(p.ie); wArr(p.lastSpike); wArr(p.theta);
  wArr(p.vd); wArr(p.ied); wArr(p.refUntil); wArr(p.rate); wArr(p.srcCursor);
  wArr(p.heap.ids); wArr(p.heap.pos); wArr(p.heap.key); wArr(p.counts); wArr(p.regLast);
  wU32(<u32>p.histR);
  for (let s = 0; s < p.histR; s++) {
    const n = p.histCount[s];
    wArr(p.histIds[s], n);
    wArr(p.histOffs[s], n);
  }
  const b = p.bin;
  wU32(b == null ? 0 : 1);
  if (b != null) saveBinary(b);
}

function loadPopulation(p: Population): void {
  p.iStep = rF64(); p.baseStep = <i32>rF64(); p.tBase = rF64(); p.hasDrive = rF64() != 0; p.hasBias = rF64() != 0;
  p.rMax = rF64(); p.nextT = rF64(); p.events = rF64(); p.totalSpikes = rF64(); p.schedCursor = <i32>rF64();
  p.nextWord = <u32>rF64(); p.nextAccept = <u32>rF64(); p.totalSpikesUnrecorded = rF64();
  rArr(p.v); rArr(p.ge); rArr(p.gi); rArr(p.u); rArr(p.ie); rArr(p.lastSpike); rArr(p.theta);
  rArr(p.vd); rArr(p.ied); rArr(p.refUntil); rArr(p.rate); rArr(p.srcCursor);
  rArr(p.heap.ids); rArr(p.heap.pos); rArr(p.heap.key); rArr(p.counts); rArr(p.regLast);
  if (<i32>rU32() != p.histR) { bad = true; return; }
  for (let s = 0; s < p.histR; s++) {
    // Peek the count, make room, then read both arrays of the slot.
    const n = pos + 4 <= readLen ? <i32>load<u32>(readPtr + <usize>pos) : 0;
    while (p.histIds[s].length < n) p.histIds[s] = new StaticArray<i32>(p.histIds[s].length * 2);
    while (p.histOffs[s].length < n) p.histOffs[s] = new StaticArray<f64>(p.histOffs[s].length * 2);
    p.histCount[s] = rArr(p.histIds[s], false);
    rArr(p.histOffs[s], false);
  }
  const b = p.bin;
  if ((rU32() != 0) != (b != null)) { bad = true; return; }
  if (b != null) loadBinary(b);
}

// Fields are saved as they are (not recomputed), so a continued run adds in
// the same order as an uninterrupted one, bit for bit.
function saveBinary(b: BinaryUnits): void {
  wF64(b.temperature); wF64(b.draws); wF64(b.carry); wF64(<f64>b.cursor); wF64(b.nextT);
  wF64(b.flips); wF64(b.updates); wF64(b.fieldsDirty ? 1 : 0); wF64(b.anyClamped ? 1 : 0); wF64(<f64>b.tCursor);
  wF64(b.tableT);
  wArr(b.s); wArr(b.h); wArr(b.bias); wArr(b.clamped); wArr(b.perm); wArr(b.hist);
}

function loadBinary(b: BinaryUnits): void {
  b.temperature = rF64(); b.draws = rF64(); b.carry = rF64(); b.cursor = <i32>rF64(); b.nextT = rF64();
  b.flips = rF64(); b.updates = rF64(); b.fieldsDirty = rF64() != 0; b.anyClamped = rF64() != 0; b.tCursor = <i32>rF64();
  rF64(); b.tableT = NaN;  // the acceptance table is rebuilt for the loaded temperature
  rArr(b.s); rArr(b.h); rArr(b.bias); rArr(b.clamped); rArr(b.perm); rArr(b.hist);
}

function saveProjection(pr: Projection): void {
  wF64(pr.events);
  wArr(pr.weights);
  const pl = pr.plasticity;
  wU32(pl == null ? 0 : 1);
  if (pl == null) return;
  wF64(pl.base); wF64(pl.lastFlush); wF64(pl.modulator); wF64(pl.rate);
  wArr(pl.w); wArr(pl.r1); wArr(pl.r2); wArr(pl.o1); wArr(pl.o2); wArr(pl.elig);
}

function loadProjection(pr: Projection): void {
  pr.events = rF64();
  rArr(pr.weights);
  const plastic = rU32() != 0;
  const pl = pr.plasticity;
  if (plastic != (pl != null)) { bad = true; return; }
  if (pl == null) return;
  pl.base = rF64(); pl.lastFlush = rF64(); pl.modulator = rF64();
  const rate = rF64();
  if (!(rate > 0) || !isFinite(rate)) { bad = true; return; }
  setLearningRate(pl, rate);
  rArr(pl.w); rArr(pl.r1); rArr(pl.r2); rArr(pl.o1); rArr(pl.o2); rArr(pl.elig);
}

export function saveState(pops: Array<Population>, projs: Array<Projection>, step: i32, totalEvents: f64): i32 {
  len = 0;
  wU32(MAGIC);
  wF64(<f64>step);
  wF64(totalEvents);
  wU32(<u32>pops.length);
  wU32(<u32>projs.length);
  for (let k = 0; k < pops.length; k++) savePopulation(pops[k]);
  for (let k = 0; k < projs.length; k++) saveProjection(projs[k]);
  return len;
}

export function savedPtr(): usize {
  return changetype<usize>(buf);
}

// Returns the step to resume at, or -1 when the bytes do not fit this network.
export function loadState(pops: Array<Population>, projs: Array<Projection>, ptr: usize, n: i32): f64 {
  readPtr = ptr;
  readLen = n;
  pos = 0;
  bad = false;
  if (rU32() != MAGIC) return -1;
  const step = rF64();
  const events = rF64();
  if (<i32>rU32() != pops.length || <i32>rU32() != projs.length) return -1;
  for (let k = 0; k < pops.length && !bad; k++) loadPopulation(pops[k]);
  for (let k = 0; k < projs.length && !bad; k++) loadProjection(projs[k]);
  if (bad || pos != readLen) return -1;
  loadedEvents = events;
  return step;
}

export let loadedEvents: f64 = 0;
