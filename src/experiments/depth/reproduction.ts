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
    const text = depthSummaryText(r.summary);
    return { html: r.html, text, json: { out: o.out, summary: r.summary } };
  },
};

type Inertia3 = { neg: number; zero: number; pos: number };
const e = (x: unknown, d = 2): string => (typeof x === "number" ? x.toExponential(d) : x === null || x === undefined ? "–" : String(x));
const pct = (x: unknown): string => (typeof x === "number" ? `${(100 * x).toFixed(1)} %` : "–");
const tri = (i: unknown): string => (Array.isArray(i) ? `(${i.join(", ")})` : i && typeof i === "object" ? `(${(i as Inertia3).neg}, ${(i as Inertia3).zero}, ${(i as Inertia3).pos})` : "–");

/**
 * The terminal lines of `reproduce depth` (without --json): one readable line per lifting, data size, BN seed,
 * pruning and min→saddle case, from the same summary the JSON prints. Fields it does not know are skipped.
 */
export function depthSummaryText(summary: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const S = summary as {
    liftings?: Array<{ label: string; widths: number[]; margin: number; violations: number; outputDiffTrain: number; gradNormDeep: number; inertiaDeep: Inertia3 | null }>;
    shrinking?: Record<string, Array<{ n: number; feasibleFraction: number; layerFraction: number; bestMargin: number | null }>>;
    batchnorm?: { widths: number[]; n: number; plainFinal?: { step: number; loss: number; linearFraction: number }; bnFinal?: { loss: number }; seeds?: Array<{ seed: number; plainLoss: number; bnLoss: number; plainLinear: number }> };
    pruning?: { shallowLoss: number; deepWidths: number[]; deepLoss: number; exact?: { layer: number; exactOnTrain: boolean; outputDiffTrain: number; lossAfter: number }; forced?: { layer: number; outputDiffTrain: number; lossAfter: number }; forcedFineTunedLoss?: number };
    minToSaddle?: Array<{ name: string; inertiaShallow: unknown; inertiaDeep: unknown; lossShallow: number; lossAfterEscape: number | null; verdict: string }>;
  };
  if (S.liftings?.length) {
    lines.push("critical lifting (fixture E and variants):");
    for (const l of S.liftings) lines.push(`  ${l.label}: ${l.widths.join("-")}, margin ${typeof l.margin === "number" ? +l.margin.toPrecision(6) : "–"}, ${l.violations} violation(s), max |Δf| ${e(l.outputDiffTrain)}, ‖∇R‖ deep ${e(l.gradNormDeep)}, inertia deep ${tri(l.inertiaDeep)}`);
  }
  if (S.shrinking) {
    for (const [where, rows] of Object.entries(S.shrinking)) {
      lines.push(`lifted region vs data size (${where === "afterInput" ? "inserted after the input" : where === "afterLayer1" ? "inserted after layer 1" : where}): ` +
        rows.map((r) => `n = ${r.n}: ${pct(r.feasibleFraction)} per neuron, ${pct(r.layerFraction)} per layer`).join("; "));
    }
  }
  if (S.batchnorm) {
    const b = S.batchnorm;
    lines.push(`BN vs no BN (${b.widths.join("-")}, n = ${b.n}): final loss plain ${e(b.plainFinal?.loss)} (${pct(b.plainFinal?.linearFraction)} of ReLU neurons linear on the data), BN ${e(b.bnFinal?.loss)}`);
    for (const s of b.seeds ?? []) lines.push(`  seed ${s.seed}: loss plain ${e(s.plainLoss)} vs BN ${e(s.bnLoss)}; plain linear fraction ${pct(s.plainLinear)}`);
  }
  if (S.pruning) {
    const p = S.pruning;
    lines.push(`layer pruning: deep ${p.deepWidths.join("-")} trained to loss ${e(p.deepLoss)} (shallow ${e(p.shallowLoss)})` +
      (p.exact ? `; exact removal of layer ${p.exact.layer}: ${p.exact.exactOnTrain ? "exact on the data" : "not exact"}, max |Δf| ${e(p.exact.outputDiffTrain)}, loss ${e(p.exact.lossAfter)}` : "") +
      (p.forced ? `; forced removal of layer ${p.forced.layer}: max |Δf| ${e(p.forced.outputDiffTrain)}, loss ${e(p.forced.lossAfter)}${p.forcedFineTunedLoss !== undefined ? `, fine-tuned ${e(p.forcedFineTunedLoss)}` : ""}` : ""));
  }
  if (S.minToSaddle?.length) {
    lines.push("local minimum → strict saddle? (lifted fixture E):");
    for (const m of S.minToSaddle) lines.push(`  ${m.name}: inertia ${tri(m.inertiaShallow)} → ${tri(m.inertiaDeep)}, loss ${e(m.lossShallow, 4)}${m.lossAfterEscape !== null && m.lossAfterEscape !== m.lossShallow ? ` → ${e(m.lossAfterEscape, 4)} after escape` : ""}: ${m.verdict}`);
  }
  return lines;
}
