// Weights of a plastic projection as they change: the weight histogram of
// the latest sample, the chosen synapses over time, and, when many synapses
// are recorded, their current weights side by side (for stdp-window, where
// synapse k holds interval k, that profile is the STDP window).

import uPlot from 'uplot';
import type { Frame, HelloFrame, WeightsFrame } from '../src/protocol/messages.js';
import { panelElement, colorOf, chartWidth, type Panel } from './panels.js';

const MAX_TRACES = 8;
const WINDOW_POINTS = 2000;

export class WeightsPanel implements Panel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private projection: string | undefined;
  private hist: uPlot | undefined;
  private traces: uPlot | undefined;
  private profile: uPlot | undefined;
  private latest: WeightsFrame | undefined;
  private times: number[] = [];
  private series: number[][] = [];
  private dirty = false;
  private profileX: number[] = [];

  constructor(_hello: HelloFrame) {
    const { element, body } = panelElement('Weights', true);
    this.element = element;
    this.body = body;
  }

  private setup(f: WeightsFrame): void {
    this.projection = f.projection;
    (this.element.querySelector('h2') as HTMLElement).textContent = `Weights: ${f.projection}`;
    const row = document.createElement('div');
    row.style.display = 'flex';
    row.style.flexWrap = 'wrap';
    row.style.gap = '0.5rem';
    this.body.append(row);
    const box = () => { const d = document.createElement('div'); row.append(d); return d; };
    const width = Math.max(300, Math.floor(chartWidth(this.body) / 2) - 8);
    const weight = f.unit ? `weight (${f.unit})` : 'weight';
    if (f.counts && f.edges) {
      this.hist = new uPlot({
        width, height: 220, title: 'histogram (latest)',
        scales: { x: { time: false, range: [f.edges[0]!, f.edges[f.edges.length - 1]!] } },
        axes: [{ label: weight }, { label: 'synapses', size: 55 }],
        series: [{}, { label: 'synapses', fill: 'rgba(0,114,178,0.35)', stroke: colorOf(0), paths: uPlot.paths.bars!({ size: [0.95, Infinity] }), points: { show: false } }],
        cursor: { show: false }, legend: { show: false },
      }, [[], []] as unknown as uPlot.AlignedData, box());
    }
    const n = f.values ? f.values.length : 0;
    if (n > 0) {
      const shown = Math.min(MAX_TRACES, n);
      this.series = Array.from({ length: shown }, () => []);
      this.traces = new uPlot({
        width, height: 220, title: `weights of ${shown} synapse${shown > 1 ? 's' : ''}`,
        scales: { x: { time: false } },
        axes: [{ label: 'time (ms)' }, { label: weight, size: 55 }],
        series: [{}, ...Array.from({ length: shown }, (_, k) => ({ label: `${f.pairs![2 * k]}->${f.pairs![2 * k + 1]}`, stroke: colorOf(k), width: 1.2, points: { show: false } }))],
        cursor: { show: false }, legend: { live: false },
      }, [[], ...this.series] as unknown as uPlot.AlignedData, box());
    }
    if (n > MAX_TRACES) {
      const axis = f.axis && f.axis.values.length === n ? f.axis : undefined;
      this.profileX = axis ? axis.values : Array.from({ length: n }, (_, k) => k);
      this.profile = new uPlot({
        width, height: 220, title: axis ? `all ${n} recorded synapses against ${axis.label}` : `all ${n} recorded synapses`,
        scales: { x: { time: false } },
        axes: [{ label: axis ? (axis.unit ? `${axis.label} (${axis.unit})` : axis.label) : 'synapse' }, { label: weight, size: 55 }],
        series: [{}, { label: 'weight', stroke: colorOf(1), width: 1.5, points: { show: false } }],
        cursor: { show: false }, legend: { show: false },
      }, [[], []] as unknown as uPlot.AlignedData, box());
    }
  }

  frame(frame: Frame): void {
    if (frame.type !== 'weights') return;
    if (this.projection === undefined) this.setup(frame);
    if (frame.projection !== this.projection) return;
    this.latest = frame;
    if (frame.values && this.series.length) {
      this.times.push(frame.t_ms);
      this.series.forEach((s, k) => s.push(frame.values![k]!));
      if (this.times.length > WINDOW_POINTS) {
        this.times = this.times.slice(-WINDOW_POINTS);
        this.series = this.series.map((s) => s.slice(-WINDOW_POINTS));
      }
    }
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty || !this.latest) return;
    this.dirty = false;
    const f = this.latest;
    if (this.hist && f.counts && f.edges) {
      const centers = Array.from(f.counts, (_, b) => (f.edges![b]! + f.edges![b + 1]!) / 2);
      this.hist.setData([centers, Array.from(f.counts)] as unknown as uPlot.AlignedData);
    }
    if (this.traces) this.traces.setData([this.times, ...this.series] as unknown as uPlot.AlignedData);
    if (this.profile && f.values) {
      // uPlot wants x ascending: the synapses in the order of their axis values.
      const order = this.profileX.map((_, k) => k).sort((a, b) => this.profileX[a]! - this.profileX[b]!);
      this.profile.setData([order.map((k) => this.profileX[k]!), order.map((k) => f.values![k]!)] as unknown as uPlot.AlignedData);
    }
  }

  destroy(): void {
    this.hist?.destroy();
    this.traces?.destroy();
    this.profile?.destroy();
  }
}
