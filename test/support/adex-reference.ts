// Fine fixed-step RK4 reference for the adaptive exponential integrate-and-fire
// neuron with exponentially decaying conductances, written to follow NEST's
// `aeif_cond_exp` (models/aeif_cond_exp.cpp, nest/nest-simulator @ 84b06d8d,
// Brette & Gerstner 2005). Plain f64 TypeScript, no imports.
//
// Units: ms, mV, pA, nS, pF (pA/nS = mV, pA/pF = mV/ms).
//
//   C dV/dt     = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T)
//                 - g_e (V - E_ex) - g_i (V - E_in) - w + I_e + I_stim(t)
//   tau_w dw/dt = a (V - E_L) - w
//   dg_e/dt = -g_e / tau_syn_e ;  dg_i/dt = -g_i / tau_syn_i
//
// Semantics copied from NEST's aeif_cond_exp (checked against the source):
//  * Right-hand side uses V_eff = min(V, V_peak) in EVERY term (leak, exp,
//    synaptic, and the a (V - E_L) term of w). This is NEST's guard against
//    overflow of the exponential; it uses the V_peak *parameter* even when
//    Delta_T == 0.
//  * Delta_T == 0: the exponential term is dropped (I_spike = 0) and the spike
//    threshold becomes V_th (NEST's V_th, here `v_t`) instead of V_peak.
//  * Spike when V reaches the threshold (V_peak, or v_t if Delta_T == 0) while
//    not refractory: V <- V_reset, w <- w + b.
//  * Refractoriness: while refractory the RHS is evaluated with V = V_reset and
//    dV/dt = 0 (V is clamped at V_reset), but w, g_e and g_i keep evolving (w
//    relaxes towards a (V_reset - E_L)). Here V is clamped on [t_spike,
//    t_spike + t_ref) in continuous time (the RK4 step is split at the end of
//    the refractory period). NEST works on its grid: the refractory counter is
//    set to round(t_ref/dt) + 1 and decremented at the end of the step that
//    contained the spike, so NEST clamps V for t_ref measured from the END of
//    the resolution step in which the spike was detected (< dt later).
//  * Conductance jumps from input spikes are applied at the grid time of the
//    spike (NEST adds them at the end of the step in which they arrive, which is
//    the same instant); they are applied during refractoriness as well.
//  * Spike time: the threshold crossing. A step whose RK4 result crosses the
//    threshold (or moves V by more than 0.1 Delta_T) is halved recursively down
//    to 1e-9 ms, so the exponential upstroke is resolved; the crossing is then
//    located by linear interpolation inside the final sub-step, the state is
//    reset AT the crossing time and the rest of the step is integrated from the
//    reset state. (Plain linear interpolation over a whole 0.001 ms step with
//    the reset at the step end converges only to first order: ~0.06 ms drift
//    over 50 spikes; see REFERENCES-NOTES.md.) NEST itself reports the grid
//    step end as the spike time; its adaptive RKF45 resets at the end of the
//    (very short) sub-step in which V >= V_peak.
//  * Default initial state as NEST: V = E_L, w = 0, g_e = g_i = 0.

export interface AdexParams {
  /** Membrane capacitance (pF). NEST C_m. */
  c_m: number;
  /** Leak conductance (nS). NEST g_L. */
  g_l: number;
  /** Leak reversal (mV). NEST E_L. */
  e_l: number;
  /** Spike-initiation threshold (mV). NEST V_th (Naud's V_T). */
  v_t: number;
  /** Slope factor (mV). NEST Delta_T. 0 => plain adaptive IF with threshold v_t. */
  delta_t: number;
  /** Subthreshold adaptation (nS). */
  a: number;
  /** Adaptation time constant (ms). */
  tau_w: number;
  /** Spike-triggered adaptation increment (pA). */
  b: number;
  /** Reset potential (mV). NEST V_reset. */
  v_reset: number;
  /** Spike detection threshold (mV). NEST V_peak. */
  v_peak: number;
  /** Refractory period (ms). NEST t_ref. */
  t_ref: number;
  /** Excitatory reversal potential (mV). NEST E_ex. */
  e_ex: number;
  /** Inhibitory reversal potential (mV). NEST E_in. */
  e_in: number;
  /** Excitatory conductance decay time constant (ms). NEST tau_syn_ex. */
  tau_syn_e: number;
  /** Inhibitory conductance decay time constant (ms). NEST tau_syn_in. */
  tau_syn_i: number;
  /** Constant bias current (pA). NEST I_e. */
  i_e: number;
}

/** NEST aeif_cond_exp defaults (Parameters_::Parameters_() in models/aeif_cond_exp.cpp). */
export const AEIF_COND_EXP_DEFAULTS: Readonly<AdexParams> = Object.freeze({
  c_m: 281.0,
  g_l: 30.0,
  e_l: -70.6,
  v_t: -50.4,
  delta_t: 2.0,
  a: 4.0,
  tau_w: 144.0,
  b: 80.5,
  v_reset: -60.0,
  v_peak: 0.0,
  t_ref: 0.0,
  e_ex: 0.0,
  e_in: -85.0,
  tau_syn_e: 0.2,
  tau_syn_i: 2.0,
  i_e: 0.0,
});

/** Piecewise-constant current (pA): amplitudes[i] holds from times[i] (ms) on; 0 before times[0]. */
export interface StepCurrent {
  times: number[];
  amplitudes: number[];
}

export interface InputSpike {
  /** Arrival time at the neuron (ms). Rounded to the RK4 grid. */
  t: number;
  /** Conductance jump (nS), >= 0. */
  weight_nS: number;
  receptor: 'exc' | 'inh';
}

export interface AdexOptions {
  durationMs: number;
  stepCurrent?: StepCurrent;
  inputSpikes?: InputSpike[];
  /** RK4 step (ms). Default 0.001. */
  h?: number;
  /** Initial V (mV). Default e_l. */
  v0?: number;
  /** Initial w (pA). Default 0. */
  w0?: number;
  /** Initial g_e (nS). Default 0. */
  g_e0?: number;
  /** Initial g_i (nS). Default 0. */
  g_i0?: number;
  /** If given, sample the state every this many ms (rounded to a multiple of h), including t = 0. */
  recordEveryMs?: number;
}

export interface AdexTrace {
  t: Float64Array;
  v: Float64Array;
  w: Float64Array;
  g_e: Float64Array;
  g_i: Float64Array;
}

export interface AdexResult {
  /** Threshold-crossing times (ms), linear interpolation inside the RK4 step. */
  spikes: number[];
  /** State at t = durationMs. */
  final: { v: number; w: number; g_e: number; g_i: number };
  trace?: AdexTrace;
}

export function validateAdexParams(p: AdexParams): void {
  // Same checks as NEST's Parameters_::set.
  if (p.v_peak < p.v_t) throw new Error('aeif: V_peak >= V_th required');
  if (p.delta_t < 0) throw new Error('aeif: Delta_T must be >= 0');
  if (p.delta_t > 0) {
    const maxExpArg = Math.log(Number.MAX_VALUE / 1e20);
    if ((p.v_peak - p.v_t) / p.delta_t >= maxExpArg) throw new Error('aeif: (V_peak - V_th)/Delta_T would overflow exp');
  }
  if (p.v_reset >= p.v_peak) throw new Error('aeif: V_reset < V_peak required');
  if (!(p.c_m > 0)) throw new Error('aeif: C_m > 0 required');
  if (p.t_ref < 0) throw new Error('aeif: t_ref >= 0 required');
  if (!(p.tau_syn_e > 0 && p.tau_syn_i > 0 && p.tau_w > 0)) throw new Error('aeif: time constants must be > 0');
}

/** Piecewise-constant current sampled on the step grid: value used during step k ([k h, (k+1) h)). */
export function stepCurrentOnGrid(sc: StepCurrent | undefined, h: number): (k: number) => number {
  if (!sc || sc.times.length === 0) return () => 0;
  if (sc.times.length !== sc.amplitudes.length) throw new Error('stepCurrent: times and amplitudes differ in length');
  const steps = sc.times.map((t) => Math.round(t / h));
  for (let i = 1; i < steps.length; i++) {
    if (sc.times[i]! < sc.times[i - 1]!) throw new Error('stepCurrent: times must be non-decreasing');
  }
  const amps = sc.amplitudes.slice();
  let idx = -1; // index of the last change applied
  let lastK = -1;
  return (k: number) => {
    if (k < lastK) idx = -1; // allow restart
    lastK = k;
    while (idx + 1 < steps.length && steps[idx + 1]! <= k) idx++;
    return idx < 0 ? 0 : amps[idx]!;
  };
}

// State vector layout: [V, w, g_e, g_i].
const NV = 4;

function adexRhs(p: AdexParams, refractory: boolean, y: Float64Array, iExt: number, out: Float64Array): void {
  const V = refractory ? p.v_reset : Math.min(y[0]!, p.v_peak);
  const w = y[1]!;
  const ge = y[2]!;
  const gi = y[3]!;
  const iSpike = p.delta_t === 0 ? 0 : p.g_l * p.delta_t * Math.exp((V - p.v_t) / p.delta_t);
  out[0] = refractory
    ? 0
    : (-p.g_l * (V - p.e_l) + iSpike - ge * (V - p.e_ex) - gi * (V - p.e_in) - w + p.i_e + iExt) / p.c_m;
  out[1] = (p.a * (V - p.e_l) - w) / p.tau_w;
  out[2] = -ge / p.tau_syn_e;
  out[3] = -gi / p.tau_syn_i;
}

interface Rk4Scratch { k1: Float64Array; k2: Float64Array; k3: Float64Array; k4: Float64Array; tmp: Float64Array }

function newScratch(): Rk4Scratch {
  return { k1: new Float64Array(NV), k2: new Float64Array(NV), k3: new Float64Array(NV), k4: new Float64Array(NV), tmp: new Float64Array(NV) };
}

/** One classic RK4 step of size dt from y into out (y is not modified). */
function adexRk4(p: AdexParams, refr: boolean, y: Float64Array, dt: number, iExt: number, s: Rk4Scratch, out: Float64Array): void {
  const { k1, k2, k3, k4, tmp } = s;
  adexRhs(p, refr, y, iExt, k1);
  for (let i = 0; i < NV; i++) tmp[i] = y[i]! + 0.5 * dt * k1[i]!;
  adexRhs(p, refr, tmp, iExt, k2);
  for (let i = 0; i < NV; i++) tmp[i] = y[i]! + 0.5 * dt * k2[i]!;
  adexRhs(p, refr, tmp, iExt, k3);
  for (let i = 0; i < NV; i++) tmp[i] = y[i]! + dt * k3[i]!;
  adexRhs(p, refr, tmp, iExt, k4);
  for (let i = 0; i < NV; i++) out[i] = y[i]! + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
}

/** Smallest sub-step (ms) used when resolving the spike upstroke. */
const MIN_SUBSTEP = 1e-9;

/**
 * Advance the (non-refractory) state y by dt. If the RK4 step would cross the
 * threshold, or change V by more than dvTol, the step is halved recursively
 * (down to MIN_SUBSTEP) so that the exponential upstroke is resolved; in the
 * final sub-step the crossing is located by linear interpolation. Returns the
 * crossing time (y then holds the state at that time, V = threshold up to
 * interpolation) or -1 (y holds the state at t + dt).
 */
const advanceBuffers: Float64Array[] = [];

function adexAdvance(p: AdexParams, thr: number, dvTol: number, y: Float64Array, t: number, dt: number, iExt: number, s: Rk4Scratch, depth: number): number {
  const out = advanceBuffers[depth] ?? (advanceBuffers[depth] = new Float64Array(NV));
  adexRk4(p, false, y, dt, iExt, s, out);
  const v0 = y[0]!;
  const v1 = out[0]!;
  const crosses = v1 >= thr;
  if ((crosses || Math.abs(v1 - v0) > dvTol) && dt > MIN_SUBSTEP && depth < 64) {
    const half = dt / 2;
    const ts = adexAdvance(p, thr, dvTol, y, t, half, iExt, s, depth + 1);
    if (ts >= 0) return ts;
    return adexAdvance(p, thr, dvTol, y, t + half, half, iExt, s, depth + 1);
  }
  if (crosses) {
    const frac = v1 > v0 ? Math.min(Math.max((thr - v0) / (v1 - v0), 0), 1) : 0;
    for (let i = 0; i < NV; i++) y[i] = y[i]! + frac * (out[i]! - y[i]!);
    return t + frac * dt;
  }
  y.set(out);
  return -1;
}

export function simulateAdex(params: AdexParams, opts: AdexOptions): AdexResult {
  const p = params;
  validateAdexParams(p);
  const h = opts.h ?? 0.001;
  if (!(h > 0)) throw new Error('h must be > 0');
  const nSteps = Math.round(opts.durationMs / h);
  const threshold = p.delta_t > 0 ? p.v_peak : p.v_t;
  const dvTol = p.delta_t > 0 ? 0.1 * p.delta_t : 1;
  const current = stepCurrentOnGrid(opts.stepCurrent, h);

  const inputs = (opts.inputSpikes ?? [])
    .map((s) => {
      if (s.t < 0) throw new Error('input spike before t = 0');
      if (s.weight_nS < 0) throw new Error('input spike weight must be >= 0 (choose the receptor instead)');
      return { k: Math.round(s.t / h), w: s.weight_nS, exc: s.receptor === 'exc' };
    })
    .sort((x, y) => x.k - y.k);
  let inPtr = 0;

  const y = new Float64Array(NV);
  y[0] = opts.v0 ?? p.e_l;
  y[1] = opts.w0 ?? 0;
  y[2] = opts.g_e0 ?? 0;
  y[3] = opts.g_i0 ?? 0;
  let refUntil = -Infinity; // V is clamped at V_reset for t < refUntil

  const spikes: number[] = [];

  let trace: AdexTrace | undefined;
  let recStride = 0;
  let recIdx = 0;
  if (opts.recordEveryMs !== undefined) {
    recStride = Math.max(1, Math.round(opts.recordEveryMs / h));
    const n = Math.floor(nSteps / recStride) + 1;
    trace = { t: new Float64Array(n), v: new Float64Array(n), w: new Float64Array(n), g_e: new Float64Array(n), g_i: new Float64Array(n) };
  }
  const record = (k: number) => {
    if (trace && k % recStride === 0 && recIdx < trace.t.length) {
      trace.t[recIdx] = k * h; trace.v[recIdx] = y[0]!; trace.w[recIdx] = y[1]!; trace.g_e[recIdx] = y[2]!; trace.g_i[recIdx] = y[3]!;
      recIdx++;
    }
  };
  const applyInputs = (k: number) => {
    while (inPtr < inputs.length && inputs[inPtr]!.k <= k) {
      const s = inputs[inPtr++]!;
      const j = s.exc ? 2 : 3;
      y[j] = y[j]! + s.w;
    }
  };

  const scratch = newScratch();
  const tmp = new Float64Array(NV);

  for (let k = 0; k < nSteps; k++) {
    applyInputs(k); // conductance jumps arriving at t = k h
    record(k);
    const iExt = current(k);
    let t = k * h;
    const tEnd = (k + 1) * h;
    while (t < tEnd) {
      if (refUntil > t) {
        // Refractory: V clamped at V_reset, w/g_e/g_i evolve (RHS uses V = V_reset).
        const segEnd = Math.min(tEnd, refUntil);
        adexRk4(p, true, y, segEnd - t, iExt, scratch, tmp);
        y.set(tmp);
        y[0] = p.v_reset;
        t = segEnd;
        continue;
      }
      const ts = adexAdvance(p, threshold, dvTol, y, t, tEnd - t, iExt, scratch, 0);
      if (ts < 0) break;
      spikes.push(ts);
      y[0] = p.v_reset;
      y[1] = y[1]! + p.b;
      refUntil = ts + p.t_ref;
      t = ts;
    }
  }
  applyInputs(nSteps); // spikes arriving exactly at t = durationMs
  record(nSteps);
  const result: AdexResult = { spikes, final: { v: y[0]!, w: y[1]!, g_e: y[2]!, g_i: y[3]! } };
  if (trace) result.trace = trace;
  return result;
}

// ---------------------------------------------------------------------------
// Firing patterns of Naud, Marcille, Clopath & Gerstner (2008), Biol Cybern
// 99:335-347, doi:10.1007/s00422-008-0264-7, Table 1 / Fig. 4.
//
// Sources of the numbers (all list the same 8 rows a-h of Table 1):
//  [B] brian-team/brian2 examples/frompapers/Naud_et_al_2008_adex_firing_patterns.py
//      (commit 709e9451, 2022, S. Schmitt & S. Billaudelle): "Parameters adapted by
//      P. Mueller to match figures" (KIP Heidelberg thesis, id=3445). Spike when
//      vm > 0 mV, reset vm = v_r; w += b; no refractory; v(0) = E_L, w(0) = 0.
//  [A] ANNarchy/ANNarchy.github.io notebooks/AdEx.ipynb ("as in the paper"): the
//      published Table 1 rows; v_spike = 0 mV, 500 ms step then 50 ms off.
//  [E] an EPFL-LCN 2015 exercise file (found by code search) listing the
//      published rows and noting that rows f and g "are not working".
// Rows a-e (tonic, adaptation, initial burst, regular bursting, delayed
// accelerating) are identical in [A], [B] and [E]. Rows f (delayed regular
// bursting) and g (transient spiking) differ: the published row g
// (C=100, gL=10, EL=-65, a=-10, tau_w=90, b=30, Vr=-47, I=350 in [A]) does not
// produce transient spiking (verified with this reference: it fires tonically,
// see REFERENCES-NOTES.md), so we take [B]'s corrected row g
// (a=+10, b=100, I=180). All patterns: V_T = -50 mV, Delta_T = 2 mV, V_peak = 0 mV,
// t_ref = 0 (the AdEx as in the paper has no refractory period).
// ---------------------------------------------------------------------------

export type NaudPatternName = 'tonic' | 'adapting' | 'initial_burst' | 'regular_bursting' | 'delayed' | 'transient';

export interface NaudPattern {
  name: NaudPatternName;
  /** Label and panel in Naud et al. 2008 Fig. 4. */
  paperLabel: string;
  /** C (pF), g_L (nS), E_L (mV), V_T (mV), Delta_T (mV), a (nS), tau_w (ms), b (pA), V_r (mV), I (pA). */
  C: number; g_L: number; E_L: number; V_T: number; Delta_T: number; a: number; tau_w: number; b: number; V_r: number; I: number;
  /** Where the numbers come from. */
  source: string;
}

export const NAUD_PATTERNS: readonly NaudPattern[] = Object.freeze([
  { name: 'tonic', paperLabel: 'Tonic spiking (Fig. 4a)', C: 200, g_L: 10, E_L: -70, V_T: -50, Delta_T: 2, a: 2, tau_w: 30, b: 0, V_r: -58, I: 500, source: 'Table 1 row a; identical in [A], [B], [E]' },
  { name: 'adapting', paperLabel: 'Adaptation (Fig. 4b)', C: 200, g_L: 12, E_L: -70, V_T: -50, Delta_T: 2, a: 2, tau_w: 300, b: 60, V_r: -58, I: 500, source: 'Table 1 row b; identical in [A], [B], [E]' },
  { name: 'initial_burst', paperLabel: 'Initial burst (Fig. 4c)', C: 130, g_L: 18, E_L: -58, V_T: -50, Delta_T: 2, a: 4, tau_w: 150, b: 120, V_r: -50, I: 400, source: 'Table 1 row c; identical in [A], [B], [E]' },
  { name: 'regular_bursting', paperLabel: 'Regular bursting (Fig. 4d)', C: 200, g_L: 10, E_L: -58, V_T: -50, Delta_T: 2, a: 2, tau_w: 120, b: 100, V_r: -46, I: 210, source: 'Table 1 row d; identical in [A], [B], [E]' },
  { name: 'delayed', paperLabel: 'Delayed accelerating (Fig. 4e)', C: 200, g_L: 12, E_L: -70, V_T: -50, Delta_T: 2, a: -10, tau_w: 300, b: 0, V_r: -58, I: 300, source: 'Table 1 row e; identical in [A], [B], [E]' },
  { name: 'transient', paperLabel: 'Transient spiking (Fig. 4g)', C: 100, g_L: 10, E_L: -65, V_T: -50, Delta_T: 2, a: 10, tau_w: 90, b: 100, V_r: -47, I: 180, source: 'Brian2 example [B] (P. Mueller correction; gives ONE spike then silence at I=180, 2 spikes at I=220-250); published row g (a=-10, b=30, I=350 per [A]) fires tonically' },
] as NaudPattern[]);

/** The published (uncorrected) row g as given in ANNarchy's notebook [A]; kept for comparison only. */
export const NAUD_TRANSIENT_AS_PUBLISHED: Readonly<NaudPattern> = Object.freeze({
  name: 'transient', paperLabel: 'Transient spiking (Fig. 4g), Table 1 as printed', C: 100, g_L: 10, E_L: -65, V_T: -50, Delta_T: 2, a: -10, tau_w: 90, b: 30, V_r: -47, I: 350,
  source: 'ANNarchy notebook [A]; [E] gives the same row with V_r = -50',
});

export function naudPattern(name: NaudPatternName): NaudPattern {
  const p = NAUD_PATTERNS.find((x) => x.name === name);
  if (!p) throw new Error(`unknown Naud pattern ${name}`);
  return p;
}

/** AdEx parameters for a Naud pattern: V_peak = 0 mV, t_ref = 0, no bias; synaptic parameters at NEST defaults (unused). */
export function naudAdexParams(pat: NaudPattern): AdexParams {
  return {
    ...AEIF_COND_EXP_DEFAULTS,
    c_m: pat.C, g_l: pat.g_L, e_l: pat.E_L, v_t: pat.V_T, delta_t: pat.Delta_T,
    a: pat.a, tau_w: pat.tau_w, b: pat.b, v_reset: pat.V_r,
    v_peak: 0, t_ref: 0, i_e: 0,
  };
}

export interface NaudProtocol {
  /** Step onset (ms). */
  onsetMs: number;
  /** Step length (ms). */
  stepMs: number;
  /** Total simulated time (ms). */
  durationMs: number;
  stepCurrent: StepCurrent;
}

/**
 * Stimulus protocol for a Naud pattern: start at rest (V = E_L, w = 0), current
 * step of amplitude I from onsetMs (default 20 ms) for stepMs (default 500 ms,
 * as ANNarchy's reproduction), then tailMs (default 50 ms) without current.
 */
export function naudProtocol(pat: NaudPattern, o: { onsetMs?: number; stepMs?: number; tailMs?: number } = {}): NaudProtocol {
  const onsetMs = o.onsetMs ?? 20;
  const stepMs = o.stepMs ?? 500;
  const tailMs = o.tailMs ?? 50;
  return {
    onsetMs, stepMs, durationMs: onsetMs + stepMs + tailMs,
    stepCurrent: { times: [onsetMs, onsetMs + stepMs], amplitudes: [pat.I, 0] },
  };
}

/** Convenience: run a Naud pattern under its protocol with the RK4 reference. */
export function simulateNaud(pat: NaudPattern, h = 0.001, o: { onsetMs?: number; stepMs?: number; tailMs?: number } = {}): AdexResult & { protocol: NaudProtocol } {
  const protocol = naudProtocol(pat, o);
  const res = simulateAdex(naudAdexParams(pat), { durationMs: protocol.durationMs, stepCurrent: protocol.stepCurrent, h });
  return { ...res, protocol };
}

export interface SpikeTrainSummary {
  count: number;
  /** First spike time minus onset (ms), NaN if no spike. */
  latency: number;
  isis: number[];
}

export function summarizeSpikes(spikes: number[], onsetMs: number): SpikeTrainSummary {
  const isis: number[] = [];
  for (let i = 1; i < spikes.length; i++) isis.push(spikes[i]! - spikes[i - 1]!);
  return { count: spikes.length, latency: spikes.length ? spikes[0]! - onsetMs : NaN, isis };
}
