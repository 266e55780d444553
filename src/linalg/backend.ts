import { pureBackend } from "./pure.js";

/**
 * The one dense linear-algebra interface every heavy path of embedscape goes through.
 *
 * Conventions (BLAS/LAPACK style, like @stdlib's ndarray kernels): every matrix is a flat
 * Float64Array with an explicit offset and leading dimension, stored **row-major**
 * (element (i, j) of A at a[offA + i*lda + j]). Implementations: the pure-TypeScript
 * reference (`pureBackend`, always available) and optional native ones registered at run time.
 */
export interface LinalgBackend {
  /** Short name shown by `embedscape doctor` ("pure-ts", "openblas", …). */
  readonly name: string;

  /**
   * General matrix product C ← α·op(A)·op(B) + β·C, with op(X) = X or Xᵀ.
   * op(A) is m×k, op(B) is k×n, C is m×n (all row-major with leading dimensions lda, ldb, ldc).
   * With β = 0, C is overwritten (NaN/Inf already in C are not propagated).
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float64Array, offA: number, lda: number,
    b: Float64Array, offB: number, ldb: number,
    beta: number, c: Float64Array, offC: number, ldc: number,
  ): void;

  /**
   * Symmetric eigen-decomposition A = Σ_j λ_j q_j q_jᵀ of the n×n symmetric matrix `a`
   * (full row-major storage, leading dimension n; `a` is not modified).
   * Writes the eigenvalues in ascending order into `w[0..n)`. If `vectors` is given
   * (length ≥ n²), eigenvector j (unit norm) is written contiguously to vectors[j*n .. j*n+n).
   */
  syev(n: number, a: Float64Array, w: Float64Array, vectors: Float64Array | null): void;
}

let active: LinalgBackend = pureBackend;

/** The backend in use (the pure one unless `setBackend` chose another). */
export function getBackend(): LinalgBackend {
  return active;
}

/** Choose the backend for all later calls; `null` returns to the pure-TypeScript reference. */
export function setBackend(b: LinalgBackend | null): void {
  active = b ?? pureBackend;
}
