import type { Net } from "../../nn/arch.js";
import { InputError } from "../../util/errors.js";
import { checkSweepFlags, runnerFromFlags, sweepDir, sweepFlags, sweepProgress, SWEEP_OPTIONS, wantsSweep } from "../sweep-options.js";
import type { ProgressSink, Reproduction, ReproductionOptions, RunHooks } from "../types.js";

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
    { flags: "--seeds <list>", description: "run every seed of a list like 0..9 as a sweep (locally on all cores or on --queue): median and spread of the width after pruning next to the paper's 58", parse: { kind: "range", max: 2 ** 31 } },
    { flags: "--save-wide <file>", description: "also save the trained wide net (.json; single seed only)", parse: { kind: "text" } },
    { flags: "--save-pruned <file>", description: "also save the merged net before retraining (.json; single seed only)", parse: { kind: "text" } },
    ...SWEEP_OPTIONS,
  ],
  async run(o, hooks) {
    if (o.seeds !== undefined || wantsSweep(sweepFlags(o))) return mnistPruneSeeds(o, hooks);
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

/**
 * E6 over seeds through a sweep (`--seeds`, or any sweep flag): one `mnist-prune` cell per seed, run on this machine's
 * cores or the queue into the sweep's folder (the one file this reproduction writes itself); a table of the seeds and
 * the median and spread of the width after pruning.
 */
async function mnistPruneSeeds(o: ReproductionOptions, hooks: RunHooks): Promise<{ html: string; json: unknown; text: string[] }> {
  if (o.saveWide !== undefined || o.savePruned !== undefined) throw new InputError("--save-wide and --save-pruned need a single run (no --seeds, --queue, --cores or --sweep-dir)");
  const seeds = (o.seeds as number[] | undefined) ?? [o.seed as number];
  const opts = {
    steps: o.steps as number, optimizer: o.optimizer as "gd" | "adam", lr: o.lr as number, scale: o.scale as number,
    width: o.width as number, train: o.train as number, threshold: o.threshold as number,
    lowAmplitude: o.lowAmplitude as number, retrainSteps: o.retrain as number, retrainLr: o.retrainLr as number | undefined,
  };
  const { mnistPruneSweep } = await import("./sweeps.js");
  const { sweepName } = await import("../../sweep/run-cells.js");
  const { mnistPruneSeedsReport } = await import("./mnist-prune.js");
  const { SweepStore } = await import("../../sweep/store.js");
  const f = sweepFlags(o);
  await checkSweepFlags(f);
  const store = new SweepStore(sweepDir(f, sweepName("mnist-prune", { ...opts, seeds })));
  const bar = sweepProgress(hooks.progress, "seeds");
  let runner;
  try {
    runner = await runnerFromFlags(f);
    const r = await mnistPruneSweep(seeds, opts, runner, store, bar.opts);
    const w = r.widthAfter;
    return {
      html: mnistPruneSeedsReport(r),
      json: { ...r, sweep: { runner: runner.name, store: store.path } },
      text: [
        `width after pruning over ${w.n} seed(s): median ${w.median}, quartiles ${w.q1}–${w.q3}, range ${w.min}–${w.max} (paper: ${r.paperWidthAfter})`,
        `results in ${store.path}`,
      ],
    };
  } finally {
    bar.stop();
    await runner?.close();
    store.close();
  }
}

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
    ...SWEEP_OPTIONS,
  ],
  async run(o, hooks) {
    const { condensationExperiment, condensationExperimentReport, condensationSummary, condensationOptions } = await import("./condensation-1d.js");
    const widths = [...(o.widths as number[])];
    if (o.more) for (const w of [6, 15, 60, 100, 2000]) if (!widths.includes(w)) widths.push(w);
    widths.sort((a, b) => a - b);
    const runs = o.runs as number;
    const opts = { widths, runs, steps: o.steps as number, lr: o.lr as number, scale: o.scale as number, threshold: o.threshold as number, seed: o.seed as number };
    const f = sweepFlags(o);
    let r: ReturnType<typeof condensationExperiment>;
    let sweep: { runner: string; store: string } | undefined;
    if (runs > 1 || wantsSweep(f)) {
      // every (width, run) is a sweep cell: all cores here or the queue, into the sweep's folder; same bits as the loop below
      const { condensationSweep } = await import("./sweeps.js");
      const { sweepName } = await import("../../sweep/run-cells.js");
      const { SweepStore } = await import("../../sweep/store.js");
      await checkSweepFlags(f);
      const store = new SweepStore(sweepDir(f, sweepName("condensation", condensationOptions(opts))));
      const bar = sweepProgress(hooks.progress, "runs");
      let runner;
      try {
        runner = await runnerFromFlags(f);
        r = await condensationSweep(opts, runner, store, bar.opts);
        sweep = { runner: runner.name, store: store.path };
      } finally {
        bar.stop();
        await runner?.close();
        store.close();
      }
    } else {
      const bar = hooks.progress(widths.length * runs, "runs");
      r = condensationExperiment({ ...opts, onProgress: (d) => bar.update(d) });
      bar.stop();
    }
    const s: Record<string, unknown> = { ...condensationSummary(r), ...(sweep ? { sweep } : {}) };
    const text = [`reference (lowest final loss of the width ≤ 2 runs): ${r.referenceLoss.toExponential(3)}`];
    if (sweep) text.push(`${r.runs.length} runs (${sweep.runner} runner); results in ${sweep.store}`);
    for (const w of s.perWidth as Array<{ width: number; finalLossMedian: number; plateausRun0: number[]; effectiveNeurons: Array<{ angle: number; amplitude: number }> }>) {
      text.push(`m = ${w.width}: final loss ${w.finalLossMedian.toExponential(3)}; plateaus ${w.plateausRun0.map((v) => v.toExponential(2)).join(", ") || "–"}; ${w.effectiveNeurons.length} effective neuron(s) ${w.effectiveNeurons.map((e) => `(${e.angle.toFixed(2)}, ${e.amplitude.toFixed(3)})`).join(" ")}`);
    }
    return { html: await condensationExperimentReport(r), json: s, text };
  },
};
