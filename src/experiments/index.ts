// The experiments `hebb experiment NAME` runs (DESIGN.md): each a function
// the CLI, the server and the tests call, writing summary.json and
// plot-ready CSV.

import type { Experiment } from './types.js';
import { runStdpWindow, WINDOW_DEFAULTS } from './stdp-window.js';

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
  },
};
