/** Exact float64 fully connected networks: architecture, θ layout, activations, losses, derivatives. */
export { type Activation, activation, ACTIVATION_NAMES } from "./activations.js";
export { type Loss, type LossName, loss, LOSS_NAMES, canonicalLossName } from "./losses.js";
export {
  type Arch, type Net, type LayerLayout, type InitOptions,
  layout, paramCount, layerViews, makeArch, parseWidths, createNet, initNet, describeArch,
} from "./arch.js";
export { Evaluator, checkCompatible } from "./evaluator.js";
export { hessianTwoLayer } from "./hessian-two-layer.js";
export { lossValue, gradient, hvp, hessian, predict } from "./functions.js";
export { teacherData } from "./teacher.js";
export { erf, erfc, normalCdf, normalPdf } from "./special.js";
export { fixtureA, fixtureB, fixtureC, fixtureD, fixtureE } from "./fixtures.js";
