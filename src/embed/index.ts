/** `embedscape/embed` — width embeddings T_{π,β} as data (SPEC §2–§3, §10 item 1) and the identities they satisfy. */
export {
  type Embedding, type EmbedStep, RATIO_SUM_TOLERANCE, wideWidths, identityEmbedding, validateEmbedding,
  splitEmbedding, oneStepEmbedding, nullEmbedding, net2widerEmbedding, composeEmbeddings, stepEmbedding,
  multiStepEmbedding, nullCount, embeddingToJson, embeddingFromJson,
} from "./embedding.js";
export {
  type ApplyOptions, wideArch, embedVector, applyEmbedding, gradientMap, embeddingMatrix, gradientMapMatrix,
  affineFamilyBasis,
} from "./apply.js";
export {
  outputPreservation, gradientIdentityError, hessianIdentities, criticalSummary, irreversible, affineFamilyCheck,
} from "./checks.js";
export { recoverEmbedding } from "./recover.js";
