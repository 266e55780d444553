/** Paper reproductions and the demo's story: each builds its numbers from the domain folders and its HTML with report/. */
export { embeddingStory, type EmbeddingStory } from "./demo.js";
export { type CaseResult, investigateMinToSaddle, splitNeuron } from "./depth/investigate.js";
export { type BnCurvePoint, type BnSeedRow, bnExperiment, bnSeedSweep, pruningExperiment } from "./depth/runs.js";
export { type DepthReport, depthReport } from "./depth/report.js";
