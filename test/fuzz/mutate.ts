// Seeded mutations of model files, as an attacker or an unlucky user makes
// them: deep nesting, huge strings and keys, prototype keys, wrong types,
// non-finite and huge numbers, odd unicode, missing and extra fields, and
// text-level damage (truncation, NaN literals, byte-order marks). Each case
// is the JSON text a file or a request body would hold, and what was done.

export interface FuzzCase {
  text: string;
  kinds: string[];
}

/** xorshift128+: a small seeded generator, enough to pick mutations reproducibly. */
export class Rng {
  private a: bigint;
  private b: bigint;
  constructor(seed: number) {
    this.a = BigInt(seed) * 0x9e3779b97f4a7c15n + 0x1234567n & 0xffffffffffffffffn;
    this.b = (this.a ^ 0xdeadbeefcafebaben) * 0xbf58476d1ce4e5b9n & 0xffffffffffffffffn;
    for (let i = 0; i < 8; i++) this.next();
  }
  next(): number {
    let s1 = this.a;
    const s0 = this.b;
    this.a = s0;
    s1 ^= (s1 << 23n) & 0xffffffffffffffffn;
    this.b = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return Number(((this.b + s0) & 0xffffffffffffffffn) >> 11n) / 2 ** 53;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every place in a document: its parent container and key. */
function places(doc: Json): { parent: Json[] | Record<string, Json>; key: string | number }[] {
  const out: { parent: Json[] | Record<string, Json>; key: string | number }[] = [];
  const walk = (x: Json) => {
    if (Array.isArray(x)) x.forEach((v, i) => { out.push({ parent: x, key: i }); walk(v); });
    else if (x !== null && typeof x === 'object') for (const k of Object.keys(x)) { out.push({ parent: x, key: k }); walk(x[k]!); }
  };
  walk(doc);
  return out;
}

/** A marker for deep nesting, spliced into the text (JSON.stringify itself would overflow). */
const deepMarker = (depth: number, arrays: boolean) => `@@deep:${depth}:${arrays ? 'a' : 'o'}@@`;

function spliceDeep(text: string): string {
  return text.replace(/"@@deep:(\d+):([ao])@@"/g, (_m, d: string, kind: string) => {
    const n = Number(d);
    return kind === 'a' ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  });
}

const ODD_STRINGS = [
  '', ' ', '\u0000', 'a\r\nb', '"', '\\', '</script>', '💥🧠', '\u202eevil', 'ünïcödé', '\ud800', 'lif\u0000', 'LIF', ' lif', 'lif ',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x'.repeat(200), '1e999', 'NaN', 'null', '../../etc/passwd',
];
const ODD_NUMBERS = [0, -0, -1, 1e-320, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53 + 1, 0.1, 1e12, -1e12, 4294967295, 1.5];
const UNSAFE = ['__proto__', 'constructor', 'prototype'];

/** One mutation of doc (in place, or a new root); returns the kind applied. */
function mutateTree(doc: { root: Json }, rng: Rng): string {
  const all = places(doc.root);
  const at = all.length ? rng.pick(all) : undefined;
  const set = (v: Json) => { if (at) (at.parent as Record<string | number, Json>)[at.key] = v; else doc.root = v; };
  const kind = rng.pick(['deep', 'huge-string', 'huge-key', 'proto-key', 'wrong-type', 'odd-number', 'odd-string', 'delete', 'extra', 'unicode-key', 'duplicate', 'empty', 'perturb', 'perturb', 'perturb']);
  switch (kind) {
    case 'perturb': {
      // A number changed but still a number: models that stay valid, with odd values, reach the kernel.
      const numeric = all.filter((p) => typeof (p.parent as Record<string | number, Json>)[p.key] === 'number');
      if (!numeric.length) break;
      const p = rng.pick(numeric);
      const v = (p.parent as Record<string | number, number>)[p.key]!;
      (p.parent as Record<string | number, Json>)[p.key] = rng.pick([0, -v, v * 0.5, v * 2, v * 10, v + 1, v - 1, Math.round(v * 3.7), v * 1e-3, v * 1e3]);
      break;
    }
    case 'deep': set(deepMarker(rng.pick([65, 100, 1000, 10_000, 100_000]), rng.next() < 0.5)); break;
    case 'huge-string': set('y'.repeat(rng.pick([1000, 100_000, 1 << 20]))); break;
    case 'huge-key': {
      const obj = all.map((p) => (p.parent as Record<string | number, Json>)[p.key]).filter((v): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v));
      const target = obj.length ? rng.pick(obj) : undefined;
      if (target) target['k'.repeat(rng.pick([100, 100_000, 1 << 20]))] = 1;
      break;
    }
    case 'proto-key': {
      const obj = all.map((p) => (p.parent as Record<string | number, Json>)[p.key]).filter((v): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v));
      const target = obj.length ? rng.pick(obj) : (doc.root as Record<string, Json>);
      // defineProperty: an own "__proto__" key, as JSON.parse makes it.
      Object.defineProperty(target, rng.pick(UNSAFE), { value: rng.next() < 0.5 ? { polluted: 1 } : 1, enumerable: true, configurable: true, writable: true });
      break;
    }
    case 'wrong-type': set(rng.pick<Json>([null, true, 'text', [], {}, [1, 2, 3], { rule: 'x' }, 42])); break;
    case 'odd-number': set(rng.pick(ODD_NUMBERS)); break;
    case 'odd-string': set(rng.pick(ODD_STRINGS)); break;
    case 'delete': if (at && !Array.isArray(at.parent)) delete (at.parent as Record<string, Json>)[at.key as string]; else if (at) (at.parent as Json[]).splice(at.key as number, 1); break;
    case 'extra': set({ unexpected: rng.pick(ODD_STRINGS), also: [rng.pick(ODD_NUMBERS)] }); break;
    case 'unicode-key': if (at && !Array.isArray(at.parent)) { const p = at.parent as Record<string, Json>; const v = p[at.key as string]!; delete p[at.key as string]; p[`${at.key as string}${rng.pick(['\u200b', 'é', '\u0000', '🧠'])}`] = v; } break;
    case 'duplicate': if (at && Array.isArray(at.parent)) { const a = at.parent; for (let i = 0; i < rng.pick([2, 100, 10_000]); i++) a.push(structuredClone(a[at.key as number]!)); } break;
    case 'empty': set(rng.pick<Json>([{}, [], ''])); break;
  }
  return kind;
}

/** Damage at the level of the text (what no JSON value can hold). */
function mutateText(text: string, rng: Rng): { text: string; kind: string } {
  const kind = rng.pick(['truncate', 'nan-literal', 'infinity-literal', 'bom', 'garbage', 'big-exponent', 'lone-surrogate']);
  switch (kind) {
    case 'truncate': return { text: text.slice(0, rng.int(text.length)), kind };
    case 'nan-literal': return { text: text.replace(/(?<=:\s*)-?\d+(\.\d+)?/, 'NaN'), kind };
    case 'infinity-literal': return { text: text.replace(/(?<=:\s*)-?\d+(\.\d+)?/, '-Infinity'), kind };
    case 'bom': return { text: `\ufeff${text}`, kind };
    case 'garbage': { const i = rng.int(text.length); return { text: `${text.slice(0, i)}${rng.pick(['}', ']', ',', '"', '\u0000', '{{'])}${text.slice(i)}`, kind }; }
    case 'big-exponent': return { text: text.replace(/(?<=:\s*)\d+(\.\d+)?/, rng.pick(['1e400', '-1e400', '1e-400'])), kind };
    case 'lone-surrogate': return { text: text.replace(/"name":\s*"[^"]*"/, '"name": "\\ud800x"'), kind };
    default: return { text, kind };
  }
}

/** A mutated model from a preset's model: one to three changes, now and then to the text. */
export function mutateModel(model: unknown, rng: Rng): FuzzCase {
  const doc = { root: structuredClone(model) as Json };
  const kinds: string[] = [];
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) kinds.push(mutateTree(doc, rng));
  let text = spliceDeep(JSON.stringify(doc.root));
  if (rng.next() < 0.2) {
    const t = mutateText(text, rng);
    text = t.text;
    kinds.push(t.kind);
  }
  return { text, kinds };
}
