// The experiments `hebb experiment NAME` runs (DESIGN.md): each a function
// the CLI, the server and the tests call, writing summary.json and
// plot-ready CSV.

import type { Experiment } from './types.js';
import { runStdpWindow, watchableWindowModel, WINDOW_DEFAULTS } from './stdp-window.js';
import { runSong2000, songModel, SONG_DEFAULTS } from './song2000.js';
import { runRstdp, RSTDP_DEFAULTS } from './rstdp.js';

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
};
