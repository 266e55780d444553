import { activation as activationByName } from "../nn/activations.js";
import { layout, makeArch, type Arch } from "../nn/arch.js";
import { eigenSystem, defaultZeroTolerance } from "../linalg/inertia.js";
import { InputError } from "../util/errors.js";
import { powi } from "../util/fdmath.js";

/**
 * What the solver needs from a loss: the parameter count, R(θ) with ∇R(θ) written into a buffer,
 * and the dense Hessian ∇²R(θ) written into a P×P buffer. `Evaluator` satisfies it; so can a fused
 * tiny-net kernel. All solver work at one θ goes through these two calls.
 */
export interface SolverOracle {
  readonly P: number;
  lossAndGradient(theta: Float64Array, out: Float64Array): number;
  hessian(theta: Float64Array, out: Float64Array<ArrayBuffer>): Float64Array;
}

/** Builds an oracle for any architecture on the same data (the embedding-aware stage solves narrower nets). */
export type OracleFactory = (arch: Arch) => SolverOracle;

/** Why the solver stopped. The first three are the historical `refineCritical` reasons. */
export type SolveReason =
  | "tolerance" | "stagnated" | "max-iterations"
  | "degenerate-sublinear" | "no-finite-critical-point";

/** Which stage produced the returned point. */
export type SolveStrategy = "start" | "newton" | "levenberg-marquardt" | "embedding" | "trust-region" | "descent-restart" | "none";

/** A reduction found by the embedding-aware stage: the narrow widths and, per hidden layer and wide neuron, π (0 = null), sign and ratio β. */
export interface Reduction {
  narrow: number[];
  pi: number[][];
  sign: number[][];
  beta: number[][];
  /** Relative tolerance at which the near-duplicate / mirrored / near-null neurons were grouped. */
  tolerance: number;
}

export interface SolveOptions {
  /** Target ‖∇R‖₂ (default 1e-12). */
  tol?: number;
  /** Budget of Newton-type iterations over all stages (default 1000). */
  maxIter?: number;
  /** Newton iterations per attempt before the next stage (default 60; the first attempt gets 2.5×). */
  attemptIter?: number;
  /** Try the embedding-aware reduction (default true; needs `factory`). */
  embedding?: boolean;
  /** Descent restarts (default 8): continue a diagonally preconditioned descent (Adam) for `restartSteps`, then Newton again. */
  restarts?: number;
  /** Adam steps per descent restart (default 500). */
  restartSteps?: number;
  /** Adam learning rate of the descent restarts (default 1e-2). */
  restartLr?: number;
  /** Run the Levenberg–Marquardt stage (≤ 150 iterations) before stage 1, as the previous solver did (default false). */
  levenbergMarquardtFirst?: boolean;
  /** Called once per Newton-type iteration. */
  onIteration?: (iter: number, loss: number, gradNorm: number) => void;
}

/** Evidence behind a `degenerate-sublinear` or `no-finite-critical-point` verdict (also filled for other outcomes). */
export interface SolveEvidence {
  /** Mean per-iteration contraction ‖∇R_{k+1}‖/‖∇R_k‖ over the last iterations (1 = no progress). */
  linearRate: number;
  /** Exponent p of a fit ‖∇R_k‖ ∝ k^(−p) over the last iterations (sublinear decay: small p). */
  sublinearExponent: number;
  /** Eigenvalues with τ < |λ| ≤ 1e-6·‖H‖₂ at the returned point (soft, non-Morse directions). */
  softEigenvalues: number[];
  lossStart: number;
  lossEnd: number;
  thetaNormStart: number;
  thetaNormEnd: number;
  /** ‖H‖₂ at the returned point. */
  hessianNorm: number;
}

export interface SolveResult {
  theta: Float64Array;
  loss: number;
  gradNorm: number;
  iterations: number;
  converged: boolean;
  reason: SolveReason;
  strategy: SolveStrategy;
  /** ‖θ − θ₀‖₂: how far the certified point is from the starting point. */
  distance: number;
  /** The Hessian's eigenvalues at the returned θ (ascending) — the final eigendecomposition, reused by the certificate. */
  eigenvalues: Float64Array;
  /** Relative criticality ‖∇R‖₂ / (‖H‖₂·max(1, ‖θ‖₂)): must be ≤ 1e-8 to certify (see `isCertifiablyCritical`). */
  relativeGradient: number;
  evidence: SolveEvidence;
  reduction?: Reduction;
  /** Descent steps spent in restarts. */
  descentSteps: number;
}

/** Relative criticality bound of `isCertifiablyCritical`. */
export const RELATIVE_GRADIENT_BOUND = 1e-8;

/**
 * The certification criterion (README "What is certified"): θ is certified critical when all of R, ∇R
 * and H are finite, ‖∇R(θ)‖₂ ≤ tol (absolute, default 1e-12) AND ‖∇R(θ)‖₂ ≤ 1e-8·‖H‖₂·max(1, ‖θ‖₂).
 * The second, scale-free condition says the gradient is negligible against the curvature scale: a
 * displacement of 1e-8 of the parameter scale would produce a larger gradient. It rejects points where
 * the whole landscape has flattened (loss → 0 with ‖θ‖ → ∞, e.g. separable cross-entropy), where an
 * absolute 1e-12 means nothing.
 */
export function isCertifiablyCritical(gradNorm: number, hessianNorm: number, thetaNorm: number, tol: number): boolean {
  return Number.isFinite(gradNorm) && gradNorm <= tol && gradNorm <= RELATIVE_GRADIENT_BOUND * hessianNorm * Math.max(1, thetaNorm);
}

/**
 * Converge to a critical point (∇R = 0, SPEC §1.4) — minimum or saddle — from θ₀, built from what was
 * tried and measured on trained tanh nets (cos 2x; notes/solver.md):
 *
 * 1. **Predictor–corrector Newton** on ∇R = 0 (stage "newton"). Step d = −H⁺∇R in H's eigenbasis
 *    (|λ| ≤ τ dropped), scaled by t (backtracking from the last accepted t·4), then up to 5 chord
 *    corrections on the stiff eigenpairs (|λ| ≥ 1e-4‖H‖) toward the Newton-homotopy target
 *    ∇R(θ + t d) = (1 − t)∇R(θ); accepted when ‖∇R‖ decreases. Why: plain Levenberg–Marquardt on
 *    ½‖∇R‖² (the previous solver, and bench_census.py) damps every direction by λ/(λ² + μ), which
 *    freezes the soft directions (λ ~ 1e-6) once μ ≫ λ²; on 1-3-1 (9 points, 3000 Adam steps) it
 *    needed 6,500 iterations for seed 0 and converged 1/20 in 100. Plain Newton with a line search
 *    leaves the curved valley at once (accepted t ≈ 1e-4, 0/1). The corrector keeps the stiff
 *    coordinates on the valley floor, so the soft coordinates take long steps: seed 0 in 15
 *    iterations, 12/20 seeds in ≤ 200.
 * 1b. **Levenberg–Marquardt** on ½‖∇R‖² from θ₀ (the previous solver; ≤ 100 iterations): from far away — Iris
 *    4-2-3 refined from its initialisation — its damping is the more robust globalisation and it reaches
 *    critical points stage 1 does not (seeds 0–11: LM certifies 2, 6, 11; stage 1 alone 5, 8, 10).
 * 2. **Embedding-aware reduction** (stage "embedding", SPEC §3.2, §10.3; tried first, at tolerances ≤ 1e-3,
 *    and again after stage 1 at all tolerances): group neurons whose incoming
 *    rows (w, b) agree, or for odd σ are opposite, within a relative tolerance (cascade 1e-8 … 3e-2), and
 *    neurons with negligible outgoing weights; build the narrow net (group rows averaged, outgoing
 *    columns summed), solve it (recursively, so it may reduce again), and re-embed exactly with
 *    T_{π,β} (β from the outgoing columns, signs for mirrored neurons, near-null neurons as β = 0 copies
 *    of the nearest narrow neuron). A critical embedding maps critical points to critical points, so the
 *    wide point is critical to rounding even where the wide Hessian is degenerate. A reduction is used only
 *    if it changes R by ≤ 10 % and the re-embedded point lies within 0.5·max(1, ‖θ‖) (1-2-2-1 tanh, seed 2:
 *    the 3e-2 grouping led 600 away, to a (2,10,1) point of 60× the loss). Measured on fixture B
 *    embedded in 1-4-1 (a split and a mirrored copy) and perturbed by 1e-5: Newton alone converges in 4
 *    iterations but 0.13 away (it slides along the embedded manifold, whose flat direction is not
 *    numerically zero off the manifold); the reduction lands within ~1e-5.
 * 3. **Trust-region Newton on R** (stage "trust-region") when H has no clearly negative eigenvalue:
 *    minimum-seeking, so it follows long descending valleys that root-finding on ∇R stalls in
 *    (1-4-1 on 20 points: 14/40 seeds to a minimum in 300 iterations, where 1. reached 19/40).
 * 4. **Descent restarts** (stage "descent-restart"): from a positive-definite point above a saddle
 *    plateau, no Newton-type root-finder reaches the index-1 saddle (the Newton-homotopy curve folds
 *    where an eigenvalue crosses 0 — measured: pseudo-arclength continuation turned back at t = 0.58 —
 *    and the trust region jumps past the plateau). Continuing the descent with Adam does pass the
 *    plateau: on 1-3-1 seeds 3, 4, 7, 9, Newton from 5000 Adam steps converges where it failed from 3000.
 *    So: `restarts` times, `restartSteps` Adam steps from the best point so far, then stage 1 again.
 * 5. **Classification** of what did not converge: `no-finite-critical-point` when the loss fell, ‖θ‖ grew
 *    and the spectrum collapsed (‖H‖₂·max(1,‖θ‖)² ≤ 1e-6); `degenerate-sublinear` when soft eigenvalues
 *    (τ < |λ| ≤ 1e-6‖H‖) are present and ‖∇R‖ contracted by less than 0.5 per iteration over the last 20
 *    (far from Newton's quadratic rate); else
 *    `stagnated` (no step accepted) or `max-iterations`. The evidence (rates, soft eigenvalues) is returned.
 *
 * Non-finite or overflowing R, ∇R or H anywhere raises an InputError naming the quantity.
 */
export function solveCritical(arch: Arch, oracle: SolverOracle, theta0: Float64Array, opts: SolveOptions = {}, factory?: OracleFactory, depth = 0): SolveResult {
  const tol = opts.tol ?? 1e-12;
  const budget = opts.maxIter ?? 1000;
  const attempt = opts.attemptIter ?? 60;
  const P = oracle.P;
  if (theta0.length !== P) throw new InputError(`parameter vector has ${theta0.length} entries, the loss expects ${P}`);
  const ws = new Workspace(P);
  const start = evaluate(oracle, theta0, ws.g, "the starting point");
  const thetaNormStart = norm(theta0);
  const hist: number[] = [start.gn];
  let iters = 0;
  const onIt = (loss: number, gn: number): void => { hist.push(gn); opts.onIteration?.(iters, loss, gn); };

  // the starting point itself
  let best: Candidate = { theta: Float64Array.from(theta0), loss: start.loss, gn: start.gn, strategy: "start" };
  const certified = (c: Candidate): boolean => {
    const h = hessianNormAt(oracle, c.theta, ws);
    return isCertifiablyCritical(c.gn, h, norm(c.theta), tol);
  };
  let done = start.gn <= tol && certified(best);
  let stagnated = false;

  const tryNewton = (from: Float64Array, strategy: SolveStrategy, first = false): Candidate => {
    const r = pcNewton(oracle, from, Math.min(first ? Math.min(2.5 * attempt, Math.max(attempt, 0.4 * budget)) : attempt, budget - iters), tol, ws, (l, g) => { iters++; onIt(l, g); });
    if (!r.accepted) stagnated = true;
    return { theta: r.theta, loss: r.loss, gn: r.gn, strategy };
  };
  const consider = (c: Candidate): void => {
    if (c.gn < best.gn || (best.strategy === "start" && c.gn <= best.gn)) best = c;
    if (c.gn <= tol && certified(c)) { best = c; done = true; }
  };

  let reduction: Reduction | undefined;
  const embed = (from: Float64Array, tolerances: number[]): void => {
    if (done || !(opts.embedding ?? true) || !factory || depth >= 3 || iters >= budget) return;
    const r = embeddingStage(arch, oracle, from, opts, factory, depth, tolerances, (n) => { iters += n; });
    if (r) { consider(r.cand); if (done) reduction = r.reduction; }
  };
  // a point near an embedded critical set: reduce first — the re-embedded point is the nearest critical point,
  // where Newton would slide along the (numerically not quite flat) embedded manifold
  embed(theta0, REDUCTION_TOLERANCES.filter((t) => t <= 1e-3));
  const lm = (maxIt: number): void => {
    if (done || iters >= budget) return;
    // the previous solver, Levenberg–Marquardt on ½‖∇R‖² from θ₀: from far away (e.g. an initialisation) its
    // damping is the more robust globalisation, and it reaches other critical points than stage 1
    const r = lmSolve(oracle, theta0, Math.min(maxIt, budget - iters), tol, ws, (l, g) => { iters++; onIt(l, g); });
    consider({ theta: r.theta, loss: r.loss, gn: r.gn, strategy: "levenberg-marquardt" });
  };
  if (opts.levenbergMarquardtFirst) lm(150);
  if (!done && iters < budget) consider(tryNewton(theta0, "newton", true));
  if (!opts.levenbergMarquardtFirst) lm(Math.min(150, Math.max(1, Math.floor((budget - iters) / 2))));
  embed(best.theta, REDUCTION_TOLERANCES);
  if (!done && iters < budget) {
    const lmin = minEigenvalue(oracle, best.theta, ws);
    if (lmin.min >= -1e-6 * lmin.norm) {
      const t = trustRegionMin(oracle, theta0, Math.min(2 * attempt, budget - iters), tol, ws, (l, g) => { iters++; onIt(l, g); });
      if (t.gn > tol && iters < budget) consider(tryNewton(t.theta, "trust-region"));
      else consider({ theta: t.theta, loss: t.loss, gn: t.gn, strategy: "trust-region" });
    }
  }
  let descentSteps = 0;
  const restarts = opts.restarts ?? 8, steps = opts.restartSteps ?? 500;
  let flow = Float64Array.from(theta0);
  const adam = new AdamState(P, opts.restartLr ?? 1e-2);
  for (let k = 0; k < restarts && !done && iters < budget; k++) {
    descentSteps += adam.run(oracle, flow, steps, ws.g);
    consider(tryNewton(flow, "descent-restart"));
  }

  // final state at the returned point: one eigendecomposition, shared with the certificate
  const theta = best.theta;
  const fin = evaluate(oracle, theta, ws.g, "the returned point");
  oracle.hessian(theta, ws.H);
  requireFiniteHessian(ws.H, P);
  const values = eigenSystem(ws.H, P).values;
  let hn = 0;
  for (let i = 0; i < P; i++) hn = Math.max(hn, Math.abs(values[i]));
  const tn = norm(theta);
  const converged = isCertifiablyCritical(fin.gn, hn, tn, tol);
  const tau = defaultZeroTolerance(hn, P);
  const soft: number[] = [];
  for (let i = 0; i < P; i++) { const a = Math.abs(values[i]); if (a > tau && a <= 1e-6 * hn) soft.push(values[i]); }
  const evidence: SolveEvidence = {
    ...rates(hist), softEigenvalues: soft,
    lossStart: start.loss, lossEnd: fin.loss, thetaNormStart, thetaNormEnd: tn, hessianNorm: hn,
  };
  let reason: SolveReason;
  if (converged) reason = "tolerance";
  else if (fin.loss < start.loss && tn > thetaNormStart * 1.001 && hn * Math.max(1, tn) ** 2 <= 1e-6) reason = "no-finite-critical-point";
  else if (!(fin.gn <= tol) && soft.length > 0 && evidence.linearRate > 0.5 && hist.length > 5) reason = "degenerate-sublinear";
  else if (fin.gn <= tol && hn * Math.max(1, tn) ** 2 <= 1e-6) reason = "no-finite-critical-point";
  else reason = stagnated && iters < budget ? "stagnated" : "max-iterations";
  return {
    theta, loss: fin.loss, gradNorm: fin.gn, iterations: iters, converged, reason,
    strategy: converged ? best.strategy : "none", distance: dist(theta, theta0), eigenvalues: values,
    relativeGradient: fin.gn / (hn * Math.max(1, tn)), evidence, reduction: converged ? reduction : undefined, descentSteps,
  };
}

interface Candidate { theta: Float64Array; loss: number; gn: number; strategy: SolveStrategy }

/** Reusable buffers for one solve (sized once per P). */
class Workspace {
  readonly g: Float64Array; readonly gt: Float64Array; readonly trial: Float64Array; readonly d: Float64Array;
  readonly c: Float64Array; readonly H: Float64Array<ArrayBuffer>;
  constructor(P: number) {
    this.g = new Float64Array(P); this.gt = new Float64Array(P); this.trial = new Float64Array(P);
    this.d = new Float64Array(P); this.c = new Float64Array(P); this.H = new Float64Array(P * P);
  }
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** R and ‖∇R‖ at θ, with a one-line InputError naming whatever is not a finite float64. */
function evaluate(oracle: SolverOracle, theta: Float64Array, g: Float64Array, where: string): { loss: number; gn: number } {
  const loss = oracle.lossAndGradient(theta, g);
  if (!Number.isFinite(loss)) throw new InputError(`the loss at ${where} is ${loss} (float64 overflow or invalid arithmetic): no critical point can be certified there`);
  let s = 0;
  for (let i = 0; i < g.length; i++) {
    if (!Number.isFinite(g[i])) throw new InputError(`the gradient at ${where} overflows float64 (entry ${i} is ${g[i]}): no critical point can be certified there`);
    s += g[i] * g[i];
  }
  const gn = Math.sqrt(s);
  if (!Number.isFinite(gn)) throw new InputError(`‖∇R‖ at ${where} overflows float64: no critical point can be certified there`);
  return { loss, gn };
}

/** Throw a one-line InputError unless every Hessian entry is finite and ‖H‖_F does not overflow. */
export function requireFiniteHessian(H: Float64Array, P: number): void {
  let s = 0, mx = 0;
  for (let i = 0; i < P * P; i++) {
    const v = H[i];
    if (!Number.isFinite(v)) throw new InputError(`the Hessian overflows float64 (entry (${Math.floor(i / P)}, ${i % P}) is ${v}): its inertia cannot be computed`);
    mx = Math.max(mx, Math.abs(v));
  }
  // scaled Frobenius norm: an eigensolver squares entries, so entries near 1e154 overflow inside it
  // (s ≤ P², so the second pass is needed only when mx·P² could exceed the limit)
  if (mx > 0 && mx * P * P > 1e150) { for (let i = 0; i < P * P; i++) s += (H[i] / mx) ** 2; }
  if (mx * Math.sqrt(s) * P > 1e150) throw new InputError(`the Hessian's entries reach ${mx.toExponential(2)}, beyond what a float64 eigensolver handles (overflow): its inertia cannot be computed`);
}

function hessianNormAt(oracle: SolverOracle, theta: Float64Array, ws: Workspace): number {
  return minEigenvalue(oracle, theta, ws).norm;
}

function minEigenvalue(oracle: SolverOracle, theta: Float64Array, ws: Workspace): { min: number; norm: number } {
  oracle.hessian(theta, ws.H);
  requireFiniteHessian(ws.H, oracle.P);
  const v = eigenSystem(ws.H, oracle.P).values;
  let n = 0;
  for (let i = 0; i < v.length; i++) n = Math.max(n, Math.abs(v[i]));
  return { min: v[0], norm: n };
}

/** Stage 1: predictor–corrector Newton (see `solveCritical`). */
function pcNewton(
  oracle: SolverOracle, theta0: Float64Array, maxIter: number, tol: number, ws: Workspace,
  onIt: (loss: number, gn: number) => void,
): { theta: Float64Array; loss: number; gn: number; accepted: boolean } {
  const P = oracle.P;
  const theta = Float64Array.from(theta0);
  const { g, gt, trial, d, c, H } = ws;
  let { loss, gn } = evaluate(oracle, theta, g, "a Newton iterate");
  let t = 1, accepted = true;
  for (let it = 0; it < maxIter && gn > tol; it++) {
    const { values, vectors, tau, lmax } = spectrumAt(oracle, theta, H, P);
    const stiff = 1e-4 * lmax;
    d.fill(0);
    for (let i = 0; i < P; i++) {
      let s = 0;
      const o = i * P;
      for (let j = 0; j < P; j++) s += vectors[o + j] * g[j];
      c[i] = s;
      if (Math.abs(values[i]) <= tau) continue;
      const co = -s / values[i];
      for (let j = 0; j < P; j++) d[j] += co * vectors[o + j];
    }
    let ok = false;
    t = Math.min(1, t * 4);
    for (let k = 0; k < 50 && !ok; k++, t /= 2) {
      for (let j = 0; j < P; j++) trial[j] = theta[j] + t * d[j];
      let lt = oracle.lossAndGradient(trial, gt);
      let gnt = norm(gt);
      for (let q = 0; q < 5 && Number.isFinite(gnt) && gnt >= gn * (1 - 1e-4 * t); q++) {
        for (let i = 0; i < P; i++) {
          if (Math.abs(values[i]) < stiff) continue;
          const o = i * P;
          let s = 0;
          for (let j = 0; j < P; j++) s += vectors[o + j] * (gt[j] - (1 - t) * g[j]);
          const co = -s / values[i];
          for (let j = 0; j < P; j++) trial[j] += co * vectors[o + j];
        }
        lt = oracle.lossAndGradient(trial, gt);
        gnt = norm(gt);
      }
      if (Number.isFinite(lt) && Number.isFinite(gnt) && gnt < gn * (1 - 1e-4 * t)) {
        theta.set(trial); g.set(gt); gn = gnt; loss = lt; ok = true;
        break;
      }
    }
    if (ok) t = Math.min(1, t); // the loop's t /= 2 did not run on success
    onIt(loss, gn);
    if (!ok) { accepted = false; break; }
  }
  return { theta, loss, gn, accepted };
}

/**
 * Stage 1b: Levenberg–Marquardt on Φ = ½‖∇R‖² (the previous `refineCritical`): p = −Σ λᵢ(qᵢᵀg)/(λᵢ² + μ) qᵢ
 * over |λᵢ| > τ, μ ÷10 on success, ×10 on failure.
 */
function lmSolve(
  oracle: SolverOracle, theta0: Float64Array, maxIter: number, tol: number, ws: Workspace,
  onIt: (loss: number, gn: number) => void,
): { theta: Float64Array; loss: number; gn: number } {
  const P = oracle.P;
  const theta = Float64Array.from(theta0);
  const { g, gt, trial, c, H } = ws;
  let { loss, gn } = evaluate(oracle, theta, g, "a Levenberg–Marquardt iterate");
  let mu = 0;
  for (let it = 0; it < maxIter && gn > tol; it++) {
    const { values, vectors, tau, lmax } = spectrumAt(oracle, theta, H, P);
    for (let i = 0; i < P; i++) {
      let s = 0;
      for (let j = 0; j < P; j++) s += vectors[i * P + j] * g[j];
      c[i] = s;
    }
    let ok = false;
    for (let tries = 0; tries < 40 && !ok; tries++) {
      trial.set(theta);
      for (let i = 0; i < P; i++) {
        const l = values[i];
        if (Math.abs(l) <= tau) continue;
        const coef = (-l * c[i]) / (l * l + mu);
        for (let j = 0; j < P; j++) trial[j] += coef * vectors[i * P + j];
      }
      const lt = oracle.lossAndGradient(trial, gt);
      const gnt = norm(gt);
      if (Number.isFinite(lt) && Number.isFinite(gnt) && gnt < gn) {
        theta.set(trial); g.set(gt); loss = lt; gn = gnt; ok = true;
        mu = mu / 10 < 1e-16 * lmax * lmax ? 0 : mu / 10;
      } else mu = mu === 0 ? 1e-10 * lmax * lmax + Number.MIN_VALUE : mu * 10;
    }
    onIt(loss, gn);
    if (!ok) break;
  }
  return { theta, loss, gn };
}

/** Stage 3: trust-region Newton minimisation of R in H's eigenbasis (Moré–Sorensen by bisection on the shift). */
function trustRegionMin(
  oracle: SolverOracle, theta0: Float64Array, maxIter: number, tol: number, ws: Workspace,
  onIt: (loss: number, gn: number) => void,
): { theta: Float64Array; loss: number; gn: number } {
  const P = oracle.P;
  const theta = Float64Array.from(theta0);
  const { g, gt, trial, d, c, H } = ws;
  let { loss, gn } = evaluate(oracle, theta, g, "a trust-region iterate");
  let delta = 0.1 * Math.max(1, norm(theta));
  for (let it = 0; it < maxIter && gn > tol; it++) {
    oracle.hessian(theta, H);
    requireFiniteHessian(H, P);
    const { values, vectors } = eigenSystem(H, P);
    let lmax = 0;
    for (let i = 0; i < P; i++) lmax = Math.max(lmax, Math.abs(values[i]));
    for (let i = 0; i < P; i++) {
      let s = 0;
      for (let j = 0; j < P; j++) s += vectors[i * P + j] * g[j];
      c[i] = s;
    }
    const stepNorm = (nu: number): number => {
      let s = 0;
      for (let i = 0; i < P; i++) s += (c[i] / (values[i] + nu)) ** 2;
      return Math.sqrt(s);
    };
    let ok = false;
    for (let k = 0; k < 60 && !ok; k++) {
      const tiny = 1e-14 * lmax + Number.MIN_VALUE;
      let nu: number;
      if (values[0] > tiny && stepNorm(0) <= delta) nu = 0;
      else {
        let lo = Math.max(0, -values[0]) + tiny, hi = lo + Math.max(lmax, 1e-300);
        while (stepNorm(hi) > delta && hi < 1e300) hi *= 4;
        if (stepNorm(lo) <= delta) nu = lo;
        else {
          for (let q = 0; q < 100; q++) { const m = 0.5 * (lo + hi); if (stepNorm(m) > delta) lo = m; else hi = m; }
          nu = hi;
        }
      }
      d.fill(0);
      let pred = 0;
      for (let i = 0; i < P; i++) {
        const co = -c[i] / (values[i] + nu);
        pred += c[i] * co + 0.5 * values[i] * co * co;
        for (let j = 0; j < P; j++) d[j] += co * vectors[i * P + j];
      }
      for (let j = 0; j < P; j++) trial[j] = theta[j] + d[j];
      const lt = oracle.lossAndGradient(trial, gt);
      const gnt = norm(gt);
      const dn = norm(d);
      const rounding = Math.abs(pred) < 1e-13 * Math.max(Math.abs(loss), 1e-300);
      const rho = (lt - loss) / pred;
      if (Number.isFinite(lt) && Number.isFinite(gnt) && (rounding ? gnt < gn : rho > 0.1)) {
        theta.set(trial); g.set(gt); gn = gnt; loss = lt; ok = true;
        if (!rounding && rho > 0.75 && dn > 0.99 * delta) delta *= 2;
      } else delta = 0.25 * dn;
      if (!(delta > 1e-300)) break;
    }
    onIt(loss, gn);
    if (!ok) break;
  }
  return { theta, loss, gn };
}

/** Adam state for the descent restarts (PyTorch's update order; allocation-free per step). */
class AdamState {
  private readonly m: Float64Array; private readonly v: Float64Array;
  private t = 0;
  constructor(P: number, private readonly lr: number) { this.m = new Float64Array(P); this.v = new Float64Array(P); }
  run(oracle: SolverOracle, theta: Float64Array, steps: number, g: Float64Array): number {
    const b1 = 0.9, b2 = 0.999, eps = 1e-8, P = theta.length;
    for (let k = 0; k < steps; k++) {
      const loss = oracle.lossAndGradient(theta, g);
      if (!Number.isFinite(loss)) throw new InputError(`the loss became ${loss} during a descent restart (float64 overflow)`);
      this.t++;
      const bc1 = 1 - powi(b1, this.t), bc2 = Math.sqrt(1 - powi(b2, this.t)), step = this.lr / bc1;
      for (let i = 0; i < P; i++) {
        this.m[i] = this.m[i] * b1 + (1 - b1) * g[i];
        this.v[i] = this.v[i] * b2 + (1 - b2) * g[i] * g[i];
        theta[i] -= (step * this.m[i]) / (Math.sqrt(this.v[i]) / bc2 + eps);
      }
    }
    return steps;
  }
}

/** Convergence-rate evidence from the ‖∇R‖ history (last ≤ 20 iterations). */
function rates(hist: number[]): { linearRate: number; sublinearExponent: number } {
  const n = hist.length;
  if (n < 3) return { linearRate: NaN, sublinearExponent: NaN };
  const w = Math.min(20, n - 1);
  const a = hist[n - 1 - w], b = hist[n - 1];
  const linearRate = a > 0 && b > 0 ? Math.exp(Math.log(b / a) / w) : 0;
  // least squares of log g against log k over the window
  let sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
  for (let k = n - 1 - w; k < n; k++) {
    if (!(hist[k] > 0)) continue;
    const x = Math.log(k + 1), y = Math.log(hist[k]);
    sx += x; sy += y; sxx += x * x; sxy += x * y; m++;
  }
  const den = m * sxx - sx * sx;
  return { linearRate, sublinearExponent: den > 0 ? -(m * sxy - sx * sy) / den : NaN };
}

// ---------------------------------------------------------------------------------------------
// Stage 2: embedding-aware reduction

/** Relative tolerances tried for grouping neurons, tight to loose. */
const REDUCTION_TOLERANCES = [1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 3e-2];

function embeddingStage(
  arch: Arch, oracle: SolverOracle, theta: Float64Array, opts: SolveOptions, factory: OracleFactory, depth: number, tolerances: number[],
  spend: (n: number) => void,
): { cand: Candidate; reduction: Reduction } | null {
  const act = activationByName(arch.activation);
  let last = "";
  for (const rt of tolerances) {
    const red = findReduction(arch, theta, rt, act.odd);
    if (!red) continue;
    const key = JSON.stringify(red.reduction.pi) + JSON.stringify(red.reduction.sign);
    if (key === last) continue;
    last = key;
    const narrowArch = makeArch(red.reduction.narrow, arch.activation, arch.loss);
    const nOracle = factory(narrowArch);
    // the reduction must nearly preserve the function (else it is not "the narrow net this point embeds")
    const gn0 = new Float64Array(nOracle.P), gw0 = new Float64Array(oracle.P);
    const rn = nOracle.lossAndGradient(red.narrowTheta, gn0), rw = oracle.lossAndGradient(theta, gw0);
    if (!(Math.abs(rn - rw) <= 0.1 * Math.abs(rw) + 1e-12)) continue;
    const sub = solveCritical(narrowArch, nOracle, red.narrowTheta, { ...opts, restarts: 0, maxIter: opts.attemptIter ?? 60 }, factory, depth + 1);
    spend(sub.iterations);
    if (!sub.converged) continue;
    const wide = reembed(arch.widths, red.reduction, sub.theta, theta);
    const g = new Float64Array(oracle.P);
    const e = evaluate(oracle, wide, g, "the re-embedded point");
    // a re-embedded point far from θ is some other critical point, not the one this point is near
    if (dist(wide, theta) > 0.5 * Math.max(1, norm(theta))) continue;
    return { cand: { theta: wide, loss: e.loss, gn: e.gn, strategy: "embedding" }, reduction: red.reduction };
  }
  return null;
}

/**
 * Group the neurons of every hidden layer of θ at relative tolerance rt: rows r_j = (W_{j,:}, b_j) with
 * ‖r_j − s r_k‖∞ ≤ rt·max(1, ‖r_k‖∞) (s = −1 only for odd σ) form one narrow neuron; a neuron whose
 * outgoing column is ≤ rt·(largest column) is near-null. Returns null when nothing reduces.
 */
export function findReduction(arch: Arch, theta: Float64Array, rt: number, odd: boolean): { reduction: Reduction; narrowTheta: Float64Array } | null {
  const widths = arch.widths, L = widths.length - 1;
  const lay = layout(widths).layers;
  const pi: number[][] = [], sign: number[][] = [], leaders: number[][] = [];
  let reduced = false;
  for (let l = 1; l < L; l++) {
    const m = widths[l], d = widths[l - 1], k = widths[l + 1];
    const Ly = lay[l - 1], Ln = lay[l];
    const row = (j: number, c: number): number => (c < d ? theta[Ly.w + j * d + c] : theta[Ly.b + j]);
    const colNorm = (j: number): number => { let s = 0; for (let i = 0; i < k; i++) s += theta[Ln.w + i * m + j] ** 2; return Math.sqrt(s); };
    let maxCol = 0;
    for (let j = 0; j < m; j++) maxCol = Math.max(maxCol, colNorm(j));
    const p = new Array<number>(m).fill(-1), s = new Array<number>(m).fill(1), lead: number[] = [];
    const isNull = (j: number): boolean => colNorm(j) <= rt * maxCol;
    for (let j = 0; j < m; j++) {
      if (p[j] >= 0 || isNull(j)) continue;
      lead.push(j);
      p[j] = lead.length;
      let rn = 0;
      for (let c = 0; c <= d; c++) rn = Math.max(rn, Math.abs(row(j, c)));
      const scale = rt * Math.max(1, rn);
      for (let q = j + 1; q < m; q++) {
        if (p[q] >= 0 || isNull(q)) continue;
        let eq = true, opp = odd;
        for (let c = 0; c <= d && (eq || opp); c++) {
          if (Math.abs(row(q, c) - row(j, c)) > scale) eq = false;
          if (Math.abs(row(q, c) + row(j, c)) > scale) opp = false;
        }
        if (eq || opp) { p[q] = lead.length; s[q] = eq ? 1 : -1; }
      }
    }
    if (lead.length === 0) { const j = largestColumn(m, colNorm); lead.push(j); p[j] = 1; }
    // near-null neurons: a β = 0 copy of the nearest narrow neuron (up to sign)
    for (let j = 0; j < m; j++) {
      if (p[j] >= 0) continue;
      let best = 1, bestS = 1, bestD = Infinity;
      lead.forEach((q, idx) => {
        for (const sg of odd ? [1, -1] : [1]) {
          let dd = 0;
          for (let c = 0; c <= d; c++) dd += (row(j, c) - sg * row(q, c)) ** 2;
          if (dd < bestD) { bestD = dd; best = idx + 1; bestS = sg; }
        }
      });
      p[j] = best; s[j] = bestS;
    }
    if (lead.length < m) reduced = true;
    pi.push(p); sign.push(s); leaders.push(lead);
  }
  if (!reduced) return null;
  const narrow = [widths[0], ...leaders.map((x) => x.length), widths[L]];
  // narrow θ from each group's leader j (sign-corrected): W_{t,u} = s_j Σ_{c: π(c)=u} s_c W'_{j,c}, b_t = s_j b'_j
  const nl = layout(narrow).layers;
  const nt = new Float64Array(layout(narrow).size);
  const rowsOf = (l: number): number[] => (l < L ? leaders[l - 1] : Array.from({ length: widths[L] }, (_, i) => i));
  for (let l = 1; l <= L; l++) {
    const Ly = lay[l - 1], Ny = nl[l - 1], d = widths[l - 1], dn = narrow[l - 1];
    rowsOf(l).forEach((j, t) => {
      const sj = l < L ? sign[l - 1][j] : 1;
      for (let c = 0; c < d; c++) {
        const u = l > 1 ? pi[l - 2][c] : c + 1, sc = l > 1 ? sign[l - 2][c] : 1;
        nt[Ny.w + t * dn + (u - 1)] += sj * sc * theta[Ly.w + j * d + c];
      }
      nt[Ny.b + t] = sj * theta[Ly.b + j];
    });
  }
  // β_j = ⟨wide outgoing column of j over the next layer's leaders (sign-corrected), narrow column⟩ / ‖narrow column‖²
  const beta: number[][] = [];
  for (let l = 1; l < L; l++) {
    const m = widths[l], mn = narrow[l], Ln = lay[l], Nn = nl[l];
    const next = rowsOf(l + 1);
    const b = new Array<number>(m).fill(0);
    const sums = new Array<number>(mn + 1).fill(0);
    for (let j = 0; j < m; j++) {
      const t = pi[l - 1][j];
      let num = 0, den = 0;
      next.forEach((i, r) => {
        const si = l + 1 < L ? sign[l][i] : 1;
        const nc = nt[Nn.w + r * mn + (t - 1)];
        num += si * sign[l - 1][j] * theta[Ln.w + i * m + j] * nc;
        den += nc * nc;
      });
      b[j] = den > 0 ? num / den : (leaders[l - 1][t - 1] === j ? 1 : 0);
      sums[t] += b[j];
    }
    for (let t = 1; t <= mn; t++) b[leaders[l - 1][t - 1]] += 1 - sums[t];
    beta.push(b);
  }
  return { reduction: { narrow, pi, sign, beta, tolerance: rt }, narrowTheta: nt };
}

function largestColumn(m: number, colNorm: (j: number) => number): number {
  let b = 0;
  for (let j = 1; j < m; j++) if (colNorm(j) > colNorm(b)) b = j;
  return b;
}

/**
 * T_{π,β} with signs (SPEC §3.2, odd σ): wide neuron j of hidden layer l computes s_j·σ(h_{π(j)}), so
 * W'^[l]_{j,c} = s_j s_c β_c W^[l]_{π(j),π(c)} (β_c = 1, s_c = 1 for inputs), b'_j = s_j b_{π(j)},
 * output layer W'^[L]_{i,c} = s_c β_c W^[L]_{i,π(c)}, b'^[L] = b^[L].
 */
export function reembed(widths: readonly number[], red: Reduction, narrowTheta: Float64Array, _like?: Float64Array): Float64Array {
  const L = widths.length - 1;
  const lay = layout(widths).layers, nl = layout(red.narrow).layers;
  const out = new Float64Array(layout(widths).size);
  for (let l = 1; l <= L; l++) {
    const m = widths[l], d = widths[l - 1], dn = red.narrow[l - 1];
    const Ly = lay[l - 1], Ny = nl[l - 1];
    for (let j = 0; j < m; j++) {
      const t = l < L ? red.pi[l - 1][j] : j + 1;
      const sj = l < L ? red.sign[l - 1][j] : 1;
      for (let c = 0; c < d; c++) {
        const u = l > 1 ? red.pi[l - 2][c] : c + 1;
        const sc = l > 1 ? red.sign[l - 2][c] : 1;
        const bc = l > 1 ? red.beta[l - 2][c] : 1;
        out[Ly.w + j * d + c] = sj * sc * bc * narrowTheta[Ny.w + (t - 1) * dn + (u - 1)];
      }
      out[Ly.b + j] = sj * narrowTheta[Ny.b + t - 1];
    }
  }
  return out;
}

/** H(θ) into H (refusing non-finite entries), its eigensystem, ‖H‖₂ = max|λ| and the zero tolerance τ (SPEC §1.4). */
function spectrumAt(oracle: SolverOracle, theta: Float64Array, H: Float64Array<ArrayBuffer>, P: number): { values: Float64Array; vectors: Float64Array; lmax: number; tau: number } {
  oracle.hessian(theta, H);
  requireFiniteHessian(H, P);
  const { values, vectors } = eigenSystem(H, P);
  let lmax = 0;
  for (let i = 0; i < P; i++) lmax = Math.max(lmax, Math.abs(values[i]));
  return { values, vectors, lmax, tau: defaultZeroTolerance(lmax, P) };
}
