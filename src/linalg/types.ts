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
  /**
   * Spectral gap around zero: the largest |λ| counted as zero and the smallest counted non-zero,
   * and their ratio. kind "exact": measured from the eigenvalues; kind "bounds": proved from
   * Sylvester counts (largestZero ≤, smallestNonzero ≥, ratio ≥ the numbers given).
   */
  gap: { largestZero: number | null; smallestNonzero: number | null; ratio: number; kind?: "exact" | "bounds" };
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
   * In(A − shift·I) like `ldlInertia`, but the factor Pᵀ(A − shift·I)P = LDLᵀ is kept in `a` for solves
   * (optional: native only, dsytrf/dsytrs). While it is held, `a`'s row-major upper triangle with the diagonal
   * holds the factor; the strict lower triangle still holds A and `diagonal` A's diagonal (so A·x stays
   * computable from `a`, see `symmetricLowerProduct`). `restore()` must be called before `a` is used again.
   */
  ldlFactor?(n: number, a: Float64Array, shift: number): LdlFactor;

  /**
   * Eigenpairs il..iu (0-based, inclusive, in ascending order of eigenvalue) of the symmetric n×n
   * `a` (not modified): values into w[0..iu−il], unit vectors contiguously into z (vector j at
   * z[j*n ..]). Optional: native only (LAPACK's MRRR range driver dsyevr, O(n³) for the reduction
   * plus O(n·count) per vector instead of all n vectors); `eigenpairsRange` falls back to a full
   * decomposition.
   */
  syevSelect?(n: number, a: Float64Array, il: number, iu: number, w: Float64Array, z: Float64Array): void;

  /**
   * Elementwise tanh with its derivatives over [0, n): a = tanh(h), g1 = 1 − a², g2 = −2·a·g1
   * (g2 may be null). Optional: native only (libmvec's AVX2 tanh, ≤ 2 ulp); callers fall back to
   * Math.tanh when absent.
   */
  tanh?(h: Float64Array, a: Float64Array, g1: Float64Array, g2: Float64Array | null, n: number): void;

  /**
   * Fused bias + activation over an n×m row-major block (native only, threaded over rows for large
   * blocks): h[i,j] += bias[bOff + j] in place, then a = σ(h), g1 = σ′(h), g2 = σ″(h) (g2 may be null).
   * kind 0 = leaky ReLU with negative slope `slope` (ReLU: 0), 1 = tanh. Bit-identical to the
   * TypeScript loops it replaces (Evaluator.forward); callers fall back to them when absent.
   */
  biasAct?(h: Float64Array, n: number, m: number, bias: Float64Array, bOff: number, kind: 0 | 1, slope: number,
    a: Float64Array, g1: Float64Array, g2: Float64Array | null): void;

  /**
   * d = g1 ∘ z (n×m) and out[outOff + j] = Σ_i d[i,j] summed in row order (native only, threaded over
   * columns, so bit-identical to the TypeScript loop for any thread count).
   */
  maskColSums?(g1: Float64Array, z: Float64Array, d: Float64Array, n: number, m: number, out: Float64Array, outOff: number): void;

  /**
   * One fused loss + gradient evaluation of a 1-m-1 tanh net with ½(f − y)² on n scalar samples
   * (native only, AVX2): writes ∇R to g (P = 3m + 1, SPEC §1.3 order) and fills the workspaces
   * A (m·n, a = tanh(h) neuron-major), F (outputs) and E ((f − y)/n); returns R. Used by
   * TinyEvaluator (src/nn/tiny.ts), whose pure-TypeScript kernel computes the same to rounding.
   */
  tinyTanhMse?(x: Float64Array, y: Float64Array, n: number, m: number, theta: Float64Array, g: Float64Array,
    A: Float64Array, F: Float64Array, E: Float64Array): number;

  /**
   * Full-batch Adam (torch.optim.Adam's order of operations) for S independent 1-m-1 tanh MSE nets on
   * the same n scalar samples, θ_s = thetas[s·P .. (s+1)·P) (P = 3m + 1) updated in place, each step's
   * gradient by the `tinyTanhMse` kernel (native only, AVX2). Returns −1, or the first seed whose loss
   * became non-finite (its θ then holds the last finite step's update).
   */
  tinyAdamTanhMse?(x: Float64Array, y: Float64Array, n: number, m: number, thetas: Float64Array, S: number, steps: number,
    lr: number, beta1: number, beta2: number, eps: number): number;

  /** Number of BLAS threads (native only). */
  setThreads?(t: number): void;
  /** BLAS name, threads and build configuration (native only). */
  info?(): NativeInfo;
}

/** A kept LDLᵀ factor of A − shift·I (`LinalgBackend.ldlFactor`). */
export interface LdlFactor {
  /** In(A − shift·I) from D (Sylvester). */
  inertia: Inertia;
  /** A's diagonal (the factor overwrote it in `a`). */
  diagonal: Float64Array;
  /** b ← (A − shift·I)⁻¹ b; false (b unspecified) when D is exactly singular. */
  solve(b: Float64Array): boolean;
  /** Put A back into `a` (idempotent). */
  restore(): void;
}
