import type { Command } from "commander";
import { pruneNet } from "../../prune/prune-net.js";
import { saveNet } from "../../io/files.js";
import { InputError } from "../../util/errors.js";
import { dataFlag, netFlag } from "../common.js";
import { progress } from "../progress.js";
import { cosineFlag, num } from "../args.js";
import { printJson } from "../run.js";
import { reportFlag, reportPoint, writePointReport } from "../report-flag.js";
import { outputOption } from "../output.js";

/** `embedscape prune`: merge condensed neurons (inverse of width embeddings, SPEC §10 item 3) and report the change. */
export function register(program: Command): void {
  program
    .command("prune")
    .description("merge duplicate/null/condensed neurons of every hidden layer (inverse of embedding, SPEC §10 item 3; E6 rule for ReLU)")
    .option("--net <file>", "the wide net")
    .option("--data <spec>", "training data (its held-out part, e.g. from mnist:1000, is used for held-out numbers)")
    .option("--threshold <cos>", "cosine threshold for direction merges (1 = exact merges only)", "0.9")
    .option("--low-amplitude <frac>", "drop neurons with amplitude ≤ frac·max (0 = keep all)", "1e-3")
    .option("--refit <what>", "least-squares refit of the last layer to: none | outputs (the wide net's) | targets", "none")
    .option("--polish", "polish to a critical point (refineCritical; small nets only)")
    .option("--retrain <steps>", "Adam steps on the pruned net afterwards", "0")
    .option("--lr <rate>", "retraining learning rate", "1e-3")
    .addOption(outputOption("--out <file>", "where to write the pruned net (.json, .safetensors, .npy)", "net"))
    .addOption(outputOption("--report <file.html>", "write an HTML report: wide and pruned net side by side (outputs, spectra with τ, inertia, merges)", "html"))
    .option("--json", "print as JSON")
    .action(async (f: { report?: string; net?: string; data?: string; threshold: string; lowAmplitude: string; refit: string; polish?: boolean; retrain: string; lr: string; out?: string; json?: boolean }) => {
      const report = reportFlag(f.report);
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      const threshold = cosineFlag("--threshold", f.threshold);
      if (!["none", "outputs", "targets"].includes(f.refit)) throw new InputError(`--refit must be none, outputs or targets, got "${f.refit}"`);
      const steps = num("--retrain", f.retrain, { int: true, min: 0 });
      const bar = progress(steps, "retrain");
      const r = pruneNet(net, data, {
        threshold, lowAmplitude: num("--low-amplitude", f.lowAmplitude, { min: 0 }), refit: f.refit as "none", polish: f.polish,
        retrain: steps > 0 ? { steps, lr: num("--lr", f.lr, { positive: true }), onStep: (s, loss, gn) => bar.update(s + 1, { loss, grad: gn }) } : undefined,
      });
      bar.stop();
      if (f.out) saveNet(f.out, r.net);
      const res = {
        widthBefore: r.widthBefore, widthAfter: r.widthAfter, widthsBefore: r.widthsBefore, widthsAfter: r.widthsAfter,
        outputMaxDiff: r.outputMaxDiff, outputMaxDiffHeldOut: r.outputMaxDiffHeldOut, mergeMaxDiff: r.mergeMaxDiff,
        lossBefore: r.lossBefore, lossAfterMerge: r.lossAfterMerge, lossAfter: r.lossAfter,
        heldOutLossBefore: r.heldOutLossBefore, heldOutLossAfter: r.heldOutLossAfter,
        regression: r.regression, outputRmsDiff: r.regression.outputRmsDiff, outputMaxDiffRelative: r.regression.outputMaxDiffRelative, r2: r.regression.r2,
        warnings: r.warnings,
        agreement: r.agreement, agreementTrain: r.agreementTrain, agreementHeldOut: r.agreementHeldOut, agreementMatrix: r.agreementMatrix,
        layers: r.layers.map((s) => ({ ...s, kept: s.kept.map((j) => j + 1) })),
        threshold, refit: r.refit, polish: r.polish, retrain: r.retrainHistory ? { steps, finalLoss: r.retrainHistory[r.retrainHistory.length - 1].loss } : null,
        out: f.out ?? null,
      };
      if (report) {
        await writePointReport(report, {
          title: `prune: ${r.widthsBefore.join("-")} → ${r.widthsAfter.join("-")}`,
          lead: `Merged condensed neurons at cosine ≥ ${threshold} (refit ${r.refit}${r.polish ? ", polished" : ""}${steps ? `, ${steps} retraining steps` : ""}).`,
          data,
          points: [reportPoint(`wide (width ${r.widthBefore})`, net, data), reportPoint(`pruned (width ${r.widthAfter})`, r.net, data)],
          results: {
            head: ["layer", "width before", "width after", "null dropped", "constant folded", "duplicates merged", "direction merged", "low amplitude dropped"],
            rows: r.layers.map((s) => [s.layer, s.widthBefore, s.widthAfter, s.nullDropped, s.constantFolded, s.duplicatesMerged, s.directionMerged, s.lowAmplitudeDropped]),
          },
          notes: [`max |f_pruned − f| on the training data ${r.outputMaxDiff.toExponential(3)}; loss ${r.lossBefore} → ${r.lossAfter}.`, ...r.warnings.map((w) => `Warning: ${w}`)],
        });
      }
      if (f.json) printJson(res);
      else process.stdout.write([
        `width ${r.widthsBefore.join("-")} → ${r.widthsAfter.join("-")} (hidden ${r.widthBefore} → ${r.widthAfter})`,
        `max |f_pruned − f|: train ${r.outputMaxDiff.toExponential(3)}${r.outputMaxDiffHeldOut !== null ? `, held-out ${r.outputMaxDiffHeldOut.toExponential(3)}` : ""}`,
        `loss ${r.lossBefore} → ${r.lossAfter}${r.heldOutLossBefore !== null ? `; held-out ${r.heldOutLossBefore} → ${r.heldOutLossAfter}` : ""}`,
        r.agreement === null
          ? `outputs vs the wide net: RMS diff ${r.regression.outputRmsDiff.toExponential(3)} (${(100 * r.regression.outputRmsDiffRelative).toPrecision(3)} % of their spread ${r.regression.spread.toExponential(3)}), max diff ${(100 * r.regression.outputMaxDiffRelative).toPrecision(3)} % of the spread, r² ${r.regression.r2.toFixed(6)}`
          : `prediction agreement (argmax): ${(100 * r.agreement).toFixed(2)} % on ${r.agreementHeldOut !== null ? "held-out" : "training"} data`,
        ...r.warnings.map((w) => `WARNING: ${w}`),
        ...(f.out ? [`written to ${f.out}`] : []),
        ...(report ? [`report written to ${report}`] : []),
      ].join("\n") + "\n");
    });
}
