import type { Net } from "../../nn/arch.js";
import type { ProgressSink, Reproduction } from "../types.js";

/** `embedscape reproduce mnist-prune`: SPEC §7 E6 (MNIST width 400 → merged at cosine 0.9, agreement, retraining). */
export const mnistPruneReproduction: Reproduction = {
  name: "mnist-prune",
  description: "E6: train 784-400-10 ReLU on 1000 MNIST digits from small init, merge condensed neurons at cosine 0.9, held-out agreement, retraining",
  options: [
    { flags: "--steps <n>", description: "full-batch training steps of the wide net", default: "800", parse: { kind: "int", min: 1 } },
    { flags: "--optimizer <name>", description: "gd or adam", default: "gd", parse: { kind: "text", choices: ["gd", "adam"] } },
    { flags: "--lr <rate>", description: "learning rate", default: "1", parse: { kind: "real", positive: true } },
    { flags: "--scale <s>", description: "initial scale: W ~ N(0, (s/√fan_in)²), zero biases", default: "0.01", parse: { kind: "real", positive: true } },
    { flags: "--width <m>", description: "hidden width", default: "400", parse: { kind: "int", min: 1 } },
    { flags: "--train <n>", description: "training digits (the rest of the 10,000 are held out)", default: "1000", parse: { kind: "int", min: 1 } },
    { flags: "--threshold <cos>", description: "cosine threshold of a group", default: "0.9", parse: { kind: "cosine" } },
    { flags: "--low-amplitude <frac>", description: "drop neurons with amplitude ≤ frac·max first", default: "1e-3", parse: { kind: "real" } },
    { flags: "--retrain <n>", description: "retraining steps of the merged net", default: "200", parse: { kind: "int", min: 0 } },
    { flags: "--retrain-lr <rate>", description: "learning rate of the retraining (default: --lr; merged neurons are sharper, so a smaller one can be needed)", parse: { kind: "real", positive: true } },
    { flags: "--seed <n>", description: "initialisation seed", default: "0", parse: { kind: "int", min: 0 } },
    { flags: "--save-wide <file>", description: "also save the trained wide net (.json)", parse: { kind: "text" } },
    { flags: "--save-pruned <file>", description: "also save the merged net before retraining (.json)", parse: { kind: "text" } },
  ],
  async run(o, hooks) {
    const { mnistPruneExperiment, mnistPruneReport, mnistPruneSummary } = await import("./mnist-prune.js");
    const bars: Record<string, ProgressSink> = {};
    const r = mnistPruneExperiment({
      steps: o.steps as number, optimizer: o.optimizer as "gd" | "adam", lr: o.lr as number, scale: o.scale as number,
      width: o.width as number, train: o.train as number, threshold: o.threshold as number,
      lowAmplitude: o.lowAmplitude as number, retrainSteps: o.retrain as number, seed: o.seed as number,
      retrainLr: o.retrainLr as number | undefined,
      onProgress: (phase, step, total, loss) => {
        for (const [k, b] of Object.entries(bars)) if (k !== phase) { b.stop(); delete bars[k]; }
        (bars[phase] ??= hooks.progress(total, phase)).update(step, { loss });
      },
    });
    for (const b of Object.values(bars)) b.stop();
    const pct = (x: number | null): string => (x === null ? "–" : `${(100 * x).toFixed(2)} %`);
    const nets: Array<{ path: string; net: Net }> = [];
    if (typeof o.saveWide === "string") nets.push({ path: o.saveWide, net: r.wide });
    if (typeof o.savePruned === "string") nets.push({ path: o.savePruned, net: r.pruned });
    return {
      html: await mnistPruneReport(r),
      json: mnistPruneSummary(r),
      nets,
      text: [
        `wide net: loss ${r.wideLoss.toExponential(3)} after ${r.options.steps} ${r.options.optimizer} steps (relative decrease over the last 10 %: ${r.finalRelativeDecrease.toExponential(2)})`,
        `width ${r.widthBefore} → ${r.widthAfter} at cosine ${r.options.threshold} (${r.lowAmplitudeDropped} low-amplitude neurons dropped first)`,
        `argmax agreement with the wide net: held-out ${pct(r.agreementHeldOut)}, training ${pct(r.agreementTrain)}; loss after merging ${r.lossAfterMerge.toExponential(3)}`,
        `retrained ${r.options.retrainSteps} steps: loss ${(r.retrainHistory[r.retrainHistory.length - 1]?.loss ?? NaN).toExponential(3)}; held-out agreement ${pct(r.agreementHeldOutAfterRetrain)}`,
      ],
    };
  },
};

/** `embedscape reproduce condensation`: SPEC §7 E2/E3 (plateaus across widths, effective neurons). */
export const condensationReproduction: Reproduction = {
  name: "condensation",
  description: "E2/E3: 1-D ReLU target, widths 1,2,3,4,8,30,200: loss plateaus shared across widths, merged effective neurons per width",
  options: [
    { flags: "--widths <list>", description: "hidden widths", default: "1,2,3,4,8,30,200", parse: { kind: "ints", min: 1 } },
    { flags: "--more", description: "add the SPEC's other widths 6, 15, 60, 100, 2000", parse: { kind: "flag" } },
    { flags: "--runs <n>", description: "runs per width (the paper: 100)", default: "1", parse: { kind: "int", min: 1 } },
    { flags: "--steps <n>", description: "GD steps per run", default: "20000", parse: { kind: "int", min: 10 } },
    { flags: "--lr <rate>", description: "GD learning rate", default: "0.05", parse: { kind: "real", positive: true } },
    { flags: "--scale <s>", description: "every parameter ~ N(0, s²) at initialisation", default: "0.01", parse: { kind: "real", positive: true } },
    { flags: "--threshold <cos>", description: "cosine threshold for merging effective neurons", default: "0.99", parse: { kind: "cosine" } },
    { flags: "--seed <n>", description: "seed", default: "0", parse: { kind: "int", min: 0 } },
  ],
  async run(o, hooks) {
    const { condensationExperiment, condensationExperimentReport, condensationSummary } = await import("./condensation-1d.js");
    const widths = [...(o.widths as number[])];
    if (o.more) for (const w of [6, 15, 60, 100, 2000]) if (!widths.includes(w)) widths.push(w);
    widths.sort((a, b) => a - b);
    const runs = o.runs as number;
    const bar = hooks.progress(widths.length * runs, "runs");
    const r = condensationExperiment({
      widths, runs, steps: o.steps as number, lr: o.lr as number, scale: o.scale as number,
      threshold: o.threshold as number, seed: o.seed as number, onProgress: (d) => bar.update(d),
    });
    bar.stop();
    const s = condensationSummary(r);
    const text = [`reference (lowest final loss of the width ≤ 2 runs): ${r.referenceLoss.toExponential(3)}`];
    for (const w of s.perWidth as Array<{ width: number; finalLossMedian: number; plateausRun0: number[]; effectiveNeurons: Array<{ angle: number; amplitude: number }> }>) {
      text.push(`m = ${w.width}: final loss ${w.finalLossMedian.toExponential(3)}; plateaus ${w.plateausRun0.map((v) => v.toExponential(2)).join(", ") || "–"}; ${w.effectiveNeurons.length} effective neuron(s) ${w.effectiveNeurons.map((e) => `(${e.angle.toFixed(2)}, ${e.amplitude.toFixed(3)})`).join(" ")}`);
    }
    return { html: await condensationExperimentReport(r), json: s, text };
  },
};
