import type { Command } from "commander";
import { linearizationReport } from "../../depth/linearization.js";
import { dataFlag, netFlag, DATA_HELP } from "../common.js";
import { jsonBound, printJson } from "../run.js";

/** `embedscape layers`: per hidden layer, the fraction of neurons linear on the data and their margins (SPEC §4.2). */
export function register(program: Command): void {
  program
    .command("layers")
    .description("layer linearization per hidden layer: fraction of neurons acting linearly on the data and margins to the kinks")
    .option("--net <file>", "the net")
    .option("--data <spec>", DATA_HELP)
    .option("--neurons", "include every neuron (piece, margin) in the JSON")
    .option("--json", "print as JSON")
    .action((f: { net?: string; data?: string; neurons?: boolean; json?: boolean }) => {
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      const rep = linearizationReport(net, data);
      // infinite margins (an activation without kinks) are "inf", as in lift; null stays "no such neuron"
      const bound = (x: number | null): number | string | null => (x === null ? null : jsonBound(x));
      const layers = rep.map((r) => ({ ...r, minLinearMargin: bound(r.minLinearMargin), medianMargin: bound(r.medianMargin), neurons: f.neurons ? r.neurons.map((q) => ({ ...q, margin: bound(q.margin) })) : undefined }));
      if (f.json) printJson({ activation: net.arch.activation, widths: net.arch.widths, n: data.n, layers });
      else {
        process.stdout.write(`layer  width  linear  fraction  min margin (linear)  median margin  prunable\n`);
        for (const r of rep) process.stdout.write(`${String(r.layer).padEnd(6)} ${String(r.width).padEnd(6)} ${String(r.linearCount).padEnd(7)} ${r.linearFraction.toFixed(3).padEnd(9)} ${String(r.minLinearMargin === null ? "—" : r.minLinearMargin.toPrecision(4)).padEnd(20)} ${String(r.medianMargin === null ? "—" : r.medianMargin.toPrecision(4)).padEnd(14)} ${r.linearized ? "yes" : "no"}\n`);
      }
    });
}
