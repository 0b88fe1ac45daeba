// The matrix exponential for the exact propagators of linear equation
// models (a few state variables): scaling and squaring of a Taylor series
// in f64, to full double precision for the norms that occur (|A dt| of a
// step is small; the scaling brings any norm below 1/2).

export function expm(M: readonly (readonly number[])[]): number[][] {
  const n = M.length;
  let norm = 0;
  for (const row of M) norm = Math.max(norm, row.reduce((s, x) => s + Math.abs(x), 0));
  const squarings = norm > 0.5 ? Math.ceil(Math.log2(norm / 0.5)) : 0;
  const s = 2 ** -squarings;
  const A = M.map((row) => row.map((x) => x * s));
  // I + A + A^2/2! + ... until the terms vanish.
  let E = identity(n);
  let term = identity(n);
  for (let k = 1; k <= 30; k++) {
    term = mul(term, A).map((row) => row.map((x) => x / k));
    E = E.map((row, r) => row.map((x, c) => x + term[r]![c]!));
    if (term.every((row) => row.every((x) => Math.abs(x) < 1e-18))) break;
  }
  for (let k = 0; k < squarings; k++) E = mul(E, E);
  return E;
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => (r === c ? 1 : 0)));
}

function mul(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[r]![k]! * b[k]![c]!;
    return s;
  }));
}
