import { getBackend } from "./backend.js";

export type { Inertia, InertiaReport, InertiaOptions } from "./types.js";
import type { Inertia, InertiaReport, InertiaOptions } from "./types.js";
import { gapWitness, type GapWitness } from "./gap-witness.js";

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
    gap: { largestZero, smallestNonzero, ratio, kind: "exact" },
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

/**
 * Eigenpairs il..iu (0-based, inclusive, ascending) of the symmetric n×n `h`: values and unit
 * vectors (vector j contiguous at j*n). The native range driver computes only those vectors; the
 * pure backend decomposes fully and keeps the requested ones.
 */
export function eigenpairsRange(h: Float64Array, n: number, il: number, iu: number): { values: Float64Array; vectors: Float64Array } {
  if (!(Number.isInteger(il) && Number.isInteger(iu) && 0 <= il && il <= iu && iu < n)) throw new RangeError(`eigenpair range ${il}..${iu} outside 0..${n - 1}`);
  const be = getBackend(), cnt = iu - il + 1;
  const values = new Float64Array(cnt), vectors = new Float64Array(cnt * n);
  if (be.syevSelect) { be.syevSelect(n, h, il, iu, values, vectors); return { values, vectors }; }
  const all = eigenSystem(h, n);
  values.set(all.values.subarray(il, iu + 1));
  vectors.set(all.vectors.subarray(il * n, (iu + 1) * n));
  return { values, vectors };
}

/** In(H) of the symmetric n×n matrix `h` (full eigenvalue path) with τ and gap; also returns the spectrum. */
export function inertia(h: Float64Array, n: number, opts: InertiaOptions = {}): InertiaReport & { eigenvalues: Float64Array } {
  const ev = eigenvalues(h, n);
  return { ...inertiaFromEigenvalues(ev, opts), eigenvalues: ev };
}

/** Result of the factorisation path: counts, τ and the ‖H‖₂ estimate τ was scaled by. */
export interface LdlInertiaReport extends Inertia {
  tolerance: number;
  norm: number;
}

/**
 * In(H) = (n₋, n₀, n₊) without a spectrum, by Sylvester's law (SPEC §1.4): with τ the zero
 * tolerance, n₋ = #negative pivots of LDLᵀ(H + τI) and n₊ = #positive pivots of LDLᵀ(H − τI)
 * (Bunch–Kaufman, `ldlInertia` of the active backend), n₀ = n − n₋ − n₊. Counts |λ| ≤ τ as zero,
 * like `inertia`. ‖H‖₂ for the default τ is estimated by 30 power-iteration steps unless
 * `opts.norm` or `opts.tolerance` is given. Two n³/3 factorisations instead of a full eigensolve.
 */
export function inertiaLdl(h: Float64Array, n: number, opts: InertiaOptions & { norm?: number } = {}): LdlInertiaReport {
  const be = getBackend();
  const norm = opts.norm ?? (opts.tolerance === undefined ? powerNorm(h, n) : NaN);
  const tolerance = opts.tolerance ?? defaultZeroTolerance(norm, n, opts.relativeFactor ?? 100);
  const plus = be.ldlInertia(n, h, -tolerance);
  const minus = be.ldlInertia(n, h, tolerance);
  const neg = plus.neg, pos = minus.pos;
  return { neg, zero: n - neg - pos, pos, tolerance, norm };
}

/** Options of `inertiaCounts`. */
export interface InertiaCountsOptions extends InertiaOptions {
  /** ‖H‖₂ (reported and used for the default τ); estimated by power iteration when absent. */
  norm?: number;
  /**
   * Try to prove "not clear" by an eigenvalue enclosure before the gap's Sylvester count (`gapWitness`):
   * "auto" (default) where the backend keeps factors (native) and n ≥ GAP_WITNESS_MIN_N, true/false to force.
   */
  gapWitness?: boolean | "auto";
  /** Filled with what the count did (factorisations, the witness), for profiles and tests. */
  trace?: InertiaCountsTrace;
}

/** What `inertiaCounts` did. */
export interface InertiaCountsTrace {
  factorisations: number;
  witness: GapWitness | null;
}

/**
 * The witness's enclosure must keep WITNESS_MARGIN·τ from τ and from cτ: with the default τ = 100·‖H‖·n·ε that is
 * n·ε·‖H‖, the worst-case rounding scale of an LDLᵀ count, so the skipped count at cτ would have seen the proved
 * eigenvalue on the same side.
 */
export const WITNESS_MARGIN = 0.01;

/** Below this size a factorisation costs little more than the witness's solves: "auto" skips the witness. */
export const GAP_WITNESS_MIN_N = 1000;

/**
 * In(H) with τ and a proved gap, from Sylvester counts only (no spectrum; SPEC §1.4):
 * n₋ = #negative pivots of LDLᵀ(H + τI), n₊ = #positive pivots of LDLᵀ(H − τI), n₀ = n − n₋ − n₊.
 * When 0 < n₀ < n, two more factorisations at ±cτ (c = clearRatio, default 1e3) count the
 * eigenvalues with τ < |λ| ≤ cτ: if there are none, every non-zero |λ| exceeds cτ ≥ c·(largest
 * zero |λ|), so the gap ratio is ≥ c and the count is clear-cut. The gap fields are bounds
 * (largestZero ≤ τ; smallestNonzero ≥ cτ when proved, else ≥ τ; ratio ≥ their quotient), kind
 * "bounds". With n₀ ∈ {0, n} the gap is trivially clear (ratio ∞), as in `inertiaFromEigenvalues`.
 * `opts.norm` (‖H‖₂, reported and used for the default τ) is estimated by 30 power-iteration
 * steps on H when not given.
 *
 * The count at +cτ is skipped when it can only fail: where the backend keeps the factor of H − τI
 * (`ldlFactor`), shift-invert Lanczos on it proposes eigenvectors of H just above τ and `gapWitness` tests
 * them on H itself; a rigorous enclosure of an eigenvalue of the stored H inside ((1 + m)τ, (c − m)τ) (m =
 * WITNESS_MARGIN) proves #λ ∈ (τ, cτ] ≥ 1, i.e. the count at +cτ would differ and the gap is not clear. The
 * result is the counts' (same fields, same values); only the work differs.
 * 2–4 factorisations of n³/3 flops (3 when the gap is not clear on the positive side, 2 when the witness proves
 * that), in place (the native backend restores `h`), no n² scratch.
 */
export function inertiaCounts(h: Float64Array, n: number, opts: InertiaCountsOptions = {}): InertiaReport {
  const be = getBackend();
  const norm = opts.norm ?? powerNorm(h, n);
  const tolerance = opts.tolerance ?? defaultZeroTolerance(norm, n, opts.relativeFactor ?? 100);
  const c = opts.clearRatio ?? 1e3;
  const T = c * tolerance;
  const trace: InertiaCountsTrace = opts.trace ?? { factorisations: 0, witness: null };
  trace.factorisations = 0;
  trace.witness = null;
  const count = (shift: number): Inertia => { trace.factorisations++; return be.ldlInertia(n, h, shift); };
  const neg = count(-tolerance).neg;
  const useWitness = be.ldlFactor !== undefined && n > 0 && c > 3 && tolerance > 0 &&
    (opts.gapWitness === true || ((opts.gapWitness ?? "auto") === "auto" && n >= GAP_WITNESS_MIN_N));
  let pos: number;
  if (useWitness) {
    trace.factorisations++;
    const f = be.ldlFactor!(n, h, tolerance);
    try {
      pos = f.inertia.pos;
      const zero = n - neg - pos;
      if (zero > 0 && zero < n) trace.witness = gapWitness(h, n, f, tolerance, tolerance * (1 + WITNESS_MARGIN), T - WITNESS_MARGIN * tolerance);
    } finally { f.restore(); }
  } else pos = count(tolerance).pos;
  const zero = n - neg - pos;
  let gap: InertiaReport["gap"];
  if (zero === 0 || zero === n) {
    gap = { largestZero: zero === 0 ? null : tolerance, smallestNonzero: zero === n ? null : tolerance, ratio: Infinity, kind: "bounds" };
  } else {
    // no |λ| in (τ, cτ] on the positive side, then on the negative side (the second count is skipped when the
    // first fails; the first when the witness proved it would fail)
    const proved = !trace.witness?.found && count(T).pos === pos && count(-T).neg === neg;
    gap = { largestZero: tolerance, smallestNonzero: proved ? T : tolerance, ratio: proved ? c : 1, kind: "bounds" };
  }
  return { neg, zero, pos, tolerance, norm, gap, clear: gap.ratio >= c };
}

/** ‖H‖₂ estimate by power iteration on the symmetric matrix (largest |λ|, from below). */
function powerNorm(h: Float64Array, n: number, iters = 30): number {
  const be = getBackend();
  let x = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 1 + ((i * 7919) % 13) / 13;
  let est = 0;
  for (let it = 0; it < iters; it++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * x[i];
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < n; i++) x[i] *= inv;
    be.gemm(false, false, n, 1, n, 1, h, 0, n, x, 0, 1, 0, y, 0, 1);
    let t = 0;
    for (let i = 0; i < n; i++) t += y[i] * y[i];
    est = Math.sqrt(t);
    if (est === 0) return 0;
    const tmp = x; x = y; y = tmp;
  }
  return est;
}

/** In(A) of a symmetric n×n matrix with an absolute zero tolerance τ (|λ| ≤ τ counts as zero; SPEC §1.4); `a` is not modified. */
export function inertiaAbs(a: Float64Array, n: number, tolerance: number): Inertia {
  if (n === 0) return { neg: 0, zero: 0, pos: 0 };
  const r = inertiaFromEigenvalues(eigenvalues(Float64Array.from(a), n), { tolerance });
  return { neg: r.neg, zero: r.zero, pos: r.pos };
}

/** The componentwise sum of two inertias (a block-diagonal matrix's inertia). */
export function addInertia(a: Inertia, b: Inertia): Inertia {
  return { neg: a.neg + b.neg, zero: a.zero + b.zero, pos: a.pos + b.pos };
}
