// The wire protocol between a run and its watchers: MessagePack frames over a
// WebSocket. Bulk data travels as typed arrays (msgpack ext types holding the
// raw little-endian bytes), so a spike costs a few bytes and decodes without
// parsing. This module is shared by the server and the browser page: it
// imports nothing but @msgpack/msgpack.

import { ExtensionCodec, encode, decode } from '@msgpack/msgpack';

export const PROTOCOL_VERSION = 2;

// ------------------------------------------------------------------ typed arrays

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
const TYPED: [number, new (b: ArrayBuffer) => Typed][] = [
  [1, Uint16Array], [2, Uint32Array], [3, Int32Array], [4, Float32Array], [5, Float64Array],
];

const codec = new ExtensionCodec();
for (const [type, Ctor] of TYPED) {
  codec.register({
    type,
    encode: (x: unknown) => (x instanceof Ctor ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : null),
    // Copy into a fresh buffer: the bytes sit at any offset of the frame (and a
    // Node Buffer's slice() would not copy).
    decode: (data: Uint8Array) => new Ctor(new Uint8Array(data).buffer),
  });
}

// ------------------------------------------------------------------ frames

/** recorded: its spikes are streamed (false: counted only). */
export interface PopulationInfo { name: string; size: number; model: string; first: number; clock: boolean; recorded?: boolean }

/**
 * A binary population drawn as an image: rows x cols units (row-major), and
 * its stored patterns (pattern-major, 1 = on), up to a few.
 */
export interface ImageInfo { population: string; rows: number; cols: number; patterns: Uint8Array; count: number }
export interface ProbeInfo { population: string; variable: string; neuron: number }

/** A network advanced step by step (a model, or an experiment's network), or an experiment run in full. */
export const RUN_KINDS = ['network', 'experiment'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export interface HelloFrame {
  type: 'hello';
  v: number;
  run: {
    id: string;
    kind: RunKind;
    name: string;
    dt_ms: number;
    /** null: runs until stopped. */
    duration_ms: number | null;
    /** The network's populations (none for an experiment run). */
    populations: PopulationInfo[];
    probes: ProbeInfo[];
    state: RunState;
    /** Binary populations with an image shape (lattices, MNIST digits, square sizes). */
    images?: ImageInfo[];
  };
}

/**
 * Spikes of the interval (t0, t1]. Per population: local neuron ids, and
 * either steps (clock-driven populations: the spike of step step0 + s is at
 * (step0 + s + 1) dt exactly) or offsets (event-driven: t0 + offset, f32).
 */
export interface SpikeBlock {
  pop: number;
  ids: Uint16Array | Uint32Array;
  steps?: Uint16Array | Uint32Array;
  offsets?: Float32Array;
}
export interface SpikesFrame { type: 'spikes'; t0: number; t1: number; step0: number; dt: number; blocks: SpikeBlock[] }

/** State samples: row r taken at times[r], values row-major (rows x probes). */
export interface StateFrame { type: 'state'; times: Float64Array; values: Float32Array; probes: number }

export type RunState = 'waiting' | 'running' | 'paused' | 'done' | 'stopped' | 'error';

export interface ProgressFrame {
  type: 'progress';
  state: RunState;
  t_ms: number;
  wall_ms: number;
  /** Spikes per population since the start. */
  spikes: number[];
  /** Rate per population over the interval since the previous progress frame (Hz). */
  rates_hz: number[];
  /** Biological ms per wall ms over that interval (0 for an experiment run). */
  speed: number;
  /** Fraction of the run done, 0 to 1 (null: a network running until stopped). */
  fraction: number | null;
}

/**
 * Weights of a projection at t_ms: chosen synapses (pairs = pre0, post0,
 * pre1, post1, ...) and/or a histogram (bin edges and counts).
 */
export interface WeightsFrame {
  type: 'weights';
  t_ms: number;
  projection: string;
  /** The weights' unit (nS, mV, ...). */
  unit?: string;
  /** A quantity to plot the recorded synapses against (the model's record.weights[].axis). */
  axis?: { label: string; unit?: string; values: number[] };
  pairs?: Uint32Array;
  values?: Float32Array;
  edges?: Float64Array;
  counts?: Uint32Array;
}

/**
 * Energy samples of binary populations taken at times[r]: the summed energy,
 * and per population its energy, magnetisation and overlaps with its stored
 * patterns (rows x patterns, row-major). state: the latest states of image
 * populations (1 = on), to draw the lattice or the recalled pattern.
 */
export interface EnergyFrame {
  type: 'energy';
  times: Float64Array;
  energy: Float64Array;
  populations: { name: string; energy: Float64Array; magnetisation: Float32Array; overlaps: Float32Array; patterns: number }[];
  states: { population: string; bits: Uint8Array }[];
}

/** Activity (0..1) of a rate-coded module's output units at times[r] (rows x units, row-major). */
export interface ModulesFrame { type: 'modules'; module: string; units: number; times: Float64Array; activity: Float32Array }

/** An experiment's images, e.g. the input weights of STDP neurons: count images of rows x cols, values 0-255. */
export interface ImagesFrame { type: 'images'; title: string; rows: number; cols: number; count: number; pixels: Uint8Array }

/** Points of an experiment's curve (accuracy against digits shown, ...): one series, x and y. */
export interface CurveFrame { type: 'curve'; chart: string; series: string; x: Float64Array; y: Float64Array; x_label: string; y_label: string }

/** A line of an experiment's progress, and the fraction done. */
export interface LogFrame { type: 'log'; message: string; fraction: number }

/** The summary of a finished experiment: { experiment, params, results, checks }. */
export interface ResultsFrame { type: 'results'; summary: Record<string, unknown> }

/** Frames this watcher missed because it could not keep up. */
export interface DroppedFrame { type: 'dropped'; frames: number; spikes: number }

export interface DoneFrame { type: 'done'; state: RunState; summary: Record<string, unknown> }
export interface ErrorFrame { type: 'error'; code: string; message: string }

export type Frame = HelloFrame | SpikesFrame | StateFrame | WeightsFrame | EnergyFrame | ModulesFrame | ImagesFrame | CurveFrame | LogFrame | ResultsFrame | ProgressFrame | DroppedFrame | DoneFrame | ErrorFrame;

/**
 * How each kind of frame reaches a watcher:
 *   drop:     a slow watcher may lose it (the data stream: a 'dropped' frame says how many were lost);
 *   keep:     never dropped, and sent only once, as it happens;
 *   replay:   never dropped, and sent again to a watcher who joins late (an experiment's log, curves, results);
 *   latest:   as replay, but only the latest of its kind (per image title) is sent again.
 */
export const FRAME_DELIVERY: Readonly<Record<Frame['type'], 'drop' | 'keep' | 'replay' | 'latest'>> = {
  hello: 'keep', spikes: 'drop', state: 'drop', weights: 'drop', energy: 'drop', modules: 'drop',
  images: 'latest', curve: 'replay', log: 'replay', results: 'replay',
  progress: 'keep', dropped: 'keep', done: 'keep', error: 'keep',
};

export function encodeFrame(frame: Frame): Uint8Array {
  return encode(frame, { extensionCodec: codec });
}

export function decodeFrame(bytes: Uint8Array | ArrayBuffer): Frame {
  const frame = decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), { extensionCodec: codec }) as Frame;
  if (!frame || typeof frame !== 'object' || typeof (frame as { type?: unknown }).type !== 'string') {
    throw new Error('not a hebb frame');
  }
  return frame;
}

/** Spike count of a spikes frame. */
export function spikeCount(frame: SpikesFrame): number {
  let n = 0;
  for (const b of frame.blocks) n += b.ids.length;
  return n;
}

/** Absolute times (ms) of a block. */
export function blockTimes(frame: SpikesFrame, block: SpikeBlock): Float64Array {
  const out = new Float64Array(block.ids.length);
  if (block.steps) {
    for (let k = 0; k < out.length; k++) out[k] = (frame.step0 + block.steps[k]! + 1) * frame.dt;
  } else if (block.offsets) {
    for (let k = 0; k < out.length; k++) out[k] = frame.t0 + block.offsets[k]!;
  }
  return out;
}
