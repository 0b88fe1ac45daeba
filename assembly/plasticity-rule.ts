// The state of a plastic projection: its rule's parameters, the lazy
// traces, the column index and the f64 master weights (see plasticity.ts
// for the rules and their timing).

export const RULE_PAIR: i32 = 1;
export const RULE_TRIPLET: i32 = 2;
export const RULE_REWARD: i32 = 3;
// Written as equations: generated on_pre / on_post functions (src/equations/synapse.ts).
export const RULE_EQUATIONS: i32 = 4;
export const PAIRING_ALL: i32 = 0;
export const PAIRING_NEAREST: i32 = 1;

export class Plasticity {
  rule: i32;
  pairing: i32 = PAIRING_ALL;
  dendritic: bool = false;
  tauPlus: f64 = 20; tauMinus: f64 = 20;
  aPlus: f64 = 0.01; aMinus: f64 = 0.0105;
  wMin: f64 = 0; wMax: f64 = 1; mu: f64 = 0;
  tauX: f64 = 101; tauY: f64 = 125;
  a2p: f64 = 0; a3p: f64 = 0; a2m: f64 = 0; a3m: f64 = 0;
  tauC: f64 = 1000; eta: f64 = 0;
  modulator: f64 = 0;
  // Learning-rate factor set by the host (annealing): the amplitudes above
  // are the model's times this (for the reward rule, eta is).
  rate: f64 = 1;

  // Lazy traces, one base time for all (moved forward every 20 tau).
  base: f64 = 0;
  r1: StaticArray<f64> = new StaticArray<f64>(0);
  r2: StaticArray<f64> = new StaticArray<f64>(0);
  o1: StaticArray<f64> = new StaticArray<f64>(0);
  o2: StaticArray<f64> = new StaticArray<f64>(0);
  // Column index: for post neuron j, synapses colSyn[colPtr[j] .. colPtr[j+1]) with sources colSrc.
  colPtr: StaticArray<u32> = new StaticArray<u32>(0);
  colSyn: StaticArray<u32> = new StaticArray<u32>(0);
  colSrc: StaticArray<u32> = new StaticArray<u32>(0);
  // Weights in f64: the master copy plasticity works on (f32 rounding would
  // swamp small changes); the projection's f32 weights mirror it for transmission.
  w: StaticArray<f64> = new StaticArray<f64>(0);
  // Reward rule: eligibility per synapse, lazy with its own base (shared with the traces).
  elig: StaticArray<f64> = new StaticArray<f64>(0);
  lastFlush: f64 = 0;
  renormAfter: f64 = 1000;
  // Equations rule: the table indices of on_pre and on_post, per-synapse
  // event-driven variables and last event times, and the pointer table the
  // generated code reads ([w, weights, last, colSyn, variables...]).
  onPre: i32 = -1;
  onPost: i32 = -1;
  stepFn: i32 = -1;
  // Synaptic variables (event-driven, then clock-driven): where each lives
  // (0 per synapse, 1 per presynaptic neuron, 2 per postsynaptic neuron: a
  // lazily decaying trace) and its decay time (per-neuron traces are rebased with it).
  nEv: i32 = 0;
  evSide: StaticArray<u32> = new StaticArray<u32>(0);
  evTau: StaticArray<f64> = new StaticArray<f64>(0);
  ev: StaticArray<f64>[] = [];
  last: StaticArray<f64> = new StaticArray<f64>(0);
  ptrs: StaticArray<u32> = new StaticArray<u32>(0);

  constructor(rule: i32) {
    this.rule = rule;
  }
}
