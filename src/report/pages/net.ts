import type { Dataset } from "../../data/dataset.js";
import { makeDataset } from "../../data/dataset.js";
import type { Net } from "../../nn/arch.js";
import { Evaluator } from "../../nn/evaluator.js";
import { fitPlot, spectrumPlot } from "../plots.js";
import { esc, figure, fmt, page, table, type Section } from "../html.js";
import { vegaLiteSvg, type TopLevelSpec } from "../svg.js";

/** What a report shows about one point: the numbers of its certificate (SPEC §1.4). */
export interface PointSummary {
  label: string;
  net: Net;
  loss: number;
  gradNorm: number;
  inertia?: { neg: number; zero: number; pos: number; tolerance: number; clear?: boolean; gap?: { largestZero: number | null; smallestNonzero: number | null } };
  /** The Hessian spectrum, when it was computed. */
  eigenvalues?: ArrayLike<number>;
}

/** Net outputs f_θ(x) on the given inputs (row-major n×d). */
function outputsAt(net: Net, x: Float64Array, n: number): Float64Array {
  const k = net.arch.widths[net.arch.widths.length - 1];
  const d = makeDataset(x, new Float64Array(n * k), { n, d: net.arch.widths[0], k });
  return Float64Array.from(new Evaluator(net.arch, d).outputs(net.theta));
}

/**
 * The data and the nets' outputs: for 1-D inputs and outputs the fitted curves over the data's range with the
 * points; otherwise each net's first output against the target (the identity line is a perfect fit).
 */
async function outputFigure(data: Dataset, points: PointSummary[]): Promise<string> {
  if (data.d === 1 && data.k === 1) {
    let lo = Infinity, hi = -Infinity;
    for (const v of data.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const pad = 0.05 * (hi - lo || 1), N = 201;
    const xs = Float64Array.from({ length: N }, (_, i) => lo - pad + ((hi - lo + 2 * pad) * i) / (N - 1));
    const curves = points.map((p) => { const f = outputsAt(p.net, xs, N); return { name: p.label, points: Array.from(xs, (x, i) => ({ x, y: f[i] })) }; });
    const svg = await fitPlot(Array.from(data.x, (x, i) => ({ x, y: data.y[i] })), curves, "data and output", { x: "x", y: "f(x)" });
    return figure(svg, `${data.n} data points (black) and the output function${points.length > 1 ? "s" : ""} over their range.`);
  }
  const values = points.flatMap((p) => {
    const f = outputsAt(p.net, data.x, data.n);
    return Array.from({ length: Math.min(data.n, 2000) }, (_, i) => ({ target: data.y[i * data.k], output: f[i * data.k], net: p.label }));
  });
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: "output against target (first output)", width: 360, height: 300,
    layer: [
      { data: { values }, mark: { type: "point", filled: true, size: 18, opacity: 0.6 }, encoding: { x: { field: "target", type: "quantitative" }, y: { field: "output", type: "quantitative" }, color: { field: "net", type: "nominal", title: null } } },
      { data: { values: [{ v: Math.min(...values.map((v) => v.target)) }, { v: Math.max(...values.map((v) => v.target)) }] }, mark: { type: "line", color: "#9ca3af", strokeDash: [4, 3] }, encoding: { x: { field: "v", type: "quantitative" }, y: { field: "v", type: "quantitative" } } },
    ],
  };
  return figure(await vegaLiteSvg(spec), `Each net's first output against the target on ${Math.min(data.n, 2000)} of the ${data.n} points; the dashed line is a perfect fit.`);
}

/**
 * The `--report` page of the point commands (`critical`, `hessian`, `check`, `truly-bad`, `prune`, `condense`,
 * `lift`): the demo's figures for the user's own net — the data and the output function, the Hessian spectrum with
 * the zero line τ, the inertia table — for one point or a before/after pair (e.g. narrow and wide, wide and pruned),
 * plus the command's own table of results.
 */
export async function pointReport(opts: { title: string; lead: string; data: Dataset; points: PointSummary[]; results?: { head: string[]; rows: Array<Array<string | number>> }; notes?: string[] }): Promise<string> {
  const { data, points } = opts;
  const sections: Section[] = [];
  const critical = points.map((p) => (p.gradNorm <= 1e-10 ? "critical" : `not critical: ‖∇R‖₂ = ${fmt(p.gradNorm)}`));
  sections.push({
    title: "Certificate",
    html: table(["net", "widths", "loss R", "‖∇R‖₂", "inertia (n₋, n₀, n₊)", "τ", "clear-cut"], points.map((p, i) => [
      p.label, p.net.arch.widths.join("-") + " " + p.net.arch.activation, p.loss, p.gradNorm,
      p.inertia ? `(${p.inertia.neg}, ${p.inertia.zero}, ${p.inertia.pos})` : "—", p.inertia ? p.inertia.tolerance : "—",
      p.inertia?.clear === undefined ? "—" : p.inertia.clear ? "yes" : "no (depends on τ)",
    ])) + `<p>${points.map((p, i) => `${esc(p.label)}: <span class="${p.gradNorm <= 1e-10 ? "ok" : "bad"}">${esc(critical[i])}</span>`).join("; ")}. ` +
      "Inertia statements describe a critical point only when ‖∇R‖ is at rounding level; elsewhere they describe the curvature at a non-critical point.</p>",
  });
  sections.push({ title: "Data and output", html: await outputFigure(data, points) });
  const spectra = points.filter((p) => p.eigenvalues && p.inertia);
  if (spectra.length) {
    const figs = await Promise.all(spectra.map(async (p) => figure(await spectrumPlot(p.eigenvalues!, p.inertia!.tolerance, `Hessian spectrum — ${p.label}`), `${p.eigenvalues!.length} eigenvalues, |λ| sorted, blue negative, red positive, grey zero (|λ| ≤ τ = ${fmt(p.inertia!.tolerance)}, dashed).`)));
    sections.push({ title: "Hessian spectrum", html: `<div class="plots">${figs.join("")}</div>` });
  }
  if (opts.results) sections.push({ title: "Results", html: table(opts.results.head, opts.results.rows) });
  if (opts.notes?.length) sections.push({ title: "Notes", html: opts.notes.map((n) => `<p>${esc(n)}</p>`).join("") });
  return page(opts.title, esc(opts.lead), sections);
}
