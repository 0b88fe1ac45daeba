// Checkpoint files: the kernel's state bytes behind a header that says what
// they are and what model they belong to, with a checksum, written
// atomically. A truncated, corrupted or foreign file is refused with a
// reason, and so is a checkpoint of another model.
//
//   "HEBBCKPT" | u32 header length | header JSON | state bytes | SHA-256 of all before it (32 bytes)
//   header: { format, version, model (without duration and record), step, t_ms, state_bytes }
// The checksum covers the whole file but itself: the header's step and time
// are as protected as the state.

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../core/atomic.js';
import { FileFormatError } from '../core/errors.js';
import type { Simulation } from './simulation.js';
import type { ValidModel } from '../model/validate.js';

const MAGIC = 'HEBBCKPT';
// 5: the checksum moved behind the state and covers the header too (4 hashed the state only).
// 6: plastic projections carry the per-synapse state of equation rules; equation populations their own.
// 7: rate-coded modules' weights and state follow the kernel's (Simulation.saveState). A network
//    without modules has the same bytes in 6 and 7, and 6 could not hold modules: both are read.
const VERSION = 7;
const READS = [6, 7];

interface Header {
  format: 'hebb-checkpoint';
  version: number;
  model: unknown;
  step: number;
  t_ms: number;
  state_bytes: number;
}

const HASH_BYTES = 32;

/** The parts of a model a checkpoint must agree with (not duration, not recording). */
export function modelIdentity(m: ValidModel): string {
  const { dt, seed, populations, projections, modules } = m;
  return canonical({ dt, seed, populations, projections, modules: modules ?? [] });
}

function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    return `{${Object.keys(x).sort().filter((k) => (x as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(x);
}

export function saveCheckpoint(sim: Simulation, file: string): void {
  const state = sim.saveState();
  const header: Header = {
    format: 'hebb-checkpoint', version: VERSION, model: JSON.parse(modelIdentity(sim.model)),
    step: sim.step, t_ms: sim.timeMs, state_bytes: state.length,
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const body = 12 + head.length + state.length;
  const out = Buffer.alloc(body + HASH_BYTES);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(head.length, 8);
  head.copy(out, 12);
  out.set(state, 12 + head.length);
  createHash('sha256').update(out.subarray(0, body)).digest().copy(out, body);
  writeFileAtomic(file, out);
}

export function readCheckpoint(file: string): { header: Header; state: Uint8Array } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new FileFormatError(file, `cannot read the checkpoint (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) throw new FileFormatError(file, 'not a hebb checkpoint (no HEBBCKPT signature)');
  const headLength = bytes.readUInt32LE(8);
  if (12 + headLength > bytes.length) throw new FileFormatError(file, `truncated: the header needs ${headLength} bytes, the file has ${bytes.length - 12} after the signature`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8', 12, 12 + headLength));
  } catch (cause) {
    throw new FileFormatError(file, 'corrupted header (not JSON)', { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new FileFormatError(file, 'corrupted header (not a JSON object)');
  const header = parsed as Header;
  if (header.format !== 'hebb-checkpoint') throw new FileFormatError(file, 'not a hebb checkpoint');
  if (!READS.includes(header.version)) throw new FileFormatError(file, `checkpoint version ${String(header.version)}; this hebb reads versions ${READS.join(' and ')}`);
  if (!(Number.isInteger(header.state_bytes) && header.state_bytes >= 0) || !(Number.isInteger(header.step) && header.step >= 0) || typeof header.t_ms !== 'number') {
    throw new FileFormatError(file, 'corrupted header (state_bytes, step or t_ms missing or not a count)');
  }
  const end = 12 + headLength + header.state_bytes + HASH_BYTES;
  if (bytes.length < end) throw new FileFormatError(file, `truncated: ${end} bytes expected, ${bytes.length} found`);
  if (bytes.length > end) throw new FileFormatError(file, `${bytes.length - end} bytes follow the end of the checkpoint: not a file hebb wrote`);
  const digest = createHash('sha256').update(bytes.subarray(0, end - HASH_BYTES)).digest();
  if (!digest.equals(bytes.subarray(end - HASH_BYTES, end))) throw new FileFormatError(file, 'corrupted: the checksum does not match (header or state changed)');
  const state = bytes.subarray(12 + headLength, end - HASH_BYTES);
  return { header, state: new Uint8Array(state) };
}

export function loadCheckpoint(sim: Simulation, file: string): { tMs: number } {
  const { header, state } = readCheckpoint(file);
  if (canonical(header.model) !== modelIdentity(sim.model)) {
    throw new FileFormatError(file, 'the checkpoint was saved from a different model (populations, projections, dt or seed differ)');
  }
  if (!sim.loadState(state)) throw new FileFormatError(file, 'the checkpoint does not fit the network built from this model');
  return { tMs: header.t_ms };
}
