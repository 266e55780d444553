import type { Dataset } from "../data/dataset.js";
import { norm2 } from "../linalg/dense.js";
import { eigenSystem, defaultZeroTolerance, type InertiaOptions, type InertiaReport } from "../linalg/inertia.js";
import { createNet, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { pointCertificate, type SpectrumMode } from "./certificate.js";

/** What `refineCritical` proves about the point it returns. */
export interface Certificate {
  net: Net;
  loss: number;
  /** ‖∇R(θ)‖₂ at the returned θ. */
  gradNorm: number;
  inertia: InertiaReport & { method?: "ldl" | "eigenvalues" };
  /** All Hessian eigenvalues (ascending) when the spectrum was asked for (spectrum "values"), else empty. */
  eigenvalues: Float64Array;
  iterations: number;
  converged: boolean;
  /** Why the iteration stopped. */
  reason: "tolerance" | "stagnated" | "max-iterations";
}

/** What the certificate computes beyond the inertia (see `pointCertificate`). */
export interface CertificateOptions extends InertiaOptions {
  /** "values" (default here): all eigenvalues, exact gap; "none": LDLᵀ counts, proved gap bounds. */
  spectrum?: SpectrumMode;
}

export interface RefineOptions extends CertificateOptions {
  /** Target ‖∇R‖₂ (default 1e-12). */
  tol?: number;
  maxIter?: number;
  onIteration?: (iter: number, loss: number, gradNorm: number) => void;
}

/**
 * Certificate of a point as it is (no refinement): loss, ‖∇R‖, Hessian inertia with τ and gap
 * (SPEC §1.4), by the one point certificate (`pointCertificate`: one evaluator, one Hessian).
 */
export function certificate(net: Net, data: Dataset, opts: CertificateOptions = {}): Certificate {
  const c = pointCertificate(new Evaluator(net.arch, data), net.theta, { ...opts, spectrum: opts.spectrum ?? "values" });
  return {
    net, loss: c.loss, gradNorm: c.gradNorm, inertia: c.inertia, eigenvalues: c.eigenvalues ?? new Float64Array(0),
    iterations: 0, converged: false, reason: "max-iterations",
  };
}

/**
 * Converge to the nearest critical point — minimum *or saddle* — by Levenberg–Marquardt on
 * Φ(θ) = ½‖∇R(θ)‖². Its Jacobian is the Hessian H, so each step solves (H² + μI)p = −H∇R,
 * done exactly in H's eigenbasis: p = −Σ_i λ_i(q_iᵀg)/(λ_i² + μ) q_i, with numerically-zero
 * eigenvalues (|λ| ≤ τ) dropped (pseudo-inverse: no motion along flat critical manifolds).
 *
 * Why this and not Newton with a trust region on R: a trust-region method minimises R and is
 * repelled by saddles, while LM on ‖∇R‖² is attracted by every non-degenerate critical point
 * and, as μ → 0, takes pure Newton steps, so convergence is quadratic near the solution; μ grows
 * only when a step fails to reduce ‖∇R‖ (far from the solution, or near a non-critical
 * stationary point of Φ). Degenerate critical sets (embedded manifolds) are handled by the
 * pseudo-inverse. Cost per iteration: one exact Hessian and one symmetric eigendecomposition.
 */
export function refineCritical(net: Net, data: Dataset, opts: RefineOptions = {}): Certificate {
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 100;
  const ev = new Evaluator(net.arch, data);
  const P = ev.P;
  let theta = Float64Array.from(net.theta);
  let g = new Float64Array(P);
  let loss = ev.lossAndGradient(theta, g);
  let gn = norm2(g);
  let mu = 0;
  let iter = 0;
  let reason: Certificate["reason"] = "max-iterations";
  const trial = new Float64Array(P);
  let gTrial = new Float64Array(P);
  const c = new Float64Array(P);
  const H = new Float64Array(P * P);
  while (true) {
    opts.onIteration?.(iter, loss, gn);
    if (gn <= tol) { reason = "tolerance"; break; }
    if (iter >= maxIter) break;
    iter++;
    ev.hessian(theta, H);
    const { values, vectors } = eigenSystem(H, P);
    let lmax = 0;
    for (let i = 0; i < P; i++) lmax = Math.max(lmax, Math.abs(values[i]));
    const tau = defaultZeroTolerance(lmax, P);
    for (let i = 0; i < P; i++) {
      let s = 0;
      const o = i * P;
      for (let j = 0; j < P; j++) s += vectors[o + j] * g[j];
      c[i] = s;
    }
    let accepted = false;
    for (let tries = 0; tries < 40; tries++) {
      trial.set(theta);
      for (let i = 0; i < P; i++) {
        const l = values[i];
        if (Math.abs(l) <= tau) continue;
        const coef = (-l * c[i]) / (l * l + mu);
        const o = i * P;
        for (let j = 0; j < P; j++) trial[j] += coef * vectors[o + j];
      }
      const lossT = ev.lossAndGradient(trial, gTrial);
      const gnT = norm2(gTrial);
      if (Number.isFinite(gnT) && gnT < gn) {
        [theta, g] = [Float64Array.from(trial), gTrial];
        gTrial = new Float64Array(P);
        loss = lossT;
        gn = gnT;
        mu = mu / 10 < 1e-16 * lmax * lmax ? 0 : mu / 10;
        accepted = true;
        break;
      }
      mu = mu === 0 ? 1e-10 * lmax * lmax + Number.MIN_VALUE : mu * 10;
    }
    if (!accepted) { reason = "stagnated"; break; }
  }
  const fin = pointCertificate(ev, theta, { ...opts, spectrum: opts.spectrum ?? "values", hessian: H });
  return {
    net: createNet(net.arch, theta), loss: fin.loss, gradNorm: fin.gradNorm,
    inertia: fin.inertia, eigenvalues: fin.eigenvalues ?? new Float64Array(0),
    iterations: iter, converged: gn <= tol, reason,
  };
}
