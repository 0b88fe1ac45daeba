// Numbers the host and the kernel agree on. index.ts exports them, and the
// host (src/kernel/abi.ts) reads them from the instance, so there is one source.

// Neuron model kinds.
export const MODEL_LIF: i32 = 0;          // current-based LIF, exponential currents (CUBA)
export const MODEL_LIF_COND: i32 = 1;     // conductance-based LIF, exponential conductances (COBA)
export const MODEL_LIF_DELTA: i32 = 2;    // LIF with voltage jumps, event-driven, exact spike times
export const MODEL_IZHIKEVICH: i32 = 3;   // Izhikevich 2003
export const MODEL_POISSON: i32 = 4;      // Poisson spike source (event-driven)
export const MODEL_SPIKE_SOURCE: i32 = 5; // spikes at given times
export const MODEL_BINARY: i32 = 6;       // Hopfield / Boltzmann / Ising units

// State variables (for init, probes and host views).
export const VAR_V: i32 = 0;
export const VAR_GE: i32 = 1;
export const VAR_GI: i32 = 2;
export const VAR_U: i32 = 3;
export const VAR_IE: i32 = 4;
export const VAR_RATE: i32 = 5;
export const VAR_COUNT: i32 = 6;
export const VAR_THETA: i32 = 7;
export const VAR_STATE: i32 = 8;
export const VAR_BIAS: i32 = 9;
export const VAR_FIELD: i32 = 10;

// Receptors.
export const RECEPTOR_EXC: i32 = 0;
export const RECEPTOR_INH: i32 = 1;

// Integrators of lif_cond.
export const INTEGRATOR_EULER: i32 = 0;
export const INTEGRATOR_EXP_EULER: i32 = 1;

// Status codes returned by build calls (0 = ok).
export const STATUS_OK: i32 = 0;
export const STATUS_BAD_POPULATION: i32 = 1;
export const STATUS_BAD_PROJECTION: i32 = 2;
export const STATUS_BAD_VARIABLE: i32 = 3;
export const STATUS_BAD_ARGUMENT: i32 = 4;
export const STATUS_TOO_MANY_SYNAPSES: i32 = 5;
export const STATUS_NOT_PREPARED: i32 = 6;
export const STATUS_ALREADY_PREPARED: i32 = 7;
