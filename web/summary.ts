// The run's numbers: per population size, spikes and rate, while it runs
// (progress frames) and at the end (the run's summary).

import type { Frame, HelloFrame, ProgressFrame } from '../src/protocol/messages.js';
import { panelElement, colorOf, type Panel } from './panels.js';

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const count = (x: number) => String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export class SummaryPanel implements Panel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private progress: ProgressFrame | undefined;
  private done: Record<string, unknown> | undefined;
  private dirty = false;

  constructor(private readonly hello: HelloFrame) {
    const { element, body } = panelElement('Run');
    this.element = element;
    this.body = body;
  }

  frame(frame: Frame): void {
    if (frame.type === 'progress') this.progress = frame;
    else if (frame.type === 'done') this.done = frame.summary;
    else return;
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty || !this.progress) return;
    this.dirty = false;
    const p = this.progress;
    const pops = this.hello.run.populations;
    const seconds = p.t_ms / 1000;
    const rows = pops.map((pop, k) => `<tr><td><span class="swatch" style="background:${colorOf(k)}"></span>${pop.name}</td><td>${pop.model}</td><td>${count(pop.size)}</td><td>${count(p.spikes[k] ?? 0)}</td><td>${fmt(seconds > 0 ? (p.spikes[k] ?? 0) / pop.size / seconds : 0)}</td><td>${fmt(p.rates_hz[k] ?? 0)}</td></tr>`);
    const s = this.done as { synapses?: number; synaptic_events?: number; events_per_second?: number; wall_ms?: { build: number; simulate: number } } | undefined;
    const extra = s
      ? `<tr><td>synapses</td><td colspan="5">${count(s.synapses ?? 0)}</td></tr><tr><td>synaptic events</td><td colspan="5">${count(s.synaptic_events ?? 0)}</td></tr><tr><td>kernel time</td><td colspan="5">${fmt(s.wall_ms?.simulate ?? 0, 1)} ms (${fmt((s.events_per_second ?? 0) / 1e6, 1)} M events/s)</td></tr>`
      : '';
    this.body.innerHTML = `<table><thead><tr><th>population</th><th>model</th><th>neurons</th><th>spikes</th><th>mean Hz</th><th>now Hz</th></tr></thead><tbody>${rows.join('')}${extra}</tbody></table>
      <p>${this.hello.run.name}: ${fmt(seconds, 2)} s simulated, ${p.state}${p.speed > 0 ? `, ${fmt(p.speed, 2)}x real time` : ''}</p>`;
  }

  destroy(): void {}
}
