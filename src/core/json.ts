// User JSON, read safely: a byte-order mark is skipped, nesting is bounded
// (deep nesting would overflow the stack of every recursive reader after
// it: structuredClone, ajv, the validator), and the keys that reach
// prototypes are never walked or written through.

/** Deeper documents are refused: no model nests more than a few levels. */
export const MAX_JSON_DEPTH = 64;

/** Keys that would reach an object's prototype if written through. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Where JSON nests deeper than maxDepth (a JSON Pointer to the first such value), or undefined. */
export function tooDeep(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  // Iterative: a recursive walk would overflow on exactly the documents it looks for.
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return path;
    if (Array.isArray(v)) {
      for (let k = v.length - 1; k >= 0; k--) stack.push({ v: v[k], depth: depth + 1, path: `${path}/${k}` });
    } else {
      for (const [k, x] of Object.entries(v)) stack.push({ v: x, depth: depth + 1, path: `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}` });
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
