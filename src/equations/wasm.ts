// WebAssembly for an equation model, emitted as bytes: no compiler, no
// optimiser, well under a millisecond. The module imports the kernel's
// memory and exports two functions that the kernel calls through its
// function table:
//
//   update(ptrs, n, lastSpike, step, refSteps, cand, t, decayE, decayI, iStep) -> candidates
//     advances neurons 0..n-1 (n a multiple of 4) one step in f32x4 lanes:
//     every variable read from its array (ptrs holds the arrays' addresses),
//     the temps and new values computed, the threshold evaluated on the new
//     state; vectors with lanes over threshold are appended to `cand` as
//     (i << 4 | lane mask), as the built-in models do. Refractoriness is the
//     kernel's (from the spike history, as for lif): it fires no refractory
//     neuron and puts back the variables flagged "unless refractory".
//   reset(ptrs, i, mask, decayE, decayI, iStep): the reset statements on the lanes of `mask` of the vector at i.
//
// Functions without a vector instruction (log, tanh, sin, cos, pow) run per
// lane through imported Math functions; exp has a vector polynomial.

import { someNode, type IR, type Program, type CompiledModel } from './model.js';
import type { CompiledSynapse, ExternalRead } from './synapse.js';

// The threaded kernel's memory is shared (its worker threads run on it); a
// shared import declares a maximum, here the largest a wasm32 memory can
// have, so that it accepts the kernel's whatever its own.
const WASM32_PAGES = 65536;

function memoryImport(shared: boolean): Bytes {
  const b = new Bytes().name('env').name('memory').byte(0x02);
  return shared ? b.byte(0x03).u32(0).u32(WASM32_PAGES) : b.byte(0x00).u32(0);
}

const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;

class Bytes {
  readonly b: number[] = [];
  byte(...x: number[]): this { this.b.push(...x); return this; }
  u32(x: number): this {
    do { let c = x & 0x7f; x >>>= 7; if (x) c |= 0x80; this.b.push(c); } while (x);
    return this;
  }
  i32(x: number): this {
    for (;;) {
      const c = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (c & 0x40) === 0) || (x === -1 && (c & 0x40) !== 0)) { this.b.push(c); return this; }
      this.b.push(c | 0x80);
    }
  }
  f32(x: number): this { const a = new Uint8Array(new Float32Array([x]).buffer); this.b.push(...a); return this; }
  f64(x: number): this { const a = new Uint8Array(new Float64Array([x]).buffer); this.b.push(...a); return this; }
  name(s: string): this { const u = new TextEncoder().encode(s); this.u32(u.length); this.b.push(...u); return this; }
  vec(items: Bytes[]): this { this.u32(items.length); for (const i of items) this.b.push(...i.b); return this; }
  section(id: number, body: Bytes): this { this.b.push(id); this.u32(body.b.length); this.b.push(...body.b); return this; }
}

// Opcodes.
const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f, call: 0x10,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i32Store: 0x36, i32Const: 0x41, f32Const: 0x43, f64Const: 0x44,
  i32Eqz: 0x45, i32GeS: 0x4e, i32Add: 0x6a, i32Shl: 0x74, i32Or: 0x72,
  f32DemoteF64: 0xb6, f64PromoteF32: 0xbb,
};
// SIMD opcodes (after the 0xfd prefix).
const simd = {
  load: 0x00, store: 0x0b, const: 0x0c, i32x4Splat: 0x11, f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f, f32x4ReplaceLane: 0x20,
  i32x4Ne: 0x38, i32x4GtS: 0x3b,
  f32x4Eq: 0x41, f32x4Ne: 0x42, f32x4Lt: 0x43, f32x4Gt: 0x44, f32x4Le: 0x45, f32x4Ge: 0x46,
  not: 0x4d, and: 0x4e, or: 0x50, bitselect: 0x52,
  i32x4Bitmask: 0xa4, i32x4Shl: 0xab, i32x4Add: 0xae, i32x4Sub: 0xb1,
  f32x4Abs: 0xe0, f32x4Neg: 0xe1, f32x4Sqrt: 0xe3, f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Div: 0xe7,
  f32x4Min: 0xe8, f32x4Max: 0xe9, f32x4Nearest: 0x6a,
  i32x4TruncSatF32x4S: 0xf8,
};

/** Scalar Math functions the module imports (f64 -> f64, pow f64 f64 -> f64). */
const IMPORTED = ['log', 'tanh', 'sin', 'cos', 'pow'] as const;
type Imported = (typeof IMPORTED)[number];

/** Function bodies: locals by type, code as bytes. */
class Body {
  readonly code = new Bytes();
  private readonly locals: number[] = [];
  constructor(private readonly params: number) {}
  local(type: number): number { this.locals.push(type); return this.params + this.locals.length - 1; }
  get(l: number): this { this.code.byte(op.localGet).u32(l); return this; }
  set(l: number): this { this.code.byte(op.localSet).u32(l); return this; }
  s(o: number, ...imm: number[]): this { this.code.byte(0xfd).u32(o); this.code.byte(...imm); return this; }
  f32x4(x: number): this { this.code.byte(0xfd).u32(simd.const); for (let k = 0; k < 4; k++) this.code.f32(x); return this; }
  i32(x: number): this { this.code.byte(op.i32Const).i32(x); return this; }
  bytes(): Bytes {
    const b = new Bytes();
    // Locals as runs of one type.
    const runs: [number, number][] = [];
    for (const t of this.locals) { const last = runs[runs.length - 1]; if (last && last[1] === t) last[0]++; else runs.push([1, t]); }
    b.u32(runs.length);
    for (const [n, t] of runs) b.u32(n).byte(t);
    b.byte(...this.code.b, op.end);
    const out = new Bytes();
    out.u32(b.b.length);
    out.byte(...b.b);
    return out;
  }
}

/** The module's bytes for a compiled model. */
/** `shared`: for the threaded kernel, whose memory is shared. */
export function equationModule(model: CompiledModel, shared = false): Uint8Array {
  const nv = model.variables.length;
  const types = [
    new Bytes().byte(0x60).vec([I32, I32, I32, I32, I32, I32, F64, F64, F64, F64].map((t) => new Bytes().byte(t))).vec([new Bytes().byte(I32)]),  // update
    new Bytes().byte(0x60).vec([I32, I32, I32, F64, F64, F64].map((t) => new Bytes().byte(t))).vec([]),  // reset
    new Bytes().byte(0x60).vec([new Bytes().byte(F64)]).vec([new Bytes().byte(F64)]),  // f64 -> f64
    new Bytes().byte(0x60).vec([new Bytes().byte(F64), new Bytes().byte(F64)]).vec([new Bytes().byte(F64)]),  // pow
  ];
  const imports = [
    memoryImport(shared),
    ...IMPORTED.map((f) => new Bytes().name('math').name(f).byte(0x00).u32(f === 'pow' ? 3 : 2)),
  ];
  const funcIndex = (f: Imported) => IMPORTED.indexOf(f);
  const nImported = IMPORTED.length;

  // ------------------------------------------------------------ update
  // The exported update forms the step's constants (decay factors,
  // coefficients, literals) and calls the loop with them as v128
  // parameters: inside one function V8 would sink them into the loop and
  // rebuild each on every iteration (as it does for literals), which the
  // built-in models avoid the same way.
  const roots = [...model.update.temps, ...model.update.writes.map((w) => w.value), ...(model.threshold ? [model.threshold] : [])];
  const consts = scalarsOf(roots);
  const up = new Body(10);
  const [P_PTRS, P_N, , , , P_CAND, P_T, P_DE, P_DI, P_IS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  for (let k = 0; k < nv; k++) { up.get(P_PTRS); up.code.byte(op.i32Load, 2).u32(4 * k); }
  up.get(P_N).get(P_CAND);
  up.code.byte(op.localGet).u32(P_T).byte(op.f32DemoteF64); up.s(simd.f32x4Splat);
  for (const ir of consts.values()) pushScalar(up, ir, [P_DE, P_DI, P_IS]);
  up.code.byte(op.call).u32(nImported + 2);

  // The loop: (ptr_0 .. ptr_nv-1, n, cand, t, constants...) -> candidates.
  const lp = new Body(nv + 3 + consts.size);
  const ptr = Array.from({ length: nv }, (_, k) => k);
  const L_N = nv, L_CAND = nv + 1, tL = nv + 2;
  const loopScalars = new Map([...consts.keys()].map((key, q) => [key, nv + 3 + q]));
  const iL = lp.local(I32), oL = lp.local(I32), countL = lp.local(I32), maskL = lp.local(I32);
  const oldL = Array.from({ length: nv }, () => lp.local(V128));
  const newL = Array.from({ length: nv }, () => lp.local(V128));
  const tempsL = model.update.temps.map(() => lp.local(V128));
  const scratch = { f: lp.local(F64), v: lp.local(V128) };
  lp.i32(0).set(countL).i32(0).set(iL);
  lp.code.byte(op.block, 0x40, op.loop, 0x40);
  lp.get(iL).get(L_N).code.byte(op.i32GeS, op.brIf).u32(1);
  lp.get(iL).i32(2).code.byte(op.i32Shl); lp.set(oL);
  const read = new Set<number>();
  for (const root of roots) someNode(root, (x) => { if (x.op === 'var') read.add(x.i); return false; });
  const written = new Set(model.update.writes.map((w) => w.i));
  for (const k of new Set([...read, ...written])) { lp.get(ptr[k]!).get(oL).code.byte(op.i32Add); lp.s(simd.load, 4, 0).set(oldL[k]!); }
  const emitUp = emitter(lp, (i) => oldL[i]!, (i) => tempsL[i]!, tL, scratch, funcIndex, loopScalars);
  model.update.temps.forEach((t, k) => { emitUp(t); lp.set(tempsL[k]!); });
  for (let k = 0; k < nv; k++) lp.get(oldL[k]!).set(newL[k]!);
  for (const w of model.update.writes) {
    const v = model.variables[w.i]!;
    emitUp(w.value);
    if (v.scale !== 1) lp.f32x4(1 / v.scale).s(simd.f32x4Mul);
    lp.set(newL[w.i]!);
  }
  for (const k of written) { lp.get(ptr[k]!).get(oL).code.byte(op.i32Add); lp.get(newL[k]!).s(simd.store, 4, 0); }
  if (model.threshold) {
    const emitTh = emitter(lp, (i) => newL[i]!, () => { throw new Error('no temps in a threshold'); }, tL, scratch, funcIndex, loopScalars);
    emitTh(model.threshold);
    const watch = model.values?.watch;
    if (watch !== undefined && model.storage[watch]!.lazy < 0) {
      // Located spike times: lanes whose watched variable moved more than 1 unit (or blew up) are
      // candidates too; the kernel integrates them again (assembly/models/equations.ts, refineStep).
      lp.get(newL[watch]!).get(oldL[watch]!).s(simd.f32x4Sub).s(simd.f32x4Abs).f32x4(1).s(simd.f32x4Gt);
      lp.get(newL[watch]!).get(newL[watch]!).s(simd.f32x4Ne).s(simd.or).s(simd.or);
    }
    lp.s(simd.i32x4Bitmask).code.byte(op.localTee).u32(maskL);
    lp.code.byte(op.if, 0x40);
    lp.get(L_CAND).get(countL).i32(2).code.byte(op.i32Shl, op.i32Add);
    lp.get(iL).i32(4).code.byte(op.i32Shl); lp.get(maskL).code.byte(op.i32Or, op.i32Store, 2, 0);
    lp.get(countL).i32(1).code.byte(op.i32Add); lp.set(countL);
    lp.code.byte(op.end);
  }
  lp.get(iL).i32(4).code.byte(op.i32Add); lp.set(iL);
  lp.code.byte(op.br).u32(0).byte(op.end, op.end);
  lp.get(countL);
  const loopType = new Bytes().byte(0x60).vec([...Array(nv + 2).fill(I32), ...Array(1 + consts.size).fill(V128)].map((t) => new Bytes().byte(t))).vec([new Bytes().byte(I32)]);

  // ------------------------------------------------------------ reset
  const rs = new Body(6);
  const [R_PTRS, R_I, R_MASK, R_DE, R_DI, R_IS] = [0, 1, 2, 3, 4, 5];
  const rPtr = Array.from({ length: nv }, () => rs.local(I32));
  const rO = rs.local(I32), lanes = rs.local(V128), rT = rs.local(V128);
  const rOld = Array.from({ length: nv }, () => rs.local(V128));
  const rTemps = model.reset.temps.map(() => rs.local(V128));
  const rScratch = { f: rs.local(F64), v: rs.local(V128) };
  if (model.reset.writes.length) {
    for (let k = 0; k < nv; k++) { rs.get(R_PTRS); rs.code.byte(op.i32Load, 2).u32(4 * k); rs.set(rPtr[k]!); }
    rs.get(R_I).i32(2).code.byte(op.i32Shl); rs.set(rO);
    // Lanes of the mask: (mask & (1, 2, 4, 8)) != 0.
    rs.get(R_MASK).s(simd.i32x4Splat);
    rs.code.byte(0xfd).u32(simd.const); for (const x of [1, 2, 4, 8]) rs.code.byte(x, 0, 0, 0);
    rs.s(simd.and).i32(0).s(simd.i32x4Splat).s(simd.i32x4Ne).set(lanes);
    rs.f32x4(0).set(rT);
    const rsScalars = hoist(rs, [...model.reset.temps, ...model.reset.writes.map((w) => w.value)], [R_DE, R_DI, R_IS]);
    for (let k = 0; k < nv; k++) { rs.get(rPtr[k]!).get(rO).code.byte(op.i32Add); rs.s(simd.load, 4, 0).set(rOld[k]!); }
    const emitRs = emitter(rs, (i) => rOld[i]!, (i) => rTemps[i]!, rT, rScratch, funcIndex, rsScalars);
    model.reset.temps.forEach((t, k) => { emitRs(t); rs.set(rTemps[k]!); });
    for (const w of model.reset.writes) {
      const v = model.variables[w.i]!;
      rs.get(rPtr[w.i]!).get(rO).code.byte(op.i32Add);
      emitRs(w.value);
      if (v.scale !== 1) rs.f32x4(1 / v.scale).s(simd.f32x4Mul);
      rs.get(rOld[w.i]!).get(lanes).s(simd.bitselect).s(simd.store, 4, 0);
    }
  }

  const mod = new Bytes().byte(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  // Located spike times: the model in f64 over values (derivatives, threshold, reset) for the kernel's refinement.
  const located = model.values ? locatedFunctions(model, nImported + 3) : undefined;
  const locatedTypes = located ? [
    new Bytes().byte(0x60).vec([I32, I32, F64, F64].map((t) => new Bytes().byte(t))).vec([]),  // deriv(x, dx, t, iStep)
    new Bytes().byte(0x60).vec([I32, F64, F64].map((t) => new Bytes().byte(t))).vec([new Bytes().byte(I32)]),  // thresh(x, t, iStep)
    new Bytes().byte(0x60).vec([I32, F64, F64].map((t) => new Bytes().byte(t))).vec([]),  // vreset(x, t, iStep)
  ] : [];
  mod.section(1, new Bytes().vec([...types, loopType, ...locatedTypes]));
  mod.section(2, new Bytes().vec(imports));
  const T0 = types.length + 1;
  mod.section(3, new Bytes().vec([new Bytes().u32(0), new Bytes().u32(1), new Bytes().u32(types.length),
    ...(located ? [new Bytes().u32(2), new Bytes().u32(T0), new Bytes().u32(T0 + 1), new Bytes().u32(T0 + 2)] : [])]));
  mod.section(7, new Bytes().vec([
    new Bytes().name('update').byte(0x00).u32(nImported),
    new Bytes().name('reset').byte(0x00).u32(nImported + 1),
    ...(located ? [new Bytes().name('deriv').byte(0x00).u32(nImported + 4), new Bytes().name('thresh').byte(0x00).u32(nImported + 5), new Bytes().name('vreset').byte(0x00).u32(nImported + 6)] : []),
  ]));
  mod.section(10, new Bytes().vec([up.bytes(), rs.bytes(), lp.bytes(), ...(located ? [expF64().bytes(), ...located.map((b) => b.bytes())] : [])]));
  return new Uint8Array(mod.b);
}

/** deriv, thresh and vreset over an f64 array of the variables' values (see CompiledModel.values). */
function locatedFunctions(model: CompiledModel, expIndex: number): Body[] {
  const v = model.values!;
  const nv = model.variables.length;
  const fn = (params: number, tParam: number, iParam: number, program: readonly IR[], body: (f: Body, go: (ir: IR) => void, vars: number[], temps: number[]) => void): Body => {
    const f = new Body(params);
    const vars = Array.from({ length: nv }, () => f.local(F64));
    const temps = program.map(() => f.local(F64));
    for (let k = 0; k < nv; k++) { f.get(0).code.byte(0x2b, 3).u32(8 * k); f.set(vars[k]!); }
    const go = scalarEmitter(f, (i) => vars[i]!, (i) => temps[i]!, tParam, (name) => IMPORTED.indexOf(name), expIndex, iParam);
    body(f, go, vars, temps);
    return f;
  };
  const deriv = fn(4, 2, 3, [], (f, go) => {
    for (const d of v.derivatives) { f.get(1); go(d.ir); f.code.byte(0x39, 3).u32(8 * d.i); }
  });
  const thresh = fn(3, 1, 2, [], (f, go) => { go(v.threshold); });
  const vreset = fn(3, 1, 2, v.reset.temps, (f, go, vars, temps) => {
    v.reset.temps.forEach((t, k) => { go(t); f.set(temps[k]!); });
    for (const w of v.reset.writes) { f.get(0); go(w.value); f.code.byte(0x39, 3).u32(8 * w.i); }
    void vars;
  });
  return [deriv, thresh, vreset];
}

type Scalar = Extract<IR, { op: 'decay' | 'coef' | 'const' | 'istep' }>;
const scalarKey = (ir: Scalar) => (ir.op === 'decay' ? `d${ir.slot}` : ir.op === 'coef' ? `c${ir.slot}:${ir.v}` : ir.op === 'istep' ? 'i' : `k${ir.v}`);

/**
 * The step's decay factors and the coefficients formed with them, computed
 * once before the loop (in f64, rounded once to f32, as the built-in
 * models form theirs) into v128 locals.
 */
function scalarsOf(roots: readonly IR[]): Map<string, Scalar> {
  const found = new Map<string, Scalar>();
  for (const root of roots) {
    someNode(root, (x) => {
      if (x.op === 'decay' || x.op === 'coef' || x.op === 'const' || x.op === 'istep') found.set(scalarKey(x), x);
      return false;
    });
  }
  return found;
}

/** Pushes a constant as a v128: a literal, a decay factor, or a coefficient times one (formed in f64, rounded once). */
function pushScalar(f: Body, ir: Scalar, decayParams: readonly [number, number, number]): void {
  if (ir.op === 'const') { f.f32x4(ir.v); return; }
  if (ir.op === 'istep') { f.get(decayParams[2]).code.byte(op.f32DemoteF64); f.s(simd.f32x4Splat); return; }
  if (ir.op === 'coef') f.code.byte(op.f64Const).f64(ir.v);
  f.get(decayParams[ir.slot]);
  if (ir.op === 'coef') f.code.byte(0xa2);  // f64.mul
  f.code.byte(op.f32DemoteF64);
  f.s(simd.f32x4Splat);
}

/** The constants of a function without a loop (reset), into v128 locals. */
function hoist(f: Body, roots: readonly IR[], decayParams: readonly [number, number, number]): Map<string, number> {
  const locals = new Map<string, number>();
  for (const [key, ir] of scalarsOf(roots)) {
    const l = f.local(V128);
    pushScalar(f, ir, decayParams);
    f.set(l);
    locals.set(key, l);
  }
  return locals;
}

/** Emits IR as f32x4 code leaving one v128 on the stack (masks are all-ones lanes). */
function emitter(
  f: Body, readVar: (i: number) => number, readTmp: (i: number) => number, tLocal: number,
  scratch: { f: number; v: number }, funcIndex: (f: Imported) => number, scalars: Map<string, number>,
): (ir: IR) => void {
  const bin: Partial<Record<IR['op'], number>> = {
    add: simd.f32x4Add, sub: simd.f32x4Sub, mul: simd.f32x4Mul, div: simd.f32x4Div, min: simd.f32x4Min, max: simd.f32x4Max,
    lt: simd.f32x4Lt, le: simd.f32x4Le, gt: simd.f32x4Gt, ge: simd.f32x4Ge, eq: simd.f32x4Eq, ne: simd.f32x4Ne, and: simd.and, or: simd.or,
  };
  const go = (ir: IR): void => {
    switch (ir.op) {
      case 'const': { const l = scalars.get(scalarKey(ir)); if (l !== undefined) f.get(l); else f.f32x4(ir.v); return; }
      case 'var': f.get(readVar(ir.i)); return;
      case 'tmp': f.get(readTmp(ir.i)); return;
      case 't': f.get(tLocal); return;
      case 'decay': case 'coef': case 'istep': f.get(scalars.get(scalarKey(ir))!); return;
      case 'neg': go(ir.a); f.s(simd.f32x4Neg); return;
      case 'abs': go(ir.a); f.s(simd.f32x4Abs); return;
      case 'sqrt': go(ir.a); f.s(simd.f32x4Sqrt); return;
      case 'not': go(ir.a); f.s(simd.not); return;
      case 'int': go(ir.a); f.f32x4(1).s(simd.and); return;  // all-ones lanes & 1.0f = 1.0f
      case 'select': go(ir.a); go(ir.b); go(ir.c); f.s(simd.bitselect); return;
      case 'exp': go(ir.a); expVector(f, scratch.v); return;
      case 'log': case 'tanh': case 'sin': case 'cos': go(ir.a); perLane(f, scratch, funcIndex(ir.op), false); return;
      case 'pow': {
        const k = ir.b.op === 'const' ? ir.b.v : undefined;
        if (k === 2) { go(ir.a); f.code.byte(op.localTee).u32(scratch.v); f.get(scratch.v).s(simd.f32x4Mul); return; }
        if (k === 1) { go(ir.a); return; }
        if (k === 0.5) { go(ir.a); f.s(simd.f32x4Sqrt); return; }
        go(ir.a); go(ir.b); perLane(f, scratch, funcIndex('pow'), true); return;
      }
      default: {
        const o = bin[ir.op];
        if (o === undefined || !('b' in ir)) throw new Error(`no code for ${ir.op}`);
        go(ir.a); go(ir.b); f.s(o);
      }
    }
  };
  return go;
}

/**
 * A per-lane call of an imported f64 function: the vector is taken apart
 * and rebuilt. With `two`, the stack holds (a, b) and the call is f(a_l, b_l).
 */
function perLane(f: Body, scratch: { f: number; v: number }, fn: number, two: boolean): void {
  // Keep b (if any) in scratch.v, a in a second local.
  const a = f.local(V128);
  const b = two ? f.local(V128) : -1;
  if (two) f.set(b);
  f.set(a);
  f.get(a).set(scratch.v);
  for (let lane = 0; lane < 4; lane++) {
    f.get(scratch.v);
    f.get(a).s(simd.f32x4ExtractLane, lane).code.byte(op.f64PromoteF32);
    if (two) f.get(b).s(simd.f32x4ExtractLane, lane).code.byte(op.f64PromoteF32);
    f.code.byte(op.call).u32(fn).byte(op.f32DemoteF64);
    f.s(simd.f32x4ReplaceLane, lane).set(scratch.v);
  }
  f.get(scratch.v);
}

/**
 * e^x for f32x4: x = n ln 2 + r, |r| <= ln2/2, e^r by its Taylor series to
 * r^7 (relative error below 2e-8 before rounding), 2^n built in the
 * exponent bits. Arguments are clamped to [-87, 88] (f32 range).
 */
function expVector(f: Body, x: number): void {
  const n = f.local(V128);
  f.f32x4(88).s(simd.f32x4Min).f32x4(-87).s(simd.f32x4Max).set(x);
  f.get(x).f32x4(Math.LOG2E).s(simd.f32x4Mul).s(simd.f32x4Nearest).set(n);
  // r = x - n ln2 in two parts (Cody-Waite): ln2 = 0.693145751953125 + 1.428606765330187e-6.
  f.get(x).get(n).f32x4(0.693145751953125).s(simd.f32x4Mul).s(simd.f32x4Sub);
  f.get(n).f32x4(1.428606765330187e-6).s(simd.f32x4Mul).s(simd.f32x4Sub).set(x);
  // Horner: 1 + r(1 + r/2(1 + r/3(...)))
  const coeffs = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1];
  f.f32x4(coeffs[0]!);
  for (const c of coeffs.slice(1)) { f.get(x).s(simd.f32x4Mul).f32x4(c).s(simd.f32x4Add); }
  // 2^n: (n + 127) << 23 as the bits of a float.
  f.get(n).s(simd.i32x4TruncSatF32x4S).i32(127).s(simd.i32x4Splat).s(simd.i32x4Add).i32(23).s(simd.i32x4Shl);
  f.s(simd.f32x4Mul);
}

/** The imports the module needs besides the kernel's memory. */
export function equationImports(memory: WebAssembly.Memory): Record<string, Record<string, unknown>> {
  return { env: { memory }, math: Object.fromEntries(IMPORTED.map((f) => [f, Math[f]])) };
}


// ------------------------------------------------------------ synapses

/** Where a neuron variable a synapse reads lives in the kernel: population and variable index. */
export interface StateAddress { readonly pop: number; readonly variable: number }

/**
 * The module of a synapse model (src/equations/synapse.ts): scalar f64
 * code over runs of synapses.
 *
 *   on_pre(ptrs, s0, s1, i, t): synapses s0..s1-1, the row of presynaptic neuron i
 *   on_post(ptrs, c0, c1, j, t): synapses colSyn[c0..c1-1], the column of postsynaptic neuron j
 *   step(ptrs, nPre, t): every synapse, one Euler step of the clock-driven variables
 *
 * ptrs: [w (f64), weights (f32, what transmission reads), last event time
 * (f64), colSyn (u32), targets (u32), colSrc (u32), rowPtr (u32), the trace
 * base time (f64), synaptic variables (f64: per synapse, or per neuron for
 * the traces of CompiledSynapse.sides)...]. The event-driven variables are decayed to t exactly
 * (and their time set to t), the statements run, w is mirrored to the f32
 * weights. Neuron variables (NAME_pre, NAME_post) are read through the
 * kernel's stateValue, so every model's storage (offsets, lazy decay) is honoured.
 */
export function synapseModule(c: CompiledSynapse, resolve: (r: ExternalRead) => StateAddress, shared = false): Uint8Array {
  const nEv = c.taus.length;
  const wIndex = c.variables.indexOf('w');
  const nSyn = wIndex;  // per-synapse arrays: event-driven, then clock-driven variables
  const f64 = () => new Bytes().byte(F64);
  const types = [
    new Bytes().byte(0x60).vec([f64()]).vec([f64()]),
    new Bytes().byte(0x60).vec([f64(), f64()]).vec([f64()]),
    new Bytes().byte(0x60).vec([I32, I32, I32, I32, F64].map((t) => new Bytes().byte(t))).vec([]),  // on_pre, on_post
    new Bytes().byte(0x60).vec([I32, I32, F64].map((t) => new Bytes().byte(t))).vec([]),  // step
    new Bytes().byte(0x60).vec([I32, I32, I32].map((t) => new Bytes().byte(t))).vec([f64()]),  // kernel state
  ];
  const imports = [
    memoryImport(shared),
    ...IMPORTED.map((f) => new Bytes().name('math').name(f).byte(0x00).u32(f === 'pow' ? 1 : 0)),
    new Bytes().name('kernel').name('state').byte(0x00).u32(4),
  ];
  const STATE = IMPORTED.length;
  const nImported = IMPORTED.length + 1;
  const EXP = nImported + 3;
  const addresses = c.reads.map(resolve);

  /**
   * The body for one synapse: `syn` its index, `pre` and `post` its neurons;
   * decays the event-driven variables to T, runs the program, stores.
   */
  const VARS = 8;  // ptrs[7]: the address of the projection's trace base time (f64); ptrs[8 + k]: variable k's array
  const sides = c.sides;
  const load32 = (f: Body, k: number) => { f.get(0); f.code.byte(op.i32Load, 2).u32(4 * k); };
  /** exp(-(t - base)/tau) for each time constant of the per-neuron traces: their value is stored x this. */
  const traceFactors = (f: Body, T: number): Map<number, number> => {
    const out = new Map<number, number>();
    sides.forEach((side, k) => {
      const tau = c.taus[k]!;
      if (side === 0 || !Number.isFinite(tau) || out.has(tau)) return;
      const l = f.local(F64);
      f.get(T); load32(f, 7); f.code.byte(0x2b, 3, 0, 0xa1, 0x9a, op.f64Const).f64(1 / tau).byte(0xa2, op.call).u32(EXP);
      f.set(l);
      out.set(tau, l);
    });
    return out;
  };
  /** Pushes the value of per-neuron trace k of neuron n. */
  const traceValue = (f: Body, k: number, n: number, fdec: Map<number, number>) => {
    load32(f, VARS + k); f.get(n).i32(3).code.byte(op.i32Shl, op.i32Add, 0x2b, 3, 0);
    const d = fdec.get(c.taus[k]!);
    if (d !== undefined) f.get(d).code.byte(0xa2);
  };

  /**
   * The body for one synapse: `syn` its index, `pre` and `post` its neurons;
   * per-synapse event-driven variables decayed to T, per-neuron traces read
   * at T, the program run, the per-synapse variables and w stored.
   */
  const synapseBody = (f: Body, program: Program, L: { P: number; T: number; syn: number; pre: number; post: number; fdec: Map<number, number> }) => {
    const so = f.local(I32), dT = f.local(F64);
    const vars = Array.from({ length: c.variables.length }, () => f.local(F64));
    const temps = program.temps.map(() => f.local(F64));
    f.get(L.syn).i32(3).code.byte(op.i32Shl); f.set(so);
    const synEvents = sides.some((side, k) => side === 0 && k < nEv);
    if (synEvents) {
      // dT = t - last[s]; last[s] = t
      f.get(L.T); load32(f, 2); f.get(so).code.byte(op.i32Add, 0x2b, 3, 0, 0xa1); f.set(dT);
      load32(f, 2); f.get(so).code.byte(op.i32Add); f.get(L.T).code.byte(0x39, 3, 0);
    }
    const decays = new Map<number, number>();
    sides.forEach((side, k) => {
      const tau = c.taus[k];
      if (side !== 0 || k >= nEv || tau === undefined || !Number.isFinite(tau) || decays.has(tau)) return;
      const l = f.local(F64);
      f.get(dT).code.byte(0x9a, op.f64Const).f64(1 / tau).byte(0xa2, op.call).u32(EXP);
      f.set(l);
      decays.set(tau, l);
    });
    for (let k = 0; k < nSyn; k++) {
      if (sides[k] === 1) traceValue(f, k, L.pre, L.fdec);
      else if (sides[k] === 2) traceValue(f, k, L.post, L.fdec);
      else {
        load32(f, VARS + k); f.get(so).code.byte(op.i32Add, 0x2b, 3, 0);
        const d = k < nEv ? decays.get(c.taus[k]!) : undefined;
        if (d !== undefined) f.get(d).code.byte(0xa2);
      }
      f.set(vars[k]!);
    }
    load32(f, 0); f.get(so).code.byte(op.i32Add, 0x2b, 3, 0); f.set(vars[wIndex]!);
    c.reads.forEach((r, q) => {
      const a = addresses[q]!;
      f.i32(a.pop).i32(a.variable).get(r.side === 'pre' ? L.pre : L.post).code.byte(op.call).u32(STATE);
      f.set(vars[wIndex + 1 + q]!);
    });
    const go = scalarEmitter(f, (i) => vars[i]!, (i) => temps[i]!, L.T, (fn) => IMPORTED.indexOf(fn), EXP);
    program.temps.forEach((t, k) => { go(t); f.set(temps[k]!); });
    for (const w of program.writes) { go(w.value); f.set(vars[w.i]!); }
    for (let k = 0; k < nSyn; k++) { if (sides[k] !== 0) continue; load32(f, VARS + k); f.get(so).code.byte(op.i32Add); f.get(vars[k]!).code.byte(0x39, 3, 0); }
    load32(f, 0); f.get(so).code.byte(op.i32Add); f.get(vars[wIndex]!).code.byte(0x39, 3, 0);
    load32(f, 1); f.get(L.syn).i32(2).code.byte(op.i32Shl, op.i32Add); f.get(vars[wIndex]!).code.byte(op.f32DemoteF64, 0x38, 2, 0);
  };
  /**
   * The traces of the event's own neuron n (side 1 on_pre, 2 on_post), once
   * per event: the program run with only those values (their writes read
   * nothing else), stored back divided by their decay factor.
   */
  const ownTraces = (f: Body, program: Program, side: 1 | 2, n: number, T: number, fdec: Map<number, number>) => {
    const own = sides.map((sd, k) => (sd === side ? k : -1)).filter((k) => k >= 0 && program.writes.some((w) => w.i === k));
    if (!own.length) return;
    const vars = Array.from({ length: c.variables.length }, () => f.local(F64));
    const temps = program.temps.map(() => f.local(F64));
    for (const k of own) { traceValue(f, k, n, fdec); f.set(vars[k]!); }
    const go = scalarEmitter(f, (i) => vars[i]!, (i) => temps[i]!, T, (fn) => IMPORTED.indexOf(fn), EXP);
    program.temps.forEach((t, k) => { go(t); f.set(temps[k]!); });
    for (const k of own) {
      const w = program.writes.find((x) => x.i === k)!;
      load32(f, VARS + k); f.get(n).i32(3).code.byte(op.i32Shl, op.i32Add);
      go(w.value);
      const d = fdec.get(c.taus[k]!);
      if (d !== undefined) f.get(d).code.byte(0xa3);
      f.code.byte(0x39, 3, 0);
    }
  };
  const loadAt = (f: Body, k: number, index: number) => { f.get(0); f.code.byte(op.i32Load, 2).u32(4 * k); f.get(index).i32(2).code.byte(op.i32Shl, op.i32Add, op.i32Load, 2, 0); };

  const event = (program: Program, column: boolean): Body => {
    const f = new Body(5);
    const [P, A, B, N, T] = [0, 1, 2, 3, 4];
    const k = f.local(I32), syn = f.local(I32), other = f.local(I32);
    const fdec = traceFactors(f, T);
    f.get(A).set(k);
    f.code.byte(op.block, 0x40, op.loop, 0x40);
    f.get(k).get(B).code.byte(op.i32GeS, op.brIf).u32(1);
    if (column) { loadAt(f, 3, k); f.set(syn); loadAt(f, 5, k); f.set(other); } else { f.get(k).set(syn); loadAt(f, 4, syn); f.set(other); }
    synapseBody(f, program, { P, T, syn, pre: column ? other : N, post: column ? N : other, fdec });
    f.get(k).i32(1).code.byte(op.i32Add); f.set(k);
    f.code.byte(op.br).u32(0).byte(op.end, op.end);
    ownTraces(f, program, column ? 2 : 1, N, T, fdec);
    return f;
  };
  const stepFn = (): Body => {
    const f = new Body(3);
    const [P, NPRE, T] = [0, 1, 2];
    const i = f.local(I32), s = f.local(I32), s1 = f.local(I32), post = f.local(I32);
    const fdec = traceFactors(f, T);
    f.i32(0).set(i);
    f.code.byte(op.block, 0x40, op.loop, 0x40);
    f.get(i).get(NPRE).code.byte(op.i32GeS, op.brIf).u32(1);
    loadAt(f, 6, i); f.set(s);
    f.get(i).i32(1).code.byte(op.i32Add); f.set(s1); loadAt(f, 6, s1); f.set(s1);
    f.code.byte(op.block, 0x40, op.loop, 0x40);
    f.get(s).get(s1).code.byte(op.i32GeS, op.brIf).u32(1);
    loadAt(f, 4, s); f.set(post);
    synapseBody(f, c.step, { P, T, syn: s, pre: i, post, fdec });
    f.get(s).i32(1).code.byte(op.i32Add); f.set(s);
    f.code.byte(op.br).u32(0).byte(op.end, op.end);
    f.get(i).i32(1).code.byte(op.i32Add); f.set(i);
    f.code.byte(op.br).u32(0).byte(op.end, op.end);
    return f;
  };
  const mod = new Bytes().byte(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  mod.section(1, new Bytes().vec(types));
  mod.section(2, new Bytes().vec(imports));
  mod.section(3, new Bytes().vec([new Bytes().u32(2), new Bytes().u32(2), new Bytes().u32(3), new Bytes().u32(0)]));
  mod.section(7, new Bytes().vec([
    new Bytes().name('on_pre').byte(0x00).u32(nImported),
    new Bytes().name('on_post').byte(0x00).u32(nImported + 1),
    new Bytes().name('step').byte(0x00).u32(nImported + 2),
  ]));
  mod.section(10, new Bytes().vec([event(c.onPre, false).bytes(), event(c.onPost, true).bytes(), stepFn().bytes(), expF64().bytes()]));
  return new Uint8Array(mod.b);
}

/** Scalar IR: numbers as f64, conditions as i32. */
function scalarEmitter(f: Body, readVar: (i: number) => number, readTmp: (i: number) => number, tParam: number, funcIndex: (f: Imported) => number, expIndex: number, iStepParam = -1): (ir: IR) => void {
  const num: Partial<Record<IR['op'], number>> = { add: 0xa0, sub: 0xa1, mul: 0xa2, div: 0xa3, min: 0xa4, max: 0xa5 };
  const cmp: Partial<Record<IR['op'], number>> = { eq: 0x61, ne: 0x62, lt: 0x63, gt: 0x64, le: 0x65, ge: 0x66 };
  const go = (ir: IR): void => {
    switch (ir.op) {
      case 'const': f.code.byte(op.f64Const).f64(ir.v); return;
      case 'var': f.get(readVar(ir.i)); return;
      case 'tmp': f.get(readTmp(ir.i)); return;
      case 't': f.get(tParam); return;
      case 'neg': go(ir.a); f.code.byte(0x9a); return;
      case 'abs': go(ir.a); f.code.byte(0x99); return;
      case 'sqrt': go(ir.a); f.code.byte(0x9f); return;
      case 'not': go(ir.a); f.code.byte(op.i32Eqz); return;
      case 'int': go(ir.a); f.code.byte(0xb7); return;
      case 'and': go(ir.a); go(ir.b); f.code.byte(0x71); return;
      case 'or': go(ir.a); go(ir.b); f.code.byte(0x72); return;
      case 'select': go(ir.a); go(ir.b); go(ir.c); f.code.byte(0x1b); return;
      case 'exp': go(ir.a); f.code.byte(op.call).u32(expIndex); return;
      case 'log': case 'tanh': case 'sin': case 'cos': go(ir.a); f.code.byte(op.call).u32(funcIndex(ir.op)); return;
      case 'pow': go(ir.a); go(ir.b); f.code.byte(op.call).u32(funcIndex('pow')); return;
      case 'istep': if (iStepParam < 0) throw new Error('no step current in synapse code'); f.get(iStepParam); return;
      case 'decay': case 'coef': throw new Error('no lazy decay in scalar code');
      default: {
        const o = num[ir.op] ?? cmp[ir.op];
        if (o === undefined) throw new Error(`no code for ${ir.op}`);
        go(ir.a); go(ir.b); f.code.byte(o);
      }
    }
  };
  return go;
}

/** e^x in f64: x = n ln2 + r (fdlibm's split of ln 2), the series of e^r to r^13, times 2^n from the exponent bits. */
function expF64(): Body {
  const f = new Body(1);
  const n = f.local(F64), r = f.local(F64);
  // Clamp to the range where the result is a normal number or underflows to 0 (NaN stays NaN:
  // the exponent is taken with a saturating conversion, which does not trap).
  f.get(0).code.byte(op.f64Const).f64(709).byte(0xa4, op.f64Const).f64(-745).byte(0xa5); f.set(0);
  f.get(0).code.byte(op.f64Const).f64(Math.LOG2E).byte(0xa2, 0x9e); f.set(n);
  f.get(0).get(n).code.byte(op.f64Const).f64(6.93147180369123816490e-01).byte(0xa2, 0xa1);
  f.get(n).code.byte(op.f64Const).f64(1.90821492927058770002e-10).byte(0xa2, 0xa1); f.set(r);
  let fact = 1;
  const coeffs: number[] = [];
  for (let k = 0; k <= 13; k++) { coeffs.push(1 / fact); fact *= k + 1; }
  f.code.byte(op.f64Const).f64(coeffs[13]!);
  for (let k = 12; k >= 0; k--) { f.get(r).code.byte(0xa2, op.f64Const).f64(coeffs[k]!).byte(0xa0); }
  // 2^n in two halves (n reaches -1075 .. 1024, beyond one exponent field): 2^floor(n/2) 2^(n - floor(n/2)).
  f.get(n).code.byte(op.f64Const).f64(0.5).byte(0xa2, 0x9c); f.set(r);
  f.get(r).code.byte(0xfc, 0x06, 0x42).i32(1023).byte(0x7c, 0x42).i32(52).byte(0x86, 0xbf, 0xa2);
  f.get(n).get(r).code.byte(0xa1, 0xfc, 0x06, 0x42).i32(1023).byte(0x7c, 0x42).i32(52).byte(0x86, 0xbf, 0xa2);
  return f;
}
