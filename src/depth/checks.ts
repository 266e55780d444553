import type { Dataset } from "../data/dataset.js";
import type { InertiaReport } from "../linalg/inertia.js";
import { pointCertificate } from "../optim/certificate.js";
import type { Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { predict } from "../nn/functions.js";
import { norm2 } from "../linalg/dense.js";
import { Rng } from "../util/rng.js";

/** Loss, gradient norm and Hessian inertia of one net on S (SPEC §1.4). */
export interface PointSummary {
  loss: number;
  gradNorm: number;
  inertia: InertiaReport;
  eigenvalues: number[];
  params: number;
}

/**
 * R, ‖∇R‖ and In(∇²R) with the spectrum (dense exact Hessian, SPEC §1.4 zero threshold unless `tolerance`), by
 * the one point certificate (eigenvalues, no eigenvectors: the lifting checks compare positive eigenvalues).
 */
export function summarizePoint(net: Net, data: Dataset, tolerance?: number): PointSummary {
  const c = pointCertificate(new Evaluator(net.arch, data), net.theta, { spectrum: "values", ...(tolerance === undefined ? {} : { tolerance }) });
  const { method: _method, ...rest } = c.inertia;
  return { loss: c.loss, gradNorm: c.gradNorm, inertia: rest, eigenvalues: Array.from(c.eigenvalues!), params: c.P };
}

/** max_i ‖f_a(x_i) − f_b(x_i)‖_∞ over the given inputs. */
export function maxOutputDiff(a: Net, b: Net, x: Float64Array, n: number): number {
  const fa = predict(a.arch, a.theta, x, n), fb = predict(b.arch, b.theta, x, n);
  let m = 0;
  for (let i = 0; i < fa.length; i++) m = Math.max(m, Math.abs(fa[i] - fb[i]));
  return m;
}

/** Probe inputs beyond the data: uniform in the data's bounding box enlarged by `factor` around its centre. */
export function probeInputs(data: Dataset, count: number, factor = 3, seed = 7): Float64Array {
  const rng = new Rng(seed);
  const d = data.d, x = new Float64Array(count * d);
  for (let k = 0; k < d; k++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < data.n; i++) { lo = Math.min(lo, data.x[i * d + k]); hi = Math.max(hi, data.x[i * d + k]); }
    const mid = (lo + hi) / 2, half = Math.max((hi - lo) / 2, 1e-3) * factor;
    for (let i = 0; i < count; i++) x[i * d + k] = mid - half + 2 * half * rng.uniform();
  }
  return x;
}

/** Output preservation (SPEC §4.2 item 1) and criticality (item 2) without the Hessian: cheap for any size. */
export interface LiftOutputCheck {
  outputDiffTrain: number;
  outputDiffBeyond: number;
  probeCount: number;
  lossShallow: number;
  lossDeep: number;
  gradNormShallow: number;
  gradNormDeep: number;
}

function lossAndGradNorm(net: Net, data: Dataset): [number, number] {
  const ev = new Evaluator(net.arch, data);
  const g = new Float64Array(ev.P);
  const R = ev.lossAndGradient(net.theta, g);
  return [R, norm2(g)];
}

/** max |Δf| on S and on probes beyond S, R and ‖∇R‖ before and after a lifting. */
export function checkLiftOutputs(shallow: Net, deep: Net, data: Dataset, probes = 200): LiftOutputCheck {
  const [lossShallow, gradNormShallow] = lossAndGradNorm(shallow, data), [lossDeep, gradNormDeep] = lossAndGradNorm(deep, data);
  const px = probeInputs(data, probes);
  return {
    outputDiffTrain: maxOutputDiff(shallow, deep, data.x, data.n), outputDiffBeyond: maxOutputDiff(shallow, deep, px, probes), probeCount: probes,
    lossShallow, lossDeep, gradNormShallow, gradNormDeep,
  };
}

/** Everything SPEC §4.2 items 1–3 predict for a lifting θ_A → θ_B, measured. */
export interface LiftCheck extends LiftOutputCheck {
  inertiaShallow: { neg: number; zero: number; pos: number };
  inertiaDeep: { neg: number; zero: number; pos: number };
  /** Zero count increase and the parameter increase P_B − P_A it should equal when the collapse map is surjective. */
  zeroIncrease: number;
  paramIncrease: number;
  signsPreserved: boolean;
  positiveEigsShallow: number[];
  positiveEigsDeep: number[];
  gapShallow: number;
  gapDeep: number;
}

/** Measure output preservation (on S and on probes beyond S), criticality and inertia before/after a lifting. */
export function checkLift(shallow: Net, deep: Net, data: Dataset, opts: { probes?: number; tolerance?: number } = {}): LiftCheck {
  const probes = opts.probes ?? 200;
  const a = summarizePoint(shallow, data, opts.tolerance), b = summarizePoint(deep, data, opts.tolerance);
  const px = probeInputs(data, probes);
  const pos = (s: PointSummary): number[] => s.eigenvalues.filter((v) => v > s.inertia.tolerance);
  return {
    outputDiffTrain: maxOutputDiff(shallow, deep, data.x, data.n),
    outputDiffBeyond: maxOutputDiff(shallow, deep, px, probes),
    probeCount: probes,
    lossShallow: a.loss, lossDeep: b.loss, gradNormShallow: a.gradNorm, gradNormDeep: b.gradNorm,
    inertiaShallow: { neg: a.inertia.neg, zero: a.inertia.zero, pos: a.inertia.pos },
    inertiaDeep: { neg: b.inertia.neg, zero: b.inertia.zero, pos: b.inertia.pos },
    zeroIncrease: b.inertia.zero - a.inertia.zero,
    paramIncrease: b.params - a.params,
    signsPreserved: a.inertia.neg === b.inertia.neg && a.inertia.pos === b.inertia.pos,
    positiveEigsShallow: pos(a), positiveEigsDeep: pos(b),
    gapShallow: a.inertia.gap.ratio, gapDeep: b.inertia.gap.ratio,
  };
}
