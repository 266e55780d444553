import { getBackend } from "./backend.js";
import type { LdlFactor } from "./types.js";
import { Rng } from "../util/rng.js";

const EPSILON = 2 ** -52;

/**
 * y ← A·x for the symmetric n×n row-major `a` read from its strict lower triangle and `diagonal` only
 * (the state `LinalgBackend.ldlFactor` leaves `a` in: the upper triangle holds the factor). One pass over
 * n²/2 entries. Every yᵢ is a sum of n products, so |fl(y) − Ax| ≤ γₙ|A||x| componentwise; with `absOut`,
 * |A||x| is accumulated too (its own rounding is relative, ≤ γₙ, and covered by the 1.001 of
 * `eigenvalueEnclosure`).
 */
export function symmetricLowerProduct(a: Float64Array, diagonal: Float64Array, n: number, x: Float64Array, y: Float64Array, absOut?: Float64Array): void {
  for (let i = 0; i < n; i++) y[i] = diagonal[i] * x[i];
  if (absOut) {
    for (let i = 0; i < n; i++) absOut[i] = Math.abs(diagonal[i] * x[i]);
    for (let i = 1; i < n; i++) {
      const r = i * n, xi = x[i], axi = Math.abs(xi);
      let s = 0, t = 0;
      for (let j = 0; j < i; j++) { const v = a[r + j], av = Math.abs(v); s += v * x[j]; t += av * Math.abs(x[j]); y[j] += v * xi; absOut[j] += av * axi; }
      y[i] += s; absOut[i] += t;
    }
    return;
  }
  for (let i = 1; i < n; i++) {
    const r = i * n, xi = x[i];
    let s = 0;
    for (let j = 0; j < i; j++) { const v = a[r + j]; s += v * x[j]; y[j] += v * xi; }
    y[i] += s;
  }
}

/** Frobenius norm of the symmetric matrix from its strict lower triangle and diagonal, rounded up (rigorous bound). */
export function symmetricLowerFrobeniusUpper(a: Float64Array, diagonal: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += diagonal[i] * diagonal[i];
  let t = 0;
  for (let i = 1; i < n; i++) { const r = i * n; for (let j = 0; j < i; j++) t += a[r + j] * a[r + j]; }
  // a sum of N non-negative terms carries relative error ≤ (N−1)ε; 1.001 covers that and the square root for n·n·ε ≤ 1e-4
  return Math.sqrt(s + 2 * t) * 1.001;
}

/**
 * A rigorous eigenvalue enclosure for the symmetric H (SPEC §1.4, gap): for any y ≠ 0 and ρ = yᵀHy/yᵀy,
 * some eigenvalue λ of H has |λ − ρ| ≤ ‖Hy − ρy‖₂/‖y‖₂ (expand y in H's eigenbasis). `hy` is the computed
 * fl(Hy) of a sum-of-n-products product, so ‖fl(Hy) − Hy‖₂ ≤ γₙ‖|H||y|‖₂ with `absHy` = |H||y| (or, given a
 * number, γₙ·absHy·‖y‖₂ with absHy ≥ ‖H‖_F); the radius returned adds that, the rounding of the residual's
 * subtraction (≤ 3ε(‖fl(Hy)‖ + |ρ|‖y‖)) and a factor 1.001 for the relative rounding of the sums and norms
 * (valid for n·ε ≤ 1e-4). So [center − radius, center + radius] holds an eigenvalue of the stored H.
 */
export function eigenvalueEnclosure(y: Float64Array, hy: Float64Array, n: number, absHy: Float64Array | number): { center: number; radius: number } {
  let yy = 0, yhy = 0;
  for (let i = 0; i < n; i++) { yy += y[i] * y[i]; yhy += y[i] * hy[i]; }
  const rho = yhy / yy;
  let rr = 0, hh = 0;
  for (let i = 0; i < n; i++) { const r = hy[i] - rho * y[i]; rr += r * r; hh += hy[i] * hy[i]; }
  const ny = Math.sqrt(yy), gamma = (n * EPSILON) / (1 - n * EPSILON);
  let product: number;
  if (typeof absHy === "number") product = gamma * absHy * ny;
  else { let s = 0; for (let i = 0; i < n; i++) s += absHy[i] * absHy[i]; product = gamma * Math.sqrt(s); }
  const radius = (1.001 * (Math.sqrt(rr) + 3 * EPSILON * (Math.sqrt(hh) + Math.abs(rho) * ny) + product)) / ny;
  return { center: rho, radius };
}

/** What `gapWitness` found. */
export interface GapWitness {
  /** True when an eigenvalue of H was proved to lie in the open interval (lo, hi). */
  found: boolean;
  /** The enclosure [center ± radius] that proved it (found), else null. */
  enclosure: { center: number; radius: number } | null;
  /** Lanczos steps (one solve each) and enclosures tested. */
  steps: number;
  tested: number;
}

export interface GapWitnessOptions {
  /** Lanczos steps at most (default 48). */
  maxSteps?: number;
  /** Steps between Ritz checks (default 12). */
  checkEvery?: number;
  /** Ritz vectors tested per check (default 2). */
  perCheck?: number;
  seed?: number;
}

/**
 * A proof that the symmetric H has an eigenvalue in (lo, hi) with lo > shift, from a kept LDLᵀ factor of
 * H − shift·I (`LinalgBackend.ldlFactor`) — used to skip a Sylvester count that would only confirm "not clear".
 *
 * Shift-invert Lanczos: A = (H − shift·I)⁻¹ has eigenvalues μ = 1/(λ − shift); the eigenvalues of H just above the
 * shift are A's largest positive ones, which Lanczos (full reorthogonalisation, one solve per step) finds first.
 * Each Ritz pair (μ, y) with shift + 1/μ ∈ (lo, hi) is then tested on H itself (not on A): `eigenvalueEnclosure`
 * of y with H·y from the stored matrix (`symmetricLowerProduct`) gives a rigorous interval holding an eigenvalue of
 * H; `found` only when that whole interval lies inside (lo, hi). Lanczos only proposes vectors: nothing it
 * computes is trusted, so a poor Ritz vector can only fail to prove, never prove something false. Costs
 * ≤ maxSteps solves (2n² flops each) plus an n²/2 pass per tested vector, against n³/3 for a factorisation.
 * `a` must hold the factor (the state `ldlFactor` leaves it in); it is not modified.
 */
export function gapWitness(a: Float64Array, n: number, factor: LdlFactor, shift: number, lo: number, hi: number, opts: GapWitnessOptions = {}): GapWitness {
  if (!(lo > shift && hi > lo)) throw new RangeError(`gapWitness: need shift < lo < hi, got ${shift}, ${lo}, ${hi}`);
  const maxSteps = Math.min(n, opts.maxSteps ?? 48), every = opts.checkEvery ?? 12, perCheck = opts.perCheck ?? 2;
  const Q: Float64Array[] = [];
  const alpha: number[] = [], beta: number[] = [];
  const rng = new Rng(opts.seed ?? 2718);
  let q = new Float64Array(n);
  rng.fillNormal(q);
  normalize(q);
  const w = new Float64Array(n), hy = new Float64Array(n), y = new Float64Array(n), ay = new Float64Array(n);
  let tested = 0;
  for (let m = 1; m <= maxSteps; m++) {
    Q.push(q);
    w.set(q);
    if (!factor.solve(w)) break; // D exactly singular: no proof from here
    let al = 0;
    for (let i = 0; i < n; i++) al += q[i] * w[i];
    alpha.push(al);
    // full reorthogonalisation, classical Gram–Schmidt twice
    for (let pass = 0; pass < 2; pass++) for (const v of Q) { let d = 0; for (let i = 0; i < n; i++) d += v[i] * w[i]; for (let i = 0; i < n; i++) w[i] -= d * v[i]; }
    const b = norm(w);
    const last = m === maxSteps || !(b > 0) || !Number.isFinite(b);
    if (m % every === 0 || last) {
      // Ritz pairs of T_m; candidates: shift + 1/μ inside (lo, hi), largest μ (best converged) first
      const T = new Float64Array(m * m);
      for (let i = 0; i < m; i++) { T[i * m + i] = alpha[i]; if (i + 1 < m) T[i * m + i + 1] = T[(i + 1) * m + i] = beta[i]; }
      const vals = new Float64Array(m), vecs = new Float64Array(m * m);
      getBackend().syev(m, T, vals, vecs);
      let c = 0;
      for (let k = m - 1; k >= 0 && c < perCheck; k--) {
        const mu = vals[k];
        if (!(mu > 0)) break;
        const lam = shift + 1 / mu;
        if (!(lam > lo && lam < hi)) continue;
        c++;
        y.fill(0);
        for (let j = 0; j < m; j++) { const s = vecs[k * m + j], v = Q[j]; for (let i = 0; i < n; i++) y[i] += s * v[i]; }
        symmetricLowerProduct(a, factor.diagonal, n, y, hy, ay);
        tested++;
        const e = eigenvalueEnclosure(y, hy, n, ay);
        if (e.center - e.radius > lo && e.center + e.radius < hi) return { found: true, enclosure: e, steps: m, tested };
      }
    }
    if (last) return { found: false, enclosure: null, steps: m, tested };
    beta.push(b);
    q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = w[i] / b;
  }
  return { found: false, enclosure: null, steps: alpha.length, tested };
}

function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
function normalize(x: Float64Array): void {
  const s = norm(x);
  for (let i = 0; i < x.length; i++) x[i] /= s;
}
