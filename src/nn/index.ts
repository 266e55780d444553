/**
 * `embedscape/nn` — exact float64 fully connected networks: architecture and θ layout (SPEC §1.1–§1.3),
 * activations (σ, σ′, σ″), losses, the `Evaluator` (loss, backprop, R-op HVP, Hessian) and the SPEC fixtures.
 */
export { type Activation, type ActivationName, type ActivationAlias, activation, parseActivationName, ACTIVATION_NAMES } from "./activations.js";
export { type Loss, type LossName, type LossAlias, loss, LOSS_NAMES, canonicalLossName } from "./losses.js";
export {
  type Arch, type Net, type LayerLayout, type InitOptions,
  layout, paramCount, layerViews, makeArch, parseWidths, createNet, initNet, describeArch,
} from "./arch.js";
export { Evaluator, checkCompatible } from "./evaluator.js";
export { TinyEvaluator, trainingOracle } from "./tiny.js";
export { lossValue, gradient, hvp, hessian, predict } from "./functions.js";
export { teacherData } from "./teacher.js";
export { fixtureA, fixtureB, fixtureC, fixtureD, fixtureE } from "./fixtures.js";
