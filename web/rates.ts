// Population rates over the raster's window: spike counts in 5 ms bins,
// divided by the population size and the bin width.

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

  constructor(hello: HelloFrame, private readonly windowMs = 1000, private readonly binMs = 5) {
    const { element, body } = panelElement('Population rate (Hz, 5 ms bins)');
    this.element = element;
    const pops = hello.run.populations;
    this.nBins = Math.ceil(windowMs / binMs);
    this.counts = pops.map(() => new Float64Array(this.nBins));
    this.sizes = pops.map((p) => p.size);
    this.plot = new uPlot({
      width: 560, height: 220,
      scales: { x: { time: false } },
      axes: [{ label: 'time (ms)' }, { label: 'Hz', size: 50 }],
      series: [{}, ...pops.map((p, k) => ({ label: p.name, stroke: colorOf(k), width: 1.5, points: { show: false } }))],
      cursor: { show: false },
      legend: { live: false },
    }, [[], ...pops.map(() => [])] as unknown as uPlot.AlignedData, body);
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
    if (frame.type !== 'spikes') return;
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
    const series = this.counts.map(() => new Float64Array(n));
    for (let q = 0; q < n; q++) {
      const b = first + q;
      xs[q] = (b + 0.5) * this.binMs;
      this.counts.forEach((c, p) => { series[p]![q] = this.sizes[p] ? c[b % this.nBins]! / this.sizes[p]! / (this.binMs / 1000) : 0; });
    }
    this.plot.setData([xs, ...series] as unknown as uPlot.AlignedData);
  }

  destroy(): void {
    this.plot.destroy();
  }
}
