/** `embedscape/analysis` — Hessian-inertia predictions for embeddings (SPEC §2.9) and the strict-saddle / truly-bad test (SPEC §3.6). */
export { sampleQuantities, neuronMatrices, nullCrossMatrix, type SampleQuantities, type NeuronMatrices } from "./quantities.js";
export {
  projectedC, kAlpha, splitIncrement, kCopyIncrement, nullIncrement,
  predictEmbeddingInertia, type PredictedStep,
} from "./predict.js";
export { embeddingReport, type EmbeddingReport } from "./embedding-check.js";
export { trulyBadAnalysis, piecewiseLinear, type TrulyBadReport, type NeuronTest, type LayerTest, type Witness } from "./truly-bad.js";
export { criticalityStatus, THEOREM_GRADIENT_BOUND, type CriticalityStatus } from "./criticality.js";
