/** `embedscape/prune` — condensation analysis and pruning by merging neurons: the inverse of width embeddings (SPEC §7 E2/E3/E6, §10 item 3). */
export {
  type LayerNeurons, type NeuronGroup, type GroupOptions, type CondensationOptions, type LayerCondensation,
  layerNeurons, similarityMatrix, groupNeurons, condensation,
} from "./condensation.js";
export { type LayerMergeStats, type MergeOptions, mergeNeurons } from "./merge.js";
export { type PruneOptions, type NeuronPruneResult, pruneNet, refitLastLayer, argmaxRows } from "./prune-net.js";
