// The text of equation models: expressions, equation lines and statements,
// in Brian2's notation. A hand-written precedence parser rather than a math
// library: every node keeps the column it came from, so an error names the
// place in the user's line, and the grammar stays exactly Brian2's subset.
//
//   equation:   dv/dt = (v_rest - v)/tau : mV (unless refractory)
//               I_syn = ge - gi : mV          (a subexpression, inlined)
//               tau_m : ms (constant)         (a per-neuron parameter)
//   statement:  v = v_reset;  w += apost;  (also -=, *=, /=)
//   expression: numbers, names, + - * / ^ (or **), unary -, comparisons,
//               and, or, not, calls of exp log sqrt abs tanh sin cos min max clip int where

export type Expr =
  | { readonly k: 'num'; readonly value: number; readonly col: number }
  | { readonly k: 'name'; readonly name: string; readonly col: number }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly Expr[]; readonly col: number }
  | { readonly k: 'neg'; readonly a: Expr; readonly col: number }
  | { readonly k: 'not'; readonly a: Expr; readonly col: number }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Expr; readonly b: Expr; readonly col: number };

export type BinOp = '+' | '-' | '*' | '/' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';

/** Functions and their argument counts. */
export const FUNCTIONS: Readonly<Record<string, number>> = {
  exp: 1, log: 1, sqrt: 1, abs: 1, tanh: 1, sin: 1, cos: 1, min: 2, max: 2, clip: 3, int: 1, where: 3,
};

/** A syntax error at a column (1-based) of the text. */
export class ParseError extends Error {
  constructor(message: string, readonly col: number) {
    super(message);
  }
}

type Token = { t: 'num' | 'name' | 'op' | 'end'; s: string; col: number };

function tokenize(text: string, base: number): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|<=|>=|==|!=|[-+*/^()<>,]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) {
      const col = at + (text.slice(at).length - text.slice(at).trimStart().length);
      throw new ParseError(`unexpected character "${text[col]}"`, base + col + 1);
    }
    const col = base + re.lastIndex - (m[1] ?? m[2] ?? m[3])!.length + 1;
    if (m[1] !== undefined) out.push({ t: 'num', s: m[1], col });
    else if (m[2] !== undefined) out.push({ t: 'name', s: m[2], col });
    else out.push({ t: 'op', s: m[3] === '**' ? '^' : m[3]!, col });
    at = re.lastIndex;
  }
  out.push({ t: 'end', s: '', col: base + text.length + 1 });
  return out;
}

/** Precedence climbing over the tokens of one expression. */
class Parser {
  private p = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token { return this.toks[this.p]!; }
  private next(): Token { return this.toks[this.p++]!; }
  private isOp(s: string): boolean { const t = this.peek(); return t.t === 'op' && t.s === s; }
  private isWord(s: string): boolean { const t = this.peek(); return t.t === 'name' && t.s === s; }

  expect(s: string): void {
    const t = this.peek();
    if (!(t.t === 'op' && t.s === s)) throw new ParseError(t.t === 'end' ? `expected "${s}" at the end` : `expected "${s}", found "${t.s}"`, t.col);
    this.p++;
  }

  end(): void {
    const t = this.peek();
    if (t.t !== 'end') throw new ParseError(`unexpected "${t.s}" after the expression`, t.col);
  }

  expr(): Expr { return this.or(); }

  private or(): Expr {
    let a = this.and();
    while (this.isWord('or')) { const col = this.next().col; a = { k: 'bin', op: 'or', a, b: this.and(), col }; }
    return a;
  }

  private and(): Expr {
    let a = this.not();
    while (this.isWord('and')) { const col = this.next().col; a = { k: 'bin', op: 'and', a, b: this.not(), col }; }
    return a;
  }

  private not(): Expr {
    if (this.isWord('not')) { const col = this.next().col; return { k: 'not', a: this.not(), col }; }
    return this.cmp();
  }

  private cmp(): Expr {
    const a = this.sum();
    const t = this.peek();
    if (t.t === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(t.s)) {
      this.p++;
      const b = this.sum();
      const u = this.peek();
      if (u.t === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(u.s)) throw new ParseError('comparisons do not chain: join them with "and"', u.col);
      return { k: 'bin', op: t.s as BinOp, a, b, col: t.col };
    }
    return a;
  }

  private sum(): Expr {
    let a = this.product();
    while (this.isOp('+') || this.isOp('-')) { const t = this.next(); a = { k: 'bin', op: t.s as BinOp, a, b: this.product(), col: t.col }; }
    return a;
  }

  private product(): Expr {
    let a = this.unary();
    while (this.isOp('*') || this.isOp('/')) { const t = this.next(); a = { k: 'bin', op: t.s as BinOp, a, b: this.unary(), col: t.col }; }
    return a;
  }

  private unary(): Expr {
    if (this.isOp('-')) { const col = this.next().col; return { k: 'neg', a: this.unary(), col }; }
    if (this.isOp('+')) { this.next(); return this.unary(); }
    return this.power();
  }

  // Right-associative, tighter than unary minus on its left: -x^2 = -(x^2).
  private power(): Expr {
    const a = this.atom();
    if (this.isOp('^')) { const col = this.next().col; return { k: 'bin', op: '^', a, b: this.unary(), col }; }
    return a;
  }

  private atom(): Expr {
    const t = this.next();
    if (t.t === 'num') return { k: 'num', value: Number(t.s), col: t.col };
    if (t.t === 'name') {
      if (['and', 'or', 'not'].includes(t.s)) throw new ParseError(`"${t.s}" needs an operand before it`, t.col);
      if (!this.isOp('(')) return { k: 'name', name: t.s, col: t.col };
      this.next();
      const arity = FUNCTIONS[t.s];
      if (arity === undefined) throw new ParseError(`unknown function "${t.s}" (hebb has ${Object.keys(FUNCTIONS).join(', ')})`, t.col);
      const args: Expr[] = [];
      if (!this.isOp(')')) {
        args.push(this.expr());
        while (this.isOp(',')) { this.next(); args.push(this.expr()); }
      }
      this.expect(')');
      if (args.length !== arity) throw new ParseError(`${t.s} takes ${arity} argument${arity === 1 ? '' : 's'} (got ${args.length})`, t.col);
      return { k: 'call', fn: t.s, args, col: t.col };
    }
    if (t.t === 'op' && t.s === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    throw new ParseError(t.t === 'end' ? 'the expression ends too early' : `unexpected "${t.s}"`, t.col);
  }
}

/** An expression; `base` is the column of its first character minus 1 within its line. */
export function parseExpression(text: string, base = 0): Expr {
  const toks = tokenize(text, base);
  if (toks.length === 1) throw new ParseError('empty expression', base + 1);
  const p = new Parser(toks);
  const e = p.expr();
  p.end();
  return e;
}

export type EquationLine =
  | { readonly kind: 'diff'; readonly name: string; readonly expr: Expr; readonly unit: string; readonly unitCol: number; readonly flags: readonly string[]; readonly col: number }
  | { readonly kind: 'sub'; readonly name: string; readonly expr: Expr; readonly unit: string; readonly unitCol: number; readonly flags: readonly string[]; readonly col: number }
  | { readonly kind: 'param'; readonly name: string; readonly unit: string; readonly unitCol: number; readonly flags: readonly string[]; readonly col: number };

/** One line of "equations" (comments after # are dropped); undefined for a blank line. */
export function parseEquationLine(line: string): EquationLine | undefined {
  const text = line.replace(/#.*$/, '');
  if (text.trim() === '') return undefined;
  const colon = text.indexOf(':');
  if (colon < 0) throw new ParseError('an equation needs its unit after ":" (e.g. "dv/dt = -v/tau : mV")', text.length + 1);
  const left = text.slice(0, colon);
  const right = text.slice(colon + 1);
  const fm = /^(\s*)([^()]*?)\s*(?:\(([^)]*)\))?\s*$/.exec(right);
  if (!fm || fm[2] === '') throw new ParseError('expected a unit after ":"', colon + 2);
  const unit = fm[2]!;
  const unitCol = colon + 2 + fm[1]!.length;
  const flags = fm[3] === undefined ? [] : fm[3].split(',').map((f) => f.trim()).filter(Boolean);
  const known = ['constant', 'unless refractory', 'event-driven'];
  for (const f of flags) if (!known.includes(f)) throw new ParseError(`unknown flag "${f}" (hebb knows ${known.map((k) => `"${k}"`).join(', ')})`, colon + 2 + right.indexOf(f));
  const eq = left.indexOf('=');
  const lead = left.length - left.trimStart().length;
  if (eq < 0) {
    const name = left.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ParseError(`"${name}" is not a name`, lead + 1);
    return { kind: 'param', name, unit, unitCol, flags, col: lead + 1 };
  }
  const lhs = left.slice(0, eq).trim();
  const rhsText = left.slice(eq + 1);
  const expr = parseExpression(rhsText, eq + 1);
  const d = /^d\s*([A-Za-z_][A-Za-z0-9_]*)\s*\/\s*dt$/.exec(lhs);
  if (d) return { kind: 'diff', name: d[1]!, expr, unit, unitCol, flags, col: lead + 1 };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(lhs)) throw new ParseError(`the left side must be "dX/dt" or a name (got "${lhs}")`, lead + 1);
  return { kind: 'sub', name: lhs, expr, unit, unitCol, flags, col: lead + 1 };
}

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=';
export interface Statement { readonly target: string; readonly op: AssignOp; readonly expr: Expr; readonly col: number }

/** Statements separated by ";" (reset, on_pre): "v = v_reset; w += 1". Columns count from the start of the text. */
export function parseStatements(text: string): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  for (const part of text.split(/[;\n]/)) {
    const base = start;
    start += part.length + 1;
    if (part.trim() === '') continue;
    const m = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=|\*=|\/=|=)/.exec(part);
    if (!m) throw new ParseError('a statement is "name = expression" (or +=, -=, *=, /=)', base + 1 + (part.length - part.trimStart().length));
    out.push({ target: m[2]!, op: m[3] as AssignOp, expr: parseExpression(part.slice(m[0].length), base + m[0].length), col: base + m[1]!.length + 1 });
  }
  return out;
}

/** The names an expression reads. */
export function namesIn(e: Expr, into = new Set<string>()): Set<string> {
  switch (e.k) {
    case 'num': break;
    case 'name': into.add(e.name); break;
    case 'call': for (const a of e.args) namesIn(a, into); break;
    case 'neg': case 'not': namesIn(e.a, into); break;
    case 'bin': namesIn(e.a, into); namesIn(e.b, into); break;
  }
  return into;
}
