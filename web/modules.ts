// Rate-coded modules beside the raster: each module's output activity as a
// scrolling heat map (units down, time across) and its mean over time.

import uPlot from 'uplot';
import type { Frame, HelloFrame, ModulesFrame } from '../src/protocol/messages.js';
import { panelElement, colorOf, chartWidth, colourBar, type Panel } from './panels.js';

const COLUMNS = 300;

interface ModuleView { canvas: HTMLCanvasElement; units: number; columns: Float32Array[]; times: number[]; means: number[] }

export class ModulesPanel implements Panel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly views = new Map<string, ModuleView>();
  private plot: uPlot | undefined;
  private dirty = false;

  constructor(_hello: HelloFrame) {
    const { element, body } = panelElement('Rate-coded modules (activity 0-1)', true);
    this.element = element;
    this.body = body;
  }

  private view(f: ModulesFrame): ModuleView {
    let v = this.views.get(f.module);
    if (v) return v;
    const fig = document.createElement('figure');
    fig.className = 'state-image';
    const canvas = document.createElement('canvas');
    canvas.width = COLUMNS;
    canvas.height = f.units;
    // As wide as the panel; height in proportion to the units, within bounds.
    canvas.style.width = '100%';
    canvas.style.height = `${Math.max(80, Math.min(240, f.units * 2))}px`;
    canvas.style.imageRendering = 'pixelated';
    const cap = document.createElement('figcaption');
    cap.textContent = `${f.module}: ${f.units} output units over the last ${COLUMNS} updates`;
    fig.append(canvas, colourBar(activityColour, '0', '1', 'activity'), cap);
    this.body.append(fig);
    v = { canvas, units: f.units, columns: [], times: [], means: [] };
    this.views.set(f.module, v);
    if (!this.plot) {
      const box = document.createElement('div');
      this.body.append(box);
      this.plot = new uPlot({
        width: Math.min(900, chartWidth(this.body) - 20), height: 180, title: 'mean activity',
        scales: { x: { time: false }, y: { range: [0, 1] } },
        axes: [{ label: 'time (ms)' }, { size: 45 }],
        series: [{}, { label: f.module, stroke: colorOf(0), width: 1.5, points: { show: false } }],
        cursor: { show: false }, legend: { live: false },
      }, [[], []] as unknown as uPlot.AlignedData, box);
    }
    return v;
  }

  frame(frame: Frame): void {
    if (frame.type !== 'modules') return;
    const v = this.view(frame);
    for (let r = 0; r < frame.times.length; r++) {
      const col = frame.activity.slice(r * frame.units, (r + 1) * frame.units);
      v.columns.push(col);
      v.times.push(frame.times[r]!);
      v.means.push(col.reduce((a, b) => a + b, 0) / frame.units);
    }
    if (v.columns.length > COLUMNS) {
      const cut = v.columns.length - COLUMNS;
      v.columns.splice(0, cut);
      v.times.splice(0, cut);
      v.means.splice(0, cut);
    }
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    for (const v of this.views.values()) {
      const ctx = v.canvas.getContext('2d')!;
      const img = ctx.createImageData(COLUMNS, v.units);
      v.columns.forEach((col, x) => {
        for (let u = 0; u < v.units; u++) {
          const [r, g, b] = activityColour(Math.max(0, Math.min(1, col[u]!)));
          const i = 4 * (u * COLUMNS + x);
          img.data[i] = r;
          img.data[i + 1] = g;
          img.data[i + 2] = b;
          img.data[i + 3] = 255;
        }
      });
      ctx.putImageData(img, 0, 0);
    }
    const first = this.views.values().next().value as ModuleView | undefined;
    if (this.plot && first) this.plot.setData([first.times, first.means] as unknown as uPlot.AlignedData);
  }

  destroy(): void {
    this.plot?.destroy();
  }
}

/** The heat map's colours: dark blue (0) through purple to orange (1). */
function activityColour(a: number): [number, number, number] {
  return [Math.round(255 * a), Math.round(120 * a), Math.round(60 + 100 * (1 - a))];
}
