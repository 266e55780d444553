/**
 * embedscape — exact float64 MLPs, Hessian inertia, critical points, embeddings, pruning and symmetry
 * counting for loss-landscape research.
 *
 * The root gives the names of the main job (build a net, train it, refine it to a critical point, certify
 * it) and one namespace per folder; every namespace is also a sub-path of the package:
 *
 *   import { makeArch, initNet, train, refineCritical } from "embedscape";
 *   import { applyEmbedding, splitEmbedding } from "embedscape/embed";     // = embed.applyEmbedding, …
 */
export { makeArch, initNet, createNet, layerViews, Evaluator, type Arch, type Net, type ActivationName, type LossName } from "./nn/index.js";
export { makeDataset, grid1d, loadDataset, type Dataset } from "./data/index.js";
export { loadNet, saveNet } from "./io/index.js";
export { train, refineCritical, certificate, type Certificate } from "./optim/index.js";
export { inertia, type Inertia, type InertiaReport } from "./linalg/index.js";
export { InputError } from "./util/index.js";

export * as nn from "./nn/index.js";
export * as linalg from "./linalg/index.js";
export * as spectrum from "./spectrum/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as io from "./io/index.js";
export * as embed from "./embed/index.js";
export * as analysis from "./analysis/index.js";
export * as depth from "./depth/index.js";
export * as prune from "./prune/index.js";
export * as symmetry from "./symmetry/index.js";
export * as report from "./report/index.js";
export * as experiments from "./experiments/index.js";
export * as util from "./util/index.js";
