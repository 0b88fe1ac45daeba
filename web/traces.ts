// Recorded state variables (membrane traces) over the raster's window.

import uPlot from 'uplot';
import type { Frame, HelloFrame } from '../src/protocol/messages.js';
import { panelElement, colorOf, chartWidth, type Panel } from './panels.js';

const MAX_TRACES = 8;

export class TracesPanel implements Panel {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private times: number[] = [];
  private values: number[][];
  private readonly shown: number;
  private dirty = false;

  constructor(hello: HelloFrame, private readonly windowMs = 1000) {
    const probes = hello.run.probes;
    this.shown = Math.min(MAX_TRACES, probes.length);
    const unit = probes.every((p) => p.variable === 'v') ? ' (mV)' : '';
    const { element, body } = panelElement(`Recorded state${unit}${probes.length > MAX_TRACES ? ` (first ${MAX_TRACES} of ${probes.length})` : ''}`);
    this.element = element;
    this.values = Array.from({ length: this.shown }, () => []);
    this.plot = new uPlot({
      width: 560, height: 220,
      scales: { x: { time: false } },
      axes: [{ label: 'time (ms)' }, { size: 50 }],
      series: [{}, ...probes.slice(0, this.shown).map((p, k) => ({ label: `${p.population}[${p.neuron}].${p.variable}`, stroke: colorOf(k), width: 1, points: { show: false } }))],
      cursor: { show: false },
      legend: { live: false },
    }, [[], ...Array.from({ length: this.shown }, () => [])] as unknown as uPlot.AlignedData, body);
    requestAnimationFrame(() => this.plot.setSize({ width: chartWidth(body), height: 220 }));
  }

  frame(frame: Frame): void {
    if (frame.type !== 'state') return;
    for (let r = 0; r < frame.times.length; r++) {
      this.times.push(frame.times[r]!);
      for (let q = 0; q < this.shown; q++) this.values[q]!.push(frame.values[r * frame.probes + q]!);
    }
    const tMin = this.times[this.times.length - 1]! - this.windowMs;
    let cut = 0;
    while (cut < this.times.length && this.times[cut]! < tMin) cut++;
    if (cut > 0) {
      this.times = this.times.slice(cut);
      this.values = this.values.map((v) => v.slice(cut));
    }
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.plot.setData([this.times, ...this.values] as unknown as uPlot.AlignedData);
  }

  destroy(): void {
    this.plot.destroy();
  }
}
