// Population rates over the raster's window (the same time axis, sliding
// with it): spike counts in 5 ms bins, divided by the population size and
// the bin width, for the populations whose spikes are recorded.

import uPlot from 'uplot';
import { blockTimes, type Frame, type HelloFrame } from '../src/protocol/messages.js';
import { panelElement, colorOf, chartWidth, type Panel } from './panels.js';

export class RatesPanel implements Panel {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly nBins: number;
  private readonly counts: Float64Array[];
  private readonly sizes: number[];
  private firstBin = 0;   // absolute index of the oldest bin kept
  private lastBin = -1;   // absolute index of the newest bin with data
  private dirty = false;
  private tNow = 0;
  /** Index into hello's populations of each series (recorded ones only). */
  private readonly shown: number[];

  constructor(hello: HelloFrame, private readonly windowMs = 1000, private readonly binMs = 5) {
    const { element, body } = panelElement('Population rate (Hz, 5 ms bins)');
    this.element = element;
    const pops = hello.run.populations;
    this.shown = pops.flatMap((p, k) => (p.recorded === false ? [] : [k]));
    this.nBins = Math.ceil(windowMs / binMs);
    this.counts = pops.map(() => new Float64Array(this.nBins));
    this.sizes = pops.map((p) => p.size);
    this.plot = new uPlot({
      width: 560, height: 220,
      scales: { x: { time: false, range: () => [Math.max(0, this.tNow - this.windowMs), Math.max(this.windowMs, this.tNow)] } },
      axes: [{ label: 'time (ms)' }, { label: 'rate (Hz)', size: 50 }],
      series: [{}, ...this.shown.map((k) => ({ label: pops[k]!.name, stroke: colorOf(k), width: 1.5, points: { show: false } }))],
      cursor: { show: false },
      legend: { live: false },
    }, [[], ...this.shown.map(() => [])] as unknown as uPlot.AlignedData, body);
    requestAnimationFrame(() => this.plot.setSize({ width: chartWidth(body), height: 220 }));
  }

  private advanceTo(bin: number): void {
    // Clear the slots the window slides onto.
    for (let b = Math.max(this.lastBin + 1, bin - this.nBins + 1); b <= bin; b++) {
      for (const c of this.counts) c[b % this.nBins] = 0;
    }
    if (bin > this.lastBin) this.lastBin = bin;
    this.firstBin = Math.max(this.firstBin, this.lastBin - this.nBins + 1);
  }

  frame(frame: Frame): void {
    if (frame.type === 'progress' && frame.t_ms > this.tNow) { this.tNow = frame.t_ms; this.dirty = true; }
    if (frame.type !== 'spikes') return;
    this.tNow = Math.max(this.tNow, frame.t1);
    const end = Math.floor(frame.t1 / this.binMs);
    this.advanceTo(end);
    for (const block of frame.blocks) {
      const times = blockTimes(frame, block);
      const c = this.counts[block.pop]!;
      for (let k = 0; k < times.length; k++) {
        const bin = Math.floor(times[k]! / this.binMs);
        if (bin >= this.firstBin && bin <= this.lastBin) c[bin % this.nBins]! += 1;
      }
    }
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    // The newest bin is still filling: show bins up to the one before it.
    const last = this.lastBin - 1;
    const first = Math.max(this.firstBin, last - this.nBins + 2);
    const n = Math.max(0, last - first + 1);
    const xs = new Float64Array(n);
    const series = this.shown.map(() => new Float64Array(n));
    for (let q = 0; q < n; q++) {
      const b = first + q;
      xs[q] = (b + 0.5) * this.binMs;
      this.shown.forEach((p, s) => { series[s]![q] = this.sizes[p] ? this.counts[p]![b % this.nBins]! / this.sizes[p]! / (this.binMs / 1000) : 0; });
    }
    this.plot.setData([xs, ...series] as unknown as uPlot.AlignedData);
  }

  destroy(): void {
    this.plot.destroy();
  }
}
