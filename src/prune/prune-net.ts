import type { Dataset } from "../data/dataset.js";
import { createNet, layerViews, type Net } from "../nn/arch.js";
import { Evaluator, checkCompatible } from "../nn/evaluator.js";
import { refineCritical } from "../optim/refine.js";
import { minimize, type TrainPoint } from "../optim/train.js";
import { choleskySolve, maxAbsDiff } from "../linalg/dense.js";
import { InputError } from "../util/errors.js";
import { mergeNeurons, type LayerMergeStats, type MergeOptions } from "./merge.js";
import { SparseTwoLayerOracle, lossFromOutputs, outputsSkippingZeros } from "./sparse-oracle.js";

/** Outputs and loss of a net on a data set (zero inputs skipped in the first layer). */
function evaluate(net: Net, data: Dataset): { f: Float64Array; loss: number } {
  const f = outputsSkippingZeros(net.arch, net.theta, data.x, data.n);
  return { f, loss: lossFromOutputs(net.arch.loss, f, data.y, data.n, data.k) };
}

export interface PruneOptions extends MergeOptions {
  /** Least-squares refit of the last layer (outgoing weights of the last hidden layer and the output bias): to the wide net's outputs or to the targets. */
  refit?: "none" | "outputs" | "targets";
  /** Ridge λ of the refit, relative to the mean diagonal of the normal matrix (default 1e-10). */
  ridge?: number;
  /** Polish to a critical point with `refineCritical` (dense Hessian: only for small nets, P ≤ maxPolishParams). */
  polish?: boolean;
  maxPolishParams?: number;
  /** Retrain the pruned net: Adam (or GD) steps. */
  /** Precomputed wide-net outputs on the training inputs (saves one forward pass). */
  wideOutputs?: { train?: Float64Array };
  retrain?: { steps: number; lr?: number; optimizer?: "gd" | "adam"; onStep?: (step: number, loss: number, gradNorm: number) => void };
}

export interface NeuronPruneResult {
  net: Net;
  widthsBefore: number[];
  widthsAfter: number[];
  /** Total hidden width before / after. */
  widthBefore: number;
  widthAfter: number;
  layers: LayerMergeStats[];
  /** max_i,c |f_pruned(x_i)_c − f(x_i)_c| on the training data (after the merge, before refit/polish/retrain). */
  mergeMaxDiff: number;
  /** The same for the final pruned net, on the training data and on held-out data (null without held-out data). */
  outputMaxDiff: number;
  outputMaxDiffHeldOut: number | null;
  lossBefore: number;
  lossAfterMerge: number;
  lossAfter: number;
  heldOutLossBefore: number | null;
  heldOutLossAfter: number | null;
  /** Fraction of inputs on which argmax f_pruned = argmax f: held-out when present, else training. Classification only (> 1 output); null for a single output, where argmax is always the same. */
  agreement: number | null;
  agreementTrain: number | null;
  agreementHeldOut: number | null;
  /**
   * Regression comparison of the pruned net's outputs f_p with the wide net's f_w on the training data (every output):
   * RMS and max of f_p − f_w, both also relative to the spread (standard deviation) of f_w, and
   * r² = 1 − Σ(f_p − f_w)² / Σ(f_w − mean f_w)². Filled for every net; the headline for single-output nets.
   */
  regression: { outputRmsDiff: number; outputMaxDiffRelative: number; outputRmsDiffRelative: number; r2: number; spread: number };
  /** Plain warnings, e.g. the loss grew more than tenfold. */
  warnings: string[];
  /** 10×10 (k×k) matrix: count[c][c'] = #held-out (else training) inputs with wide class c and pruned class c'. */
  agreementMatrix: number[][];
  refit: "none" | "outputs" | "targets";
  polish: { gradNorm: number; loss: number; converged: boolean; iterations: number } | null;
  retrainHistory: TrainPoint[] | null;
}

/**
 * Prune a trained net (SPEC §10 item 3): `mergeNeurons`, then optionally refit the last layer by least squares,
 * polish to a critical point and retrain; reports width before/after, max |f_pruned − f| on training and held-out
 * data, the losses and the argmax prediction agreement.
 */
export function pruneNet(net: Net, data: Dataset, opts: PruneOptions = {}): NeuronPruneResult {
  checkCompatible(net.arch, data);
  const refit = opts.refit ?? "none";
  if (!["none", "outputs", "targets"].includes(refit)) throw new InputError(`refit must be none, outputs or targets, got "${refit}"`);
  const wideTrain = opts.wideOutputs?.train ? { f: opts.wideOutputs.train, loss: lossFromOutputs(net.arch.loss, opts.wideOutputs.train, data.y, data.n, data.k) } : evaluate(net, data);
  const lossBefore = wideTrain.loss;
  const fWide = wideTrain.f;
  const held = data.heldOut;
  const wideHeld = held ? evaluate(net, held) : null;
  const fWideHeld = wideHeld?.f ?? null;
  const heldOutLossBefore = wideHeld?.loss ?? null;

  const merged = mergeNeurons(net, opts);
  let cur = merged.net;
  const afterMerge = evaluate(cur, data);
  const lossAfterMerge = afterMerge.loss;
  const mergeMaxDiff = maxAbsDiff(afterMerge.f, fWide);
  if (refit !== "none") cur = refitLastLayer(cur, data, refit === "outputs" ? fWide : data.y, opts.ridge ?? 1e-10);
  let polish: NeuronPruneResult["polish"] = null;
  if (opts.polish) {
    const max = opts.maxPolishParams ?? 3000;
    if (cur.theta.length > max) throw new InputError(`polish needs a dense Hessian; the pruned net has ${cur.theta.length} parameters (> ${max})`);
    const c = refineCritical(cur, data, {});
    cur = c.net;
    polish = { gradNorm: c.gradNorm, loss: c.loss, converged: c.converged, iterations: c.iterations };
  }
  let retrainHistory: TrainPoint[] | null = null;
  if (opts.retrain && opts.retrain.steps > 0) {
    const theta = Float64Array.from(cur.theta);
    const oracle = cur.arch.widths.length === 3 ? new SparseTwoLayerOracle(cur.arch, data) : new Evaluator(cur.arch, data);
    const r = minimize(oracle, theta, { optimizer: opts.retrain.optimizer ?? "adam", lr: opts.retrain.lr, steps: opts.retrain.steps, onStep: opts.retrain.onStep });
    cur = createNet(cur.arch, theta);
    retrainHistory = r.history;
  }
  const final = evaluate(cur, data);
  const lossAfter = final.loss;
  const f = final.f;
  const k = data.k;
  const classification = k > 1;
  const agreementTrain = classification ? agree(fWide, f, data.n, k) : null;
  let outputMaxDiffHeldOut: number | null = null, agreementHeldOut: number | null = null, heldOutLossAfter: number | null = null;
  let matrix = agreementMatrix(fWide, f, data.n, k);
  if (held && fWideHeld) {
    const h = evaluate(cur, held);
    heldOutLossAfter = h.loss;
    const fh = h.f;
    outputMaxDiffHeldOut = maxAbsDiff(fh, fWideHeld);
    agreementHeldOut = classification ? agree(fWideHeld, fh, held.n, k) : null;
    matrix = agreementMatrix(fWideHeld, fh, held.n, k);
  }
  const regression = regressionDiff(fWide, f);
  const warnings: string[] = [];
  // tenfold, and beyond rounding (a zero loss that becomes 1e-33 is no loss of fidelity)
  if (lossAfter > 10 * lossBefore && lossAfter - lossBefore > 1e-15 * Math.max(1, regression.spread ** 2)) warnings.push(`the loss grew more than tenfold (${lossBefore.toExponential(3)} → ${lossAfter.toExponential(3)}): the pruned net is not a faithful reduction${refit === "none" && !opts.retrain ? "; try --refit targets or --retrain" : ""}`);
  const hidden = (w: readonly number[]): number => w.slice(1, -1).reduce((a, b) => a + b, 0);
  return {
    net: cur,
    widthsBefore: [...net.arch.widths], widthsAfter: [...cur.arch.widths],
    widthBefore: hidden(net.arch.widths), widthAfter: hidden(cur.arch.widths),
    layers: merged.layers,
    mergeMaxDiff, outputMaxDiff: maxAbsDiff(f, fWide), outputMaxDiffHeldOut,
    lossBefore, lossAfterMerge, lossAfter, heldOutLossBefore, heldOutLossAfter,
    agreement: agreementHeldOut ?? agreementTrain, agreementTrain, agreementHeldOut, agreementMatrix: matrix,
    refit, polish, retrainHistory, regression, warnings,
  };
}

/** RMS / max of a − b (b the reference), relative to b's standard deviation, and r² of a against b. */
export function regressionDiff(ref: Float64Array, a: Float64Array): NeuronPruneResult["regression"] {
  const n = ref.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += ref[i];
  mean /= n;
  let ss = 0, se = 0, mx = 0;
  for (let i = 0; i < n; i++) {
    ss += (ref[i] - mean) ** 2;
    const d = a[i] - ref[i];
    se += d * d;
    mx = Math.max(mx, Math.abs(d));
  }
  const spread = Math.sqrt(ss / n), rms = Math.sqrt(se / n);
  return {
    outputRmsDiff: rms, outputMaxDiffRelative: spread > 0 ? mx / spread : (mx === 0 ? 0 : Infinity),
    outputRmsDiffRelative: spread > 0 ? rms / spread : (rms === 0 ? 0 : Infinity),
    r2: ss > 0 ? 1 - se / ss : (se === 0 ? 1 : -Infinity), spread,
  };
}

function agree(a: Float64Array, b: Float64Array, n: number, k: number): number {
  const pa = argmaxRows(a, n, k), pb = argmaxRows(b, n, k);
  let s = 0;
  for (let i = 0; i < n; i++) if (pa[i] === pb[i]) s++;
  return s / n;
}

function agreementMatrix(a: Float64Array, b: Float64Array, n: number, k: number): number[][] {
  const pa = argmaxRows(a, n, k), pb = argmaxRows(b, n, k);
  const M = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) M[pa[i]][pb[i]]++;
  return M;
}

/**
 * Least-squares refit of the output layer: [F 1]·[W^[L]ᵀ; b^[L]ᵀ] ≈ T over the training inputs, F = last hidden
 * features, by the normal equations with a small ridge (Cholesky). T = the wide net's outputs or the targets.
 */
export function refitLastLayer(net: Net, data: Dataset, target: Float64Array, ridge = 1e-10): Net {
  const L = net.arch.widths.length - 1;
  if (L < 2) throw new InputError("refit needs a hidden layer");
  const ev = new Evaluator(net.arch, data);
  const F = ev.features(net.theta, L - 1);
  const n = data.n, m = net.arch.widths[L - 1], k = net.arch.widths[L], p = m + 1;
  const G = new Float64Array(p * p), B = new Float64Array(p * k);
  for (let i = 0; i < n; i++) {
    const fo = i * m;
    for (let a = 0; a < p; a++) {
      const fa = a < m ? F[fo + a] : 1;
      if (fa === 0) continue;
      for (let b = a; b < p; b++) G[a * p + b] += fa * (b < m ? F[fo + b] : 1);
      for (let c = 0; c < k; c++) B[a * k + c] += fa * target[i * k + c];
    }
  }
  let tr = 0;
  for (let a = 0; a < p; a++) { for (let b = 0; b < a; b++) G[a * p + b] = G[b * p + a]; tr += G[a * p + a]; }
  const lam = ridge * Math.max(tr / p, 1e-300);
  for (let a = 0; a < p; a++) G[a * p + a] += lam;
  if (!choleskySolve(G, B, p, k)) throw new InputError("least-squares refit: the feature matrix is singular (raise --ridge)");
  const out = createNet(net.arch, net.theta);
  const v = layerViews(net.arch.widths, out.theta)[L - 1];
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < m; a++) v.W[c * m + a] = B[a * k + c];
    v.b[c] = B[m * k + c];
  }
  return out;
}

/** Predicted class of each row of an n×k output matrix (argmax; first index on ties). */
export function argmaxRows(f: Float64Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (f[i * k + j] > f[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}
