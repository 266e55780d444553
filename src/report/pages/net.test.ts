import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fixtureB } from "../../nn/fixtures.js";
import { certificate } from "../../optim/refine.js";
import { randomData } from "../../testing/index.js";
import { initNet, makeArch } from "../../nn/arch.js";
import { findChromium, renderInChromium } from "../browser.js";
import { pointReport } from "./net.js";

test("point report: certificate table, output curve for 1-D data, spectrum with τ, before/after; renders in Chromium", async () => {
  const { net, data } = fixtureB();
  const c = certificate(net, data);
  const moved = { ...net, theta: net.theta.map((x, i) => x + (i === 0 ? 0.3 : 0)) };
  const c2 = certificate(moved, data);
  const html = await pointReport({
    title: "test <report>", lead: "lead & more", data,
    points: [
      { label: "critical", net, loss: c.loss, gradNorm: c.gradNorm, inertia: c.inertia, eigenvalues: c.eigenvalues },
      { label: "moved", net: moved, loss: c2.loss, gradNorm: c2.gradNorm, inertia: c2.inertia, eigenvalues: c2.eigenvalues },
    ],
    results: { head: ["quantity", "value"], rows: [["x", 1]] },
  });
  assert.match(html, /<title>test &lt;report&gt;<\/title>/);
  assert.match(html, /\(0, 0, 7\)/);
  assert.match(html, /moved: <span class="bad">not critical: ‖∇R‖₂ = /);
  assert.match(html, /critical: <span class="ok">critical<\/span>/);
  assert.match(html, /Hessian spectrum — critical/);
  assert.match(html, /Hessian spectrum — moved/);
  assert.match(html, /data and output/);
  const dir = mkdtempSync(join(tmpdir(), "embedscape-report-"));
  writeFileSync(join(dir, "r.html"), html);
  if (findChromium()) {
    const r = renderInChromium(join(dir, "r.html"));
    assert.ok(r.ok && r.consoleErrors.length === 0);
    assert.ok((r.dom.match(/<svg/g) ?? []).length >= 3);
  }
});

test("point report on multi-dimensional data plots output against target", async () => {
  const d2 = randomData(3, 2, 30, "mse", 1);
  const wide = initNet(makeArch([3, 4, 2], "tanh", "mse"), { seed: 2 });
  const html = await pointReport({ title: "t", lead: "", data: d2, points: [{ label: "net", net: wide, loss: 1, gradNorm: 1 }] });
  assert.match(html, /output against target/);
  assert.doesNotMatch(html, /Hessian spectrum — /);
});
