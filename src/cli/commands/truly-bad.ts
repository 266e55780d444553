import type { Command } from "commander";
import { trulyBadAnalysis } from "../../analysis/truly-bad.js";
import { dataFlag, netFlag } from "../common.js";
import { num } from "../args.js";
import { printJson } from "../run.js";

/** `embedscape truly-bad`: the N0–N3 necessary conditions of SPEC §3.6 and a verified strict-saddle witness. */
export function register(program: Command): void {
  program
    .command("truly-bad")
    .description("test a critical point against the truly-bad necessary conditions N0–N3 and find a strict-saddle witness embedding")
    .option("--net <file>", "net at a critical point")
    .option("--data <spec>", "data: .csv/.json file or spec")
    .option("--direction", "include the witness eigenvector in the JSON")
    .option("--max-params <n>", "largest (wide) parameter count for the dense Hessian", "3000")
    .option("--json", "print JSON")
    .action((f: { net?: string; data?: string; json?: boolean; direction?: boolean; maxParams: string }) => {
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      const r = trulyBadAnalysis(net, data, { maxParams: num("--max-params", f.maxParams, { int: true, positive: true }) });
      const critical = r.critical;
      const w = r.strictSaddleWitness;
      const witness = w ? { ...w, direction: f.direction ? w.direction : undefined } : null;
      if (f.json) { printJson({ ...r, strictSaddleWitness: witness }); return; }
      const t = (i: { neg: number; zero: number; pos: number }): string => `(${i.neg}, ${i.zero}, ${i.pos})`;
      const lines = [
        ...(critical.note ? [`WARNING: ${critical.note}`] : []),
        `loss ${r.loss.toPrecision(12)}, ‖∇R‖ ${r.gradNorm.toExponential(3)}, inertia ${t(r.inertia)}, τ ${r.zeroTolerance.toExponential(2)}`,
        `N0 (H ⪰ 0): ${r.N0}`,
        ...r.neurons.map((n) => `layer ${n.layer} neuron ${n.neuron}: ‖v‖ ${n.outgoingNorm.toExponential(2)}  N1 ${n.N1}${n.M ? ` (eig M ∈ [${n.M.minEig.toExponential(3)}, ${n.M.maxEig.toExponential(3)}])` : ""}  N2 ${n.N2} (‖C‖ ${n.C.norm.toExponential(2)}, ‖QᵀC‖ ${n.C.projectedNorm.toExponential(2)})`),
        ...r.layers.map((l) => `layer ${l.layer}: N3 ${l.N3}${l.nullCross ? ` (‖σ'(0)Ĉ‖ ${l.nullCross.norm.toExponential(3)}, rank ${l.nullCross.rank})` : ""}`),
        w ? `witness: ${w.kind}${w.layer ? ` layer ${w.layer}` : ""}${w.neuron ? ` neuron ${w.neuron}` : ""}${w.alpha !== undefined ? ` α = ${w.alpha}` : ""} — ${w.reason}; predicted ${t(w.predicted)}, measured ${t(w.measured)}${w.verified ? (critical.critical ? " (strict saddle verified)" : " (NOT verified: the net is not critical)") : ""}`
          : `no witness: every applicable necessary condition holds${r.passesNecessaryConditions ? " (possibly truly bad)" : ""}`,
      ];
      process.stdout.write(lines.join("\n") + "\n");
    });
}
