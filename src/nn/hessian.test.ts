import { test } from "node:test";
import assert from "node:assert/strict";
import { randomData } from "../testing/index.js";
import { ACTIVATION_NAMES } from "./activations.js";
import { initNet, makeArch } from "./arch.js";
import { Evaluator } from "./evaluator.js";
import { hessianTwoLayer } from "./hessian-two-layer.js";


// two-layer shapes: scalar and vector outputs, wide and narrow hidden layers
const ARCHS = [[1, 3, 1], [2, 5, 3], [3, 4, 2], [1, 12, 4]];

for (const act of [...ACTIVATION_NAMES, "leaky-relu:0.2"] as const) {
  for (const lossName of ["mse", "cross-entropy"] as const) {
    test(`structured two-layer Hessian equals the per-column R-op Hessian to 1e-12 and is symmetric: ${act}, ${lossName}`, () => {
      for (const [ai, widths] of ARCHS.entries()) {
        if (lossName === "cross-entropy" && widths[2] === 1) continue;
        const arch = makeArch(widths, act, lossName);
        const data = randomData(widths[0], widths[widths.length - 1], 9, lossName, 31 + ai);
        const net = initNet(arch, { seed: 5 + ai, scheme: "normal", scale: 0.8 });
        const ev = new Evaluator(arch, data);
        const P = ev.P;
        const ref = ev.hessianPerColumn(net.theta);
        for (const h of [ev.hessian(net.theta), hessianTwoLayer(arch, data, net.theta, new Float64Array(P * P), 50)]) {
          let scale = 0, diff = 0;
          for (let i = 0; i < P * P; i++) { scale = Math.max(scale, Math.abs(ref[i])); diff = Math.max(diff, Math.abs(h[i] - ref[i])); }
          assert.ok(scale > 0);
          assert.ok(diff <= 1e-12 * scale, `${widths.join("-")}: max diff ${diff}, scale ${scale}`);
          for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) assert.equal(h[i * P + j], h[j * P + i]);
        }
      }
    });
  }
}
