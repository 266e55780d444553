import assert from "node:assert/strict";
import { test } from "node:test";
import { esc, figure, fmt, page, table } from "./html.js";
import { curvePlot, fitPlot, spectrumPlot } from "./plots.js";

/** The marks of one Vega mark group (`layer_0_marks`, `marks`, …) in a rendered SVG: their aria labels and attributes. */
function marks(svg: string, group: string): Array<{ label: string; fill?: string; transform?: string }> {
  const start = svg.indexOf(`class="${group}`);
  assert.ok(start >= 0, `no mark group ${group}`);
  const body = svg.slice(start, svg.indexOf("</g>", start));
  return [...body.matchAll(/<(?:path|line)[^>]*aria-label="([^"]*)"[^>]*>/g)].map((m) => ({
    label: m[1],
    fill: /fill="([^"]*)"/.exec(m[0])?.[1],
    transform: /transform="translate\(([^)]*)\)"/.exec(m[0])?.[1],
  }));
}
const axisTitles = (svg: string): string[] => [...svg.matchAll(/role-axis-title"[^>]*><text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

test("spectrum plot: both axes titled, one point per eigenvalue coloured by sign on a log axis, τ as a dashed rule", async () => {
  const svg = await spectrumPlot([-0.5, 2, 1e-20, 3], 1e-6, "T");
  assert.match(svg, /^<svg [^>]*width="\d+" height="\d+"/);
  assert.deepEqual(axisTitles(svg).sort(), ["index (sorted by |λ|)", "|λ|"].sort());
  const pts = marks(svg, "mark-symbol role-mark");
  assert.equal(pts.length, 4);
  // sorted by |λ|: 3, 2, −0.5 (blue), 1e-20 (counted zero: grey, drawn at τ/10)
  assert.deepEqual(pts.map((p) => p.fill), ["#dc2626", "#dc2626", "#2563eb", "#6b7280"]);
  assert.match(pts[2].label, /sign: negative; lambda: −5\.000e-1/);
  assert.match(pts[3].label, /\|λ\|: 1e-7; sign: zero/);
  const y = pts.map((p) => Number(p.transform!.split(",")[1]));
  const x = pts.map((p) => Number(p.transform!.split(",")[0]));
  assert.ok(x[0] < x[1] && x[1] < x[2] && x[2] < x[3], `x ${x}`);
  // log scale: pixel distances are proportional to differences of log|λ|
  assert.ok(Math.abs((y[1] - y[0]) / (y[2] - y[1]) - Math.log(3 / 2) / Math.log(2 / 0.5)) < 1e-6, `y ${y}`);
  const rule = marks(svg, "mark-rule role-mark");
  assert.equal(rule.length, 1);
  assert.match(rule[0].label, /tau: 0\.000001/);
  assert.match(svg, /stroke-dasharray="5,4"/);
});

test("curve plot: one line per series with a legend; fit plot: data points and curves", async () => {
  const svg = await curvePlot([
    { name: "loss", points: [{ step: 1, value: 1 }, { step: 10, value: 0.1 }, { step: 100, value: 0.01 }] },
    { name: "‖∇R‖", points: [{ step: 1, value: 2 }, { step: 100, value: 0.5 }] },
  ], { title: "training", logX: true, yTitle: "value" });
  assert.deepEqual(axisTitles(svg).sort(), ["step", "value"].sort());
  assert.equal((svg.match(/aria-roledescription="line mark"/g) ?? []).length, 2);
  assert.equal((svg.match(/role-legend-label/g) ?? []).length, 2);
  const fit = await fitPlot([{ x: 0, y: 1 }, { x: 1, y: 0 }, { x: 2, y: 1 }], [{ name: "f", points: [{ x: 0, y: 0.9 }, { x: 2, y: 0.9 }] }], "fit", { x: "t", y: "ΔR" });
  assert.deepEqual(axisTitles(fit).sort(), ["t", "ΔR"].sort());
  assert.equal((fit.match(/aria-roledescription="point"/g) ?? []).length, 3);
  assert.equal((fit.match(/aria-roledescription="line mark"/g) ?? []).length, 1);
});

test("html: text is escaped everywhere except explicit {html} cells; numbers are formatted compactly", () => {
  assert.equal(esc(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  const t = table(["<h>"], [["<b>x</b>", 0.000012345, 42, { html: "<i>ok</i>" }]]);
  assert.equal(t, "<table><thead><tr><th>&lt;h&gt;</th></tr></thead><tbody><tr><td>&lt;b&gt;x&lt;/b&gt;</td><td>1.234e-5</td><td>42</td><td><i>ok</i></td></tr></tbody></table>");
  assert.deepEqual([fmt(3), fmt(0.5), fmt(1234567.8), fmt(-0.0001), fmt(NaN)], ["3", "0.5000", "1.235e+6", "-1.000e-4", "NaN"]);
  const p = page("a <title>", "lead", [{ title: "S & T", html: figure("<svg></svg>", "cap") }]);
  assert.match(p, /<title>a &lt;title&gt;<\/title>/);
  assert.match(p, /<h2>S &amp; T<\/h2>\n<figure><svg><\/svg><figcaption>cap<\/figcaption><\/figure>/);
  assert.match(p, /^<!doctype html>/);
});
