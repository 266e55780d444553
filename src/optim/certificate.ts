import { norm2 } from "../linalg/dense.js";
import {
  defaultZeroTolerance, eigenpairsRange, eigenvalues as eigenvaluesOf, inertiaCounts, inertiaFromEigenvalues,
  type InertiaOptions, type InertiaReport,
} from "../linalg/inertia.js";
import type { Oracle } from "../nn/oracle.js";
import { extremeEigenvalues } from "../spectrum/lanczos.js";
import { InputError, requireFinite } from "../util/errors.js";
import { requireFiniteHessian } from "./solver.js";

/** What the certificate computes beyond the inertia. */
export type SpectrumMode = "none" | "values" | "auto";

/**
 * Up to this many parameters "auto" takes the eigenvalue path (exact gap): a P ≤ 500 eigensolve
 * costs tens of milliseconds, less than the process start-up; above it, LDLᵀ counts.
 */
export const EXACT_GAP_MAX_P = 500;

export interface PointCertificateOptions extends InertiaOptions {
  /**
   * "none" (default): inertia by LDLᵀ counts (no spectrum; the gap as proved bounds);
   * "values": all eigenvalues, without eigenvectors (exact gap);
   * "auto": "values" up to `EXACT_GAP_MAX_P` parameters, "none" above (what a command uses when no
   * spectrum is asked for).
   */
  spectrum?: SpectrumMode;
  /** Also return the `lowest` eigenpairs (ascending, unit vectors) by the range driver. */
  lowest?: number;
  /** The caller's P×P buffer for the Hessian (built once, in place; kept in the result). */
  hessian?: Float64Array;
}

/** Loss, gradient and Hessian inertia of one point (SPEC §1.4), from one oracle and one Hessian. */
export interface PointCertificate {
  P: number;
  loss: number;
  gradient: Float64Array;
  /** ‖∇R(θ)‖₂. */
  gradNorm: number;
  /** (n₋, n₀, n₊) with τ, ‖H‖₂ and the gap; `method` says how it was counted. */
  inertia: InertiaReport & { method: "ldl" | "eigenvalues" };
  /** All eigenvalues, ascending (spectrum "values"), else null. */
  eigenvalues: Float64Array | null;
  /** The `lowest` eigenpairs (vector j contiguous at j·P), else null. */
  lowest: { values: Float64Array; vectors: Float64Array } | null;
  /** The dense Hessian the counts came from (the caller's buffer when given). */
  hessian: Float64Array;
}

/**
 * The one point certificate (SPEC §1.4) every command and report uses: R(θ), ∇R(θ), the dense
 * Hessian built once into one buffer, and its inertia In(H) = (n₋, n₀, n₊) with |λ| ≤ τ counted
 * as zero, τ = c·‖H‖₂·P·ε unless given.
 *
 * - spectrum "none": Sylvester counts from Bunch–Kaufman LDLᵀ factorisations (`inertiaCounts`):
 *   n₋ = #λ < −τ and n₊ = #λ > τ from H ± τI, ‖H‖₂ estimated by 30 Lanczos steps on the
 *   oracle's exact HVPs (matrix-free: cheaper than a pass over H). The gap is proved, not
 *   measured: when 0 < n₀ < P two more counts at ±cτ (c = clearRatio) show whether any |λ| lies in
 *   (τ, cτ]; the gap fields are then bounds (largestZero ≤, smallestNonzero ≥, ratio ≥) and
 *   `clear` means the count provably does not hinge on τ.
 * - spectrum "values": the eigenvalues without eigenvectors (exact gap, as `inertiaFromEigenvalues`).
 * - `lowest: k`: the k smallest eigenpairs by LAPACK's range driver (no full eigenbasis).
 */
export function pointCertificate(oracle: Oracle, theta: Float64Array, opts: PointCertificateOptions = {}): PointCertificate {
  const P = oracle.P;
  if (theta.length !== P) throw new InputError(`parameter vector has ${theta.length} entries, expected ${P}`);
  const gradient = new Float64Array(P);
  const loss = oracle.lossAndGradient(theta, gradient);
  if (!Number.isFinite(loss)) throw new InputError(`the loss is ${loss} at this θ (float64 overflow or invalid arithmetic): no certificate`);
  requireFinite(gradient, "the gradient (float64 overflow)");
  const H = oracle.hessian(theta, opts.hessian ?? new Float64Array(P * P));
  requireFiniteHessian(H, P);
  const mode = opts.spectrum === "auto" ? (P <= EXACT_GAP_MAX_P ? "values" : "none") : opts.spectrum ?? "none";
  let inertia: PointCertificate["inertia"];
  let values: Float64Array | null = null;
  if (mode === "values") {
    values = eigenvaluesOf(H, P);
    inertia = { ...inertiaFromEigenvalues(values, opts), method: "eigenvalues" };
  } else {
    inertia = { ...inertiaCounts(H, P, { ...opts, norm: hessianNorm(oracle, theta) }), method: "ldl" };
  }
  let lowest: PointCertificate["lowest"] = null;
  if (opts.lowest) {
    const k = Math.min(P, opts.lowest);
    lowest = eigenpairsRange(H, P, 0, k - 1);
  }
  return { P, loss, gradient, gradNorm: norm2(gradient), inertia, eigenvalues: values, lowest, hessian: H };
}

/**
 * ‖∇²R(θ)‖₂ = max |λ| estimated matrix-free: 30 Lanczos steps (full reorthogonalisation) on exact
 * HVPs, the larger |Ritz value| at either end. Extreme eigenvalues converge first, so the estimate
 * is accurate to many digits for the τ it scales.
 */
export function hessianNorm(oracle: Oracle, theta: Float64Array, steps = 30): number {
  const P = oracle.P;
  if (P <= 64) return denseNorm(oracle, theta); // tiny: exact
  const r = extremeEigenvalues((x, y) => oracle.hvp(theta, x, y), P, 1, { steps: Math.min(P, steps), seed: 12345 });
  return Math.max(Math.abs(r.largest[r.largest.length - 1]), Math.abs(r.smallest[0]));
}

function denseNorm(oracle: Oracle, theta: Float64Array): number {
  const ev = eigenvaluesOf(oracle.hessian(theta), oracle.P);
  let m = 0;
  for (const v of ev) m = Math.max(m, Math.abs(v));
  return m;
}

/** SPEC §1.4 τ for a given ‖H‖₂ and P (re-exported for callers that build their own counts). */
export { defaultZeroTolerance };
