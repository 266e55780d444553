import type { Dataset } from "../data/dataset.js";
import type { Net } from "../nn/arch.js";
import { certificate, refineCritical } from "../optim/refine.js";

/**
 * The ONE place the atlas calls a critical-point solver (issue 13 rewrites it; swap it here).
 *
 * What the atlas needs from a solver, and nothing else: from a start θ, a nearby θ* with ∇R(θ*) ≈ 0
 * (minimum or saddle, SPEC §1.4), its loss and ‖∇R‖₂, the Hessian eigenvalues at θ*, the inertia
 * (n₋, n₀, n₊) with the zero tolerance τ = c·‖H‖₂·P·ε and the spectral gap, and the solver's own account
 * of why it stopped (the evidence kept for points marked degenerate).
 */
export interface SolvedPoint {
  theta: Float64Array;
  loss: number;
  gradNorm: number;
  eigenvalues: Float64Array;
  inertia: { neg: number; zero: number; pos: number };
  tau: number;
  /** Gap ratio smallest non-zero |λ| / largest zero |λ| (Infinity when one side is empty). */
  gap: number;
  converged: boolean;
  iterations: number;
  reason: string;
}

export interface SolveOptions {
  /** Target ‖∇R‖₂ (default 1e-12). */
  tol?: number;
  maxIter?: number;
}

/** Converge to the nearest critical point (currently `refineCritical`: Levenberg–Marquardt on ½‖∇R‖²). */
export function solveCritical(net: Net, data: Dataset, opts: SolveOptions = {}): SolvedPoint {
  const c = refineCritical(net, data, { tol: opts.tol ?? 1e-12, maxIter: opts.maxIter ?? 100 });
  return fromCertificate(c);
}

/** The same record for a point taken as it is (no iteration): used for points critical by theorem. */
export function certify(net: Net, data: Dataset): SolvedPoint {
  return { ...fromCertificate(certificate(net, data)), reason: "taken as is (critical by theorem)" };
}

function fromCertificate(c: ReturnType<typeof refineCritical>): SolvedPoint {
  return {
    theta: Float64Array.from(c.net.theta), loss: c.loss, gradNorm: c.gradNorm, eigenvalues: c.eigenvalues,
    inertia: { neg: c.inertia.neg, zero: c.inertia.zero, pos: c.inertia.pos }, tau: c.inertia.tolerance,
    gap: c.inertia.gap.ratio, converged: c.converged, iterations: c.iterations, reason: c.reason,
  };
}
