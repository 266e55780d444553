import { syevPure } from "../linalg/eigen-pure.js";
import { Rng } from "../util/rng.js";

/** y = A·x for a symmetric operator of size P (e.g. x ↦ ∇²R(θ)x through `Evaluator.hvp`). */
export type MatVec = (x: Float64Array, y: Float64Array) => void;

/** The Lanczos tridiagonal T = tridiag(β, α, β) of m steps started at a unit vector. */
export interface Tridiagonal {
  alpha: Float64Array;
  beta: Float64Array; // beta[j] couples steps j and j+1; length m (last = residual norm)
  m: number;
}

/**
 * m steps of Lanczos with full reorthogonalisation (twice classical Gram–Schmidt against all
 * previous vectors; fine for m ≤ a few hundred): AQ = QT + β_m q_{m+1}e_mᵀ. Stops early on an
 * invariant subspace (β ≈ 0). `start` is normalised internally.
 */
export function lanczos(op: MatVec, P: number, m: number, start: Float64Array): Tridiagonal {
  m = Math.min(m, P);
  const Q = new Float64Array(m * P);
  const alpha = new Float64Array(m), beta = new Float64Array(m);
  let s = 0;
  for (let i = 0; i < P; i++) s += start[i] * start[i];
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < P; i++) Q[i] = start[i] * inv;
  const w = new Float64Array(P);
  let steps = m;
  for (let j = 0; j < m; j++) {
    const q = Q.subarray(j * P, (j + 1) * P);
    op(q, w);
    let a = 0;
    for (let i = 0; i < P; i++) a += w[i] * q[i];
    alpha[j] = a;
    for (let pass = 0; pass < 2; pass++) {
      for (let r = 0; r <= j; r++) {
        const qr = Q.subarray(r * P, (r + 1) * P);
        let d = 0;
        for (let i = 0; i < P; i++) d += w[i] * qr[i];
        for (let i = 0; i < P; i++) w[i] -= d * qr[i];
      }
    }
    let b = 0;
    for (let i = 0; i < P; i++) b += w[i] * w[i];
    b = Math.sqrt(b);
    beta[j] = b;
    if (j + 1 === m) break;
    if (b <= 1e-14 * Math.max(Math.abs(a), 1)) { steps = j + 1; break; }
    const next = Q.subarray((j + 1) * P, (j + 2) * P);
    for (let i = 0; i < P; i++) next[i] = w[i] / b;
  }
  return { alpha: alpha.subarray(0, steps), beta: beta.subarray(0, steps), m: steps };
}

/** Ritz values (ascending) and the first components of the Ritz vectors of T (for quadrature). */
export function ritz(t: Tridiagonal): { values: Float64Array; firstComponents: Float64Array; lastComponents: Float64Array } {
  const m = t.m, T = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    T[j * m + j] = t.alpha[j];
    if (j + 1 < m) { T[j * m + j + 1] = t.beta[j]; T[(j + 1) * m + j] = t.beta[j]; }
  }
  const values = new Float64Array(m), V = new Float64Array(m * m);
  syevPure(m, T, values, V);
  const firstComponents = new Float64Array(m), lastComponents = new Float64Array(m);
  for (let j = 0; j < m; j++) { firstComponents[j] = V[j * m]; lastComponents[j] = V[j * m + m - 1]; }
  return { values, firstComponents, lastComponents };
}

/**
 * The k largest and k most negative (smallest) eigenvalues of a symmetric operator, matrix-free:
 * Ritz values of `steps` Lanczos steps (default min(P, max(4k + 40, 80))) with residual bounds
 * |β_m·s_{m,i}| ≥ min_λ |λ − θ_i| (Parlett). Ascending order in both lists.
 */
export function extremeEigenvalues(op: MatVec, P: number, k: number, opts: { steps?: number; seed?: number } = {}): {
  largest: Float64Array; smallest: Float64Array; residualLargest: Float64Array; residualSmallest: Float64Array; steps: number;
} {
  const steps = Math.min(P, opts.steps ?? Math.max(4 * k + 40, 80));
  const v = new Float64Array(P);
  new Rng(opts.seed ?? 0).fillNormal(v);
  const t = lanczos(op, P, steps, v);
  const r = ritz(t), m = t.m, kk = Math.min(k, m);
  const bm = t.beta[m - 1];
  const res = (i: number): number => Math.abs(bm * r.lastComponents[i]);
  const smallest = new Float64Array(kk), largest = new Float64Array(kk), rs = new Float64Array(kk), rl = new Float64Array(kk);
  for (let i = 0; i < kk; i++) { smallest[i] = r.values[i]; rs[i] = res(i); largest[i] = r.values[m - kk + i]; rl[i] = res(m - kk + i); }
  return { largest, smallest, residualLargest: rl, residualSmallest: rs, steps: m };
}

/**
 * Stochastic Lanczos quadrature (Ubaru–Chen–Saad 2017) of the spectral density
 * φ(t) = (1/P) Σ_j δ(t − λ_j): for each Rademacher probe v, the Gauss quadrature nodes θ_i
 * (Ritz values) with weights τ_i = s_{1,i}² satisfy Σ τ_i θ_i^p = vᵀA^p v/‖v‖² exactly for
 * p ≤ 2m − 1. Returns all nodes/weights (weights sum to 1 per probe, divided by the probe
 * count) and `density(t, σ)`, the Gaussian-smoothed estimate.
 */
export function spectralDensity(op: MatVec, P: number, opts: { probes?: number; steps?: number; seed?: number } = {}): {
  nodes: Float64Array; weights: Float64Array; density: (t: number, sigma: number) => number;
} {
  const probes = opts.probes ?? 10, steps = Math.min(P, opts.steps ?? 80);
  const rng = new Rng(opts.seed ?? 0);
  const nodes: number[] = [], weights: number[] = [];
  const v = new Float64Array(P);
  for (let p = 0; p < probes; p++) {
    for (let i = 0; i < P; i++) v[i] = rng.uniform() < 0.5 ? -1 : 1;
    const r = ritz(lanczos(op, P, steps, v));
    for (let i = 0; i < r.values.length; i++) { nodes.push(r.values[i]); weights.push(r.firstComponents[i] ** 2 / probes); }
  }
  const N = Float64Array.from(nodes), W = Float64Array.from(weights);
  const density = (t: number, sigma: number): number => {
    let s = 0;
    for (let i = 0; i < N.length; i++) s += W[i] * Math.exp(-0.5 * ((t - N[i]) / sigma) ** 2);
    return s / (sigma * Math.sqrt(2 * Math.PI));
  };
  return { nodes: N, weights: W, density };
}
