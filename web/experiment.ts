// Panels of an experiment run on the server: its progress log, its live
// images (e.g. STDP receptive fields forming digit shapes) and curves (e.g.
// accuracy against digits shown), and its results when it ends.

import uPlot from 'uplot';
import type { Frame, HelloFrame, ImagesFrame } from '../src/protocol/messages.js';
import { panelElement, colorOf, chartWidth, type Panel } from './panels.js';
import { renderResults } from './results.js';

export class LogPanel implements Panel {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly bar: HTMLProgressElement;
  private results: uPlot[] = [];

  constructor(hello: HelloFrame) {
    const { element, body } = panelElement(`Experiment ${hello.run.name}`, true);
    this.element = element;
    this.bar = document.createElement('progress');
    this.bar.max = 1;
    this.bar.value = 0;
    this.bar.style.width = '100%';
    this.list = document.createElement('ol');
    this.list.className = 'log';
    body.append(this.bar, this.list);
  }

  frame(frame: Frame): void {
    if (frame.type === 'progress') this.bar.value = frame.fraction ?? 0;
    else if (frame.type === 'log') {
      const li = document.createElement('li');
      li.textContent = frame.message;
      this.list.append(li);
      while (this.list.children.length > 12) this.list.firstElementChild!.remove();
    } else if (frame.type === 'results') {
      this.bar.value = 1;
      const box = document.createElement('div');
      this.element.after(box);
      this.results = renderResults(box, frame.summary as unknown as Parameters<typeof renderResults>[1], "this run");
    }
  }

  draw(): void {}
  destroy(): void { for (const p of this.results) p.destroy(); }
}

export class ImagesPanel implements Panel {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private latest: ImagesFrame | undefined;
  private dirty = false;

  constructor(_hello: HelloFrame) {
    const { element, body } = panelElement('Learned images', true);
    this.element = element;
    const fig = document.createElement('figure');
    fig.className = 'state-image';
    this.canvas = document.createElement('canvas');
    this.caption = document.createElement('figcaption');
    fig.append(this.canvas, this.caption);
    body.append(fig);
  }

  frame(frame: Frame): void {
    if (frame.type !== 'images') return;
    this.latest = frame;
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty || !this.latest) return;
    this.dirty = false;
    const f = this.latest;
    const cols = Math.ceil(Math.sqrt(f.count)), rows = Math.ceil(f.count / cols);
    const w = cols * (f.cols + 1) + 1, h = rows * (f.rows + 1) + 1;
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      const scale = Math.max(1, Math.floor(Math.min(900, chartWidth(this.element) - 20) / w));
      this.canvas.style.width = `${w * scale}px`;
      this.canvas.style.imageRendering = 'pixelated';
    }
    const ctx = this.canvas.getContext('2d')!;
    const img = ctx.createImageData(w, h);
    img.data.fill(255);
    const n = f.rows * f.cols;
    for (let k = 0; k < f.count; k++) {
      const ox = 1 + (k % cols) * (f.cols + 1), oy = 1 + Math.floor(k / cols) * (f.rows + 1);
      for (let y = 0; y < f.rows; y++) for (let x = 0; x < f.cols; x++) {
        const v = 255 - f.pixels[k * n + y * f.cols + x]!;
        const i = 4 * ((oy + y) * w + ox + x);
        img.data[i] = v; img.data[i + 1] = v; img.data[i + 2] = v;
      }
    }
    ctx.putImageData(img, 0, 0);
    this.caption.textContent = f.title;
  }

  destroy(): void {}
}

interface Chart {
  box: HTMLElement;
  plot: uPlot | undefined;
  series: Map<string, Map<number, number>>;
  dirty: boolean;
}

/** Curves sent point by point, one chart per frame "chart" (its own x axis), one line per "series". */
export class CurvesPanel implements Panel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly charts = new Map<string, Chart>();

  constructor(_hello: HelloFrame) {
    const { element, body } = panelElement('Curves', true);
    this.element = element;
    this.body = body;
  }

  frame(frame: Frame): void {
    if (frame.type !== 'curve') return;
    let chart = this.charts.get(frame.chart);
    if (!chart) {
      const box = document.createElement('figure');
      box.className = 'curve';
      const title = document.createElement('h3');
      title.textContent = frame.chart;
      box.append(title);
      this.body.append(box);
      chart = { box, plot: undefined, series: new Map(), dirty: false };
      this.charts.set(frame.chart, chart);
    }
    let s = chart.series.get(frame.series);
    if (!s) {
      chart.series.set(frame.series, (s = new Map()));
      chart.plot?.destroy();
      chart.plot = new uPlot({
        width: Math.min(900, chartWidth(this.body) - 20), height: 260,
        scales: { x: { time: false } },
        axes: [{ label: frame.x_label }, { label: frame.y_label, size: 55 }],
        series: [{}, ...[...chart.series.keys()].map((name, k) => ({ label: name, stroke: colorOf(k), width: 2, spanGaps: true }))],
        cursor: { show: false }, legend: { live: false },
      }, [[]] as unknown as uPlot.AlignedData, chart.box);
    }
    frame.x.forEach((x, k) => s!.set(x, frame.y[k]!));
    chart.dirty = true;
  }

  draw(): void {
    for (const chart of this.charts.values()) {
      if (!chart.dirty || !chart.plot) continue;
      chart.dirty = false;
      const xs = [...new Set([...chart.series.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
      chart.plot.setData([xs, ...[...chart.series.values()].map((m) => xs.map((x) => m.get(x) ?? null))] as unknown as uPlot.AlignedData);
    }
  }

  destroy(): void { for (const chart of this.charts.values()) chart.plot?.destroy(); }
}
