import { writeAtomic } from "../../io/files.js";
import { InputError } from "../../util/errors.js";
import { progress } from "../../cli/progress.js";
import { cosineFlag, num } from "../../cli/run.js";

const say = (s: string): void => void process.stdout.write(s + "\n");
const int = (flag: string, v: unknown, min: number): number => num(flag, v as string | undefined, { int: true, min });
const real = (flag: string, v: unknown, positive = true): number => num(flag, v as string | undefined, { positive });

/** `embedscape reproduce mnist-prune`: SPEC §7 E6 (MNIST width 400 → merged at cosine 0.9, agreement, retraining). */
export const mnistPruneReproduction = {
  name: "mnist-prune",
  description: "E6: train 784-400-10 ReLU on 1000 MNIST digits from small init, merge condensed neurons at cosine 0.9, held-out agreement, retraining",
  options: [
    { flags: "--steps <n>", description: "full-batch training steps of the wide net", default: "800" },
    { flags: "--optimizer <name>", description: "gd or adam", default: "gd" },
    { flags: "--lr <rate>", description: "learning rate", default: "1" },
    { flags: "--scale <s>", description: "initial scale: W ~ N(0, (s/√fan_in)²), zero biases", default: "0.01" },
    { flags: "--width <m>", description: "hidden width", default: "400" },
    { flags: "--train <n>", description: "training digits (the rest of the 10,000 are held out)", default: "1000" },
    { flags: "--threshold <cos>", description: "cosine threshold of a group", default: "0.9" },
    { flags: "--low-amplitude <frac>", description: "drop neurons with amplitude ≤ frac·max first", default: "1e-3" },
    { flags: "--retrain <n>", description: "retraining steps of the merged net", default: "200" },
    { flags: "--retrain-lr <rate>", description: "learning rate of the retraining (default: --lr; merged neurons are sharper, so a smaller one can be needed)" },
    { flags: "--seed <n>", description: "initialisation seed", default: "0" },
    { flags: "--save-wide <file>", description: "also save the trained wide net (.json)" },
    { flags: "--save-pruned <file>", description: "also save the merged net before retraining (.json)" },
  ],
  async run(o: Record<string, string | boolean | undefined> & { out: string }): Promise<Record<string, unknown>> {
    const { saveNet } = await import("../../io/files.js");
    const { mnistPruneExperiment, mnistPruneReport, mnistPruneSummary } = await import("./mnist-prune.js");
    const optimizer = String(o.optimizer);
    if (optimizer !== "gd" && optimizer !== "adam") throw new InputError(`--optimizer must be gd or adam, got "${optimizer}"`);
    const threshold = cosineFlag("--threshold", o.threshold as string | undefined);
    const bars: Record<string, ReturnType<typeof progress>> = {};
    const r = mnistPruneExperiment({
      steps: int("--steps", o.steps, 1), optimizer, lr: real("--lr", o.lr), scale: real("--scale", o.scale),
      width: int("--width", o.width, 1), train: int("--train", o.train, 1), threshold,
      lowAmplitude: real("--low-amplitude", o.lowAmplitude, false), retrainSteps: int("--retrain", o.retrain, 0), seed: int("--seed", o.seed, 0),
      retrainLr: o.retrainLr === undefined ? undefined : real("--retrain-lr", o.retrainLr),
      onProgress: (phase, step, total, loss) => {
        for (const [k, b] of Object.entries(bars)) if (k !== phase) { b.stop(); delete bars[k]; }
        (bars[phase] ??= progress(total, phase)).update(step, { loss });
      },
    });
    for (const b of Object.values(bars)) b.stop();
    const summary = mnistPruneSummary(r);
    writeAtomic(o.out, await mnistPruneReport(r));
    if (typeof o.saveWide === "string") saveNet(o.saveWide, r.wide);
    if (typeof o.savePruned === "string") saveNet(o.savePruned, r.pruned);
    const pct = (x: number | null): string => (x === null ? "–" : `${(100 * x).toFixed(2)} %`);
    if (!o.json) {
      say(`wide net: loss ${r.wideLoss.toExponential(3)} after ${r.options.steps} ${r.options.optimizer} steps (relative decrease over the last 10 %: ${r.finalRelativeDecrease.toExponential(2)})`);
      say(`width ${r.widthBefore} → ${r.widthAfter} at cosine ${r.options.threshold} (${r.lowAmplitudeDropped} low-amplitude neurons dropped first)`);
      say(`argmax agreement with the wide net: held-out ${pct(r.agreementHeldOut)}, training ${pct(r.agreementTrain)}; loss after merging ${r.lossAfterMerge.toExponential(3)}`);
      say(`retrained ${r.options.retrainSteps} steps: loss ${(r.retrainHistory[r.retrainHistory.length - 1]?.loss ?? NaN).toExponential(3)}; held-out agreement ${pct(r.agreementHeldOutAfterRetrain)}`);
      say(`report written to ${o.out}`);
    }
    return summary;
  },
};

/** `embedscape reproduce condensation`: SPEC §7 E2/E3 (plateaus across widths, effective neurons). */
export const condensationReproduction = {
  name: "condensation",
  description: "E2/E3: 1-D ReLU target, widths 1,2,3,4,8,30,200: loss plateaus shared across widths, merged effective neurons per width",
  options: [
    { flags: "--widths <list>", description: "hidden widths", default: "1,2,3,4,8,30,200" },
    { flags: "--more", description: "add the SPEC's other widths 6, 15, 60, 100, 2000" },
    { flags: "--runs <n>", description: "runs per width (the paper: 100)", default: "1" },
    { flags: "--steps <n>", description: "GD steps per run", default: "20000" },
    { flags: "--lr <rate>", description: "GD learning rate", default: "0.05" },
    { flags: "--scale <s>", description: "every parameter ~ N(0, s²) at initialisation", default: "0.01" },
    { flags: "--threshold <cos>", description: "cosine threshold for merging effective neurons", default: "0.99" },
    { flags: "--seed <n>", description: "seed", default: "0" },
  ],
  async run(o: Record<string, string | boolean | undefined> & { out: string }): Promise<Record<string, unknown>> {
    const { condensationExperiment, condensationExperimentReport, condensationSummary } = await import("./condensation-1d.js");
    const widths = String(o.widths).split(",").map((s) => int("--widths", s.trim(), 1));
    if (o.more) for (const w of [6, 15, 60, 100, 2000]) if (!widths.includes(w)) widths.push(w);
    widths.sort((a, b) => a - b);
    const runs = int("--runs", o.runs, 1);
    const bar = progress(widths.length * runs, "runs");
    const r = condensationExperiment({
      widths, runs, steps: int("--steps", o.steps, 10), lr: real("--lr", o.lr), scale: real("--scale", o.scale),
      threshold: cosineFlag("--threshold", o.threshold as string | undefined), seed: int("--seed", o.seed, 0), onProgress: (d) => bar.update(d),
    });
    bar.stop();
    writeAtomic(o.out, await condensationExperimentReport(r));
    const s = condensationSummary(r);
    if (!o.json) {
      say(`reference (lowest final loss of the width ≤ 2 runs): ${r.referenceLoss.toExponential(3)}`);
      for (const w of s.perWidth as Array<{ width: number; finalLossMedian: number; plateausRun0: number[]; effectiveNeurons: Array<{ angle: number; amplitude: number }> }>) {
        say(`m = ${w.width}: final loss ${w.finalLossMedian.toExponential(3)}; plateaus ${w.plateausRun0.map((v) => v.toExponential(2)).join(", ") || "–"}; ${w.effectiveNeurons.length} effective neuron(s) ${w.effectiveNeurons.map((e) => `(${e.angle.toFixed(2)}, ${e.amplitude.toFixed(3)})`).join(" ")}`);
      }
      say(`report written to ${o.out}`);
    }
    return s;
  },
};
