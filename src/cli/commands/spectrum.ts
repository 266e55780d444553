import type { Command } from "commander";
import type { RitzPair } from "../../spectrum/lanczos.js";
import { hessianExtremes } from "../../spectrum/hessian.js";
import { InputError } from "../../util/errors.js";
import { dataFlag, netFlag, DATA_HELP } from "../common.js";
import { progress } from "../progress.js";
import { num } from "../args.js";
import { printJson } from "../run.js";

interface SpectrumFlags { net?: string; data?: string; top: string; bottom: string; maxSteps?: string; tol: string; seed: string; json?: boolean }

/**
 * `embedscape spectrum`: the k largest and k most negative Hessian eigenvalues by Lanczos on exact
 * HVPs (full reorthogonalisation), each with its measured residual ‖Hv − λv‖. Exit 3 when a pair
 * has not converged to --tol·‖H‖ within --max-steps.
 */
export function register(program: Command): void {
  program
    .command("spectrum")
    .description("extreme Hessian eigenvalues by Lanczos on exact Hessian-vector products (no dense Hessian), with residuals ‖Hv − λv‖")
    .option("--net <file>", "the net")
    .option("--data <spec>", DATA_HELP)
    .option("--top <k>", "number of largest eigenvalues", "5")
    .option("--bottom <k>", "number of smallest (most negative) eigenvalues", "5")
    .option("--max-steps <m>", "Lanczos steps at most (memory: m vectors of P numbers; default max(200, 3(top+bottom)+60))")
    .option("--tol <t>", "converged when ‖Hv − λv‖ ≤ t·‖H‖", "1e-6")
    .option("--seed <n>", "seed of the start vector", "0")
    .option("--json", "print JSON")
    .action((f: SpectrumFlags) => {
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      const top = num("--top", f.top, { int: true, min: 0 }), bottom = num("--bottom", f.bottom, { int: true, min: 0 });
      if (top + bottom === 0) throw new InputError("ask for at least one eigenvalue (--top or --bottom ≥ 1)");
      const maxSteps = f.maxSteps === undefined ? undefined : num("--max-steps", f.maxSteps, { int: true, min: 1 });
      const tol = num("--tol", f.tol, { positive: true }), seed = num("--seed", f.seed, { int: true, min: 0 });
      const bar = progress(maxSteps ?? 200, "lanczos");
      const t0 = Date.now();
      const r = hessianExtremes(net, data, { top, bottom, maxSteps, tol, seed, onStep: (s) => bar.update(s) });
      bar.stop();
      const seconds = (Date.now() - t0) / 1000;
      const pairs = (ps: RitzPair[]): Array<Record<string, number | boolean>> => ps.map((p) => ({ value: p.value, residual: p.residual, residualBound: p.residualBound, converged: p.converged }));
      if (f.json) {
        printJson({ loss: r.loss, gradNorm: r.gradNorm, parameters: r.parameters, top: pairs(r.top), bottom: pairs(r.bottom), steps: r.steps, matvecs: r.matvecs, norm: r.norm, tol, converged: r.converged, seconds });
      } else {
        const line = (p: RitzPair): string => `  ${p.value.toExponential(8).padStart(16)}  ‖Hv − λv‖ ${p.residual.toExponential(2)}${p.converged ? "" : "  (not converged)"}`;
        const out = [
          `loss ${r.loss.toPrecision(10)}  ‖∇R‖ ${r.gradNorm.toExponential(3)}  P = ${r.parameters}`,
          `Lanczos: ${r.steps} steps, ${r.matvecs} Hessian-vector products, ${seconds.toFixed(1)} s; ‖H‖ ≈ ${r.norm.toExponential(4)}, tol ${tol}·‖H‖`,
          ...(r.top.length ? ["largest:", ...r.top.map(line)] : []),
          ...(r.bottom.length ? ["smallest:", ...r.bottom.map(line)] : []),
        ];
        process.stdout.write(out.join("\n") + "\n");
      }
      if (!r.converged) {
        process.stderr.write(`embedscape: not every Ritz pair converged within ${r.steps} steps (raise --max-steps or --tol)\n`);
        process.exitCode = 3;
      }
    });
}
