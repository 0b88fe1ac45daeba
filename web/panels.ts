// A run's view is a set of panels, each fed by the frame types it declares.
// A panel appears when the first frame of one of its types arrives, so a run
// shows what it emits and nothing else; a new kind of frame gets a view by
// adding a factory to PANEL_TYPES.

import type { Frame, HelloFrame } from '../src/protocol/messages.js';

export interface Panel {
  readonly element: HTMLElement;
  /** Receives every frame of the types the panel subscribes to. */
  frame(frame: Frame): void;
  /** Called once per animation frame; draws if anything changed. */
  draw(): void;
  destroy(): void;
}

export interface PanelType {
  /** Frame types that create and feed this panel. */
  frames: readonly Frame['type'][];
  /** False when the run has nothing for this panel (default: true). */
  applies?(hello: HelloFrame): boolean;
  create(hello: HelloFrame): Panel;
}

export class PanelSet {
  private readonly live = new Map<PanelType, Panel>();
  private hello: HelloFrame | undefined;

  constructor(private readonly container: HTMLElement, private readonly types: readonly PanelType[]) {}

  reset(hello: HelloFrame): void {
    for (const p of this.live.values()) p.destroy();
    this.live.clear();
    this.container.replaceChildren();
    this.hello = hello;
  }

  /** Removes every panel (and forgets the run). */
  clear(): void {
    for (const p of this.live.values()) p.destroy();
    this.live.clear();
    this.container.replaceChildren();
    this.hello = undefined;
  }

  frame(frame: Frame): void {
    if (!this.hello) return;
    for (const type of this.types) {
      if (!type.frames.includes(frame.type) || type.applies?.(this.hello) === false) continue;
      let panel = this.live.get(type);
      if (!panel) {
        panel = type.create(this.hello);
        this.live.set(type, panel);
        // Keep the order of the type list, whatever order frames arrive in.
        const next = this.types.slice(this.types.indexOf(type) + 1).map((t) => this.live.get(t)).find((p) => p !== undefined);
        this.container.insertBefore(panel.element, next?.element ?? null);
      }
      panel.frame(frame);
    }
  }

  draw(): void {
    for (const p of this.live.values()) p.draw();
  }

  get panels(): Panel[] {
    return [...this.live.values()];
  }
}

/** A titled panel element with a body to fill. */
export function panelElement(title: string, wide = false): { element: HTMLElement; body: HTMLElement } {
  const element = document.createElement('section');
  element.className = wide ? 'panel wide' : 'panel';
  const h = document.createElement('h2');
  h.textContent = title;
  const body = document.createElement('div');
  element.append(h, body);
  return { element, body };
}

/** Distinct colours per population (Okabe-Ito, colour-blind safe). */
export const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];
export function colorOf(index: number): string {
  return COLORS[index % COLORS.length]!;
}

/** Width for a chart filling its panel. */
export function chartWidth(el: HTMLElement): number {
  return Math.max(300, Math.floor(el.getBoundingClientRect().width) - 8);
}

/** A colour bar for a heat map: the gradient of paint(0..1) with its two ends labelled. */
export function colourBar(paint: (a: number) => [number, number, number], low: string, high: string, label: string): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'colour-bar';
  const canvas = document.createElement('canvas');
  canvas.width = 128;
  canvas.height = 1;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(128, 1);
  for (let x = 0; x < 128; x++) {
    const [r, g, b] = paint(x / 127);
    img.data.set([r, g, b, 255], 4 * x);
  }
  ctx.putImageData(img, 0, 0);
  const lo = document.createElement('span'), hi = document.createElement('span'), name = document.createElement('span');
  lo.textContent = low;
  hi.textContent = high;
  name.textContent = label;
  name.className = 'colour-bar-label';
  bar.append(name, lo, canvas, hi);
  return bar;
}
