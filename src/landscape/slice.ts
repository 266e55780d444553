import type { Dataset } from "../data/dataset.js";
import { affineFamilyBasis } from "../embed/apply.js";
import type { Embedding } from "../embed/embedding.js";
import { eigenSystem } from "../linalg/inertia.js";
import { norm2 } from "../linalg/dense.js";
import { layout, type Arch } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";

/** How a random direction's 1-D blocks (biases) are treated, as in Li et al.'s `--xignore`. */
export type BiasDirection = "zero" | "copy" | "filter";

/**
 * A random direction with filter normalisation (Li, Xu, Taylor, Studer, Goldstein, NeurIPS 2018, §4):
 * d ~ N(0, I), then every filter — for a fully connected layer, row i of W^[l], the incoming weights of
 * neuron i — is rescaled to the norm of the same filter of θ: d_{l,i} ← d_{l,i}/‖d_{l,i}‖·‖θ_{l,i}‖. This
 * makes slices of nets that differ by the positive rescaling symmetries of ReLU layers comparable.
 * Biases: `zero` (Li et al.'s `biasbn`: no motion), `copy` (their default: d_b = b) or `filter` (the bias
 * is treated as one more entry of the neuron's row, i.e. the augmented row (w_i, b_i) is normalised).
 */
export function filterNormalizedDirection(arch: Arch, theta: Float64Array, seed: number, biases: BiasDirection = "zero"): Float64Array {
  const { layers, size } = layout(arch.widths);
  if (theta.length !== size) throw new InputError(`θ has ${theta.length} entries, the architecture expects ${size}`);
  const d = new Float64Array(size);
  new Rng(seed).fillNormal(d);
  for (const lay of layers) {
    for (let i = 0; i < lay.rows; i++) {
      const w0 = lay.w + i * lay.cols;
      let dn = 0, tn = 0;
      for (let k = 0; k < lay.cols; k++) { dn += d[w0 + k] ** 2; tn += theta[w0 + k] ** 2; }
      if (biases === "filter") { dn += d[lay.b + i] ** 2; tn += theta[lay.b + i] ** 2; }
      const s = dn > 0 ? Math.sqrt(tn / dn) : 0;
      for (let k = 0; k < lay.cols; k++) d[w0 + k] *= s;
      if (biases === "filter") d[lay.b + i] *= s;
      else d[lay.b + i] = biases === "copy" ? theta[lay.b + i] : 0;
    }
  }
  return d;
}

/**
 * The eigenvectors of the k lowest Hessian eigenvalues at θ (SPEC §1.4): at a strict saddle the first ones
 * are its escape directions (R decreases to second order along them). Dense eigendecomposition of the exact
 * Hessian, so P is limited by memory (P² doubles); unit vectors, eigenvalues ascending.
 */
export function lowestHessianDirections(arch: Arch, data: Dataset, theta: Float64Array, k: number): { values: number[]; vectors: Float64Array[] } {
  const ev = new Evaluator(arch, data);
  const P = ev.P;
  if (!(k >= 1 && k <= P)) throw new InputError(`asked for ${k} Hessian directions of a net with ${P} parameters`);
  const { values, vectors } = eigenSystem(ev.hessian(theta), P);
  const out: Float64Array[] = [];
  for (let j = 0; j < k; j++) out.push(vectors.slice(j * P, (j + 1) * P)); // eigenvector j is contiguous at j·P
  return { values: Array.from(values.subarray(0, k)), vectors: out };
}

/**
 * The directions of the critical affine family of an embedding (SPEC §2.8, §3.3): wide θ' = T_{π,β}θ moves
 * along v_i without changing the output function, so R is constant on the whole line θ' + t v_i (flat by
 * theorem, for every t — a slice along it is the plot of that theorem). One vector per free ratio.
 */
export function affineFamilyDirections(e: Embedding, narrowTheta: Float64Array): Float64Array[] {
  const basis = affineFamilyBasis(e, narrowTheta);
  if (basis.length === 0) throw new InputError("this embedding has no free ratio (no narrow neuron with copies and a non-zero outgoing weight): its critical family is a point");
  return basis;
}

/** R along θ0 + t·d for every t (SPEC §1.1); one evaluator, one work vector. */
export interface Slice1d {
  t: number[];
  loss: number[];
}

/**
 * Loss on the line θ(t) = θ0 + t·d at the given t (1-D slice). Interpolation between two nets A and B is
 * the special case d = θ_B − θ_A (t = 0 at A, t = 1 at B; Goodfellow, Vinyals & Saxe 2015).
 */
export function slice1d(arch: Arch, data: Dataset, theta0: Float64Array, d: Float64Array, ts: readonly number[]): Slice1d {
  const ev = new Evaluator(arch, data);
  if (d.length !== ev.P || theta0.length !== ev.P) throw new InputError(`direction has ${d.length} entries, the net has ${ev.P} parameters`);
  const th = new Float64Array(ev.P);
  const loss = ts.map((t) => {
    for (let i = 0; i < th.length; i++) th[i] = theta0[i] + t * d[i];
    return ev.loss(th);
  });
  return { t: [...ts], loss };
}

/** R on the plane θ0 + s·d1 + t·d2: loss[j][i] at (s_i, t_j). */
export interface Slice2d {
  s: number[];
  t: number[];
  loss: number[][];
}

/** Loss on a 2-D grid spanned by d1, d2 through θ0 (Li et al. 2018's contour plots). */
export function slice2d(arch: Arch, data: Dataset, theta0: Float64Array, d1: Float64Array, d2: Float64Array, ss: readonly number[], ts: readonly number[]): Slice2d {
  const ev = new Evaluator(arch, data);
  if (d1.length !== ev.P || d2.length !== ev.P || theta0.length !== ev.P) throw new InputError(`directions must have ${ev.P} entries`);
  const th = new Float64Array(ev.P);
  const loss = ts.map((t) => ss.map((s) => {
    for (let i = 0; i < th.length; i++) th[i] = theta0[i] + s * d1[i] + t * d2[i];
    return ev.loss(th);
  }));
  return { s: [...ss], t: [...ts], loss };
}

/** n evenly spaced points on [a, b] (both ends included; n ≥ 2). */
export function linspace(a: number, b: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 2) throw new InputError(`need at least 2 points, got ${n}`);
  if (!(Number.isFinite(a) && Number.isFinite(b) && a < b)) throw new InputError(`range must be finite with start < end, got ${a}..${b}`);
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/** The unit vector of d (‖d‖₂ = 1), for slices whose axis is a distance in parameter space. */
export function unit(d: Float64Array): Float64Array {
  const n = norm2(d);
  if (!(n > 0)) throw new InputError("direction is the zero vector");
  return d.map((x) => x / n);
}

/** One axis of a slice, as asked for on the command line. */
export type DirectionRequest =
  | { kind: "toward"; target: Float64Array }
  | { kind: "random"; seed: number; biases?: BiasDirection }
  | { kind: "hessian"; index: number }
  | { kind: "family"; embedding: Embedding; narrowTheta: Float64Array; index: number };

/** What an axis turned out to be: its kind, ‖d‖₂ and, where it has one, the Hessian eigenvalue. */
export interface DirectionInfo {
  kind: DirectionRequest["kind"];
  norm: number;
  eigenvalue?: number;
  seed?: number;
  index?: number;
}

/** A 1-D or 2-D slice through θ0 with its axes described (the `slice` command's result). */
export interface SliceResult {
  loss0: number;
  directions: DirectionInfo[];
  line?: Slice1d;
  plane?: Slice2d;
}

/**
 * Build the requested axes at θ0 and evaluate R along them: one axis → a line, two → a plane. Hessian and
 * family axes are unit vectors (their t is a distance in parameter space); random axes keep the filter
 * normalisation (t = 1 moves every neuron by its own norm); `toward` is θ_B − θ0 (t = 1 reaches B).
 */
export function landscapeSlice(arch: Arch, data: Dataset, theta0: Float64Array, axes: DirectionRequest[], ranges: Array<readonly number[]>): SliceResult {
  if (axes.length < 1 || axes.length > 2 || ranges.length !== axes.length) throw new InputError("a slice has one or two directions, each with its range");
  let hess: { values: number[]; vectors: Float64Array[] } | null = null;
  const built = axes.map((a): { d: Float64Array; info: DirectionInfo } => {
    if (a.kind === "toward") {
      if (a.target.length !== theta0.length) throw new InputError(`the target net has ${a.target.length} parameters, this one ${theta0.length}`);
      const d = a.target.map((x, i) => x - theta0[i]);
      return { d, info: { kind: "toward", norm: norm2(d) } };
    }
    if (a.kind === "random") {
      const d = filterNormalizedDirection(arch, theta0, a.seed, a.biases ?? "zero");
      return { d, info: { kind: "random", norm: norm2(d), seed: a.seed } };
    }
    if (a.kind === "hessian") {
      const need = Math.max(...axes.map((x) => (x.kind === "hessian" ? x.index + 1 : 1)));
      hess ??= lowestHessianDirections(arch, data, theta0, need);
      return { d: hess.vectors[a.index], info: { kind: "hessian", norm: 1, eigenvalue: hess.values[a.index], index: a.index } };
    }
    const basis = affineFamilyDirections(a.embedding, a.narrowTheta);
    if (!(a.index >= 0 && a.index < basis.length)) throw new InputError(`the critical family has ${basis.length} directions; asked for number ${a.index + 1}`);
    return { d: unit(basis[a.index]), info: { kind: "family", norm: 1, index: a.index } };
  });
  const loss0 = new Evaluator(arch, data).loss(theta0);
  const directions = built.map((b) => b.info);
  if (built.length === 1) return { loss0, directions, line: slice1d(arch, data, theta0, built[0].d, ranges[0]) };
  return { loss0, directions, plane: slice2d(arch, data, theta0, built[0].d, built[1].d, ranges[0], ranges[1]) };
}
