// Presets made small enough for a test: the same model, fewer neurons.
import { loadPreset } from '../../src/model/load.js';

/** Brunel's network with nExc + nInh neurons and in-degrees kExc, kInh (proportions kept by the caller). */
export function smallBrunel(nExc: number, nInh: number, kExc: number, kInh: number): object {
  const m = loadPreset('brunel') as { populations: { size: number }[]; projections: { connect: { indegree: number } }[] };
  m.populations[0]!.size = nExc; m.populations[1]!.size = nInh;
  m.projections[0]!.connect.indegree = kExc; m.projections[1]!.connect.indegree = kExc;
  m.projections[2]!.connect.indegree = kInh; m.projections[3]!.connect.indegree = kInh;
  return m;
}
