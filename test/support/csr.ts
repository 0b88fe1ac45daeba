// Reads a projection's synapses back out of the kernel.
import type { Simulation } from '../../src/sim/simulation.js';

export interface Csr { rowPtr: Uint32Array; targets: Uint32Array; weights: Float32Array; delays: Uint16Array | null; delayConst: number }

export function readCsr(sim: Simulation, name: string): Csr {
  const proj = sim.network.projections.find((p) => p.name === name);
  if (!proj) throw new Error(`no projection ${name}`);
  const x = sim.kernel.exports, k = sim.kernel;
  const pre = sim.network.populations.find((p) => p.name === proj.from)!;
  const n = x.projSynapses(proj.index);
  const delaysPtr = x.projDelaysPtr(proj.index);
  return {
    rowPtr: k.readU32(x.projRowPtr(proj.index), pre.size + 1),
    targets: k.readU32(x.projTargetsPtr(proj.index), n),
    weights: k.readF32(x.projWeightsPtr(proj.index), n),
    delays: delaysPtr ? k.readU16(delaysPtr, n) : null,
    delayConst: x.projDelayConst(proj.index),
  };
}

export function rowOf(csr: Csr, i: number): number[] {
  return Array.from(csr.targets.subarray(csr.rowPtr[i]!, csr.rowPtr[i + 1]!));
}
