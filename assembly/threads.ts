// Threads: N instances of this module on one shared memory. Thread 0 is
// the host's instance and runs the engine; threads 1..N-1 are instances in
// worker threads that never run the module's start function (their globals
// stay unset and they never allocate: the allocator belongs to thread 0).
// They wait in workerLoop for a phase of a step, do their share of it and
// report back. Everything they read is reached from the control block,
// which sits at the same fixed address in every instance.
//
// The work is split by target neuron, as NEST does: thread t owns a range
// of every population's neurons, integrates them and adds to them the
// weights of the spikes that reach them. No two threads write the same
// neuron, and each target receives its inputs in the one order a single
// thread would give them (spikes in history order, synapses in row order),
// so the spikes are bit-identical for any number of threads. Each thread
// also fires its own candidates (settleRange: resets, refractoriness, the
// neurons' own state), so that thread 0 only appends their ids to the
// history, in neuron order, and writes no other thread's neurons. What is
// not split (event-driven and binary populations, plasticity, recording)
// runs on thread 0 between the phases.

import { Population, INPUT_GRID, padded } from "./population";
import { ClockPopulation } from "./models/clock";
import { Projection, lowerBoundTarget } from "./projection";
import { deliverGridShare, deliverPoissonShare, newRowBounds } from "./transmission";
import * as rng from "./rng";

// Control block: i32 slots, then one acknowledgement slot per thread on a
// cache line of its own (thread t writes the generation it finished there).
// No slot is ever reset, so no late write can be mistaken for a new one.
export const MAX_THREADS: i32 = 64;
const LINE: usize = 64;
const CTRL: usize = memory.data(<i32>LINE * (MAX_THREADS + 1), <i32>LINE);
// GEN is bumped by thread 0 to start a phase, with the step's number beside
// it (STEP, the high half of one i64): a single store on the line the
// helpers poll hands them both, in one transfer between cores (a second
// write there would cost a second).
const GEN: usize = 0;
const STEP: usize = 4;
const PHASE: usize = 8;
const PLAN: usize = 12;
const FAILED: usize = 16;  // set by the host when a helper trapped
// Threads asleep in memory.atomic.wait: helpers on GEN, thread 0 on an ACK.
// A notification is a call into the engine's wait queue (a lock and a list);
// these let the side that wakes skip it when nobody sleeps, which is almost
// always while a run goes on.
const SLEEPERS: usize = 20;
const WAITER: usize = 24;
// The random key (written when it changes).
const KEY0: usize = 28;
const KEY1: usize = 32;
const ACK: usize = LINE;   // + t * LINE

export const PHASE_STOP: i32 = 0;
export const PHASE_UPDATE: i32 = 1;
export const PHASE_DELIVER: i32 = 2;
// Both in one: transmission at step m reads spikes of steps before m only
// (every delay is at least one step), so a thread can deliver to its
// neurons right after updating them, and a step needs one barrier.
export const PHASE_STEP: i32 = 3;

// Polls of the control block before a thread sleeps (memory.atomic.wait):
// long enough to bridge thread 0's serial part of a step, short enough not
// to hold a core between the host's calls.
const SPINS: i32 = 1 << 16;

// Every buffer a thread writes ends in PAD unused 4-byte slots, so that
// no two threads' writes share a cache line (the allocator puts the
// buffers side by side; a shared line moves between the cores at each
// write: measured 2x the delivery time on 2 threads).
const PAD: i32 = <i32>LINE >> 2;

// What the threads share for a prepared network; built by thread 0.
export class ThreadPlan {
  threads: i32;
  pops: Array<Population>;
  grid: Array<Projection>;
  // Neuron ranges [lo, hi) per thread and population: index t * np + k.
  lo: StaticArray<i32>;
  hi: StaticArray<i32>;
  // Threshold candidates of range-updated populations, per thread and population.
  cand: Array<StaticArray<u32>> = [];
  // The neurons that fired, per thread and population (settleRange), and how
  // many (at t * countStride + k: each thread's counts on lines of its own,
  // one transfer to thread 0 per step, not one per population).
  fired: Array<StaticArray<i32>> = [];
  firedCount: StaticArray<i32>;
  scratch: Array<StaticArray<i32>> = [];  // Poisson draws, per thread
  bounds: Array<StaticArray<u32>> = [];   // row bounds of a block of spikes, per thread
  // Projections with one delay and rows sorted by target: thread t's share
  // of row q of grid projection g is [s0, s1) = shares[g * threads + t][2q,
  // 2q + 1], so that no thread searches a row and one load gives both ends
  // (empty arrays for other projections).
  shares: Array<StaticArray<u32>> = [];
  // Synaptic events of the last delivery phase per projection and thread,
  // at t * eventStride + g: each thread's on lines of its own, as above.
  events: StaticArray<f64> = new StaticArray<f64>(0);
  merged: bool = true;  // PHASE_STEP applies
  countStride: i32;
  eventStride: i32;
  dt: f64 = 0.1;  // set by thread 0 when it changes
  // Events per grid projection, summed by thread 0 after each delivery and
  // added to the projections when a run call ends (flushCounts): a write
  // to a projection every step would take from the helpers the line of the
  // fields they read to deliver.
  pendingEvents: StaticArray<f64>;

  constructor(threads: i32, pops: Array<Population>, grid: Array<Projection>) {
    this.threads = threads;
    this.pops = pops;
    this.grid = grid;
    const np = pops.length;
    this.lo = new StaticArray<i32>(threads * np);
    this.hi = new StaticArray<i32>(threads * np);
    const countStride = (np + PAD - 1) / PAD * PAD;
    this.countStride = countStride;
    this.pendingEvents = new StaticArray<f64>(grid.length);
    this.firedCount = new StaticArray<i32>(threads * countStride);
    const none = new StaticArray<u32>(0), noIds = new StaticArray<i32>(0);
    for (let i = 0; i < threads * np; i++) { this.cand.push(none); this.fired.push(noIds); }
    for (let k = 0; k < np; k++) {
      const p = pops[k];
      // Whole vectors per thread, as even as they come.
      const vectors = padded(p.size) >> 2;
      const per = (vectors + threads - 1) / threads;
      for (let t = 0; t < threads; t++) {
        const a = min(t * per * 4, p.size), b = min((t + 1) * per * 4, p.size);
        this.lo[t * np + k] = a;
        this.hi[t * np + k] = b;
        if (isRangeUpdated(p)) {
          this.cand[t * np + k] = new StaticArray<u32>(((b - a) >> 2) + 2 + PAD);
          this.fired[t * np + k] = new StaticArray<i32>(b - a + 8 + PAD);
        }
      }
    }
    for (let t = 0; t < threads; t++) {
      this.scratch.push(new StaticArray<i32>(4 + PAD));
      this.bounds.push(newRowBounds(PAD));
    }
    this.eventStride = (grid.length + (PAD >> 1) - 1) / (PAD >> 1) * (PAD >> 1);
    this.events = new StaticArray<f64>(threads * this.eventStride);
    const none32 = new StaticArray<u32>(0);
    for (let g = 0; g < grid.length; g++) {
      const pr = grid[g];
      if (pr.dMin < 1) this.merged = false;
      if (!(pr.sortedRows && pr.delayConst != 0 && !pr.dense)) {
        for (let t = 0; t < threads; t++) this.shares.push(none32);
        continue;
      }
      const kPost = pr.post.index;
      for (let t = 0; t < threads; t++) {
        // PAD slots (a cache line) after each: a thread reads only its own.
        const share = new StaticArray<u32>(2 * pr.nPre + PAD);
        const first = this.lo[t * np + kPost], last = this.hi[t * np + kPost];
        for (let q = 0; q < pr.nPre; q++) {
          const s0 = <i32>pr.rowPtr[q], s1 = <i32>pr.rowPtr[q + 1];
          const a = t == 0 ? s0 : lowerBoundTarget(pr.targets, s0, s1, first);
          const b = t == threads - 1 ? s1 : lowerBoundTarget(pr.targets, a, s1, last);
          share[2 * q] = <u32>a;
          share[2 * q + 1] = <u32>b;
        }
        this.shares.push(share);
      }
    }
  }
}

export function isRangeUpdated(p: Population): bool {
  return p.inputMode() == INPUT_GRID && changetype<ClockPopulation>(p).rangeUpdate();
}

// Thread t's share of a phase. Never inlined: a helper enters workerLoop
// once and never leaves it, so V8 never replaces its baseline (Liftoff)
// code; what it calls is tiered up like any function called often.
@noinline function runPhase(plan: ThreadPlan, t: i32, phase: i32): void {
  const m = atomic.load<i32>(CTRL + STEP), dt = plan.dt;
  const pops = plan.pops, np = pops.length;
  if (phase == PHASE_UPDATE || phase == PHASE_STEP) {
    for (let k = 0; k < np; k++) {
      const p = unchecked(pops[k]);
      if (!isRangeUpdated(p)) continue;
      const at = t * np + k;
      const cp = changetype<ClockPopulation>(p);
      const lo = unchecked(plan.lo[at]), hi = unchecked(plan.hi[at]), cand = changetype<usize>(unchecked(plan.cand[at]));
      const count = cp.updateRange(m, lo, hi, cand, dt);
      unchecked(plan.firedCount[t * plan.countStride + k] = cp.settleRange(m, cand, count, lo, hi, changetype<usize>(unchecked(plan.fired[at]))));
    }
  }
  if (phase == PHASE_DELIVER || phase == PHASE_STEP) {
    // Thread 0's instance already has the key; the others take it from the control block.
    if (t != 0) rng.setSeed(atomic.load<u32>(CTRL + KEY0), atomic.load<u32>(CTRL + KEY1));
    const grid = plan.grid, threads = plan.threads;
    for (let q = 0; q < grid.length; q++) {
      const pr = unchecked(grid[q]);
      const at = t * np + pr.post.index;
      unchecked(plan.events[t * plan.eventStride + q] = deliverGridShare(pr, m, unchecked(plan.lo[at]), unchecked(plan.hi[at]), t == 0,
        unchecked(plan.shares[q * threads + t]), unchecked(plan.bounds[t])));
    }
    for (let k = 0; k < np; k++) {
      const p = unchecked(pops[k]);
      if (p.inputs.length == 0 || p.inputMode() != INPUT_GRID) continue;
      const at = t * np + k;
      deliverPoissonShare(changetype<ClockPopulation>(p), m, unchecked(plan.lo[at]), unchecked(plan.hi[at]), unchecked(plan.scratch[t]));
    }
  }
}

// Thread 0, after a delivery phase: adds each projection's events (every
// thread's count) to its pending count (flushCounts); returns their sum.
export function collectEvents(plan: ThreadPlan): f64 {
  const grid = plan.grid, threads = plan.threads;
  let all: f64 = 0;
  for (let q = 0; q < grid.length; q++) {
    let e: f64 = 0;
    for (let t = 0; t < threads; t++) e += unchecked(plan.events[t * plan.eventStride + q]);
    unchecked(plan.pendingEvents[q] += e);
    all += e;
  }
  return all;
}

// Thread 0, when a run call ends: the events of collectEvents to the projections.
export function flushCounts(plan: ThreadPlan): void {
  const grid = plan.grid;
  for (let q = 0; q < grid.length; q++) {
    unchecked(grid[q]).events += unchecked(plan.pendingEvents[q]);
    unchecked(plan.pendingEvents[q] = 0);
  }
}

// Thread 0: runs a phase of step m on every thread and returns when all
// are done; false when a helper failed (the host then stops the run).
export function parallel(plan: ThreadPlan, phase: i32, m: i32): bool {
  // Written only when they change (they rarely do).
  if (atomic.load<u32>(CTRL + KEY0) != rng.seedLo()) atomic.store<u32>(CTRL + KEY0, rng.seedLo());
  if (atomic.load<u32>(CTRL + KEY1) != rng.seedHi()) atomic.store<u32>(CTRL + KEY1, rng.seedHi());
  if (atomic.load<i32>(CTRL + PHASE) != phase) atomic.store<i32>(CTRL + PHASE, phase);
  if (atomic.load<usize>(CTRL + PLAN) != changetype<usize>(plan)) atomic.store<usize>(CTRL + PLAN, changetype<usize>(plan));
  // Sequentially consistent: a helper that counted itself asleep after the
  // load below finds GEN changed and does not sleep.
  const gen = atomic.load<i32>(CTRL + GEN) + 1;
  atomic.store<i64>(CTRL + GEN, (<i64>m << 32) | <i64><u32>gen);
  if (atomic.load<i32>(CTRL + SLEEPERS) != 0) atomic.notify(CTRL + GEN, i32.MAX_VALUE);
  runPhase(plan, 0, phase);
  for (let t = 1; t < plan.threads; t++) {
    const at = CTRL + ACK + <usize>t * LINE;
    let spins = 0;
    for (;;) {
      const ack = atomic.load<i32>(at);
      if (ack == gen) break;
      if (++spins > SPINS) {
        atomic.store<i32>(CTRL + WAITER, 1);
        atomic.wait<i32>(at, ack, -1);
        atomic.store<i32>(CTRL + WAITER, 0);
      }
    }
  }
  return atomic.load<i32>(CTRL + FAILED) == 0;
}

// Helpers leave their loops (the host then ends the worker threads).
export function stopThreads(): void {
  atomic.store<i32>(CTRL + PHASE, PHASE_STOP);
  atomic.add<i32>(CTRL + GEN, 1);
  atomic.notify(CTRL + GEN, i32.MAX_VALUE);
}

// A helper's life: wait for a phase, run its share, report; until stopped.
// GEN is 0 until thread 0 posts its first phase (helpers are instantiated,
// and enter here, before thread 0 runs anything).
export function workerLoop(t: i32): void {
  let seen = 0;
  for (;;) {
    let spins = 0;
    let gen = atomic.load<i32>(CTRL + GEN);
    while (gen == seen) {
      if (++spins > SPINS) {
        atomic.add<i32>(CTRL + SLEEPERS, 1);
        atomic.wait<i32>(CTRL + GEN, seen, -1);
        atomic.sub<i32>(CTRL + SLEEPERS, 1);
      }
      gen = atomic.load<i32>(CTRL + GEN);
    }
    seen = gen;
    const phase = atomic.load<i32>(CTRL + PHASE);
    if (phase == PHASE_STOP) return;
    runPhase(changetype<ThreadPlan>(atomic.load<usize>(CTRL + PLAN)), t, phase);
    const at = CTRL + ACK + <usize>t * LINE;
    atomic.store<i32>(at, gen);
    if (atomic.load<i32>(CTRL + WAITER) != 0) atomic.notify(at, 1);
  }
}

// The control block's address and its slots, for a helper whose instance
// trapped: the host marks the failure and acknowledges the phase for it,
// so that thread 0 is never left waiting.
export function controlBlock(): usize { return CTRL; }
export const CTRL_GEN: i32 = <i32>GEN;
export const CTRL_FAILED: i32 = <i32>FAILED;
export const CTRL_ACK: i32 = <i32>ACK;
export const CTRL_LINE: i32 = <i32>LINE;
