import { criticalityStatus, type CriticalityStatus } from "./criticality.js";
import type { Dataset } from "../data/dataset.js";
import { applyEmbedding, type ApplyOptions } from "../embed/apply.js";
import { affineFamilyCheck, criticalSummary, gradientIdentityError, irreversible, outputPreservation } from "../embed/checks.js";
import type { Embedding } from "../embed/embedding.js";
import type { Inertia } from "../linalg/inertia.js";
import type { Net } from "../nn/arch.js";
import { predictEmbeddingInertia, type PredictedStep } from "./predict.js";
import { InputError } from "../util/errors.js";

/** Default largest parameter count for which the dense Hessian (P² memory, P³ eigensolver) is computed. */
export const DEFAULT_MAX_PARAMS = 3000;

/** Refuse dense-Hessian work beyond `maxParams` with a clear message instead of running for hours. */
export function requireDenseHessian(P: number, maxParams = DEFAULT_MAX_PARAMS): void {
  if (P > maxParams) throw new InputError(`this needs the dense Hessian of a net with ${P} parameters; the limit is ${maxParams} (raise it with --max-params)`);
}

const triple = (i: Inertia): Inertia => ({ neg: i.neg, zero: i.zero, pos: i.pos });

/** Everything `embedscape check` reports for a narrow net, its embedding and data (SPEC §2–§3, §10 items 1, 2, 5). */
export interface EmbeddingReport {
  widths: { narrow: number[]; wide: number[] };
  outputMaxDiff: { data: number; probe: number };
  loss: { narrow: number; wide: number };
  gradNorm: { narrow: number; wide: number };
  gradientIdentityError: number;
  inertia: { narrow: Inertia; wide: Inertia; predicted: Inertia | null; predictionNote?: string; zeroTolerance: { narrow: number; wide: number }; gapRatio: { narrow: number; wide: number } };
  predictionMatches: boolean | null;
  irreversible: boolean;
  affineFamily: { dimension: number; rank: number; maxGradNorm: number; maxLossDiff: number };
  predictionSteps: PredictedStep[];
  wideEigenvalues: number[];
  narrowEigenvalues: number[];
  /** Whether the narrow net is critical; when not, every criticality/inertia result here is meaningless (note says so). */
  critical: CriticalityStatus;
}

/**
 * Build Tθ and measure: output preservation, ∇R identity, criticality, inertia (measured narrow/wide and the §2.9
 * prediction, which uses the narrow net's zero tolerance τ for the small K_α matrices), irreversibility and the
 * affine family. The prediction is only meaningful at a critical point.
 */
export function embeddingReport(narrow: Net, data: Dataset, e: Embedding, opts: ApplyOptions & { maxParams?: number } = {}): EmbeddingReport {
  const wide = applyEmbedding(narrow, e, opts);
  requireDenseHessian(wide.theta.length, opts.maxParams);
  const a = criticalSummary(narrow, data), b = criticalSummary(wide, data);
  const pred = predictEmbeddingInertia(narrow, data, e, a.inertia, a.inertia.tolerance);
  const p = pred.predicted;
  return {
    widths: { narrow: [...narrow.arch.widths], wide: [...wide.arch.widths] },
    outputMaxDiff: outputPreservation(narrow, wide, data),
    loss: { narrow: a.loss, wide: b.loss },
    gradNorm: { narrow: a.gradNorm, wide: b.gradNorm },
    gradientIdentityError: gradientIdentityError(narrow, data, e, opts),
    inertia: {
      narrow: triple(a.inertia), wide: triple(b.inertia), predicted: p, ...(pred.reason ? { predictionNote: pred.reason } : {}),
      zeroTolerance: { narrow: a.inertia.tolerance, wide: b.inertia.tolerance },
      gapRatio: { narrow: a.inertia.gap.ratio, wide: b.inertia.gap.ratio },
    },
    predictionMatches: p ? p.neg === b.inertia.neg && p.zero === b.inertia.zero && p.pos === b.inertia.pos : null,
    irreversible: irreversible(a.inertia, b.inertia),
    affineFamily: affineFamilyCheck(narrow, data, e, opts),
    predictionSteps: pred.steps,
    narrowEigenvalues: Array.from(a.inertia.eigenvalues),
    wideEigenvalues: Array.from(b.inertia.eigenvalues),
    critical: criticalityStatus(a.gradNorm, "the narrow net",
      "criticality preservation, the §2.9 inertia prediction and irreversibility assume a critical point, so a MISMATCH or an increase in ‖∇R‖ says nothing about the theorem; only output preservation is meaningful."),
  };
}
