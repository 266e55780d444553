/** `embedscape/depth` — the Embedding Principle in depth (SPEC §4): critical lifting, linearization diagnostics, batch normalization, layer pruning. */
export { type Piece, type Lift, type LiftOptions, liftNet, insertLayer, sampleLiftedSet, liftedSetDimension, liftedSetConstraints, type LiftInequality, featuresAt, defaultPiece, preActs } from "./lift.js";
export { type LiftCheck, type PointSummary, checkLift, checkLiftOutputs, type LiftOutputCheck, summarizePoint, maxOutputDiff, probeInputs } from "./checks.js";
export { type ApproximateInsertion, approximateInsertion } from "./approximate.js";
export { type NeuronLinearity, type LayerLinearization, layerLinearization, linearizationReport, layerPieces, kinks } from "./linearization.js";
export { type PruneResult, pruneLayer } from "./merge-layer.js";
export { type BnArch, type BnLayer, BnEvaluator, bnLayout, makeBnArch, bnFromPlain } from "./batchnorm.js";
export { type RegionSize, liftedRegionBySize } from "./shrink.js";
export { type DirectionalProbe, probeDirection, probeAll } from "./saddle.js";
