/**
 * `embedscape/nn` — exact float64 fully connected networks: architecture and θ layout (SPEC §1.1–§1.3),
 * activations (σ, σ′, σ″), losses, the one oracle contract (`Oracle`) and its plain engine `Evaluator` (loss, backprop, R-op HVP, structured
 * Hessian of any depth) and the SPEC fixtures.
 */
export { type Activation, type ActivationName, type ActivationAlias, activation, parseActivationName, ACTIVATION_NAMES } from "./activations.js";
export { type Loss, type LossName, type LossAlias, loss, LOSS_NAMES, canonicalLossName } from "./losses.js";
export {
  type Arch, type Net, type LayerLayout, type InitOptions,
  layout, paramCount, layerViews, makeArch, parseWidths, createNet, initNet, describeArch,
} from "./arch.js";
export { Evaluator, checkCompatible } from "./evaluator.js";
export { type Oracle, type LayeredOracle, type CachingOracle, isLayered } from "./oracle.js";
export { TinyEvaluator, trainingOracle } from "./tiny.js";
export { lossValue, gradient, hvp, hessian, predict } from "./functions.js";
export { teacherData } from "./teacher.js";
export { fixtureA, fixtureB, fixtureC, fixtureD, fixtureE } from "./fixtures.js";
