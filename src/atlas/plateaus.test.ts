import assert from "node:assert/strict";
import { test } from "node:test";
import { grid1d } from "../data/synthetic.js";
import { applyEmbedding } from "../embed/apply.js";
import { splitEmbedding } from "../embed/embedding.js";
import { createNet, makeArch } from "../nn/arch.js";
import { predict } from "../nn/functions.js";
import { canonicalForm } from "./canonical.js";
import { condenseWide, findPlateaus, matchPlateau } from "./plateaus.js";
import { solveCritical } from "./solver.js";
import type { SetRow } from "./store.js";

test("findPlateaus: a flat stretch and a shoulder are found, a steady power law is not", () => {
  const flat = Array.from({ length: 5000 }, (_, i) => {
    const t = i + 1;
    return { step: t, loss: t < 100 ? 1 - 1e-4 * t : t < 1000 ? 0.99 * Math.pow(t / 100, -2) : 0.0099 * Math.pow(t / 1000, -0.6) };
  });
  const p = findPlateaus(flat);
  assert.ok(p.length >= 1);
  assert.ok(p[0].from <= 10 && p[0].to >= 60 && p[0].to <= 120, JSON.stringify(p[0]));
  assert.ok(Math.abs(p[0].loss - 0.99) < 0.02);
  assert.ok(p.some((q) => q.step >= 900 && q.step <= 1300), "the slow-down after step 1000 is a shoulder");
  const power = Array.from({ length: 5000 }, (_, i) => ({ step: i + 1, loss: Math.pow(i + 1, -1.5) }));
  assert.deepEqual(findPlateaus(power), []);
});

test("condenseWide + solver + match: a width-2 critical point split into 6 neurons is recognised as that set", () => {
  const data = grid1d("cos2x", 16);
  const narrow = solveCritical(createNet(makeArch([1, 2, 1]), [2, -2, 1, 1, 1, 1, -0.5]), data, { tol: 1e-14, maxIter: 200 });
  assert.ok(narrow.gradNorm <= 1e-10);
  const nNet = createNet(makeArch([1, 2, 1]), narrow.theta);
  let wide = applyEmbedding(nNet, splitEmbedding([1, 2, 1], 1, 1, [0.5, 0.3, 0.2]));
  wide = applyEmbedding(wide, splitEmbedding([1, 4, 1], 1, 2, [0.6, 0.1, 0.3]));
  const c = condenseWide(wide);
  assert.equal(c.arch.widths[1], 2);
  const f0 = predict(wide.arch, wide.theta, data.x, data.n), f1 = predict(c.arch, c.theta, data.x, data.n);
  for (let i = 0; i < data.n; i++) assert.ok(Math.abs(f0[i] - f1[i]) < 1e-12);
  const canon = canonicalForm(nNet, data);
  const set: SetRow = {
    id: 7, width: 2, loss: narrow.loss, gradNorm: narrow.gradNorm, inertia: narrow.inertia, tau: narrow.tau, gap: null, theta: narrow.theta, eigenvalues: narrow.eigenvalues,
    canonical: { widths: canon.widths, theta: canon.theta }, rootWidth: 2, reduction: {}, status: "critical", evidence: null, predicted: null, trulyBad: null, firstRun: "x",
  };
  const other: SetRow = { ...set, id: 8, theta: Float64Array.from(narrow.theta, (t, i) => (i === 6 ? t + 0.3 : t)), canonical: { widths: canon.widths, theta: Float64Array.from(canon.theta, (t, i) => (i === 6 ? t + 0.3 : t)) } };
  const m = matchPlateau(wide, { from: 1, to: 2, step: 1, loss: narrow.loss, slope: 0 }, data, [other, set], () => [1, 2, 1]);
  assert.equal(m.set?.id, 7);
  assert.equal(m.exact, true);
  assert.ok(m.outputDifference < 1e-12);
  const wrong = matchPlateau(wide, { from: 1, to: 2, step: 1, loss: narrow.loss, slope: 0 }, data, [other], () => [1, 2, 1]);
  assert.equal(wrong.exact, false);
  assert.ok(Math.abs(wrong.outputDifference - 0.3) < 1e-9, "the output bias differs by 0.3");
});
