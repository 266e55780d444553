import assert from "node:assert/strict";
import { test } from "node:test";
import { curvePlot, spectrumPlot } from "./plots.js";

/** Text of every <text> element of an SVG, in document order. */
const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

test("curve legends keep the given order and full labels; the step axis ends at the data", async () => {
  const names = ["m = 1", "m = 2", "m = 3", "m = 30", "m = 200", "after hidden layer 1 (width 16), a long label"];
  const svg = await curvePlot(names.map((name, k) => ({ name, points: Array.from({ length: 2001 }, (_, s) => ({ step: s, value: 1 / (1 + s + k) })) })), { logX: true });
  const t = texts(svg);
  const order = names.map((n) => t.indexOf(n));
  assert.ok(order.every((i) => i >= 0), `every label whole: ${t.join(" | ")}`);
  assert.deepEqual([...order].sort((a, b) => a - b), order, "legend in the given order, not sorted as strings");
  assert.ok(!t.some((x) => x.includes("…")), "no truncated label");
  const ticks = t.map((x) => Number(x.replace(/,/g, ""))).filter((x) => Number.isFinite(x));
  assert.ok(Math.max(...ticks) <= 2000, `x ticks end at the data (2,000 steps), got ${Math.max(...ticks)}`);
  const lin = texts(await curvePlot([{ name: "a", points: [{ step: 0, value: 1 }, { step: 1999, value: 0.5 }] }], { logY: false }));
  assert.ok(!lin.includes("2,000") && !lin.includes("10,000"), lin.join(" "));
});

test("spectrum: exact zeros are drawn inside the plot, above its floor", async () => {
  const svg = await spectrumPlot([0, 0, 1e-3, -2e-2, 1.5], 1e-12);
  const ys = [...svg.matchAll(/aria-roledescription="point" transform="translate\(([-\d.]+),([-\d.]+)\)"/g)].map((m) => Number(m[2]));
  assert.ok(ys.length >= 5, `five marks, got ${ys.length}`);
  for (const y of ys) assert.ok(y > 1 && y < 239, `mark at y = ${y} inside (0, 240)`);
});
