import { condensationReproduction, mnistPruneReproduction } from "./condensation/reproductions.js";
import { landscapeDiagramReproduction, widePlateausReproduction } from "./atlas.js";
import { depthReproduction } from "./depth/reproduction.js";
import { hessianEmbeddingReproduction } from "./hessian-embedding.js";
import { symmetryCountsReproduction, symmetryPathReproduction } from "./symmetry.js";

export type { OptionParse, OptionValue, ProgressSink, Reproduction, ReproductionOption, ReproductionOptions, ReproductionOutput, RunHooks } from "./types.js";
import type { Reproduction } from "./types.js";

/**
 * Everything `embedscape reproduce <name>` can reproduce, in the order `--help` lists them. To add one,
 * write its `Reproduction` (see types.ts) and append it here.
 */
export const reproductions: Reproduction[] = [
  symmetryCountsReproduction,
  symmetryPathReproduction,
  hessianEmbeddingReproduction,
  depthReproduction,
  mnistPruneReproduction,
  condensationReproduction,
  landscapeDiagramReproduction,
  widePlateausReproduction,
];
