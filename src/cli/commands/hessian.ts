import type { Command } from "commander";
import { certificate } from "../../optim/refine.js";
import type { hessianInertiaEstimate } from "../../spectrum/hessian.js";
import type { InertiaEstimate } from "../../spectrum/inertia-estimate.js";
import { certificateJson, certificateText, dataFlag, netFlag, outputPathFlag, requireHessianMemory, DATA_HELP } from "../common.js";
import { num } from "../args.js";
import { progress } from "../progress.js";
import { printJson } from "../run.js";
import { outputOption } from "../output.js";

interface HessianFlags {
  net?: string; data?: string; report?: string; zeroTol?: string; eigenvalues?: boolean; json?: boolean;
  estimate?: boolean; exact?: boolean; degree: string; probes: string; seed: string; confidence: string; relativeTol: string;
}

/**
 * `embedscape hessian`: exact dense Hessian at the given net, its inertia, τ and gap; with
 * `--estimate`, a matrix-free inertia estimate with confidence intervals instead (KPM on exact
 * HVPs, `inertiaEstimate`), for nets beyond the dense limit; `--estimate --exact` gives both.
 */
export function register(program: Command): void {
  program
    .command("hessian")
    .description("exact Hessian of the loss at a net: inertia (n₋, n₀, n₊), zero tolerance, spectral gap, eigenvalues; --estimate: matrix-free inertia estimate with confidence intervals")
    .option("--net <file>", "the net")
    .option("--data <spec>", DATA_HELP)
    .option("--zero-tol <tau>", "absolute zero tolerance τ (default 100·‖H‖·P·ε; with --estimate: --relative-tol·‖H‖)")
    .option("--eigenvalues", "include all eigenvalues (and the exact gap; without it, above 500 parameters, the inertia comes from LDLᵀ counts and the gap from proved bounds)")
    .option("--estimate", "estimate the inertia from Hessian-vector products only (no P×P matrix): Chebyshev/Jackson step-function traces with Rademacher probes")
    .option("--exact", "with --estimate: also compute the exact dense inertia")
    .option("--degree <D>", "with --estimate: polynomial degree (D/2 Hessian-vector products per probe)", "400")
    .option("--probes <N>", "with --estimate: Rademacher probes", "20")
    .option("--seed <n>", "with --estimate: seed of the probes", "0")
    .option("--confidence <c>", "with --estimate: two-sided confidence of the intervals", "0.95")
    .option("--relative-tol <r>", "with --estimate and no --zero-tol: τ = r·‖H‖ (‖H‖ from the Lanczos bounds)", "1e-3")
    .addOption(outputOption("--report <file.html>", "write an HTML report: data and output, spectrum with τ, inertia (and the estimate's intervals)", "html"))
    .option("--json", "print JSON")
    .action(async (f: HessianFlags) => {
      // the report writer and the estimator are imported only when asked for (start-up of the plain command)
      const report = f.report === undefined ? undefined : outputPathFlag("--report", f.report, ".html");
      const net = netFlag("--net", f.net);
      // the dense P×P Hessian is built unless only the matrix-free estimate is asked for
      if (!f.estimate || f.exact) requireHessianMemory(net, "hessian");
      const data = dataFlag("--data", f.data, net);
      const tolerance = f.zeroTol === undefined ? undefined : num("--zero-tol", f.zeroTol, { min: 0 });
      let est: ReturnType<typeof hessianInertiaEstimate> | undefined;
      let seconds = 0;
      if (f.estimate) {
        const degree = num("--degree", f.degree, { int: true, min: 2 }), probes = num("--probes", f.probes, { int: true, min: 2 });
        const confidence = num("--confidence", f.confidence, { positive: true }), relativeTolerance = num("--relative-tol", f.relativeTol, { min: 0 });
        const bar = progress(probes, "probes");
        const t0 = Date.now();
        const { hessianInertiaEstimate } = await import("../../spectrum/hessian.js");
        est = hessianInertiaEstimate(net, data, {
          degree: degree % 2 ? degree + 1 : degree, probes, confidence, relativeTolerance, tolerance,
          seed: num("--seed", f.seed, { int: true, min: 0 }), onProbe: (p) => bar.update(p),
        });
        bar.stop();
        seconds = (Date.now() - t0) / 1000;
      }
      const c = !f.estimate || f.exact ? certificate(net, data, { spectrum: f.eigenvalues ? "values" : "auto", tolerance: tolerance ?? (f.estimate ? est?.estimate.tolerance : undefined) }) : undefined;
      if (report) {
        const e = est?.estimate;
        const { writePointReport } = await import("../report-flag.js");
        await writePointReport(report, {
          title: `hessian: ${net.arch.widths.join("-")} ${net.arch.activation}`,
          lead: c ? `Exact dense Hessian over P = ${net.theta.length} parameters.` : `Matrix-free inertia estimate over P = ${net.theta.length} parameters (no dense Hessian).`,
          data,
          points: [c ? { label: "net", net, loss: c.loss, gradNorm: c.gradNorm, inertia: c.inertia, eigenvalues: c.eigenvalues?.length ? c.eigenvalues : undefined } : { label: "net", net, loss: est!.loss, gradNorm: est!.gradNorm }],
          results: e ? {
            head: ["count", "estimate", `${Math.round(100 * e.confidence)} % interval`, "t·SE", "bias bound"],
            rows: (["neg", "zero", "pos"] as const).map((k) => [k === "neg" ? "n₋" : k === "zero" ? "n₀" : "n₊", e[k].estimate, `[${e[k].interval[0]}, ${e[k].interval[1]}]`, e.quantile * e[k].standardError, e[k].bias]),
          } : undefined,
          notes: e ? [`Estimate: degree ${e.degree}, ${e.probes} Rademacher probes, τ = ${e.tolerance.toExponential(3)}, ${e.matvecs} Hessian-vector products.`] : [],
        });
      }
      if (f.json) {
        const j: Record<string, unknown> = c ? certificateJson(c, f.eigenvalues) : { loss: est?.loss, gradNorm: est?.gradNorm, parameters: est?.parameters, tolerance: est?.estimate.tolerance };
        delete j.iterations; delete j.converged; delete j.reason;
        if (est) j.inertiaEstimate = estimateJson(est.estimate, seconds);
        printJson(j);
      } else {
        if (c) {
          process.stdout.write(certificateText(c).split("\n").filter((l) => !l.startsWith("iterations")).join("\n") + "\n");
          if (f.eigenvalues) process.stdout.write(`eigenvalues ${Array.from(c.eigenvalues, (l) => l.toExponential(6)).join(" ")}\n`);
        } else if (est) {
          process.stdout.write(`loss        ${est.loss.toPrecision(15)}\n‖∇R‖₂       ${est.gradNorm.toExponential(3)}\n`);
        }
        if (est) process.stdout.write(estimateText(est.estimate, est.parameters, seconds) + "\n");
        if (report) process.stdout.write(`report written to ${report}\n`);
      }
    });
}

/** The `inertiaEstimate` JSON object of `hessian --estimate` (fields may be added, never renamed). */
function estimateJson(e: InertiaEstimate, seconds: number): Record<string, unknown> {
  const per = <T>(f: (k: "neg" | "zero" | "pos") => T): Record<"neg" | "zero" | "pos", T> => ({ neg: f("neg"), zero: f("zero"), pos: f("pos") });
  return {
    neg: e.neg.estimate, zero: e.zero.estimate, pos: e.pos.estimate,
    interval: per((k) => e[k].interval),
    standardError: per((k) => e[k].standardError),
    bias: per((k) => e[k].bias),
    halfWidth: per((k) => e[k].halfWidth),
    confidence: e.confidence, quantile: e.quantile, tolerance: e.tolerance, bounds: e.bounds, degree: e.degree, probes: e.probes,
    matvecs: e.matvecs, boundsRetries: e.boundsRetries, seconds,
    bands: {
      negative: { at: e.bands.negative.at, lower: e.bands.negative.lower, upper: e.bands.negative.upper, countUpper: e.bands.negative.countUpper, bias: e.bands.negative.bias },
      positive: { at: e.bands.positive.at, lower: e.bands.positive.lower, upper: e.bands.positive.upper, countUpper: e.bands.positive.countUpper, bias: e.bands.positive.bias },
    },
  };
}

function estimateText(e: InertiaEstimate, P: number, seconds: number): string {
  const row = (name: string, c: InertiaEstimate["neg"]): string =>
    `  ${name} ≈ ${c.estimate.toFixed(1).padStart(10)}   ${Math.round(100 * e.confidence)} % interval [${c.interval[0]}, ${c.interval[1]}]   (t·SE ${(e.quantile * c.standardError).toFixed(1)}, bias ≤ ${c.bias.toFixed(1)})`;
  return [
    `estimate    inertia over P = ${P} parameters, |λ| ≤ τ = ${e.tolerance.toExponential(3)} counted zero`,
    row("n₋", e.neg), row("n₀", e.zero), row("n₊", e.pos),
    `            degree ${e.degree}, ${e.probes} Rademacher probes, spectrum in [${e.bounds.lower.toExponential(3)}, ${e.bounds.upper.toExponential(3)}], ${e.matvecs} Hessian-vector products, ${seconds.toFixed(1)} s`,
  ].join("\n");
}
