import type { Command } from "commander";
import { makeArch, parseWidths } from "../../nn/arch.js";
import { runCensus, type CensusInit } from "../../optim/census.js";
import { InputError } from "../../util/errors.js";
import { dataFlag, DATA_HELP } from "../common.js";
import { progress } from "../progress.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { parseActivationName } from "../../nn/activations.js";
import { canonicalLossName } from "../../nn/losses.js";

interface CensusFlags {
  arch?: string; activation: string; loss: string; data?: string; seeds: string; firstSeed: string; adam: string; lr: string;
  init: string; tol: string; maxIter: string; attemptIter: string; json?: boolean; perSeed?: boolean; strict?: boolean;
}

/** `embedscape census`: the critical-point census of bench_census.py (init, Adam, solve, certify per seed). */
export function register(program: Command): void {
  program
    .command("census")
    .description("for each seed: PyTorch-default init, full-batch Adam, converge to a critical point and certify it; count inertias")
    .option("--arch <widths>", "architecture, e.g. 1-3-1")
    .option("--activation <name>", "hidden activation", "tanh")
    .option("--loss <name>", "mse or cross-entropy", "mse")
    .option("--data <spec>", DATA_HELP)
    .option("--seeds <n>", "number of seeds", "200")
    .option("--first-seed <n>", "first seed", "0")
    .option("--adam <steps>", "Adam steps per seed", "2000")
    .option("--lr <eta>", "Adam learning rate", "1e-2")
    .option("--init <scheme>", "torch (nn.Linear default, the reference's seeds), xavier or normal", "torch")
    .option("--tol <g>", "target ‖∇R‖₂", "1e-12")
    .option("--max-iter <n>", "solver budget of Newton-type iterations per seed", "1000")
    .option("--attempt-iter <n>", "Newton iterations per solver attempt (the first gets 2.5×)", "60")
    .option("--json", "print the census as JSON")
    .option("--per-seed", "include every seed's result")
    .option("--strict", "exit 3 when any seed is not certified")
    .action((f: CensusFlags) => {
      if (!f.arch) throw new InputError("--arch is required (e.g. 1-3-1)");
      const arch = makeArch(parseWidths(f.arch), parseActivationName(f.activation), canonicalLossName(f.loss));
      const data = dataFlag("--data", f.data);
      if (data.d !== arch.widths[0] || data.k !== arch.widths[arch.widths.length - 1]) {
        throw new InputError(`--data has ${data.d} inputs and ${data.k} outputs but --arch ${f.arch} expects ${arch.widths[0]} and ${arch.widths[arch.widths.length - 1]}`);
      }
      if (!["torch", "xavier", "normal"].includes(f.init)) throw new InputError(`--init must be torch, xavier or normal, got "${f.init}"`);
      const seeds = num("--seeds", f.seeds, { int: true, min: 1 });
      const bar = progress(seeds, "census");
      const r = runCensus(arch, data, {
        seeds, firstSeed: num("--first-seed", f.firstSeed, { int: true, min: 0 }),
        adamSteps: num("--adam", f.adam, { int: true, min: 0 }), lr: num("--lr", f.lr, { positive: true }),
        init: f.init as CensusInit,
        solve: { tol: num("--tol", f.tol, { positive: true }), maxIter: num("--max-iter", f.maxIter, { int: true, min: 0 }), attemptIter: num("--attempt-iter", f.attemptIter, { int: true, min: 1 }) },
        onSeed: (_s, done) => bar.update(done),
      });
      bar.stop();
      const { perSeed, ...summary } = r;
      if (f.json) printJson(f.perSeed ? r : summary);
      else {
        const lines = [
          `census ${r.arch} ${arch.activation} on ${data.name ?? f.data}: ${r.seeds} seeds, ${r.adamSteps} Adam steps at lr ${r.lr}, init ${r.init}`,
          `certified   ${r.converged}/${r.seeds} at ‖∇R‖₂ ≤ ${f.tol}${r.unclear ? ` (${r.unclear} with a gap that is NOT clear-cut)` : ""}`,
          ...Object.entries(r.inertiaCounts).sort((a, b) => b[1] - a[1]).map(([k, n]) => `  inertia (${k})  ${n}`),
          ...Object.entries(r.unconverged).map(([k, n]) => `not certified: ${k}  ${n}`),
          `speed       ${r.seedsPerSecond.toFixed(2)} seeds/s (${r.totalSeconds.toFixed(2)} s)`,
        ];
        if (f.perSeed) for (const s of perSeed) lines.push(`seed ${s.seed}: ${s.converged ? "certified" : `not certified (${s.reason})`} loss ${s.loss.toPrecision(10)} ‖∇R‖ ${s.gradNorm.toExponential(2)} inertia (${s.inertia.join(",")}) gap ${s.gapRatio.toExponential(1)} via ${s.strategy}`);
        process.stdout.write(lines.join("\n") + "\n");
      }
      if (f.strict && r.converged < r.seeds) process.exitCode = 3;
    });
}
