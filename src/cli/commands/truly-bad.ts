import type { Command } from "commander";
import { trulyBadAnalysis } from "../../analysis/truly-bad.js";
import { dataFlag, netFlag, DATA_HELP } from "../common.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { reportFlag, writePointReport } from "../report-flag.js";
import { certificate } from "../../optim/refine.js";
import { outputOption } from "../output.js";

/** `embedscape truly-bad`: the N0–N3 necessary conditions of SPEC §3.6 and a verified strict-saddle witness. */
export function register(program: Command): void {
  program
    .command("truly-bad")
    .description("test a critical point against the truly-bad necessary conditions N0–N3 and find a strict-saddle witness embedding")
    .option("--net <file>", "net at a critical point")
    .option("--data <spec>", DATA_HELP)
    .option("--direction", "include the witness eigenvector in the JSON")
    .option("--max-params <n>", "largest (wide) parameter count for the dense Hessian", "3000")
    .addOption(outputOption("--report <file.html>", "write an HTML report: data and output, spectrum with τ, the conditions N0–N3 and the witness", "html"))
    .option("--json", "print JSON")
    .action(async (f: { report?: string; net?: string; data?: string; json?: boolean; direction?: boolean; maxParams: string }) => {
      const report = reportFlag(f.report);
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      const maxParams = num("--max-params", f.maxParams, { int: true, positive: true });
      const r = trulyBadAnalysis(net, data, { maxParams });
      const critical = r.critical;
      const w = r.strictSaddleWitness;
      const witness = w ? { ...w, direction: f.direction ? w.direction : undefined } : null;
      const t = (i: { neg: number; zero: number; pos: number }): string => `(${i.neg}, ${i.zero}, ${i.pos})`;
      if (report) {
        const spectrum = net.theta.length <= maxParams ? certificate(net, data, { tolerance: r.zeroTolerance }).eigenvalues : undefined;
        await writePointReport(report, {
          title: `truly-bad: ${net.arch.widths.join("-")} ${net.arch.activation}`,
          lead: w ? `A strict-saddle witness was found (${w.kind}): ${w.reason}.` : `No witness: every applicable necessary condition holds${r.passesNecessaryConditions ? " (possibly truly bad)" : ""}.`,
          data,
          points: [{ label: "net", net, loss: r.loss, gradNorm: r.gradNorm, inertia: { ...r.inertia, tolerance: r.zeroTolerance }, eigenvalues: spectrum }],
          results: {
            head: ["condition", "where", "holds", "detail"],
            rows: [
              ["N0 (H ⪰ 0)", "net", String(r.N0), ""],
              ...r.neurons.flatMap((n) => [
                ["N1", `layer ${n.layer} neuron ${n.neuron}`, String(n.N1), n.M ? `eig M ∈ [${n.M.minEig.toExponential(3)}, ${n.M.maxEig.toExponential(3)}]` : ""],
                ["N2", `layer ${n.layer} neuron ${n.neuron}`, String(n.N2), `‖C‖ ${n.C.norm.toExponential(2)}, ‖QᵀC‖ ${n.C.projectedNorm.toExponential(2)}`],
              ]),
              ...r.layers.map((l) => ["N3", `layer ${l.layer}`, String(l.N3), l.nullCross ? `‖σ′(0)Ĉ‖ ${l.nullCross.norm.toExponential(3)}, rank ${l.nullCross.rank}` : ""]),
              ...(w ? [["witness", w.kind + (w.layer ? ` layer ${w.layer}` : "") + (w.neuron ? ` neuron ${w.neuron}` : ""), w.verified ? "verified" : "not verified", `predicted ${t(w.predicted)}, measured ${t(w.measured)}`]] : []),
            ],
          },
        });
      }
      if (f.json) { printJson({ ...r, strictSaddleWitness: witness }); return; }
      const lines = [
        ...(critical.note ? [`WARNING: ${critical.note}`] : []),
        `loss ${r.loss.toPrecision(12)}, ‖∇R‖ ${r.gradNorm.toExponential(3)}, inertia ${t(r.inertia)}, τ ${r.zeroTolerance.toExponential(2)}`,
        `N0 (H ⪰ 0): ${r.N0}`,
        ...r.neurons.map((n) => `layer ${n.layer} neuron ${n.neuron}: ‖v‖ ${n.outgoingNorm.toExponential(2)}  N1 ${n.N1}${n.M ? ` (eig M ∈ [${n.M.minEig.toExponential(3)}, ${n.M.maxEig.toExponential(3)}])` : ""}  N2 ${n.N2} (‖C‖ ${n.C.norm.toExponential(2)}, ‖QᵀC‖ ${n.C.projectedNorm.toExponential(2)})`),
        ...r.layers.map((l) => `layer ${l.layer}: N3 ${l.N3}${l.nullCross ? ` (‖σ'(0)Ĉ‖ ${l.nullCross.norm.toExponential(3)}, rank ${l.nullCross.rank})` : ""}`),
        w ? `witness: ${w.kind}${w.layer ? ` layer ${w.layer}` : ""}${w.neuron ? ` neuron ${w.neuron}` : ""}${w.alpha !== undefined ? ` α = ${w.alpha}` : ""} — ${w.reason}; predicted ${t(w.predicted)}, measured ${t(w.measured)}${w.verified ? (critical.critical ? " (strict saddle verified)" : " (NOT verified: the net is not critical)") : ""}`
          : `no witness: every applicable necessary condition holds${r.passesNecessaryConditions ? " (possibly truly bad)" : ""}`,
      ];
      if (report) lines.push(`report written to ${report}`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}
