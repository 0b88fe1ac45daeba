// The whole dynamic state of a built network as bytes, and back: every
// population's state (its model writes its own, see Population.save),
// spikes still in flight, weights, traces, eligibilities, time. Structure
// (parameters, connectivity) is not saved: it is rebuilt from the model and
// seed, which are keyed and deterministic. The host wraps these bytes with
// a header and a checksum.

import { Population } from "./population";
import { Projection, refreshUniformWeight } from "./projection";
import { setLearningRate } from "./plasticity";
import * as io from "./checkpoint-io";

const MAGIC: u32 = 0x48454233;  // "HEB3": state written by the models themselves

function saveProjection(pr: Projection): void {
  io.wF64(pr.events);
  io.wArr(pr.weights);
  const pl = pr.plasticity;
  io.wU32(pl == null ? 0 : 1);
  if (pl == null) return;
  io.wF64(pl.base); io.wF64(pl.lastFlush); io.wF64(pl.modulator); io.wF64(pl.rate);
  io.wArr(pl.w); io.wArr(pl.r1); io.wArr(pl.r2); io.wArr(pl.o1); io.wArr(pl.o2); io.wArr(pl.elig);
  io.wArr(pl.last);
  for (let k = 0; k < pl.ev.length; k++) io.wArr(pl.ev[k]);
}

function loadProjection(pr: Projection): void {
  pr.events = io.rF64();
  io.rArr(pr.weights);
  refreshUniformWeight(pr);
  const plastic = io.rU32() != 0;
  const pl = pr.plasticity;
  if (plastic != (pl != null)) { io.fail(); return; }
  if (pl == null) return;
  pl.base = io.rF64(); pl.lastFlush = io.rF64(); pl.modulator = io.rF64();
  const rate = io.rF64();
  if (!(rate > 0) || !isFinite(rate)) { io.fail(); return; }
  setLearningRate(pl, rate);
  io.rArr(pl.w); io.rArr(pl.r1); io.rArr(pl.r2); io.rArr(pl.o1); io.rArr(pl.o2); io.rArr(pl.elig);
  io.rArr(pl.last);
  for (let k = 0; k < pl.ev.length; k++) io.rArr(pl.ev[k]);
}

// Returns the number of bytes written (at checkpointPtr()).
export function saveState(pops: Array<Population>, projs: Array<Projection>, step: i32, totalEvents: f64): i32 {
  io.beginWrite();
  io.wU32(MAGIC);
  io.wF64(<f64>step);
  io.wF64(totalEvents);
  io.wU32(<u32>pops.length);
  io.wU32(<u32>projs.length);
  for (let k = 0; k < pops.length; k++) {
    io.wU32(<u32>pops[k].info.kind);
    pops[k].save();
  }
  for (let k = 0; k < projs.length; k++) saveProjection(projs[k]);
  return io.written();
}

export function savedPtr(): usize {
  return io.writtenPtr();
}

export let loadedEvents: f64 = 0;

// Returns the step to resume at, or -1 when the bytes do not fit this network.
export function loadState(pops: Array<Population>, projs: Array<Projection>, ptr: usize, n: i32): f64 {
  io.beginRead(ptr, n);
  if (io.rU32() != MAGIC) return -1;
  const step = io.rF64();
  const events = io.rF64();
  if (<i32>io.rU32() != pops.length || <i32>io.rU32() != projs.length) return -1;
  for (let k = 0; k < pops.length && !io.failed(); k++) {
    if (<i32>io.rU32() != pops[k].info.kind) return -1;
    pops[k].load();
  }
  for (let k = 0; k < projs.length && !io.failed(); k++) loadProjection(projs[k]);
  if (!io.readAll()) return -1;
  loadedEvents = events;
  return step;
}
