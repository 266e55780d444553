/** `embedscape/optim` — training (GD, Adam; minibatch SGD/Adam; gradient flow), the critical-point refiner with its certificate, and inverse design of critical points. */
export { train, trainAsync, minimize, minimizeAsync, type LossOracle, type TrainOptions, type TrainResult, type TrainState, type TrainPoint, type OptimizerName } from "./train.js";
export { refineCritical, certificate, type Certificate, type RefineOptions } from "./refine.js";
export { inverseDesign, outputJacobian } from "./inverse-design.js";
export { solveCritical, isCertifiablyCritical, findReduction, reembed, requireFiniteHessian, RELATIVE_GRADIENT_BOUND, type SolverOracle, type OracleFactory, type SolveOptions, type SolveResult, type SolveReason, type SolveStrategy, type SolveEvidence, type Reduction } from "./solver.js";
export { runCensus, censusInit, torchDefaultInit, adamTorch, type CensusOptions, type CensusResult, type CensusSeedResult, type CensusInit } from "./census.js";
export { censusBatch, censusData, type CensusBatchOptions, type CensusBatchResult, type CensusBatchSeed } from "./census-batch.js";
export { trainMinibatch, trainMinibatchAsync, epochPermutation, batchPosition, stepsPerEpoch, type MinibatchOptions, type AsyncMinibatchOptions } from "./sgd.js";
export { gradientFlow, gradientFlowAsync, defaultFlowMethod, FlowFailedError, ROSENBROCK_MAX_PARAMS, type FlowMethod, type FlowOptions, type AsyncFlowOptions, type FlowResult, type FlowState, type FlowPoint } from "./flow.js";
