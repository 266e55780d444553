import { test } from "node:test";
import assert from "node:assert/strict";
import { extremeEigenvalues, lanczos, ritz } from "./lanczos.js";
import { makeArch, initNet } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { grid1d } from "../data/synthetic.js";
import { eigenvalues } from "../linalg/inertia.js";
import { Rng } from "../util/rng.js";

function setup(): { ev: Evaluator; theta: Float64Array; dense: Float64Array } {
  const arch = makeArch([1, 12, 1], "tanh", "mse");
  const net = initNet(arch, { seed: 7 });
  const ev = new Evaluator(arch, grid1d("sin3x", 30, -2, 2));
  const dense = eigenvalues(ev.hessian(net.theta), ev.P);
  return { ev, theta: net.theta, dense };
}

test("Lanczos on HVPs finds the k largest and k most negative Hessian eigenvalues of the dense path", () => {
  const { ev, theta, dense } = setup();
  const P = ev.P, k = 3;
  const r = extremeEigenvalues((x, y) => ev.hvp(theta, x, y), P, k, { steps: 30 });
  const scale = Math.max(Math.abs(dense[0]), Math.abs(dense[P - 1]));
  for (let i = 0; i < k; i++) {
    assert.ok(Math.abs(r.largest[i] - dense[P - k + i]) <= 1e-8 * scale, `largest ${i}: ${r.largest[i]} vs ${dense[P - k + i]}`);
  }
  assert.ok(Math.abs(r.smallest[0] - dense[0]) <= 1e-8 * scale, `most negative ${r.smallest[0]} vs ${dense[0]}`);
  assert.ok(dense[0] < 0, "the test point is a saddle-like point with a negative eigenvalue");
});

test("Lanczos quadrature reproduces the moments vᵀHᵖv exactly up to p = 2m − 1", () => {
  const { ev, theta } = setup();
  const P = ev.P, m = 5;
  const v = new Float64Array(P);
  new Rng(3).fillNormal(v);
  let nv = 0;
  for (const x of v) nv += x * x;
  const r = ritz(lanczos((x, y) => ev.hvp(theta, x, y), P, m, v));
  let w = Float64Array.from(v), tmp = new Float64Array(P);
  for (let p = 1; p <= 2 * m - 1; p++) {
    ev.hvp(theta, w, tmp);
    [w, tmp] = [tmp, w];
    // vᵀ H^p v / ‖v‖²  (H^p v built by repeated HVPs)
    let exact = 0;
    for (let i = 0; i < P; i++) exact += v[i] * w[i];
    exact /= nv;
    let quad = 0;
    for (let i = 0; i < r.values.length; i++) quad += r.firstComponents[i] ** 2 * r.values[i] ** p;
    assert.ok(Math.abs(quad - exact) <= 1e-8 * Math.max(Math.abs(exact), 1e-12), `moment ${p}: ${quad} vs ${exact}`);
  }
});
