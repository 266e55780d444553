import type { Net } from "../../nn/arch.js";
import { esc, figure, page, table } from "../../report/html.js";
import type { LayerCondensation } from "../../prune/condensation.js";
import { orientationAmplitudePlot, similarityHeatmap } from "./plots.js";

/** HTML body for one layer's condensation: summary table, orientation–amplitude scatter, similarity heat map. */
export async function condensationSection(c: LayerCondensation): Promise<string> {
  const sizes = [...c.groups].sort((a, b) => b.members.length - a.members.length).map((g) => g.members.length);
  return table(["layer", "width", "groups at cos ≥ " + c.threshold, "low-amplitude", "largest groups"], [
    [c.layer, c.width, c.effectiveWidth, c.lowAmplitude.length, sizes.slice(0, 12).join(", ")],
  ]) + `<div class="plots">${figure(await orientationAmplitudePlot(c), "One point per neuron: direction of its normalised incoming weights (incl. bias) against its amplitude ‖o‖·‖r‖; colour = leader group.")}${figure(await similarityHeatmap(c), "Cosine similarity r̂_j·r̂_k, neurons ordered by group: condensed groups appear as bright diagonal blocks.")}</div>`;
}

/** Stand-alone condensation report of a net (the `condense --report` output). */
export async function condensationReport(net: Net, layers: LayerCondensation[]): Promise<string> {
  const sections = [];
  for (const c of layers) sections.push({ title: `Hidden layer ${c.layer}`, html: await condensationSection(c) });
  return page("Condensation analysis", `Net ${esc(net.arch.widths.join("-"))}, ${esc(net.arch.activation)}. Groups: leader grouping by cosine similarity (SPEC §7 E3/E6).`, sections);
}
