// Where models come from: a JSON file, or a preset shipped with hebb
// (src/presets/NAME.json, readable as examples). Overrides (--set) are applied
// before validation, so they are checked like the rest of the model.

import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { packagePath } from '../core/paths.js';
import { FileFormatError, ModelError, UsageError } from '../core/errors.js';
import { closest } from '../core/closest.js';
import { parseJson, tooDeep, UNSAFE_KEYS, MAX_JSON_DEPTH } from '../core/json.js';

export function presetDir(): string {
  return packagePath('src', 'presets');
}

export interface PresetInfo {
  name: string;
  description: string;
  file: string;
}

export function listPresets(): PresetInfo[] {
  return readdirSync(presetDir())
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = join(presetDir(), f);
      const json = parseJson(readFileSync(file, 'utf8')) as { description?: string };
      return { name: f.slice(0, -5), description: json.description ?? '', file };
    });
}

export function loadPreset(name: string): unknown {
  const file = join(presetDir(), `${name}.json`);
  if (!/^[A-Za-z0-9_-]+$/.test(name) || !existsSync(file)) {
    const names = listPresets().map((p) => p.name);
    const hint = closest(name, names);
    throw new UsageError(`no preset named "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; presets: ${names.join(', ')}`);
  }
  return parseJson(readFileSync(file, 'utf8'));
}

type JsonFile = { ok: true; value: unknown } | { ok: false; problem: 'read' | 'json' | 'deep'; detail: string; cause?: unknown };

/** A JSON file's value, or what kept it from being one (the caller's error says what the file was for). */
function readJsonFile(file: string): JsonFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    return { ok: false, problem: 'read', detail: String((cause as NodeJS.ErrnoException).code ?? cause), cause };
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (cause) {
    return { ok: false, problem: 'json', detail: (cause as Error).message, cause };
  }
  const deep = tooDeep(value);
  return deep === undefined ? { ok: true, value } : { ok: false, problem: 'deep', detail: deep };
}

/**
 * Reads a model file, or a preset when the argument names one and is not a
 * file; `dir` is where the file's relative names (module weights) start.
 */
export function loadModelSource(arg: string): { model: unknown; source: string; dir: string } {
  if (arg.endsWith('.json') || arg.includes('/') || existsSync(arg)) {
    const r = readJsonFile(arg);
    if (!r.ok) {
      const why = r.problem === 'read' ? `cannot read the model file (${r.detail})` : r.problem === 'json' ? `not valid JSON: ${r.detail}` : `nests deeper than ${MAX_JSON_DEPTH} levels (at ${r.detail}): not a model`;
      throw new FileFormatError(arg, why, { cause: r.cause });
    }
    const model = r.value;
    return { model, source: arg, dir: dirname(resolve(arg)) };
  }
  return { model: loadPreset(arg), source: `preset ${arg}`, dir: process.cwd() };
}

/**
 * Applies "path=value" overrides: path is a JSON Pointer (/populations/0/size)
 * or a dotted path (populations.0.size); value is JSON, or a plain string.
 */
export function applyOverrides(model: unknown, overrides: readonly string[]): unknown {
  // Nothing to set: the model as given (its checks are the validator's).
  if (overrides.length === 0) return model;
  const deep = tooDeep(model);
  if (deep !== undefined) throw new UsageError(`the model nests deeper than ${MAX_JSON_DEPTH} levels (at ${deep})`);
  const out = structuredClone(model) as Record<string, unknown>;
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected PATH=VALUE (got "${o.length > 80 ? `${o.slice(0, 80)}...` : o}")`, '--set');
    const path = o.slice(0, eq);
    const raw = o.slice(eq + 1);
    let value: unknown;
    try { value = parseJson(raw); } catch { value = raw; }
    const deepValue = tooDeep(value, MAX_JSON_DEPTH - 8);
    if (deepValue !== undefined) throw new UsageError(`the value for ${path} nests deeper than ${MAX_JSON_DEPTH - 8} levels`, '--set');
    const keys = path.startsWith('/')
      ? path.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
      : path.split('.');
    // A path never walks or writes through a prototype: no __proto__, constructor or prototype.
    const unsafe = keys.find((k) => UNSAFE_KEYS.has(k));
    if (unsafe !== undefined) throw new UsageError(`"${unsafe}" is not a part of a model (setting ${path})`, '--set');
    let node: Record<string, unknown> = out;
    for (let i = 0; i < keys.length - 1; i++) {
      const next = Object.hasOwn(node, keys[i]!) ? node[keys[i]!] : undefined;
      if (next === null || typeof next !== 'object') {
        throw new UsageError(`"${keys.slice(0, i + 1).join('/')}" does not exist in the model (setting ${path})`, '--set');
      }
      node = next as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}

/**
 * Replaces each module's weights given as a file name by the document in
 * that file (relative names start at `dir`, the model file's folder); the
 * validator then checks the documents like the rest of the model. Returns
 * the model (a copy where something was read).
 */
export function resolveWeightFiles(model: unknown, dir: string): unknown {
  const modules = (model as { modules?: unknown } | null)?.modules;
  if (!Array.isArray(modules) || !modules.some((m) => typeof (m as { weights?: unknown } | null)?.weights === 'string')) return model;
  const out = { ...(model as Record<string, unknown>), modules: [...modules] };
  modules.forEach((m, k) => {
    const name = (m as { weights?: unknown } | null)?.weights;
    if (typeof name !== 'string') return;
    const file = resolve(dir, name);
    const r = readJsonFile(file);
    if (!r.ok) {
      const why = r.problem === 'read' ? `cannot read the weights file ${file} (${r.detail})` : r.problem === 'json' ? `the weights file ${file} is not valid JSON: ${r.detail}` : `the weights file ${file} nests deeper than ${MAX_JSON_DEPTH} levels: not a weights document`;
      throw new ModelError([{ path: `/modules/${k}/weights`, message: why }]);
    }
    const doc = r.value;
    out.modules[k] = { ...(m as Record<string, unknown>), weights: doc };
  });
  return out;
}
