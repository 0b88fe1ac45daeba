// What a neuron model is on the host side: one object per model (one file
// each, registered by one line in index.ts) that the schema, the
// validator, the network builder, the recorders and the live view derive
// everything from. Its kernel part (assembly/models/) declares the same
// name, the parameters it reads and its state variables.

import type { TObject, TSchema } from '@sinclair/typebox';
import type { InitValue, Add, Unit } from '../values.js';
import type { CompiledModel } from '../../equations/model.js';

/** A state variable as the model format names it (init, record). */
export interface VariableSpec {
  unit: Unit | 'energy' | '1';
  description: string;
}

/** How synapses onto the model act. */
export interface SynapseSpec {
  /** What a weight means (its unit and the variable it jumps). */
  weightUnit: string;
  /** Weights add to ge ("exc") or gi ("inh"); false: a weight acts on v itself. */
  receptors: boolean;
  /** Weights are conductances: they must be >= 0. */
  conductance: boolean;
}

/** Kernel calls a model's setup may make beyond parameters and initial values. */
export interface SetupPort {
  readonly seed: number;
  readonly dt: number;
  /** The population's index in the kernel (part of its random streams' addresses). */
  readonly index: number;
  /** Patterns of a binary population (+-1, P x N row-major), when it has any. */
  readonly patterns: Float32Array | undefined;
  initState(variable: string, value: InitValue): void;
  setSourceTimes(offsets: Uint32Array, times: Float64Array): void;
  setTemperatureSchedule(steps: Int32Array, values: Float64Array): void;
  writeBinaryStates(states: Int8Array): void;
}

/** What a model's compile step may do in the kernel. */
export interface CompilePort {
  readonly dt: number;
  defineEquations(model: CompiledModel): void;
}

/** A population of the model as validated (defaults filled in). */
export interface PopulationOf<P> {
  name: string;
  size: number;
  model: string;
  params: P;
  init?: Record<string, unknown> | undefined;
  [field: string]: unknown;
}

export interface NeuronModel<P = Record<string, unknown>> {
  /** As in the model JSON and the kernel's registry. */
  readonly name: string;
  /** One line for the schema and the docs, with the unit of its weights. */
  readonly description: string;
  /** TypeBox object of the parameters: units, ranges and defaults. */
  readonly params: TObject;
  /** The parameters have required fields (no usable default for all). */
  readonly paramsRequired?: boolean;
  /** State variables a model can initialise and record (`count` comes with every model). */
  readonly variables: Readonly<Record<string, VariableSpec>>;
  /** null: a source, which nothing connects to. */
  readonly synapses: SynapseSpec | null;
  /** Couplings that act at once on local fields (binary units): only to their own kind. */
  readonly coupling?: boolean;
  /** Its kernel update runs split across threads (the kernel model's rangeUpdate): only such
   * neurons make the default thread count grow (src/sim/simulation.ts, defaultThreads). */
  readonly threaded?: boolean;
  /** Which population-level inputs the model takes. */
  readonly inputs: {
    readonly current: boolean;
    readonly poissonInput: boolean;
    /** Event-driven: external Poisson spikes can arrive at their exact times (and do by default). */
    readonly exactPoisson?: boolean;
  };
  /** The schema of "init" when it is not one InitValue per variable (null: no init). */
  readonly initSchema?: TSchema | null;
  /** Population fields beyond name, size, model, params, init, current, poisson_input. */
  readonly extra?: Readonly<Record<string, TSchema>>;

  /** Rules that span fields (v_reset < v_thresh, ...): one issue each. */
  check?(pop: PopulationOf<P>, at: string, add: Add): void;
  /** Why a variable has no value in this population, if it has none (e.g. no adaptive threshold). */
  absent?(params: P, variable: string): string | undefined;
  /** The kernel's parameters (its names) from the model's. */
  kernel(params: P): Record<string, number | string | boolean>;
  /** Initial values before the population's own "init". */
  initial(params: P): Record<string, InitValue>;
  /** Kernel set-up beyond parameters and initial values. */
  setup?(pop: PopulationOf<P>, port: SetupPort): void;
  /** Variables of one population, when they are the population's own (equations). */
  variablesOf?(pop: PopulationOf<P>): Readonly<Record<string, VariableSpec>>;
  /** Code generated for the population, before its parameters are set (equations). */
  compile?(pop: PopulationOf<P>, port: CompilePort): void;
}

/** Declares a model with its parameters' type flowing into its callbacks. */
export function defineNeuron<P>(model: NeuronModel<P>): NeuronModel<P> {
  return model;
}
