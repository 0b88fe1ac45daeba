// Parameters and rules that several neuron models share.

import { quantity } from '../values.js';
import type { Add } from '../values.js';

/** The adaptive threshold of lif and lif_cond (Diehl & Cook 2015). */
export const adaptiveThreshold = {
  theta_plus: quantity('threshold increase per spike', 'mV', { default: 0, minimum: 0, note: 'adaptive threshold; 0 turns it off' }),
  tau_theta: quantity('decay time of the adaptive threshold', 'ms', { default: 1e7, exclusiveMinimum: 0 }),
};

export function resetBelowThreshold(p: { v_reset: number; v_thresh: number }, at: string, add: Add): void {
  if (!(p.v_reset < p.v_thresh)) {
    add(`${at}/params/v_reset`, `reset potential must be below the threshold (v_reset ${p.v_reset} mV, v_thresh ${p.v_thresh} mV)`);
  }
}

export function thetaAbsent(p: { theta_plus: number }, variable: string): string | undefined {
  return variable === 'theta' && !(p.theta_plus > 0) ? 'has no adaptive threshold (set params.theta_plus > 0)' : undefined;
}
