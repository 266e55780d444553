import { createNet } from "../nn/arch.js";
import { predict } from "../nn/functions.js";
import { esc, figure, fmt, page, table, type Section } from "../report/html.js";
import { fitPlot, spectrumPlot } from "../report/plots.js";
import { vegaLiteSvg, type TopLevelSpec } from "../report/svg.js";
import { archFor } from "../atlas/cells.js";
import { checkAtlas, type AtlasChecks } from "../atlas/checks.js";
import { exportAtlas, type AtlasExport, type ExportedSet } from "../atlas/export.js";
import type { AtlasStore } from "../atlas/store.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const LOSS_FLOOR = 1e-16;

/** Horizontal offset of each set inside its width column, so sets of one width do not hide each other. */
function jitter(sets: ExportedSet[]): Map<number, number> {
  const out = new Map<number, number>();
  const byW = new Map<number, ExportedSet[]>();
  for (const s of sets) { if (!byW.has(s.width)) byW.set(s.width, []); byW.get(s.width)!.push(s); }
  for (const list of byW.values()) {
    list.sort((a, b) => a.loss - b.loss || a.inertia.neg - b.inertia.neg || a.id - b.id);
    const n = list.length, span = Math.min(0.36, 0.02 * n);
    list.forEach((s, i) => out.set(s.id, s.width + (n === 1 ? 0 : -span + (2 * span * (i % 13)) / 12)));
  }
  return out;
}

/**
 * The "empirical diagram of the loss landscape" (SPEC §7 E4): width on x, loss on a log y axis, one glyph per set
 * coloured by its index n₋ and sized by basin frequency, embedding edges (narrow → wide, grey) and descent edges
 * (saddle → minimum, orange). Each glyph links to the set's details (#set-ID).
 */
export function diagramSpec(ex: AtlasExport): TopLevelSpec {
  const x = jitter(ex.sets);
  const byId = new Map(ex.sets.map((s) => [s.id, s]));
  const y = (s: ExportedSet): number => Math.max(s.loss, LOSS_FLOOR);
  const edges = ex.edges.filter((e) => byId.has(e.from) && byId.has(e.to)).map((e) => ({
    kind: e.kind, x: x.get(e.from)!, y: y(byId.get(e.from)!), x2: x.get(e.to)!, y2: y(byId.get(e.to)!),
  }));
  const glyphs = ex.sets.map((s) => ({
    id: s.id, x: x.get(s.id)!, loss: y(s), index: s.inertia.neg, count: s.count, href: `#set-${s.id}`,
    inertia: `(${s.inertia.neg}, ${s.inertia.zero}, ${s.inertia.pos})`, root: s.rootWidth,
  }));
  const widths = [...new Set(ex.sets.map((s) => s.width))].sort((a, b) => a - b);
  return {
    $schema: SCHEMA, title: "Empirical diagram of the loss landscape", width: 640, height: 420,
    layer: [
      {
        data: { values: edges }, mark: { type: "rule", opacity: 0.35 },
        encoding: {
          x: { field: "x", type: "quantitative", title: "width m", scale: { domain: [Math.min(...widths) - 0.5, Math.max(...widths) + 0.5] }, axis: { values: widths, format: "d" } },
          y: { field: "y", type: "quantitative", scale: { type: "log" }, title: "loss R" },
          x2: { field: "x2" }, y2: { field: "y2" },
          color: { field: "kind", type: "nominal", title: "edge", scale: { domain: ["embedding", "descent"], range: ["#6b7280", "#ea580c"] } },
          strokeDash: { field: "kind", type: "nominal", legend: null, scale: { domain: ["embedding", "descent"], range: [[1, 0], [4, 3]] } },
        },
      },
      {
        data: { values: glyphs }, mark: { type: "point", filled: true, opacity: 0.85, stroke: "#111", strokeWidth: 0.5, cursor: "pointer" },
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "loss", type: "quantitative", scale: { type: "log" } },
          fill: { field: "index", type: "ordinal", title: "index n₋", scale: { scheme: "viridis" } },
          size: { field: "count", type: "quantitative", title: "basin frequency", scale: { range: [30, 400] } },
          href: { field: "href", type: "nominal" },
          tooltip: [{ field: "id", type: "nominal", title: "set" }, { field: "loss", type: "quantitative", format: ".6e" }, { field: "inertia", type: "nominal" }, { field: "root", type: "quantitative", title: "root width" }, { field: "count", type: "quantitative" }],
        },
      },
    ],
  };
}

/**
 * Disconnectivity tree of one width: the minima (n₋ = 0) are leaves at their loss; an index-1 saddle whose descent
 * edges reach (directly or through further saddles) two minima (or two already-joined groups) joins them at the saddle's loss (union-find over the saddles
 * in increasing loss). Returns segments to draw and the leaves.
 */
export function disconnectivity(ex: AtlasExport, width: number): { segments: Array<{ x: number; y: number; x2: number; y2: number }>; leaves: Array<{ id: number; x: number; loss: number }>; joins: number } {
  const sets = ex.sets.filter((s) => s.width === width);
  const minima = sets.filter((s) => s.inertia.neg === 0).sort((a, b) => a.loss - b.loss);
  const isMin = new Set(minima.map((m) => m.id));
  const saddles = sets.filter((s) => s.inertia.neg === 1).sort((a, b) => a.loss - b.loss);
  type Node = { id: string; loss: number; children: Node[]; leaf?: number };
  const node = new Map<number, Node>(minima.map((m) => [m.id, { id: `m${m.id}`, loss: Math.max(m.loss, LOSS_FLOOR), children: [], leaf: m.id }]));
  const top = new Map<number, Node>(minima.map((m) => [m.id, node.get(m.id)!])); // minimum id → root of its group
  const find = (id: number): Node => top.get(id)!;
  let joins = 0;
  for (const s of saddles) {
    // minima reached by descent from s, directly or through the saddles its descent reached
    const reached: number[] = [];
    const seen = new Set<number>([s.id]), stack = [s.id];
    while (stack.length) {
      const cur = stack.pop()!;
      for (const e of ex.edges) {
        if (e.kind !== "descent" || e.from !== cur || seen.has(e.to)) continue;
        seen.add(e.to);
        if (isMin.has(e.to)) reached.push(e.to); else stack.push(e.to);
      }
    }
    const groups = [...new Set(reached.map(find))];
    if (groups.length < 2) continue;
    const joined: Node = { id: `s${s.id}`, loss: Math.max(s.loss, ...groups.map((g) => g.loss)), children: groups };
    joins++;
    for (const [m, g] of top) if (groups.includes(g)) top.set(m, joined);
  }
  const roots = [...new Set(top.values())];
  const leaves: Array<{ id: number; x: number; loss: number }> = [];
  const segments: Array<{ x: number; y: number; x2: number; y2: number }> = [];
  const ymax = Math.max(...sets.map((s) => Math.max(s.loss, LOSS_FLOOR)), LOSS_FLOOR) * 1.5;
  let next = 0;
  const place = (n: Node): number => {
    if (n.leaf !== undefined) { const x = next++; leaves.push({ id: n.leaf, x, loss: n.loss }); return x; }
    const xs = n.children.map((c) => ({ c, x: place(c) }));
    for (const { c, x } of xs) segments.push({ x, y: c.loss, x2: x, y2: n.loss });
    const lo = Math.min(...xs.map((v) => v.x)), hi = Math.max(...xs.map((v) => v.x));
    segments.push({ x: lo, y: n.loss, x2: hi, y2: n.loss });
    return (lo + hi) / 2;
  };
  for (const r of roots) { const x = place(r); segments.push({ x, y: r.loss, x2: x, y2: ymax }); }
  return { segments, leaves, joins };
}

async function treeSvg(ex: AtlasExport, width: number): Promise<{ svg: string; joins: number; minima: number }> {
  const t = disconnectivity(ex, width);
  if (!t.leaves.length) return { svg: "", joins: 0, minima: 0 };
  const spec: TopLevelSpec = {
    $schema: SCHEMA, title: `width ${width}: minima joined through index-1 saddles`, width: Math.max(160, 40 * t.leaves.length), height: 220,
    layer: [
      { data: { values: t.segments }, mark: { type: "rule", color: "#1f2937" }, encoding: { x: { field: "x", type: "quantitative", axis: null, scale: { domain: [-0.6, t.leaves.length - 0.4] } }, y: { field: "y", type: "quantitative", scale: { type: "log" }, title: "loss R" }, x2: { field: "x2" }, y2: { field: "y2" } } },
      {
        data: { values: t.leaves.map((l) => ({ ...l, href: `#set-${l.id}`, label: `#${l.id}` })) }, mark: { type: "text", dy: 12, fontSize: 10, cursor: "pointer" },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "loss", type: "quantitative" }, text: { field: "label" }, href: { field: "href", type: "nominal" } },
      },
    ],
  };
  return { svg: await vegaLiteSvg(spec), joins: t.joins, minima: t.leaves.length };
}

const inertiaText = (i: { neg: number; zero: number; pos: number }): string => `(${i.neg}, ${i.zero}, ${i.pos})`;

/** Self-contained HTML report of an atlas (no network; the only interaction is following #set-ID links, CSS :target). */
export async function atlasReport(store: AtlasStore, opts: { maxDetails?: number; title?: string; lead?: string; extraSections?: Section[] } = {}): Promise<{ html: string; sets: number; checks: AtlasChecks }> {
  const ex = exportAtlas(store);
  const checks = checkAtlas(store);
  const s = store.settings(), data = store.data();
  const sections: Section[] = [...(opts.extraSections ?? [])];
  sections.push({
    title: "Empirical diagram",
    html: figure(await vegaLiteSvg(diagramSpec(ex)), `One glyph per critical set (identified modulo neuron permutations, sign flips and embedded affine families), coloured by n₋ and sized by how many points landed in it. Grey: embedding edges narrow → wide; orange dashed: descent edges saddle → the point its descent reached. Click a glyph for its details. Losses below ${LOSS_FLOOR} are drawn at ${LOSS_FLOOR}.`),
  });
  const trees: string[] = [];
  for (const w of [...s.widths].sort((a, b) => a - b)) {
    const t = await treeSvg(ex, w);
    trees.push(t.svg ? figure(t.svg, `width ${w}: ${t.minima} minima, ${t.joins} joins through index-1 saddles (descent edges).`) : `<p class="muted">width ${w}: no minima found.</p>`);
  }
  sections.push({ title: "Disconnectivity trees", html: `<div class="plots">${trees.join("")}</div>` });
  const c = checks;
  sections.push({
    title: "Embedding Principle checks",
    html: table(["embedding edges", "count", "embedded points"], c.edgeCounts.map((e) => [`width ${e.from} → ${e.to}`, e.edges, e.points])) +
      table(["width", "sets", "with an edge into every wider width"], c.coverage.map((v) => [v.width, v.sets, v.withEdgesIntoEveryWiderWidth])) +
      `<p>Inertia of embedded points vs the §2.9 prediction: ${c.inertia.agree} agree, ${c.inertia.explained} differ with the reason stated (small spectral gap, or the parent's residual gradient), ${c.inertia.unexplained} unexplained, ${c.inertia.noPrediction} without a prediction, of ${c.inertia.points}.</p>` +
      `<p>‖∇R‖ recomputed from every stored θ: ${c.gradient.critical} of ${c.gradient.sets} sets ≤ ${s.critical.gradTol}, ${c.gradient.degenerateWithEvidence} marked degenerate with evidence, ${c.gradient.violations.length} violations; max ${fmt(c.gradient.max)}.</p>`,
  });
  const byId = new Map(ex.sets.map((x) => [x.id, x]));
  const link = (id: number): string => `<a href="#set-${id}">#${id}</a>`;
  sections.push({
    title: "Every set",
    html: table(["set", "width", "loss", "‖∇R‖", "inertia (n₋,n₀,n₊)", "τ", "gap", "root", "parents", "count", "sources", "status", "truly bad"],
      ex.sets.map((x) => [
        { html: link(x.id) }, x.width, x.loss, x.gradNorm, inertiaText(x.inertia), x.tau, x.gap === null ? "∞" : x.gap, x.rootWidth,
        { html: x.parents.slice(0, 8).map(link).join(" ") + (x.parents.length > 8 ? " …" : "") }, x.count,
        Object.entries(x.sources).map(([k, v]) => `${k} ${v}`).join(", "), x.status, String(x.trulyBad?.verdict ?? "–"),
      ])),
  });
  const maxDetails = opts.maxDetails ?? 400;
  const details: string[] = [];
  const xs = data.d === 1 ? Array.from({ length: 121 }, (_, i) => Math.min(...data.x) + ((Math.max(...data.x) - Math.min(...data.x)) * i) / 120) : [];
  for (const x of ex.sets.slice(0, maxDetails)) {
    const arch = archFor(s, x.width), net = createNet(arch, x.theta);
    let out: string;
    if (data.d === 1 && data.k === 1) {
      const f = predict(arch, net.theta, Float64Array.from(xs), xs.length);
      out = await fitPlot(Array.from(data.x, (v, i) => ({ x: v, y: data.y[i] })), [{ name: `set ${x.id}`, points: xs.map((v, i) => ({ x: v, y: f[i] })) }], `output of set ${x.id}`);
    } else {
      const f = predict(arch, net.theta, data.x, data.n);
      out = await fitPlot(Array.from(data.y.subarray(0, data.n), (v, i) => ({ x: i, y: v })), [{ name: `set ${x.id} (output 1)`, points: Array.from({ length: data.n }, (_, i) => ({ x: i, y: f[i * data.k] })) }], `output of set ${x.id} over the data`, { x: "sample", y: "output 1" });
    }
    const stored = store.allSets().find((r) => r.id === x.id)!;
    const spec = await spectrumPlot(stored.eigenvalues, x.tau, `Hessian spectrum, τ = ${x.tau.toExponential(2)}`);
    const chain = x.chain.map((id) => `${link(id)} (m=${byId.get(id)?.width})`).join(" → ");
    const emb = ex.edges.filter((e) => e.kind === "embedding" && e.to === x.id).slice(0, 6)
      .map((e) => `<li>from ${link(e.from)}: ${esc(String(e.detail.label ?? ""))}; predicted ${e.detail.predicted ? inertiaText(e.detail.predicted as { neg: number; zero: number; pos: number }) : "–"}, measured ${inertiaText(e.detail.measured as { neg: number; zero: number; pos: number })}${e.mismatches ? ` — ${esc(String(e.detail.explanation ?? ""))}` : ""}</li>`).join("");
    const desc = ex.edges.filter((e) => e.kind === "descent" && e.from === x.id).map((e) => `${link(e.to)} (n₋ = ${byId.get(e.to)?.inertia.neg})`).join(", ");
    details.push(`<div class="detail" id="set-${x.id}"><h3>Set #${x.id} — width ${x.width}, loss ${fmt(x.loss)}, inertia ${inertiaText(x.inertia)}</h3>
<p>‖∇R‖ = ${fmt(x.gradNorm)}, τ = ${fmt(x.tau)}, gap ratio ${x.gap === null ? "∞" : fmt(x.gap)}${x.inertiaClear ? "" : " (<b>not clear-cut</b>)"}; root width ${x.rootWidth}; ${x.count} point(s) (${esc(Object.entries(x.sources).map(([k, v]) => `${k} ${v}`).join(", "))}); n₀ measured ${x.degeneracy.measured}, predicted by its embedding ${x.degeneracy.predicted ?? "–"}; status ${esc(x.status)}${x.evidence ? ` (evidence: ${esc(JSON.stringify(x.evidence).slice(0, 300))})` : ""}; truly bad: ${esc(String(x.trulyBad?.verdict ?? "–"))}; reduction tolerance ${fmt(Number(x.reduction.tolerance))}, output change ${fmt(Number(x.reduction.maxOutputChange))}.</p>
<p>Lineage (embedding chain from the root): ${chain}</p>${emb ? `<ul>${emb}</ul>` : ""}${desc ? `<p>Descent reaches: ${desc}</p>` : ""}
<div class="plots">${figure(out, "output function over the data (dots: targets)")}${figure(spec, "sorted |λ| with the zero threshold τ")}</div></div>`);
  }
  sections.push({
    title: "Set details",
    html: `<style>.detail{display:none;border:1px solid #d8dce3;padding:.6rem;margin:.6rem 0;background:#fff}.detail:target{display:block}</style>
<p class="muted">Select a set (a glyph, a tree leaf or a table link) to show it here${ex.sets.length > maxDetails ? `; details are included for the first ${maxDetails} of ${ex.sets.length} sets` : ""}.</p>${details.join("\n")}`,
  });
  const settingsText = `data ${esc(s.data)}, template ${esc(s.template)}, widths ${s.widths.join(", ")}, ${esc(s.activation)}, ${esc(s.loss)}, ${s.seeds} seeds per source per width, sources ${esc(s.sources.join(", "))}`;
  const html = page(opts.title ?? "Landscape atlas", opts.lead ?? `${ex.sets.length} critical sets, ${ex.edges.length} edges (${settingsText}).`, sections);
  return { html, sets: ex.sets.length, checks };
}
