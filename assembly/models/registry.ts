// The neuron models of the kernel, one line each. A model's kind is its
// position here; the host asks the kernel for the list (names, parameters,
// variables), so nothing else needs to know it.

import { ModelInfo } from "../population";
import { LIF } from "./lif";
import { LIF_COND } from "./lif-cond";
import { LIF_DELTA } from "./lif-delta";
import { IZHIKEVICH } from "./izhikevich";
import { POISSON } from "./poisson";
import { SPIKE_SOURCE } from "./spike-source";
import { BINARY } from "./binary";
import { ADEX } from "./adex";
import { HH } from "./hh";
import { EQUATIONS } from "./equations";

export const MODELS: ModelInfo[] = [
  LIF,
  LIF_COND,
  LIF_DELTA,
  IZHIKEVICH,
  POISSON,
  SPIKE_SOURCE,
  BINARY,
  ADEX,
  HH,
  EQUATIONS,
];

for (let k = 0; k < MODELS.length; k++) MODELS[k].kind = k;
