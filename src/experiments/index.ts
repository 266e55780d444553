/**
 * `embedscape/experiments` — the paper reproductions (`embedscape reproduce <name>`: the registry) and the
 * demo's story; each builds its numbers from the domain folders and its HTML with report/.
 */
export { reproductions, type Reproduction, type ReproductionOption, type ReproductionOutput, type OptionParse } from "./registry.js";
export { runDemo, embeddingStory, type DemoOptions, type EmbeddingStory } from "./demo.js";
export { type CaseResult, investigateMinToSaddle, splitNeuron } from "./depth/investigate.js";
export { type BnCurvePoint, type BnSeedRow, bnExperiment, bnSeedSweep, pruningExperiment } from "./depth/runs.js";
export { type DepthReport, depthReport } from "./depth/report.js";
export { mnistPruneExperiment, type MnistPruneOptions, type MnistPruneResult } from "./condensation/mnist-prune.js";
export { condensationExperiment, type CondensationExperimentOptions, type CondensationExperimentResult } from "./condensation/condensation-1d.js";
export { runHessianEmbedding } from "./hessian-embedding.js";
export { symmetryCountsReport, symmetryPathReport } from "./symmetry.js";
export { densityReport, type DensityReportInput } from "./density-report.js";
export { validateInertiaEstimate, type ValidationRow } from "./inertia-validation.js";
