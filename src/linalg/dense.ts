/** Small dense helpers on flat row-major Float64Array matrices (no allocation unless stated). */
import { eigenSystem } from "./inertia.js";

/** Replace the n×n matrix `a` by its symmetric part (A + Aᵀ)/2, in place. */
export function symmetrizeInPlace(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (a[i * n + j] + a[j * n + i]);
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
}

/** Euclidean norm ‖x‖₂ (scaled to avoid overflow). */
export function norm2(x: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const t = x[i] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/** Dot product xᵀy. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** max_i |x_i − y_i|. */
export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** y ← y + αx. */
export function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

/** y = A x for the row-major m×n matrix A (allocates y unless given). */
export function matVec(a: Float64Array, m: number, n: number, x: ArrayLike<number>, y = new Float64Array(m)): Float64Array {
  for (let i = 0; i < m; i++) {
    let s = 0;
    const o = i * n;
    for (let j = 0; j < n; j++) s += a[o + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** Transpose of the row-major m×n matrix (allocates). */
export function transpose(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

/** max_i |a_i|. */
export function maxAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]));
  return s;
}

/** C = A·B for row-major A (m×k) and B (k×n) (allocates; for small matrices — large products go through the backend's gemm). */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const aip = a[i * k + p];
    if (aip === 0) continue;
    for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
  }
  return c;
}

/**
 * Moore–Penrose pseudo-inverse M⁺ (n×m) of a row-major M (m×n): M⁺ = V Σ⁻² Vᵀ Mᵀ over the eigenpairs of MᵀM with
 * eigenvalue above rtol·λ_max; also returns the numerical rank (the eigenvalues of MᵀM carry rounding ~ε·λ_max,
 * so rtol must be well above ε). For matrices of a few hundred entries.
 */
export function pseudoInverse(M: ArrayLike<number>, m: number, n: number, rtol = 1e-13): { pinv: Float64Array; rank: number } {
  const Mt = transpose(M, m, n);
  const { values, vectors } = eigenSystem(matMul(Mt, M, n, m, n), n);
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
  return { pinv: matMul(G, Mt, n, n, m), rank };
}

/**
 * Solve G X = B in place by Cholesky (G symmetric positive definite p×p, overwritten by its factor L in the lower
 * triangle; B p×k, overwritten by X). Returns false, leaving G and B partly overwritten, when G is not positive
 * definite to working precision (a pivot ≤ 0).
 */
export function choleskySolve(G: Float64Array, B: Float64Array, p: number, k: number): boolean {
  for (let j = 0; j < p; j++) {
    let s = G[j * p + j];
    for (let q = 0; q < j; q++) s -= G[j * p + q] ** 2;
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    G[j * p + j] = d;
    for (let i = j + 1; i < p; i++) {
      let t = G[i * p + j];
      for (let q = 0; q < j; q++) t -= G[i * p + q] * G[j * p + q];
      G[i * p + j] = t / d;
    }
  }
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < p; i++) {
      let t = B[i * k + c];
      for (let q = 0; q < i; q++) t -= G[i * p + q] * B[q * k + c];
      B[i * k + c] = t / G[i * p + i];
    }
    for (let i = p - 1; i >= 0; i--) {
      let t = B[i * k + c];
      for (let q = i + 1; q < p; q++) t -= G[q * p + i] * B[q * k + c];
      B[i * k + c] = t / G[i * p + i];
    }
  }
  return true;
}

/**
 * Orthonormal basis Q of v^⊥ ⊂ R^q (q × (q−1), row-major, columns orthonormal and orthogonal to v) by Gram–Schmidt,
 * twice, on v, e_1, …, e_q. v must be non-zero (throws RangeError otherwise).
 */
export function orthComplement(v: ArrayLike<number>): Float64Array {
  const q = v.length;
  const nv = norm2(v);
  if (nv === 0) throw new RangeError("orthComplement: v is zero");
  const basis: Float64Array[] = [Float64Array.from(v, (x) => x / nv)];
  for (let i = 0; i < q && basis.length < q; i++) {
    const u = new Float64Array(q); u[i] = 1;
    for (let pass = 0; pass < 2; pass++) for (const b of basis) { let d = 0; for (let k = 0; k < q; k++) d += b[k] * u[k]; for (let k = 0; k < q; k++) u[k] -= d * b[k]; }
    const nu = norm2(u);
    if (nu > 1e-8) basis.push(u.map((x) => x / nu));
  }
  const Q = new Float64Array(q * (q - 1));
  for (let c = 1; c < q; c++) for (let r = 0; r < q; r++) Q[r * (q - 1) + c - 1] = basis[c][r];
  return Q;
}
