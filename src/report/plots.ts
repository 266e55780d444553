import type * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import { vegaLiteSvg, vegaSvg } from "./svg.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const NEG = "#2563eb", POS = "#dc2626"; // the papers' colours: blue negative, red positive

/**
 * Sorted |eigenvalue| against index on a log axis, coloured by sign, with the zero threshold τ
 * as a dashed rule (the plot of SPEC §7 E5). Exact zeros are drawn at τ/10 so they stay visible.
 */
export function spectrumPlot(eigenvalues: ArrayLike<number>, tau: number, title = "Hessian spectrum"): Promise<string> {
  return vegaLiteSvg(spectrumSpec(eigenvalues, tau, title));
}

/** The Vega-Lite spec of `spectrumPlot` (for renderers other than SVG, e.g. the explorer's canvas). */
export function spectrumSpec(eigenvalues: ArrayLike<number>, tau: number, title = "Hessian spectrum"): TopLevelSpec {
  const vals = Array.from(eigenvalues).sort((a, b) => Math.abs(b) - Math.abs(a));
  const floor = tau / 10;
  const values = vals.map((l, i) => ({
    index: i + 1,
    abs: Math.max(Math.abs(l), floor),
    sign: Math.abs(l) <= tau ? "zero (|λ| ≤ τ)" : l < 0 ? "negative" : "positive",
    lambda: l,
  }));
  // explicit log domain with room below the zero marks (drawn at τ/10), so they sit inside the plot, not on its floor
  const absMax = Math.max(floor * 10, ...values.map((v) => v.abs));
  const spec: TopLevelSpec = {
    $schema: SCHEMA, title, width: 420, height: 240,
    layer: [
      {
        data: { values },
        mark: { type: "point", filled: true, size: 45 },
        encoding: {
          x: { field: "index", type: "quantitative", title: "index (sorted by |λ|)", scale: { domain: [0, Math.max(1, vals.length) + 1], nice: false } },
          y: { field: "abs", type: "quantitative", scale: { type: "log", domain: [floor / 4, absMax * 2], nice: false }, title: "|λ|" },
          color: {
            field: "sign", type: "nominal", title: null,
            scale: { domain: ["negative", "positive", "zero (|λ| ≤ τ)"], range: [NEG, POS, "#6b7280"] },
          },
          tooltip: [{ field: "lambda", type: "quantitative", format: ".3e" }],
        },
      },
      {
        data: { values: [{ tau }] },
        mark: { type: "rule", strokeDash: [5, 4], color: "#111" },
        encoding: { y: { field: "tau", type: "quantitative" } },
      },
    ],
  };
  return spec;
}

/** A loss (or any positive quantity) curve against step on log–log or lin–log axes; one line per series. */
export function curvePlot(
  series: Array<{ name: string; points: Array<{ step: number; value: number }> }>,
  opts: { title?: string; yTitle?: string; xTitle?: string; logX?: boolean; logY?: boolean; width?: number; height?: number } = {},
): Promise<string> {
  return vegaLiteSvg(curveSpec(series, opts));
}

/** The Vega-Lite spec of `curvePlot`. */
export function curveSpec(
  series: Array<{ name: string; points: Array<{ step: number; value: number }> }>,
  opts: { title?: string; yTitle?: string; xTitle?: string; logX?: boolean; logY?: boolean; width?: number; height?: number } = {},
): TopLevelSpec {
  const values = series.flatMap((s) => s.points.filter((p) => !opts.logY || p.value > 0).map((p) => ({ series: s.name, step: opts.logX ? Math.max(p.step, 1) : p.step, value: p.value })));
  // the x axis ends where the data end (no "nice" rounding of 2,000 steps up to 10,000)
  let x0 = Infinity, x1 = -Infinity;
  for (const v of values) { x0 = Math.min(x0, v.step); x1 = Math.max(x1, v.step); }
  const xDomain = x1 > x0 ? [x0, x1] : [x0, x0 + 1];
  const spec: TopLevelSpec = {
    $schema: SCHEMA, title: opts.title ?? "", width: opts.width ?? 420, height: opts.height ?? 240,
    data: { values },
    mark: { type: "line", strokeWidth: 1.6 },
    encoding: {
      x: { field: "step", type: "quantitative", title: opts.xTitle ?? "step", scale: { type: opts.logX ? "log" : "linear", domain: xDomain, nice: false }, axis: { labelOverlap: "greedy", labelSeparation: 4 } },
      y: { field: "value", type: "quantitative", title: opts.yTitle ?? "loss", scale: { type: opts.logY === false ? "linear" : "log" }, axis: { labelOverlap: "greedy", labelSeparation: 2 } },
      // legend entries in the order the series were given (not sorted as strings: m = 1, 2, 3, 30, 200), never truncated
      color: series.length > 1 ? { field: "series", type: "nominal", title: null, sort: series.map((s) => s.name), legend: { labelLimit: 0 } } : { value: "#1f2937" },
    },
  };
  return spec;
}

/** Data points and one or more fitted curves y(x) for 1-D inputs. */
export function fitPlot(
  data: Array<{ x: number; y: number }>,
  curves: Array<{ name: string; points: Array<{ x: number; y: number }> }>,
  title = "fit",
  axes: { x?: string; y?: string } = {},
): Promise<string> {
  return vegaLiteSvg(fitSpec(data, curves, title, axes));
}

/** The Vega-Lite spec of `fitPlot`. */
export function fitSpec(
  data: Array<{ x: number; y: number }>,
  curves: Array<{ name: string; points: Array<{ x: number; y: number }> }>,
  title = "fit",
  axes: { x?: string; y?: string } = {},
): TopLevelSpec {
  const spec: TopLevelSpec = {
    $schema: SCHEMA, title, width: 420, height: 240,
    layer: [
      {
        data: { values: curves.flatMap((c) => c.points.map((p) => ({ ...p, curve: c.name }))) },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: { field: "x", type: "quantitative", title: axes.x ?? "x" },
          y: { field: "y", type: "quantitative", title: axes.y ?? "y" },
          color: { field: "curve", type: "nominal", title: null, sort: curves.map((c) => c.name), legend: { labelLimit: 0 } },
        },
      },
      {
        data: { values: data },
        mark: { type: "point", filled: true, color: "#111", size: 50 },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
      },
    ],
  };
  return spec;
}

/**
 * Filled contour plot of z(s, t) on a grid (z[j][i] at (s_i, t_j), both axes ascending): Vega's isocontour
 * transform (d3-contour, marching squares) on the grid, axes in the grid's own units, `levels` nice
 * thresholds shared over the plot, an optional marked point (e.g. the centre θ0).
 */
export function contourPlot(
  s: readonly number[], t: readonly number[], z: readonly (readonly number[])[],
  opts: { title?: string; xTitle?: string; yTitle?: string; zTitle?: string; levels?: number; mark?: { x: number; y: number } } = {},
): Promise<string> {
  const nx = s.length, ny = t.length;
  const values: number[] = [];
  for (let j = ny - 1; j >= 0; j--) for (let i = 0; i < nx; i++) values.push(z[j][i]); // row 0 = top = largest t
  const ds = (s[nx - 1] - s[0]) / (nx - 1), dt = (t[ny - 1] - t[0]) / (ny - 1);
  // explicit, evenly spaced thresholds over the data's own range (Vega's default includes zero, which
  // empties the plot for a narrow range of negative values such as log10 R)
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const levels = opts.levels ?? 14;
  const thresholds = hi > lo ? Array.from({ length: levels }, (_, k) => lo + ((hi - lo) * k) / levels) : [lo];
  const spec: vega.Spec = {
    $schema: "https://vega.github.io/schema/vega/v6.json",
    title: opts.title ?? "", width: 360, height: 300, padding: 5,
    data: [
      { name: "grid", values: [{ width: nx, height: ny, values }] },
      { name: "contours", source: "grid", transform: [{ type: "isocontour", scale: { expr: "[width / datum.width, height / datum.height]" }, smooth: true, thresholds }] },
      { name: "mark", values: opts.mark ? [opts.mark] : [] },
    ],
    scales: [
      // grid point i is the centre of cell i: pad the domain by half a cell so the axes read true
      { name: "x", type: "linear", domain: [s[0] - ds / 2, s[nx - 1] + ds / 2], range: "width", zero: false, nice: false },
      { name: "y", type: "linear", domain: [t[0] - dt / 2, t[ny - 1] + dt / 2], range: "height", zero: false, nice: false },
      { name: "color", type: "linear", domain: { data: "contours", field: "contour.value" }, range: { scheme: "viridis" } },
    ],
    axes: [
      { orient: "bottom", scale: "x", title: opts.xTitle ?? "s" },
      { orient: "left", scale: "y", title: opts.yTitle ?? "t" },
    ],
    legends: [{ fill: "color", title: opts.zTitle ?? "loss", type: "gradient" }],
    marks: [
      { type: "shape", from: { data: "contours" }, encode: { enter: { stroke: { value: "#1f2937" }, strokeWidth: { value: 0.4 }, fill: { scale: "color", field: "contour.value" } } }, transform: [{ type: "geoshape", field: "datum.contour" }] },
      { type: "symbol", from: { data: "mark" }, encode: { enter: { x: { scale: "x", field: "x" }, y: { scale: "y", field: "y" }, shape: { value: "cross" }, size: { value: 120 }, fill: { value: "#dc2626" } } } },
    ],
  };
  return vegaSvg(spec);
}
