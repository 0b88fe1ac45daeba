// From the text of an equation model to what the code generator needs: the
// state (differential variables and per-neuron parameters, each with its
// unit), the shared constants in base units, units checked term by term,
// the integration method (exact where the system is linear with constant
// coefficients, as NEST and Brian2 do), and the update, threshold and reset
// as programs over the state. Numbers inside are in hebb's base units (ms,
// mV, pA); a variable stored in another unit is scaled where it is read.

import { parseEquationLine, parseExpression, parseStatements, ParseError, FUNCTIONS, type Expr, type EquationLine, type Statement } from './parse.js';
import { parseUnit, valueIn, sameDim, mulDim, divDim, powDim, isDimensionless, formatDim, DIMENSIONLESS, UNITS, type Dim, type Unit } from './units.js';
import { expm } from './linalg.js';

export const METHODS = ['exact', 'exponential_euler', 'rk4', 'rk2', 'euler'] as const;
export type Method = (typeof METHODS)[number];

/** An equation population's "equations" object in the model JSON. */
export interface EquationSpec {
  equations: string | readonly string[];
  threshold?: string | undefined;
  reset?: string | readonly string[] | undefined;
  refractory?: number | string | undefined;
  method?: Method | undefined;
  params?: Readonly<Record<string, number | string>> | undefined;
  /** Receptor names (as projections give them) and the variable each adds to. */
  receptors?: Readonly<Record<string, string>> | undefined;
  /** grid: spikes at the end of the step that crosses; located: the crossing found within the step (see ValueSpace). */
  spike_timing?: 'grid' | 'located' | undefined;
}

/** What is wrong, and where: a path below the equations object and a column in that string. */
export interface EquationIssue { path: string; message: string }

export class EquationError extends Error {
  constructor(readonly issues: EquationIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

export interface StateVariable {
  readonly name: string;
  readonly unit: string;
  /** The stored number times this is the value in base units. */
  readonly scale: number;
  readonly dim: Dim;
  readonly kind: 'diff' | 'param';
  /** Held during the refractory period. */
  readonly unlessRefractory: boolean;
}

/**
 * How a variable is stored, as the built-in models store theirs: a
 * receptor's variable that only decays (dx/dt = -x/tau) is kept lazily (the
 * array holds x e^{(t - t_base)/tau}; a step reads it, transmission adds to
 * it with the gain, nothing sweeps it), and a variable of an exact linear
 * system is kept relative to the system's fixed point (f32 then resolves
 * the millivolts that matter, not the 70 mV of the offset).
 */
export interface Storage {
  /** Stored = value - offset (variables at scale 1). */
  readonly offset: number;
  /** Lazy decay slot: 0 (the exc receptor's variable), 1 (inh), -1 none. */
  readonly lazy: -1 | 0 | 1;
  /** Decay time constant of a lazy variable (ms). */
  readonly tau: number;
}

/** Expressions resolved to the state, in base units; masks are the results of comparisons. */
export type IR =
  | { readonly op: 'const'; readonly v: number }
  | { readonly op: 'var'; readonly i: number }
  | { readonly op: 'tmp'; readonly i: number }
  | { readonly op: 't' }
  | { readonly op: 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'pow'; readonly a: IR; readonly b: IR }
  | { readonly op: 'neg' | 'abs' | 'sqrt' | 'exp' | 'log' | 'tanh' | 'sin' | 'cos' | 'int'; readonly a: IR }
  | { readonly op: 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne' | 'and' | 'or'; readonly a: IR; readonly b: IR }
  | { readonly op: 'not'; readonly a: IR }
  | { readonly op: 'select'; readonly c: IR; readonly a: IR; readonly b: IR }
  /** The decay factor of lazy slot `slot` at this step (a runtime scalar). */
  | { readonly op: 'decay'; readonly slot: 0 | 1 }
  /** v times the decay factor of a lazy slot, formed in f64 and rounded once (as the built-in models do). */
  | { readonly op: 'coef'; readonly v: number; readonly slot: 0 | 1 }
  /** The population's step current now (pA; `current` in the model), a runtime scalar. */
  | { readonly op: 'istep' };

export interface Program {
  /** Computed in order; tmp i is temps[i]. */
  readonly temps: readonly IR[];
  /** New values of state variables, all from the old values and the temps. */
  readonly writes: readonly { readonly i: number; readonly value: IR }[];
  /** Reads and writes are of the stored numbers (offsets and lazy decay applied). */
  readonly stored?: boolean;
}

export interface CompiledModel {
  readonly variables: readonly StateVariable[];
  /** One per variable. */
  readonly storage: readonly Storage[];
  readonly constants: Readonly<Record<string, number>>;
  readonly method: Method;
  /** Why this method (the default's reason, or the user's choice). */
  readonly methodReason: string;
  readonly update: Program;
  /** A mask over the new state, or undefined: the population never spikes. */
  readonly threshold: IR | undefined;
  readonly reset: Program;
  readonly refractoryMs: number;
  /** Receptor name -> index of the variable it adds to. */
  readonly receptors: Readonly<Record<string, number>>;
  /**
   * For located spike times: the model over the variables' values in their
   * declared units ('var' k is variable k's value), in f64: each
   * differential variable's derivative, the threshold and the reset.
   */
  readonly values?: {
    readonly derivatives: readonly { readonly i: number; readonly ir: IR }[];
    readonly threshold: IR;
    readonly reset: Program;
    /** The first variable the threshold reads: a step that moves it more than 1 unit is integrated again. */
    readonly watch: number;
  };
}

type Typed = { ir: IR; dim: Dim; bool: boolean };

const BUILTIN_NAMES = new Set(['t', 'dt', 'i_step', 'and', 'or', 'not', 'True', 'False']);

/**
 * Reads, checks and compiles an equation model. `dt` in ms. Throws an
 * EquationError listing every problem with its path ("equations/2",
 * "threshold", "params/tau_m") and column.
 */
export function compileEquations(spec: EquationSpec, dt: number): CompiledModel {
  const issues: EquationIssue[] = [];
  const fail = (path: string, message: string, col?: number) => { issues.push({ path, message: col === undefined ? message : `${message} (column ${col})` }); };
  const lines = typeof spec.equations === 'string' ? spec.equations.split('\n') : [...spec.equations];
  const linePath = (k: number) => (typeof spec.equations === 'string' ? `equations (line ${k + 1})` : `equations/${k}`);

  // 1. Lines.
  const parsed: { line: EquationLine; path: string }[] = [];
  lines.forEach((text, k) => {
    try {
      const line = parseEquationLine(text);
      if (line) parsed.push({ line, path: linePath(k) });
    } catch (e) {
      if (e instanceof ParseError) fail(linePath(k), e.message, e.col);
      else throw e;
    }
  });
  if (issues.length) throw new EquationError(issues);
  if (!parsed.some((p) => p.line.kind === 'diff')) fail('equations', 'no differential equation (dX/dt = ...): a model needs at least one');

  // 2. Names and units.
  const units = new Map<string, Unit & { text: string }>();
  const seen = new Map<string, string>();
  for (const { line, path } of parsed) {
    if (seen.has(line.name)) fail(path, `"${line.name}" is defined twice (also at ${seen.get(line.name)})`, line.col);
    if (BUILTIN_NAMES.has(line.name) || FUNCTIONS[line.name] !== undefined || UNITS[line.name]) fail(path, `"${line.name}" is a reserved name (a built-in, a function or a unit)`, line.col);
    seen.set(line.name, path);
    const u = parseUnit(line.unit);
    if (!u) fail(path, `"${line.unit}" is not a unit hebb knows (${Object.keys(UNITS).join(', ')}, and products and quotients of them)`, line.unitCol);
    else units.set(line.name, { ...u, text: line.unit });
  }
  const paramSpecs = spec.params ?? {};
  const constants: Record<string, number> = {};
  const constantDims = new Map<string, Dim>();
  for (const [name, value] of Object.entries(paramSpecs)) {
    if (seen.has(name)) { fail(`params/${name}`, `"${name}" is also a variable of the equations (${seen.get(name)})`); continue; }
    if (BUILTIN_NAMES.has(name) || FUNCTIONS[name] !== undefined || UNITS[name]) { fail(`params/${name}`, `"${name}" is a reserved name (a built-in, a function or a unit)`); continue; }
    // A shared parameter's unit is the one it is written with ("20 ms"); numbers are dimensionless.
    const m = typeof value === 'string' ? /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*(.*?)\s*$/.exec(value) : null;
    const u = typeof value === 'number' ? { dim: DIMENSIONLESS, scale: 1 } : m ? (m[1] === '' ? { dim: DIMENSIONLESS, scale: 1 } : parseUnit(m[1]!)) : undefined;
    if (!u) { fail(`params/${name}`, `"${String(value)}" is not a number with a unit hebb knows (e.g. "20 ms", "-70 mV", "0.5 nS")`); continue; }
    const base = valueIn(value, { dim: u.dim, scale: 1 });
    if (typeof base === 'string') { fail(`params/${name}`, base); continue; }
    constants[name] = base;
    constantDims.set(name, u.dim);
  }
  if (issues.length) throw new EquationError(issues);

  const variables: StateVariable[] = [];
  for (const { line } of parsed) {
    if (line.kind === 'sub') continue;
    const u = units.get(line.name)!;
    variables.push({ name: line.name, unit: u.text, scale: u.scale, dim: u.dim, kind: line.kind, unlessRefractory: line.flags.includes('unless refractory') });
  }
  const varIndex = new Map(variables.map((v, i) => [v.name, i]));
  const subs = new Map<string, { expr: Expr; path: string; dim: Dim; scale: number }>();
  for (const { line, path } of parsed) if (line.kind === 'sub') subs.set(line.name, { expr: line.expr, path, dim: units.get(line.name)!.dim, scale: units.get(line.name)!.scale });

  // 3. Typing: each expression to IR with its dimension; a unit name is its value in base units.
  const typing = (path: string, env: (name: string) => IR | undefined, expanding: string[] = []) => {
    const go = (e: Expr): Typed => {
      switch (e.k) {
        case 'num': return { ir: { op: 'const', v: e.value }, dim: DIMENSIONLESS, bool: false };
        case 'name': {
          if (e.name === 'True' || e.name === 'False') return { ir: { op: 'const', v: e.name === 'True' ? 1 : 0 }, dim: DIMENSIONLESS, bool: true };
          if (e.name === 't') return { ir: { op: 't' }, dim: { t: 1, v: 0, i: 0 }, bool: false };
          if (e.name === 'dt') return { ir: { op: 'const', v: dt }, dim: { t: 1, v: 0, i: 0 }, bool: false };
          if (e.name === 'i_step') return { ir: { op: 'istep' }, dim: { t: 0, v: 0, i: 1 }, bool: false };
          const i = varIndex.get(e.name);
          if (i !== undefined) {
            const v = variables[i]!;
            const read = env(e.name) ?? { op: 'var', i } as IR;
            return { ir: v.scale === 1 || env(e.name) ? read : { op: 'mul', a: read, b: { op: 'const', v: v.scale } }, dim: v.dim, bool: false };
          }
          if (e.name in constants) return { ir: { op: 'const', v: constants[e.name]! }, dim: constantDims.get(e.name)!, bool: false };
          const sub = subs.get(e.name);
          if (sub) {
            if (expanding.includes(e.name)) throw new ParseError(`"${e.name}" is defined through itself (${[...expanding, e.name].join(' -> ')})`, e.col);
            const inner = typing(sub.path, env, [...expanding, e.name]).go(sub.expr);
            if (!inner.bool && !sameDim(inner.dim, sub.dim)) throw new ParseError(`${e.name} is declared in ${formatDim(sub.dim)} but its expression (${sub.path}) is ${formatDim(inner.dim)}`, e.col);
            return inner;
          }
          const u = UNITS[e.name];
          if (u) return { ir: { op: 'const', v: u.scale }, dim: u.dim, bool: false };
          throw new ParseError(`unknown name "${e.name}": not a variable, a parameter (give it in "params"), a subexpression or a unit`, e.col);
        }
        case 'neg': { const a = num(e.a, 'the operand of -'); return { ir: { op: 'neg', a: a.ir }, dim: a.dim, bool: false }; }
        case 'not': { const a = go(e.a); if (!a.bool) throw new ParseError('"not" needs a condition (a comparison)', e.col); return { ir: { op: 'not', a: a.ir }, dim: DIMENSIONLESS, bool: true }; }
        case 'call': return call(e);
        case 'bin': return bin(e);
      }
    };
    const num = (e: Expr, what: string): Typed => {
      const t = go(e);
      if (t.bool) throw new ParseError(`${what} is a condition, not a number (use int(...) to count it as 0 or 1)`, e.col);
      return t;
    };
    const dimless = (e: Expr, what: string): Typed => {
      const t = num(e, what);
      if (!isDimensionless(t.dim)) throw new ParseError(`${what} must be dimensionless, not ${formatDim(t.dim)}`, e.col);
      return t;
    };
    const call = (e: Extract<Expr, { k: 'call' }>): Typed => {
      const f = e.fn;
      if (f === 'int') {
        const a = go(e.args[0]!);
        if (!a.bool) throw new ParseError('int() takes a condition', e.col);
        return { ir: { op: 'int', a: a.ir }, dim: DIMENSIONLESS, bool: false };
      }
      if (f === 'where') {
        const c = go(e.args[0]!);
        if (!c.bool) throw new ParseError('where(condition, a, b): the first argument must be a condition', e.col);
        const a = num(e.args[1]!, 'where\'s second argument'), b = num(e.args[2]!, 'where\'s third argument');
        if (!sameDim(a.dim, b.dim)) throw new ParseError(`where(): the two values differ in units (${formatDim(a.dim)} and ${formatDim(b.dim)})`, e.col);
        return { ir: { op: 'select', c: c.ir, a: a.ir, b: b.ir }, dim: a.dim, bool: false };
      }
      if (f === 'min' || f === 'max' || f === 'clip') {
        const args = e.args.map((a, k) => num(a, `${f}'s argument ${k + 1}`));
        for (const a of args.slice(1)) if (!sameDim(a.dim, args[0]!.dim)) throw new ParseError(`${f}(): the arguments differ in units (${args.map((x) => formatDim(x.dim)).join(', ')})`, e.col);
        const ir: IR = f === 'clip'
          ? { op: 'min', a: { op: 'max', a: args[0]!.ir, b: args[1]!.ir }, b: args[2]!.ir }
          : { op: f, a: args[0]!.ir, b: args[1]!.ir };
        return { ir, dim: args[0]!.dim, bool: false };
      }
      if (f === 'abs') { const a = num(e.args[0]!, 'abs\'s argument'); return { ir: { op: 'abs', a: a.ir }, dim: a.dim, bool: false }; }
      if (f === 'sqrt') { const a = num(e.args[0]!, 'sqrt\'s argument'); return { ir: { op: 'sqrt', a: a.ir }, dim: powDim(a.dim, 0.5), bool: false }; }
      const a = dimless(e.args[0]!, `the argument of ${f}`);
      return { ir: { op: f as 'exp', a: a.ir }, dim: DIMENSIONLESS, bool: false };
    };
    const bin = (e: Extract<Expr, { k: 'bin' }>): Typed => {
      if (e.op === 'and' || e.op === 'or') {
        const a = go(e.a), b = go(e.b);
        if (!a.bool || !b.bool) throw new ParseError(`"${e.op}" joins conditions (comparisons)`, e.col);
        return { ir: { op: e.op, a: a.ir, b: b.ir }, dim: DIMENSIONLESS, bool: true };
      }
      if (e.op === '^') {
        const a = num(e.a, 'the base of ^');
        const b = dimless(e.b, 'the exponent of ^');
        if (!isDimensionless(a.dim)) {
          const k = constValue(b.ir);
          if (k === undefined) throw new ParseError(`a quantity with a unit (${formatDim(a.dim)}) can only be raised to a constant power`, e.col);
          return { ir: { op: 'pow', a: a.ir, b: b.ir }, dim: powDim(a.dim, k), bool: false };
        }
        return { ir: { op: 'pow', a: a.ir, b: b.ir }, dim: DIMENSIONLESS, bool: false };
      }
      const a = num(e.a, `the left side of ${e.op}`), b = num(e.b, `the right side of ${e.op}`);
      if (e.op === '*') return { ir: { op: 'mul', a: a.ir, b: b.ir }, dim: mulDim(a.dim, b.dim), bool: false };
      if (e.op === '/') return { ir: { op: 'div', a: a.ir, b: b.ir }, dim: divDim(a.dim, b.dim), bool: false };
      if (!sameDim(a.dim, b.dim)) {
        throw new ParseError(`the two sides of "${e.op}" differ in units: ${formatDim(a.dim)} ${e.op} ${formatDim(b.dim)}`, e.col);
      }
      const op = ({ '+': 'add', '-': 'sub', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq', '!=': 'ne' } as const)[e.op];
      return { ir: { op, a: a.ir, b: b.ir } as IR, dim: a.dim, bool: !(op === 'add' || op === 'sub') };
    };
    return { go, num };
  };

  // 4. The right-hand sides, typed against d(var)/dt.
  const rhs: { i: number; typed: Typed; expr: Expr; path: string }[] = [];
  for (const { line, path } of parsed) {
    if (line.kind !== 'diff') continue;
    try {
      const t = typing(path, () => undefined).num(line.expr, `the right side of d${line.name}/dt`);
      const want = divDim(units.get(line.name)!.dim, { t: 1, v: 0, i: 0 });
      if (!sameDim(t.dim, want)) fail(path, `d${line.name}/dt must be in ${formatDim(want)} (${line.name} is in ${units.get(line.name)!.text}), but the right side is ${formatDim(t.dim)}`, line.expr.col);
      rhs.push({ i: varIndex.get(line.name)!, typed: t, expr: line.expr, path });
    } catch (e) {
      if (e instanceof ParseError) fail(path, e.message, e.col); else throw e;
    }
  }
  for (const { line, path } of parsed) {
    if (line.kind !== 'sub') continue;
    try {
      const t = typing(path, () => undefined, [line.name]).go(line.expr);
      if (!t.bool && !sameDim(t.dim, units.get(line.name)!.dim)) fail(path, `${line.name} is declared in ${units.get(line.name)!.text} (${formatDim(units.get(line.name)!.dim)}) but the expression is ${formatDim(t.dim)}`, line.expr.col);
    } catch (e) {
      if (e instanceof ParseError) fail(path, e.message, e.col); else throw e;
    }
  }

  // 5. Threshold, reset, refractory, receptors.
  let threshold: IR | undefined;
  if (spec.threshold !== undefined) {
    try {
      const t = typing('threshold', () => undefined).go(parseExpression(spec.threshold));
      if (!t.bool) fail('threshold', 'the threshold must be a condition (e.g. "v > v_th")');
      threshold = t.ir;
    } catch (e) {
      if (e instanceof ParseError) fail('threshold', e.message, e.col); else throw e;
    }
  }
  const resetText = spec.reset === undefined ? '' : typeof spec.reset === 'string' ? spec.reset : spec.reset.join('\n');
  let reset: Program = { temps: [], writes: [] };
  if (resetText.trim() !== '') {
    if (spec.threshold === undefined) fail('reset', 'a reset needs a threshold');
    try {
      reset = statementsProgram(parseStatements(resetText), 'reset', variables, varIndex, (path, env) => typing(path, env), fail);
    } catch (e) {
      if (e instanceof ParseError) fail('reset', e.message, e.col); else throw e;
    }
  }
  let refractoryMs = 0;
  if (spec.refractory !== undefined) {
    const r = valueIn(spec.refractory, { dim: { t: 1, v: 0, i: 0 }, scale: 1 });
    if (typeof r === 'string') fail('refractory', r);
    else if (r < 0) fail('refractory', `the refractory period must be >= 0 ms (got ${r})`);
    else refractoryMs = r;
  }
  if (refractoryMs > 0 && spec.threshold === undefined) fail('refractory', 'a refractory period needs a threshold');
  parsed.forEach(({ line, path }) => {
    if (line.flags.includes('unless refractory') && (varIndex.get(line.name) ?? 0) >= 32) fail(path, `"(unless refractory)" applies to the first 32 variables only (${line.name} is number ${(varIndex.get(line.name) ?? 0) + 1})`);
  });
  const receptors: Record<string, number> = {};
  for (const [name, variable] of Object.entries(spec.receptors ?? {})) {
    const i = varIndex.get(variable);
    if (i === undefined || variables[i]!.kind !== 'diff') fail(`receptors/${name}`, `"${variable}" is not a differential variable of the equations (${variables.filter((v) => v.kind === 'diff').map((v) => v.name).join(', ')})`);
    else receptors[name] = i;
  }
  if (issues.length) throw new EquationError(issues);

  // 6. The method and the update.
  const diffs = rhs.map((r) => r.i);
  const linear = linearSystem(rhs.map((r) => r.typed.ir), diffs, variables);
  let method: Method, methodReason: string;
  if (spec.method) {
    method = spec.method;
    methodReason = 'as the model asks';
    if (method === 'exact' && !linear.ok) throw new EquationError([{ path: 'method', message: `"exact" needs a linear system with constant coefficients: ${linear.why}` }]);
    if (method === 'exponential_euler') {
      const why = conditionallyLinear(rhs.map((r) => r.typed.ir), diffs);
      if (why) throw new EquationError([{ path: 'method', message: `"exponential_euler" needs each equation linear in its own variable: ${why}` }]);
    }
  } else if (linear.ok) {
    method = 'exact';
    methodReason = 'linear with constant coefficients: the exact propagator';
  } else {
    const why = conditionallyLinear(rhs.map((r) => r.typed.ir), diffs);
    method = why ? 'rk4' : 'exponential_euler';
    methodReason = why ? `not conditionally linear (${why}): RK4` : `not linear with constant coefficients (${linear.why}), but each equation is linear in its own variable: exponential Euler`;
  }
  const storage = chooseStorage(rhs.map((r) => r.typed.ir), diffs, variables, receptors, reset, method === 'exact' ? linear as LinearOk : undefined);
  const inStorage = toStorage(variables, storage);
  // One-step methods (Euler, exponential Euler) read a purely decaying variable (a conductance,
  // dx/dt = -x/tau) at its exact mean over the step, not its start value: held at the start value,
  // each input would bring dt/(2 tau) too much (the lif_cond fix, for every model).
  const means = method === 'euler' || method === 'exponential_euler' ? stepMeans(rhs.map((r) => r.typed.ir), diffs, dt) : new Map<number, number>();
  const withMeans = rhs.map((r) => {
    const map = new Map([...means].filter(([j]) => j !== r.i).map(([j, m]) => [j, { op: 'mul', a: { op: 'var', i: j }, b: { op: 'const', v: m } } as IR]));
    return map.size ? substitute(r.typed.ir, map) : r.typed.ir;
  });
  const update = method === 'exact' ? exactProgram(linear as LinearOk, diffs, variables, storage, dt)
    : inStorage.program(method === 'exponential_euler' ? expEulerProgram(withMeans, diffs, variables, dt)
      : method === 'euler' ? rkProgram(withMeans, diffs, variables, dt, method) : rkProgram(rhs.map((r) => r.typed.ir), diffs, variables, dt, method));
  const values = spec.spike_timing === 'located' && threshold ? {
    derivatives: rhs.map((r) => ({ i: r.i, ir: fold({ op: 'div', a: r.typed.ir, b: { op: 'const', v: variables[r.i]!.scale } }) })),
    threshold,
    reset: { temps: reset.temps, writes: reset.writes.map((w) => ({ i: w.i, value: fold({ op: 'div', a: w.value, b: { op: 'const', v: variables[w.i]!.scale } }) })) },
    watch: firstVariable(threshold),
  } : undefined;
  if (threshold) threshold = inStorage.expr(threshold);
  reset = inStorage.program(reset);
  return { variables, storage, constants, method, methodReason, update, threshold, reset, refractoryMs, receptors, ...(values ? { values } : {}) };
}

function statementsProgram(
  statements: Statement[], path: string, variables: StateVariable[], varIndex: Map<string, number>,
  typing: (path: string, env: (name: string) => IR | undefined) => { num: (e: Expr, what: string) => Typed },
  fail: (path: string, message: string, col?: number) => void,
): Program {
  // Statements run in order: a later one sees what an earlier one wrote.
  const current = new Map<number, IR>();
  const temps: IR[] = [];
  for (const s of statements) {
    const i = varIndex.get(s.target);
    if (i === undefined) { fail(path, `"${s.target}" is not a variable of the equations`, s.col); continue; }
    const v = variables[i]!;
    const env = (name: string): IR | undefined => {
      const k = varIndex.get(name);
      return k !== undefined && current.has(k) ? current.get(k) : undefined;
    };
    // Reads of variables written before come from the temps.
    const typed = typing(path, env).num(s.expr, 'the value');
    if (!sameDim(typed.dim, s.op === '*=' || s.op === '/=' ? DIMENSIONLESS : v.dim)) {
      fail(path, s.op === '*=' || s.op === '/=' ? `${s.op} scales ${s.target} by a dimensionless factor, not ${formatDim(typed.dim)}` : `${s.target} is in ${v.unit} (${formatDim(v.dim)}) but the value is ${formatDim(typed.dim)}`, s.expr.col);
      continue;
    }
    const old: IR = current.get(i) ?? (v.scale === 1 ? { op: 'var', i } : { op: 'mul', a: { op: 'var', i }, b: { op: 'const', v: v.scale } });
    const value: IR = s.op === '=' ? typed.ir : { op: ({ '+=': 'add', '-=': 'sub', '*=': 'mul', '/=': 'div' } as const)[s.op], a: old, b: typed.ir };
    temps.push(value);
    current.set(i, { op: 'tmp', i: temps.length - 1 });
  }
  return { temps, writes: [...current].map(([i, ir]) => ({ i, value: ir })) };
}

// ------------------------------------------------------------ symbolic helpers

export function constValue(ir: IR): number | undefined {
  const f = fold(ir);
  return f.op === 'const' ? f.v : undefined;
}

/** Constant folding with the identities that make derivatives readable (x*0, x+0, x*1, ...). */
export function fold(ir: IR): IR {
  switch (ir.op) {
    case 'const': case 'var': case 'tmp': case 't': case 'decay': case 'coef': case 'istep': return ir;
    case 'add': case 'sub': case 'mul': case 'div': case 'min': case 'max': case 'pow':
    case 'lt': case 'le': case 'gt': case 'ge': case 'eq': case 'ne': case 'and': case 'or': {
      const a = fold(ir.a), b = fold(ir.b);
      const ca = a.op === 'const' ? a.v : undefined, cb = b.op === 'const' ? b.v : undefined;
      if (ca !== undefined && cb !== undefined) return { op: 'const', v: evalBinary(ir.op, ca, cb) };
      // (x + o) < c  ->  x < c - o: a threshold on a variable stored with an offset compares the stored number.
      if (['lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(ir.op) && cb !== undefined && a.op === 'add' && a.b.op === 'const') {
        return fold({ op: ir.op, a: a.a, b: { op: 'const', v: cb - a.b.v } } as IR);
      }
      if (ir.op === 'add') { if (ca === 0) return b; if (cb === 0) return a; }
      if (ir.op === 'sub') { if (cb === 0) return a; if (ca === 0) return { op: 'neg', a: b }; }
      if (ir.op === 'mul') { if (ca === 0 || cb === 0) return { op: 'const', v: 0 }; if (ca === 1) return b; if (cb === 1) return a; }
      // A lazy read times a constant: one coefficient formed with the step's decay (as lif_cond's ke).
      if (ir.op === 'mul' && cb !== undefined && a.op === 'mul' && a.b.op === 'decay') return { op: 'mul', a: { op: 'coef', v: cb, slot: a.b.slot }, b: a.a };
      if (ir.op === 'mul' && ca !== undefined && b.op === 'mul' && b.b.op === 'decay') return { op: 'mul', a: { op: 'coef', v: ca, slot: b.b.slot }, b: b.a };
      if (ir.op === 'div') { if (ca === 0) return { op: 'const', v: 0 }; if (cb === 1) return a; }
      // c x^2 = (c x) x: the product as the built-in models form it (izhikevich's 0.04 v v).
      if (ir.op === 'mul' && ca !== undefined && b.op === 'pow' && b.b.op === 'const' && b.b.v === 2) return { op: 'mul', a: { op: 'mul', a, b: b.a }, b: b.a };
      if (ir.op === 'mul' && cb !== undefined && a.op === 'pow' && a.b.op === 'const' && a.b.v === 2) return { op: 'mul', a: { op: 'mul', a: b, b: a.a }, b: a.a };
      // Constants gather into one factor, formed in f64: x / c = x (1/c), (x a) b = x (a b).
      if (ir.op === 'div' && cb !== undefined && cb !== 0) return fold({ op: 'mul', a, b: { op: 'const', v: 1 / cb } });
      if (ir.op === 'mul' && cb !== undefined && a.op === 'mul' && a.b.op === 'const') return fold({ op: 'mul', a: a.a, b: { op: 'const', v: a.b.v * cb } });
      if (ir.op === 'mul' && cb !== undefined && a.op === 'mul' && a.a.op === 'const') return fold({ op: 'mul', a: a.b, b: { op: 'const', v: a.a.v * cb } });
      return { op: ir.op, a, b } as IR;
    }
    case 'select': {
      const c = fold(ir.c), a = fold(ir.a), b = fold(ir.b);
      if (c.op === 'const') return c.v !== 0 ? a : b;
      return { op: 'select', c, a, b };
    }
    default: {
      const a = fold(ir.a);
      if (a.op === 'const') return { op: 'const', v: evalUnary(ir.op, a.v) };
      if (ir.op === 'neg' && a.op === 'neg') return a.a;
      return { op: ir.op, a } as IR;
    }
  }
}

export function evalBinary(op: string, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b; case 'sub': return a - b; case 'mul': return a * b; case 'div': return a / b;
    case 'min': return Math.min(a, b); case 'max': return Math.max(a, b); case 'pow': return a ** b;
    case 'lt': return +(a < b); case 'le': return +(a <= b); case 'gt': return +(a > b); case 'ge': return +(a >= b);
    case 'eq': return +(a === b); case 'ne': return +(a !== b); case 'and': return +(a !== 0 && b !== 0); case 'or': return +(a !== 0 || b !== 0);
  }
  throw new Error(`no binary ${op}`);
}

export function evalUnary(op: string, a: number): number {
  switch (op) {
    case 'neg': return -a; case 'abs': return Math.abs(a); case 'sqrt': return Math.sqrt(a); case 'exp': return Math.exp(a);
    case 'log': return Math.log(a); case 'tanh': return Math.tanh(a); case 'sin': return Math.sin(a); case 'cos': return Math.cos(a);
    case 'int': return a !== 0 ? 1 : 0; case 'not': return a !== 0 ? 0 : 1;
  }
  throw new Error(`no unary ${op}`);
}

/** d ir / d var i (variables are read through 'var' only, at scale 1 or times a constant). */
export function derivative(ir: IR, i: number): IR {
  const d = (x: IR): IR => derivative(x, i);
  const c = (v: number): IR => ({ op: 'const', v });
  switch (ir.op) {
    case 'const': case 't': case 'decay': case 'coef': case 'istep': return c(0);
    case 'var': return c(ir.i === i ? 1 : 0);
    case 'tmp': throw new Error('derivative of a temporary');
    case 'add': case 'sub': return fold({ op: ir.op, a: d(ir.a), b: d(ir.b) });
    case 'mul': return fold({ op: 'add', a: { op: 'mul', a: d(ir.a), b: ir.b }, b: { op: 'mul', a: ir.a, b: d(ir.b) } });
    case 'div': return fold({ op: 'sub', a: { op: 'div', a: d(ir.a), b: ir.b }, b: { op: 'div', a: { op: 'mul', a: ir.a, b: d(ir.b) }, b: { op: 'mul', a: ir.b, b: ir.b } } });
    case 'neg': return fold({ op: 'neg', a: d(ir.a) });
    case 'exp': return fold({ op: 'mul', a: ir, b: d(ir.a) });
    case 'log': return fold({ op: 'div', a: d(ir.a), b: ir.a });
    case 'sqrt': return fold({ op: 'div', a: d(ir.a), b: { op: 'mul', a: c(2), b: ir } });
    case 'sin': return fold({ op: 'mul', a: { op: 'cos', a: ir.a }, b: d(ir.a) });
    case 'cos': return fold({ op: 'neg', a: { op: 'mul', a: { op: 'sin', a: ir.a }, b: d(ir.a) } });
    case 'tanh': return fold({ op: 'mul', a: { op: 'sub', a: c(1), b: { op: 'mul', a: ir, b: ir } }, b: d(ir.a) });
    case 'pow': {
      // Constant exponents only matter here: d(a^k) = k a^(k-1) da.
      const k = constValue(ir.b);
      const da = d(ir.a);
      if (k !== undefined) return fold({ op: 'mul', a: { op: 'mul', a: c(k), b: { op: 'pow', a: ir.a, b: c(k - 1) } }, b: da });
      return fold({ op: 'mul', a: ir, b: { op: 'add', a: { op: 'mul', a: d(ir.b), b: { op: 'log', a: ir.a } }, b: { op: 'div', a: { op: 'mul', a: ir.b, b: da }, b: ir.a } } });
    }
    default: {
      // abs, min, max, comparisons, conditionals: piecewise; nonzero unless the argument does not depend on i.
      return dependsOn(ir, new Set([i])) ? { op: 'abs', a: { op: 'var', i } } : c(0);
    }
  }
}

/** The same node with f applied to each of its operands (leaves are returned as they are). */
export function mapChildren(ir: IR, f: (x: IR) => IR): IR {
  if (ir.op === 'select') return { op: 'select', c: f(ir.c), a: f(ir.a), b: f(ir.b) };
  if ('b' in ir) return { op: ir.op, a: f(ir.a), b: f(ir.b) } as IR;
  if ('a' in ir) return { op: ir.op, a: f(ir.a) } as IR;
  return ir;
}

/** Whether test holds for some node of the tree. */
export function someNode(ir: IR, test: (x: IR) => boolean): boolean {
  if (test(ir)) return true;
  if (ir.op === 'select') return someNode(ir.c, test) || someNode(ir.a, test) || someNode(ir.b, test);
  if ('b' in ir) return someNode(ir.a, test) || someNode(ir.b, test);
  return 'a' in ir ? someNode(ir.a, test) : false;
}

/** Reads one of vars (a temporary counts: it may). */
export function dependsOn(ir: IR, vars: ReadonlySet<number>): boolean {
  return someNode(ir, (x) => x.op === 'tmp' || (x.op === 'var' && vars.has(x.i)));
}

const usesTime = (ir: IR): boolean => someNode(ir, (x) => x.op === 't');

/** The first variable an expression reads (0 when it reads none). */
function firstVariable(ir: IR): number {
  let first = -1;
  someNode(ir, (x) => { if (x.op === 'var') first = x.i; return x.op === 'var'; });
  return Math.max(first, 0);
}

/** Replaces reads of variable i (or all, by the map) with other IR. */
export function substitute(ir: IR, map: ReadonlyMap<number, IR>): IR {
  return ir.op === 'var' ? map.get(ir.i) ?? ir : mapChildren(ir, (x) => substitute(x, map));
}

type LinearOk = { ok: true; A: number[][]; b: IR[] };
type Linear = LinearOk | { ok: false; why: string };

/** dx/dt = A x + b(params) with A constant: the system the exact propagator integrates. */
function linearSystem(f: IR[], diffs: number[], variables: StateVariable[]): Linear {
  const diffSet = new Set(diffs);
  const A: number[][] = [];
  const b: IR[] = [];
  for (let r = 0; r < f.length; r++) {
    const name = variables[diffs[r]!]!.name;
    if (usesTime(f[r]!)) return { ok: false, why: `d${name}/dt depends on t` };
    const row: number[] = [];
    for (const j of diffs) {
      const dj = fold(derivative(f[r]!, j));
      if (dj.op !== 'const') {
        return { ok: false, why: dependsOn(dj, diffSet) ? `d${name}/dt is not linear in ${variables[j]!.name}` : `the coefficient of ${variables[j]!.name} in d${name}/dt is not a constant (it reads a per-neuron parameter)` };
      }
      row.push(dj.v);
    }
    A.push(row);
    const zero = new Map(diffs.map((j) => [j, { op: 'const', v: 0 } as IR]));
    b.push(fold(substitute(f[r]!, zero)));
  }
  return { ok: true, A, b };
}

/** Why some equation is not linear in its own variable (undefined: each is). */
function conditionallyLinear(f: IR[], diffs: number[]): string | undefined {
  for (let r = 0; r < f.length; r++) {
    const i = diffs[r]!;
    const B = fold(derivative(f[r]!, i));
    if (dependsOn(B, new Set([i]))) return `equation ${r + 1} is not linear in its own variable`;
  }
  return undefined;
}

/** x(t+dt) = P x + Q b with exp([[A, I], [0, 0]] dt) = [[P, Q], [0, I]]. */
function exactProgram(lin: LinearOk, diffs: number[], variables: StateVariable[], storage: readonly Storage[], dt: number): Program {
  const n = diffs.length;
  const M = Array.from({ length: 2 * n }, (_, r) => Array.from({ length: 2 * n }, (_, c) => (r < n && c < n ? lin.A[r]![c]! * dt : r < n && c === r + n ? dt : 0)));
  const E = expm(M);
  const temps: IR[] = [];
  // The inputs b (one temp each when they depend on per-neuron parameters).
  const bs: IR[] = lin.b.map((bi) => {
    if (bi.op === 'const') return bi;
    temps.push(bi);
    return { op: 'tmp', i: temps.length - 1 };
  });
  const writes = diffs.map((i, r) => {
    let value: IR | undefined;
    const add = (term: IR) => { value = value ? { op: 'add', a: value, b: term } : term; };
    // In stored numbers: s_r' = sum_c P_rc (s_c + o_c) + (Q b)_r - o_r; the offsets fold into the constant
    // (zero at the fixed point), a lazy column's coefficient takes the step's decay factor.
    if (storage[i]!.lazy >= 0) return { i, value: { op: 'var', i } as IR };
    // The synaptic terms are summed apart and added last: P v + (c_e ge + c_i gi), the built-in lif's order.
    const lazyTerms: IR[] = [];
    let constant = -storage[i]!.offset;
    for (let c = 0; c < n; c++) {
      const p = E[r]![c]!;
      const j = diffs[c]!;
      const v = variables[j]!;
      const st = storage[j]!;
      if (p === 0) continue;
      constant += p * st.offset;
      if (st.lazy >= 0) { lazyTerms.push({ op: 'mul', a: { op: 'coef', v: p * v.scale, slot: st.lazy as 0 | 1 }, b: { op: 'var', i: j } }); continue; }
      const read: IR = v.scale === 1 ? { op: 'var', i: j } : { op: 'mul', a: { op: 'var', i: j }, b: { op: 'const', v: v.scale } };
      add(p === 1 ? read : { op: 'mul', a: { op: 'const', v: p }, b: read });
    }
    for (let c = 0; c < n; c++) {
      const q = E[r]![n + c]!;
      if (q === 0) continue;
      const bc = bs[c]!;
      if (bc.op === 'const') constant += q * bc.v;
      else add({ op: 'mul', a: { op: 'const', v: q }, b: bc });
    }
    // At the fixed point the constant is rounding: below 1e-12 of the offsets it is zero.
    const size = Math.abs(storage[i]!.offset) + diffs.reduce((m, j) => Math.max(m, Math.abs(storage[j]!.offset)), 0);
    if (Math.abs(constant) > 1e-12 * size) add({ op: 'const', v: constant });
    if (lazyTerms.length) add(lazyTerms.reduce((a, b) => ({ op: 'add', a, b })));
    return { i, value: value ?? { op: 'const', v: 0 } };
  }).filter((w) => !(w.value.op === 'var' && w.value.i === w.i));
  return { temps, writes, stored: true };
}

/** Which variables are lazy and which are stored relative to a fixed point (see Storage). */
function chooseStorage(f: IR[], diffs: number[], variables: StateVariable[], receptors: Record<string, number>, reset: Program, linear: LinearOk | undefined): Storage[] {
  const storage: Storage[] = variables.map(() => ({ offset: 0, lazy: -1, tau: 0 }));
  const resetWrites = new Set(reset.writes.map((w) => w.i));
  (['exc', 'inh'] as const).forEach((name, slot) => {
    const i = receptors[name];
    if (i === undefined) return;
    const r = diffs.indexOf(i);
    const v = variables[i]!;
    if (r < 0 || resetWrites.has(i) || v.unlessRefractory || storage[i]!.lazy >= 0) return;
    // dx/dt = c x with c < 0 constant and nothing else.
    const d = fold(derivative(f[r]!, i));
    if (d.op !== 'const' || !(d.v < 0)) return;
    const rest = fold(substitute(f[r]!, new Map([[i, { op: 'const', v: 0 } as IR]])));
    if (rest.op !== 'const' || rest.v !== 0) return;
    storage[i] = { offset: 0, lazy: slot as 0 | 1, tau: -1 / d.v };
  });
  if (linear && linear.b.every((b) => b.op === 'const')) {
    // The fixed point x* = -A^{-1} b, when A is invertible.
    const xs = solve(linear.A, linear.b.map((b) => -(b as { v: number }).v));
    if (xs) diffs.forEach((i, r) => {
      if (storage[i]!.lazy < 0 && variables[i]!.scale === 1 && Number.isFinite(xs[r]!)) storage[i] = { ...storage[i]!, offset: xs[r]! === 0 ? 0 : xs[r]! };
    });
  }
  return storage;
}

/** Variables whose equation is dx/dt = -x/tau, with their mean over a step relative to the start value. */
function stepMeans(f: IR[], diffs: number[], dt: number): Map<number, number> {
  const out = new Map<number, number>();
  diffs.forEach((i, r) => {
    const d = fold(derivative(f[r]!, i));
    if (d.op !== 'const' || !(d.v < 0)) return;
    const rest = fold(substitute(f[r]!, new Map([[i, { op: 'const', v: 0 } as IR]])));
    if (rest.op !== 'const' || rest.v !== 0) return;
    const x = -d.v * dt;
    out.set(i, -Math.expm1(-x) / x);
  });
  return out;
}

/** Drops the temps nothing reads (a lazy variable's own derivative, say) and renumbers the rest. */
function prune(p: Program): Program {
  const used = new Set<number>();
  const visit = (ir: IR): void => {
    someNode(ir, (x) => {
      if (x.op === 'tmp' && !used.has(x.i)) { used.add(x.i); visit(p.temps[x.i]!); }
      return false;
    });
  };
  p.writes.forEach((w) => visit(w.value));
  if (used.size === p.temps.length) return p;
  const order = [...used].sort((x, y) => x - y);
  const renumber = new Map(order.map((old, k) => [old, k]));
  const re = (ir: IR): IR => (ir.op === 'tmp' ? { op: 'tmp', i: renumber.get(ir.i)! } : mapChildren(ir, re));
  return { temps: order.map((k) => re(p.temps[k]!)), writes: p.writes.map((w) => ({ i: w.i, value: re(w.value) })), stored: p.stored };
}

/** Gaussian elimination with partial pivoting; undefined when A is singular. */
function solve(A: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const M = A.map((row, r) => [...row, b[r]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    if (Math.abs(M[p]![c]!) < 1e-300) return undefined;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const k = M[r]![c]! / M[c]![c]!;
      for (let q = c; q <= n; q++) M[r]![q]! -= k * M[c]![q]!;
    }
  }
  return M.map((row, r) => row[n]! / row[r]!);
}

/** Programs in values (base units) to programs over the stored numbers. */
function toStorage(_variables: readonly StateVariable[], storage: readonly Storage[]) {
  const reads = new Map<number, IR>();
  storage.forEach((st, i) => {
    if (st.lazy >= 0) reads.set(i, { op: 'mul', a: { op: 'var', i }, b: { op: 'decay', slot: st.lazy as 0 | 1 } });
    else if (st.offset !== 0) reads.set(i, { op: 'add', a: { op: 'var', i }, b: { op: 'const', v: st.offset } });
  });
  // A read already scaled (var * scale) stays scaled: offsets apply to scale-1 variables only.
  const expr = (ir: IR): IR => fold(substitute(ir, reads));
  const program = (p: Program): Program => {
    if (p.stored) return prune(p);
    return prune({
      temps: p.temps.map(expr),
      // A lazy variable's update is its decay factor: it is not written.
      writes: p.writes.filter((w) => storage[w.i]!.lazy < 0).map((w) => {
        const st = storage[w.i]!;
        const value = expr(w.value);
        return { i: w.i, value: st.offset !== 0 ? fold({ op: 'sub', a: value, b: { op: 'const', v: st.offset } }) : value };
      }),
      stored: true,
    });
  };
  return { expr, program };
}

/**
 * Each x_i linear in itself: f = A + B x_i with B read at the step's start,
 * x_i(t+dt) = x_i + f dt phi(B dt), phi(z) = (e^z - 1)/z (Brian2's
 * exponential_euler, with phi computed without cancellation near 0).
 */
function expEulerProgram(f: IR[], diffs: number[], _variables: StateVariable[], dt: number): Program {
  const temps: IR[] = [];
  const writes = diffs.map((i, r) => {
    const B = fold(derivative(f[r]!, i));
    const old: IR = { op: 'var', i };
    const v = _variables[i]!;
    const x: IR = v.scale === 1 ? old : { op: 'mul', a: old, b: { op: 'const', v: v.scale } };
    temps.push(f[r]!);
    const fi: IR = { op: 'tmp', i: temps.length - 1 };
    let factor: IR;
    if (B.op === 'const') {
      const z = B.v * dt;
      factor = { op: 'const', v: z === 0 ? dt : (dt * Math.expm1(z)) / z };
    } else {
      temps.push({ op: 'mul', a: B, b: { op: 'const', v: dt } });
      const z: IR = { op: 'tmp', i: temps.length - 1 };
      factor = { op: 'mul', a: { op: 'const', v: dt }, b: phi(z) };
    }
    return { i, value: { op: 'add', a: x, b: { op: 'mul', a: fi, b: factor } } as IR };
  });
  return { temps, writes };
}

/** (e^z - 1)/z: a series for |z| < 0.1 (error below z^5/720), the quotient elsewhere. */
function phi(z: IR): IR {
  const c = (v: number): IR => ({ op: 'const', v });
  const series: IR = { op: 'add', a: c(1), b: { op: 'mul', a: z, b: { op: 'add', a: c(1 / 2), b: { op: 'mul', a: z, b: { op: 'add', a: c(1 / 6), b: { op: 'mul', a: z, b: { op: 'add', a: c(1 / 24), b: { op: 'mul', a: z, b: c(1 / 120) } } } } } } } };
  const quotient: IR = { op: 'div', a: { op: 'sub', a: { op: 'exp', a: z }, b: c(1) }, b: z };
  return { op: 'select', c: { op: 'lt', a: { op: 'abs', a: z }, b: c(0.1) }, a: series, b: quotient };
}

function rkProgram(f: IR[], diffs: number[], variables: StateVariable[], dt: number, method: 'rk4' | 'rk2' | 'euler'): Program {
  const temps: IR[] = [];
  const tmp = (ir: IR): IR => { temps.push(ir); return { op: 'tmp', i: temps.length - 1 }; };
  const x0 = diffs.map((i) => {
    const v = variables[i]!;
    return v.scale === 1 ? { op: 'var', i } as IR : { op: 'mul', a: { op: 'var', i }, b: { op: 'const', v: v.scale } } as IR;
  });
  // f at x (base units) and time t + tau: variables read as given, t shifted.
  const at = (x: IR[], tau: number): IR[] => {
    const map = new Map(diffs.map((i, k) => {
      const v = variables[i]!;
      // f reads var*scale: give it x/scale so the product is x.
      return [i, v.scale === 1 ? x[k]! : { op: 'div', a: x[k]!, b: { op: 'const', v: v.scale } } as IR];
    }));
    return f.map((fi) => tmp(shiftTime(substitute(fi, map), tau)));
  };
  const step = (x: IR[], k: IR[], h: number) => x.map((xi, r) => tmp({ op: 'add', a: xi, b: { op: 'mul', a: k[r]!, b: { op: 'const', v: h } } }));
  let writes: IR[];
  if (method === 'euler') {
    // f inline (each is used once): its constant factors then fold with dt, x + f dt = x + (a dt) g.
    writes = x0.map((xi, r) => fold({ op: 'add', a: xi, b: { op: 'mul', a: f[r]!, b: { op: 'const', v: dt } } }));
  } else if (method === 'rk2') {
    const k1 = at(x0, 0);
    const k2 = at(step(x0, k1, dt / 2), dt / 2);
    writes = x0.map((xi, r) => ({ op: 'add', a: xi, b: { op: 'mul', a: k2[r]!, b: { op: 'const', v: dt } } }));
  } else {
    const k1 = at(x0, 0);
    const k2 = at(step(x0, k1, dt / 2), dt / 2);
    const k3 = at(step(x0, k2, dt / 2), dt / 2);
    const k4 = at(step(x0, k3, dt), dt);
    writes = x0.map((xi, r) => ({
      op: 'add', a: xi, b: {
        op: 'mul', a: { op: 'const', v: dt / 6 },
        b: { op: 'add', a: { op: 'add', a: k1[r]!, b: { op: 'mul', a: { op: 'const', v: 2 }, b: k2[r]! } }, b: { op: 'add', a: { op: 'mul', a: { op: 'const', v: 2 }, b: k3[r]! }, b: k4[r]! } },
      },
    }));
  }
  return { temps, writes: diffs.map((i, r) => ({ i, value: writes[r]! })) };
}

function shiftTime(ir: IR, tau: number): IR {
  if (tau === 0) return ir;
  return ir.op === 't' ? { op: 'add', a: ir, b: { op: 'const', v: tau } } : mapChildren(ir, (x) => shiftTime(x, tau));
}
