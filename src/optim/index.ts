/** `embedscape/optim` — training (GD, Adam), the critical-point refiner with its certificate, and inverse design of critical points. */
export { train, trainAsync, minimize, minimizeAsync, type LossOracle, type TrainOptions, type TrainResult, type TrainState, type TrainPoint, type OptimizerName } from "./train.js";
export { refineCritical, certificate, type Certificate, type RefineOptions } from "./refine.js";
export { inverseDesign, outputJacobian } from "./inverse-design.js";
