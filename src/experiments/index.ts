// The experiments `hebb experiment NAME` runs (DESIGN.md): each a function
// the CLI, the server and the tests call, writing summary.json and
// plot-ready CSV.

import type { Experiment } from './types.js';
import { Type } from '@sinclair/typebox';
import { options, num, int, nums, choice, flag } from './options.js';
import { UsageError } from '../core/errors.js';
import { runStdpWindow, watchableWindowModel, WINDOW_DEFAULTS } from './stdp-window.js';
import { runSong2000, songModel, SONG_DEFAULTS } from './song2000.js';
import { runRstdp, RSTDP_DEFAULTS } from './rstdp.js';
import { runLstmVsRnn, LSTM_DEFAULTS } from './lstm-vs-rnn.js';
import { runRbmMnist, RBM_DEFAULTS } from './rbm-mnist.js';
import { runVaeMnist, VAE_DEFAULTS } from './vae-mnist.js';
import { runGanMnist, GAN_DEFAULTS } from './gan-mnist.js';
import { runDbmMnist, DBM_DEFAULTS } from './dbm-mnist.js';
import { runStdpVsBackprop, SVB_DEFAULTS } from './stdp-vs-backprop.js';
import { runBridgeDemo, bridgeModel, BRIDGE_DEFAULTS } from './bridge-demo.js';
import { loadDigits, image } from '../data/mnist.js';
import { runBoltzmannExact, runBoltzmannLearn, EXACT_DEFAULTS, LEARN_DEFAULTS } from './boltzmann.js';
import { runIsing, isingModel, ISING_DEFAULTS, ONSAGER_TC } from './ising.js';
import { runHopfieldRecall, runHopfieldCapacity, hopfieldModel, RECALL_DEFAULTS, CAPACITY_DEFAULTS } from './hopfield.js';

export type { Experiment, ExperimentResult, Check } from './types.js';
export { describeOptions, parseOptions, optionsFromArgs, defaultOptions, type OptionInfo } from './options.js';

export const EXPERIMENTS: Record<string, Experiment> = {
  'stdp-window': {
    description: 'weight change of single pre/post pairs from -100 to +100 ms against the analytic window, for every STDP variant',
    options: options({
      range: num(WINDOW_DEFAULTS.range, 'largest |t_post - t_pre| (ms)', 1),
      step: num(WINDOW_DEFAULTS.step, 'interval step (ms)', 0.1),
      delay: num(WINDOW_DEFAULTS.delay, 'synaptic delay (ms)', 0.1),
    }),
    run: (o, ctx) => runStdpWindow({ ...WINDOW_DEFAULTS, ...(o as object) }, ctx),
    model: (o) => watchableWindowModel({ ...WINDOW_DEFAULTS, ...(o as object) }),
  },
  song2000: {
    description: 'Song, Miller & Abbott 2000: STDP splits 1000 input weights to the bounds and regulates the output rate',
    options: options({
      duration_s: num(SONG_DEFAULTS.duration_s, 'simulated time (s)', 1),
      input_rate: num(SONG_DEFAULTS.input_rate, 'rate of the 1000 inputs (Hz)', 0),
      compare_rate: num(SONG_DEFAULTS.compare_rate, 'input rate of the second run that shows the rate regulation (Hz)', 0),
      a_plus: num(SONG_DEFAULTS.a_plus, 'potentiation per pair (fraction of w_max)', 0),
      ratio: num(SONG_DEFAULTS.ratio, 'A-/A+', 0),
      seed: int(SONG_DEFAULTS.seed, 'seed', 0),
    }),
    run: (o, ctx) => runSong2000({ ...SONG_DEFAULTS, ...(o as object) }, ctx),
    model: (o) => { const s = { ...SONG_DEFAULTS, ...(o as object) }; return songModel(s, s.input_rate, 1000); },
  },
  rstdp: {
    description: 'reward-modulated STDP learns to answer one of two input patterns and not the other',
    options: options({
      trials: int(RSTDP_DEFAULTS.trials, 'trials (100 ms pattern, 100 ms reward, 100 ms rest)', 1),
      block: int(RSTDP_DEFAULTS.block, 'trials per point of the learning curve', 1),
      seed: int(RSTDP_DEFAULTS.seed, 'seed', 0),
    }),
    run: (o, ctx) => runRstdp({ ...RSTDP_DEFAULTS, ...(o as object) }, ctx),
  },
  'hopfield-recall': {
    description: 'a Hopfield network recalls a stored pattern from a corrupted cue: overlaps and energy over time',
    options: options({
      n: int(RECALL_DEFAULTS.n, 'units (random patterns; MNIST patterns use 784)', 2),
      patterns: int(RECALL_DEFAULTS.patterns, 'stored patterns P', 1),
      flip: Type.Number({ default: RECALL_DEFAULTS.flip, minimum: 0, maximum: 1, description: 'fraction of the cue\'s bits flipped' }),
      sweeps: int(RECALL_DEFAULTS.sweeps, 'sweeps of asynchronous updates', 1),
      rule: choice(['hebbian', 'storkey'] as const, RECALL_DEFAULTS.rule, 'learning rule'),
      source: choice(['random', 'mnist'] as const, RECALL_DEFAULTS.source, 'patterns: random or MNIST digits'),
      update: choice(['sequential', 'random', 'poisson', 'typewriter'] as const, RECALL_DEFAULTS.update, 'update order'),
      seed: int(RECALL_DEFAULTS.seed, 'seed', 0),
    }),
    run: (o, ctx) => runHopfieldRecall({ ...RECALL_DEFAULTS, ...(o as object) }, ctx),
    model: (o) => hopfieldModel({ ...RECALL_DEFAULTS, ...(o as object) }),
  },
  'hopfield-capacity': {
    description: 'fraction of stored patterns recalled against alpha = P/N for several N; the transition near alpha_c = 0.138',
    options: options({
      sizes: nums(CAPACITY_DEFAULTS.sizes, 'network sizes N', 10),
      alpha_min: num(CAPACITY_DEFAULTS.alpha_min, 'smallest alpha', 0),
      alpha_max: num(CAPACITY_DEFAULTS.alpha_max, 'largest alpha', 0),
      alpha_step: num(CAPACITY_DEFAULTS.alpha_step, 'alpha step', 0.001),
      tested: int(CAPACITY_DEFAULTS.tested, 'patterns tested per point', 1),
      max_sweeps: int(CAPACITY_DEFAULTS.max_sweeps, 'sweeps allowed to settle', 1),
      seed: int(CAPACITY_DEFAULTS.seed, 'seed', 0),
    }),
    run: (o, ctx) => runHopfieldCapacity({ ...CAPACITY_DEFAULTS, ...(o as object) }, ctx),
  },
  ising: {
    description: '2D Ising model through the transition: |m|, energy, specific heat, susceptibility beside Onsager and Yang',
    options: options({
      sizes: nums(ISING_DEFAULTS.sizes, 'lattice sizes L', 4),
      temperatures: nums(ISING_DEFAULTS.temperatures, 'temperatures T (J = 1)', 0.01),
      sweeps: int(ISING_DEFAULTS.sweeps, 'measured sweeps per point', 1),
      burn_in: int(ISING_DEFAULTS.burn_in, 'sweeps before measuring', 0),
      dynamics: choice(['heat_bath', 'metropolis'] as const, ISING_DEFAULTS.dynamics, 'single-spin dynamics'),
      seed: int(ISING_DEFAULTS.seed, 'seed', 0),
    }),
    run: (o, ctx) => runIsing({ ...ISING_DEFAULTS, ...(o as object) }, ctx),
    // The page watches the largest lattice at T_c, where domains of every size come and go.
    model: (o) => { const s = { ...ISING_DEFAULTS, ...(o as object) }; return isingModel(Math.max(...s.sizes), Number(ONSAGER_TC.toFixed(4)), { ...s, duration: 1e6, record: true }); },
  },
  'boltzmann-exact': {
    description: 'Gibbs and Metropolis samples of up to 12 stochastic units against the exact Boltzmann distribution (KL)',
    options: options({
      n: int(EXACT_DEFAULTS.n, 'units (at most 12: the distribution is enumerated)', 1, 12),
      temperature: num(EXACT_DEFAULTS.temperature, 'temperature T', 0.01),
      weight_sd: num(EXACT_DEFAULTS.weight_sd, 'standard deviation of the random couplings', 0),
      bias_sd: num(EXACT_DEFAULTS.bias_sd, 'standard deviation of the random biases', 0),
      sweeps: int(EXACT_DEFAULTS.sweeps, 'samples (one per sweep)', 1),
      seed: int(EXACT_DEFAULTS.seed, 'seed', 0),
    }),
    run: (o, ctx) => runBoltzmannExact({ ...EXACT_DEFAULTS, ...(o as object) }, ctx),
  },
  'boltzmann-learn': {
    description: 'a Boltzmann machine learns bars and stripes by persistent Gibbs chains: KL learning curve, fully visible and with hidden units',
    options: options({
      hidden: int(LEARN_DEFAULTS.hidden, 'hidden units', 1, 1024),
      iterations: int(LEARN_DEFAULTS.iterations, 'gradient steps', 1),
      chains: int(LEARN_DEFAULTS.chains, 'persistent Gibbs chains', 1, 4096),
      rate: num(LEARN_DEFAULTS.rate, 'learning rate (decays as 1 / (1 + 4 t / iterations))', 0),
      eval_every: int(LEARN_DEFAULTS.eval_every, 'iterations between exact KL evaluations', 1),
      seed: int(LEARN_DEFAULTS.seed, 'seed', 0),
    }),
    run: (o, ctx) => runBoltzmannLearn({ ...LEARN_DEFAULTS, ...(o as object) }, ctx),
  },
  'lstm-vs-rnn': {
    description: 'the adding problem at T = 10, 50, 100, 200: an LSTM learns where a vanilla RNN fails; gradient norms t steps back',
    options: options({
      lengths: nums(LSTM_DEFAULTS.lengths, 'sequence lengths T', 2, 10000),
      steps: int(LSTM_DEFAULTS.steps, 'Adam steps per model and length', 1),
      hidden: int(LSTM_DEFAULTS.hidden, 'hidden units', 1, 1024),
      batch: int(LSTM_DEFAULTS.batch, 'sequences per batch', 1, 4096),
      lr: num(LSTM_DEFAULTS.lr, 'Adam learning rate', 0),
      seed: int(LSTM_DEFAULTS.seed, 'seed', 0),
    }),
    run: (o, ctx) => runLstmVsRnn({ ...LSTM_DEFAULTS, ...(o as object) }, ctx),
  },
  'rbm-mnist': {
    description: 'RBMs on MNIST digits: CD-1, CD-k and persistent CD learning curves, filters and samples, held-out log-likelihoods by annealed importance sampling beside the paper; the engine samples the trained machine',
    options: options({
      hidden: int(RBM_DEFAULTS.hidden, 'hidden units', 1, 8192),
      epochs: int(RBM_DEFAULTS.epochs, 'passes over the training digits', 1),
      batch: int(RBM_DEFAULTS.batch, 'digits per update', 1, 10000),
      lr: num(RBM_DEFAULTS.lr, 'learning rate of CD (SGD, momentum 0.9); PCD takes 5 lr without momentum (binarised 784-500 machines: 0.001 gives far better likelihoods, CD-1 -119 against -202 nats at 0.01)', 0),
      lr_decay: choice(['none', 'linear'] as const, RBM_DEFAULTS.lr_decay, 'learning-rate schedule: none, or linear decay over the epochs (the last epoch at 1/epochs of the rate; Tieleman 2008 decays PCD\'s rate to zero)'),
      weight_decay: num(RBM_DEFAULTS.weight_decay, 'L2 weight cost on the weights (not the biases): the gradient gains weight_decay x W (Hinton 2010 suggests 0.0001)', 0),
      methods: choice(['all', 'cd', 'pcd'] as const, RBM_DEFAULTS.methods, 'machines to train: all (CD-1, CD-k and PCD), cd (CD-1 and CD-k) or pcd (persistent CD alone; the classifier, the second layer and the engine then use it)'),
      cd_k: int(RBM_DEFAULTS.cd_k, 'Gibbs steps of the second CD machine (1: only CD-1 and PCD)', 1, 1000),
      binarize: flag(RBM_DEFAULTS.binarize, 'train on digits binarised afresh each epoch (as the papers that report likelihoods), not on grey levels'),
      train: int(RBM_DEFAULTS.train, 'training digits', 1),
      test: int(RBM_DEFAULTS.test, 'held-out digits', 1),
      dbn_hidden: int(RBM_DEFAULTS.dbn_hidden, 'hidden units of a second RBM stacked on the first (0: none)', 0, 8192),
      ais_betas: int(RBM_DEFAULTS.ais_betas, 'intermediate distributions of annealed importance sampling (Salakhutdinov & Murray 2008: 14500; 0: no AIS)', 0, 1_000_000),
      ais_runs: int(RBM_DEFAULTS.ais_runs, 'independent AIS runs (the paper: 100)', 2, 10_000),
      seed: int(RBM_DEFAULTS.seed, 'seed (and of the train/test split)', 0),
      threads: int(RBM_DEFAULTS.threads, 'threads of annealed importance sampling (0: the machine\'s cores; the estimate is the same bit for bit on any number)', 0, 256),
    }),
    run: (o, ctx) => runRbmMnist({ ...RBM_DEFAULTS, ...(o as object) }, ctx),
  },
  'dbm-mnist': {
    description: 'a deep Boltzmann machine (Salakhutdinov & Hinton 2009) on MNIST digits: doubled-input pretraining, joint training, AIS bound on the held-out log-likelihood beside the paper, samples by the engine and the dense sampler, posteriors as classifier features',
    options: options({
      h1: int(DBM_DEFAULTS.h1, 'units of the first hidden layer', 1, 8192),
      h2: int(DBM_DEFAULTS.h2, 'units of the second hidden layer', 1, 8192),
      pretrain_epochs: int(DBM_DEFAULTS.pretrain_epochs, 'passes of each pretraining RBM (CD-1)', 0),
      epochs: int(DBM_DEFAULTS.epochs, 'passes of joint training', 0),
      batch: int(DBM_DEFAULTS.batch, 'digits per update', 1, 10000),
      pretrain_lr: num(DBM_DEFAULTS.pretrain_lr, 'pretraining learning rate (SGD, momentum 0.9)', 0),
      lr: num(DBM_DEFAULTS.lr, 'joint training learning rate at the start (falls as 1 / (1 + epoch / 10))', 0),
      chains: int(DBM_DEFAULTS.chains, 'persistent chains (the paper: 100)', 1, 10000),
      mf_iterations: int(DBM_DEFAULTS.mf_iterations, 'mean-field iterations per digit', 1, 1000),
      train: int(DBM_DEFAULTS.train, 'training digits', 1),
      test: int(DBM_DEFAULTS.test, 'held-out digits', 1),
      ais_betas: int(DBM_DEFAULTS.ais_betas, 'intermediate distributions of the final AIS (0: none)', 0, 1_000_000),
      ais_runs: int(DBM_DEFAULTS.ais_runs, 'runs of the final AIS', 2, 10_000),
      curve_betas: int(DBM_DEFAULTS.curve_betas, 'intermediate distributions of the short AIS after each epoch (0: no curve)', 0, 1_000_000),
      seed: int(DBM_DEFAULTS.seed, 'seed (and of the train/test split)', 0),
      threads: int(DBM_DEFAULTS.threads, 'threads of annealed importance sampling (0: the machine\'s cores; the estimate is the same bit for bit on any number)', 0, 256),
    }),
    run: (o, ctx) => {
      const opts = { ...DBM_DEFAULTS, ...(o as object) };
      for (const key of ['ais_betas', 'curve_betas'] as const) {
        if (opts[key] > 0 && opts[key] < 3) throw new UsageError(`annealed importance sampling needs at least 3 intermediate distributions, or 0 for none (got ${opts[key]})`, key);
      }
      return runDbmMnist(opts, ctx);
    },
  },
  'vae-mnist': {
    description: 'a variational autoencoder (Kingma & Welling 2013) on MNIST digits: held-out ELBO per epoch, importance-weighted log p(x) beside the RBM likelihoods, samples, reconstructions, recognisability, the 2-D manifold',
    options: options({
      hidden: int(VAE_DEFAULTS.hidden, 'tanh units of the encoder and of the decoder', 1, 8192),
      latent: int(VAE_DEFAULTS.latent, 'latent dimensions', 1, 1024),
      epochs: int(VAE_DEFAULTS.epochs, 'passes over the training digits', 1),
      batch: int(VAE_DEFAULTS.batch, 'digits per update', 1, 10000),
      lr: num(VAE_DEFAULTS.lr, 'learning rate (Adam)', 0),
      train: int(VAE_DEFAULTS.train, 'training digits', 1),
      test: int(VAE_DEFAULTS.test, 'held-out digits', 1),
      iw_samples: int(VAE_DEFAULTS.iw_samples, 'importance samples per digit for log p(x) (Burda et al. 2016; 0: none)', 0, 1_000_000),
      iw_digits: int(VAE_DEFAULTS.iw_digits, 'held-out digits the importance-weighted estimate averages over', 0),
      manifold: flag(VAE_DEFAULTS.manifold, 'also train a VAE with a 2-D latent and draw its manifold (the paper\'s Fig. 4)'),
      seed: int(VAE_DEFAULTS.seed, 'seed (and of the train/test split)', 0),
    }),
    run: (o, ctx) => runVaeMnist({ ...VAE_DEFAULTS, ...(o as object) }, ctx),
  },
  'gan-mnist': {
    description: 'a generative adversarial network (Goodfellow et al. 2014) on MNIST digits: losses, sample grids during training, the paper\'s Parzen-window estimate, and how often a classifier of real digits recognises the samples',
    options: options({
      steps: int(GAN_DEFAULTS.steps, 'training steps (one discriminator and one generator update each)', 1),
      batch: int(GAN_DEFAULTS.batch, 'images per step', 1, 10000),
      lr: num(GAN_DEFAULTS.lr, 'learning rate (Adam, beta1 0.5)', 0),
      latent: int(GAN_DEFAULTS.latent, 'noise dimensions', 1, 1024),
      g_hidden: nums(GAN_DEFAULTS.g_hidden, 'generator hidden layers (leaky ReLU)', 1, 8192),
      d_hidden: nums(GAN_DEFAULTS.d_hidden, 'discriminator hidden layers (leaky ReLU)', 1, 8192),
      dropout: num(GAN_DEFAULTS.dropout, 'dropout on the discriminator\'s hidden layers while training (below 1)', 0),
      train: int(GAN_DEFAULTS.train, 'training digits (the last `validation` of them choose the Parzen width)', 2),
      test: int(GAN_DEFAULTS.test, 'held-out digits', 1),
      validation: int(GAN_DEFAULTS.validation, 'training digits held out of GAN training to choose the Parzen width', 1),
      parzen_samples: int(GAN_DEFAULTS.parzen_samples, 'generated images in the Parzen window (the paper: 10000)', 10, 100_000),
      snapshots: int(GAN_DEFAULTS.snapshots, 'sample grids written during training', 1, 100),
      seed: int(GAN_DEFAULTS.seed, 'seed (and of the train/test split)', 0),
    }),
    run: (o, ctx) => runGanMnist({ ...GAN_DEFAULTS, ...(o as object) }, ctx),
  },
  'bridge-demo': {
    description: 'spiking pixels drive a trained RBM through the spike-to-rate bridge; its hidden activity drives regular generators and LIF neurons (source vae or gan: a trained generator shows its samples to spiking neurons)',
    options: options({
      source: choice(['rbm', 'vae', 'gan'] as const, BRIDGE_DEFAULTS.source, 'the module: an RBM reading spiking digits, or a VAE decoder or GAN generator reading a spiking latent population and drawing digits with spikes'),
      digits: int(BRIDGE_DEFAULTS.digits, 'digits presented', 1),
      present_ms: num(BRIDGE_DEFAULTS.present_ms, 'presentation time per digit (ms)', 20),
      max_input_rate: num(BRIDGE_DEFAULTS.max_input_rate, 'rate of a white pixel (Hz)', 1),
      hidden: int(BRIDGE_DEFAULTS.hidden, 'hidden units of the RBM', 1, 8192),
      seed: int(BRIDGE_DEFAULTS.seed, 'seed', 0),
    }),
    run: (o, ctx) => runBridgeDemo({ ...BRIDGE_DEFAULTS, ...(o as object) }, ctx),
    // Watching: one digit held, an untrained RBM, until stopped.
    model: (o) => ({ ...bridgeModel({ ...BRIDGE_DEFAULTS, ...(o as object) }, image(loadDigits(), 0)), duration: 1e6 }),
  },
  'stdp-vs-backprop': {
    description: 'Diehl & Cook STDP network against a backprop MLP on the same MNIST digits: accuracy, cost, energy, report.html',
    options: options({
      neurons: int(SVB_DEFAULTS.neurons, 'excitatory neurons (and MLP hidden units): 100, 400 or 1600', 1, 6400),
      train: int(SVB_DEFAULTS.train, 'training digits', 1),
      test: int(SVB_DEFAULTS.test, 'test digits', 1),
      epochs: int(SVB_DEFAULTS.epochs, 'STDP passes over the training digits', 1),
      mlp_epochs: int(SVB_DEFAULTS.mlp_epochs, 'MLP epochs', 1),
      seed: int(SVB_DEFAULTS.seed, 'seed (and of the train/test split)', 0),
      weight_total: num(SVB_DEFAULTS.weight_total, 'sum of each STDP neuron\'s input weights, restored before each digit (Diehl & Cook: 78)', 1, 784),
      inhibition: num(SVB_DEFAULTS.inhibition, 'lateral inhibition, weight of each inhibitory neuron onto the excitatory ones (Diehl & Cook: 17)', 0, 1000),
      tau_theta: num(SVB_DEFAULTS.tau_theta, 'decay time of the adaptive threshold, ms (Diehl & Cook: 1e7)', 1, 1e9),
      share_spikes: num(SVB_DEFAULTS.share_spikes, 'homeostasis: spikes a digit shared by the layer; each threshold falls by theta_plus x this / neurons per digit (Diehl & Cook: 0, off)', 0, 10000),
      input_rate: num(SVB_DEFAULTS.input_rate, 'rate of a white pixel at the start intensity, Hz (Diehl & Cook: 63.75)', 1, 1000),
      ink: num(SVB_DEFAULTS.ink, 'scale each digit so its intensities sum to this (digits average about 100; a pixel stays at most the --input_rate x this / its digit\'s ink); 0: as drawn (Diehl & Cook)', 0, 784),
      compare_published: flag(SVB_DEFAULTS.compare_published, 'also train with Diehl & Cook\'s published parameters (weight_total 78, inhibition 17, tau_theta 1e7, share_spikes 0, learning_rates 1) and draw that curve beside'),
      learning_rates: nums(SVB_DEFAULTS.learning_rates, 'STDP learning rate of each pass relative to Diehl & Cook\'s, the last repeating (theirs: 1)', 1e-6, 100),
    }),
    run: (o, ctx) => runStdpVsBackprop({ ...SVB_DEFAULTS, ...(o as object) }, ctx),
  },
};
