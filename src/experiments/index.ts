// The experiments `hebb experiment NAME` runs (DESIGN.md): each a function
// the CLI, the server and the tests call, writing summary.json and
// plot-ready CSV.

import type { Experiment } from './types.js';
import { runStdpWindow, watchableWindowModel, WINDOW_DEFAULTS } from './stdp-window.js';
import { runSong2000, songModel, SONG_DEFAULTS } from './song2000.js';
import { runRstdp, RSTDP_DEFAULTS } from './rstdp.js';
import { runLstmVsRnn, LSTM_DEFAULTS } from './lstm-vs-rnn.js';
import { runRbmMnist, RBM_DEFAULTS } from './rbm-mnist.js';
import { runStdpVsBackprop, SVB_DEFAULTS } from './stdp-vs-backprop.js';
import { runBridgeDemo, bridgeModel, BRIDGE_DEFAULTS } from './bridge-demo.js';
import { loadDigits, image } from '../data/mnist.js';
import { runBoltzmannExact, runBoltzmannLearn, EXACT_DEFAULTS, LEARN_DEFAULTS } from './boltzmann.js';
import { runIsing, isingModel, ISING_DEFAULTS, ONSAGER_TC } from './ising.js';
import { runHopfieldRecall, runHopfieldCapacity, hopfieldModel, RECALL_DEFAULTS, CAPACITY_DEFAULTS } from './hopfield.js';

export type { Experiment, ExperimentResult, Check } from './types.js';

export const EXPERIMENTS: Record<string, Experiment> = {
  'stdp-window': {
    description: 'weight change of single pre/post pairs from -100 to +100 ms against the analytic window, for every STDP variant',
    options: {
      range: { type: 'number', default: WINDOW_DEFAULTS.range, min: 1, description: 'largest |t_post - t_pre| (ms)' },
      step: { type: 'number', default: WINDOW_DEFAULTS.step, min: 0.1, description: 'interval step (ms)' },
      delay: { type: 'number', default: WINDOW_DEFAULTS.delay, min: 0.1, description: 'synaptic delay (ms)' },
    },
    run: (o, ctx) => runStdpWindow({ ...WINDOW_DEFAULTS, ...(o as object) }, ctx),
    model: (o) => watchableWindowModel({ ...WINDOW_DEFAULTS, ...(o as object) }),
  },
  song2000: {
    description: 'Song, Miller & Abbott 2000: STDP splits 1000 input weights to the bounds and regulates the output rate',
    options: {
      duration_s: { type: 'number', default: SONG_DEFAULTS.duration_s, min: 1, description: 'simulated time (s)' },
      input_rate: { type: 'number', default: SONG_DEFAULTS.input_rate, min: 0, description: 'rate of the 1000 inputs (Hz)' },
      compare_rate: { type: 'number', default: SONG_DEFAULTS.compare_rate, min: 0, description: 'input rate of the second run that shows the rate regulation (Hz)' },
      a_plus: { type: 'number', default: SONG_DEFAULTS.a_plus, min: 0, description: 'potentiation per pair (fraction of w_max)' },
      ratio: { type: 'number', default: SONG_DEFAULTS.ratio, min: 0, description: 'A-/A+' },
      seed: { type: 'integer', default: SONG_DEFAULTS.seed, min: 0, description: 'seed' },
    },
    run: (o, ctx) => runSong2000({ ...SONG_DEFAULTS, ...(o as object) }, ctx),
    model: (o) => { const s = { ...SONG_DEFAULTS, ...(o as object) }; return songModel(s, s.input_rate, 1000); },
  },
  rstdp: {
    description: 'reward-modulated STDP learns to answer one of two input patterns and not the other',
    options: {
      trials: { type: 'integer', default: RSTDP_DEFAULTS.trials, min: 1, description: 'trials (100 ms pattern, 100 ms reward, 100 ms rest)' },
      block: { type: 'integer', default: RSTDP_DEFAULTS.block, min: 1, description: 'trials per point of the learning curve' },
      seed: { type: 'integer', default: RSTDP_DEFAULTS.seed, min: 0, description: 'seed' },
    },
    run: (o, ctx) => runRstdp({ ...RSTDP_DEFAULTS, ...(o as object) }, ctx),
  },
  'hopfield-recall': {
    description: 'a Hopfield network recalls a stored pattern from a corrupted cue: overlaps and energy over time',
    options: {
      n: { type: 'integer', default: RECALL_DEFAULTS.n, min: 2, description: 'units (random patterns; MNIST patterns use 784)' },
      patterns: { type: 'integer', default: RECALL_DEFAULTS.patterns, min: 1, description: 'stored patterns P' },
      flip: { type: 'number', default: RECALL_DEFAULTS.flip, min: 0, description: 'fraction of the cue\'s bits flipped' },
      sweeps: { type: 'integer', default: RECALL_DEFAULTS.sweeps, min: 1, description: 'sweeps of asynchronous updates' },
      rule: { type: 'string', default: RECALL_DEFAULTS.rule, choices: ['hebbian', 'storkey'], description: 'learning rule' },
      source: { type: 'string', default: RECALL_DEFAULTS.source, choices: ['random', 'mnist'], description: 'patterns: random or MNIST digits' },
      update: { type: 'string', default: RECALL_DEFAULTS.update, choices: ['sequential', 'random', 'poisson', 'typewriter'], description: 'update order' },
      seed: { type: 'integer', default: RECALL_DEFAULTS.seed, min: 0, description: 'seed' },
    },
    run: (o, ctx) => runHopfieldRecall({ ...RECALL_DEFAULTS, ...(o as object) }, ctx),
    model: (o) => hopfieldModel({ ...RECALL_DEFAULTS, ...(o as object) }),
  },
  'hopfield-capacity': {
    description: 'fraction of stored patterns recalled against alpha = P/N for several N; the transition near alpha_c = 0.138',
    options: {
      sizes: { type: 'numbers', default: CAPACITY_DEFAULTS.sizes, min: 10, description: 'network sizes N' },
      alpha_min: { type: 'number', default: CAPACITY_DEFAULTS.alpha_min, min: 0, description: 'smallest alpha' },
      alpha_max: { type: 'number', default: CAPACITY_DEFAULTS.alpha_max, min: 0, description: 'largest alpha' },
      alpha_step: { type: 'number', default: CAPACITY_DEFAULTS.alpha_step, min: 0.001, description: 'alpha step' },
      tested: { type: 'integer', default: CAPACITY_DEFAULTS.tested, min: 1, description: 'patterns tested per point' },
      max_sweeps: { type: 'integer', default: CAPACITY_DEFAULTS.max_sweeps, min: 1, description: 'sweeps allowed to settle' },
      seed: { type: 'integer', default: CAPACITY_DEFAULTS.seed, min: 0, description: 'seed' },
    },
    run: (o, ctx) => runHopfieldCapacity({ ...CAPACITY_DEFAULTS, ...(o as object) }, ctx),
  },
  ising: {
    description: '2D Ising model through the transition: |m|, energy, specific heat, susceptibility beside Onsager and Yang',
    options: {
      sizes: { type: 'numbers', default: ISING_DEFAULTS.sizes, min: 4, description: 'lattice sizes L' },
      temperatures: { type: 'numbers', default: ISING_DEFAULTS.temperatures, min: 0.01, description: 'temperatures T (J = 1)' },
      sweeps: { type: 'integer', default: ISING_DEFAULTS.sweeps, min: 1, description: 'measured sweeps per point' },
      burn_in: { type: 'integer', default: ISING_DEFAULTS.burn_in, min: 0, description: 'sweeps before measuring' },
      dynamics: { type: 'string', default: ISING_DEFAULTS.dynamics, choices: ['heat_bath', 'metropolis'], description: 'single-spin dynamics' },
      seed: { type: 'integer', default: ISING_DEFAULTS.seed, min: 0, description: 'seed' },
    },
    run: (o, ctx) => runIsing({ ...ISING_DEFAULTS, ...(o as object) }, ctx),
    // The page watches the largest lattice at T_c, where domains of every size come and go.
    model: (o) => { const s = { ...ISING_DEFAULTS, ...(o as object) }; return isingModel(Math.max(...s.sizes), Number(ONSAGER_TC.toFixed(4)), { ...s, duration: 1e6, record: true }); },
  },
  'boltzmann-exact': {
    description: 'Gibbs and Metropolis samples of up to 12 stochastic units against the exact Boltzmann distribution (KL)',
    options: {
      n: { type: 'integer', default: EXACT_DEFAULTS.n, min: 1, description: 'units (at most 12)' },
      temperature: { type: 'number', default: EXACT_DEFAULTS.temperature, min: 0.01, description: 'temperature T' },
      weight_sd: { type: 'number', default: EXACT_DEFAULTS.weight_sd, min: 0, description: 'standard deviation of the random couplings' },
      bias_sd: { type: 'number', default: EXACT_DEFAULTS.bias_sd, min: 0, description: 'standard deviation of the random biases' },
      sweeps: { type: 'integer', default: EXACT_DEFAULTS.sweeps, min: 1, description: 'samples (one per sweep)' },
      seed: { type: 'integer', default: EXACT_DEFAULTS.seed, min: 0, description: 'seed' },
    },
    run: (o, ctx) => runBoltzmannExact({ ...EXACT_DEFAULTS, ...(o as object) }, ctx),
  },
  'boltzmann-learn': {
    description: 'a Boltzmann machine learns bars and stripes by persistent Gibbs chains: KL learning curve, fully visible and with hidden units',
    options: {
      hidden: { type: 'integer', default: LEARN_DEFAULTS.hidden, min: 1, description: 'hidden units' },
      iterations: { type: 'integer', default: LEARN_DEFAULTS.iterations, min: 1, description: 'gradient steps' },
      chains: { type: 'integer', default: LEARN_DEFAULTS.chains, min: 1, description: 'persistent Gibbs chains' },
      rate: { type: 'number', default: LEARN_DEFAULTS.rate, min: 0, description: 'learning rate (decays as 1 / (1 + 4 t / iterations))' },
      eval_every: { type: 'integer', default: LEARN_DEFAULTS.eval_every, min: 1, description: 'iterations between exact KL evaluations' },
      seed: { type: 'integer', default: LEARN_DEFAULTS.seed, min: 0, description: 'seed' },
    },
    run: (o, ctx) => runBoltzmannLearn({ ...LEARN_DEFAULTS, ...(o as object) }, ctx),
  },
  'lstm-vs-rnn': {
    description: 'the adding problem at T = 10, 50, 100, 200: an LSTM learns where a vanilla RNN fails; gradient norms t steps back',
    options: {
      lengths: { type: 'numbers', default: LSTM_DEFAULTS.lengths, min: 2, description: 'sequence lengths T' },
      steps: { type: 'integer', default: LSTM_DEFAULTS.steps, min: 1, description: 'Adam steps per model and length' },
      hidden: { type: 'integer', default: LSTM_DEFAULTS.hidden, min: 1, description: 'hidden units' },
      batch: { type: 'integer', default: LSTM_DEFAULTS.batch, min: 1, description: 'sequences per batch' },
      lr: { type: 'number', default: LSTM_DEFAULTS.lr, min: 0, description: 'Adam learning rate' },
      seed: { type: 'integer', default: LSTM_DEFAULTS.seed, min: 0, description: 'seed' },
    },
    run: (o, ctx) => runLstmVsRnn({ ...LSTM_DEFAULTS, ...(o as object) }, ctx),
  },
  'rbm-mnist': {
    description: 'RBMs on MNIST digits: CD-1, CD-10 and persistent CD learning curves, filters and samples; the engine samples the trained machine',
    options: {
      hidden: { type: 'integer', default: RBM_DEFAULTS.hidden, min: 1, description: 'hidden units' },
      epochs: { type: 'integer', default: RBM_DEFAULTS.epochs, min: 1, description: 'passes over the training digits' },
      batch: { type: 'integer', default: RBM_DEFAULTS.batch, min: 1, description: 'digits per update' },
      lr: { type: 'number', default: RBM_DEFAULTS.lr, min: 0, description: 'learning rate (SGD, momentum 0.9)' },
      train: { type: 'integer', default: RBM_DEFAULTS.train, min: 1, description: 'training digits' },
      test: { type: 'integer', default: RBM_DEFAULTS.test, min: 1, description: 'held-out digits' },
      dbn_hidden: { type: 'integer', default: RBM_DEFAULTS.dbn_hidden, min: 0, description: 'hidden units of a second RBM stacked on the first (0: none)' },
      seed: { type: 'integer', default: RBM_DEFAULTS.seed, min: 0, description: 'seed (and of the train/test split)' },
    },
    run: (o, ctx) => runRbmMnist({ ...RBM_DEFAULTS, ...(o as object) }, ctx),
  },
  'bridge-demo': {
    description: 'spiking pixels drive a trained RBM through the spike-to-rate bridge; its hidden activity drives regular generators and LIF neurons',
    options: {
      digits: { type: 'integer', default: BRIDGE_DEFAULTS.digits, min: 1, description: 'digits presented' },
      present_ms: { type: 'number', default: BRIDGE_DEFAULTS.present_ms, min: 20, description: 'presentation time per digit (ms)' },
      max_input_rate: { type: 'number', default: BRIDGE_DEFAULTS.max_input_rate, min: 1, description: 'rate of a white pixel (Hz)' },
      hidden: { type: 'integer', default: BRIDGE_DEFAULTS.hidden, min: 1, description: 'hidden units of the RBM' },
      seed: { type: 'integer', default: BRIDGE_DEFAULTS.seed, min: 0, description: 'seed' },
    },
    run: (o, ctx) => runBridgeDemo({ ...BRIDGE_DEFAULTS, ...(o as object) }, ctx),
    // Watching: one digit held, an untrained RBM, until stopped.
    model: (o) => ({ ...bridgeModel({ ...BRIDGE_DEFAULTS, ...(o as object) }, image(loadDigits(), 0)), duration: 1e6 }),
  },
  'stdp-vs-backprop': {
    description: 'Diehl & Cook STDP network against a backprop MLP on the same MNIST digits: accuracy, cost, energy, report.html',
    options: {
      neurons: { type: 'integer', default: SVB_DEFAULTS.neurons, min: 1, description: 'excitatory neurons (and MLP hidden units): 100, 400 or 1600' },
      train: { type: 'integer', default: SVB_DEFAULTS.train, min: 1, description: 'training digits' },
      test: { type: 'integer', default: SVB_DEFAULTS.test, min: 1, description: 'test digits' },
      epochs: { type: 'integer', default: SVB_DEFAULTS.epochs, min: 1, description: 'STDP passes over the training digits' },
      mlp_epochs: { type: 'integer', default: SVB_DEFAULTS.mlp_epochs, min: 1, description: 'MLP epochs' },
      seed: { type: 'integer', default: SVB_DEFAULTS.seed, min: 0, description: 'seed (and of the train/test split)' },
    },
    run: (o, ctx) => runStdpVsBackprop({ ...SVB_DEFAULTS, ...(o as object) }, ctx),
  },
};
