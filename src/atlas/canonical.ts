import { mergeNeurons, type LayerMergeStats } from "../prune/merge.js";
import type { Dataset } from "../data/dataset.js";
import { activation } from "../nn/activations.js";
import { createNet, layerViews, makeArch, type Net } from "../nn/arch.js";
import { predict } from "../nn/functions.js";
import { sampleQuantities } from "../analysis/quantities.js";

/**
 * Canonical form of a critical point's output function (SPEC §10 item 3, §3.2): the representative of its
 * critical *set* modulo (a) permutations of hidden neurons, (b) sign flips (w, b, o) ↦ (−w, −b, −o) for odd σ,
 * and (c) motion along an embedded affine family {T_{π,β}θ_narrow} (split ratios β, null neurons).
 *
 * Exact reduction first (the inverse of an embedding, `mergeNeurons` steps i–iii): drop neurons with a zero
 * outgoing column, fold neurons with zero incoming weights into the next bias, merge neurons with equal (or, for
 * odd σ, opposite) incoming rows by summing their outgoing columns — all with the relative tolerance `tolerance`,
 * which is reported together with the largest output change it caused on the data. Then, layer by layer from the
 * input: odd σ ⇒ flip each neuron so the first non-negligible entry of its incoming row (w, b) is positive; sort the
 * neurons by incoming row, lexicographically (entries within the tolerance count as equal), permuting the next
 * layer's columns with them. Every point of one embedded family (every β, every null neuron) has the same form.
 */
export interface CanonicalForm {
  /** Widths after reduction: the narrowest net realising the function (its hidden widths give the root width). */
  widths: number[];
  theta: Float64Array;
  /** Relative tolerance of "equal row" / "zero column" used by the reduction. */
  tolerance: number;
  /** max_i |f_reduced(x_i) − f(x_i)| over the data (0 up to rounding when the reduction is exact). */
  maxOutputChange: number;
  layers: Array<Pick<LayerMergeStats, "layer" | "widthBefore" | "widthAfter" | "nullDropped" | "constantFolded" | "duplicatesMerged">>;
}

export const DEFAULT_REDUCTION_TOLERANCE = 1e-6;

export function canonicalForm(net: Net, data: Dataset, tolerance = DEFAULT_REDUCTION_TOLERANCE): CanonicalForm {
  const merged = mergeNeurons(silenceNegligible(net, data, tolerance), { exactTolerance: tolerance });
  const widths = [...merged.net.arch.widths];
  const theta = Float64Array.from(merged.net.theta);
  const odd = activation(net.arch.activation).odd;
  const views = layerViews(widths, theta);
  for (let l = 1; l < widths.length - 1; l++) {
    const { W, b, rows: m, cols: d } = views[l - 1];
    const next = views[l];
    const k = next.rows;
    const rowOf = (j: number): number[] => [...Array.from(W.subarray(j * d, (j + 1) * d)), b[j]];
    let rowsArr = Array.from({ length: m }, (_, j) => rowOf(j));
    let colsArr = Array.from({ length: m }, (_, j) => Array.from({ length: k }, (_, i) => next.W[i * m + j]));
    // a layer reduced to nothing keeps one neuron (the architecture needs m ≥ 1): make it the zero neuron
    for (let j = 0; j < m; j++) if (colsArr[j].every((x) => x === 0)) rowsArr[j] = rowsArr[j].map(() => 0);
    if (odd) {
      for (let j = 0; j < m; j++) {
        const r = rowsArr[j], scale = tolerance * Math.max(1, Math.max(...r.map(Math.abs)));
        const first = r.find((x) => Math.abs(x) > scale) ?? 0;
        if (first < 0) { rowsArr[j] = r.map((x) => -x); colsArr[j] = colsArr[j].map((x) => -x); }
      }
    }
    const order = Array.from({ length: m }, (_, j) => j).sort((a, c) => compareRows(rowsArr[a], rowsArr[c], tolerance));
    rowsArr = order.map((j) => rowsArr[j]);
    colsArr = order.map((j) => colsArr[j]);
    for (let j = 0; j < m; j++) {
      for (let c = 0; c < d; c++) W[j * d + c] = rowsArr[j][c];
      b[j] = rowsArr[j][d];
      for (let i = 0; i < k; i++) next.W[i * m + j] = colsArr[j][i];
    }
  }
  const reduced = createNet(makeArch(widths, net.arch.activation, net.arch.loss), theta);
  const f0 = predict(net.arch, net.theta, data.x, data.n), f1 = predict(reduced.arch, reduced.theta, data.x, data.n);
  let change = 0;
  for (let i = 0; i < f0.length; i++) change = Math.max(change, Math.abs(f0[i] - f1[i]));
  return {
    widths, theta, tolerance, maxOutputChange: change,
    layers: merged.layers.map((s) => ({ layer: s.layer, widthBefore: s.widthBefore, widthAfter: s.widthAfter, nullDropped: s.nullDropped, constantFolded: s.constantFolded, duplicatesMerged: s.duplicatesMerged })),
  };
}

/**
 * Zero the outgoing column of every hidden neuron whose contribution to the next layer over the data,
 * ‖o_j‖·max_i |f_j(x_i)|, is at most tolerance·(1 + max_i |y_i|): a neuron shrunk to ~0 (the saddle at the origin of
 * its own weights) is then dropped as a null neuron. Approximate, so the change of f is reported by the caller.
 */
function silenceNegligible(net: Net, data: Dataset, tolerance: number): Net {
  const theta = Float64Array.from(net.theta);
  const widths = net.arch.widths;
  const views = layerViews(widths, theta);
  const sq = sampleQuantities({ arch: net.arch, theta }, data);
  let ymax = 0;
  for (const y of data.y) ymax = Math.max(ymax, Math.abs(y));
  const floor = tolerance * (1 + ymax);
  for (let l = 1; l < widths.length - 1; l++) {
    const m = widths[l], next = views[l], F = sq.f[l];
    for (let j = 0; j < m; j++) {
      let fmax = 0, o = 0;
      for (let i = 0; i < data.n; i++) fmax = Math.max(fmax, Math.abs(F[i * m + j]));
      for (let r = 0; r < next.rows; r++) o += next.W[r * m + j] ** 2;
      if (Math.sqrt(o) * fmax <= floor) for (let r = 0; r < next.rows; r++) next.W[r * m + j] = 0;
    }
  }
  return { arch: net.arch, theta };
}

function compareRows(a: number[], c: number[], tol: number): number {
  const scale = tol * Math.max(1, ...a.map(Math.abs), ...c.map(Math.abs));
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - c[i]) > scale) return a[i] - c[i];
  return 0;
}

/**
 * Live hidden widths of a canonical form (neurons with a non-zero outgoing column), e.g. [2] for 1-2-1 and [0] for a
 * constant function (whose one kept neuron is the zero neuron): the root width of a single-hidden-layer template.
 */
export function rootWidths(c: Pick<CanonicalForm, "widths" | "theta">): number[] {
  const views = layerViews(c.widths, Float64Array.from(c.theta));
  return c.widths.slice(1, -1).map((m, i) => {
    const next = views[i + 1];
    let live = 0;
    for (let j = 0; j < m; j++) { let nz = false; for (let r = 0; r < next.rows; r++) if (next.W[r * m + j] !== 0) nz = true; if (nz) live++; }
    return live;
  });
}

/**
 * Do two canonical forms describe the same critical set? Same reduced widths and every parameter within
 * `tolerance`·(1 + max|θ|). For one hidden layer a neuron-by-neuron matching is also tried, so that the sort order of
 * near-tied neurons cannot split one set into two.
 */
export function sameCanonical(a: { widths: readonly number[]; theta: ArrayLike<number> }, b: { widths: readonly number[]; theta: ArrayLike<number> }, tolerance = 1e-5): boolean {
  if (a.widths.length !== b.widths.length || a.widths.some((w, i) => w !== b.widths[i]) || a.theta.length !== b.theta.length) return false;
  let big = 0;
  for (let i = 0; i < a.theta.length; i++) big = Math.max(big, Math.abs(a.theta[i]), Math.abs(b.theta[i]));
  const eps = tolerance * (1 + big);
  let same = true;
  for (let i = 0; i < a.theta.length && same; i++) if (Math.abs(a.theta[i] - b.theta[i]) > eps) same = false;
  if (same || a.widths.length !== 3) return same;
  // one hidden layer: match neurons (incoming row, outgoing column) greedily; output bias must agree
  const [d, m, k] = a.widths;
  const neuron = (t: ArrayLike<number>, j: number): number[] => {
    const v: number[] = [];
    for (let c = 0; c < d; c++) v.push(t[j * d + c]);
    v.push(t[m * d + j]);
    for (let i = 0; i < k; i++) v.push(t[m * d + m + i * m + j]);
    return v;
  };
  const off = m * d + m + k * m;
  for (let i = 0; i < k; i++) if (Math.abs(a.theta[off + i] - b.theta[off + i]) > eps) return false;
  const used = new Uint8Array(m);
  for (let j = 0; j < m; j++) {
    const u = neuron(a.theta, j);
    let hit = -1;
    for (let q = 0; q < m && hit < 0; q++) if (!used[q] && neuron(b.theta, q).every((x, i) => Math.abs(x - u[i]) <= eps)) hit = q;
    if (hit < 0) return false;
    used[hit] = 1;
  }
  return true;
}
