import { InputError } from "../util/errors.js";

/**
 * Brute-force enumeration of the index maps φ of SPEC §5.2, used to check the closed forms of
 * §5.3 and to list the subspaces Γ_φ of small expansion manifolds. φ is an array of length m with
 * entries in {0} ∪ [r] (0 = zero-output neuron, j ≥ 1 = copy of neuron j of θ_r).
 */

/** Hard cap on (r+1)^m for enumeration (the brute force is for small m only). */
export const MAX_ENUMERATION = 5_000_000;

function checkSmall(r: number, m: number, base: number): void {
  if (!Number.isInteger(r) || r < 1 || !Number.isInteger(m) || m < 1) throw new InputError(`enumeration needs positive whole r and m, got r = ${r}, m = ${m}`);
  if (base ** m > MAX_ENUMERATION) throw new InputError(`enumerating ${base}^${m} maps is too many for brute force (limit ${MAX_ENUMERATION})`);
}

/**
 * Every φ: [m] → {0} ∪ [r] hitting each j ∈ [r] (`zeros: true`, the T maps), or every surjection
 * [m] → [r] (`zeros: false`, the G maps). Yields a fresh array per map.
 */
export function* indexMaps(r: number, m: number, opts: { zeros: boolean }): Generator<number[]> {
  const lo = opts.zeros ? 0 : 1;
  checkSmall(r, m, r + 1 - lo);
  const phi = new Array<number>(m).fill(lo);
  const hits = new Array<number>(r + 1).fill(0);
  hits[lo] = m;
  for (;;) {
    let covered = true;
    for (let j = 1; j <= r; j++) if (hits[j] === 0) { covered = false; break; }
    if (covered) yield phi.slice();
    // odometer step
    let p = m - 1;
    while (p >= 0 && phi[p] === r) {
      hits[r]--;
      phi[p] = lo;
      hits[lo]++;
      p--;
    }
    if (p < 0) return;
    hits[phi[p]]--;
    phi[p]++;
    hits[phi[p]]++;
  }
}

/** Number of set partitions of k labelled elements, by enumerating restricted growth strings. */
export function countSetPartitionsBrute(k: number): number {
  if (k === 0) return 1;
  // restricted growth strings a_0 = 0, a_i ≤ 1 + max(a_0..a_{i−1}); only the running max matters
  let count = 0;
  const rec = (i: number, mx: number): void => {
    if (i === k) { count++; return; }
    for (let v = 0; v <= mx + 1; v++) rec(i + 1, Math.max(mx, v));
  };
  rec(1, 0);
  return count;
}

/** Brute-force T(r*, m): number of φ: [m] → {0} ∪ [r*] hitting every j ∈ [r*]. */
export function bruteT(rStar: number, m: number): number {
  let c = 0;
  for (const _ of indexMaps(rStar, m, { zeros: true })) c++;
  return c;
}

/** Brute-force G(r, m): number of surjections [m] → [r]. */
export function bruteG(r: number, m: number): number {
  let c = 0;
  for (const _ of indexMaps(r, m, { zeros: false })) c++;
  return c;
}

/**
 * Brute-force T_Bell(r*, m): pairs (φ, partition of φ^{-1}(0) into equal-w groups), each group's
 * outgoing weights summing to 0 (SPEC §5.3 variant).
 */
export function bruteTBell(rStar: number, m: number): number {
  let c = 0;
  for (const phi of indexMaps(rStar, m, { zeros: true })) {
    let k = 0;
    for (const v of phi) if (v === 0) k++;
    c += countSetPartitionsBrute(k);
  }
  return c;
}
