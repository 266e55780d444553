import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClose } from "../testing/index.js";
import { Evaluator } from "./evaluator.js";
import { fixtureA, fixtureB } from "./fixtures.js";


// Every activation × loss × depth goes through the shared checker in hessian.test.ts; here the fixture digits.

test("fixture A: outputs, loss and gradient to the published digits (SPEC §8.1)", () => {
  const { net, data } = fixtureA();
  const ev = new Evaluator(net.arch, data);
  assertClose(ev.outputs(net.theta), [-2.18478246786729, -0.36211715726001, 1.62318831191153], 1e-13, 0, "f(x)");
  const g = new Float64Array(7);
  const R = ev.lossAndGradient(net.theta, g);
  assert.ok(Math.abs(R - 1.5438963129880997) < 1e-14, `R = ${R}`);
  assertClose(g, [1.06616668074871, -0.846913630141321, -1.06531486210788, 0.121866072320678, 0.96670943064329,
    -0.764458422710142, -0.641237104405258], 1e-13, 0, "∇R");
});

test("fixture B: the trained minimum is critical with the published Hessian spectrum (SPEC §8.2)", () => {
  const { net, data } = fixtureB();
  const ev = new Evaluator(net.arch, data);
  const g = new Float64Array(7);
  const R = ev.lossAndGradient(net.theta, g);
  assert.ok(Math.abs(R - 0.0080744941499397690954) < 1e-15);
  assert.ok(Math.hypot(...g) < 1e-14);
  const H = ev.hessian(net.theta);
  // eigenvalues checked in linalg tests; here symmetry of the assembled Hessian
  for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) assert.equal(H[i * 7 + j], H[j * 7 + i]);
});

test("fixtures B–E: Hessian spectra and inertia at the published values (SPEC §8.2–§8.5)", async () => {
  const { inertia } = await import("../linalg/inertia.js");
  const { fixtureC, fixtureD, fixtureE } = await import("./fixtures.js");
  const spectrum = (f: { net: { arch: never; theta: Float64Array }; data: never }) => {
    const ev = new Evaluator(f.net.arch, f.data);
    return inertia(ev.hessian(f.net.theta), ev.P);
  };
  const b = spectrum(fixtureB() as never);
  assertClose(b.eigenvalues, [0.001702262638, 0.004169397289, 0.04941851339, 0.1047668304, 0.2070717179, 1.24593942, 1.346046549], 1e-9, 1e-8, "B eig");
  assert.deepEqual([b.neg, b.zero, b.pos], [0, 0, 7]);
  const c = spectrum(fixtureC() as never);
  assertClose(c.eigenvalues, [0.00951090395, 0.09969512841, 0.6400323447, 1.297877277], 1e-10, 1e-8, "C eig");
  const d = spectrum(fixtureD() as never);
  assert.deepEqual([d.neg, d.zero, d.pos], [3, 0, 10]);
  assert.ok(d.gap.smallestNonzero! > 2e-7 && d.gap.smallestNonzero! < 3e-7, "D's smallest |eig| ≈ 2.5e-7 counts as non-zero");
  const e = spectrum(fixtureE() as never);
  assert.deepEqual([e.neg, e.zero, e.pos], [0, 2, 5]);
  assertClose(e.eigenvalues.slice(2), [0.010681738, 0.035025619, 0.35735324, 2.4255816, 3.8588578], 1e-8, 1e-7, "E eig");
  // fixture C's F = M_{1,1} direction test is in embed; here the gradient at C and E is ~0
  for (const f of [fixtureC(), fixtureE()]) {
    const g = new Float64Array(f.net.theta.length);
    new Evaluator(f.net.arch, f.data).lossAndGradient(f.net.theta, g);
    assert.ok(Math.hypot(...g) < 1e-15);
  }
});
