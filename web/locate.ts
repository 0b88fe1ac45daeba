// Where a JSON Pointer's value is in the editor's text, so that an error
// can be shown at its place: a small scanner over the JSON (the editor holds
// one model, a few kB), with the span of each value it passes.

export interface Span { start: number; end: number }

/** The span of the value at `pointer` in `text` (undefined when the text is not JSON or has no such value). */
export function locate(text: string, pointer: string): Span | undefined {
  const want = pointer.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let at = 0;
  const ws = () => { while (at < text.length && /\s/.test(text[at]!)) at++; };
  const string = (): string => {
    const start = at;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  // Scans a value; returns the span of the wanted one when it lies inside.
  const value = (path: string[]): Span | undefined => {
    ws();
    const start = at;
    const here = path.length === want.length && path.every((k, q) => k === want[q]);
    const inside = path.length < want.length && path.every((k, q) => k === want[q]);
    let found: Span | undefined;
    const c = text[at];
    if (c === '{' || c === '[') {
      at++;
      let index = 0;
      for (;;) {
        ws();
        if (text[at] === (c === '{' ? '}' : ']')) { at++; break; }
        let key = String(index++);
        if (c === '{') { key = string(); ws(); at++; }
        const r = value(inside ? [...path, key] : path.concat('\u0000'));
        if (r && !found) found = r;
        ws();
        if (text[at] === ',') at++;
        if (at >= text.length) throw new Error('unterminated');
      }
    } else if (c === '"') string();
    else { while (at < text.length && !/[\s,\]}]/.test(text[at]!)) at++; }
    return here ? { start, end: at } : found;
  };
  try {
    return value([]);
  } catch {
    return undefined;
  }
}

/**
 * The span an issue points at: its value, narrowed to the column an
 * equation's message names ("(column 21)") when the value is a string
 * without escapes before that column.
 */
export function issueSpan(text: string, path: string, message: string): Span | undefined {
  // Paths from the server may carry the request's prefix.
  const candidates = [path, path.replace(/^\/body/, ''), path.replace(/^(\/body)?\/model/, '')];
  for (const p of candidates) {
    const span = locate(text, p);
    if (!span) continue;
    const col = /\(column (\d+)\)/.exec(message);
    if (col && text[span.start] === '"') {
      const inner = text.slice(span.start + 1, span.end - 1);
      const k = Number(col[1]) - 1;
      if (!inner.slice(0, k).includes('\\') && k < inner.length) {
        // From the column to the end of its word or term.
        const rest = inner.slice(k);
        const len = Math.max(1, /^[A-Za-z0-9_.*]+/.exec(rest)?.[0].length ?? 1);
        return { start: span.start + 1 + k, end: span.start + 1 + k + len };
      }
    }
    return span;
  }
  return undefined;
}
