import type { Command } from "commander";
import { embeddingReport } from "../../analysis/embedding-check.js";
import { embedVector } from "../../embed/apply.js";
import { recoverEmbedding } from "../../embed/recover.js";
import { InputError } from "../../util/errors.js";
import { dataFlag, netFlag, DATA_HELP } from "../common.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { reportFlag, reportPoint, writePointReport } from "../report-flag.js";
import { recordedEmbedding } from "./embed.js";
import { outputOption } from "../output.js";

/**
 * `embedscape check`: verify a wide net is a critical embedding of a narrow one. The embedding is read from the
 * wide file's meta.embedding when present (and must reproduce the wide θ), otherwise recovered from the two nets.
 */
export function register(program: Command): void {
  program
    .command("check")
    .description("check an embedding: output preservation, ‖∇R‖ narrow/wide, inertia measured and predicted (SPEC §2.9), irreversibility")
    .option("--narrow <file>", "narrow net")
    .option("--wide <file>", "wide net (from `embed`, or any T(π, β) of the narrow net)")
    .option("--data <spec>", DATA_HELP)
    .option("--allow-shifted-null", "accept null neurons when σ(0) ≠ 0")
    .option("--max-params <n>", "largest (wide) parameter count for the dense Hessian", "3000")
    .addOption(outputOption("--report <file.html>", "write an HTML report: narrow and wide net side by side (outputs, spectra with τ, inertia)", "html"))
    .option("--json", "print JSON")
    .action(async (f: { report?: string; narrow?: string; wide?: string; data?: string; json?: boolean; allowShiftedNull?: boolean; maxParams: string }) => {
      const report = reportFlag(f.report);
      const narrow = netFlag("--narrow", f.narrow), wide = netFlag("--wide", f.wide);
      const data = dataFlag("--data", f.data, narrow);
      let e = recordedEmbedding(f.wide!);
      let source = "meta";
      if (e) {
        const rebuilt = embedVector(e, narrow.theta);
        let d = rebuilt.length === wide.theta.length ? 0 : Infinity;
        for (let i = 0; i < rebuilt.length && d < Infinity; i++) d = Math.max(d, Math.abs(rebuilt[i] - wide.theta[i]));
        if (!(d <= 1e-9 * Math.max(1, ...Array.from(narrow.theta, Math.abs)))) throw new InputError(`the embedding recorded in ${f.wide} does not map ${f.narrow} to it (θ differs by ${d})`);
      } else {
        e = recoverEmbedding(narrow, wide);
        source = "recovered";
      }
      const maxParams = num("--max-params", f.maxParams, { int: true, positive: true });
      const r = embeddingReport(narrow, data, e, { allowShiftedNull: f.allowShiftedNull, maxParams });
      const critical = r.critical;
      const out = {
        critical,
        outputMaxDiff: Math.max(r.outputMaxDiff.data, r.outputMaxDiff.probe),
        outputMaxDiffOn: r.outputMaxDiff,
        loss: r.loss,
        gradNorm: r.gradNorm,
        gradientIdentityError: r.gradientIdentityError,
        inertia: r.inertia,
        predictionMatches: r.predictionMatches,
        irreversible: r.irreversible,
        affineFamily: r.affineFamily,
        embedding: { source, pi: e.pi, beta: e.beta },
        widths: r.widths,
      };
      const t = (i: { neg: number; zero: number; pos: number } | null): string => (i ? `(${i.neg}, ${i.zero}, ${i.pos})` : "n/a");
      if (report) {
        const limit = Math.min(maxParams, 1000);
        await writePointReport(report, {
          title: `check: ${r.widths.narrow.join("-")} → ${r.widths.wide.join("-")}`,
          lead: `Embedding (${source}) of the narrow net into the wide one; ${critical.note ?? "the narrow net is critical"}.`,
          data,
          points: [reportPoint("narrow", narrow, data, limit), reportPoint("wide", wide, data, limit)],
          results: {
            head: ["quantity", "value"],
            rows: [
              ["max |f_wide − f_narrow| (data / probes)", `${r.outputMaxDiff.data.toExponential(2)} / ${r.outputMaxDiff.probe.toExponential(2)}`],
              ["‖∇R‖ narrow / wide", `${r.gradNorm.narrow.toExponential(3)} / ${r.gradNorm.wide.toExponential(3)}`],
              ["∇R identity error", r.gradientIdentityError],
              ["inertia narrow", t(r.inertia.narrow)], ["inertia wide", t(r.inertia.wide)],
              ["inertia predicted (SPEC §2.9)", t(r.inertia.predicted) + (r.predictionMatches === null ? "" : r.predictionMatches ? " — matches" : " — MISMATCH")],
              ["irreversible", String(r.irreversible)],
              ["affine family", `dim ${r.affineFamily.dimension}, rank ${r.affineFamily.rank}, max ‖∇R‖ ${r.affineFamily.maxGradNorm.toExponential(2)}, max |ΔR| ${r.affineFamily.maxLossDiff.toExponential(2)}`],
            ],
          },
        });
      }
      if (f.json) { printJson(out); return; }
      process.stdout.write([
        ...(critical.note ? [`WARNING: ${critical.note}`] : []),
        `${r.widths.narrow.join("-")} → ${r.widths.wide.join("-")} (embedding ${source})`,
        `max |f_wide − f_narrow|  ${out.outputMaxDiff.toExponential(3)} (data ${r.outputMaxDiff.data.toExponential(2)}, probes ${r.outputMaxDiff.probe.toExponential(2)})`,
        `‖∇R‖ narrow / wide       ${r.gradNorm.narrow.toExponential(3)} / ${r.gradNorm.wide.toExponential(3)}`,
        `∇R identity error        ${r.gradientIdentityError.toExponential(3)}`,
        `inertia narrow           ${t(r.inertia.narrow)}`,
        `inertia wide             ${t(r.inertia.wide)}`,
        `inertia predicted §2.9   ${t(r.inertia.predicted)}${r.inertia.predictionNote ? ` (${r.inertia.predictionNote})` : ""}${r.predictionMatches === null ? "" : r.predictionMatches ? "  matches" : "  MISMATCH"}`,
        `irreversible             ${r.irreversible}`,
        `affine family            dim ${r.affineFamily.dimension}, rank ${r.affineFamily.rank}, max ‖∇R‖ ${r.affineFamily.maxGradNorm.toExponential(2)}, max |ΔR| ${r.affineFamily.maxLossDiff.toExponential(2)}`,
        ...(report ? [`report written to ${report}`] : []),
      ].join("\n") + "\n");
    });
}
