import type { Command } from "commander";
import { saveNet } from "../../io/files.js";
import { Evaluator } from "../../nn/evaluator.js";
import { createNet } from "../../nn/arch.js";
import { minimize } from "../../optim/train.js";
import { pruneLayer } from "../../depth/merge-layer.js";
import { InputError } from "../../util/errors.js";
import { dataFlag, netFlag } from "../common.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { outputOption } from "../output.js";

/** `embedscape prune-layer`: merge a linearized hidden layer into the next one (SPEC §4.4), optional fine-tune. */
export function register(program: Command): void {
  program
    .command("prune-layer")
    .description("remove a hidden layer that acts linearly on the data by merging it into the next layer (SPEC §4.4)")
    .option("--net <file>", "the deep net")
    .option("--data <spec>", "training data (a held-out split in the file is used for the held-out change; else probe inputs)")
    .option("--layer <l>", "hidden layer to remove (1..L−1)")
    .option("--force", "merge even if some neurons cross a kink (each uses the piece holding most inputs); the change is reported")
    .option("--fine-tune <steps>", "Adam steps on the pruned net afterwards", "0")
    .option("--lr <rate>", "fine-tune learning rate", "1e-3")
    .addOption(outputOption("--out <file>", "where to write the shallower net", "net"))
    .option("--json", "print as JSON")
    .action((f: { net?: string; data?: string; layer?: string; force?: boolean; fineTune: string; lr: string; out?: string; json?: boolean }) => {
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      if (f.layer === undefined) throw new InputError("--layer is required (the hidden layer to remove)");
      const r = pruneLayer(net, data, num("--layer", f.layer, { int: true, min: 1 }), { force: f.force });
      const steps = num("--fine-tune", f.fineTune, { int: true, min: 0 });
      let out = r.net, fineTuned: { steps: number; loss: number; heldOutLoss: number | null } | null = null;
      if (steps > 0) {
        const theta = Float64Array.from(r.net.theta);
        const h = minimize(new Evaluator(r.net.arch, data), theta, { optimizer: "adam", lr: num("--lr", f.lr, { positive: true }), steps, recordEvery: steps }).history;
        out = createNet(r.net.arch, theta);
        fineTuned = { steps, loss: h[h.length - 1].loss, heldOutLoss: data.heldOut ? new Evaluator(out.arch, data.heldOut).loss(theta) : null };
      }
      if (f.out) saveNet(f.out, out);
      const res = { ...r, net: undefined, widthsBefore: net.arch.widths, widthsAfter: r.net.arch.widths, fineTuned, out: f.out ?? null };
      if (f.json) printJson(res);
      else process.stdout.write([
        `pruned layer ${r.layer}: ${net.arch.widths.join("-")} → ${r.net.arch.widths.join("-")} (${r.exactOnTrain ? "layer was linear on the data: exact" : `${r.nonlinearNeurons.length} neuron(s) crossed a kink`})`,
        `max |Δf| train ${r.outputDiffTrain.toExponential(3)}, ${r.heldOutKind} ${r.outputDiffHeldOut.toExponential(3)}`,
        `R train ${r.lossBefore} → ${r.lossAfter}${r.heldOutLossBefore !== null ? `; held-out ${r.heldOutLossBefore} → ${r.heldOutLossAfter}` : ""}`,
        ...(fineTuned ? [`after ${steps} fine-tune steps: R train ${fineTuned.loss}${fineTuned.heldOutLoss !== null ? `, held-out ${fineTuned.heldOutLoss}` : ""}`] : []),
        ...(f.out ? [`written to ${f.out}`] : []),
      ].join("\n") + "\n");
    });
}
