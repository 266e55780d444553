import type { Dataset } from "../data/dataset.js";
import { maxAbsDiff } from "../linalg/dense.js";
import { inertia, type InertiaReport } from "../linalg/inertia.js";
import { gradient, hessian, lossValue, predict } from "../nn/functions.js";
import type { Net } from "../nn/arch.js";
import { Rng } from "../util/rng.js";
import { Evaluator } from "../nn/evaluator.js";
import { pointCertificate } from "../optim/certificate.js";
import { affineFamilyBasis, applyEmbedding, embeddingMatrix, gradientMap, gradientMapMatrix, type ApplyOptions } from "./apply.js";
import type { Embedding } from "./embedding.js";

const norm = (a: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * a[i]; return Math.sqrt(s); };

/** Output preservation (SPEC §2.3): max |f_wide − f_narrow| on the data and on `probes` N(0, 4) random inputs. */
export function outputPreservation(narrow: Net, wide: Net, data: Dataset, opts: { probes?: number; seed?: number } = {}): { data: number; probe: number } {
  const probes = opts.probes ?? 64, d = narrow.arch.widths[0];
  const rng = new Rng(opts.seed ?? 1);
  const x = new Float64Array(probes * d);
  rng.fillNormal(x, 2);
  return {
    data: maxAbsDiff(predict(narrow.arch, narrow.theta, data.x, data.n), predict(wide.arch, wide.theta, data.x, data.n)),
    probe: maxAbsDiff(predict(narrow.arch, narrow.theta, x, probes), predict(wide.arch, wide.theta, x, probes)),
  };
}

/** Gradient identity ∇R_wide(Tθ) = T̃∇R(θ) (SPEC §2.5, §3.2), at any θ: returns the max abs difference. */
export function gradientIdentityError(narrow: Net, data: Dataset, e: Embedding, opts: ApplyOptions = {}): number {
  const wide = applyEmbedding(narrow, e, opts);
  return maxAbsDiff(gradient(wide, data), gradientMap(narrow.arch, e, gradient(narrow, data), opts));
}

/**
 * The three linear-algebra identities of SPEC §2.5 (fixture A) with dense matrices (small nets only):
 * TᵀT̃ = I, TᵀH'T = H, H'T = T̃H. Returns the max abs error of each.
 */
export function hessianIdentities(narrow: Net, data: Dataset, e: Embedding, opts: ApplyOptions = {}): { transposeTimesGradientMap: number; congruence: number; intertwining: number } {
  const T = embeddingMatrix(e), Tt = gradientMapMatrix(narrow.arch, e, opts);
  const P = T.cols, Pw = T.rows;
  const H = hessian(narrow, data), Hw = hessian(applyEmbedding(narrow, e, opts), data);
  let e1 = 0, e2 = 0, e3 = 0;
  const HwT = new Float64Array(Pw * P);
  for (let r = 0; r < Pw; r++) for (let c = 0; c < P; c++) { let s = 0; for (let k = 0; k < Pw; k++) s += Hw[r * Pw + k] * T.matrix[k * P + c]; HwT[r * P + c] = s; }
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) {
    let s1 = 0, s2 = 0;
    for (let k = 0; k < Pw; k++) { s1 += T.matrix[k * P + a] * Tt.matrix[k * P + b]; s2 += T.matrix[k * P + a] * HwT[k * P + b]; }
    e1 = Math.max(e1, Math.abs(s1 - (a === b ? 1 : 0)));
    e2 = Math.max(e2, Math.abs(s2 - H[a * P + b]));
  }
  for (let r = 0; r < Pw; r++) for (let c = 0; c < P; c++) {
    let s = 0;
    for (let k = 0; k < P; k++) s += Tt.matrix[r * P + k] * H[k * P + c];
    e3 = Math.max(e3, Math.abs(HwT[r * P + c] - s));
  }
  return { transposeTimesGradientMap: e1, congruence: e2, intertwining: e3 };
}

/**
 * Loss, ‖∇R‖ and Hessian inertia with the eigenvalues (no eigenvectors) of a net on data (SPEC §1.4 zero
 * threshold): one evaluator, one Hessian, the one point certificate.
 */
export function criticalSummary(net: Net, data: Dataset): { loss: number; gradNorm: number; inertia: InertiaReport & { eigenvalues: Float64Array } } {
  const c = pointCertificate(new Evaluator(net.arch, data), net.theta, { spectrum: "values" });
  const { method: _method, ...inertia } = c.inertia;
  return { loss: c.loss, gradNorm: c.gradNorm, inertia: { ...inertia, eigenvalues: c.eigenvalues! } };
}

/** Irreversibility (SPEC §3.4): n₋, n₀, n₊ of the wide Hessian are each ≥ the narrow ones. */
export function irreversible(narrow: { neg: number; zero: number; pos: number }, wide: { neg: number; zero: number; pos: number }): boolean {
  return wide.neg >= narrow.neg && wide.zero >= narrow.zero && wide.pos >= narrow.pos;
}

/**
 * The critical affine family (SPEC §2.8, §3.3): `points` random points T_{π,β}θ + Σ c_i v_i (c_i ~ U(−2, 2)) are
 * evaluated; returns the basis size, its measured rank (eigenvalues of the Gram matrix above 1e-12 relative), the
 * largest ‖∇R‖ and the largest |R − R(Tθ)| over the points.
 */
export function affineFamilyCheck(narrow: Net, data: Dataset, e: Embedding, opts: ApplyOptions & { points?: number; seed?: number } = {}): {
  dimension: number; rank: number; maxGradNorm: number; maxLossDiff: number;
} {
  const wide = applyEmbedding(narrow, e, opts);
  const basis = affineFamilyBasis(e, narrow.theta);
  const k = basis.length;
  const G = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) { let s = 0; for (let i = 0; i < basis[a].length; i++) s += basis[a][i] * basis[b][i]; G[a * k + b] = s; }
  let rank = 0;
  if (k > 0) {
    const ev = inertia(G, k).eigenvalues;
    const top = Math.max(...Array.from(ev, Math.abs));
    rank = Array.from(ev).filter((x) => x > 1e-12 * top).length;
  }
  const R0 = lossValue(wide, data);
  const rng = new Rng(opts.seed ?? 7);
  let maxGradNorm = norm(gradient(wide, data)), maxLossDiff = 0;
  for (let t = 0; t < (opts.points ?? 5); t++) {
    const theta = Float64Array.from(wide.theta);
    for (const v of basis) { const c = rng.range(-2, 2); for (let i = 0; i < theta.length; i++) theta[i] += c * v[i]; }
    const pt = { arch: wide.arch, theta };
    maxGradNorm = Math.max(maxGradNorm, norm(gradient(pt, data)));
    maxLossDiff = Math.max(maxLossDiff, Math.abs(lossValue(pt, data) - R0));
  }
  return { dimension: k, rank, maxGradNorm, maxLossDiff };
}
