import type { ActivationName } from "../nn/activations.js";
import type { LossName } from "../nn/losses.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeDataset } from "../data/dataset.js";
import { initNet, makeArch } from "../nn/arch.js";
import { fdGradient, assertClose } from "../testing/index.js";
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

for (const [act, loss] of [["tanh", "mse"], ["softplus", "cross-entropy"], ["relu", "mse"]] as const) {
  test(`BN net (${act}, ${loss}): gradient and HVP match central finite differences`, () => {
    const { theta, ev } = setup(act, loss);
    const g = new Float64Array(ev.P);
    ev.lossAndGradient(theta, g);
    const fd = fdGradient((t) => ev.loss(t), theta, 1e-6);
    assertClose(g, fd, 1e-7, 1e-6, "∇R");
    const rng = new Rng(9);
    const v = rng.fillNormal(new Float64Array(ev.P));
    const hv = new Float64Array(ev.P);
    ev.hvp(theta, v, hv);
    const h = 1e-5, tp = Float64Array.from(theta, (t, i) => t + h * v[i]), tm = Float64Array.from(theta, (t, i) => t - h * v[i]);
    const gp = new Float64Array(ev.P), gm = new Float64Array(ev.P);
    ev.lossAndGradient(tp, gp); ev.lossAndGradient(tm, gm);
    const fdHv = gp.map((a, i) => (a - gm[i]) / (2 * h));
    assertClose(hv, fdHv, 1e-6, 1e-5, "Hv");
    const H = ev.hessian(theta);
    let asym = 0;
    const P = ev.P;
    const H2 = new Float64Array(P * P);
    const e = new Float64Array(P);
    for (let j = 0; j < P; j++) { e[j] = 1; ev.hvp(theta, e, H2.subarray(j * P, (j + 1) * P)); e[j] = 0; }
    for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) asym = Math.max(asym, Math.abs(H2[i * P + j] - H2[j * P + i]));
    assert.ok(asym < 1e-10, `raw Hessian asymmetry ${asym}`);
    assert.equal(H.length, P * P);
  });
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
