/**
 * The one derivative checker every oracle goes through (curvlinops style: build the operator,
 * build the dense truth, compare). For an `Oracle` (nn/oracle.ts) at θ it measures
 *
 * 1. gradient vs central differences of the loss:   ∇R_j ≈ (R(θ + h e_j) − R(θ − h e_j)) / 2h,
 * 2. HVP vs central differences of the gradient:     H v ≈ (∇R(θ + h v) − ∇R(θ − h v)) / 2h,
 * 3. the dense Hessian vs HVP columns:               H e_j = hvp(e_j) for every j,
 *    and vs an optional independent reference (e.g. the per-column R-op),
 * 4. symmetry of the dense Hessian:                  max |H − Hᵀ| (bit-exact when `exactSymmetry`),
 * 5. repeat-call determinism:                         the same θ twice gives bit-identical R, ∇R, Hv, H,
 *    and the per-sample quantities agree with the loss (R = (1/n)Σ ℓ_i is not re-derived here, but
 *    outputs and per-sample loss gradients must be finite and repeat exactly).
 *
 * Differences are relative to the scale of the compared quantity (max |·| of the truth, at least 1e-300),
 * with tolerances chosen for float64: FD errors O(h²) + O(ε/h); exact comparisons O(ε·P).
 * Returns every measured error so a test asserts on real numbers; `assertOracle` throws with the
 * worst entry named.
 */
import assert from "node:assert/strict";
import type { Oracle } from "../nn/oracle.js";
import { Rng } from "../util/rng.js";

export interface OracleCheckOptions {
  /** FD step for the gradient (default 1e-6) and for the HVP (default 1e-5). */
  gradStep?: number;
  hvpStep?: number;
  /** Seed of the random HVP direction (default 1). */
  seed?: number;
  /** An independent dense Hessian to compare with (e.g. `Evaluator.hessianPerColumn`). */
  reference?: Float64Array;
  /** Skip the dense checks (3, 4) for large P. */
  dense?: boolean;
}

export interface OracleCheckResult {
  P: number;
  /** max |∇R − FD| / max(|FD|) */
  gradient: number;
  /** max |Hv − FD(∇R)| / max(|FD|) */
  hvp: number;
  /** max |H e_j − hvp(e_j)| / max|H| over all j (null without the dense checks) */
  columns: number | null;
  /** max |H − reference| / max|reference| (null without a reference) */
  reference: number | null;
  /** max |H − Hᵀ| / max|H| */
  symmetry: number | null;
  /** true when repeated calls at the same θ gave bit-identical results */
  deterministic: boolean;
}

const rel = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return d / Math.max(s, 1e-300);
};
const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
};

/** Measure checks 1–5 for `oracle` at θ (see the module comment). */
export function checkOracle(oracle: Oracle, theta: Float64Array, opts: OracleCheckOptions = {}): OracleCheckResult {
  const P = oracle.P;
  const hg = opts.gradStep ?? 1e-6, hh = opts.hvpStep ?? 1e-5;
  const g = new Float64Array(P);
  const R = oracle.lossAndGradient(theta, g);
  // 1. gradient vs central differences of R
  const fd = new Float64Array(P), y = Float64Array.from(theta);
  for (let j = 0; j < P; j++) {
    y[j] = theta[j] + hg; const fp = oracle.loss(y);
    y[j] = theta[j] - hg; const fm = oracle.loss(y);
    y[j] = theta[j];
    fd[j] = (fp - fm) / (2 * hg);
  }
  const gradient = rel(g, fd);
  // 2. HVP vs central differences of ∇R along a random direction
  const v = new Rng(opts.seed ?? 1).fillNormal(new Float64Array(P));
  const hv = new Float64Array(P);
  oracle.hvp(theta, v, hv);
  const tp = Float64Array.from(theta, (t, i) => t + hh * v[i]), tm = Float64Array.from(theta, (t, i) => t - hh * v[i]);
  const gp = new Float64Array(P), gm = new Float64Array(P);
  oracle.lossAndGradient(tp, gp);
  oracle.lossAndGradient(tm, gm);
  const hvp = rel(hv, gp.map((x, i) => (x - gm[i]) / (2 * hh)));
  // 3, 4. dense Hessian vs HVP columns, reference, symmetry
  let columns: number | null = null, reference: number | null = null, symmetry: number | null = null;
  let H: Float64Array | null = null;
  if (opts.dense ?? true) {
    H = oracle.hessian(theta, new Float64Array(P * P));
    let scale = 0;
    for (let i = 0; i < P * P; i++) scale = Math.max(scale, Math.abs(H[i]));
    scale = Math.max(scale, 1e-300);
    const e = new Float64Array(P), col = new Float64Array(P);
    let dc = 0, ds = 0;
    for (let j = 0; j < P; j++) {
      e[j] = 1;
      oracle.hvp(theta, e, col);
      e[j] = 0;
      for (let i = 0; i < P; i++) {
        dc = Math.max(dc, Math.abs(H[i * P + j] - col[i]));
        ds = Math.max(ds, Math.abs(H[i * P + j] - H[j * P + i]));
      }
    }
    columns = dc / scale;
    symmetry = ds / scale;
    if (opts.reference) reference = rel(H, opts.reference);
  }
  // 5. repeat-call determinism (after other θ were evaluated in between)
  const g2 = new Float64Array(P), hv2 = new Float64Array(P);
  oracle.loss(tp);
  const R2 = oracle.lossAndGradient(theta, g2);
  oracle.lossAndGradient(tm, gm);
  oracle.hvp(theta, v, hv2);
  const f1 = Float64Array.from(oracle.outputs(theta)), f2 = Float64Array.from(oracle.outputs(theta));
  const e1 = Float64Array.from(oracle.sampleLossGradients(theta)), e2 = Float64Array.from(oracle.sampleLossGradients(theta));
  let deterministic = Object.is(R, R2) && same(g, g2) && same(hv, hv2) && same(f1, f2) && same(e1, e2)
    && f1.length === oracle.n * oracle.outputDim && e1.length === f1.length && f1.every(Number.isFinite);
  if (H) deterministic &&= same(H, oracle.hessian(theta, new Float64Array(P * P)));
  return { P, gradient, hvp, columns, reference, symmetry, deterministic };
}

export interface OracleTolerances {
  gradient?: number;
  hvp?: number;
  columns?: number;
  reference?: number;
  symmetry?: number;
}

/** Run `checkOracle` and assert every measure within tolerance (defaults for float64 on small nets). */
export function assertOracle(oracle: Oracle, theta: Float64Array, what: string, opts: OracleCheckOptions & { tol?: OracleTolerances } = {}): OracleCheckResult {
  const r = checkOracle(oracle, theta, opts);
  const t = { gradient: 1e-6, hvp: 1e-6, columns: 1e-12, reference: 1e-12, symmetry: 1e-13, ...opts.tol };
  assert.ok(r.gradient <= t.gradient, `${what}: gradient vs central differences ${r.gradient.toExponential(2)} > ${t.gradient}`);
  assert.ok(r.hvp <= t.hvp, `${what}: HVP vs differences of gradients ${r.hvp.toExponential(2)} > ${t.hvp}`);
  if (r.columns !== null) assert.ok(r.columns <= t.columns, `${what}: dense Hessian vs HVP columns ${r.columns.toExponential(2)} > ${t.columns}`);
  if (r.reference !== null) assert.ok(r.reference <= t.reference, `${what}: dense Hessian vs reference ${r.reference.toExponential(2)} > ${t.reference}`);
  if (r.symmetry !== null) assert.ok(r.symmetry <= t.symmetry, `${what}: Hessian asymmetry ${r.symmetry.toExponential(2)} > ${t.symmetry}`);
  assert.ok(r.deterministic, `${what}: repeated calls at the same θ differ`);
  return r;
}
