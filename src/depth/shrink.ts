import type { Piece } from "./lift.js";
import { Rng } from "../util/rng.js";

/** Size of the feasible (A_j, c_j) region of one inserted neuron when only the first n inputs are imposed. */
export interface RegionSize {
  n: number;
  /** Fraction of the samples (a, c) ∈ [−1, 1]^{m_q+1} with a·f_i + c inside the piece for all i ≤ n (Monte Carlo). */
  feasibleFraction: number;
  /** Binomial standard error of that fraction. */
  stdError: number;
  /** The same for a whole inserted layer of width m′ (neurons are independent: fraction^{m′}). */
  layerFraction: number;
  /** Largest margin min_i dist(a·f_i + c, piece ends) over the samples: a lower bound on the best margin in the box. */
  bestMargin: number;
}

/**
 * Data-dependent shrinking of the lifted region (SPEC §4.2 item 5): condition (iii) is n·m′ strict linear
 * inequalities in (A, c), separate per inserted neuron. With the same samples for every n, the feasible sets are
 * nested, so the measured fraction and best margin are non-increasing in n. `F` holds the features f^[q](x_i) (n×m_q).
 */
export function liftedRegionBySize(F: Float64Array, nTotal: number, mq: number, piece: Piece, sizes: number[], opts: { samples?: number; seed?: number; width?: number } = {}): RegionSize[] {
  const S = opts.samples ?? 20000, rng = new Rng(opts.seed ?? 11), width = opts.width ?? mq;
  const a = new Float64Array(S * (mq + 1));
  for (let i = 0; i < a.length; i++) a[i] = rng.range(-1, 1);
  // margin of each sample after the first n inputs, updated incrementally
  const margin = new Float64Array(S).fill(Infinity);
  const out: RegionSize[] = [];
  let done = 0;
  for (const n of [...sizes].sort((x, y) => x - y)) {
    const upto = Math.min(n, nTotal);
    for (let i = done; i < upto; i++) {
      for (let s = 0; s < S; s++) {
        let z = a[s * (mq + 1) + mq];
        for (let k = 0; k < mq; k++) z += a[s * (mq + 1) + k] * F[i * mq + k];
        const dist = Math.min(z - piece.lo, piece.hi - z);
        if (dist < margin[s]) margin[s] = dist;
      }
    }
    done = upto;
    let ok = 0, best = -Infinity;
    for (let s = 0; s < S; s++) { if (margin[s] > 0) ok++; best = Math.max(best, margin[s]); }
    const p = ok / S;
    out.push({ n: upto, feasibleFraction: p, stdError: Math.sqrt((p * (1 - p)) / S), layerFraction: p ** width, bestMargin: best });
  }
  return out;
}
