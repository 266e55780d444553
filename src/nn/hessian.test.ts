import { test } from "node:test";
import assert from "node:assert/strict";
import { randomData } from "../testing/index.js";
import { assertOracle } from "../testing/oracle-check.js";
import { ACTIVATION_NAMES } from "./activations.js";
import { initNet, makeArch } from "./arch.js";
import { Evaluator } from "./evaluator.js";

// depth L = 1..4, scalar and vector outputs, narrow and wide layers
const ARCHS = [[3, 2], [1, 3, 1], [2, 5, 3], [1, 12, 4], [3, 4, 3, 2], [2, 3, 2, 3, 3], [1, 4, 1, 3, 2]];

for (const act of [...ACTIVATION_NAMES, "leaky-relu:0.2"] as const) {
  for (const lossName of ["mse", "cross-entropy"] as const) {
    test(`Evaluator under the shared checker (gradient, HVP, structured Hessian = per-column R-op, symmetry, determinism): ${act}, ${lossName}, depth 1-4`, () => {
      for (const [ai, widths] of ARCHS.entries()) {
        if (lossName === "cross-entropy" && widths[widths.length - 1] === 1) continue;
        const arch = makeArch(widths, act, lossName);
        const data = randomData(widths[0], widths[widths.length - 1], 9, lossName, 31 + ai);
        const net = initNet(arch, { seed: 5 + ai, scale: 1.5 }); // random biases: no pre-activation sits on a ReLU kink
        const ev = new Evaluator(arch, data);
        const what = `${widths.join("-")} ${act} ${lossName}`;
        const r = assertOracle(ev, net.theta, what, { reference: ev.hessianPerColumn(net.theta), tol: { symmetry: 0 } });
        assert.ok(r.columns !== null && r.reference !== null);
      }
    });
  }
}

test("structured Hessian with a tiny chunk (one sample per GEMM) equals the default assembly", async () => {
  const { StructuredHessian } = await import("./hessian-structured.js");
  const arch = makeArch([2, 4, 3, 2], "tanh", "cross-entropy");
  const data = randomData(2, 2, 11, "cross-entropy", 4);
  const net = initNet(arch, { seed: 2 });
  const ev = new Evaluator(arch, data);
  const H = ev.hessian(net.theta);
  const state = ev as unknown as { widths: number[]; layers: never; n: number; lossFn: never; data: { y: Float64Array }; A: never; G1: never; G2: never; D: never; Z: never };
  const sh = new StructuredHessian({ widths: state.widths, layers: state.layers, n: state.n, lossFn: state.lossFn, y: state.data.y, A: state.A, G1: state.G1, G2: state.G2, D: state.D, Z: state.Z }, 1);
  ev.at(net.theta);
  const H1 = sh.compute(net.theta, new Float64Array(ev.P * ev.P));
  let d = 0, s = 0;
  for (let i = 0; i < H.length; i++) { d = Math.max(d, Math.abs(H[i] - H1[i])); s = Math.max(s, Math.abs(H[i])); }
  assert.ok(s > 0.01 && d <= 1e-14 * s, `diff ${d}`);
});
