// User JSON, read safely: a byte-order mark is skipped, nesting is bounded
// (deep nesting would overflow the stack of every recursive reader after
// it: structuredClone, ajv, the validator), and the keys that reach
// prototypes are never walked or written through.

/** Deeper documents are refused: no model nests more than a few levels. */
export const MAX_JSON_DEPTH = 64;

/** Keys that would reach an object's prototype if written through. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Where JSON nests deeper than maxDepth (a JSON Pointer to the first such value, long keys cut), or undefined. */
export function tooDeep(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  // Iterative: a recursive walk would overflow on exactly the documents it
  // looks for. Paths are made only for the answer (parent links, no strings per value).
  const values: unknown[] = [value];
  const depths: number[] = [0];
  const parents: number[] = [-1];
  const keys: string[] = [''];
  const stack: number[] = [0];
  while (stack.length) {
    const i = stack.pop()!;
    const v = values[i];
    if (v === null || typeof v !== 'object') continue;
    const depth = depths[i]!;
    if (depth >= maxDepth) {
      const parts: string[] = [];
      // A hostile key is named by its start and length, not echoed whole.
      for (let j = i; j > 0; j = parents[j]!) {
        const key = keys[j]!;
        const shown = key.length > 64 ? `${key.slice(0, 64)}...(${key.length} characters)` : key;
        parts.push(shown.replace(/~/g, '~0').replace(/\//g, '~1'));
      }
      return parts.reverse().map((k) => `/${k}`).join('');
    }
    const entries = Array.isArray(v) ? v.map((x, k) => [String(k), x] as const) : Object.entries(v);
    for (let k = entries.length - 1; k >= 0; k--) {
      const x = entries[k]![1];
      if (x === null || typeof x !== 'object') continue;
      values.push(x);
      depths.push(depth + 1);
      parents.push(i);
      keys.push(entries[k]![0]);
      stack.push(values.length - 1);
    }
  }
  return undefined;
}

/** JSON text to a value: a UTF-8 byte-order mark is skipped. Throws SyntaxError. */
export function parseJson(text: string): unknown {
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/** A value shown in a message: long strings cut, so that a message stays a line. */
export function shown(x: unknown, max = 64): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object';
  if (typeof x === 'string') {
    if (x.length <= max) return JSON.stringify(x);
    return `${JSON.stringify(x.slice(0, max))}... (${x.length} characters)`;
  }
  return String(x);
}
