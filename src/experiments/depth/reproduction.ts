import type { Reproduction } from "../types.js";

/**
 * `embedscape reproduce depth --out report.html`: SPEC §4 — lifting + inertia table (fixture E), smooth-σ approximate
 * insertion, data-size shrinking of the lifted region, BN vs no-BN training curves, pruning of a trained deep net, and
 * the "local minimum → strict saddle" investigation. A few seconds on one core.
 */
export const depthReproduction: Reproduction = {
  name: "depth",
  description: "Embedding Principle in depth: critical lifting with inertia, data-size shrinking, BN vs no BN, layer pruning, min→saddle investigation (SPEC §4)",
  options: [
    { flags: "--quick", description: "shorter training runs (for tests)", parse: { kind: "flag" } },
    { flags: "--bn-seeds <n>", description: "seeds of the BN vs no-BN comparison table (default 5; 2 with --quick)", parse: { kind: "int", min: 1, max: 1000 } },
  ],
  async run(o) {
    const { depthReport } = await import("./report.js");
    const r = await depthReport({ quick: o.quick === true, bnSeeds: o.bnSeeds as number | undefined });
    const text = Object.entries(r.summary).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
    return { html: r.html, text, json: { out: o.out, summary: r.summary } };
  },
};
