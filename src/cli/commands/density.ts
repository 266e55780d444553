import type { Command } from "commander";
import { densityReport } from "../../experiments/density-report.js";
import { writeAtomic } from "../../io/files.js";
import { hessianDensity } from "../../spectrum/hessian.js";
import { dataFlag, netFlag, outputPathFlag, DATA_HELP } from "../common.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { outputOption } from "../output.js";

interface DensityFlags { net?: string; data?: string; probes: string; steps: string; seed: string; points: string; sigma?: string; report?: string; json?: boolean }

/** `embedscape density`: the Hessian's spectral density by stochastic Lanczos quadrature on exact HVPs; optional HTML report. */
export function register(program: Command): void {
  program
    .command("density")
    .description("Hessian spectral density by stochastic Lanczos quadrature on exact Hessian-vector products (no dense Hessian)")
    .option("--net <file>", "the net")
    .option("--data <spec>", DATA_HELP)
    .option("--probes <n>", "Rademacher probes", "10")
    .option("--steps <k>", "Lanczos steps per probe", "80")
    .option("--seed <n>", "seed of the probes", "0")
    .option("--points <n>", "points of the smoothed curve", "400")
    .option("--sigma <s>", "Gaussian smoothing width (default (max node − min node)/200)")
    .addOption(outputOption("--report <file>", "write an HTML report with the density plot", "html"))
    .option("--json", "print JSON (nodes, weights, the smoothed curve)")
    .action(async (f: DensityFlags) => {
      const report = f.report === undefined ? undefined : outputPathFlag("--report", f.report, ".html");
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      const probes = num("--probes", f.probes, { int: true, min: 1 }), steps = num("--steps", f.steps, { int: true, min: 1 });
      const seed = num("--seed", f.seed, { int: true, min: 0 }), points = num("--points", f.points, { int: true, min: 2 });
      const sigma = f.sigma === undefined ? undefined : num("--sigma", f.sigma, { positive: true });
      const t0 = Date.now();
      const r = hessianDensity(net, data, { probes, steps, seed, points, sigma });
      const seconds = (Date.now() - t0) / 1000;
      if (report) writeAtomic(report, await densityReport({ ...r, net: f.net as string, data: f.data as string, seconds }));
      if (f.json) {
        printJson({
          loss: r.loss, gradNorm: r.gradNorm, parameters: r.parameters, probes: r.probes, steps: r.steps, seconds,
          sigma: r.curve.sigma, nodes: r.nodes, weights: r.weights,
          curve: { t: r.curve.t, density: r.curve.density, cumulative: r.curve.cumulative }, ...(report ? { report } : {}),
        });
      } else {
        let lo = Infinity, hi = -Infinity;
        for (const x of r.nodes) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
        process.stdout.write(`SLQ: ${r.probes} probes × ${r.steps} Lanczos steps on P = ${r.parameters} (${seconds.toFixed(1)} s); nodes in [${lo.toExponential(4)}, ${hi.toExponential(4)}]${report ? `; report written to ${report}` : ""}\n`);
      }
    });
}
