import type { Dataset } from "../data/dataset.js";
import { createNet, layout, makeArch, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { InputError } from "../util/errors.js";

/**
 * The path of SPEC §5.4 that connects permuted minima through one buffer neuron. In hidden layer l
 * a neuron s has a row r_s = (W^[l]_{s,:}, b^[l]_s) (incoming weights with bias) and a column
 * o_s = W^[l+1]_{:,s} (outgoing weights). With a buffer neuron b (o_b = 0) the transposition (i j)
 * is realised by straight segments, each keeping the network function constant:
 *   1. r_b → r_i (o_b = 0)            2. (o_i, o_b) ← ((1−t)o_i, t·o_i)     3. r_i → r_j (o_i = 0)
 *   4. (o_i, o_j) ← (t·o_j, (1−t)o_j)  5. r_j → r_i^old (o_j = 0)            6. (o_j, o_b) ← (t·o_i^old, (1−t)o_i^old)
 *   7. r_b → its start (o_b = 0; optional).
 */

function hiddenLayerCheck(net: Net, l: number): void {
  const L = net.arch.widths.length - 1;
  if (!Number.isInteger(l) || l < 1 || l > L - 1) throw new InputError(`layer ${l} is not a hidden layer (hidden layers are 1..${L - 1})`);
}

/** Row r_s = (W^[l]_{s,:}, b^[l]_s) of neuron s (0-based) in hidden layer l. */
export function neuronRow(net: Net, l: number, s: number): Float64Array {
  const Ly = layout(net.arch.widths).layers[l - 1];
  const r = new Float64Array(Ly.cols + 1);
  for (let c = 0; c < Ly.cols; c++) r[c] = net.theta[Ly.w + s * Ly.cols + c];
  r[Ly.cols] = net.theta[Ly.b + s];
  return r;
}

/** Column o_s = W^[l+1]_{:,s} of neuron s in hidden layer l. */
export function neuronColumn(net: Net, l: number, s: number): Float64Array {
  const Ly = layout(net.arch.widths).layers[l];
  const o = new Float64Array(Ly.rows);
  for (let q = 0; q < Ly.rows; q++) o[q] = net.theta[Ly.w + q * Ly.cols + s];
  return o;
}

function setRow(theta: Float64Array, widths: readonly number[], l: number, s: number, r: ArrayLike<number>): void {
  const Ly = layout(widths).layers[l - 1];
  for (let c = 0; c < Ly.cols; c++) theta[Ly.w + s * Ly.cols + c] = r[c];
  theta[Ly.b + s] = r[Ly.cols];
}

function setColumn(theta: Float64Array, widths: readonly number[], l: number, s: number, o: ArrayLike<number>): void {
  const Ly = layout(widths).layers[l];
  for (let q = 0; q < Ly.rows; q++) theta[Ly.w + q * Ly.cols + s] = o[q];
}

/**
 * Append a buffer neuron (SPEC §5.4) to hidden layer l: incoming row `row` (default 0, length
 * m_{l−1} + 1 with the bias last) and zero outgoing column, so the function is unchanged.
 */
export function addBufferNeuron(net: Net, l: number, row?: ArrayLike<number>): Net {
  hiddenLayerCheck(net, l);
  const old = net.arch.widths;
  if (row && row.length !== old[l - 1] + 1) throw new InputError(`buffer row needs ${old[l - 1] + 1} entries (weights and bias), got ${row.length}`);
  const widths = old.map((w, k) => (k === l ? w + 1 : w));
  const arch = makeArch(widths, net.arch.activation, net.arch.loss);
  const out = createNet(arch);
  const Lo = layout(old).layers, Ln = layout(widths).layers;
  for (let k = 0; k < Lo.length; k++) {
    const a = Lo[k], b = Ln[k];
    for (let i = 0; i < a.rows; i++) {
      for (let c = 0; c < a.cols; c++) out.theta[b.w + i * b.cols + c] = net.theta[a.w + i * a.cols + c];
      out.theta[b.b + i] = net.theta[a.b + i];
    }
  }
  if (row) setRow(out.theta, widths, l, widths[l] - 1, row);
  return out;
}

/** One buffer neuron appended to every hidden layer (what connects all r*_1!⋯r*_{L−1}! minima). */
export function addBufferNeurons(net: Net): Net {
  let out = net;
  for (let l = 1; l < net.arch.widths.length - 1; l++) out = addBufferNeuron(out, l);
  return out;
}

/** A piecewise-linear path: vertices θ_0, …, θ_S (same architecture) and one label per segment. */
export interface SymmetryPath {
  arch: Net["arch"];
  layer: number;
  swapped: [number, number];
  buffer: number;
  vertices: Float64Array[];
  labels: string[];
}

/**
 * The 6–7 segment path of SPEC §5.4 swapping neurons i and j (0-based) of hidden layer l of a net whose
 * last neuron in layer l is the buffer (o_b = 0; see `addBufferNeuron`). `restoreBuffer` adds segment 7.
 */
export function swapPath(net: Net, l: number, i: number, j: number, opts: { restoreBuffer?: boolean } = {}): SymmetryPath {
  hiddenLayerCheck(net, l);
  const widths = net.arch.widths;
  const b = widths[l] - 1;
  for (const [name, v] of [["i", i], ["j", j]] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= b) throw new InputError(`neuron ${name} = ${v} is not one of the ${b} non-buffer neurons of layer ${l}`);
  }
  if (i === j) throw new InputError("the two neurons to swap must differ");
  const ob = neuronColumn(net, l, b);
  if (ob.some((v) => v !== 0)) throw new InputError(`the last neuron of layer ${l} is not a buffer (its outgoing weights are not 0)`);
  const ri = neuronRow(net, l, i), rj = neuronRow(net, l, j), rb = neuronRow(net, l, b);
  const oi = neuronColumn(net, l, i), oj = neuronColumn(net, l, j);
  const zero = new Float64Array(oi.length);
  const vertices: Float64Array[] = [net.theta.slice()];
  const labels: string[] = [];
  const step = (label: string, edit: (t: Float64Array) => void): void => {
    const t = vertices[vertices.length - 1].slice();
    edit(t);
    vertices.push(t);
    labels.push(label);
  };
  step("r_b → r_i", (t) => setRow(t, widths, l, b, ri));
  step("o_i → o_b", (t) => { setColumn(t, widths, l, i, zero); setColumn(t, widths, l, b, oi); });
  step("r_i → r_j", (t) => setRow(t, widths, l, i, rj));
  step("o_j → o_i", (t) => { setColumn(t, widths, l, i, oj); setColumn(t, widths, l, j, zero); });
  step("r_j → r_i(old)", (t) => setRow(t, widths, l, j, ri));
  step("o_b → o_j", (t) => { setColumn(t, widths, l, j, oi); setColumn(t, widths, l, b, zero); });
  if (opts.restoreBuffer ?? true) step("r_b → start", (t) => setRow(t, widths, l, b, rb));
  return { arch: net.arch, layer: l, swapped: [i, j], buffer: b, vertices, labels };
}

/** The point at parameter s ∈ [0, S] of the path (segment ⌊s⌋, fraction s − ⌊s⌋). */
export function pathPoint(path: SymmetryPath, s: number, out = new Float64Array(path.vertices[0].length)): Float64Array {
  const S = path.vertices.length - 1;
  const k = Math.min(Math.max(Math.floor(s), 0), S - 1);
  const t = Math.min(Math.max(s - k, 0), 1);
  const a = path.vertices[k], b = path.vertices[k + 1];
  for (let p = 0; p < out.length; p++) out[p] = (1 - t) * a[p] + t * b[p];
  return out;
}

/**
 * Permutation relating two nets of the same architecture in hidden layer l: perm[q] = p when neuron q
 * of `end` has the row and column that neuron p of `start` had (max-abs tolerance `tol`); null
 * entries where no neuron matches. Other layers must agree exactly up to `tol` as well (else throws).
 */
export function layerPermutation(start: Net, end: Net, l: number, tol = 0): (number | null)[] {
  hiddenLayerCheck(start, l);
  const m = start.arch.widths[l];
  const close = (a: Float64Array, b: Float64Array): boolean => a.every((v, k) => Math.abs(v - b[k]) <= tol);
  const perm: (number | null)[] = [];
  for (let q = 0; q < m; q++) {
    const rq = neuronRow(end, l, q), oq = neuronColumn(end, l, q);
    let found: number | null = null;
    for (let p = 0; p < m && found === null; p++) if (close(rq, neuronRow(start, l, p)) && close(oq, neuronColumn(start, l, p))) found = p;
    perm.push(found);
  }
  return perm;
}

export interface PathTrace {
  /** Path parameter s ∈ [0, S], segment index, loss, max_i |f_s(x_i) − f_0(x_i)| at each sample. */
  points: { s: number; segment: number; loss: number; outputDeviation: number }[];
  startLoss: number;
  maxLoss: number;
  maxLossDeviation: number;
  maxOutputDeviation: number;
}

/** Evaluate loss and output deviation (vs the start) along the path at `perSegment` + 1 points per segment. */
export function tracePath(path: SymmetryPath, data: Dataset, perSegment = 50): PathTrace {
  if (!Number.isInteger(perSegment) || perSegment < 1) throw new InputError(`samples per segment must be a positive whole number, got ${perSegment}`);
  const ev = new Evaluator(path.arch, data);
  const startLoss = ev.loss(path.vertices[0]);
  const f0 = ev.outputs(path.vertices[0]).slice();
  const theta = new Float64Array(path.vertices[0].length);
  const points: PathTrace["points"] = [];
  let maxLoss = startLoss, maxLossDeviation = 0, maxOutputDeviation = 0;
  const S = path.vertices.length - 1;
  for (let k = 0; k < S; k++) {
    for (let q = k === 0 ? 0 : 1; q <= perSegment; q++) {
      const s = k + q / perSegment;
      pathPoint(path, s, theta);
      const loss = ev.loss(theta);
      const f = ev.outputs(theta);
      let dev = 0;
      for (let p = 0; p < f.length; p++) dev = Math.max(dev, Math.abs(f[p] - f0[p]));
      points.push({ s, segment: k + 1, loss, outputDeviation: dev });
      maxLoss = Math.max(maxLoss, loss);
      maxLossDeviation = Math.max(maxLossDeviation, Math.abs(loss - startLoss));
      maxOutputDeviation = Math.max(maxOutputDeviation, dev);
    }
  }
  return { points, startLoss, maxLoss, maxLossDeviation, maxOutputDeviation };
}
