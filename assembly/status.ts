// Status codes of the kernel's calls. Success is 0 (or a non-negative
// result, such as the index of what was added); every failure is negative.
// The comment after each code is its message: the host's status table is
// generated from this file (bin/gen-bindings.mjs), so there is one source.

export const STATUS_OK: i32 = 0;
export const STATUS_BAD_POPULATION: i32 = -1;      // no such population, or not of the kind the call needs
export const STATUS_BAD_PROJECTION: i32 = -2;      // no such projection, or not in the state the call needs
export const STATUS_BAD_VARIABLE: i32 = -3;        // the population has no such state variable
export const STATUS_BAD_ARGUMENT: i32 = -4;        // an argument is out of its range
export const STATUS_TOO_MANY_SYNAPSES: i32 = -5;   // the projection would hold more synapses than allowed
export const STATUS_NOT_PREPARED: i32 = -6;        // the network has not been prepared yet
export const STATUS_ALREADY_PREPARED: i32 = -7;    // the network is prepared: its structure is fixed
export const STATUS_BAD_PARAMETER: i32 = -8;       // no such parameter of the model
export const STATUS_MISSING_PARAMETER: i32 = -9;   // a parameter of the model was never set
export const STATUS_BAD_MODEL: i32 = -10;          // no such neuron model
export const STATUS_BAD_CHECKPOINT: i32 = -11;     // the checkpoint does not fit this network
export const STATUS_THREAD_FAILED: i32 = -12;      // a worker thread of the kernel failed
