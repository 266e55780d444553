import { test } from "node:test";
import assert from "node:assert/strict";
import { makeDataset } from "../data/dataset.js";
import { Rng } from "../util/rng.js";
import { ACTIVATION_NAMES } from "./activations.js";
import { initNet, makeArch } from "./arch.js";
import { Evaluator } from "./evaluator.js";

function randomData(d: number, k: number, n: number, lossName: string, seed: number) {
  const rng = new Rng(seed);
  const x = rng.fillNormal(new Float64Array(n * d));
  const y = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    if (lossName === "mse") for (let j = 0; j < k; j++) y[i * k + j] = rng.normal();
    else y[i * k + rng.int(k)] = 1;
  }
  return makeDataset(x, y, { n, d, k });
}

// depth L = 2, 3, 4; sizes make several direction chunks per layer impossible to miss
const ARCHS = [[2, 5, 3], [3, 4, 6, 2], [2, 3, 4, 3, 3]];

for (const act of [...ACTIVATION_NAMES, "leaky-relu:0.2"]) {
  for (const lossName of ["mse", "cross-entropy"]) {
    test(`batched Hessian equals the per-column R-op Hessian to 1e-12 and is symmetric: ${act}, ${lossName}, depth 2-4`, () => {
      for (const [ai, widths] of ARCHS.entries()) {
        const arch = makeArch(widths, act, lossName);
        const data = randomData(widths[0], widths[widths.length - 1], 9, lossName, 31 + ai);
        const net = initNet(arch, { seed: 5 + ai, scheme: "normal", scale: 0.8 });
        const ev = new Evaluator(arch, data);
        const P = ev.P;
        const ref = ev.hessian(net.theta);
        const seen = new Set<number>();
        const h = ev.hessianBatched(net.theta, undefined, (j) => seen.add(j));
        assert.equal(seen.size, P, "every direction reported once");
        let scale = 0, diff = 0;
        for (let i = 0; i < P * P; i++) { scale = Math.max(scale, Math.abs(ref[i])); diff = Math.max(diff, Math.abs(h[i] - ref[i])); }
        assert.ok(scale > 0);
        assert.ok(diff <= 1e-12 * scale, `${widths.join("-")}: max diff ${diff}, scale ${scale}`);
        for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) assert.equal(h[i * P + j], h[j * P + i]);
      }
    });
  }
}
