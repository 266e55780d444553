import { activation } from "../nn/activations.js";
import { layerViews, type Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";

/**
 * Per-neuron view of one hidden layer l (SPEC §7 E3/E6, §10 item 3):
 * incoming row r_j = (W^[l]_{j,:}, b^[l]_j) ∈ R^{m_{l−1}+1}, outgoing column o_j = W^[l+1]_{:,j} ∈ R^{m_{l+1}},
 * orientation r̂_j = r_j/‖r_j‖ (zero vector when r_j = 0), amplitude A_j = ‖o_j‖·‖r_j‖.
 */
export interface LayerNeurons {
  layer: number;
  width: number;
  /** m_{l−1} + 1 (incoming weights and the bias). */
  inDim: number;
  outDim: number;
  /** Incoming rows r_j, width × inDim row-major (copies). */
  rows: Float64Array;
  /** Outgoing columns o_j, width × outDim row-major (copies). */
  cols: Float64Array;
  rowNorm: Float64Array;
  colNorm: Float64Array;
  /** Orientations r̂_j (width × inDim). */
  orientation: Float64Array;
  amplitude: Float64Array;
}

/** Check that `layer` is a hidden layer of the net (1..L−1). */
export function checkHiddenLayer(net: Net, layer: number): void {
  const L = net.arch.widths.length - 1;
  if (!Number.isInteger(layer) || layer < 1 || layer >= L) {
    throw new InputError(L < 2 ? `the net ${net.arch.widths.join("-")} has no hidden layer` : `hidden layer ${layer} does not exist (hidden layers are 1..${L - 1})`);
  }
}

/** Incoming rows, outgoing columns, orientations and amplitudes of hidden layer l's neurons. */
export function layerNeurons(net: Net, layer: number): LayerNeurons {
  checkHiddenLayer(net, layer);
  const views = layerViews(net.arch.widths, net.theta);
  const inc = views[layer - 1], out = views[layer];
  const m = inc.rows, inDim = inc.cols + 1, outDim = out.rows;
  const rows = new Float64Array(m * inDim), cols = new Float64Array(m * outDim);
  const rowNorm = new Float64Array(m), colNorm = new Float64Array(m), orientation = new Float64Array(m * inDim), amplitude = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    rows.set(inc.W.subarray(j * inc.cols, (j + 1) * inc.cols), j * inDim);
    rows[j * inDim + inc.cols] = inc.b[j];
    for (let i = 0; i < outDim; i++) cols[j * outDim + i] = out.W[i * out.cols + j];
    rowNorm[j] = norm(rows, j * inDim, inDim);
    colNorm[j] = norm(cols, j * outDim, outDim);
    if (rowNorm[j] > 0) for (let c = 0; c < inDim; c++) orientation[j * inDim + c] = rows[j * inDim + c] / rowNorm[j];
    amplitude[j] = rowNorm[j] * colNorm[j];
  }
  return { layer, width: m, inDim, outDim, rows, cols, rowNorm, colNorm, orientation, amplitude };
}

function norm(a: Float64Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[off + i] * a[off + i];
  return Math.sqrt(s);
}

/** Cosine-similarity matrix C_jk = r̂_j · r̂_k (width × width, row-major; 0 for a zero row). */
export function similarityMatrix(n: LayerNeurons): Float64Array {
  const m = n.width, d = n.inDim, o = n.orientation;
  const C = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    for (let k = j; k < m; k++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += o[j * d + c] * o[k * d + c];
      C[j * m + k] = s;
      C[k * m + j] = s;
    }
  }
  return C;
}

/** One condensed group: a leader neuron and members with their sign (−1: merged through σ(−z) = −σ(z)). */
export interface NeuronGroup {
  leader: number;
  members: number[];
  signs: number[];
  /** Σ of member amplitudes (E3: merged neurons add their amplitudes). */
  amplitude: number;
  /** Smallest |cosine| between the leader and a member. */
  minSimilarity: number;
}

export interface GroupOptions {
  /** Cosine threshold in (−1, 1]: a neuron joins a group if cos(r̂_leader, r̂_k) ≥ threshold. */
  threshold: number;
  /** Also group anti-aligned neurons (cos ≤ −threshold) with sign −1 (valid for odd σ). */
  signSymmetric?: boolean;
  /** Neurons to leave out (e.g. low amplitude); they form no group. */
  exclude?: ArrayLike<boolean>;
}

/**
 * Leader grouping of neurons by orientation: visit neurons by decreasing amplitude; an ungrouped neuron
 * becomes a leader and collects every ungrouped neuron k with cos(r̂_leader, r̂_k) ≥ threshold
 * (or ≤ −threshold with sign −1 when `signSymmetric`). Every member is within the threshold of its leader
 * (so within-group similarity ≥ 2·threshold² − 1 between any two members); the result is deterministic.
 * Neurons with a zero incoming row have no orientation and are grouped with each other only.
 */
export function groupNeurons(n: LayerNeurons, opts: GroupOptions): NeuronGroup[] {
  const thr = opts.threshold;
  if (!(thr > -1 && thr <= 1)) throw new InputError(`similarity threshold must be in (−1, 1], got ${thr}`);
  const m = n.width, d = n.inDim, o = n.orientation;
  const slack = 1e-12; // rounding of cosines of identical directions
  const order = Array.from({ length: m }, (_, j) => j).sort((a, b) => n.amplitude[b] - n.amplitude[a] || a - b);
  const taken = new Uint8Array(m);
  const groups: NeuronGroup[] = [];
  for (const j of order) {
    if (taken[j] || opts.exclude?.[j]) continue;
    taken[j] = 1;
    const g: NeuronGroup = { leader: j, members: [j], signs: [1], amplitude: n.amplitude[j], minSimilarity: 1 };
    for (const k of order) {
      if (taken[k] || opts.exclude?.[k]) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += o[j * d + c] * o[k * d + c];
      const zeroJ = n.rowNorm[j] === 0, zeroK = n.rowNorm[k] === 0;
      let sign = 0;
      if (zeroJ || zeroK) { if (zeroJ && zeroK) { sign = 1; s = 1; } }
      else if (s >= thr - slack) sign = 1;
      else if (opts.signSymmetric && -s >= thr - slack) sign = -1;
      if (sign === 0) continue;
      taken[k] = 1;
      g.members.push(k); g.signs.push(sign); g.amplitude += n.amplitude[k];
      g.minSimilarity = Math.min(g.minSimilarity, Math.abs(s));
    }
    groups.push(g);
  }
  return groups;
}

/** Activation properties that decide which merges are exact (SPEC §10 item 3). */
export function mergeKind(actName: string): { odd: boolean; homogeneous: boolean; zeroAtZero: boolean } {
  const a = activation(actName);
  return { odd: a.odd, homogeneous: a.positivelyHomogeneous, zeroAtZero: a.zeroAtZero };
}

export interface CondensationOptions {
  threshold?: number;
  /** Neurons with amplitude ≤ lowAmplitude·max amplitude count as low-amplitude (default 1e-3). */
  lowAmplitude?: number;
}

export interface LayerCondensation {
  layer: number;
  width: number;
  threshold: number;
  orientation: number[][];
  amplitude: number[];
  /** Angle of r̂ in the plane of its first two coordinates (atan2(r̂_2, r̂_1) ∈ [−π, π]); for 1-D inputs this is the E3 direction of (w, b). */
  angle: number[];
  similarity: Float64Array;
  lowAmplitude: number[];
  groups: NeuronGroup[];
  /** Groups after leaving out low-amplitude neurons: the effective width. */
  effectiveWidth: number;
  signSymmetric: boolean;
  homogeneous: boolean;
}

/**
 * Condensation analysis of every hidden layer (SPEC §7 E3/E6): orientations, amplitudes, the cosine-similarity
 * matrix, low-amplitude neurons and leader groups at the threshold (sign-symmetric for odd σ; for positively
 * homogeneous σ, aligned neurons are exactly mergeable by the E6 rule).
 */
export function condensation(net: Net, opts: CondensationOptions = {}): LayerCondensation[] {
  const threshold = opts.threshold ?? 0.9;
  const low = opts.lowAmplitude ?? 1e-3;
  if (!(low >= 0) || !Number.isFinite(low)) throw new InputError(`low-amplitude fraction must be ≥ 0, got ${low}`);
  const kind = mergeKind(net.arch.activation);
  const out: LayerCondensation[] = [];
  for (let l = 1; l < net.arch.widths.length - 1; l++) {
    const n = layerNeurons(net, l);
    const maxA = n.amplitude.reduce((a, b) => Math.max(a, b), 0);
    const exclude = Array.from(n.amplitude, (a) => a <= low * maxA);
    const groups = groupNeurons(n, { threshold, signSymmetric: kind.odd, exclude });
    const orientation: number[][] = [], angle: number[] = [];
    for (let j = 0; j < n.width; j++) {
      const r = Array.from(n.orientation.subarray(j * n.inDim, (j + 1) * n.inDim));
      orientation.push(r);
      angle.push(Math.atan2(r[1] ?? 0, r[0]));
    }
    out.push({
      layer: l, width: n.width, threshold, orientation, amplitude: Array.from(n.amplitude), angle,
      similarity: similarityMatrix(n), lowAmplitude: exclude.flatMap((e, j) => (e ? [j] : [])), groups,
      effectiveWidth: groups.length, signSymmetric: kind.odd, homogeneous: kind.homogeneous,
    });
  }
  return out;
}
