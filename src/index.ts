// hebb as a library: what `import { ... } from 'hebb'` gives. Everything
// here is what the command line and the server use themselves.
//
//   const model = validateModel(loadPreset('cuba'));
//   const sim = new Simulation(model);
//   const recording = new MemoryRecording(sim.network.populations);
//   sim.run({ steps: 1000, sink: recording });
//   recording.spikes('exc');            // { times, ids }
//   sim.population('exc').state('v');   // Float64Array
//
// The wire protocol of the live view is 'hebb/protocol'; the server is 'hebb/server'.

// ------------------------------------------------------------------ models
export { validateModel, DEFAULT_LIMITS, type ValidModel, type Limits } from './model/validate.js';
export { Model as ModelSchema, type Model, type Population, type Projection } from './model/schema.js';
export { listPresets, loadPreset, loadModelSource, applyOverrides, resolveWeightFiles, type PresetInfo } from './model/load.js';
export { NEURON_MODELS, MODEL_NAMES, neuronModel, type NeuronModel } from './model/neurons/index.js';
export { CONNECT_RULES } from './model/connect.js';
export { PLASTICITY_RULES } from './model/plasticity.js';
export { msToSteps, stepsToMs } from './model/units.js';

// ------------------------------------------------------------------ running
export { Simulation, type SimulationOptions, type RunOptions, type RunSummary, type PopulationSummary } from './sim/simulation.js';
export { PopulationHandle, ProjectionHandle } from './sim/handles.js';
export {
  MemoryRecording, recordingSink, fanOut,
  type Recording, type RecordingSink, type RecordingHandlers, type PopulationSpikes,
  type SpikeChunk, type StateChunk, type WeightSample, type EnergySample, type ModuleSample,
} from './sim/recording.js';
export { saveCheckpoint, loadCheckpoint } from './sim/checkpoint-file.js';
export { runModel, type RunModelOptions, type RunModelResult } from './record/run-model.js';
export { readSpikeFile, decodeSpikeFile, type SpikeFileContents } from './record/spike-files.js';
export { trainStatistics, type TrainStatistics, type StatisticsOptions, type SpikeTrains } from './analysis/spikes.js';

// ------------------------------------------------------------------ trained weights of rate-coded modules
export { WEIGHTS_FORMAT, WEIGHTS_VERSION, moduleParamShapes, type WeightsDocument, type WeightsMatrix, type ParamShape } from './model/weights.js';
export { saveWeights, loadWeights } from './dense/weights.js';

// ------------------------------------------------------------------ RBMs and their likelihoods
// A trained machine (rbm-mnist's rbm-METHOD.weights.json) estimated again:
//   const rbm = new Rbm(new Dense(), 784, 500, 1); loadWeights(rbm.params(), doc);
//   const z = await aisLogZThreads(rbm, { betas: 14500, runs: 1000, seed: 2, baseBias }, 0);
export { Dense, Mat } from './kernel/dense.js';
export { Rbm } from './dense/rbm.js';
export { aisLogZ, exactLogZ, meanLogLikelihood, betaSchedule, type AisOptions, type AisResult } from './dense/ais.js';
export { aisLogZThreads } from './dense/ais-threads.js';

// ------------------------------------------------------------------ experiments
export { EXPERIMENTS, describeOptions, parseOptions, optionsFromArgs, defaultOptions, type Experiment, type ExperimentResult, type Check, type OptionInfo } from './experiments/index.js';
export { writeExperiment } from './experiments/files.js';

// ------------------------------------------------------------------ errors
export { HebbError, ModelError, UsageError, KernelError, FileFormatError, isInputError, formatIssue, type Issue } from './core/errors.js';
