import { getBackend } from "./backend.js";

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

export const EPSILON = 2 ** -52;

/** SPEC §1.4 default zero tolerance τ = c·‖H‖₂·P·ε_mach. */
export function defaultZeroTolerance(norm: number, p: number, c = 100): number {
  return c * norm * Math.max(p, 1) * EPSILON;
}

/**
 * Inertia In(H) = (n₋, n₀, n₊) from the eigenvalues of H, with |λ| ≤ τ counted as zero
 * and the spectral gap around zero reported (SPEC §1.4).
 */
export function inertiaFromEigenvalues(eigenvalues: ArrayLike<number>, opts: InertiaOptions = {}): InertiaReport {
  const p = eigenvalues.length;
  let norm = 0;
  for (let i = 0; i < p; i++) norm = Math.max(norm, Math.abs(eigenvalues[i]));
  const tolerance = opts.tolerance ?? defaultZeroTolerance(norm, p, opts.relativeFactor ?? 100);
  let neg = 0, zero = 0, pos = 0;
  let largestZero: number | null = null;
  let smallestNonzero: number | null = null;
  for (let i = 0; i < p; i++) {
    const l = eigenvalues[i];
    const a = Math.abs(l);
    if (a <= tolerance) {
      zero++;
      largestZero = largestZero === null ? a : Math.max(largestZero, a);
    } else {
      if (l < 0) neg++;
      else pos++;
      smallestNonzero = smallestNonzero === null ? a : Math.min(smallestNonzero, a);
    }
  }
  let ratio: number;
  if (smallestNonzero === null || largestZero === null) ratio = Infinity;
  else ratio = largestZero === 0 ? Infinity : smallestNonzero / largestZero;
  return {
    neg, zero, pos, tolerance, norm,
    gap: { largestZero, smallestNonzero, ratio },
    clear: ratio >= (opts.clearRatio ?? 1e3),
  };
}

/** Eigenvalues (ascending) of the symmetric n×n matrix `h` through the active backend. */
export function eigenvalues(h: Float64Array, n: number): Float64Array {
  const w = new Float64Array(n);
  getBackend().syev(n, h, w, null);
  return w;
}

/** Eigenvalues (ascending) and unit eigenvectors (vector j contiguous at j*n) of symmetric `h`. */
export function eigenSystem(h: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  getBackend().syev(n, h, values, vectors);
  return { values, vectors };
}

/** In(H) of the symmetric n×n matrix `h` (full eigenvalue path) with τ and gap; also returns the spectrum. */
export function inertia(h: Float64Array, n: number, opts: InertiaOptions = {}): InertiaReport & { eigenvalues: Float64Array } {
  const ev = eigenvalues(h, n);
  return { ...inertiaFromEigenvalues(ev, opts), eigenvalues: ev };
}
