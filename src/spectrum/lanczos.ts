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

/** One Ritz pair (θ, y) of a Lanczos run with its residual. */
export interface RitzPair {
  value: number;
  /** ‖A·y − θ·y‖₂ for the unit Ritz vector y, computed with one extra product (Hv − λv). */
  residual: number;
  /** Parlett's a-posteriori bound |β_m·s_{m,i}| (equals `residual` in exact arithmetic). */
  residualBound: number;
  /** residual ≤ tol·‖T‖. */
  converged: boolean;
  vector?: Float64Array;
}

export interface EigenpairsResult {
  /** The `top` largest, descending. */
  top: RitzPair[];
  /** The `bottom` smallest (most negative), ascending. */
  bottom: RitzPair[];
  steps: number;
  matvecs: number;
  /** Every requested pair has converged. */
  converged: boolean;
  /** max |θ| over all Ritz values (‖A‖₂ estimate the tolerance is relative to). */
  norm: number;
}

/**
 * The `top` largest and `bottom` smallest eigenpairs of a symmetric operator by Lanczos with full
 * reorthogonalisation (twice classical Gram–Schmidt against the whole basis, so no ghost copies):
 * A·Q_m = Q_m·T_m + β_m q_{m+1} e_mᵀ, Ritz pairs (θ_i, Q_m s_i). Every `checkEvery` steps the
 * Parlett bounds |β_m s_{m,i}| of the wanted pairs are compared with tol·‖T_m‖; the run stops
 * when all are below or at `maxSteps` (memory: maxSteps vectors of length P). The reported
 * residual is then measured explicitly, ‖A y − θ y‖, one product per pair.
 */
export function lanczosEigenpairs(op: MatVec, P: number, opts: {
  top?: number; bottom?: number; maxSteps?: number; tol?: number; seed?: number; checkEvery?: number; vectors?: boolean;
  onStep?: (step: number, maxSteps: number) => void;
} = {}): EigenpairsResult {
  const top = opts.top ?? 0, bottom = opts.bottom ?? 0, want = top + bottom;
  if (!(Number.isInteger(top) && Number.isInteger(bottom) && top >= 0 && bottom >= 0 && want >= 1)) throw new RangeError("ask for at least one eigenpair (top/bottom ≥ 0 whole numbers)");
  const maxSteps = Math.min(P, opts.maxSteps ?? Math.max(200, 3 * want + 60));
  const tol = opts.tol ?? 1e-8, every = opts.checkEvery ?? 10;
  const minSteps = Math.min(maxSteps, Math.max(2 * want + 10, 20));
  const Q: Float64Array[] = [];
  const alpha: number[] = [], beta: number[] = [];
  let matvecs = 0;
  const q0 = new Float64Array(P);
  new Rng(opts.seed ?? 0).fillNormal(q0);
  scale(q0, 1 / Math.sqrt(dot(q0, q0)));
  Q.push(q0);
  const w = new Float64Array(P);
  let done = false;
  const wantedOf = (values: Float64Array): number[] => {
    const m = values.length, idx: number[] = [];
    for (let i = 0; i < Math.min(bottom, m); i++) idx.push(i);
    for (let i = Math.max(m - top, Math.min(bottom, m)); i < m; i++) idx.push(i);
    return idx;
  };
  for (let j = 0; j < maxSteps && !done; j++) {
    const q = Q[j];
    op(q, w);
    matvecs++;
    const a = dot(w, q);
    alpha.push(a);
    for (let pass = 0; pass < 2; pass++) for (const qr of Q) axpy(-dot(w, qr), qr, w);
    const b = Math.sqrt(dot(w, w));
    beta.push(b);
    opts.onStep?.(j + 1, maxSteps);
    const m = j + 1;
    if (b <= 1e-14 * Math.max(Math.abs(a), 1)) break; // invariant subspace: Ritz pairs are exact
    if (m >= minSteps && (m % every === 0 || m === maxSteps)) {
      const r = ritz({ alpha: Float64Array.from(alpha), beta: Float64Array.from(beta), m });
      let norm = 0;
      for (const v of r.values) norm = Math.max(norm, Math.abs(v));
      done = wantedOf(r.values).every((i) => Math.abs(b * r.lastComponents[i]) <= tol * norm);
    }
    if (!done && m < maxSteps) {
      const next = new Float64Array(P);
      for (let i = 0; i < P; i++) next[i] = w[i] / b;
      Q.push(next);
    }
  }
  const m = alpha.length;
  Q.length = m;
  const t: Tridiagonal = { alpha: Float64Array.from(alpha), beta: Float64Array.from(beta), m };
  // Ritz vectors need the whole eigenvector matrix of T
  const T = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    T[j * m + j] = t.alpha[j];
    if (j + 1 < m) { T[j * m + j + 1] = t.beta[j]; T[(j + 1) * m + j] = t.beta[j]; }
  }
  const values = new Float64Array(m), S = new Float64Array(m * m);
  syevPure(m, T, values, S);
  let norm = 0;
  for (const v of values) norm = Math.max(norm, Math.abs(v));
  const bm = t.beta[m - 1];
  const y = new Float64Array(P), Ay = new Float64Array(P);
  const pair = (i: number): RitzPair => {
    y.fill(0);
    for (let j = 0; j < m; j++) axpy(S[i * m + j], Q[j], y);
    scale(y, 1 / Math.sqrt(dot(y, y)));
    op(y, Ay);
    matvecs++;
    axpy(-values[i], y, Ay);
    const residual = Math.sqrt(dot(Ay, Ay));
    return {
      value: values[i], residual, residualBound: Math.abs(bm * S[i * m + m - 1]), converged: residual <= tol * norm,
      ...(opts.vectors ? { vector: Float64Array.from(y) } : {}),
    };
  };
  const nb = Math.min(bottom, m), nt = Math.min(top, m - nb);
  const bottomPairs: RitzPair[] = [], topPairs: RitzPair[] = [];
  for (let i = 0; i < nb; i++) bottomPairs.push(pair(i));
  for (let i = 0; i < nt; i++) topPairs.push(pair(m - 1 - i));
  const all = [...topPairs, ...bottomPairs];
  return { top: topPairs, bottom: bottomPairs, steps: m, matvecs, converged: all.length === want && all.every((p) => p.converged), norm };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

function scale(x: Float64Array, s: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= s;
}

/**
 * The Gaussian-smoothed SLQ density φ_σ(t) = Σ_i w_i·N(t; θ_i, σ²) on `points` equally spaced
 * t ∈ [lower, upper] (default: the node range padded by 3σ), together with the SLQ estimate of
 * the cumulative count P·Σ_{θ_i ≤ t} w_i. σ defaults to (max θ − min θ)/200.
 */
export function densityCurve(nodes: Float64Array, weights: Float64Array, P: number, opts: { points?: number; sigma?: number; lower?: number; upper?: number } = {}): {
  t: Float64Array; density: Float64Array; cumulative: Float64Array; sigma: number;
} {
  let lo = Infinity, hi = -Infinity;
  for (const x of nodes) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  const sigma = opts.sigma ?? Math.max((hi - lo) / 200, 1e-300);
  const a = opts.lower ?? lo - 3 * sigma, b = opts.upper ?? hi + 3 * sigma, n = Math.max(2, opts.points ?? 400);
  const t = new Float64Array(n), density = new Float64Array(n), cumulative = new Float64Array(n);
  const norm = 1 / (sigma * Math.sqrt(2 * Math.PI));
  for (let i = 0; i < n; i++) {
    const x = a + ((b - a) * i) / (n - 1);
    t[i] = x;
    let d = 0, c = 0;
    for (let j = 0; j < nodes.length; j++) {
      d += weights[j] * Math.exp(-0.5 * ((x - nodes[j]) / sigma) ** 2);
      if (nodes[j] <= x) c += weights[j];
    }
    density[i] = d * norm;
    cumulative[i] = c * P;
  }
  return { t, density, cumulative, sigma };
}
