import type { Dataset } from "../data/dataset.js";
import { applyEmbedding } from "../embed/apply.js";
import { nullEmbedding, oneStepEmbedding, validateEmbedding, type Embedding } from "../embed/embedding.js";
import { orthComplement } from "../linalg/dense.js";
import { addInertia, eigenvalues, inertiaAbs, type Inertia } from "../linalg/inertia.js";
import { activation } from "../nn/activations.js";
import type { Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { neuronMatrices, nullCrossMatrix, sampleQuantities, type NeuronMatrices } from "./quantities.js";

/** QᵀC ((q−1)×p) for the neuron's v and C (SPEC §2.9). */
export function projectedC(nm: NeuronMatrices): Float64Array {
  const { q, p, C, v } = nm;
  if (q === 1) return new Float64Array(0);
  if (v.every((x) => x === 0)) throw new InputError("the outgoing vector v is zero: its orthogonal complement is the whole space");
  const Q = orthComplement(v), out = new Float64Array((q - 1) * p);
  for (let a = 0; a < q - 1; a++) for (let b = 0; b < p; b++) { let s = 0; for (let r = 0; r < q; r++) s += Q[r * (q - 1) + a] * C[r * p + b]; out[a * p + b] = s; }
  return out;
}

/** K_α = [0, QᵀC; CᵀQ, α(1−α)M] of SPEC §2.9 (size (q−1)+p, row-major). */
export function kAlpha(nm: NeuronMatrices, alpha: number): { K: Float64Array; size: number } {
  const { q, p, M } = nm, r = q - 1, size = r + p, K = new Float64Array(size * size), QC = projectedC(nm), c = alpha * (1 - alpha);
  for (let a = 0; a < r; a++) for (let b = 0; b < p; b++) { K[a * size + r + b] = QC[a * p + b]; K[(r + b) * size + a] = QC[a * p + b]; }
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) K[(r + a) * size + r + b] = c * M[a * p + b];
  return { K, size };
}

/** Increment In(K_α) + (0,1,0) of a one-step split T^α_{l,s} at a critical point (SPEC §2.9). Needs v ≠ 0. */
export function splitIncrement(nm: NeuronMatrices, alpha: number, tolerance: number): Inertia {
  if (nm.v.every((x) => x === 0)) throw new InputError(`neuron ${nm.neuron} of layer ${nm.layer} has a zero outgoing column: the §2.9 split formula needs v ≠ 0`);
  const { K, size } = kAlpha(nm, alpha);
  return addInertia(inertiaAbs(K, size, tolerance), { neg: 0, zero: 1, pos: 0 });
}

/**
 * k-copy split increment for a scalar next layer (m_{l+1} = 1, SPEC §2.9): In(B_β ⊗ M) + (0, k−1, 0) with
 * In(B_β) = (#β<0, #β=0, #β>0 − 1) and Sylvester (c) for the Kronecker product.
 */
export function kCopyIncrement(M: Float64Array, p: number, ratios: readonly number[], tolerance: number): Inertia {
  const k = ratios.length;
  const bn = ratios.filter((b) => b < 0).length, bp = ratios.filter((b) => b > 0).length - 1;
  const m = inertiaAbs(M, p, tolerance);
  const neg = bp * m.neg + bn * m.pos, pos = bp * m.pos + bn * m.neg;
  return { neg, pos, zero: (k - 1) * p - neg - pos + (k - 1) };
}

/** Null-neuron increment (r, p − 2r, r), r = rank(σ'(0)Ĉ_l), p = m_{l−1}+1+m_{l+1} (SPEC §2.9; needs σ(0) = 0). */
export function nullIncrement(net: Net, data: Dataset, layer: number, tolerance: number): Inertia & { rank: number; norm: number } {
  const act = activation(net.arch.activation);
  if (act.f(0) !== 0) throw new InputError(`the null-neuron inertia formula needs σ(0) = 0 (${net.arch.activation}(0) = ${act.f(0)})`);
  const sq = sampleQuantities(net, data);
  const { C, q, p } = nullCrossMatrix(layer, sq);
  const d1 = act.d1(0);
  // singular values² of σ'(0)Ĉ = eigenvalues of (σ'(0)Ĉ)(σ'(0)Ĉ)ᵀ (q×q)
  const G = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) { let s = 0; for (let k = 0; k < p; k++) s += C[a * p + k] * C[b * p + k]; G[a * q + b] = d1 * d1 * s; }
  const ev = eigenvalues(G, q);
  const rank = Array.from(ev).filter((x) => Math.sqrt(Math.max(x, 0)) > tolerance).length;
  const norm = Math.sqrt(Math.max(0, ev[q - 1]));
  const P = p + q;
  return { neg: rank, zero: P - 2 * rank, pos: rank, rank, norm };
}

/** One elementary step of the decomposition used by `predictEmbeddingInertia`. */
export interface PredictedStep {
  kind: "split" | "null";
  layer: number;
  neuron?: number;
  alpha?: number;
  increment: Inertia;
}

/**
 * Predicted In(H_wide(Tθ)) for any compatible embedding at a critical point θ (SPEC §2.9, §10 item 5):
 * the embedding is decomposed into one-step splits T^α_{l,s} (a k-copy split is k−1 of them, α chosen so the
 * final ratios are β) and null steps, each step's increment In(K_α) + (0,1,0) or (r, p−2r, r) is computed at the
 * current (still critical) intermediate net, and the increments are added to `narrowInertia`. Wide-neuron order
 * does not matter (a permutation does not change inertia). Returns predicted = null with a reason when a step's
 * formula does not apply (zero outgoing column, σ(0) ≠ 0 for a null neuron).
 */
export function predictEmbeddingInertia(
  net: Net, data: Dataset, e: Embedding, narrowInertia: Inertia, tolerance: number,
): { predicted: Inertia | null; steps: PredictedStep[]; reason?: string } {
  validateEmbedding(e);
  let cur = net, total: Inertia = { ...narrowInertia };
  const steps: PredictedStep[] = [];
  const L = e.narrow.length - 1;
  try {
    for (let l = 1; l < L; l++) {
      const pi = e.pi[l - 1], beta = e.beta[l - 1];
      for (let s = 1; s <= e.narrow[l]; s++) {
        const ratios = pi.flatMap((t, j) => (t === s ? [beta[j]] : []));
        if (ratios.length < 2) continue;
        // keep the copy with the largest |β| on the original neuron; split the others off so the running share c ≠ 0
        let keep = 0;
        for (let j = 1; j < ratios.length; j++) if (Math.abs(ratios[j]) > Math.abs(ratios[keep])) keep = j;
        const rest = ratios.filter((_, j) => j !== keep);
        let c = 1;
        while (rest.length) {
          const idx = rest.findIndex((b) => Math.abs(c - b) > 1e-12);
          if (idx < 0) return { predicted: null, steps, reason: `layer ${l} neuron ${s}: no order of one-step splits keeps the running share non-zero` };
          const b = rest.splice(idx, 1)[0];
          const alpha = b / c;
          const nm = neuronMatrices(cur, data, l, s);
          if (nm.v.every((x) => x === 0)) return { predicted: null, steps, reason: `layer ${l} neuron ${s} has a zero outgoing column (the §2.9 formula needs v ≠ 0)` };
          const inc = splitIncrement(nm, alpha, tolerance);
          steps.push({ kind: "split", layer: l, neuron: s, alpha, increment: inc });
          total = addInertia(total, inc);
          cur = applyEmbedding(cur, oneStepEmbedding(cur.arch.widths, l, s, alpha));
          c -= b;
        }
      }
    }
    for (let l = 1; l < L; l++) {
      const nulls = e.pi[l - 1].filter((t) => t === 0).length;
      for (let k = 0; k < nulls; k++) {
        if (activation(cur.arch.activation).f(0) !== 0) return { predicted: null, steps, reason: `null neuron with σ(0) ≠ 0 (${cur.arch.activation}): no inertia formula` };
        const inc = nullIncrement(cur, data, l, tolerance);
        steps.push({ kind: "null", layer: l, increment: { neg: inc.neg, zero: inc.zero, pos: inc.pos } });
        total = addInertia(total, inc);
        cur = applyEmbedding(cur, nullEmbedding(cur.arch.widths, l));
      }
    }
  } catch (err) {
    if (err instanceof InputError) return { predicted: null, steps, reason: err.message };
    throw err;
  }
  return { predicted: { neg: total.neg, zero: total.zero, pos: total.pos }, steps };
}
