import { InputError } from "../util/errors.js";
import { bellNumbers, binomialRow, factorial, stirling2, stirling2Column } from "./stirling.js";

/**
 * Exact subspace counts of Şimşek et al. (SPEC §5.2–§5.3), as BigInt.
 *  T(r*, m): affine subspaces Γ_φ making up the global-minimum manifold of a width-m two-layer net
 *            of minimal width r* (maps φ: [m] → {0} ∪ [r*] hitting every j ∈ [r*]);
 *  G(r, m):  symmetry-induced critical subspaces from width r (surjections [m] → [r]).
 */

/** Largest width accepted by the counting functions (keeps CLI answers well under a second). */
export const MAX_COUNT_WIDTH = 5000;

function checkPair(r: number, m: number, rName: string): void {
  if (!Number.isSafeInteger(r) || r < 1) throw new InputError(`${rName} must be a positive whole number, got ${r}`);
  if (!Number.isSafeInteger(m) || m < 1) throw new InputError(`m must be a positive whole number, got ${m}`);
  if (m > MAX_COUNT_WIDTH) throw new InputError(`m = ${m} is larger than the supported ${MAX_COUNT_WIDTH}`);
  if (r > m) throw new InputError(`${rName} = ${r} exceeds the width m = ${m}`);
}

/** T(r*, m) = r*!·S(m+1, r*+1) (SPEC §5.3 closed form). */
export function countT(rStar: number, m: number): bigint {
  checkPair(rStar, m, "r*");
  return factorial(rStar) * stirling2(m + 1, rStar + 1);
}

/** T(r*, m) = Σ_{k=0}^{m−r*} C(m,k)·r*!·S(m−k, r*) (SPEC §5.3 sum form: k = number of zero-output neurons). */
export function countTSum(rStar: number, m: number): bigint {
  checkPair(rStar, m, "r*");
  const C = binomialRow(m);
  const S = stirling2Column(rStar, m);
  let s = 0n;
  for (let k = 0; k <= m - rStar; k++) s += C[k] * S[m - k];
  return factorial(rStar) * s;
}

/**
 * T_Bell(r*, m) = Σ_k C(m,k)·r*!·S(m−k, r*)·B_k (SPEC §5.3 variant [R?]): the k zero-output neurons may
 * also form equal-w groups whose outgoing weights sum to 0, one group per block of a set partition.
 */
export function countTBell(rStar: number, m: number): bigint {
  checkPair(rStar, m, "r*");
  const C = binomialRow(m);
  const S = stirling2Column(rStar, m);
  const B = bellNumbers(m - rStar);
  let s = 0n;
  for (let k = 0; k <= m - rStar; k++) s += C[k] * S[m - k] * B[k];
  return factorial(rStar) * s;
}

/** G(r, m) = r!·S(m, r): the number of surjections [m] → [r] (SPEC §5.3). */
export function countG(r: number, m: number): bigint {
  checkPair(r, m, "r");
  return factorial(r) * stirling2(m, r);
}

/** Σ_{r=1}^{r*−1} G(r, m): all symmetry-induced saddle subspaces from narrower widths. */
export function countGBelow(rStar: number, m: number): bigint {
  checkPair(rStar, m, "r*");
  let s = 0n;
  for (let r = 1; r < rStar; r++) s += countG(r, m);
  return s;
}

export interface Crossover {
  rStar: number;
  /** First h ≥ 0 with Σ_{r<r*} G(r, r*+h) < T(r*, r*+h). */
  h: number;
  /** First h ≥ 0 with G(r*−1, r*+h) < T(r*, r*+h) (null for r* = 1, where there is no narrower width). */
  hLargest: number | null;
}

/**
 * Crossover of SPEC §5.3: the first extra width h at which the global-minimum subspaces T(r*, r*+h)
 * outnumber the saddle subspaces Σ_{r<r*} G(r, r*+h) (and, in `hLargest`, only those from r*−1).
 */
export function crossover(rStar: number, opts: { bell?: boolean; maxH?: number } = {}): Crossover {
  const maxH = opts.maxH ?? MAX_COUNT_WIDTH - rStar;
  const T = opts.bell ? countTBell : countT;
  let h: number | null = null, hLargest: number | null = rStar === 1 ? null : -1;
  for (let k = 0; k <= maxH && (h === null || hLargest === -1); k++) {
    const m = rStar + k;
    const t = T(rStar, m);
    if (h === null && countGBelow(rStar, m) < t) h = k;
    if (hLargest === -1 && countG(rStar - 1, m) < t) hLargest = k;
  }
  if (h === null || hLargest === -1) throw new InputError(`no crossover for r* = ${rStar} up to h = ${maxH}`);
  return { rStar, h, hLargest };
}
