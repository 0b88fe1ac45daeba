// Reads a projection's synapses back out of the kernel.
import type { Simulation } from '../../src/sim/simulation.js';

export interface Csr { rowPtr: Uint32Array; targets: Uint32Array; weights: Float32Array; delays: Uint16Array | null; delayConst: number }

export function readCsr(sim: Simulation, name: string): Csr {
  const proj = sim.projection(name);
  const { rowPtr, targets } = proj.rows();
  const delays = proj.delaySteps();
  return {
    rowPtr,
    targets,
    // Static weights are f32 in the kernel: the f64 copy converts back exactly.
    weights: Float32Array.from(proj.weights()),
    delays: typeof delays === 'number' ? null : delays,
    delayConst: typeof delays === 'number' ? delays : 0,
  };
}

export function rowOf(csr: Csr, i: number): number[] {
  return Array.from(csr.targets.subarray(csr.rowPtr[i]!, csr.rowPtr[i + 1]!));
}
