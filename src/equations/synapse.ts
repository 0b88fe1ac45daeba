// Plasticity written as equations (Brian2's Synapses): per-synapse
// event-driven variables that decay exponentially between events
// (`dapre/dt = -apre/taupre : 1 (event-driven)`), clock-driven synaptic
// equations integrated every step with forward Euler (`dw/dt = ... : 1
// (clock-driven)`, for rules with a continuous part such as Clopath et al.
// 2010), the weight `w` (a number in the projection's weight unit),
// statements run when a presynaptic spike reaches a synapse (`on_pre`) and
// when a postsynaptic spike reaches it back (`on_post`), and reads of the
// two neurons' variables as NAME_pre and NAME_post (`v_post`). The
// event-driven variables are brought to the event's time exactly before the
// statements run. Statements and equations are typed and unit-checked by
// the neuron compiler.

import { compileEquations, EquationError, mapChildren, someNode, type EquationIssue, type IR, type Program } from './model.js';

export interface SynapseSpec {
  equations?: string | readonly string[] | undefined;
  on_pre?: string | readonly string[] | undefined;
  on_post?: string | readonly string[] | undefined;
  params?: Readonly<Record<string, number | string>> | undefined;
}

/** The variables of the two populations a synapse joins (name -> unit), for NAME_pre and NAME_post. */
export interface SynapseContext {
  readonly pre: Readonly<Record<string, string>>;
  readonly post: Readonly<Record<string, string>>;
  /** The step (ms) clock-driven equations are integrated with. */
  readonly dt: number;
}

/** A neuron variable a synapse reads. */
export interface ExternalRead { readonly side: 'pre' | 'post'; readonly name: string }

export interface CompiledSynapse {
  /** The synaptic variables (event-driven first, then clock-driven), w, then the neuron variables read. */
  readonly variables: readonly string[];
  /** Decay time constant of each event-driven variable (ms). */
  readonly taus: readonly number[];
  /** Indices of the clock-driven variables (w among them when it has an equation). */
  readonly clock: readonly number[];
  /** The neuron variables read, at indices w + 1, w + 2, ... */
  readonly reads: readonly ExternalRead[];
  readonly onPre: Program;
  readonly onPost: Program;
  /** One forward-Euler step of the clock-driven variables (empty when there are none). */
  readonly step: Program;
  /**
   * Where each synaptic variable lives: 0 per synapse; 1 per presynaptic
   * neuron, 2 per postsynaptic neuron (an event-driven variable that only
   * its own side's event changes, from itself alone: a trace, the same for
   * every synapse of the neuron, kept once per neuron with lazy decay).
   */
  readonly sides: readonly (0 | 1 | 2)[];
}

const lines = (x: string | readonly string[] | undefined): string[] => (x === undefined ? [] : typeof x === 'string' ? x.split('\n') : [...x]);
const EVENT = /\(\s*event-driven\s*\)/;
const CLOCK = /\(\s*clock-driven\s*\)/;

/** Compiles a synapse model; throws an EquationError with paths below the plasticity object. */
export function compileSynapse(spec: SynapseSpec, context: SynapseContext = { pre: {}, post: {}, dt: 0.1 }): CompiledSynapse {
  const eqs = lines(spec.equations);
  const issues: EquationIssue[] = [];
  eqs.forEach((line, k) => {
    if (line.trim() === '') return;
    if (/^\s*w\s*:/.test(line)) issues.push({ path: `equations/${k}`, message: 'w is the synapse\'s weight and always there: do not declare it' });
    else if (!EVENT.test(line) && !CLOCK.test(line)) issues.push({ path: `equations/${k}`, message: 'flag each synaptic equation "(event-driven)" (decays between events) or "(clock-driven)" (integrated every step)' });
    else if (/^\s*dw\s*\/\s*dt/.test(line) && EVENT.test(line)) issues.push({ path: `equations/${k}`, message: 'w changes in on_pre and on_post, or continuously with "(clock-driven)"' });
  });
  if (issues.length) throw new EquationError(issues);
  const event = eqs.filter((l) => EVENT.test(l));
  const clock = eqs.filter((l) => CLOCK.test(l));
  // The neuron variables named NAME_pre and NAME_post anywhere, as per-neuron parameters of the compiled model.
  const text = [...eqs, ...lines(spec.on_pre), ...lines(spec.on_post)].join('\n');
  const reads: ExternalRead[] = [];
  for (const m of text.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)_(pre|post)\b/g)) {
    const side = m[2] as 'pre' | 'post', name = m[1]!;
    if (context[side][name] === undefined || reads.some((r) => r.side === side && r.name === name)) continue;
    reads.push({ side, name });
  }
  const readLines = reads.map((r) => `${r.name}_${r.side} : ${context[r.side][r.name] || '1'}`);
  // Compilation 1, for the events: event-driven variables (exact), clock-driven ones and w as parameters.
  const nameOf = (l: string) => /^\s*d(\w+)\s*\/\s*dt/.exec(l)?.[1] ?? '';
  const clockNames = clock.map(nameOf);
  const asParams = clock.filter((l) => nameOf(l) !== 'w').map((l) => `${nameOf(l)} : ${unitOf(l)}`);
  const mapIssues = (which: string) => (e: unknown): never => {
    if (!(e instanceof EquationError)) throw e;
    throw new EquationError(e.issues.map((i) => ({
      path: i.path === 'reset' ? which : i.path === 'method' ? 'equations' : i.path.replace(/^equations\/(\d+)$/, (_, n) => `equations/${eqs.indexOf([...event, ...clock][Number(n)] ?? '')}`),
      message: i.path === 'method' ? 'event-driven variables decay exponentially and alone: dX/dt = -X/tau' : i.message,
    })));
  };
  const eventLines = [...event.map((l) => l.replace(EVENT, '')), ...asParams, 'w : 1', ...readLines];
  const compileEvent = (which: 'on_pre' | 'on_post') => {
    const statements = lines(spec[which]).join('\n');
    try {
      return compileEquations({
        equations: event.length ? eventLines : ['d_unused/dt = -_unused/ms : 1', ...eventLines],
        threshold: statements.trim() ? 'False' : undefined, reset: statements.trim() ? statements : undefined,
        params: spec.params ?? {}, method: 'exact',
      }, 1);
    } catch (e) {
      return mapIssues(which)(e);
    }
  };
  const pre = compileEvent('on_pre'), post = compileEvent('on_post');
  // Without event-driven variables a placeholder one keeps the compiler's rules; it is dropped here.
  const offset = event.length ? 0 : 1;
  const shift = (p: Program): Program => offset ? shiftVars(p, -1) : p;
  const names = pre.variables.slice(offset).map((v) => v.name);
  const nEv = event.length;
  const taus = pre.variables.slice(offset, offset + nEv).map((v, k) => {
    const w = pre.update.writes.find((x) => x.i === k);
    const p = w ? decayFactor(w.value, k) : 1;
    if (p === undefined || !(p > 0 && p <= 1)) {
      throw new EquationError([{ path: `equations/${eqs.indexOf(event[k]!)}`, message: `${v.name}: event-driven variables decay exponentially and alone (d${v.name}/dt = -${v.name}/tau)` }]);
    }
    return p === 1 ? Infinity : -1 / Math.log(p);
  });
  // Compilation 2, for the steps: the clock-driven equations (Euler), everything else a parameter.
  let step: Program = { temps: [], writes: [] };
  const clockIdx: number[] = [];
  if (clock.length) {
    const stepLines = names.map((n, k) => {
      const line = clock.find((l) => new RegExp(`^\\s*d${n}\\s*/\\s*dt`).test(l));
      if (line) return line.replace(CLOCK, '');
      if (k < nEv) return `${n} : ${unitOf(event[k]!)}`;
      if (n === 'w') return 'w : 1';
      return readLines.find((x) => x.startsWith(`${n} :`)) ?? `${n} : 1`;
    });
    try {
      step = compileEquations({ equations: stepLines, params: spec.params ?? {}, method: 'euler' }, context.dt).update;
      names.forEach((n, k) => { if (clockNames.includes(n)) clockIdx.push(k); });
    } catch (e) {
      mapIssues('equations')(e);
    }
  }
  const onPre = shift(pre.reset), onPost = shift(post.reset);
  const sides = names.slice(0, names.indexOf('w')).map((_, k): 0 | 1 | 2 => {
    if (k >= nEv) return 0;
    const inPre = onPre.writes.some((w) => w.i === k), inPost = onPost.writes.some((w) => w.i === k);
    if (inPre === inPost) return 0;
    const program = inPre ? onPre : onPost;
    const own = program.writes.filter((w) => w.i === k).every((w) => readsOnly(program, w.value, k));
    // Read by the step (clock-driven equations) is fine: the value is the neuron's.
    return own ? (inPre ? 1 : 2) : 0;
  });
  return { variables: names, taus, clock: clockIdx, reads, onPre, onPost, step, sides };
}

/** The unit after the last ":" of an equation line, flags dropped. */
function unitOf(line: string): string {
  const after = line.slice(line.lastIndexOf(':') + 1);
  return after.replace(/\(.*\)/, '').trim() || '1';
}

/** p when the IR is p * var k (or var k + c with c = 0), undefined otherwise. */
function decayFactor(ir: IR, k: number): number | undefined {
  if (ir.op === 'var' && ir.i === k) return 1;
  if (ir.op === 'mul' && ir.a.op === 'const' && ir.b.op === 'var' && ir.b.i === k) return ir.a.v;
  return undefined;
}

/** A program with every variable index moved by d (a placeholder variable dropped). */
function shiftVars(p: Program, d: number): Program {
  const re = (ir: IR): IR => (ir.op === 'var' ? { op: 'var', i: ir.i + d } : mapChildren(ir, re));
  return { temps: p.temps.map(re), writes: p.writes.map((w) => ({ i: w.i + d, value: re(w.value) })), ...(p.stored ? { stored: true } : {}) };
}

/** Whether an expression (through the program's temps) reads no variable but k. */
function readsOnly(p: Program, ir: IR, k: number): boolean {
  return !someNode(ir, (x) => (x.op === 'var' && x.i !== k) || (x.op === 'tmp' && !readsOnly(p, p.temps[x.i]!, k)));
}
