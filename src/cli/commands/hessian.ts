import type { Command } from "commander";
import { certificate } from "../../optim/refine.js";
import { certificateJson, certificateText, dataFlag, netFlag, requireHessianMemory } from "../common.js";
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
    .option("--eigenvalues", "include all eigenvalues")
    .option("--json", "print JSON")
    .action((f: { net?: string; data?: string; zeroTol?: string; eigenvalues?: boolean; json?: boolean }) => {
      const net = netFlag("--net", f.net);
      requireHessianMemory(net, "hessian");
      const data = dataFlag("--data", f.data, net);
      const c = certificate(net, data, { tolerance: f.zeroTol === undefined ? undefined : num("--zero-tol", f.zeroTol, { min: 0 }) });
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
