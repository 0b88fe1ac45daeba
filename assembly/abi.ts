// Numbers the host and the kernel agree on beyond the model registry (whose
// kinds, parameters and variables the host reads from the kernel itself).
// index.ts exports them; the host's bindings are generated from the exports.

// Receptors: which synaptic variable of a clock-driven target a projection adds to.
export const RECEPTOR_EXC: i32 = 0;
export const RECEPTOR_INH: i32 = 1;
