// Fine fixed-step RK4 reference for the Hodgkin-Huxley neuron of the COBAHH
// benchmark (Brette et al. 2007, J Comput Neurosci 23:349, Appendix B,
// Benchmark 3; Traub & Miles 1991 kinetics), written as Brian2's
// examples/COBAHH.py (brian-team/brian2 @ aec54d2a, last changed in 28baceb8
// "Use exprel in examples") writes it. Plain f64 TypeScript, no imports.
//
// Units: ms, mV, pA, nS, pF (pA/nS = mV, pA/pF = mV/ms); rates in 1/ms.
//
//   C dV/dt = g_L (E_L - V) + g_e (E_ex - V) + g_i (E_in - V)
//             - g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) + I_e + I_stim(t)
//   dx/dt   = alpha_x (1 - x) - beta_x x          for x in m, h, n
//   dg_e/dt = -g_e / tau_syn_e ;  dg_i/dt = -g_i / tau_syn_i
//
//   alpha_m = 0.32 * 4 / exprel((13 - V + V_T) / 4)
//   beta_m  = 0.28 * 5 / exprel((V - V_T - 40) / 5)
//   alpha_h = 0.128 * exp((17 - V + V_T) / 18)
//   beta_h  = 4 / (1 + exp((40 - V + V_T) / 5))
//   alpha_n = 0.032 * 5 / exprel((15 - V + V_T) / 5)
//   beta_n  = 0.5 * exp((10 - V + V_T) / 40)
//   exprel(x) = (exp(x) - 1) / x, exprel(0) = 1
//
// (Identical to the classic form 0.32 (13 - V + V_T) / (exp((13 - V + V_T)/4) - 1)
// etc. used by NEST's hh_cond_exp_traub and Brian's speed tests, but without
// the 0/0 at V = V_T + 13, V_T + 40, V_T + 15.)
//
// Spike semantics (Brian2): threshold 'v > -20*mV', refractory = 3 ms, no
// reset. In Brian the refractory period ONLY blocks spike detection (the
// equations carry no '(unless refractory)' flag, so V is never clamped); the
// threshold condition is evaluated as `v > -20 mV and not_refractory`, with
// not_refractory = (t - lastspike >= 3 ms) on the time-step grid.
// Here a spike is an upward crossing of v_thresh (V_old <= v_thresh < V_new)
// located inside the RK4 step by bisection on a partial RK4 step from the step
// start (4th-order accurate), and ignored if it falls less than t_ref after the
// previous spike. Option spikeDetection: 'level' reproduces Brian's
// level-triggered rule instead (a spike is also emitted when the refractory
// period ends while V is still above v_thresh); for these parameters V stays
// above -20 mV for well under 3 ms, so both rules give the same spikes.
//
// NOTE (surprising but correct for these equations, cf. brian-team/brian2 issue
// #744 "Why HH neurons fire without any input?"): the isolated COBAHH neuron has
// no stable resting state at I = 0. The steady-state I-V curve is net inward
// everywhere below threshold (closest to zero, about -32.5 pA, near -62 mV), so
// the neuron fires tonically at ~13.9 Hz (period 72.18 ms) with no input at
// all. Repetitive firing stops (saddle-node on invariant circle, rate -> 0)
// for a bias below about -31.78 pA. In the network the synaptic conductances
// (initial ge ~ 40 nS, gi ~ 200 nS in Brian's example) shape the activity.

export interface HHParams {
  /** Membrane capacitance (pF): 1 uF/cm^2 * 20000 um^2 = 200 pF. */
  c_m: number;
  /** Leak conductance (nS): 5e-5 S/cm^2 * 20000 um^2 = 10 nS. */
  g_l: number;
  /** Leak reversal (mV). */
  e_l: number;
  /** Sodium reversal (mV). */
  e_na: number;
  /** Potassium reversal (mV). */
  e_k: number;
  /** Max sodium conductance (nS): 100 mS/cm^2 * 20000 um^2 = 20 uS. */
  g_na: number;
  /** Max delayed-rectifier K conductance (nS): 30 mS/cm^2 * 20000 um^2 = 6 uS. */
  g_k: number;
  /** Kinetics offset V_T (mV); -63 mV puts the firing threshold near -50 mV. */
  v_t: number;
  /** Excitatory reversal (mV). */
  e_ex: number;
  /** Inhibitory reversal (mV). */
  e_in: number;
  /** Excitatory conductance decay (ms). */
  tau_syn_e: number;
  /** Inhibitory conductance decay (ms). */
  tau_syn_i: number;
  /** Constant bias current (pA). */
  i_e: number;
  /** Spike detection threshold (mV). */
  v_thresh: number;
  /** Refractory period for spike detection only (ms). */
  t_ref: number;
}

/** Parameters of Brian2's examples/COBAHH.py in hebb units (also NEST hh_cond_exp_traub's, except t_ref = 2 ms there). */
export const COBAHH_DEFAULTS: Readonly<HHParams> = Object.freeze({
  c_m: 200,
  g_l: 10,
  e_l: -60,
  e_na: 50,
  e_k: -90,
  g_na: 20000,
  g_k: 6000,
  v_t: -63,
  e_ex: 0,
  e_in: -80,
  tau_syn_e: 5,
  tau_syn_i: 10,
  i_e: 0,
  v_thresh: -20,
  t_ref: 3,
});

/** COBAHH synaptic weights (conductance jumps, nS): we = 6 nS, wi = 67 nS. */
export const COBAHH_WEIGHTS = Object.freeze({ w_e_nS: 6, w_i_nS: 67 });

/** exprel(x) = (exp(x) - 1)/x, accurate near 0 (expm1 has full relative precision there). */
export function exprel(x: number): number {
  if (Math.abs(x) < 1e-8) return 1 + x / 2;
  return Math.expm1(x) / x;
}

export interface GatingRates { alpha_m: number; beta_m: number; alpha_h: number; beta_h: number; alpha_n: number; beta_n: number }

export function hhRates(v: number, v_t: number): GatingRates {
  const u = v - v_t;
  return {
    alpha_m: (0.32 * 4) / exprel((13 - u) / 4),
    beta_m: (0.28 * 5) / exprel((u - 40) / 5),
    alpha_h: 0.128 * Math.exp((17 - u) / 18),
    beta_h: 4 / (1 + Math.exp((40 - u) / 5)),
    alpha_n: (0.032 * 5) / exprel((15 - u) / 5),
    beta_n: 0.5 * Math.exp((10 - u) / 40),
  };
}

/** Steady-state gating values x_inf = alpha / (alpha + beta) at voltage v (mV). */
export function hhSteadyState(v: number, params: Pick<HHParams, 'v_t'> = COBAHH_DEFAULTS): { m: number; h: number; n: number } {
  const r = hhRates(v, params.v_t);
  return { m: r.alpha_m / (r.alpha_m + r.beta_m), h: r.alpha_h / (r.alpha_h + r.beta_h), n: r.alpha_n / (r.alpha_n + r.beta_n) };
}

/** Piecewise-constant current (pA): amplitudes[i] holds from times[i] (ms) on; 0 before times[0]. */
export interface StepCurrent {
  times: number[];
  amplitudes: number[];
}

export interface InputSpike {
  /** Arrival time (ms), rounded to the RK4 grid. */
  t: number;
  /** Conductance jump (nS), >= 0. */
  weight_nS: number;
  receptor: 'exc' | 'inh';
}

export interface HHOptions {
  durationMs: number;
  stepCurrent?: StepCurrent;
  inputSpikes?: InputSpike[];
  /** RK4 step (ms). Default 0.001. */
  h?: number;
  /** Initial V (mV). Default e_l. */
  v0?: number;
  /** Initial gating variables. Default: steady state at v0. (Brian's COBAHH leaves them at 0!) */
  m0?: number;
  h0?: number;
  n0?: number;
  /** Initial conductances (nS). Default 0. */
  g_e0?: number;
  g_i0?: number;
  /** 'crossing' (default): upward crossings outside refractoriness. 'level': Brian's v > thr and not refractory, checked at every step end. */
  spikeDetection?: 'crossing' | 'level';
  /** If given, sample the state every this many ms (rounded to a multiple of h), including t = 0. */
  recordEveryMs?: number;
}

export interface HHTrace {
  t: Float64Array;
  v: Float64Array;
  m: Float64Array;
  h: Float64Array;
  n: Float64Array;
  g_e: Float64Array;
  g_i: Float64Array;
}

export interface HHResult {
  spikes: number[];
  final: { v: number; m: number; h: number; n: number; g_e: number; g_i: number };
  trace?: HHTrace;
}

// State vector layout: [V, m, h, n, g_e, g_i].
const NS = 6;

function hhRhs(p: HHParams, y: Float64Array, iExt: number, out: Float64Array): void {
  const v = y[0]!;
  const m = y[1]!;
  const hh = y[2]!;
  const n = y[3]!;
  const ge = y[4]!;
  const gi = y[5]!;
  const r = hhRates(v, p.v_t);
  const m3 = m * m * m;
  const n2 = n * n;
  out[0] = (p.g_l * (p.e_l - v) + ge * (p.e_ex - v) + gi * (p.e_in - v) - p.g_na * m3 * hh * (v - p.e_na) - p.g_k * n2 * n2 * (v - p.e_k) + p.i_e + iExt) / p.c_m;
  out[1] = r.alpha_m * (1 - m) - r.beta_m * m;
  out[2] = r.alpha_h * (1 - hh) - r.beta_h * hh;
  out[3] = r.alpha_n * (1 - n) - r.beta_n * n;
  out[4] = -ge / p.tau_syn_e;
  out[5] = -gi / p.tau_syn_i;
}

interface Scratch { k1: Float64Array; k2: Float64Array; k3: Float64Array; k4: Float64Array; tmp: Float64Array }

function hhRk4(p: HHParams, y: Float64Array, dt: number, iExt: number, s: Scratch, out: Float64Array): void {
  const { k1, k2, k3, k4, tmp } = s;
  hhRhs(p, y, iExt, k1);
  for (let i = 0; i < NS; i++) tmp[i] = y[i]! + 0.5 * dt * k1[i]!;
  hhRhs(p, tmp, iExt, k2);
  for (let i = 0; i < NS; i++) tmp[i] = y[i]! + 0.5 * dt * k2[i]!;
  hhRhs(p, tmp, iExt, k3);
  for (let i = 0; i < NS; i++) tmp[i] = y[i]! + dt * k3[i]!;
  hhRhs(p, tmp, iExt, k4);
  for (let i = 0; i < NS; i++) out[i] = y[i]! + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
}

function stepCurrentOnGrid(sc: StepCurrent | undefined, h: number): (k: number) => number {
  if (!sc || sc.times.length === 0) return () => 0;
  if (sc.times.length !== sc.amplitudes.length) throw new Error('stepCurrent: times and amplitudes differ in length');
  for (let i = 1; i < sc.times.length; i++) {
    if (sc.times[i]! < sc.times[i - 1]!) throw new Error('stepCurrent: times must be non-decreasing');
  }
  const steps = sc.times.map((t) => Math.round(t / h));
  const amps = sc.amplitudes.slice();
  let idx = -1;
  return (k: number) => {
    while (idx + 1 < steps.length && steps[idx + 1]! <= k) idx++;
    return idx < 0 ? 0 : amps[idx]!;
  };
}

export function simulateHH(params: HHParams, opts: HHOptions): HHResult {
  const p = params;
  if (!(p.c_m > 0 && p.tau_syn_e > 0 && p.tau_syn_i > 0 && p.t_ref >= 0)) throw new Error('hh: bad parameters');
  const h = opts.h ?? 0.001;
  if (!(h > 0)) throw new Error('h must be > 0');
  const nSteps = Math.round(opts.durationMs / h);
  const level = opts.spikeDetection === 'level';
  const current = stepCurrentOnGrid(opts.stepCurrent, h);

  const inputs = (opts.inputSpikes ?? [])
    .map((s) => {
      if (s.t < 0) throw new Error('input spike before t = 0');
      if (s.weight_nS < 0) throw new Error('input spike weight must be >= 0 (choose the receptor instead)');
      return { k: Math.round(s.t / h), w: s.weight_nS, exc: s.receptor === 'exc' };
    })
    .sort((x, y) => x.k - y.k);
  let inPtr = 0;

  const v0 = opts.v0 ?? p.e_l;
  const ss = hhSteadyState(v0, p);
  const y = new Float64Array(NS);
  y[0] = v0;
  y[1] = opts.m0 ?? ss.m;
  y[2] = opts.h0 ?? ss.h;
  y[3] = opts.n0 ?? ss.n;
  y[4] = opts.g_e0 ?? 0;
  y[5] = opts.g_i0 ?? 0;

  const spikes: number[] = [];
  let lastSpike = -Infinity;

  let trace: HHTrace | undefined;
  let recStride = 0;
  let recIdx = 0;
  if (opts.recordEveryMs !== undefined) {
    recStride = Math.max(1, Math.round(opts.recordEveryMs / h));
    const n = Math.floor(nSteps / recStride) + 1;
    trace = { t: new Float64Array(n), v: new Float64Array(n), m: new Float64Array(n), h: new Float64Array(n), n: new Float64Array(n), g_e: new Float64Array(n), g_i: new Float64Array(n) };
  }
  const record = (k: number) => {
    if (trace && k % recStride === 0 && recIdx < trace.t.length) {
      trace.t[recIdx] = k * h; trace.v[recIdx] = y[0]!; trace.m[recIdx] = y[1]!; trace.h[recIdx] = y[2]!; trace.n[recIdx] = y[3]!; trace.g_e[recIdx] = y[4]!; trace.g_i[recIdx] = y[5]!;
      recIdx++;
    }
  };
  const applyInputs = (k: number) => {
    while (inPtr < inputs.length && inputs[inPtr]!.k <= k) {
      const s = inputs[inPtr++]!;
      const j = s.exc ? 4 : 5;
      y[j] = y[j]! + s.w;
    }
  };

  const scratch: Scratch = { k1: new Float64Array(NS), k2: new Float64Array(NS), k3: new Float64Array(NS), k4: new Float64Array(NS), tmp: new Float64Array(NS) };
  const next = new Float64Array(NS);
  const probe = new Float64Array(NS);
  const thr = p.v_thresh;

  for (let k = 0; k < nSteps; k++) {
    applyInputs(k);
    record(k);
    const iExt = current(k);
    const t = k * h;
    hhRk4(p, y, h, iExt, scratch, next);
    const vOld = y[0]!;
    const vNew = next[0]!;
    if (vOld <= thr && vNew > thr) {
      // Locate the crossing: bisection on tau in (0, h] of a partial RK4 step.
      let lo = 0;
      let hi = h;
      for (let it = 0; it < 60 && hi - lo > 1e-13; it++) {
        const mid = 0.5 * (lo + hi);
        hhRk4(p, y, mid, iExt, scratch, probe);
        if (probe[0]! > thr) hi = mid;
        else lo = mid;
      }
      const ts = t + 0.5 * (lo + hi);
      if (ts - lastSpike >= p.t_ref) {
        spikes.push(ts);
        lastSpike = ts;
      }
    } else if (level && vNew > thr && t + h - lastSpike >= p.t_ref) {
      // Brian's level-triggered rule: still above threshold when refractoriness ends.
      spikes.push(t + h);
      lastSpike = t + h;
    }
    y.set(next);
  }
  applyInputs(nSteps);
  record(nSteps);
  const result: HHResult = { spikes, final: { v: y[0]!, m: y[1]!, h: y[2]!, n: y[3]!, g_e: y[4]!, g_i: y[5]! } };
  if (trace) result.trace = trace;
  return result;
}

/** Convenience: response to a current step of amplitude iStep (pA) on [onsetMs, onsetMs + stepMs), starting at rest. */
export function simulateHHStep(iStep: number, o: { onsetMs?: number; stepMs?: number; tailMs?: number; h?: number; params?: HHParams } = {}): HHResult & { onsetMs: number; durationMs: number } {
  const onsetMs = o.onsetMs ?? 50;
  const stepMs = o.stepMs ?? 500;
  const tailMs = o.tailMs ?? 50;
  const durationMs = onsetMs + stepMs + tailMs;
  const opts: HHOptions = { durationMs, stepCurrent: { times: [onsetMs, onsetMs + stepMs], amplitudes: [iStep, 0] } };
  if (o.h !== undefined) opts.h = o.h;
  const res = simulateHH(o.params ?? COBAHH_DEFAULTS, opts);
  return { ...res, onsetMs, durationMs };
}
