// Event-driven targets (lif_delta) read the spikes that reach them
// themselves, in time order within a step: the engine hands each one its
// incoming projections.

import { Population } from "../population";
import { Projection } from "../projection";

export abstract class EventTarget extends Population {
  incoming: Array<Projection> = [];
}
