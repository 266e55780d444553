import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { activation } from "../../nn/activations.js";
import { createNet, makeArch } from "../../nn/arch.js";
import { fixtureE } from "../../nn/fixtures.js";
import { Evaluator } from "../../nn/evaluator.js";
import { renderInChromium, findChromium } from "../../report/browser.js";
import { approximateInsertion } from "../../depth/approximate.js";
import { investigateMinToSaddle } from "./investigate.js";
import { bnExperiment, bnSeedSweep } from "./runs.js";
import { depthReport } from "./report.js";
import { liftedRegionBySize } from "../../depth/shrink.js";

test("lifted region shrinks (non-increasing) as inputs are added, and is strictly smaller for spread data", () => {
  const F = Float64Array.from([0, 1, 2, 3, -1, -2, 5, -4]);
  const r = liftedRegionBySize(F, 8, 1, activation("relu").affinePieces[1], [1, 2, 4, 8], { samples: 5000 });
  for (let i = 1; i < r.length; i++) {
    assert.ok(r[i].feasibleFraction <= r[i - 1].feasibleFraction);
    assert.ok(r[i].bestMargin <= r[i - 1].bestMargin);
  }
  assert.ok(r[3].feasibleFraction < r[0].feasibleFraction - 0.1, JSON.stringify(r));
});

test("approximate insertion for tanh is labelled approximate with a small measured error that shrinks with the scale", () => {
  const { net, data } = fixtureE();
  const t = createNet(makeArch([1, 2, 1], "tanh", "mse"), net.theta);
  const a = approximateInsertion(t, data, { after: 1, width: 2, scale: 1e-2 });
  const b = approximateInsertion(t, data, { after: 1, width: 2, scale: 1e-3 });
  assert.equal(a.approximate, true);
  assert.ok(a.outputErrorTrain > 0 && b.outputErrorTrain < a.outputErrorTrain / 5, `${a.outputErrorTrain} ${b.outputErrorTrain}`);
  assert.ok(b.outputErrorTrain < 1e-3);
});

test("min → saddle investigation: interior lifted minima stay minima; kink points admit descent below R_A", () => {
  const cases = investigateMinToSaddle({ steps: 600 });
  const byName = (s: string) => cases.find((c) => c.name.startsWith(s))!;
  assert.deepEqual(byName("interior").inertiaDeep, [0, 8, 5]);
  const k = byName("active-kink");
  assert.ok(k.minFirst! < -1e-4, `D⁺R = ${k.minFirst}`);
  assert.ok(k.lossAfterEscape! < k.lossShallow - 1e-3);
  const d = byName("dead-kink");
  assert.ok(d.negativeCurvature && d.negativeCurvature.second[0] < -1e-3 && Math.abs(d.negativeCurvature.first[1]) < 1e-6);
  assert.ok(d.lossAfterEscape! < d.lossShallow - 1e-3);
  // theory: along (c₃, B₃)/√2 only x = −1 activates, ΔR = e(−1)·t²/(2n), so D²⁺R = e(−1)/n
  const { net, data } = fixtureE();
  const f = new Evaluator(net.arch, data).outputs(net.theta);
  const i = Array.from(data.x).indexOf(-1);
  const predicted = (f[i] - data.y[i]) / data.n;
  assert.ok(Math.abs(d.negativeCurvature.second[0] - predicted) < 1e-5 * Math.abs(predicted) + 1e-9, `${d.negativeCurvature.second[0]} vs ${predicted}`);
  const ns = byName("non-surjective");
  assert.equal(ns.inertiaDeep![0], 0);
  assert.ok(ns.inertiaDeep![2] <= ns.inertiaShallow![2]);
  for (const c of cases.filter((x) => x.name.startsWith("lift + split"))) assert.equal(c.inertiaDeep![0], 0);
});

test("reproduce depth report (quick) renders in headless Chromium without console errors", { skip: findChromium() ? false : "chromium not installed" }, async () => {
  const r = await depthReport({ quick: true });
  const dir = mkdtempSync(join(tmpdir(), "embedscape-depth-report-"));
  try {
    const file = join(dir, "depth.html");
    writeFileSync(file, r.html);
    const out = renderInChromium(file);
    assert.ok(out.ok);
    assert.deepEqual(out.consoleErrors, []);
    for (const s of ["Critical lifting of SPEC fixture E", "(0, 8, 5)", "Batch normalization vs none", "Layer pruning", "strict saddle", "APPROXIMATE"]) assert.ok(out.dom.includes(s), s);
    assert.ok((out.dom.match(/<svg/g) ?? []).length >= 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("BN seed sweep: one row per seed, seed 1 equals the plotted bnExperiment run", () => {
  const rows = bnSeedSweep([1, 2], { steps: 200 });
  assert.deepEqual(rows.map((r) => r.seed), [1, 2]);
  const one = bnExperiment({ seed: 1, steps: 200, every: 50 });
  assert.equal(rows[0].plainLoss, one.plain[one.plain.length - 1].loss);
  assert.equal(rows[0].bnLoss, one.bn[one.bn.length - 1].loss);
  assert.notEqual(rows[0].plainLoss, rows[1].plainLoss, "different seeds, different runs");
  // seed 2 recomputed on its own: the row is that run's last point, and both trainings lowered the loss from step 0
  const two = bnExperiment({ seed: 2, steps: 200, every: 200 });
  assert.equal(rows[1].plainLoss, two.plain[two.plain.length - 1].loss);
  assert.equal(rows[1].bnLinear, two.bn[two.bn.length - 1].linearFraction);
  for (const run of [one, two]) for (const curve of [run.plain, run.bn]) {
    assert.equal(curve[0].step, 0);
    assert.ok(curve[curve.length - 1].loss < 0.9 * curve[0].loss, `training did not lower the loss: ${curve[0].loss} → ${curve[curve.length - 1].loss}`);
  }
  // a linear fraction is the mean over the 4 hidden layers of (linear neurons)/16: a multiple of 1/64 in [0, 1]
  for (const r of rows) for (const v of [r.plainLinear, r.bnLinear]) {
    assert.ok(v >= 0 && v <= 1 && Math.abs(v * 64 - Math.round(v * 64)) < 1e-9, `linear fraction ${v}`);
  }
});
