import type { Command } from "commander";
import { certificate } from "../../optim/refine.js";
import { certificateJson, certificateText, dataFlag, netFlag } from "../common.js";
import { num } from "../args.js";
import { printJson } from "../run.js";

/** `embedscape hessian`: exact dense Hessian at the given net, its inertia, τ and gap. */
export function register(program: Command): void {
  program
    .command("hessian")
    .description("exact Hessian of the loss at a net: inertia (n₋, n₀, n₊), zero tolerance, spectral gap, eigenvalues")
    .option("--net <file>", "the net")
    .option("--data <spec>", "data: .csv/.json file or spec")
    .option("--zero-tol <tau>", "absolute zero tolerance τ (default 100·‖H‖·P·ε)")
    .option("--eigenvalues", "include all eigenvalues (and the exact gap; without it, above 500 parameters, the inertia comes from LDLᵀ counts and the gap from proved bounds)")
    .option("--json", "print JSON")
    .action((f: { net?: string; data?: string; zeroTol?: string; eigenvalues?: boolean; json?: boolean }) => {
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      // inertia by LDLᵀ counts unless the spectrum is asked for (or P ≤ 500); then eigenvalues without eigenvectors
      const c = certificate(net, data, { spectrum: f.eigenvalues ? "values" : "auto", tolerance: f.zeroTol === undefined ? undefined : num("--zero-tol", f.zeroTol, { min: 0 }) });
      if (f.json) {
        const j = certificateJson(c, f.eigenvalues);
        delete j.iterations; delete j.converged; delete j.reason;
        printJson(j);
      } else {
        process.stdout.write(certificateText(c).split("\n").filter((l) => !l.startsWith("iterations")).join("\n") + "\n");
        if (f.eigenvalues) process.stdout.write(`eigenvalues ${Array.from(c.eigenvalues, (l) => l.toExponential(6)).join(" ")}\n`);
      }
    });
}
