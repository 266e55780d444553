import { pureBackend } from "./pure.js";
import { loadNativeBackend, nativeLoadError } from "./native.js";
import type { Inertia } from "./inertia.js";
import { InputError } from "../util/errors.js";

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

  /** Number of BLAS threads (native only). */
  setThreads?(t: number): void;
  /** BLAS name, threads and build configuration (native only). */
  info?(): NativeInfo;
}

/** The backend name a user may ask for (EMBEDSCAPE_BACKEND or --backend). */
export type BackendChoice = "pure" | "native" | "auto";

let active: LinalgBackend = pureBackend;
let notice = "";

/** The backend in use. */
export function getBackend(): LinalgBackend {
  return active;
}

/** Choose the backend for all later calls; `null` returns to the pure-TypeScript reference. */
export function setBackend(b: LinalgBackend | null): void {
  active = b ?? pureBackend;
}

/** The native backend if its addon loads, else null (see `backendNotice` for why). */
export function nativeBackend(): LinalgBackend | null {
  return loadNativeBackend();
}

/** The one-line notice from the last fall-back to the pure backend ("" if none). */
export function backendNotice(): string {
  return notice;
}

/**
 * Select the backend by name: "pure", "native" (falls back to pure with a one-line notice on
 * stderr when the addon is missing) or "auto" (native when available, silently pure otherwise).
 * `threads` sets the BLAS thread count of a native backend. Returns the backend now active.
 */
export function useBackend(choice: string, threads?: number): LinalgBackend {
  if (choice !== "pure" && choice !== "native" && choice !== "auto") {
    throw new InputError(`unknown backend "${choice}" (use pure, native or auto)`);
  }
  notice = "";
  if (choice === "pure") active = pureBackend;
  else {
    const nb = loadNativeBackend();
    if (nb) active = nb;
    else {
      active = pureBackend;
      notice = `embedscape: native backend unavailable (${nativeLoadError()}); using pure TypeScript`;
      if (choice === "native") process.stderr.write(notice + "\n");
    }
  }
  if (threads !== undefined) setThreads(threads);
  return active;
}

/** Number of BLAS threads for the native backend (ignored by the pure backend). */
export function setThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new InputError(`threads must be a whole number ≥ 1, got ${threads}`);
  loadNativeBackend()?.setThreads?.(threads);
}

/** Default BLAS threads when neither EMBEDSCAPE_THREADS nor --threads is given (see docs/native.md). */
export const DEFAULT_THREADS = 1;

// Import-time selection: EMBEDSCAPE_BACKEND = pure | native | auto (default auto) and
// EMBEDSCAPE_THREADS = N (default DEFAULT_THREADS).
{
  const env = (process.env.EMBEDSCAPE_BACKEND ?? "auto").trim() || "auto";
  const t = process.env.EMBEDSCAPE_THREADS;
  const threads = t === undefined || t === "" ? DEFAULT_THREADS : Number(t);
  try {
    useBackend(env, Number.isInteger(threads) && threads >= 1 ? threads : DEFAULT_THREADS);
  } catch (e) {
    process.stderr.write(`embedscape: ${(e as Error).message}; using pure TypeScript\n`);
    active = pureBackend;
  }
}
