// The HTTP API's bodies as TypeBox schemas: the server validates against
// them (and its handlers are typed by them, through fastify's TypeBox type
// provider); the page imports their types (type-only, so the page loads no
// TypeBox). Models are not described here: hebb's validator checks them.

import { Type, type Static } from '@sinclair/typebox';
import { RUN_KINDS } from './messages.js';

export const Issue = Type.Object({ path: Type.String(), message: Type.String(), rule: Type.Optional(Type.String()) });

/** Every error: the HTTP status, a stable code, and the issues of a bad model. */
export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
  issues: Type.Optional(Type.Array(Issue)),
});
export type ErrorReply = Static<typeof ErrorReply>;

export const Pace = Type.Union([
  Type.Object({ mode: Type.Literal('max') }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('realtime'), speed: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000, default: 1, description: 'biological ms per wall ms' })) }, { additionalProperties: false }),
], { title: '{ "mode": "max" } or { "mode": "realtime", "speed": x }' });
export type Pace = Static<typeof Pace>;

/** A model in the model format: hebb's validator checks it, and its issues are JSON Pointers into it. */
export const ModelBody = Type.Unknown({ description: 'a model in the model format (src/model/schema.ts)' });

export const PresetInfo = Type.Object({ name: Type.String(), description: Type.String() });
export type PresetInfo = Static<typeof PresetInfo>;

export const OptionInfo = Type.Object({
  type: Type.Union([Type.Literal('number'), Type.Literal('integer'), Type.Literal('numbers'), Type.Literal('string'), Type.Literal('boolean')]),
  default: Type.Unknown(),
  description: Type.String(),
  choices: Type.Optional(Type.Array(Type.String())),
});
export const ExperimentInfo = Type.Object({
  name: Type.String(),
  description: Type.String(),
  /** Its network can be watched live (POST /api/runs { experiment }). */
  watchable: Type.Boolean(),
  options: Type.Record(Type.String(), OptionInfo),
  /** The options' JSON schema (types, ranges, defaults). */
  schema: Type.Unknown(),
});
export type ExperimentInfo = Static<typeof ExperimentInfo>;

export const ResultInfo = Type.Object({ name: Type.String(), experiment: Type.String(), modified: Type.String() });
export type ResultInfo = Static<typeof ResultInfo>;

export const ValidateBody = Type.Object({ model: ModelBody }, { additionalProperties: false });
export const ValidateReply = Type.Object({ valid: Type.Boolean(), model: Type.Unknown() });

export const CreateRun = Type.Object({
  preset: Type.Optional(Type.String({ description: 'a preset name (or give "model" or "experiment")' })),
  experiment: Type.Optional(Type.String({ description: 'an experiment whose network to watch (GET /api/experiments: watchable)' })),
  run_experiment: Type.Optional(Type.String({ description: 'an experiment to run in full (its progress, live views and results stream; its files download when it ends)' })),
  options: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'run_experiment: its options (GET /api/experiments lists them; checked by the experiment\'s schema)' })),
  model: Type.Optional(ModelBody),
  set: Type.Optional(Type.Array(Type.String(), { description: 'overrides PATH=VALUE, as hebb run --set' })),
  duration_ms: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'simulated time; null runs until stopped' })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  pace: Type.Optional(Pace),
  wait_for_watcher: Type.Optional(Type.Boolean({ default: true, description: 'start when the first watcher connects' })),
  stop_when_unwatched: Type.Optional(Type.Boolean({ default: false, description: 'stop when the last watcher leaves' })),
  threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'threads that run each step (default: the cores, fewer for networks too small to gain from them; never more than the server\'s cores); the spikes do not depend on it' })),
}, { additionalProperties: false });
export type CreateRun = Static<typeof CreateRun>;

/** What a run is: a network (a model or an experiment's network) or an experiment run in full. */
export const RunKind = Type.Union(RUN_KINDS.map((k) => Type.Literal(k)));
export type RunKind = Static<typeof RunKind>;

export const RunInfo = Type.Object({
  id: Type.String(), kind: RunKind, name: Type.String(), state: Type.String(), created: Type.String(),
  duration_ms: Type.Union([Type.Number(), Type.Null()]), pace: Type.Unknown(), t_ms: Type.Number(), watchers: Type.Integer(),
  wait_for_watcher: Type.Boolean(), stop_when_unwatched: Type.Boolean(),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  /** A network run's size: neurons, and the synapses its model is expected to make. */
  neurons: Type.Optional(Type.Integer()),
  synapses: Type.Optional(Type.Integer()),
  /** Why the run stopped when no one asked it to (idle expiry). */
  reason: Type.Optional(Type.String()),
  summary: Type.Optional(Type.Unknown()),
  links: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export type RunInfo = Static<typeof RunInfo>;

export const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }) });
export const NameParams = Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }) });
export const RUN_FILES = ['spikes.msgpack', 'spikes.csv', 'summary.json', 'state.csv', 'report.html'] as const;
export const FileParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }),
  file: Type.Union(RUN_FILES.map((f) => Type.Literal(f)), { title: RUN_FILES.join(', ') }),
});
