import { depthReport } from "./report.js";
import { writeAtomic } from "../../io/files.js";

/**
 * `embedscape reproduce depth --out report.html`: SPEC §4 — lifting + inertia table (fixture E), smooth-σ approximate
 * insertion, data-size shrinking of the lifted region, BN vs no-BN training curves, pruning of a trained deep net, and
 * the "local minimum → strict saddle" investigation. A few seconds on one core.
 */
export const depthReproduction = {
  name: "depth",
  description: "Embedding Principle in depth: critical lifting with inertia, data-size shrinking, BN vs no BN, layer pruning, min→saddle investigation (SPEC §4)",
  options: [
    { flags: "--quick", description: "shorter training runs (for tests)" },
    { flags: "--bn-seeds <n>", description: "seeds of the BN vs no-BN comparison table (default 5; 2 with --quick)" },
  ],
  async run(opts: { out?: string; quick?: boolean; bnSeeds?: string }): Promise<{ out: string | null; summary: Record<string, unknown> }> {
    const r = await depthReport({ quick: opts.quick, bnSeeds: opts.bnSeeds === undefined ? undefined : Number(opts.bnSeeds) });
    if (opts.out) writeAtomic(opts.out, r.html);
    for (const [k, v] of Object.entries(r.summary)) process.stdout.write(`${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}\n`);
    if (opts.out) process.stdout.write(`report written to ${opts.out}\n`);
    return { out: opts.out ?? null, summary: r.summary };
  },
};

export default depthReproduction;
