import assert from "node:assert/strict";
import { test } from "node:test";
import { oneStepEmbedding } from "../embed/embedding.js";
import { applyEmbedding } from "../embed/apply.js";
import { fixtureB, fixtureC } from "../nn/fixtures.js";
import { layout, makeArch } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { affineFamilyDirections, filterNormalizedDirection, linspace, lowestHessianDirections, slice1d, slice2d } from "./slice.js";

test("filter normalisation: every row of every layer has the norm of θ's row; biases zero / copied / in the row", () => {
  const { net } = fixtureB();
  const { layers } = layout(net.arch.widths);
  for (const biases of ["zero", "copy", "filter"] as const) {
    const d = filterNormalizedDirection(net.arch, net.theta, 7, biases);
    for (const lay of layers) for (let i = 0; i < lay.rows; i++) {
      let dn = 0, tn = 0;
      for (let k = 0; k < lay.cols; k++) { dn += d[lay.w + i * lay.cols + k] ** 2; tn += net.theta[lay.w + i * lay.cols + k] ** 2; }
      if (biases === "filter") { dn += d[lay.b + i] ** 2; tn += net.theta[lay.b + i] ** 2; }
      assert.ok(Math.abs(Math.sqrt(dn) - Math.sqrt(tn)) <= 1e-12 * Math.sqrt(tn), `${biases} layer row ${i}`);
      if (biases === "zero") assert.equal(d[lay.b + i], 0);
      if (biases === "copy") assert.equal(d[lay.b + i], net.theta[lay.b + i]);
    }
  }
  // same seed → same direction; another seed → another one
  assert.deepEqual(filterNormalizedDirection(net.arch, net.theta, 7), filterNormalizedDirection(net.arch, net.theta, 7));
  assert.notDeepEqual(filterNormalizedDirection(net.arch, net.theta, 7), filterNormalizedDirection(net.arch, net.theta, 8));
});

test("1-D slice: t = 0 is R(θ0); interpolation ends at R(θB); a minimum rises quadratically along its softest eigenvector", () => {
  const { net, data } = fixtureB();
  const ev = new Evaluator(net.arch, data);
  const R0 = ev.loss(net.theta);
  const other = net.theta.map((x, i) => x + 0.1 * Math.sin(i + 1));
  const d = other.map((x, i) => x - net.theta[i]);
  const s = slice1d(net.arch, data, net.theta, d, [0, 0.5, 1]);
  assert.equal(s.loss[0], R0);
  assert.ok(Math.abs(s.loss[2] - ev.loss(other)) <= 1e-15);
  const h = lowestHessianDirections(net.arch, data, net.theta, 1);
  assert.ok(Math.abs(h.values[0] - 0.001702262638) < 1e-9, `λ_min ${h.values[0]}`); // SPEC §8.2
  const eps = 1e-3;
  const q = slice1d(net.arch, data, net.theta, h.vectors[0], [-eps, eps]);
  for (const L of q.loss) assert.ok(Math.abs((L - R0) - 0.5 * h.values[0] * eps * eps) < 1e-10, `second-order term ${L - R0}`);
});

test("the escape direction of a split minimum goes down; the critical affine family is flat (SPEC §2.8, fixture C)", () => {
  const { net, data } = fixtureC(); // definite F ≺ 0: α = 0.5 split is a strict saddle (2,1,4)
  const e = oneStepEmbedding(net.arch.widths, 1, 1, 0.5);
  const wide = applyEmbedding(net, e);
  const R0 = new Evaluator(wide.arch, data).loss(wide.theta);
  const h = lowestHessianDirections(wide.arch, data, wide.theta, 1);
  assert.ok(h.values[0] < 0, "a strict saddle");
  const down = slice1d(wide.arch, data, wide.theta, h.vectors[0], [-0.05, 0.05]);
  for (const L of down.loss) assert.ok(L < R0, `escape direction lowers R: ${L} vs ${R0}`);
  const [v] = affineFamilyDirections(e, net.theta);
  const flat = slice1d(wide.arch, data, wide.theta, v, linspace(-3, 3, 13));
  for (const L of flat.loss) assert.ok(Math.abs(L - R0) <= 1e-14, `flat along the family: ${L - R0}`);
  // a must-fail control: a random direction of the same size is not flat
  const r = filterNormalizedDirection(wide.arch, wide.theta, 1, "filter");
  const bumpy = slice1d(wide.arch, data, wide.theta, r, [1]);
  assert.ok(Math.abs(bumpy.loss[0] - R0) > 1e-3);
  // 2-D slice: the t = 0 row runs along the family (flat); off it the escape direction lowers R
  const g = slice2d(wide.arch, data, wide.theta, v, h.vectors[0], [-1, 0, 1], [-0.05, 0, 0.05]);
  for (const L of g.loss[1]) assert.ok(Math.abs(L - R0) <= 1e-14);
  assert.equal(g.loss[1][1], R0);
  assert.ok(g.loss[0][1] < R0 && g.loss[2][1] < R0);
});

test("bad requests are one-line input errors", () => {
  const { net, data } = fixtureB();
  assert.throws(() => linspace(1, 1, 5), /range/);
  assert.throws(() => linspace(0, 1, 1), /at least 2/);
  assert.throws(() => slice1d(net.arch, data, net.theta, new Float64Array(3), [0]), /direction has 3 entries/);
  assert.throws(() => lowestHessianDirections(net.arch, data, net.theta, 99), /99 Hessian directions/);
  assert.throws(() => affineFamilyDirections(oneStepEmbedding([1, 2, 1], 1, 1, 0.5), new Float64Array(7)), /no free ratio/);
  assert.throws(() => filterNormalizedDirection(makeArch([1, 3, 1]), net.theta, 0), /expects 10/);
});
