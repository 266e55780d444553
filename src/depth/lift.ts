import type { Dataset } from "../data/dataset.js";
import { activation, type Activation } from "../nn/activations.js";
import { createNet, layout, makeArch, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { eigenSystem } from "../linalg/inertia.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { matMul, maxAbs, pseudoInverse, transpose } from "../linalg/dense.js";

/** One affine piece σ(z) = slope·z + offset on the open interval (lo, hi) (SPEC §4.2). */
export interface Piece { readonly lo: number; readonly hi: number; readonly slope: number; readonly offset: number }

/** A critical lifting θ_A → θ_B (SPEC §4.2): the inserted layer (A, c), the replaced next layer (B, d). */
export interface Lift {
  /** The deeper net θ_B. */
  readonly net: Net;
  /** Layer index q after which the new layer was inserted (0 = right after the input). */
  readonly after: number;
  /** Width m′ of the inserted layer. */
  readonly width: number;
  /** m_q (input width of the inserted layer) and m_{q+1} (output width of the replaced layer). */
  readonly mq: number;
  readonly mNext: number;
  readonly A: Float64Array; // m′×m_q
  readonly c: Float64Array; // m′
  readonly B: Float64Array; // m_{q+1}×m′
  readonly d: Float64Array; // m_{q+1}
  /** Per inserted neuron: the affine piece it sits in on the data (K = diag slope, τ = offset). */
  readonly pieces: Piece[];
  /** Signed distance of the inserted pre-activations to the piece ends, min over data and neurons (> 0: inside). */
  readonly margin: number;
  /** The same per inserted neuron. */
  readonly neuronMargins: number[];
  /** Number of (input, neuron) pairs outside the neuron's piece (0 for an exact lifting). */
  readonly violations: number;
  /** max |B K A − W^[q+1]| and max |B(Kc+τ) + d − b^[q+1]| (constraints (i), (ii)). */
  readonly factorResidual: number;
  readonly biasResidual: number;
  /** True when (i)–(iii) hold: the lifting is exact on the data. */
  readonly exact: boolean;
  /** True when the inserted layer is affine for every input (interval bound over the range of f^[q]), not only on S. */
  readonly holdsEverywhere: boolean;
}

export interface LiftOptions {
  /** q ∈ {0..L−1}: insert after layer q. */
  after: number;
  /** m′ ≥ 1. */
  width: number;
  /** Inserted weights A (m′×m_q row-major); default: identity rows (m′ ≥ m_q) or W^[q+1]'s top right singular vectors. */
  A?: ArrayLike<number>;
  /** Inserted bias c (m′); default: shift each neuron into its piece with the requested margin. */
  c?: ArrayLike<number>;
  /** Wanted distance of all inserted pre-activations to the kinks (default 1). */
  margin?: number;
  /** Per-neuron piece index into activation(σ).affinePieces (e.g. ReLU 0 = dead, 1 = active); default: the widest piece with slope ≠ 0. */
  pieces?: number[];
  /** Build θ_B even when (iii) fails (for tests that must fail); otherwise that is an InputError. */
  allowViolations?: boolean;
}

/** Range [lo, hi] of σ over ℝ (for interval bounds on f^[q]). */
function activationRange(act: Activation): [number, number] {
  const lo = Math.min(act.f(-1e300), act.f(0), act.f(1e300));
  const hi = Math.max(act.f(-1e300), act.f(0), act.f(1e300));
  return [lo < -1e200 ? -Infinity : lo, hi > 1e200 ? Infinity : hi];
}

/** Default piece for an inserted neuron: slope ≠ 0, widest interval. */
export function defaultPiece(act: Activation): number {
  let best = -1, bestLen = -1;
  act.affinePieces.forEach((p, i) => {
    const len = p.hi - p.lo;
    if (p.slope !== 0 && len > bestLen) { best = i; bestLen = len; }
  });
  if (best < 0) throw new InputError(`activation ${act.name} has no affine piece with non-zero slope: no exact critical lifting (use the approximate near-identity insertion)`);
  return best;
}

/** Features f^[q] (n×m_q) of the training inputs; q = 0 gives the inputs themselves. */
export function featuresAt(net: Net, data: Dataset, q: number): Float64Array {
  if (q === 0) return data.x;
  return Float64Array.from(new Evaluator(net.arch, data).features(net.theta, q));
}

/** Signed distance of v to the ends of (lo, hi) (positive inside). */
function insideDistance(v: number, p: Piece): number {
  return Math.min(v - p.lo, p.hi - v);
}

/**
 * Critical lifting operator (SPEC §4.2): insert a layer of width m′ after layer q of θ_A so that, on the
 * training inputs, every inserted neuron j stays in an affine piece σ(z) = κ_j z + τ_j of the net's activation,
 * and replace (W^[q+1], b^[q+1]) by (B, d) with B K A = W^[q+1], B(Kc+τ) + d = b^[q+1]. Then f_{θ_B} = f_{θ_A} on S
 * and every critical θ_A gives a critical θ_B. The margin to the kinks and the constraint residuals are reported.
 */
export function liftNet(net: Net, data: Dataset, opts: LiftOptions): Lift {
  const act = activation(net.arch.activation);
  const widths = net.arch.widths, L = widths.length - 1;
  const q = opts.after, mp = opts.width;
  if (!Number.isInteger(q) || q < 0 || q > L - 1) throw new InputError(`--after must be a layer 0..${L - 1} of ${widths.join("-")}, got ${q}`);
  if (!Number.isInteger(mp) || mp < 1) throw new InputError(`inserted width must be a positive integer, got ${mp}`);
  const margin = opts.margin ?? 1;
  if (!(margin > 0) || !Number.isFinite(margin)) throw new InputError(`margin must be a positive number, got ${margin}`);
  if (act.affinePieces.length === 0) throw new InputError(`activation ${act.name} has no affine piece: no exact critical lifting (use the approximate near-identity insertion)`);
  const mq = widths[q], mn = widths[q + 1];
  const lay = layout(widths).layers[q]; // layer q+1
  const W = net.theta.slice(lay.w, lay.w + mn * mq);
  const F = featuresAt(net, data, q), n = data.n;

  // pieces
  let pieceIdx: number[] | null = null;
  if (opts.pieces) {
    if (opts.pieces.length !== mp) throw new InputError(`pieces has ${opts.pieces.length} entries, inserted width is ${mp}`);
    for (const p of opts.pieces) if (!(Number.isInteger(p) && p >= 0 && p < act.affinePieces.length)) throw new InputError(`piece index ${p} is not one of 0..${act.affinePieces.length - 1} of ${act.name}`);
    pieceIdx = [...opts.pieces];
  }

  // A
  let A: Float64Array;
  if (opts.A) {
    if (opts.A.length !== mp * mq) throw new InputError(`A has ${opts.A.length} entries, expected ${mp}×${mq}`);
    A = Float64Array.from(opts.A);
  } else if (mp >= mq) {
    A = new Float64Array(mp * mq);
    for (let j = 0; j < mp; j++) A[j * mq + (j % mq)] = 1;
  } else {
    A = topRowSpace(W, mn, mq, mp);
  }
  // c
  let c: Float64Array;
  if (opts.c) {
    if (opts.c.length !== mp) throw new InputError(`c has ${opts.c.length} entries, expected ${mp}`);
    c = Float64Array.from(opts.c);
  } else {
    const def = defaultPiece(act);
    pieceIdx ??= new Array<number>(mp).fill(def);
    c = new Float64Array(mp);
    for (let j = 0; j < mp; j++) fitIntoPiece(A, c, j, mq, F, n, act.affinePieces[pieceIdx[j]], margin, opts.A !== undefined);
  }
  // pieces from the data when not given: the piece holding the most pre-activations of neuron j
  const Z = preActs(A, c, F, n, mp, mq);
  if (!pieceIdx) {
    pieceIdx = [];
    for (let j = 0; j < mp; j++) {
      let best = 0, bestScore = -Infinity;
      act.affinePieces.forEach((p, pi) => {
        let inside = 0, worst = Infinity;
        for (let i = 0; i < n; i++) { const s = insideDistance(Z[i * mp + j], p); if (s > 0) inside++; worst = Math.min(worst, s); }
        const score = inside * 1e6 + Math.max(-1e5, Math.min(1e5, worst));
        if (score > bestScore) { bestScore = score; best = pi; }
      });
      pieceIdx.push(best);
    }
  }
  const pieces = pieceIdx.map((i) => ({ ...act.affinePieces[i] }));
  const neuronMargins: number[] = [];
  let violations = 0;
  for (let j = 0; j < mp; j++) {
    let mm = Infinity;
    for (let i = 0; i < n; i++) { const s = insideDistance(Z[i * mp + j], pieces[j]); mm = Math.min(mm, s); if (!(s > 0)) violations++; }
    neuronMargins.push(mm);
  }
  const minMargin = Math.min(...neuronMargins);

  const { B, d, factorResidual, net: deep } = insertLayer(net, q, A, c, pieces);
  const biasResidual = 0; // d is solved from (ii) exactly
  const scale = Math.max(1, maxAbs(W));
  const factorOk = factorResidual <= 1e-10 * scale;
  if (!factorOk && !opts.allowViolations) {
    throw new InputError(`no exact lifting: B·K·A cannot reproduce W^[${q + 1}] (residual ${factorResidual.toExponential(2)}; width ${mp} with ${pieces.filter((p) => p.slope !== 0).length} non-dead neurons, m_q = ${mq})`);
  }
  if (violations > 0 && !opts.allowViolations) {
    throw new InputError(`inserted pre-activations leave their affine piece on ${violations} (input, neuron) pair(s) (margin ${minMargin.toExponential(3)}): not a critical lifting`);
  }
  const exact = factorOk && violations === 0;

  const holdsEverywhere = exact && everywhereAffine(A, c, pieces, mp, mq, q === 0 ? [-Infinity, Infinity] : activationRange(act));
  return { net: deep, after: q, width: mp, mq, mNext: mn, A, c, B, d, pieces, margin: minMargin, neuronMargins, violations, factorResidual, biasResidual, exact, holdsEverywhere };
}

/**
 * Insert the layer (A, c) after layer q and solve (B, d) from SPEC §4.2 (i)–(ii) for the given per-neuron affine
 * pieces: B = W^[q+1](KA)⁺, d = b^[q+1] − B(Kc + τ). Returns θ_B and max|BKA − W^[q+1]| (0 up to rounding when KA has
 * full column rank or W^[q+1]'s rows lie in the row space of KA). No check of (iii): see `liftNet`.
 */
export function insertLayer(net: Net, q: number, A: Float64Array, c: Float64Array, pieces: Piece[]): { net: Net; B: Float64Array; d: Float64Array; factorResidual: number } {
  const widths = net.arch.widths, L = widths.length - 1;
  const mq = widths[q], mn = widths[q + 1], mp = c.length;
  const lay = layout(widths).layers[q];
  const W = net.theta.slice(lay.w, lay.w + mn * mq), b = net.theta.slice(lay.b, lay.b + mn);
  const KA = new Float64Array(mp * mq);
  for (let j = 0; j < mp; j++) for (let k = 0; k < mq; k++) KA[j * mq + k] = pieces[j].slope * A[j * mq + k];
  const { pinv } = pseudoInverse(KA, mp, mq);
  const B = matMul(W, pinv, mn, mq, mp);
  const d = new Float64Array(mn);
  for (let r = 0; r < mn; r++) {
    let s = 0;
    for (let j = 0; j < mp; j++) s += B[r * mp + j] * (pieces[j].slope * c[j] + pieces[j].offset);
    d[r] = b[r] - s;
  }
  const BKA = matMul(B, KA, mn, mp, mq);
  let factorResidual = 0;
  for (let i = 0; i < W.length; i++) factorResidual = Math.max(factorResidual, Math.abs(BKA[i] - W[i]));
  const newWidths = [...widths.slice(0, q + 1), mp, ...widths.slice(q + 1)];
  const newLay = layout(newWidths);
  const theta = new Float64Array(newLay.size);
  const old = layout(widths).layers;
  for (let l = 1; l <= L; l++) {
    const src = old[l - 1];
    const size = src.rows * src.cols + src.rows;
    if (l <= q) theta.set(net.theta.subarray(src.w, src.w + size), newLay.layers[l - 1].w);
    else if (l >= q + 2) theta.set(net.theta.subarray(src.w, src.w + size), newLay.layers[l].w);
  }
  const ins = newLay.layers[q], rep = newLay.layers[q + 1];
  theta.set(A, ins.w); theta.set(c, ins.b); theta.set(B, rep.w); theta.set(d, rep.b);
  return { net: createNet(makeArch(newWidths, net.arch.activation, net.arch.loss), theta), B, d, factorResidual };
}

/** Z = F Aᵀ + 1cᵀ (n×m′). */
export function preActs(A: Float64Array, c: Float64Array, F: Float64Array, n: number, mp: number, mq: number): Float64Array {
  const Z = matMul(F, transpose(A, mp, mq), n, mq, mp);
  for (let i = 0; i < n; i++) for (let j = 0; j < mp; j++) Z[i * mp + j] += c[j];
  return Z;
}

/** Choose c_j (and, for a bounded piece, shrink row j of A unless fixed) so that A_j·f_i + c_j lies in the piece with the margin. */
function fitIntoPiece(A: Float64Array, c: Float64Array, j: number, mq: number, F: Float64Array, n: number, p: Piece, margin: number, fixedA: boolean): void {
  let vmin = Infinity, vmax = -Infinity;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < mq; k++) v += A[j * mq + k] * F[i * mq + k];
    vmin = Math.min(vmin, v); vmax = Math.max(vmax, v);
  }
  if (p.lo === -Infinity && p.hi === Infinity) { c[j] = 0; return; }
  if (p.hi === Infinity) { c[j] = p.lo + margin - vmin; return; }
  if (p.lo === -Infinity) { c[j] = p.hi - margin - vmax; return; }
  const room = p.hi - p.lo - 2 * margin;
  if (!(room > 0)) throw new InputError(`margin ${margin} does not fit in the affine piece (${p.lo}, ${p.hi}) (needs margin < ${(p.hi - p.lo) / 2})`);
  let s = 1;
  if (vmax - vmin > room) {
    if (fixedA) throw new InputError(`row ${j} of the given A spreads the data over ${vmax - vmin}, wider than the piece (${p.lo}, ${p.hi}) minus the margins`);
    s = room / (vmax - vmin);
    for (let k = 0; k < mq; k++) A[j * mq + k] *= s;
  }
  c[j] = p.lo + margin - s * vmin + (room - s * (vmax - vmin)) / 2;
}

/** Rows: the top-m′ right singular vectors of W (m_{q+1}×m_q), for a narrower inserted layer. */
function topRowSpace(W: Float64Array, mn: number, mq: number, mp: number): Float64Array {
  const WtW = matMul(transpose(W, mn, mq), W, mq, mn, mq);
  const { vectors } = eigenSystem(WtW, mq); // ascending: take the last m′
  const A = new Float64Array(mp * mq);
  for (let j = 0; j < mp; j++) {
    const e = mq - 1 - j;
    // eigenvectors are defined up to sign (LAPACK and the pure solver may differ): fix it so the row sums to ≥ 0,
    // which keeps A·f positive on non-negative (ReLU) features
    let sum = 0;
    for (let k = 0; k < mq; k++) sum += vectors[e * mq + k];
    const sign = sum < 0 ? -1 : 1;
    for (let k = 0; k < mq; k++) A[j * mq + k] = sign * vectors[e * mq + k];
  }
  return A;
}

/** Interval bound: is A_j·f + c_j inside piece j for every f in the box range^{m_q}? */
function everywhereAffine(A: Float64Array, c: Float64Array, pieces: Piece[], mp: number, mq: number, range: [number, number]): boolean {
  for (let j = 0; j < mp; j++) {
    let lo = c[j], hi = c[j];
    for (let k = 0; k < mq; k++) {
      const a = A[j * mq + k];
      if (a === 0) continue;
      const x1 = a * range[0], x2 = a * range[1];
      lo += Math.min(x1, x2); hi += Math.max(x1, x2);
    }
    if (!(lo >= pieces[j].lo && hi <= pieces[j].hi)) return false;
    if ((pieces[j].lo > -Infinity && lo === pieces[j].lo) || (pieces[j].hi < Infinity && hi === pieces[j].hi)) return false;
  }
  return true;
}

/** Random points of the lifted set L_S(θ_A) around a given lifting: perturb (A, c) keeping (iii), re-solve (B, d),
 *  and add a random component of B in the left null space of K A (free when m′ > m_q). */
export function sampleLiftedSet(net: Net, data: Dataset, lift: Lift, opts: { count: number; seed?: number; scale?: number }): Lift[] {
  const rng = new Rng(opts.seed ?? 1);
  const out: Lift[] = [];
  const mp = lift.width, mq = lift.mq, mn = lift.mNext;
  const act = activation(net.arch.activation);
  const pieceIdx = lift.pieces.map((p) => act.affinePieces.findIndex((a) => a.lo === p.lo && a.hi === p.hi && a.slope === p.slope));
  let scale = opts.scale ?? 0.3;
  let tries = 0;
  while (out.length < opts.count) {
    if (++tries > 200 * opts.count) throw new InputError("could not sample the lifted set (margin too small)");
    const A = Float64Array.from(lift.A, (v) => v + scale * rng.normal());
    const c = Float64Array.from(lift.c, (v) => v + scale * rng.normal());
    let cand: Lift;
    try {
      cand = liftNet(net, data, { after: lift.after, width: mp, A, c, pieces: pieceIdx });
    } catch (e) {
      if (e instanceof InputError) { scale *= 0.7; continue; }
      throw e;
    }
    // free part of B: B += Z (I − KA (KA)⁺)
    const KA = new Float64Array(mp * mq);
    for (let j = 0; j < mp; j++) for (let k = 0; k < mq; k++) KA[j * mq + k] = cand.pieces[j].slope * A[j * mq + k];
    const { pinv } = pseudoInverse(KA, mp, mq);
    const Pr = matMul(KA, pinv, mp, mq, mp);
    const Zr = new Float64Array(mn * mp);
    rng.fillNormal(Zr, scale);
    const N = new Float64Array(mp * mp);
    for (let i = 0; i < mp; i++) for (let j = 0; j < mp; j++) N[i * mp + j] = (i === j ? 1 : 0) - Pr[i * mp + j];
    const dB = matMul(Zr, N, mn, mp, mp);
    const lay = layout(cand.net.arch.widths).layers[lift.after + 1];
    const theta = Float64Array.from(cand.net.theta);
    for (let i = 0; i < mn * mp; i++) theta[lay.w + i] += dB[i];
    for (let r = 0; r < mn; r++) {
      let s = 0;
      for (let j = 0; j < mp; j++) s += dB[r * mp + j] * (cand.pieces[j].slope * c[j] + cand.pieces[j].offset);
      theta[lay.b + r] -= s;
    }
    const B = theta.slice(lay.w, lay.w + mn * mp), d = theta.slice(lay.b, lay.b + mn);
    out.push({ ...cand, net: createNet(cand.net.arch, theta), B, d });
  }
  return out;
}

/**
 * Dimension of the lifted set at a lifting (SPEC §4.2 item 4): #(A, c, B, d) minus the rank of the Jacobian of the
 * constraints (i)–(ii), (dA, dc, dB, dd) ↦ (dB K A + B K dA, dB(Kc+τ) + B K dc + dd); (iii) is open.
 */
export function liftedSetDimension(lift: Lift): { dimension: number; parameters: number; constraints: number; constraintRank: number; collapseSurjective: boolean; inequalities: (n: number) => number } {
  const mp = lift.width, mq = lift.mq, mn = lift.mNext;
  const nA = mp * mq, nc = mp, nB = mn * mp, nd = mn;
  const cols = nA + nc + nB + nd, rows = mn * mq + mn;
  const J = new Float64Array(rows * cols);
  const K = lift.pieces.map((p) => p.slope), tau = lift.pieces.map((p) => p.offset);
  for (let r = 0; r < mn; r++) {
    for (let k = 0; k < mq; k++) {
      const row = r * mq + k;
      for (let j = 0; j < mp; j++) {
        J[row * cols + nA + nc + r * mp + j] = K[j] * lift.A[j * mq + k]; // dB_{rj}
        J[row * cols + j * mq + k] = lift.B[r * mp + j] * K[j]; // dA_{jk}
      }
    }
    const row = mn * mq + r;
    for (let j = 0; j < mp; j++) {
      J[row * cols + nA + nc + r * mp + j] = K[j] * lift.c[j] + tau[j];
      J[row * cols + nA + j] = lift.B[r * mp + j] * K[j];
    }
    J[row * cols + nA + nc + nB + r] = 1;
  }
  const { rank } = pseudoInverse(transpose(J, rows, cols), cols, rows, 1e-13);
  // the same Jacobian is ∂Coll/∂(A, c, B, d): surjective onto (W^[q+1], b^[q+1]) iff its rank is m_{q+1}(m_q+1)
  return { dimension: cols - rank, parameters: cols, constraints: rows, constraintRank: rank, collapseSurjective: rank === rows, inequalities: (n: number) => n * mp };
}

/** One strict inequality of (iii): lower < A_j·f^[q](x_i) + c_j < upper (ends may be infinite). */
export interface LiftInequality { neuron: number; input: number; lower: number; upper: number; value: number; slack: number }

/**
 * The lifted set L_S(θ_A) around a lifting, written out (SPEC §4.2): equalities (i) κBA = W^[q+1], (ii) B(Kc+τ)+d = b^[q+1]
 * with their residuals at the lifting, and the n·m′ strict inequalities (iii) with their values and slacks.
 */
export function liftedSetConstraints(net: Net, data: Dataset, lift: Lift): { factorResidual: number; biasResidual: number; inequalities: LiftInequality[] } {
  const F = featuresAt(net, data, lift.after), n = data.n, mp = lift.width;
  const Z = preActs(lift.A, lift.c, F, n, mp, lift.mq);
  const inequalities: LiftInequality[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < mp; j++) {
    const p = lift.pieces[j], v = Z[i * mp + j];
    inequalities.push({ neuron: j, input: i, lower: p.lo, upper: p.hi, value: v, slack: insideDistance(v, p) });
  }
  return { factorResidual: lift.factorResidual, biasResidual: lift.biasResidual, inequalities };
}
