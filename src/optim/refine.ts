import { InputError, requireFinite } from "../util/errors.js";
import type { Dataset } from "../data/dataset.js";
import { norm2 } from "../linalg/dense.js";
import { inertiaFromEigenvalues, type InertiaOptions, type InertiaReport } from "../linalg/inertia.js";
import { pointCertificate, type SpectrumMode } from "./certificate.js";
import { createNet, type Arch, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { trainingOracle } from "../nn/tiny.js";
import { solveCritical, type Reduction, type SolveEvidence, type SolveReason, type SolveStrategy, type SolverOracle } from "./solver.js";

/** What `refineCritical` proves about the point it returns. */
export interface Certificate {
  net: Net;
  loss: number;
  /** ‖∇R(θ)‖₂ at the returned θ. */
  gradNorm: number;
  inertia: InertiaReport & { method?: "ldl" | "eigenvalues" };
  /** All Hessian eigenvalues (ascending) when the spectrum was computed (spectrum "values"), else empty. */
  eigenvalues: Float64Array;
  iterations: number;
  converged: boolean;
  /** Why the iteration stopped. */
  reason: SolveReason;
  /** Which solver stage produced the point ("start" when θ was already critical, "none" when not converged). */
  strategy?: SolveStrategy;
  /** ‖θ − θ_start‖₂. */
  distance?: number;
  /** ‖∇R‖₂ / (‖H‖₂·max(1, ‖θ‖₂)); certification needs ≤ 1e-8. */
  relativeGradient?: number;
  /** Convergence-rate and spectrum evidence (soft eigenvalues, rates, ‖θ‖ and loss at start and end). */
  evidence?: SolveEvidence;
  /** The narrow net and (π, sign, β) when the embedding-aware stage produced the point. */
  reduction?: Reduction;
  /** Adam steps spent in descent restarts. */
  descentSteps?: number;
}

export interface RefineOptions extends InertiaOptions {
  /** Target ‖∇R‖₂ (default 1e-12). */
  tol?: number;
  maxIter?: number;
  /** Embedding-aware stage (default true). */
  levenbergMarquardtFirst?: boolean;
  embedding?: boolean;
  /** Descent restarts (default 4) of `restartSteps` (default 1000) Adam steps at `restartLr` (default 1e-2). */
  restarts?: number;
  restartSteps?: number;
  restartLr?: number;
  onIteration?: (iter: number, loss: number, gradNorm: number) => void;
}

/** What the certificate computes beyond the inertia (see `pointCertificate`). */
export interface CertificateOptions extends InertiaOptions {
  /** "values" (default here): all eigenvalues, exact gap; "none": LDLᵀ counts, proved gap bounds; "auto": values up to 500 parameters. */
  spectrum?: SpectrumMode;
}

/**
 * Certificate of a point as it is (no refinement): loss, ‖∇R‖, Hessian inertia with τ and gap
 * (SPEC §1.4), by the one point certificate (`pointCertificate`: one evaluator, one Hessian).
 */
export function certificate(net: Net, data: Dataset, opts: CertificateOptions = {}): Certificate {
  // the fused two-layer kernels where they are faster (trainingOracle: P ≤ 512), the Evaluator otherwise — same H to
  // rounding (tiny.test.ts: 1e-12 relative)
  const c = pointCertificate(trainingOracle(net.arch, data), net.theta, { ...opts, spectrum: opts.spectrum ?? "values" });
  return {
    net, loss: c.loss, gradNorm: c.gradNorm, inertia: c.inertia, eigenvalues: c.eigenvalues ?? new Float64Array(0),
    iterations: 0, converged: false, reason: "max-iterations",
  };
}

/**
 * Converge to a critical point — minimum *or saddle* — near θ and certify it (SPEC §1.4): the
 * staged solver of `solveCritical` (predictor–corrector Newton, embedding-aware reduction, trust
 * region, descent restarts; see its doc comment for what each stage fixes and how it was measured),
 * then the inertia of the Hessian at the returned point. `converged` is the certification criterion
 * of `isCertifiablyCritical`: ‖∇R‖₂ ≤ tol and ‖∇R‖₂ ≤ 1e-8·‖H‖₂·max(1, ‖θ‖₂).
 */
export function refineCritical(net: Net, data: Dataset, opts: RefineOptions = {}): Certificate {
  const factory = (arch: Arch): SolverOracle => new Evaluator(arch, data);
  const oracle = factory(net.arch);
  const r = solveCritical(net.arch, oracle, net.theta, {
    tol: opts.tol, maxIter: opts.maxIter, onIteration: opts.onIteration,
    embedding: opts.embedding, levenbergMarquardtFirst: opts.levenbergMarquardtFirst, restarts: opts.restarts, restartSteps: opts.restartSteps, restartLr: opts.restartLr,
  }, factory);
  const inertia: Certificate["inertia"] = { ...inertiaFromEigenvalues(r.eigenvalues, opts), method: "eigenvalues" };
  // an inertia is only "clear" for a certified critical point: at a non-critical θ it describes nothing
  if (!r.converged) inertia.clear = false;
  return {
    net: createNet(net.arch, r.theta), loss: r.loss, gradNorm: r.gradNorm,
    inertia, eigenvalues: r.eigenvalues,
    iterations: r.iterations, converged: r.converged, reason: r.reason,
    strategy: r.strategy, distance: r.distance, relativeGradient: r.relativeGradient, evidence: r.evidence,
    reduction: r.reduction, descentSteps: r.descentSteps,
  };
}
