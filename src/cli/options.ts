// Checked conversions of command-line option values: a bad value is a
// UsageError naming the option (exit code 2), never a NaN that travels on.

import { relative, isAbsolute } from 'node:path';
import { UsageError } from '../core/errors.js';

export function numberOption(value: unknown, option: string, rule: { min?: number; max?: number; exclusiveMin?: number; integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const x = text === '' ? NaN : Number(text);
  if (!Number.isFinite(x)) throw new UsageError(`must be a number (got "${value}")`, option);
  if (rule.integer && !Number.isInteger(x)) throw new UsageError(`must be an integer (got ${value})`, option);
  if (rule.min !== undefined && x < rule.min) throw new UsageError(`must be >= ${rule.min} (got ${value})`, option);
  if (rule.max !== undefined && x > rule.max) throw new UsageError(`must be <= ${rule.max} (got ${value})`, option);
  if (rule.exclusiveMin !== undefined && !(x > rule.exclusiveMin)) throw new UsageError(`must be > ${rule.exclusiveMin} (got ${value})`, option);
  return x;
}

/** "0,1,2" or "0-9" or "0-4,8" -> [0, 1, 2, ...]. */
export function parseIds(text: string, option: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`expected neuron ids like 0,1,2 or 0-9 (got "${text}")`, option);
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new UsageError(`range ${a}-${b} runs backwards`, option);
    if (b - a > 1_000_000) throw new UsageError(`range ${a}-${b} is too long`, option);
    for (let i = a; i <= b; i++) ids.push(i);
  }
  return ids;
}

export function stringList(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** A folder as the user would write it: relative to the working directory when inside it ("out/"). */
export function shownPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? `${rel}/` : dir;
}
