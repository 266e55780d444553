/**
 * embedscape — exact float64 MLPs, Hessian inertia, critical points, embeddings, pruning and
 * symmetry counting for loss-landscape research. This is the one public entry point.
 */
export * from "./util/index.js";
export * from "./linalg/index.js";
export * from "./nn/index.js";
export * from "./data/index.js";
export * from "./io/index.js";
export * from "./optim/index.js";
export * from "./depth/index.js";
export * from "./embed/index.js";
export * from "./analysis/index.js";
export * from "./symmetry/index.js";
export * from "./prune/index.js";
export * from "./spectrum/index.js";
export * from "./experiments/index.js";
