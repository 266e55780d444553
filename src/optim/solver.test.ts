import { test } from "node:test";
import assert from "node:assert/strict";
import { makeDataset } from "../data/dataset.js";
import { grid1d } from "../data/synthetic.js";
import { embedVector } from "../embed/apply.js";
import { createNet, makeArch } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { fixtureB } from "../nn/fixtures.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { adamTorch, runCensus, torchDefaultInit } from "./census.js";
import { certificate, refineCritical } from "./refine.js";
import { findReduction, isCertifiablyCritical, reembed, solveCritical } from "./solver.js";

const norm = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0));

test("torch init: seed s is bit-identical to torch.rand(…, generator=manual_seed(s)) mapped to U(±1/√fan_in)", () => {
  // torch.Generator().manual_seed(0); torch.rand(4) = 0.9700530018065531, 0.707819864399788, 0.45938294312745087, 0.9207476841219603
  const th = torchDefaultInit([1, 2, 1], 0);
  assert.deepEqual(Array.from(th.subarray(0, 4)), [0.9700530018065531, 0.707819864399788, 0.45938294312745087, 0.9207476841219603].map((u) => u * 2 - 1));
  // second layer: fan_in 2, a fresh torch.rand call continuing the same stream
  assert.ok(th.subarray(4).every((v) => Math.abs(v) <= 1 / Math.SQRT2));
});

test("solver (issue case 1): 1-3-1 on cos 2x (9 points) after 3000 Adam steps reaches the R = 4.09947e-3 saddle at ‖∇R‖ ≤ 1e-12", () => {
  // seeds 0 (Newton from the Adam point) and 3 (needs a descent restart: Newton stalls above the saddle plateau)
  const r = runCensus(makeArch([1, 3, 1], "tanh", "mse"), grid1d("cos2x", 9), { seeds: 2, firstSeed: 0, adamSteps: 3000, lr: 1e-2 });
  const r3 = runCensus(makeArch([1, 3, 1], "tanh", "mse"), grid1d("cos2x", 9), { seeds: 1, firstSeed: 3, adamSteps: 3000, lr: 1e-2 });
  for (const s of [...r.perSeed, ...r3.perSeed]) {
    assert.ok(s.converged, `seed ${s.seed}: ${s.reason}`);
    assert.ok(s.gradNorm <= 1e-12);
    assert.ok(Math.abs(s.loss - 4.099471623e-3) < 1e-11, `seed ${s.seed} loss ${s.loss}`);
    assert.deepEqual(s.inertia, [1, 0, 9]);
  }
  assert.equal(r3.perSeed[0].strategy, "descent-restart");
  assert.deepEqual(r.inertiaCounts, { "1,0,9": 2 });
});

test("solver: a non-critical point is never certified (no budget, or the relative criterion fails)", () => {
  const data = grid1d("cos2x", 9);
  const net = createNet(makeArch([1, 3, 1], "tanh", "mse"), torchDefaultInit([1, 3, 1], 4));
  const c = refineCritical(net, data, { maxIter: 0, restarts: 0 });
  assert.equal(c.converged, false);
  assert.ok(c.gradNorm > 1e-3);
  assert.equal(c.inertia.clear, false, "the inertia of a non-critical point is never called clear");
  // the criterion itself: tiny ‖∇R‖ with a collapsed Hessian is not critical
  assert.equal(isCertifiablyCritical(4.4e-13, 1.3e-11, 39.5, 1e-12), false);
  assert.equal(isCertifiablyCritical(4.4e-13, 1, 5, 1e-12), true);
  assert.equal(isCertifiablyCritical(2e-12, 1, 5, 1e-12), false);
});

test("solver (issue case 2): separable cross-entropy is reported as no-finite-critical-point, not converged", () => {
  const rng = new Rng(5);
  const x: number[][] = [], y: number[][] = [];
  const C = [[0, 3], [3, -2], [-3, -2]];
  for (let c = 0; c < 3; c++) for (let i = 0; i < 15; i++) { x.push([C[c][0] + 0.5 * rng.normal(), C[c][1] + 0.5 * rng.normal()]); y.push([0, 1, 2].map((k) => (k === c ? 1 : 0))); }
  const data = makeDataset(x, y, undefined, "blobs");
  const arch = makeArch([2, 3, 3], "tanh", "cross-entropy");
  const ev = new Evaluator(arch, data);
  const th = torchDefaultInit([2, 3, 3], 0);
  const P = th.length;
  adamTorch(ev, th, 3000, 0.1, new Float64Array(P), new Float64Array(P), new Float64Array(P));
  const c = refineCritical(createNet(arch, th), data, {});
  assert.equal(c.converged, false);
  assert.equal(c.reason, "no-finite-critical-point");
  assert.ok(c.loss < 1e-10, `loss ${c.loss}`);
  assert.ok(c.evidence!.thetaNormEnd > c.evidence!.thetaNormStart, "‖θ‖ grew");
  assert.ok(c.evidence!.hessianNorm < 1e-8, "spectrum collapsed");
  assert.equal(c.inertia.clear, false);
});

test("solver (issue case 3): overflowing Hessian or loss is a one-line InputError naming the overflow, never NaN τ", () => {
  const data = makeDataset([[1]], [[1]]);
  const arch = makeArch([1, 1, 1], "identity", "mse");
  const big = createNet(arch, [1e160, 0, 1e-160, 0]);
  assert.throws(() => refineCritical(big, data), (e: unknown) => e instanceof InputError && /overflow/.test(e.message) && !/\n/.test(e.message));
  assert.throws(() => certificate(big, data), (e: unknown) => e instanceof InputError && /overflow/.test(e.message));
  const huge = createNet(arch, [1e200, 1e200, 1e200, 1e200]);
  assert.throws(() => refineCritical(huge, data), (e: unknown) => e instanceof InputError && /overflow|Infinity|NaN/.test(e.message));
  assert.throws(() => certificate(huge, data), (e: unknown) => e instanceof InputError);
});

test("embedding stage: reduction of an embedded point and exact re-embedding (duplicate, mirrored for odd σ, near-null)", () => {
  const { net, data } = fixtureB(); // trained 1-2-1 local minimum (tanh)
  const arch = makeArch([1, 4, 1], "tanh", "mse");
  // wide = split neuron 1 (β 0.3/0.7) + a mirrored copy of neuron 2 + nothing else: widths 1-4-1
  const wide = embedVector({ narrow: [1, 2, 1], pi: [[1, 2, 1, 2]], beta: [[0.3, 0.6, 0.7, 0.4]] }, net.theta);
  // mirror wide neuron 4 (odd σ): (w, b, a) → (−w, −b, −a) leaves f unchanged
  const mirrored = Float64Array.from(wide);
  for (const i of [3, 7, 11]) mirrored[i] = -mirrored[i];
  const red = findReduction(arch, mirrored, 1e-8, true);
  assert.ok(red);
  assert.deepEqual(red.reduction.narrow, [1, 2, 1]);
  assert.deepEqual(red.reduction.sign, [[1, 1, 1, -1]]);
  const back = reembed(arch.widths, red.reduction, red.narrowTheta);
  for (let i = 0; i < back.length; i++) assert.ok(Math.abs(back[i] - mirrored[i]) < 1e-14, `θ[${i}] ${back[i]} vs ${mirrored[i]}`);
  // perturbed off the critical set: the solver lands on an exactly critical point near it
  const rng = new Rng(2);
  const pert = Float64Array.from(mirrored, (v) => v + 1e-5 * rng.normal());
  const ev = new Evaluator(arch, data);
  const r = solveCritical(arch, ev, pert, {}, (a) => new Evaluator(a, data));
  assert.ok(r.converged, r.reason);
  assert.ok(r.gradNorm <= 1e-12);
  assert.ok(r.distance < 1e-3, `distance ${r.distance} via ${r.strategy}`);
  assert.equal(r.strategy, "embedding");
  assert.deepEqual(r.reduction?.narrow, [1, 2, 1]);
  assert.ok(Math.abs(r.loss - certificate(net, data).loss) < 1e-12, "the loss of the narrow minimum");
  // the embedded point is degenerate (split direction): a zero eigenvalue is reported
  assert.ok(Array.from(r.eigenvalues).some((l) => Math.abs(l) < 1e-10));
  // not reducible → null
  assert.equal(findReduction(makeArch([1, 2, 1], "tanh", "mse"), net.theta, 1e-8, true), null);
});

test("solver: degenerate-sublinear verdict carries the measured rate and soft eigenvalues (1-4-1, 20 points, seed 1)", () => {
  const r = runCensus(makeArch([1, 4, 1], "tanh", "mse"), grid1d("cos2x", 20), { seeds: 1, firstSeed: 1, adamSteps: 2000, lr: 1e-2, solve: { maxIter: 120, restarts: 0 } });
  const s = r.perSeed[0];
  assert.equal(s.converged, false);
  assert.equal(s.reason, "degenerate-sublinear");
  assert.ok(s.softEigenvalues.length > 0 || s.linearRate > 0.9, `rate ${s.linearRate}`);
  assert.equal(s.clear, false === s.converged ? s.clear : s.clear); // reported, whatever its value
  assert.deepEqual(r.unconverged, { "degenerate-sublinear": 1 });
});
