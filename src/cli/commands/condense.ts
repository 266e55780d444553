import type { Command } from "commander";
import { condensation } from "../../prune/condensation.js";
import { writeAtomic } from "../../io/files.js";
import { InputError } from "../../util/errors.js";
import { dataFlag, netFlag } from "../common.js";
import { cosineFlag, num } from "../args.js";
import { printJson } from "../run.js";
import { reportFlag, reportPoint, writePointReport } from "../report-flag.js";
import { outputOption } from "../output.js";

/** `embedscape condense`: per-neuron orientation/amplitude, similarity groups and low-amplitude neurons (SPEC §7 E3/E6). */
export function register(program: Command): void {
  program
    .command("condense")
    .description("condensation analysis of every hidden layer: orientations, amplitudes, cosine-similarity groups, low-amplitude neurons (SPEC §7 E3/E6)")
    .option("--net <file>", "the trained net")
    .option("--data <spec>", "data (optional): adds per-neuron activity on the inputs (fraction with positive pre-activation)")
    .option("--threshold <cos>", "cosine threshold of a group (leader grouping)", "0.9")
    .option("--low-amplitude <frac>", "neurons with amplitude ≤ frac·max are low-amplitude", "1e-3")
    .option("--similarity", "include the full similarity matrices in the JSON")
    .addOption(outputOption("--report <file.html>", "write an HTML report (orientation–amplitude scatter, similarity heat map; with --data also the data and output, spectrum with τ)", "html"))
    .option("--json", "print as JSON")
    .action(async (f: { net?: string; data?: string; threshold: string; lowAmplitude: string; similarity?: boolean; report?: string; json?: boolean }) => {
      const report = reportFlag(f.report);
      const net = netFlag("--net", f.net);
      const threshold = cosineFlag("--threshold", f.threshold);
      const lowAmplitude = num("--low-amplitude", f.lowAmplitude, { min: 0 });
      const layers = condensation(net, { threshold, lowAmplitude });
      if (layers.length === 0) throw new InputError(`the net ${net.arch.widths.join("-")} has no hidden layer`);
      let activity: number[][] | null = null;
      const data = f.data ? dataFlag("--data", f.data, net) : undefined;
      if (data) {
        const { Evaluator } = await import("../../nn/evaluator.js");
        const ev = new Evaluator(net.arch, data);
        activity = layers.map((c) => {
          const H = ev.preActivations(net.theta, c.layer), m = c.width;
          const a = new Array<number>(m).fill(0);
          for (let i = 0; i < data.n; i++) for (let j = 0; j < m; j++) if (H[i * m + j] > 0) a[j]++;
          return a.map((v) => v / data.n);
        });
      }
      if (report) {
        const { condensationReport, condensationSection } = await import("../../experiments/condensation/report.js");
        if (data) {
          const sections = [];
          for (const c of layers) sections.push({ title: `Condensation of hidden layer ${c.layer}`, html: await condensationSection(c) });
          await writePointReport(report, {
            title: `condense: ${net.arch.widths.join("-")} ${net.arch.activation}`,
            lead: `Condensation analysis (leader grouping by cosine similarity at ${threshold}, SPEC §7 E3/E6) with the net on its data.`,
            data, points: [reportPoint("net", net, data)], sections,
          });
        } else writeAtomic(report, await condensationReport(net, layers));
      }
      const out = {
        widths: net.arch.widths, activation: net.arch.activation, threshold, lowAmplitudeFraction: lowAmplitude,
        layers: layers.map((c, i) => ({
          layer: c.layer, width: c.width, effectiveWidth: c.effectiveWidth, lowAmplitude: c.lowAmplitude.map((j) => j + 1),
          signSymmetric: c.signSymmetric, positivelyHomogeneous: c.homogeneous,
          groups: c.groups.map((g) => ({ leader: g.leader + 1, members: g.members.map((j) => j + 1), signs: g.signs, amplitude: g.amplitude, minSimilarity: g.minSimilarity })),
          amplitude: c.amplitude, angle: c.angle, orientation: c.orientation,
          ...(activity ? { activeFraction: activity[i] } : {}),
          ...(f.similarity ? { similarity: Array.from(c.similarity) } : {}),
        })),
        report: f.report ?? null,
      };
      if (f.json) printJson(out);
      else process.stdout.write(layers.map((c) => `layer ${c.layer}: width ${c.width} → ${c.effectiveWidth} group(s) at cos ≥ ${threshold} (${c.lowAmplitude.length} low-amplitude neuron(s) left out); largest groups: ${[...c.groups].sort((a, b) => b.members.length - a.members.length).slice(0, 8).map((g) => g.members.length).join(", ")}`).join("\n") + "\n" + (report ? `report written to ${report}\n` : ""));
    });
}
