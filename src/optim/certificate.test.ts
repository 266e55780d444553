import { test } from "node:test";
import assert from "node:assert/strict";
import { eigenSystem, inertiaCounts } from "../linalg/inertia.js";
import { initNet, makeArch } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { fixtureB, fixtureD, fixtureE } from "../nn/fixtures.js";
import { randomData } from "../testing/index.js";
import { pointCertificate } from "./certificate.js";

const triple = (i: { neg: number; zero: number; pos: number }): number[] => [i.neg, i.zero, i.pos];

test("point certificate: LDLᵀ counts and the eigenvalue path agree on fixtures B, D, E (published inertia), with a proved clear gap", () => {
  for (const [f, want] of [[fixtureB(), [0, 0, 7]], [fixtureD(), [3, 0, 10]], [fixtureE(), [0, 2, 5]]] as const) {
    const ev = new Evaluator(f.net.arch, f.data);
    const a = pointCertificate(ev, f.net.theta);
    const b = pointCertificate(ev, f.net.theta, { spectrum: "values" });
    assert.deepEqual(triple(a.inertia), want);
    assert.deepEqual(triple(b.inertia), want);
    assert.equal(a.inertia.method, "ldl");
    assert.equal(b.inertia.method, "eigenvalues");
    assert.equal(a.eigenvalues, null);
    assert.equal(b.eigenvalues!.length, ev.P);
    assert.ok(Math.abs(a.inertia.norm - b.inertia.norm) <= 1e-10 * b.inertia.norm, `‖H‖ estimate ${a.inertia.norm} vs ${b.inertia.norm}`);
    assert.ok(a.inertia.clear && b.inertia.clear);
    assert.equal(a.inertia.gap.kind, "bounds");
    if (want[1] > 0) {
      // the bounds hold for the exact gap
      assert.ok(b.inertia.gap.largestZero! <= a.inertia.gap.largestZero!);
      assert.ok(b.inertia.gap.smallestNonzero! >= a.inertia.gap.smallestNonzero!);
      assert.ok(b.inertia.gap.ratio >= a.inertia.gap.ratio);
    }
    assert.equal(a.loss, b.loss);
    assert.ok(a.gradNorm < 1e-12);
  }
});

test("point certificate on random nets of depth 2–4: counts = eigenvalue inertia, gradient norm as measured, lowest eigenpair by the range driver", () => {
  for (const [i, widths] of [[2, 6, 3], [3, 5, 4, 2], [2, 4, 3, 3, 2]].entries()) {
    const arch = makeArch(widths, "tanh", "mse");
    const data = randomData(widths[0], widths[widths.length - 1], 15, "mse", 40 + i);
    const net = initNet(arch, { seed: 9 + i });
    const ev = new Evaluator(arch, data);
    const a = pointCertificate(ev, net.theta, { lowest: 2 });
    const b = pointCertificate(ev, net.theta, { spectrum: "values" });
    assert.deepEqual(triple(a.inertia), triple(b.inertia));
    assert.ok(a.gradNorm > 1e-6, "a random point is not critical and the certificate says so");
    const full = eigenSystem(a.hessian, ev.P);
    for (let j = 0; j < 2; j++) {
      assert.ok(Math.abs(a.lowest!.values[j] - full.values[j]) <= 1e-12 * b.inertia.norm);
      let d = 0; // same unit vector up to sign
      for (let k = 0; k < ev.P; k++) d += a.lowest!.vectors[j * ev.P + k] * full.vectors[j * ev.P + k];
      assert.ok(Math.abs(Math.abs(d) - 1) < 1e-8, `eigenvector ${j}: |⟨u, v⟩| = ${Math.abs(d)}`);
    }
  }
});

test("inertiaCounts: an eigenvalue in (τ, 1000τ] makes the gap NOT proved clear; one above 1000τ proves it", () => {
  const diag = (vals: number[]): Float64Array => { const n = vals.length, h = new Float64Array(n * n); vals.forEach((v, i) => { h[i * n + i] = v; }); return h; };
  const tau = 1e-9;
  const unclear = inertiaCounts(diag([0, 5e-9, 1, -1]), 4, { tolerance: tau });
  assert.deepEqual(triple(unclear), [1, 1, 2]);
  assert.equal(unclear.clear, false);
  assert.equal(unclear.gap.ratio, 1);
  const clear = inertiaCounts(diag([0, 5e-6, 1, -1, 1e-12]), 5, { tolerance: tau });
  assert.deepEqual(triple(clear), [1, 2, 2]);
  assert.equal(clear.clear, true);
  assert.equal(clear.gap.smallestNonzero, 1e3 * tau);
  const none = inertiaCounts(diag([2, -3]), 2, { tolerance: tau });
  assert.deepEqual([none.neg, none.zero, none.pos, none.gap.ratio, none.clear], [1, 0, 1, Infinity, true]);
});

test("spectrum \"auto\": exact eigenvalues up to EXACT_GAP_MAX_P parameters, LDLᵀ counts above", async () => {
  const { EXACT_GAP_MAX_P } = await import("./certificate.js");
  const small = fixtureB();
  assert.equal(pointCertificate(new Evaluator(small.net.arch, small.data), small.net.theta, { spectrum: "auto" }).inertia.method, "eigenvalues");
  const widths = [2, 30, 30, 1]; // P = 1021 > 500
  const arch = makeArch(widths, "tanh", "mse");
  const data = randomData(2, 1, 12, "mse", 5);
  const net = initNet(arch, { seed: 1 });
  const ev = new Evaluator(arch, data);
  assert.ok(ev.P > EXACT_GAP_MAX_P);
  const c = pointCertificate(ev, net.theta, { spectrum: "auto" });
  assert.equal(c.inertia.method, "ldl");
  assert.deepEqual(triple(c.inertia), triple(pointCertificate(ev, net.theta, { spectrum: "values" }).inertia));
});

test("certificate() on a two-layer net takes the fused TinyEvaluator and equals the Evaluator's certificate (H to 1e-12)", async () => {
  const { certificate } = await import("./refine.js");
  const { TinyEvaluator, trainingOracle } = await import("../nn/tiny.js");
  for (const [w, act] of [[[1, 6, 1], "tanh"], [[3, 8, 2], "softplus"]] as const) {
    const arch = makeArch([...w], act, "mse"), net = initNet(arch, { seed: 4 }), data = randomData(w[0], w[2], 25, "mse", 7);
    assert.ok(trainingOracle(arch, data) instanceof TinyEvaluator, "two-layer, P ≤ 512: the fused oracle");
    const c = certificate(net, data);
    const ref = pointCertificate(new Evaluator(arch, data), net.theta, { spectrum: "values" });
    const tiny = pointCertificate(new TinyEvaluator(arch, data), net.theta, { spectrum: "values" });
    let d = 0, s = 0;
    for (let i = 0; i < ref.hessian.length; i++) { d = Math.max(d, Math.abs(ref.hessian[i] - tiny.hessian[i])); s = Math.max(s, Math.abs(ref.hessian[i])); }
    assert.ok(d <= 1e-12 * s, `${w.join("-")} ${act}: ‖ΔH‖∞ ${d} vs ${s}`);
    assert.deepEqual(triple(c.inertia), triple(ref.inertia));
    assert.ok(Math.abs(c.loss - ref.loss) <= 1e-14 * Math.abs(ref.loss));
    for (let i = 0; i < c.eigenvalues.length; i++) assert.ok(Math.abs(c.eigenvalues[i] - ref.eigenvalues![i]) <= 1e-12 * ref.inertia.norm);
  }
});
