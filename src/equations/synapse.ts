// Plasticity written as equations (Brian2's Synapses): per-synapse
// event-driven variables that decay exponentially between events
// (`dapre/dt = -apre/taupre : 1 (event-driven)`), the weight `w` (a number
// in the projection's weight unit), and statements run when a presynaptic
// spike reaches a synapse (`on_pre`) and when a postsynaptic spike reaches it
// back (`on_post`). The event-driven variables are brought to the event's
// time exactly (x e^{-(t - t_last)/tau}) before the statements run. The
// statements are typed and unit-checked by the neuron compiler (they are
// a reset program over the synapse's variables).

import { compileEquations, EquationError, type EquationIssue, type IR, type Program } from './model.js';

export interface SynapseSpec {
  equations?: string | readonly string[] | undefined;
  on_pre?: string | readonly string[] | undefined;
  on_post?: string | readonly string[] | undefined;
  params?: Readonly<Record<string, number | string>> | undefined;
}

export interface CompiledSynapse {
  /** The event-driven variables, then w (the last). */
  readonly variables: readonly string[];
  /** Decay time constant of each event-driven variable (ms). */
  readonly taus: readonly number[];
  readonly onPre: Program;
  readonly onPost: Program;
}

const lines = (x: string | readonly string[] | undefined): string[] => (x === undefined ? [] : typeof x === 'string' ? x.split('\n') : [...x]);

/** Compiles a synapse model; throws an EquationError with paths below the plasticity object. */
export function compileSynapse(spec: SynapseSpec): CompiledSynapse {
  const eqs = lines(spec.equations);
  const issues: EquationIssue[] = [];
  eqs.forEach((line, k) => {
    if (/^\s*w\s*:/.test(line) || /^\s*dw\s*\/\s*dt/.test(line)) issues.push({ path: `equations/${k}`, message: 'w is the synapse\'s weight: it changes only in on_pre and on_post' });
    else if (line.trim() !== '' && !/\(\s*event-driven\s*\)\s*(#.*)?$/.test(line)) issues.push({ path: `equations/${k}`, message: 'synaptic variables are event-driven here: flag the line "(event-driven)"' });
  });
  if (issues.length) throw new EquationError(issues);
  // One compilation per event: the statements are the neuron compiler's reset, over (event-driven variables..., w).
  const compile = (which: 'on_pre' | 'on_post') => {
    const statements = lines(spec[which]).join('\n');
    try {
      return compileEquations({
        equations: [...eqs.map((l) => l.replace(/\(\s*event-driven\s*\)/, '')), 'w : 1'],
        threshold: statements.trim() ? 'False' : undefined, reset: statements.trim() ? statements : undefined,
        params: spec.params ?? {}, method: 'exact',
      }, 1);
    } catch (e) {
      if (!(e instanceof EquationError)) throw e;
      throw new EquationError(e.issues.map((i) => ({
        path: i.path === 'reset' ? which : i.path === 'method' ? 'equations' : i.path.replace(/^equations \(line (\d+)\)$/, (_, n) => `equations/${Number(n) - 1}`),
        message: i.path === 'method' ? 'event-driven variables decay exponentially and alone: dX/dt = -X/tau' : i.message,
      })));
    }
  };
  const pre = compile('on_pre'), post = compile('on_post');
  const nEv = pre.variables.length - 1;
  // Each event-driven variable: its exact one-step update (dt = 1 ms) is p x alone, p = e^{-1/tau}.
  const taus = pre.variables.slice(0, nEv).map((v, k) => {
    const w = pre.update.writes.find((x) => x.i === k);
    const p = w ? decayFactor(w.value, k) : 1;
    if (p === undefined || !(p > 0 && p <= 1)) {
      throw new EquationError([{ path: `equations/${k}`, message: `${v.name}: event-driven variables decay exponentially and alone (d${v.name}/dt = -${v.name}/tau)` }]);
    }
    return p === 1 ? Infinity : -1 / Math.log(p);
  });
  return { variables: pre.variables.map((v) => v.name), taus, onPre: pre.reset, onPost: post.reset };
}

/** p when the IR is p * var k (or var k + c with c = 0), undefined otherwise. */
function decayFactor(ir: IR, k: number): number | undefined {
  if (ir.op === 'var' && ir.i === k) return 1;
  if (ir.op === 'mul' && ir.a.op === 'const' && ir.b.op === 'var' && ir.b.i === k) return ir.a.v;
  return undefined;
}
