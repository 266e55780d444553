import { activation } from "../nn/activations.js";
import { createNet, layerViews, makeArch, type Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { groupNeurons, layerNeurons } from "./condensation.js";

/** What happened to one hidden layer during `mergeNeurons`. */
export interface LayerMergeStats {
  layer: number;
  widthBefore: number;
  widthAfter: number;
  /** Neurons with a zero outgoing column, dropped (exact). */
  nullDropped: number;
  /** Neurons with zero incoming weights (constant σ(b_j)), folded into the next bias (exact). */
  constantFolded: number;
  /** Neurons merged into an equal (or, for odd σ, opposite) incoming row (exact). */
  duplicatesMerged: number;
  /** Neurons with amplitude ≤ lowAmplitude·max amplitude, dropped (approximate). */
  lowAmplitudeDropped: number;
  /** Neurons merged into a leader by direction (cosine ≥ threshold; exact when the directions are equal and σ is positively homogeneous). */
  directionMerged: number;
  /** Kept neurons (0-based indices into the layer before merging), in the new order. */
  kept: number[];
}

export interface MergeOptions {
  /** Cosine threshold for direction merges (default 1: only exactly equal directions). */
  threshold?: number;
  /** Drop neurons with amplitude ‖o‖·‖r‖ ≤ lowAmplitude·max (default 0: none beyond exact nulls). */
  lowAmplitude?: number;
  /** Relative tolerance for "equal rows" and "zero column" (default 1e-10). */
  exactTolerance?: number;
}

/**
 * Inverse of a width embedding (SPEC §10 item 3), applied to every hidden layer l = 1..L−1 in turn
 * (merging in layer l combines columns of W^[l+1], which layer l+1 then sees):
 *  (i)   drop neurons whose outgoing column o_j is zero (null neurons, SPEC §2.6);
 *  (ii)  fold neurons with zero incoming weights into the next bias: b^[l+1] += o_j σ(b_j);
 *  (iii) merge neurons with equal incoming rows r = (w, b) (o_j ← Σ o_k); for odd σ also r_k = −r_j (o_j ← o_j − o_k);
 *  (iv)  drop low-amplitude neurons (‖o_k‖‖r_k‖ ≤ lowAmplitude·max);
 *  (v)   group by direction (leader grouping, `groupNeurons`, cosine ≥ threshold): for positively homogeneous σ
 *        keep the leader j and set o_j ← Σ_k s_k o_k ‖r_k‖/‖r_j‖ (E6 rule, SPEC §7 E6; s_k = −1 only for odd σ);
 *        for other σ keep the leader's row and set o_j ← Σ_k s_k o_k.
 * Steps (i)–(iii), and (v) for equal directions with homogeneous σ, leave f unchanged (up to rounding).
 */
export function mergeNeurons(net: Net, opts: MergeOptions = {}): { net: Net; layers: LayerMergeStats[] } {
  const threshold = opts.threshold ?? 1;
  const low = opts.lowAmplitude ?? 0;
  const tol = opts.exactTolerance ?? 1e-10;
  if (!(threshold > -1 && threshold <= 1)) throw new InputError(`similarity threshold must be in (−1, 1], got ${threshold}`);
  if (!(low >= 0) || !Number.isFinite(low)) throw new InputError(`low-amplitude fraction must be a number ≥ 0, got ${low}`);
  if (!(tol >= 0) || !Number.isFinite(tol)) throw new InputError(`exact tolerance must be a number ≥ 0, got ${tol}`);
  const act = activation(net.arch.activation);
  let cur: Net = { arch: net.arch, theta: Float64Array.from(net.theta) };
  const stats: LayerMergeStats[] = [];
  for (let l = 1; l < net.arch.widths.length - 1; l++) {
    const r = mergeLayer(cur, l, { threshold, low, tol, act });
    cur = r.net;
    stats.push(r.stats);
  }
  return { net: cur, layers: stats };
}

function mergeLayer(net: Net, l: number, o: { threshold: number; low: number; tol: number; act: ReturnType<typeof activation> }): { net: Net; stats: LayerMergeStats } {
  const n = layerNeurons(net, l);
  const m = n.width, d = n.inDim, k = n.outDim;
  const views = layerViews(net.arch.widths, net.theta);
  const nextB = Float64Array.from(views[l].b);
  const cols = Float64Array.from(n.cols); // outgoing columns, modified by merges
  const alive = new Uint8Array(m).fill(1);
  const stats: LayerMergeStats = { layer: l, widthBefore: m, widthAfter: 0, nullDropped: 0, constantFolded: 0, duplicatesMerged: 0, lowAmplitudeDropped: 0, directionMerged: 0, kept: [] };
  const maxCol = n.colNorm.reduce((a, b) => Math.max(a, b), 0);
  // (i) null neurons
  for (let j = 0; j < m; j++) if (n.colNorm[j] <= o.tol * maxCol) { alive[j] = 0; stats.nullDropped++; }
  // (ii) constant neurons: zero incoming weights (bias only)
  for (let j = 0; j < m; j++) {
    if (!alive[j]) continue;
    let w = 0;
    for (let c = 0; c < d - 1; c++) w = Math.max(w, Math.abs(n.rows[j * d + c]));
    if (w > o.tol * Math.max(1, Math.abs(n.rows[j * d + d - 1]))) continue;
    const s = o.act.f(n.rows[j * d + d - 1]);
    for (let i = 0; i < k; i++) nextB[i] += cols[j * k + i] * s;
    alive[j] = 0; stats.constantFolded++;
  }
  // (iii) equal (or, for odd σ, opposite) incoming rows
  for (let j = 0; j < m; j++) {
    if (!alive[j]) continue;
    const scale = o.tol * Math.max(1, n.rowNorm[j]);
    for (let q = j + 1; q < m; q++) {
      if (!alive[q]) continue;
      let eq = true, opp = o.act.odd;
      for (let c = 0; c < d && (eq || opp); c++) {
        const a = n.rows[j * d + c], b = n.rows[q * d + c];
        if (Math.abs(a - b) > scale) eq = false;
        if (Math.abs(a + b) > scale) opp = false;
      }
      if (!eq && !opp) continue;
      const s = eq ? 1 : -1;
      for (let i = 0; i < k; i++) cols[j * k + i] += s * cols[q * k + i];
      alive[q] = 0; stats.duplicatesMerged++;
    }
  }
  // (iv) low amplitude (on the merged columns)
  const amp = new Float64Array(m);
  let maxAmp = 0;
  for (let j = 0; j < m; j++) {
    if (!alive[j]) continue;
    let s = 0;
    for (let i = 0; i < k; i++) s += cols[j * k + i] ** 2;
    amp[j] = Math.sqrt(s) * n.rowNorm[j];
    maxAmp = Math.max(maxAmp, amp[j]);
  }
  if (o.low > 0) for (let j = 0; j < m; j++) if (alive[j] && amp[j] <= o.low * maxAmp) { alive[j] = 0; stats.lowAmplitudeDropped++; }
  // (v) direction groups
  if (o.threshold < 1 || o.act.positivelyHomogeneous) {
    const exclude = Array.from(alive, (a) => a === 0);
    const groups = groupNeurons({ ...n, amplitude: amp }, { threshold: o.threshold, signSymmetric: o.act.odd, exclude });
    for (const g of groups) {
      const j = g.leader;
      for (let t = 1; t < g.members.length; t++) {
        const q = g.members[t], s = g.signs[t];
        const f = o.act.positivelyHomogeneous ? (s * n.rowNorm[q]) / n.rowNorm[j] : s;
        for (let i = 0; i < k; i++) cols[j * k + i] += f * cols[q * k + i];
        alive[q] = 0; stats.directionMerged++;
      }
    }
  }
  const kept: number[] = [];
  for (let j = 0; j < m; j++) if (alive[j]) kept.push(j);
  if (kept.length === 0) kept.push(largest(amp, n.amplitude)); // keep one neuron so the architecture stays valid
  for (const j of kept) if (!alive[j]) { for (let i = 0; i < k; i++) cols[j * k + i] = 0; }
  stats.kept = kept;
  stats.widthAfter = kept.length;
  // rebuild θ with layer l narrowed to `kept`
  const widths = [...net.arch.widths];
  widths[l] = kept.length;
  const arch = makeArch(widths, net.arch.activation, net.arch.loss);
  const out = createNet(arch);
  const oldV = layerViews(net.arch.widths, net.theta), newV = layerViews(widths, out.theta);
  for (let q = 0; q < oldV.length; q++) {
    const ov = oldV[q], nv = newV[q];
    if (q === l - 1) {
      kept.forEach((j, r) => { nv.W.set(ov.W.subarray(j * ov.cols, (j + 1) * ov.cols), r * nv.cols); nv.b[r] = ov.b[j]; });
    } else if (q === l) {
      for (let i = 0; i < nv.rows; i++) kept.forEach((j, c) => { nv.W[i * nv.cols + c] = cols[j * k + i]; });
      nv.b.set(nextB);
    } else {
      nv.W.set(ov.W); nv.b.set(ov.b);
    }
  }
  return { net: out, stats };
}

function largest(a: Float64Array, fallback: Float64Array): number {
  let best = 0;
  for (let j = 1; j < a.length; j++) if (a[j] > a[best] || (a[best] === 0 && fallback[j] > fallback[best])) best = j;
  return best;
}
