// The spike raster: time against neuron, the recorded populations stacked
// and coloured (the others named as not recorded), over a sliding window.
// uPlot draws the axes; the points are written as pixels into an offscreen
// image and blitted in one call, which keeps a frame to a few milliseconds
// with 100000 spikes in view. When spikes outnumber pixels, a pixel's
// shade says how many fell on it (log scale), not merely that one did.

import uPlot from 'uplot';
import { blockTimes, type Frame, type HelloFrame } from '../src/protocol/messages.js';
import { panelElement, colorOf, chartWidth, type Panel } from './panels.js';
import { stats } from './stats.js';

/** Spikes in view, oldest first, in a growable ring. */
class SpikeRing {
  t = new Float64Array(1 << 14);
  row = new Float32Array(1 << 14);
  pop = new Uint8Array(1 << 14);
  head = 0;
  size = 0;

  push(t: number, row: number, pop: number): void {
    if (this.size === this.t.length) this.grow();
    const k = (this.head + this.size) % this.t.length;
    this.t[k] = t;
    this.row[k] = row;
    this.pop[k] = pop;
    this.size++;
  }

  dropBefore(tMin: number): void {
    while (this.size > 0 && this.t[this.head]! < tMin) {
      this.head = (this.head + 1) % this.t.length;
      this.size--;
    }
  }

  private grow(): void {
    const n = this.t.length * 2;
    const t = new Float64Array(n), row = new Float32Array(n), pop = new Uint8Array(n);
    for (let q = 0; q < this.size; q++) {
      const k = (this.head + q) % this.t.length;
      t[q] = this.t[k]!; row[q] = this.row[k]!; pop[q] = this.pop[k]!;
    }
    this.t = t; this.row = row; this.pop = pop; this.head = 0;
  }
}

function rgbaWord(hex: string): number {
  const v = parseInt(hex.slice(1), 16);
  // ImageData is RGBA bytes; a little-endian u32 holds them as ABGR.
  return (0xff << 24) | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff);
}

export class RasterPanel implements Panel {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly ring = new SpikeRing();
  /** Row of each population's first neuron; -1 for populations not recorded (no rows). */
  private readonly rowOffset: number[];
  private readonly rows: number;
  private readonly colors: number[];
  private readonly rgb: [number, number, number][];
  private counts = new Uint16Array(0);
  private owner = new Uint8Array(0);
  private tNow = 0;
  private dirty = true;
  private scratch: HTMLCanvasElement = document.createElement('canvas');
  points = 0;

  constructor(hello: HelloFrame, private readonly windowMs = 1000) {
    const { element, body } = panelElement('Spike raster', true);
    this.element = element;
    const pops = hello.run.populations;
    let rows = 0;
    this.rowOffset = pops.map((p) => {
      if (p.recorded === false) return -1;
      const at = rows;
      rows += p.size;
      return at;
    });
    this.rows = rows;
    this.colors = pops.map((_, k) => rgbaWord(colorOf(k)));
    this.rgb = pops.map((_, k) => { const v = parseInt(colorOf(k).slice(1), 16); return [v >> 16, (v >> 8) & 0xff, v & 0xff]; });
    const legend = document.createElement('div');
    legend.className = 'legend';
    const esc = (t: string) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
    legend.innerHTML = pops.map((p, k) => (p.recorded === false
      ? `<span class="unrecorded" title="the model does not record this population's spikes">${esc(p.name)} (${p.size}, not recorded)</span>`
      : `<span><span class="swatch" style="background:${colorOf(k)}"></span>${esc(p.name)} (${p.size})</span>`)).join('');
    body.append(legend);
    const chart = document.createElement('div');
    body.append(chart);
    this.plot = new uPlot({
      width: 800, height: 320,
      scales: {
        x: { time: false, range: () => [Math.max(0, this.tNow - this.windowMs), Math.max(this.windowMs, this.tNow)] },
        y: { range: () => [0, Math.max(1, this.rows)] },
      },
      axes: [{ label: 'time (ms)' }, { label: 'neuron', size: 60 }],
      series: [{}, { label: 'spikes', paths: () => null, points: { show: false } }],
      legend: { show: false },
      cursor: { show: false },
      hooks: { draw: [(u: uPlot) => this.paint(u)] },
    }, [[0, 1], [null, null]] as unknown as uPlot.AlignedData, chart);
    requestAnimationFrame(() => this.plot.setSize({ width: chartWidth(body), height: 320 }));
  }

  frame(frame: Frame): void {
    if (frame.type === 'spikes') {
      for (const block of frame.blocks) {
        const times = blockTimes(frame, block);
        const offset = this.rowOffset[block.pop]!;
        if (offset < 0) continue;
        for (let k = 0; k < times.length; k++) this.ring.push(times[k]!, offset + block.ids[k]!, block.pop);
      }
      this.tNow = Math.max(this.tNow, frame.t1);
      this.dirty = true;
    } else if (frame.type === 'progress') {
      if (frame.t_ms > this.tNow) { this.tNow = frame.t_ms; this.dirty = true; }
    }
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.ring.dropBefore(this.tNow - this.windowMs);
    this.plot.setData([[0, 1], [null, null]] as unknown as uPlot.AlignedData);
  }

  private paint(u: uPlot): void {
    const { left, top, width, height } = u.bbox;
    if (width <= 0 || height <= 0) return;
    const x0 = u.scales.x!.min!, x1 = u.scales.x!.max!;
    const c = this.scratch;
    if (c.width !== width || c.height !== height) { c.width = width; c.height = height; }
    const ctx2 = c.getContext('2d')!;
    const img = ctx2.createImageData(width, height);
    const px = new Uint32Array(img.data.buffer);
    const sx = width / (x1 - x0), sy = height / Math.max(1, this.rows);
    const dot = Math.max(1, Math.round(devicePixelRatio * 1.5));
    const ring = this.ring;
    const cap = ring.t.length;
    const cells = width * height;
    if (this.counts.length !== cells) { this.counts = new Uint16Array(cells); this.owner = new Uint8Array(cells); }
    const counts = this.counts, owner = this.owner;
    counts.fill(0);
    let drawn = 0, most = 0;
    for (let q = 0; q < ring.size; q++) {
      const k = (ring.head + q) % cap;
      const x = ((ring.t[k]! - x0) * sx) | 0;
      const y = (height - 1 - ring.row[k]! * sy) | 0;
      if (x < 0 || x >= width || y < 0 || y >= height) continue;
      const i = y * width + x;
      if (counts[i]! < 65535) counts[i]!++;
      if (counts[i]! > most) most = counts[i]!;
      owner[i] = ring.pop[k]!;
      drawn++;
    }
    if (most <= 1) {
      // Sparse: every spike a solid dot.
      for (let i = 0; i < cells; i++) {
        if (!counts[i]) continue;
        const x = i % width, y = (i / width) | 0, color = this.colors[owner[i]!]!;
        for (let dy = 0; dy < dot && y + dy < height; dy++) {
          const base = (y + dy) * width + x;
          for (let dx = 0; dx < dot && x + dx < width; dx++) px[base + dx] = color;
        }
      }
    } else {
      // Dense: a pixel's colour from pale to full with log(1 + spikes on it).
      const scale = 1 / Math.log1p(most);
      for (let i = 0; i < cells; i++) {
        const n = counts[i]!;
        if (!n) continue;
        const a = 0.25 + 0.75 * Math.log1p(n) * scale;
        const [r, g, b] = this.rgb[owner[i]!]!;
        px[i] = (0xff << 24) | (Math.round(255 - a * (255 - b)) << 16) | (Math.round(255 - a * (255 - g)) << 8) | Math.round(255 - a * (255 - r));
      }
    }
    ctx2.putImageData(img, 0, 0);
    u.ctx.drawImage(c, left, top);
    this.points = drawn;
    stats.rasterPoints = drawn;
  }

  destroy(): void {
    this.plot.destroy();
  }
}
