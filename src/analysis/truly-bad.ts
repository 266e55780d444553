import { criticalityStatus, type CriticalityStatus } from "./criticality.js";
import type { Dataset } from "../data/dataset.js";
import { applyEmbedding } from "../embed/apply.js";
import { criticalSummary } from "../embed/checks.js";
import { embeddingToJson, nullEmbedding, oneStepEmbedding, type Embedding } from "../embed/embedding.js";
import { eigenvalues, type Inertia } from "../linalg/inertia.js";
import { Evaluator } from "../nn/evaluator.js";
import { pointCertificate } from "../optim/certificate.js";
import { activation } from "../nn/activations.js";
import type { Net } from "../nn/arch.js";
import { kAlpha, nullIncrement, projectedC, splitIncrement } from "./predict.js";
import { neuronMatrices, sampleQuantities } from "./quantities.js";
import { requireDenseHessian } from "./embedding-check.js";

const fro = (a: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * a[i]; return Math.sqrt(s); };

/** Per-(layer, neuron) quantities of SPEC §3.6. */
export interface NeuronTest {
  layer: number;
  neuron: number;
  outgoingNorm: number;
  /** ‖M_{l,s}‖₂ and its extreme eigenvalues; null where σ″ vanishes (N1 not applicable). */
  M: { norm: number; minEig: number; maxEig: number } | null;
  /** ‖C_{l,s}‖_F and ‖QᵀC‖_F (the part not forced to 0 by criticality). */
  C: { norm: number; projectedNorm: number };
  /** N1: M = 0 (to τ); "not applicable" for piecewise-linear σ. */
  N1: boolean | "not applicable";
  /** N2: C = 0 (to τ). */
  N2: boolean;
}

export interface LayerTest {
  layer: number;
  /** ‖σ'(0)Ĉ_l‖₂ and rank r; null where σ(0) ≠ 0 or σ'(0) = 0 (N3 not applicable). */
  nullCross: { norm: number; rank: number } | null;
  N3: boolean | "not applicable";
}

/** A critical embedding that turns θ into a strict saddle, verified by building it. */
export interface Witness {
  kind: "identity" | "split" | "null";
  layer?: number;
  neuron?: number;
  alpha?: number;
  reason: string;
  embedding: ReturnType<typeof embeddingToJson> | null;
  predicted: Inertia;
  measured: Inertia;
  verified: boolean;
  /** Unit eigenvector (wide θ) of the most negative Hessian eigenvalue, and that eigenvalue. */
  direction: number[];
  eigenvalue: number;
}

export interface TrulyBadReport {
  loss: number;
  /** Whether the net is critical; when not, N0–N3 and the witness describe nothing (note says so). */
  critical: CriticalityStatus;
  gradNorm: number;
  inertia: Inertia;
  zeroTolerance: number;
  N0: boolean;
  neurons: NeuronTest[];
  layers: LayerTest[];
  /** True when every applicable necessary condition N0–N3 holds (θ may be truly bad). */
  passesNecessaryConditions: boolean;
  strictSaddleWitness: Witness | null;
}

/** σ is piecewise linear (σ″ = 0 a.e.): its affine pieces cover ℝ up to finitely many points. */
export function piecewiseLinear(act: string): boolean {
  const pieces = [...activation(act).affinePieces].sort((a, b) => a.lo - b.lo);
  if (!pieces.length || pieces[0].lo !== -Infinity) return false;
  for (let i = 1; i < pieces.length; i++) if (pieces[i].lo !== pieces[i - 1].hi) return false;
  return pieces[pieces.length - 1].hi === Infinity;
}

/**
 * Strict-saddle / truly-bad analysis of a critical point (SPEC §3.5–§3.6, §10 item 6): N0 (H ⪰ 0), per neuron
 * N1 (M_{l,s} = 0) and N2 (C_{l,s} = 0), per layer N3 (Ĉ_l = 0 when σ(0) = 0, σ'(0) ≠ 0), all to the Hessian zero
 * tolerance τ. When a condition fails, the matching witness embedding — split with α = ½ (adds In(M) or the
 * indefinite QᵀC block), split with α = 2 (adds In(−M)), or a null neuron (adds (r, ·, r)) — is built and its
 * Hessian inertia measured.
 */
export function trulyBadAnalysis(net: Net, data: Dataset, opts: { maxParams?: number } = {}): TrulyBadReport {
  const w0 = net.arch.widths;
  requireDenseHessian(net.theta.length + Math.max(...w0.slice(1, -1).map((_, i) => w0[i] + 1 + w0[i + 2])), opts.maxParams); // + one witness neuron
  const base = criticalSummary(net, data);
  const tau = base.inertia.tolerance;
  const widths = net.arch.widths, L = widths.length - 1;
  const act = activation(net.arch.activation);
  const pl = piecewiseLinear(net.arch.activation);
  const sq = sampleQuantities(net, data);
  const neurons: NeuronTest[] = [];
  type Cand = { kind: "split" | "null"; layer: number; neuron?: number; alpha?: number; reason: string; predicted: Inertia; score: number };
  const cands: Cand[] = [];
  for (let l = 1; l < L; l++) {
    for (let s = 1; s <= widths[l]; s++) {
      const nm = neuronMatrices(net, data, l, s, sq);
      const outgoingNorm = fro(nm.v);
      const ev = eigenvalues(Float64Array.from(nm.M), nm.p);
      const mNorm = Math.max(Math.abs(ev[0]), Math.abs(ev[nm.p - 1]));
      const projectedNorm = outgoingNorm > 0 ? fro(projectedC(nm)) : fro(nm.C);
      const cNorm = fro(nm.C);
      neurons.push({
        layer: l, neuron: s, outgoingNorm,
        M: pl ? null : { norm: mNorm, minEig: ev[0], maxEig: ev[nm.p - 1] },
        C: { norm: cNorm, projectedNorm },
        N1: pl ? "not applicable" : mNorm <= tau,
        N2: cNorm <= tau,
      });
      if (outgoingNorm === 0) continue; // the §2.9 formula needs v ≠ 0
      const tryAlpha = (alpha: number, reason: string): void => {
        const inc = splitIncrement(nm, alpha, tau);
        if (inc.neg > 0) {
          const { K, size } = kAlpha(nm, alpha);
          cands.push({ kind: "split", layer: l, neuron: s, alpha, reason, predicted: inc, score: -eigenvalues(K, size)[0] });
        }
      };
      if (projectedNorm > tau) tryAlpha(0.5, "QᵀC ≠ 0: K_α has a zero block with a non-zero off-diagonal block, indefinite for every α");
      else if (!pl && ev[0] < -tau) tryAlpha(0.5, "M has a negative eigenvalue: α ∈ (0,1) adds In(M)");
      else if (!pl && ev[nm.p - 1] > tau) tryAlpha(2, "M has a positive eigenvalue: α ∉ [0,1] adds In(−M)");
    }
  }
  const layers: LayerTest[] = [];
  const nullApplies = act.f(0) === 0 && act.d1(0) !== 0;
  for (let l = 1; l < L; l++) {
    if (!nullApplies) { layers.push({ layer: l, nullCross: null, N3: "not applicable" }); continue; }
    const inc = nullIncrement(net, data, l, tau);
    layers.push({ layer: l, nullCross: { norm: inc.norm, rank: inc.rank }, N3: inc.rank === 0 });
    if (inc.rank > 0) cands.push({ kind: "null", layer: l, reason: `σ'(0)Ĉ_${l} has rank ${inc.rank}: a null neuron adds (r, p−2r, r)`, predicted: { neg: inc.neg, zero: inc.zero, pos: inc.pos }, score: inc.norm });
  }
  const N0 = base.inertia.neg === 0;
  const passes = N0 && neurons.every((n) => n.N1 !== false && n.N2) && layers.every((l) => l.N3 !== false);
  const narrowIn = { neg: base.inertia.neg, zero: base.inertia.zero, pos: base.inertia.pos };
  let witness: Witness | null = null;
  if (!N0) {
    witness = verifyWitness(net, data, null, { kind: "identity", reason: "θ already has a negative Hessian eigenvalue", predicted: narrowIn });
  } else if (cands.length) {
    cands.sort((a, b) => b.predicted.neg - a.predicted.neg || b.score - a.score);
    const c = cands[0];
    const e = c.kind === "split" ? oneStepEmbedding(widths, c.layer, c.neuron!, c.alpha!) : nullEmbedding(widths, c.layer);
    const predicted = { neg: narrowIn.neg + c.predicted.neg, zero: narrowIn.zero + c.predicted.zero, pos: narrowIn.pos + c.predicted.pos };
    witness = verifyWitness(net, data, e, { kind: c.kind, layer: c.layer, neuron: c.neuron, alpha: c.alpha, reason: c.reason, predicted });
  }
  return {
    critical: criticalityStatus(base.gradNorm, "the net", "the N0–N3 conditions and the witness are about critical points; a negative eigenvalue here does not make a strict saddle, so nothing below is verified."),
    loss: base.loss, gradNorm: base.gradNorm, inertia: narrowIn, zeroTolerance: tau, N0,
    neurons, layers, passesNecessaryConditions: passes, strictSaddleWitness: witness,
  };
}

function verifyWitness(
  net: Net, data: Dataset, e: Embedding | null,
  w: Pick<Witness, "kind" | "layer" | "neuron" | "alpha" | "reason" | "predicted">,
): Witness {
  const wide = e ? applyEmbedding(net, e) : net;
  // one evaluator, one Hessian: inertia by LDLᵀ counts, the lowest eigenpair by the range driver
  const c = pointCertificate(new Evaluator(wide.arch, data), wide.theta, { lowest: 1 });
  const measured = { neg: c.inertia.neg, zero: c.inertia.zero, pos: c.inertia.pos };
  return {
    ...w,
    embedding: e ? embeddingToJson(e) : null,
    measured,
    verified: measured.neg > 0,
    direction: Array.from(c.lowest!.vectors),
    eigenvalue: c.lowest!.values[0],
  };
}
