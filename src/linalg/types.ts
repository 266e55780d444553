/**
 * The linear-algebra types: what a backend is (`LinalgBackend`) and what an inertia count is. They live
 * apart so that the backend, its implementations and the inertia routines import types from one leaf
 * module instead of from each other.
 */

/** Numbers of negative, zero and positive eigenvalues of a symmetric matrix (SPEC §1.4). */
export interface Inertia {
  neg: number;
  zero: number;
  pos: number;
}

/** Inertia together with the evidence that the zero count is clear-cut. */
export interface InertiaReport extends Inertia {
  /** τ: |λ| ≤ τ counts as zero. */
  tolerance: number;
  /** ‖H‖₂ = max |λ|. */
  norm: number;
  /** Spectral gap around zero: the largest |λ| counted as zero and the smallest counted non-zero. */
  gap: { largestZero: number | null; smallestNonzero: number | null; ratio: number };
  /** True when the gap ratio is at least `clearRatio` (default 1e3): the count does not hinge on τ. */
  clear: boolean;
}

export interface InertiaOptions {
  /** Absolute zero tolerance τ; overrides the relative default. */
  tolerance?: number;
  /** Constant c of the relative default τ = c·‖H‖₂·P·ε (SPEC §1.4; default 100). */
  relativeFactor?: number;
  /** Gap ratio above which the count is called clear-cut (default 1e3). */
  clearRatio?: number;
}

/** What a native backend reports about its BLAS (shown by `embedscape doctor`). */
export interface NativeInfo {
  blas: string;
  threads: number;
  config: string;
  corename: string;
  parallel: number;
  /** The elementwise tanh kernel in use (libmvec AVX2 or scalar libm). */
  tanh: string;
}

/**
 * The one dense linear-algebra interface every heavy path of embedscape goes through.
 *
 * Conventions (BLAS/LAPACK style, like @stdlib's ndarray kernels): every matrix is a flat
 * Float64Array with an explicit offset and leading dimension, stored **row-major**
 * (element (i, j) of A at a[offA + i*lda + j]). Implementations: the pure-TypeScript
 * reference (`pureBackend`, always available) and the optional native OpenBLAS/LAPACKE one.
 */
export interface LinalgBackend {
  /** Short name shown by `embedscape doctor` ("pure-ts", "openblas"). */
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

  /**
   * In(A − shift·I) = (n₋, n₀, n₊) of the symmetric n×n matrix `a` (full row-major, not modified)
   * from a Bunch–Kaufman LDLᵀ factorisation and Sylvester's law of inertia (2×2 blocks of D
   * counted by their determinant). About n³/3 flops: a fraction of a full spectrum's cost.
   */
  ldlInertia(n: number, a: Float64Array, shift: number): Inertia;

  /**
   * Elementwise tanh with its derivatives over [0, n): a = tanh(h), g1 = 1 − a², g2 = −2·a·g1
   * (g2 may be null). Optional: native only (libmvec's AVX2 tanh, ≤ 2 ulp); callers fall back to
   * Math.tanh when absent.
   */
  tanh?(h: Float64Array, a: Float64Array, g1: Float64Array, g2: Float64Array | null, n: number): void;

  /** Number of BLAS threads (native only). */
  setThreads?(t: number): void;
  /** BLAS name, threads and build configuration (native only). */
  info?(): NativeInfo;
}
