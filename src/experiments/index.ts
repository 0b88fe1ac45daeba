// The experiments `hebb experiment NAME` runs (DESIGN.md): each a function
// the CLI, the server and the tests call. Later issues add them here.

export interface Experiment {
  description: string;
}

export const EXPERIMENTS: Record<string, Experiment> = {};
