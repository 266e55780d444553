import type { ActivationName } from "../nn/activations.js";
import type { LossName } from "../nn/losses.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeDataset } from "../data/dataset.js";
import { initNet, makeArch } from "../nn/arch.js";
import { assertOracle } from "../testing/oracle-check.js";
import { Rng } from "../util/rng.js";
import { BnEvaluator, bnFromPlain, bnLayout } from "./batchnorm.js";

function setup(act: ActivationName, loss: LossName = "mse", widths = [2, 4, 3, 2]) {
  const rng = new Rng(5);
  const n = 7;
  const x = Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
  const y = loss === "mse" ? Array.from({ length: n }, () => [rng.normal(), rng.normal()]) : Array.from({ length: n }, (_, i) => (i % 2 ? [1, 0] : [0, 1]));
  const data = makeDataset(x, y);
  const plain = initNet(makeArch(widths, act, loss), { seed: 3 });
  const { arch, theta } = bnFromPlain(plain);
  // move γ, β away from (1, 0) so every term is exercised
  for (const L of bnLayout(arch.widths).layers) if (L.gamma >= 0) for (let j = 0; j < L.rows; j++) { theta[L.gamma + j] = 0.7 + 0.2 * rng.normal(); theta[L.beta + j] = 0.3 * rng.normal(); }
  return { data, arch, theta, ev: new BnEvaluator(arch, data) };
}

for (const act of ["tanh", "softplus", "relu", "gelu", "sigmoid"] as const) {
  for (const loss of ["mse", "cross-entropy"] as const) {
    test(`BN net (${act}, ${loss}) under the shared checker: gradient, HVP, dense Hessian = HVP columns, symmetry, determinism, depth 2–4`, () => {
      for (const widths of [[2, 4, 2], [2, 4, 3, 2], [2, 3, 4, 3, 2]]) {
        const { theta, ev } = setup(act, loss, widths);
        const r = assertOracle(ev, theta, `BN ${widths.join("-")} ${act} ${loss}`, { tol: { columns: 1e-11, symmetry: 0 } });
        assert.ok(r.columns !== null);
      }
    });
  }
}

test("BN normalizes: ĥ has batch mean β and variance ≈ γ²", () => {
  const { theta, ev, arch } = setup("relu");
  const L = bnLayout(arch.widths).layers[0];
  const hb = ev.preActivations(theta, 1);
  const n = 7, m = L.rows;
  for (let j = 0; j < m; j++) {
    let mu = 0, v = 0;
    for (let i = 0; i < n; i++) mu += hb[i * m + j];
    mu /= n;
    for (let i = 0; i < n; i++) v += (hb[i * m + j] - mu) ** 2;
    v /= n;
    assert.ok(Math.abs(mu - theta[L.beta + j]) < 1e-12);
    assert.ok(Math.abs(v - theta[L.gamma + j] ** 2) < 1e-3 * theta[L.gamma + j] ** 2 + 1e-6);
  }
});
