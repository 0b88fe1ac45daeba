// Rate-coded modules in a running simulation: every `interval` ms the
// encoder reads the input population's spikes as rates, the layer takes one
// step, and its activity in [0, 1] sets the output population's rates
// (max_rate x activity) until the next update. Weights start random
// (seeded), or from the module's weights document (src/model/weights.ts);
// code reaches the layer (module.rbm, .mlp, .recurrent, .vae, .gan) to load
// or train them.

import type { Kernel } from '../kernel/kernel.js';
import type { Device, Emit } from '../sim/devices.js';
import type { Network } from '../network/build.js';
import type { ValidModel } from '../model/validate.js';
import type { Module } from '../model/schema.js';
import { msToSteps } from '../model/units.js';
import { Dense } from '../kernel/dense.js';
import { Rbm } from '../dense/rbm.js';
import { Mlp } from '../dense/mlp.js';
import { RecurrentNet } from '../dense/recurrent.js';
import { Vae } from '../dense/vae.js';
import { Gan } from '../dense/gan.js';
import { normalQuantile } from '../core/quantile.js';
import { moduleHidden, type WeightsDocument } from '../model/weights.js';
import { loadWeights } from '../dense/weights.js';
import type { Param } from '../dense/optim.js';
import { SpikeEncoder } from './bridge.js';
import type { ModuleSample } from '../sim/recording.js';


export class RateModule implements Device {
  readonly name: string;
  readonly type: Module['type'];
  readonly everySteps: number;
  readonly output: string;
  readonly maxRate: number;
  readonly rbm: Rbm | undefined;
  readonly mlp: Mlp | undefined;
  readonly recurrent: RecurrentNet | undefined;
  readonly vae: Vae | undefined;
  readonly gan: Gan | undefined;
  private readonly encoder: SpikeEncoder;
  private readonly inputScale: number;
  private readonly state: { h: Float32Array; C: Float32Array } | undefined;
  private readonly nOut: number;
  private readonly outputIndex: number;
  // The layer's parameters (what a weights document holds), for checkpoints.
  private readonly params: Param[];

  constructor(private readonly kernel: Kernel, dense: Dense, network: Network, model: ValidModel, spec: Module) {
    const input = network.populations.find((p) => p.name === spec.input)!;
    const output = network.populations.find((p) => p.name === spec.output)!;
    this.outputIndex = output.index;
    this.name = spec.name;
    this.type = spec.type;
    this.output = spec.output;
    this.maxRate = spec.max_rate!;
    this.inputScale = spec.input_scale!;
    this.nOut = output.size;
    const interval = spec.interval!;
    this.everySteps = Math.max(1, msToSteps(interval, model.dt));
    this.encoder = new SpikeEncoder(kernel, input.index, input.size, spec.encoder ?? { kind: 'count' }, this.everySteps * model.dt);
    const seed = spec.seed ?? model.seed;
    const hidden = moduleHidden(spec.type, spec.hidden);
    let params: Param[];
    if (spec.type === 'rbm') params = (this.rbm = new Rbm(dense, input.size, output.size, seed)).params();
    else if (spec.type === 'mlp') params = (this.mlp = new Mlp(dense, [input.size, ...hidden, output.size], 'sigmoid', seed)).params();
    else if (spec.type === 'vae') params = (this.vae = new Vae(dense, output.size, hidden[0]!, input.size, seed)).params();
    else if (spec.type === 'gan') params = (this.gan = new Gan(dense, output.size, { latent: input.size, gHidden: hidden, dHidden: [1], seed })).G.params('G');
    else {
      params = (this.recurrent = new RecurrentNet(dense, { cell: spec.type, inputs: input.size, hidden: output.size, outputs: 1 }, seed)).params();
      this.state = { h: new Float32Array(output.size), C: new Float32Array(output.size) };
    }
    // The validator checked the document against these very shapes.
    if (spec.weights !== undefined) loadWeights(params, spec.weights as WeightsDocument);
    this.params = params;
  }

  // A checkpoint holds what a run or the user's code may have changed: the
  // weights (code may train the layer between runs), the encoder's counts
  // and windows, and a recurrent layer's h and C. Its size follows from the
  // model alone, so a checkpoint is split into the kernel's part and the
  // modules' without a length field.

  /** Bytes of this module's part of a checkpoint. */
  get stateBytes(): number {
    let floats = 0;
    for (const p of this.params) floats += p.w.rows * p.w.cols;
    if (this.state) floats += 2 * this.nOut;
    return 4 * floats + 8 * this.encoder.stateLength;
  }

  /** Writes this module's state at offset (stateBytes long), little-endian as the kernel's part. */
  writeState(out: Uint8Array, offset: number): void {
    const view = new DataView(out.buffer, out.byteOffset + offset, this.stateBytes);
    let at = 0;
    const f32 = (values: ArrayLike<number>) => { for (let i = 0; i < values.length; i++, at += 4) view.setFloat32(at, values[i]!, true); };
    for (const p of this.params) f32(p.w.toArray());
    if (this.state) { f32(this.state.h); f32(this.state.C); }
    for (const v of this.encoder.stateValues()) { view.setFloat64(at, v, true); at += 8; }
  }

  /**
   * Reads what writeState wrote (the caller checked the length) and returns
   * the restore, to apply once every part of the checkpoint has been read;
   * undefined when the part cannot be this module's.
   */
  readState(bytes: Uint8Array, offset: number): (() => void) | undefined {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, this.stateBytes);
    let at = 0;
    const f32 = (n: number) => { const out = new Float32Array(n); for (let i = 0; i < n; i++, at += 4) out[i] = view.getFloat32(at, true); return out; };
    const weights = this.params.map((p) => f32(p.w.rows * p.w.cols));
    const recurrent = this.state ? { h: f32(this.nOut), C: f32(this.nOut) } : undefined;
    const encoder = new Float64Array(this.encoder.stateLength);
    for (let i = 0; i < encoder.length; i++, at += 8) encoder[i] = view.getFloat64(at, true);
    if (!this.encoder.fits(encoder)) return undefined;
    return () => {
      this.params.forEach((p, k) => p.w.set(weights[k]!));
      if (this.state && recurrent) { this.state.h.set(recurrent.h); this.state.C.set(recurrent.C); }
      this.encoder.restoreValues(encoder);
    };
  }

  stepsToSample(step: number): number { return this.everySteps - (step % this.everySteps); }

  /** Every interval: the layer takes a step and sets its output population's rates. */
  collect(step: number, timeMs: number, emit: Emit): void {
    if (step % this.everySteps !== 0) return;
    const sample = this.update(timeMs);
    this.kernel.setRates(this.outputIndex, Float64Array.from(sample.activity, (a) => a * this.maxRate), `module "${this.name}" rates of "${this.output}"`);
    emit({ kind: 'modules', sample });
  }

  /** Encodes the last interval's input, steps the layer; returns the sample (collect sets the rates). */
  update(tMs: number): ModuleSample {
    const rates = this.encoder.update();
    const x = Float32Array.from(rates, (r) => r / this.inputScale);
    let activity: Float32Array;
    if (this.rbm) {
      const dense = this.rbm.dense;
      const v = dense.mat(1, x.length, x.map((u) => Math.min(1, Math.max(0, u))));
      const h = dense.mat(1, this.nOut);
      this.rbm.hiddenProbs(v, h);
      activity = h.toArray();
      v.free(); h.free();
    } else if (this.mlp) {
      activity = this.mlp.forward(x, 1).toArray();
    } else if (this.vae) {
      // Rates as quantiles of the standard normal prior (kept off its infinite ends).
      const z = Float32Array.from(x, (u) => normalQuantile(Math.min(0.999, Math.max(0.001, u))));
      activity = this.vae.decodeProbs(z, 1);
    } else if (this.gan) {
      const z = Float32Array.from(x, (u) => 2 * Math.min(1, Math.max(0, u)) - 1);
      activity = this.gan.generate(z, 1);
    } else {
      this.recurrent!.stepOnce(x, this.state!);
      activity = Float32Array.from(this.state!.h, (h) => (h + 1) / 2);
    }
    return { tMs, module: this.name, input: x, activity };
  }
}

export function rateModules(kernel: Kernel, network: Network, model: ValidModel): RateModule[] {
  const specs = model.modules ?? [];
  if (!specs.length) return [];
  const dense = new Dense();
  dense.setSeed(model.seed);
  return specs.map((spec) => new RateModule(kernel, dense, network, model, spec));
}

export type { ModuleSample } from '../sim/recording.js';
