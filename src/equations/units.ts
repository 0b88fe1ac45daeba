// Units of equation models. A quantity's unit is a dimension (powers of
// time, voltage and current) and a scale: its number times the scale is its
// value in hebb's base units (ms, mV, pA; hence nS, pF, GOhm and 1/ms).
// Every unit hebb's models use has scale 1 in that system except the rates
// (Hz = 0.001 / ms) and the scaled names (s, V, nA, uS, ...), so a model
// written in hebb's units needs no conversion at all.

export interface Dim {
  /** Powers of time, voltage, current. */
  readonly t: number;
  readonly v: number;
  readonly i: number;
}

export interface Unit {
  readonly dim: Dim;
  /** The unit in base units (ms, mV, pA). */
  readonly scale: number;
}

export const DIMENSIONLESS: Dim = { t: 0, v: 0, i: 0 };
export const ONE: Unit = { dim: DIMENSIONLESS, scale: 1 };

const dim = (t: number, v: number, i: number): Dim => ({ t, v, i });
const TIME = dim(1, 0, 0), VOLTAGE = dim(0, 1, 0), CURRENT = dim(0, 0, 1);
const CONDUCTANCE = dim(0, -1, 1), CAPACITANCE = dim(1, -1, 1), RESISTANCE = dim(0, 1, -1), RATE = dim(-1, 0, 0);

/** The unit names an equation may use, with their dimension and scale. */
export const UNITS: Readonly<Record<string, Unit>> = {
  '1': ONE,
  ms: { dim: TIME, scale: 1 }, s: { dim: TIME, scale: 1000 }, us: { dim: TIME, scale: 1e-3 },
  mV: { dim: VOLTAGE, scale: 1 }, V: { dim: VOLTAGE, scale: 1000 }, uV: { dim: VOLTAGE, scale: 1e-3 },
  pA: { dim: CURRENT, scale: 1 }, nA: { dim: CURRENT, scale: 1000 }, uA: { dim: CURRENT, scale: 1e6 },
  nS: { dim: CONDUCTANCE, scale: 1 }, uS: { dim: CONDUCTANCE, scale: 1000 }, mS: { dim: CONDUCTANCE, scale: 1e6 },
  pF: { dim: CAPACITANCE, scale: 1 }, nF: { dim: CAPACITANCE, scale: 1000 }, uF: { dim: CAPACITANCE, scale: 1e6 },
  GOhm: { dim: RESISTANCE, scale: 1 }, MOhm: { dim: RESISTANCE, scale: 1e-3 },
  Hz: { dim: RATE, scale: 1e-3 }, kHz: { dim: RATE, scale: 1 },
};

/** Names of dimensions as users know them (for messages). */
const NAMED: [Dim, string][] = [
  [DIMENSIONLESS, 'dimensionless'], [TIME, 'time (ms)'], [VOLTAGE, 'voltage (mV)'], [CURRENT, 'current (pA)'],
  [CONDUCTANCE, 'conductance (nS)'], [CAPACITANCE, 'capacitance (pF)'], [RESISTANCE, 'resistance (GOhm)'], [RATE, 'rate (1/ms)'],
  [dim(-1, 1, 0), 'voltage per time (mV/ms)'], [dim(-1, 0, 1), 'current per time (pA/ms)'], [dim(-1, -1, 1), 'conductance per time (nS/ms)'],
];

export function sameDim(a: Dim, b: Dim): boolean {
  return a.t === b.t && a.v === b.v && a.i === b.i;
}

export const mulDim = (a: Dim, b: Dim): Dim => dim(a.t + b.t, a.v + b.v, a.i + b.i);
export const divDim = (a: Dim, b: Dim): Dim => dim(a.t - b.t, a.v - b.v, a.i - b.i);
export const powDim = (a: Dim, k: number): Dim => dim(a.t * k, a.v * k, a.i * k);
export const isDimensionless = (a: Dim): boolean => sameDim(a, DIMENSIONLESS);

/** A dimension as a user reads it: "voltage (mV)", or "mV^2/ms" when it has no name. */
export function formatDim(d: Dim): string {
  const named = NAMED.find(([n]) => sameDim(n, d));
  if (named) return named[1];
  const part = (name: string, p: number) => (p === 0 ? '' : p === 1 ? name : `${name}^${p}`);
  const num = [part('ms', d.t), part('mV', d.v), part('pA', d.i)].map((s, k) => ([d.t, d.v, d.i][k]! > 0 ? s : '')).filter(Boolean);
  const den = [part('ms', -d.t), part('mV', -d.v), part('pA', -d.i)].map((s, k) => ([d.t, d.v, d.i][k]! < 0 ? s : '')).filter(Boolean);
  return `${num.join('*') || '1'}${den.length ? `/${den.join('/')}` : ''}`;
}

/**
 * A unit written in a declaration or a value: a product and quotient of
 * unit names with integer powers ("mV", "nS", "mV/ms", "1/ms", "pA*GOhm",
 * "mV^2"). Undefined when it is not one.
 */
export function parseUnit(text: string): Unit | undefined {
  const s = text.replace(/\s+/g, '');
  if (s === '') return undefined;
  let d = DIMENSIONLESS, scale = 1;
  // Factors separated by * or /, each NAME or NAME^INT (or NAME**INT).
  const re = /([*/]?)([A-Za-z]+|1)(?:(?:\^|\*\*)(-?\d+))?/y;
  let at = 0, first = true;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m || (first ? m[1] !== '' : m[1] === '')) return undefined;
    const u = UNITS[m[2]!];
    if (!u) return undefined;
    const p = m[3] === undefined ? 1 : Number(m[3]);
    const sign = m[1] === '/' ? -1 : 1;
    d = mulDim(d, powDim(u.dim, sign * p));
    scale *= u.scale ** (sign * p);
    at = re.lastIndex;
    first = false;
  }
  return { dim: d, scale };
}

/**
 * A value with its unit ("20 ms", "-70 mV", "0.5", 3) in the given unit's
 * numbers; a message when it cannot be.
 */
export function valueIn(value: number | string, unit: Unit): number | string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${value} is not a finite number`;
    if (!isDimensionless(unit.dim)) return `${value} needs a unit of ${formatDim(unit.dim)} (write it as "${value} ${exampleUnit(unit.dim)}")`;
    return value / unit.scale;
  }
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$/.exec(value);
  if (!m) return `"${value}" is not a number with a unit (e.g. "20 ms")`;
  const given = m[2] === '' ? ONE : parseUnit(m[2]!);
  if (!given) return `"${m[2]}" is not a unit hebb knows (${Object.keys(UNITS).filter((u) => u !== '1').join(', ')}, and products and quotients of them)`;
  if (!sameDim(given.dim, unit.dim)) return `"${value}" is ${formatDim(given.dim)}, not ${formatDim(unit.dim)}`;
  return (Number(m[1]) * given.scale) / unit.scale;
}

function exampleUnit(d: Dim): string {
  const found = Object.entries(UNITS).find(([name, u]) => name !== '1' && u.scale === 1 && sameDim(u.dim, d));
  return found ? found[0] : formatDim(d);
}
