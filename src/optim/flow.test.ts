import assert from "node:assert/strict";
import { test } from "node:test";
import { createNet } from "../nn/arch.js";
import { fixtureA, fixtureB } from "../nn/fixtures.js";
import { maxAbsDiff } from "../linalg/dense.js";
import { gradientFlow } from "./flow.js";

test("gradient flow: Rosenbrock and Dormand–Prince agree; R never increases; R(0) − R(T) = ∫‖∇R‖² dt", () => {
  const { net, data } = fixtureA();
  const ros = gradientFlow(net, data, { method: "ros2", tEnd: 3, rtol: 1e-8, atol: 1e-11 });
  const dp = gradientFlow(net, data, { method: "dopri5", tEnd: 3, rtol: 1e-11, atol: 1e-13 });
  assert.equal(ros.reason, "t-end");
  assert.equal(ros.state.t, 3);
  assert.equal(dp.state.t, 3);
  const d = maxAbsDiff(ros.net.theta, dp.net.theta);
  assert.ok(d < 1e-5, `two independent integrators differ by ${d}`);
  assert.ok(d > 0, "they are different methods");
  for (const r of [ros, dp]) {
    for (let i = 1; i < r.history.length; i++) assert.ok(r.history[i].loss <= r.history[i - 1].loss + 1e-15, `R rose at step ${i}`);
    let integral = 0;
    for (let i = 1; i < r.history.length; i++) {
      const a = r.history[i - 1], b = r.history[i];
      integral += 0.5 * (b.t - a.t) * (a.gradNorm ** 2 + b.gradNorm ** 2);
    }
    const drop = r.history[0].loss - r.history[r.history.length - 1].loss;
    assert.ok(Math.abs(drop - integral) < 2e-3 * drop, `energy identity: drop ${drop} vs ∫‖∇R‖² ${integral}`);
  }
});

test("gradient flow reaches the critical point of fixture B; the stiff-capable method needs fewer steps", () => {
  const { net, data } = fixtureB();
  const start = createNet(net.arch, net.theta.map((x, i) => x + 0.05 * Math.cos(3 * i)));
  const ros = gradientFlow(start, data, { method: "ros2", tEnd: 1e6, gradTol: 1e-10 });
  assert.equal(ros.reason, "grad-tol");
  assert.ok(Math.abs(ros.history.at(-1)!.loss - 0.0080744941499397690954) < 1e-12);
  const dp = gradientFlow(start, data, { method: "dopri5", tEnd: 1e4, maxSteps: 1e6 });
  assert.equal(dp.reason, "t-end");
  // λ_max ≈ 1.35 (SPEC §8.2): an explicit method is limited to h ≲ 3.3/λ_max
  assert.ok(dp.state.accepted > 1e4 * 1.346 / 3.4, `dopri5 took ${dp.state.accepted} steps`);
  assert.ok(ros.state.t > 1e4 && ros.state.accepted * 2 < dp.state.accepted, `rosenbrock ${ros.state.accepted} vs dopri5 ${dp.state.accepted} steps`);
});

test("an interrupted flow resumes bit for bit", () => {
  const { net, data } = fixtureA();
  for (const method of ["ros2", "dopri5"] as const) {
    const whole = gradientFlow(net, data, { method, tEnd: 50, maxSteps: 60 });
    let calls = 0;
    const part = gradientFlow(net, data, { method, tEnd: 50, maxSteps: 60, shouldStop: () => ++calls > 25 });
    assert.equal(part.reason, "interrupted");
    const rest = gradientFlow(part.net, data, { tEnd: 50, maxSteps: 60, resume: part.state });
    assert.deepEqual(Array.from(rest.net.theta), Array.from(whole.net.theta), method);
    assert.deepEqual(rest.state, whole.state);
  }
});

test("bad flow settings are input errors", () => {
  const { net, data } = fixtureA();
  assert.throws(() => gradientFlow(net, data, { tEnd: -1 }), /tEnd must be a positive/);
  assert.throws(() => gradientFlow(net, data, { rtol: 0 }), /rtol/);
  assert.throws(() => gradientFlow(net, data, { method: "euler" as never }), /unknown flow method/);
});
