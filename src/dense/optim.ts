// Gradient-descent updates over parameter matrices: SGD and Adam, with
// optional clipping of the global gradient norm (Pascanu et al. 2013).

import type { Dense, Mat } from '../kernel/dense.js';

export interface Param { name: string; w: Mat; g: Mat }

export interface OptimizerOptions {
  kind: 'sgd' | 'adam';
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Rescale the gradients when their global L2 norm exceeds this. */
  clip?: number;
  /** SGD: classical momentum (velocity = momentum velocity + g; w -= lr velocity). */
  momentum?: number;
  /** L2 weight cost: g += weightDecay w before the step, on weight matrices (more than one row), not on bias rows (Hinton 2010, 10). */
  weightDecay?: number;
}

export class Optimizer {
  private readonly moments: { m: Mat; v: Mat }[];
  private t = 0;
  /** Global gradient norm at the last step (before clipping); kept only when clipping. */
  lastNorm = 0;

  /** A copy of the options given: setLearningRate changes this optimizer's only. */
  readonly options: OptimizerOptions;

  constructor(private readonly dense: Dense, readonly params: Param[], options: OptimizerOptions) {
    this.options = { ...options };
    this.moments = options.kind === 'adam' ? params.map((p) => ({ m: dense.mat(p.w.rows, p.w.cols), v: dense.mat(p.w.rows, p.w.cols) }))
      : options.momentum ? params.map((p) => ({ m: dense.mat(p.w.rows, p.w.cols), v: dense.mat(1, 1) })) : [];
  }

  /** The learning rate from the next step on (a schedule sets it between steps). */
  setLearningRate(lr: number): void {
    if (!(lr >= 0)) throw new RangeError(`learning rate ${lr}: must be a number >= 0`);
    this.options.lr = lr;
  }

  zeroGrad(): void {
    for (const p of this.params) p.g.fill(0);
  }

  gradNorm(): number {
    let s = 0;
    for (const p of this.params) s += this.dense.sumSquares(p.g);
    return Math.sqrt(s);
  }

  step(): void {
    const o = this.options;
    if (o.weightDecay) for (const p of this.params) if (p.w.rows > 1) this.dense.axpy(p.w, p.g, o.weightDecay);
    // The norm costs a pass over every gradient: only when clipping needs it.
    if (o.clip !== undefined) this.lastNorm = this.gradNorm();
    if (o.clip !== undefined && this.lastNorm > o.clip) for (const p of this.params) this.dense.scale(p.g, o.clip / this.lastNorm);
    this.t++;
    if (o.kind === 'sgd') {
      this.params.forEach((p, k) => {
        if (!o.momentum) return this.dense.axpy(p.g, p.w, -o.lr);
        const vel = this.moments[k]!.m;
        this.dense.scale(vel, o.momentum);
        this.dense.axpy(p.g, vel, 1);
        this.dense.axpy(vel, p.w, -o.lr);
      });
      return;
    }
    const b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999, eps = o.eps ?? 1e-8;
    const c2 = Math.sqrt(1 - b2 ** this.t);
    const lrT = (o.lr * c2) / (1 - b1 ** this.t);
    this.params.forEach((p, k) => this.dense.adam(p.w, p.g, this.moments[k]!.m, this.moments[k]!.v, lrT, b1, b2, eps * c2));
  }

  free(): void {
    for (const { m, v } of this.moments) { m.free(); v.free(); }
  }
}
