import { eigenSystem } from "../linalg/inertia.js";

/**
 * Small dense helpers for the depth constructions (matrices of a few hundred entries at most):
 * row-major products and the Moore–Penrose pseudo-inverse via the eigen-decomposition of MᵀM.
 */

/** C = A·B for row-major A (m×k) and B (k×n). */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const aip = a[i * k + p];
    if (aip === 0) continue;
    for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
  }
  return c;
}

/** Aᵀ for row-major A (m×n). */
export function transposeOf(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

/**
 * Pseudo-inverse M⁺ (n×m) of a row-major M (m×n): M⁺ = V Σ⁻² Vᵀ Mᵀ over the eigenpairs of MᵀM with
 * eigenvalue above rtol·λ_max; also returns the numerical rank.
 */
export function pseudoInverse(M: ArrayLike<number>, m: number, n: number, rtol = 1e-13): { pinv: Float64Array; rank: number } {
  const MtM = matMul(transposeOf(M, m, n), M, n, m, n);
  const { values, vectors } = eigenSystem(MtM, n);
  let lmax = 0;
  for (let i = 0; i < n; i++) lmax = Math.max(lmax, Math.abs(values[i]));
  const G = new Float64Array(n * n); // (MᵀM)⁺
  let rank = 0;
  for (let e = 0; e < n; e++) {
    const lam = values[e];
    if (!(lam > rtol * lmax) || lam === 0) continue;
    rank++;
    const v = vectors.subarray(e * n, (e + 1) * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[i * n + j] += (v[i] * v[j]) / lam;
  }
  return { pinv: matMul(G, transposeOf(M, m, n), n, n, m), rank };
}

/** Numerical rank of a row-major matrix (m×n) from the eigenvalues of MᵀM (relative cut rtol on the eigenvalues of MᵀM: they carry rounding ~ε·λmax, so rtol must be well above ε). */
export function numericalRank(M: ArrayLike<number>, m: number, n: number, rtol = 1e-13): number {
  return pseudoInverse(M, m, n, rtol).rank;
}

/** max_i |a_i|. */
export function maxAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]));
  return s;
}
