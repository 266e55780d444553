import type { Command } from "commander";
import { saveNet } from "../../io/files.js";
import { refineCritical } from "../../optim/refine.js";
import { certificateJson, certificateText, dataFlag, netFlag, requireHessianMemory, DATA_HELP } from "../common.js";
import { progress } from "../progress.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { reportFlag, reportPoint, writePointReport } from "../report-flag.js";
import { outputOption } from "../output.js";

/** `embedscape critical`: refine a net to a critical point (minimum or saddle) and print its certificate. */
export function register(program: Command): void {
  program
    .command("critical")
    .description("converge to the nearest critical point (minimum or saddle) and certify it: loss, ‖∇R‖, Hessian inertia")
    .option("--net <file>", "starting net")
    .option("--data <spec>", DATA_HELP)
    .option("--tol <g>", "target ‖∇R‖₂", "1e-12")
    .option("--max-iter <n>", "budget of Newton-type solver iterations (all stages)", "1000")
    .option("--no-embedding", "skip the embedding-aware reduction stage")
    .option("--restarts <n>", "descent restarts (Adam) when Newton stalls", "8")
    .option("--zero-tol <tau>", "absolute zero tolerance τ for the inertia (default 100·‖H‖·P·ε)")
    .addOption(outputOption("--out <file>", "write the critical point here", "net"))
    .option("--eigenvalues", "include the Hessian eigenvalues")
    .addOption(outputOption("--report <file.html>", "write an HTML report: data and output, spectrum with τ, start and critical point", "html"))
    .option("--json", "print the certificate as JSON")
    .action(async (f: { report?: string; net?: string; data?: string; tol: string; maxIter: string; embedding: boolean; restarts: string; zeroTol?: string; out?: string; eigenvalues?: boolean; json?: boolean }) => {
      const report = reportFlag(f.report);
      const net = netFlag("--net", f.net);
      requireHessianMemory(net, "critical");
      const data = dataFlag("--data", f.data, net);
      const maxIter = num("--max-iter", f.maxIter, { int: true, min: 0 });
      const bar = progress(maxIter, "critical");
      const cert = refineCritical(net, data, {
        tol: num("--tol", f.tol, { positive: true }), maxIter, embedding: f.embedding, restarts: num("--restarts", f.restarts, { int: true, min: 0 }),
        tolerance: f.zeroTol === undefined ? undefined : num("--zero-tol", f.zeroTol, { min: 0 }),
        onIteration: (it, loss, gn) => bar.update(it, { loss, grad: gn }),
      });
      bar.stop();
      if (f.out) saveNet(f.out, cert.net);
      if (report) {
        await writePointReport(report, {
          title: `critical: ${net.arch.widths.join("-")} ${net.arch.activation}`,
          lead: cert.converged ? `Refined to a critical point (${cert.strategy ?? "solver"}, ${cert.iterations} iterations).` : `No critical point was certified: ${cert.reason}.`,
          data,
          points: [reportPoint("start", net, data), { label: cert.converged ? "critical point" : "end point", net: cert.net, loss: cert.loss, gradNorm: cert.gradNorm, inertia: cert.inertia, eigenvalues: cert.eigenvalues }],
          results: { head: ["quantity", "value"], rows: [["converged", String(cert.converged)], ["reason", String(cert.reason)], ["iterations", cert.iterations], ["‖θ − θ_start‖₂", cert.distance ?? "—"], ["relative gradient", cert.relativeGradient ?? "—"]] },
        });
      }
      if (f.json) printJson(certificateJson(cert, f.eigenvalues));
      else process.stdout.write(certificateText(cert) + (f.eigenvalues ? `\neigenvalues ${Array.from(cert.eigenvalues, (l) => l.toExponential(6)).join(" ")}` : "") + (f.out ? `\nwritten to ${f.out}` : "") + (report ? `\nreport written to ${report}` : "") + "\n");
      if (!cert.converged) process.exitCode = 3; // ran, but no critical point was certified
    });
}
