// Binary populations: the energy falling (Hopfield) or fluctuating (Ising,
// Boltzmann), the magnetisation, the overlaps with the stored patterns, and
// the states drawn as images (the lattice, the recalled digit) beside the
// stored patterns.

import uPlot from 'uplot';
import type { EnergyFrame, Frame, HelloFrame, ImageInfo } from '../src/protocol/messages.js';
import { colourBar, panelElement, colorOf, chartWidth, type Panel } from './panels.js';

const WINDOW_POINTS = 4000;
const MAX_OVERLAP_TRACES = 8;

export class EnergyPanel implements Panel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private energyPlot: uPlot | undefined;
  private overlapPlot: uPlot | undefined;
  private times: number[] = [];
  private energy: number[] = [];
  private magnetisation: number[][] = [];
  private overlaps: number[][] = [];
  private dirty = false;

  constructor(_hello: HelloFrame) {
    const { element, body } = panelElement('Energy', true);
    this.element = element;
    this.body = body;
  }

  private setup(f: EnergyFrame): void {
    const row = document.createElement('div');
    row.className = 'row';
    this.body.append(row);
    const box = () => { const d = document.createElement('div'); row.append(d); return d; };
    const width = Math.max(300, Math.floor(chartWidth(this.body) / 2) - 8);
    this.magnetisation = f.populations.map(() => []);
    this.energyPlot = new uPlot({
      width, height: 220, title: 'energy and magnetisation',
      scales: { x: { time: false }, m: { range: [-1, 1] } },
      axes: [{ label: 'time (ms)' }, { label: 'energy', size: 70 }, { scale: 'm', side: 1, label: 'm', size: 45, grid: { show: false } }],
      series: [{}, { label: 'energy', stroke: colorOf(0), width: 1.5, points: { show: false } },
        ...f.populations.map((p, k) => ({ label: `m ${p.name}`, scale: 'm', stroke: colorOf(k + 1), width: 1, points: { show: false } }))],
      cursor: { show: false }, legend: { live: false },
    }, [[], [], ...this.magnetisation] as unknown as uPlot.AlignedData, box());
    const withPatterns = f.populations.find((p) => p.patterns > 0);
    if (withPatterns) {
      const shown = Math.min(MAX_OVERLAP_TRACES, withPatterns.patterns);
      this.overlaps = Array.from({ length: shown }, () => []);
      this.overlapPlot = new uPlot({
        width, height: 220, title: `overlaps with the stored patterns (${withPatterns.name})`,
        scales: { x: { time: false }, y: { range: [-1, 1] } },
        axes: [{ label: 'time (ms)' }, { label: 'm_mu', size: 45 }],
        series: [{}, ...Array.from({ length: shown }, (_, mu) => ({ label: `pattern ${mu}`, stroke: colorOf(mu), width: 1.3, points: { show: false } }))],
        cursor: { show: false }, legend: { live: false },
      }, [[], ...this.overlaps] as unknown as uPlot.AlignedData, box());
    }
  }

  frame(frame: Frame): void {
    if (frame.type !== 'energy') return;
    if (!this.energyPlot) this.setup(frame);
    const withPatterns = frame.populations.find((p) => p.patterns > 0);
    for (let r = 0; r < frame.times.length; r++) {
      this.times.push(frame.times[r]!);
      this.energy.push(frame.energy[r]!);
      frame.populations.forEach((p, k) => this.magnetisation[k]?.push(p.magnetisation[r]!));
      if (withPatterns) this.overlaps.forEach((o, mu) => o.push(withPatterns.overlaps[r * withPatterns.patterns + mu]!));
    }
    if (this.times.length > WINDOW_POINTS) {
      const cut = this.times.length - WINDOW_POINTS;
      this.times.splice(0, cut);
      this.energy.splice(0, cut);
      for (const m of this.magnetisation) m.splice(0, cut);
      for (const o of this.overlaps) o.splice(0, cut);
    }
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.energyPlot?.setData([this.times, this.energy, ...this.magnetisation] as unknown as uPlot.AlignedData);
    this.overlapPlot?.setData([this.times, ...this.overlaps] as unknown as uPlot.AlignedData);
  }

  destroy(): void {
    this.energyPlot?.destroy();
    this.overlapPlot?.destroy();
  }
}

/** Paints 0/1 bits (row-major rows x cols) onto a canvas, on = dark. */
function paint(canvas: HTMLCanvasElement, bits: Uint8Array, offset: number, rows: number, cols: number): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const v = bits[offset + i] ? 20 : 235;
    img.data[4 * i] = v;
    img.data[4 * i + 1] = v;
    img.data[4 * i + 2] = bits[offset + i] ? 60 : 240;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function canvasFor(rows: number, cols: number, displayPx: number, title: string): { wrap: HTMLElement; canvas: HTMLCanvasElement; caption: HTMLElement } {
  const wrap = document.createElement('figure');
  wrap.className = 'state-image';
  const canvas = document.createElement('canvas');
  canvas.width = cols;
  canvas.height = rows;
  // Pixelated scaling keeps each unit a crisp square; the image follows the panel's width (up to displayPx).
  canvas.style.width = '100%';
  canvas.style.maxWidth = `${displayPx}px`;
  canvas.style.height = 'auto';
  canvas.style.aspectRatio = `${cols} / ${rows}`;
  canvas.style.imageRendering = 'pixelated';
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  wrap.append(canvas, caption);
  return { wrap, canvas, caption };
}

/** The current states of image populations, and their stored patterns with the live overlaps. */
export class StateImagePanel implements Panel {
  readonly element: HTMLElement;
  private readonly views = new Map<string, { info: ImageInfo; canvas: HTMLCanvasElement; captions: HTMLElement[] }>();
  private latest: EnergyFrame | undefined;
  private dirty = false;

  constructor(hello: HelloFrame) {
    const images = hello.run.images ?? [];
    const { element, body } = panelElement(images.some((i) => i.count > 0) ? 'State and stored patterns' : 'State', true);
    this.element = element;
    for (const info of images) {
      const row = document.createElement('div');
      row.className = 'row images';
      const big = canvasFor(info.rows, info.cols, Math.max(384, Math.min(900, info.cols * 6)), `${info.population} now`);
      big.wrap.style.flex = '1 1 384px';
      big.wrap.append(colourBar((a) => (a < 0.5 ? [235, 235, 240] : [20, 20, 60]), 'off', 'on', 'unit state'));
      row.append(big.wrap);
      const captions: HTMLElement[] = [];
      for (let mu = 0; mu < info.count; mu++) {
        const small = canvasFor(info.rows, info.cols, 84, `pattern ${mu}`);
        paint(small.canvas, info.patterns, mu * info.rows * info.cols, info.rows, info.cols);
        captions.push(small.caption);
        row.append(small.wrap);
      }
      body.append(row);
      this.views.set(info.population, { info, canvas: big.canvas, captions });
    }
  }

  frame(frame: Frame): void {
    if (frame.type !== 'energy') return;
    this.latest = frame;
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty || !this.latest) return;
    this.dirty = false;
    const f = this.latest;
    for (const s of f.states) {
      const view = this.views.get(s.population);
      if (!view) continue;
      paint(view.canvas, s.bits, 0, view.info.rows, view.info.cols);
      const pop = f.populations.find((p) => p.name === s.population);
      const last = f.times.length - 1;
      if (pop && last >= 0) {
        view.captions.forEach((c, mu) => {
          if (mu < pop.patterns) c.textContent = `pattern ${mu}: m = ${pop.overlaps[last * pop.patterns + mu]!.toFixed(2)}`;
        });
      }
    }
  }

  destroy(): void {}
}
