import { test } from "node:test";
import assert from "node:assert/strict";
import { grid1d } from "../data/synthetic.js";
import { gradient, lossValue } from "../nn/functions.js";
import { createNet, initNet, makeArch } from "../nn/arch.js";
import { fixtureB, fixtureC } from "../nn/fixtures.js";
import { norm2 } from "../linalg/dense.js";
import { Rng } from "../util/rng.js";
import { InputError } from "../util/errors.js";
import { inverseDesign } from "./inverse-design.js";
import { certificate, refineCritical } from "./refine.js";
import { train } from "./train.js";

test("train: GD and Adam decrease the loss; resuming in two halves equals one run bit for bit", () => {
  const data = grid1d("cos2x", 9);
  const net = initNet(makeArch([1, 4, 1], "tanh", "mse"), { seed: 3 });
  for (const optimizer of ["gd", "adam"] as const) {
    const full = train(net, data, { optimizer, lr: 0.02, steps: 200 });
    assert.ok(full.history[full.history.length - 1].loss < full.history[0].loss * 0.7, `${optimizer} decreases the loss`);
    const a = train(net, data, { optimizer, lr: 0.02, steps: 120 });
    const b = train(a.net, data, { optimizer, lr: 0.02, steps: 80, resume: a.state });
    assert.deepEqual(Array.from(b.net.theta), Array.from(full.net.theta), `${optimizer}: resume is exact`);
    assert.equal(b.state.step, 200);
  }
});

test("train: interruption via shouldStop keeps the state; bad options are InputErrors", () => {
  const data = grid1d("cos2x", 9);
  const net = initNet(makeArch([1, 2, 1], "tanh", "mse"), { seed: 1 });
  let calls = 0;
  const r = train(net, data, { optimizer: "adam", steps: 100, shouldStop: () => ++calls > 10 });
  assert.ok(r.interrupted);
  assert.equal(r.state.step, 10);
  assert.throws(() => train(net, data, { steps: 10, lr: -1 }), InputError);
  assert.throws(() => train(net, data, { steps: 1.5 }), InputError);
  assert.throws(() => train(net, data, { steps: 10, optimizer: "sgd" as never }), InputError);
  assert.throws(() => train(net, data, { steps: 50, optimizer: "gd", lr: 1e6 }), /diverged/);
});

test("refineCritical: fixture B's minimum from a perturbed start, to ‖∇R‖ ≤ 1e-12 with inertia (0,0,7)", () => {
  const { net, data } = fixtureB();
  const rng = new Rng(5);
  const start = createNet(net.arch, net.theta.map((t) => t + 1e-3 * rng.normal()));
  const c = refineCritical(start, data, { tol: 1e-12 });
  assert.ok(c.converged && c.gradNorm <= 1e-12, `‖∇R‖ = ${c.gradNorm}`);
  assert.deepEqual([c.inertia.neg, c.inertia.zero, c.inertia.pos], [0, 0, 7]);
  assert.ok(Math.abs(c.loss - 0.0080744941499397690954) < 1e-14);
  assert.ok(c.inertia.clear);
});

test("refineCritical converges to a saddle (not only minima): inverse-designed strict saddle, perturbed", () => {
  // an inverse-designed critical point with negative curvature (SPEC §8.3 recipe)
  const arch = makeArch([2, 3, 1], "tanh", "mse");
  const net = initNet(arch, { seed: 5, scale: 2 });
  const x = new Rng(1).fillNormal(new Float64Array(2 * 30));
  const data = inverseDesign(net, x, 30, { seed: 2, residual: 0.5 });
  const exact = certificate(net, data);
  assert.ok(exact.gradNorm < 1e-14, `designed point is critical: ${exact.gradNorm}`);
  assert.ok(exact.inertia.neg > 0, "the designed point is a strict saddle");
  const rng = new Rng(9);
  const start = createNet(arch, net.theta.map((t) => t + 1e-4 * rng.normal()));
  assert.ok(norm2(gradient(start, data)) > 1e-6);
  const c = refineCritical(start, data, { tol: 1e-12 });
  assert.ok(c.converged, `converged: ${c.gradNorm}`);
  assert.deepEqual([c.inertia.neg, c.inertia.zero, c.inertia.pos], [exact.inertia.neg, exact.inertia.zero, exact.inertia.pos]);
  assert.ok(Math.abs(c.loss - lossValue(net, data)) < 1e-10);
});

test("fixture C: certificate at θ = (1, 0.6, 1, 0) reports ‖∇R‖ ≤ 1e-12 and inertia (0,0,4)", () => {
  const { net, data } = fixtureC();
  const c = refineCritical(net, data);
  assert.ok(c.gradNorm <= 1e-12);
  assert.equal(c.iterations, 0);
  assert.deepEqual([c.inertia.neg, c.inertia.zero, c.inertia.pos], [0, 0, 4]);
  assert.ok(Math.abs(c.loss - 0.23833895774623699) < 1e-14);
});

test("inverseDesign: exact critical point at a chosen θ; refuses too few data and non-mse losses", () => {
  const arch = makeArch([1, 3, 1], "relu", "mse");
  const net = initNet(arch, { seed: 2 });
  const x = Float64Array.from({ length: 20 }, (_, i) => -2 + 0.21 * i);
  const data = inverseDesign(net, x, 20, { residual: 0.2 });
  assert.ok(norm2(gradient(net, data)) < 1e-14);
  assert.ok(Math.abs(lossValue(net, data) - 0.5 * 0.2 * 0.2) < 1e-12, "R = ½·residual²");
  const tanhNet = initNet(makeArch([1, 3, 1], "tanh", "mse"), { seed: 2 }); // rank J = 3 = n·k: no room for a residual
  assert.throws(() => inverseDesign(tanhNet, x.slice(0, 3), 3), /more outputs than rank/);
  assert.throws(() => inverseDesign(createNet(makeArch([1, 3, 2], "tanh", "cross-entropy")), x, 20), InputError);
});
