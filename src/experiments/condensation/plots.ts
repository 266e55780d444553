import { eigenSystem } from "../../linalg/index.js";
import { vegaLiteSvg, type TopLevelSpec } from "../../report/svg.js";
import type { LayerCondensation } from "../../prune/condensation.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/**
 * Direction angle per neuron for the orientation–amplitude scatter: for 1-D inputs the E3 angle of (w, b)
 * (atan2(b, w) ∈ [−π, π]); in higher dimension the angle of r̂ in the plane of the two leading principal
 * axes of the orientations (eigenvectors of the similarity (Gram) matrix, scores u_i·√λ_i).
 */
export function directionAngles(c: LayerCondensation): number[] {
  if (c.orientation[0]?.length === 2) return c.orientation.map((r) => Math.atan2(r[1], r[0]));
  const m = c.width;
  if (m < 2) return c.orientation.map(() => 0);
  const { values, vectors } = eigenSystem(Float64Array.from(c.similarity), m);
  const i1 = m - 1, i2 = m - 2; // ascending order: the two largest
  const s1 = Math.sqrt(Math.max(values[i1], 0)), s2 = Math.sqrt(Math.max(values[i2], 0));
  return Array.from({ length: m }, (_, j) => Math.atan2(vectors[i2 * m + j] * s2, vectors[i1 * m + j] * s1));
}

/** Group label of each neuron ("low" for low-amplitude ones), groups numbered by decreasing amplitude. */
export function groupLabels(c: LayerCondensation): string[] {
  const label = new Array<string>(c.width).fill("low amplitude");
  [...c.groups].sort((a, b) => b.amplitude - a.amplitude).forEach((g, i) => { for (const j of g.members) label[j] = `group ${i + 1}`; });
  return label;
}

/** Orientation–amplitude scatter (SPEC §7 E3): one point per neuron, coloured by group (top 10 groups named). */
export function orientationAmplitudePlot(c: LayerCondensation, title = `layer ${c.layer}: orientation vs amplitude`): Promise<string> {
  const angles = directionAngles(c);
  const labels = groupLabels(c);
  const values = angles.map((a, j) => {
    const g = labels[j];
    const num = g.startsWith("group ") ? Number(g.slice(6)) : Infinity;
    return { angle: a, amplitude: c.amplitude[j], group: num <= 10 ? g : g === "low amplitude" ? g : "other groups", neuron: j + 1 };
  });
  const spec: TopLevelSpec = {
    $schema: SCHEMA, title, width: 420, height: 260,
    data: { values },
    mark: { type: "point", filled: true, size: 40, opacity: 0.8 },
    encoding: {
      x: { field: "angle", type: "quantitative", title: c.orientation[0]?.length === 2 ? "direction angle of (w, b) [rad]" : "direction angle in the leading principal plane [rad]", scale: { domain: [-Math.PI, Math.PI] } },
      y: { field: "amplitude", type: "quantitative", title: "amplitude ‖o‖·‖r‖" },
      color: { field: "group", type: "nominal", title: null },
      tooltip: [{ field: "neuron", type: "quantitative" }, { field: "amplitude", type: "quantitative", format: ".3e" }],
    },
  };
  return vegaLiteSvg(spec);
}

/**
 * Cosine-similarity heat map, neurons ordered by group (largest groups first, low-amplitude last). Above
 * `maxCells` neurons per side, consecutive neurons in that order are averaged in blocks so the SVG stays small.
 */
export function similarityHeatmap(c: LayerCondensation, opts: { maxCells?: number; title?: string } = {}): Promise<string> {
  const m = c.width;
  const order: number[] = [];
  for (const g of [...c.groups].sort((a, b) => b.members.length - a.members.length || b.amplitude - a.amplitude)) order.push(...g.members);
  const inOrder = new Set(order);
  for (let j = 0; j < m; j++) if (!inOrder.has(j)) order.push(j);
  const block = Math.max(1, Math.ceil(m / (opts.maxCells ?? 100)));
  const cells = Math.ceil(m / block);
  const values: Array<{ i: number; j: number; s: number }> = [];
  for (let bi = 0; bi < cells; bi++) {
    for (let bj = 0; bj < cells; bj++) {
      let s = 0, cnt = 0;
      for (let p = bi * block; p < Math.min(m, (bi + 1) * block); p++) for (let q = bj * block; q < Math.min(m, (bj + 1) * block); q++) { s += c.similarity[order[p] * m + order[q]]; cnt++; }
      values.push({ i: bi, j: bj, s: s / cnt });
    }
  }
  const spec: TopLevelSpec = {
    $schema: SCHEMA, title: opts.title ?? `layer ${c.layer}: cosine similarity of r̂ (ordered by group${block > 1 ? `, ${block}×${block} blocks averaged` : ""})`,
    width: 380, height: 380,
    data: { values },
    mark: { type: "rect" },
    encoding: {
      x: { field: "j", type: "ordinal", axis: null },
      y: { field: "i", type: "ordinal", axis: null },
      color: { field: "s", type: "quantitative", title: "cos", scale: { domain: [-1, 1], scheme: "redblue", reverse: true } },
    },
    config: { view: { stroke: null } },
  };
  return vegaLiteSvg(spec);
}

/** k×k heat map of counts (wide class vs pruned class), as in SPEC §7 E6 (d). */
export function agreementHeatmap(M: number[][], title = "prediction agreement (wide vs pruned)"): Promise<string> {
  const values = M.flatMap((row, a) => row.map((count, b) => ({ wide: a, pruned: b, count, log: Math.log10(count + 1) })));
  const spec: TopLevelSpec = {
    $schema: SCHEMA, title, width: 300, height: 300,
    data: { values },
    layer: [
      { mark: "rect", encoding: { x: { field: "pruned", type: "ordinal", title: "pruned net's class" }, y: { field: "wide", type: "ordinal", title: "wide net's class" }, color: { field: "log", type: "quantitative", title: "log10(1+count)", scale: { scheme: "blues" } } } },
      { mark: { type: "text", fontSize: 9 }, encoding: { x: { field: "pruned", type: "ordinal" }, y: { field: "wide", type: "ordinal" }, text: { field: "count", type: "quantitative" }, color: { condition: { test: "datum.log > 2", value: "white" }, value: "black" } } },
    ],
  };
  return vegaLiteSvg(spec);
}
