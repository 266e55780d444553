import { test } from "node:test";
import assert from "node:assert/strict";
import { SparseInputOracle } from "../prune/sparse-oracle.js";
import { makeDataset } from "../data/dataset.js";
import { ACTIVATION_NAMES } from "../nn/activations.js";
import { initNet, makeArch } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import type { Oracle } from "../nn/oracle.js";
import { Rng } from "../util/rng.js";
import { randomData } from "./index.js";
import { assertOracle, checkOracle } from "./oracle-check.js";

/** An Evaluator with one deliberate defect. */
function broken(ev: Evaluator, defect: "gradient" | "hvp" | "hessian" | "asymmetric" | "nondeterministic"): Oracle {
  let calls = 0;
  return {
    P: ev.P, n: ev.n, outputDim: ev.outputDim,
    loss: (t) => ev.loss(t),
    lossAndGradient: (t, g) => {
      const R = ev.lossAndGradient(t, g);
      if (defect === "gradient") g[0] *= 1.001;
      return R + (defect === "nondeterministic" ? 1e-13 * calls++ : 0);
    },
    hvp: (t, v, out) => { ev.hvp(t, v, out); if (defect === "hvp") out[1] += 1e-3 * v[0]; },
    hessian: (t, out) => {
      const H = ev.hessian(t, out);
      if (defect === "hessian") { H[0] *= 1.01; }
      if (defect === "asymmetric") H[1] += 1e-6;
      return H;
    },
    outputs: (t) => ev.outputs(t),
    sampleLossGradients: (t) => ev.sampleLossGradients(t),
  };
}

test("the checker catches each kind of defect (and passes the healthy oracle)", () => {
  const arch = makeArch([2, 4, 3, 2], "tanh", "mse");
  const data = randomData(2, 2, 8, "mse", 3);
  const net = initNet(arch, { seed: 1 });
  const ev = new Evaluator(arch, data);
  const ok = checkOracle(ev, net.theta);
  assert.ok(ok.gradient < 1e-7 && ok.hvp < 1e-7 && ok.columns! < 1e-13 && ok.symmetry === 0 && ok.deterministic, JSON.stringify(ok));
  for (const defect of ["gradient", "hvp", "hessian", "asymmetric", "nondeterministic"] as const) {
    assert.throws(() => assertOracle(broken(ev, defect), net.theta, defect), new RegExp(defect === "nondeterministic" ? "repeated calls" : "."), `${defect} not caught`);
  }
});

test("sparse-input oracle under the shared checker: every activation and loss, depth 2–4, equal to the dense Evaluator", () => {
  const rng = new Rng(9);
  for (const act of [...ACTIVATION_NAMES]) {
    for (const lossName of ["mse", "cross-entropy"] as const) {
      for (const widths of [[7, 5, 3], [7, 4, 3, 3], [7, 3, 4, 2, 3]]) {
        const n = 10, d = widths[0], k = widths[widths.length - 1];
        const x = Array.from({ length: n * d }, () => (rng.uniform() < 0.6 ? 0 : rng.normal()));
        const y = Array.from({ length: n * k }, (_, i) => (lossName === "mse" ? rng.normal() : i % k === Math.floor(i / k) % k ? 1 : 0));
        const data = makeDataset(x, y, { n, d, k });
        const net = initNet(makeArch(widths, act, lossName), { seed: 2, scale: 1.5 });
        const sp = new SparseInputOracle(net.arch, data), dense = new Evaluator(net.arch, data);
        assert.ok(sp.density < 0.6);
        assertOracle(sp, net.theta, `sparse ${widths.join("-")} ${act} ${lossName}`, { reference: dense.hessian(net.theta), tol: { symmetry: 0, reference: 1e-13 } });
        const g1 = new Float64Array(sp.P), g2 = new Float64Array(sp.P);
        assert.ok(Math.abs(sp.lossAndGradient(net.theta, g1) - dense.lossAndGradient(net.theta, g2)) < 1e-14);
        for (let i = 0; i < sp.P; i++) assert.ok(Math.abs(g1[i] - g2[i]) < 1e-14);
      }
    }
  }
});

test("TinyEvaluator (fused two-layer kernels) under the shared checker: every activation and loss it takes, vs the Evaluator's structured Hessian", async () => {
  const { TinyEvaluator } = await import("../nn/tiny.js");
  for (const act of ["tanh", "relu", "sigmoid", "softplus", "gelu"] as const) {
    for (const lossName of ["mse", "cross-entropy"] as const) {
      for (const widths of [[1, 3, 1], [2, 5, 3], [1, 12, 2]]) {
        if (lossName === "cross-entropy" && widths[2] === 1) continue;
        const arch = makeArch(widths, act, lossName);
        const data = randomData(widths[0], widths[2], 9, lossName, 17);
        const net = initNet(arch, { seed: 3, scale: 1.5 });
        const tiny: Oracle = new TinyEvaluator(arch, data);
        assertOracle(tiny, net.theta, `tiny ${widths.join("-")} ${act} ${lossName}`, { reference: new Evaluator(arch, data).hessian(net.theta), tol: { symmetry: 1e-15, reference: 1e-12 } });
      }
    }
  }
});
