// equations: a neuron model the user writes as equations (Brian2's
// notation) instead of naming a built-in one. The population gives
// "equations" (lines), "threshold", "reset", "refractory", "method",
// "params" (shared constants with units, "20 ms") and "receptors" (which
// variable the exc and inh synapses add to). The symbolic work is
// src/equations; the kernel runs the generated WebAssembly
// (assembly/models/equations.ts).

import { Type } from '@sinclair/typebox';
import { InitValue, checkValue } from '../values.js';
import { defineNeuron, type PopulationOf, type VariableSpec } from './types.js';
import { compileEquations, EquationError, METHODS, type CompiledModel, type EquationSpec } from '../../equations/model.js';

const Line = Type.String({ maxLength: 4096 });
const Params = Type.Record(Type.String({ maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.Union([Type.Number(), Type.String({ maxLength: 128 })]), {
  default: {}, description: 'shared constants with their units ("20 ms", "-70 mV", "0.5 nS"); numbers are dimensionless',
});

type Pop = PopulationOf<Record<string, number | string>> & EquationSpec;

// One compilation per population object and step (validation and build read the same object).
const compiled = new WeakMap<object, Map<number, CompiledModel>>();

/** The population's equations compiled for step dt (throws an EquationError). */
export function compiledEquations(pop: object, dt: number): CompiledModel {
  let byDt = compiled.get(pop);
  if (!byDt) { byDt = new Map(); compiled.set(pop, byDt); }
  let c = byDt.get(dt);
  if (!c) {
    const p = pop as Pop;
    c = compileEquations({ ...p, params: p.params ?? {} }, dt);
    byDt.set(dt, c);
  }
  return c;
}

/** Issue paths of the compiler ("equations (line 3)") as JSON pointers with the line in the message. */
function pointer(path: string, message: string): [string, string] {
  const m = /^equations \(line (\d+)\)$/.exec(path);
  return m ? ['equations', `line ${m[1]}: ${message}`] : [path, message];
}

export const equations = defineNeuron<Record<string, number | string>>({
  name: 'equations',
  description: 'a model written as equations: "equations" (dv/dt = (v_rest - v)/tau_m : mV), "threshold", "reset", "refractory", "method", "params" with units, "receptors" (weights in the unit of the receptor\'s variable); i_step in an equation is the population\'s step current ("current", pA)',
  params: Params as never,
  variables: {},
  variablesOf: (pop) => {
    try {
      return Object.fromEntries(compiledEquations(pop, 0.1).variables.map((v) => [v.name, { unit: v.unit as never, description: `${v.kind === 'diff' ? 'state' : 'parameter'} variable of the equations` } satisfies VariableSpec]));
    } catch {
      return {};
    }
  },
  synapses: { weightUnit: 'the unit of the variable the receptor adds to', receptors: true, conductance: false },
  inputs: { current: true, poissonInput: true },
  initSchema: Type.Record(Type.String({ maxLength: 64 }), InitValue, { description: 'initial values of the variables (0 unless given)' }),
  extra: {
    equations: Type.Union([Line, Type.Array(Line, { minItems: 1, maxItems: 256 })], { description: 'differential equations, subexpressions and per-neuron parameters, one per line, with units' }),
    threshold: Type.Optional(Type.String({ maxLength: 4096, description: 'spike condition on the state after the step (e.g. "v > v_th")' })),
    reset: Type.Optional(Type.Union([Line, Type.Array(Line, { maxItems: 256 })], { description: 'statements run at a spike ("v = v_reset", "w += b")' })),
    refractory: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.String({ maxLength: 64 })], { description: 'refractory period ("5 ms"): no spike, and variables flagged (unless refractory) are held' })),
    method: Type.Optional(Type.Union(METHODS.map((m) => Type.Literal(m)), { description: 'integration: exact (linear, constant coefficients; the default where it applies), exponential_euler, rk4, rk2, euler' })),
    spike_timing: Type.Optional(Type.Union([Type.Literal('grid'), Type.Literal('located')], { description: 'grid (default): a spike at the end of the step that crosses the threshold; located: the crossing found within the step (the neurons that cross, or whose first threshold variable moves fast, are integrated again in f64 with RK4 substeps; the spike keeps its time, the reset applies there) - for models with a fast upstroke such as adex' })),
    receptors: Type.Optional(Type.Record(Type.String({ maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 64 }), { description: 'receptor names (as projections and poisson_input give them: "exc", "inh", or any other) and the variable each adds to' })),
  },
  check: (pop, at, add) => {
    // Names are short: a hostile key must not be echoed back whole.
    const long = [...Object.keys(pop.params ?? {}).map((k) => ['params', k]), ...Object.keys(pop.init ?? {}).map((k) => ['init', k])].filter(([, k]) => k!.length > 64);
    for (const [where, k] of long) add(`${at}/${where}/${k!.slice(0, 64)}...`, `names are at most 64 characters (this one has ${k!.length})`);
    if (long.length) return;
    try {
      const c = compiledEquations(pop, 0.1);
      const names = new Set(c.variables.map((v) => v.name));
      for (const [name, value] of Object.entries((pop.init ?? {}) as Record<string, InitValue | undefined>)) {
        if (!names.has(name)) add(`${at}/init/${name}`, `the equations have no variable "${name}" (they have ${[...names].join(', ')})`);
        else if (Array.isArray(value)) { if (value.length !== pop.size) add(`${at}/init/${name}`, `needs one value per neuron: ${pop.size} (got ${value.length})`); }
        else if (value !== undefined) checkValue(value, `${at}/init/${name}`, add);
      }
    } catch (e) {
      if (!(e instanceof EquationError)) throw e;
      for (const issue of e.issues) {
        const [path, message] = pointer(issue.path, issue.message);
        add(`${at}/${path}`, message);
      }
    }
  },
  kernel: () => ({}),
  initial: () => ({}),
  compile: (pop, port) => {
    const c = compiledEquations(pop, port.dt);
    port.defineEquations(c);
  },
  setup: (pop, port) => {
    for (const [name, v] of Object.entries((pop.init ?? {}) as Record<string, InitValue>)) port.initState(name, v);
  },
});
