// Statistics of spike trains, the ones network papers report (Brunel 2000;
// Brette et al. 2007): the mean rate, the irregularity of single neurons
// (the CV of their interspike intervals), the synchrony of the population
// (the Fano factor of its spike count in short bins) and the frequency of
// its rhythm (the peak of the power spectrum of its rate). Pure functions
// of spike times and ids.

export interface SpikeTrains {
  /** Spike times (ms), any order. */
  times: ArrayLike<number>;
  /** The neuron of each spike (0 .. size - 1). */
  ids: ArrayLike<number>;
}

export interface TrainStatistics {
  /** Spikes per neuron per second over the window. */
  rate_hz: number;
  /** Mean over neurons with at least three spikes of std(ISI) / mean(ISI); NaN if none has. */
  cv: number;
  /** Neurons that entered the mean CV. */
  cv_neurons: number;
  /** Variance over mean of the population's spike count in bins of `binMs`. */
  fano: number;
  /** Frequency (Hz) of the largest peak of the population rate's power spectrum in [minHz, maxHz]. */
  oscillation_hz: number;
  /** That peak's share of the spectrum's power in [minHz, maxHz] (0: flat, 1: a pure rhythm). */
  oscillation_power: number;
}

export interface StatisticsOptions {
  /** Neurons in the population (silent ones count in the rate). */
  size: number;
  /** The window (ms): spikes outside it are left out. */
  from: number;
  to: number;
  /** Bin of the Fano factor (ms; default 1). */
  binMs?: number;
  /** Bin of the rate whose spectrum is taken (ms; default 0.5, resolving rhythms to 1 kHz). */
  spectrumBinMs?: number;
  /** The band searched for the rhythm (Hz; default 5 to 500). */
  minHz?: number;
  maxHz?: number;
}

export function trainStatistics(trains: SpikeTrains, o: StatisticsOptions): TrainStatistics {
  const { size, from, to } = o;
  const span = to - from;
  if (!(span > 0) || !(size > 0)) throw new RangeError('the window must be longer than 0 ms and the population not empty');
  const inWindow: number[] = [];
  for (let k = 0; k < trains.times.length; k++) if (trains.times[k]! >= from && trains.times[k]! < to) inWindow.push(k);

  // Single-neuron irregularity.
  const byNeuron = new Map<number, number[]>();
  for (const k of inWindow) {
    const id = trains.ids[k]!;
    let list = byNeuron.get(id);
    if (!list) byNeuron.set(id, (list = []));
    list.push(trains.times[k]!);
  }
  let cvSum = 0, cvNeurons = 0;
  for (const list of byNeuron.values()) {
    if (list.length < 3) continue;
    list.sort((a, b) => a - b);
    let mean = 0;
    for (let i = 1; i < list.length; i++) mean += list[i]! - list[i - 1]!;
    mean /= list.length - 1;
    let v = 0;
    for (let i = 1; i < list.length; i++) v += (list[i]! - list[i - 1]! - mean) ** 2;
    v /= list.length - 1;
    if (mean > 0) { cvSum += Math.sqrt(v) / mean; cvNeurons++; }
  }

  const counts = (bin: number) => {
    const n = Math.max(1, Math.floor(span / bin));
    const c = new Float64Array(n);
    for (const k of inWindow) {
      const i = Math.floor((trains.times[k]! - from) / bin);
      if (i < n) c[i]!++;
    }
    return c;
  };
  const c1 = counts(o.binMs ?? 1);
  const m1 = mean(c1);
  const fano = m1 > 0 ? variance(c1, m1) / m1 : NaN;

  // The rate's power spectrum, on a 1 Hz grid (a direct transform: a few thousand bins).
  const bin = o.spectrumBinMs ?? 0.5;
  const c = counts(bin);
  const mc = mean(c);
  let best = 0, bestHz = NaN, total = 0;
  const lo = o.minHz ?? 5, hi = Math.min(o.maxHz ?? 500, 500 / bin);
  for (let f = lo; f <= hi; f++) {
    const w = (2 * Math.PI * f * bin) / 1000;
    let re = 0, im = 0;
    for (let i = 0; i < c.length; i++) {
      const x = c[i]! - mc;
      re += x * Math.cos(w * i);
      im += x * Math.sin(w * i);
    }
    const p = re * re + im * im;
    total += p;
    if (p > best) { best = p; bestHz = f; }
  }
  return {
    rate_hz: inWindow.length / size / (span / 1000),
    cv: cvNeurons ? cvSum / cvNeurons : NaN,
    cv_neurons: cvNeurons,
    fano,
    oscillation_hz: bestHz,
    oscillation_power: total > 0 ? best / total : 0,
  };
}

function mean(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

function variance(x: Float64Array, m: number): number {
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return s / x.length;
}
