import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../util/rng.js";
import { assertClose, fdGradient, randomData } from "../testing/index.js";
import { InputError } from "../util/errors.js";
import { ACTIVATION_NAMES } from "./activations.js";
import { initNet, makeArch } from "./arch.js";
import { Evaluator } from "./evaluator.js";
import { tanhFast } from "./fast-tanh.js";
import { TinyEvaluator, trainingOracle } from "./tiny.js";
import { minimize, train } from "../optim/train.js";
import { getBackend, nativeBackend, setBackend } from "../linalg/backend.js";

/** ‖a − b‖∞ ≤ rel·‖b‖∞ (relative to the vector's scale: single entries may cancel). */
function assertRel(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(a.length, b.length);
  let scale = 0, diff = 0;
  for (let i = 0; i < b.length; i++) { scale = Math.max(scale, Math.abs(b[i])); diff = Math.max(diff, Math.abs(a[i] - b[i])); }
  assert.ok(scale > 0, `${what}: reference is all zero`);
  assert.ok(diff <= rel * scale, `${what}: max |diff| ${diff} > ${rel} × ${scale}`);
}

test("tanhFast: within 4 ulp of Math.tanh, exact at 0 and saturating to ±1, NaN stays NaN", () => {
  const rng = new Rng(5);
  let worst = 0;
  for (let i = 0; i < 200000; i++) {
    const x = (rng.uniform() * 2 - 1) * 10 ** (rng.uniform() * 7 - 6); // |x| from 1e-6 to 10
    const t = Math.tanh(x);
    worst = Math.max(worst, Math.abs(tanhFast(x) - t) / Math.abs(t));
  }
  assert.ok(worst <= 4 * 2 ** -53 * 2, `worst relative error ${worst}`);
  assert.ok(worst > 0, "a different algorithm than Math.tanh (else this test proves nothing)");
  assert.equal(tanhFast(0), 0);
  assert.equal(tanhFast(1e-300), 1e-300);
  assert.equal(tanhFast(30), 1);
  assert.equal(tanhFast(-Infinity), -1);
  assert.ok(Number.isNaN(tanhFast(NaN)));
  for (const x of [0.1, 0.7, 3.3]) assert.equal(tanhFast(-x), -tanhFast(x)); // odd
});

const ARCHS = [[1, 3, 1], [2, 4, 3], [3, 5, 2], [1, 6, 1]];

for (const act of [...ACTIVATION_NAMES, "leaky-relu:0.2"] as const) {
  for (const lossName of ["mse", "cross-entropy"] as const) {
    test(`TinyEvaluator = Evaluator to 1e-12 and = finite differences: ${act}, ${lossName}`, () => {
      for (const [ai, widths] of ARCHS.entries()) {
        if (lossName === "cross-entropy" && widths[2] === 1) continue;
        const arch = makeArch(widths, act, lossName);
        const data = randomData(widths[0], widths[2], 9, lossName, 21 + ai);
        const theta = initNet(arch, { seed: 4 + ai, scale: 1.5 }).theta;
        const ev = new Evaluator(arch, data), tiny = new TinyEvaluator(arch, data);
        const P = ev.P, tag = `${act}/${lossName}/${widths.join("-")}`;
        assert.equal(tiny.P, P);
        const g = new Float64Array(P), gt = new Float64Array(P);
        const R = ev.lossAndGradient(theta, g), Rt = tiny.lossAndGradient(theta, gt);
        assert.ok(Math.abs(R - Rt) <= 1e-12 * Math.abs(R), `${tag} loss ${Rt} vs ${R}`);
        assert.equal(tiny.loss(theta), Rt, `${tag}: loss() and lossAndGradient() agree bit for bit`);
        assertRel(gt, g, 1e-12, `${tag} gradient`);
        assertClose(gt, fdGradient((t) => tiny.loss(t), theta, 1e-6), 1e-7, 1e-6, `${tag} gradient vs FD`);
        const v = new Rng(70 + ai).fillNormal(new Float64Array(P));
        const hv = new Float64Array(P), hvt = new Float64Array(P);
        ev.hvp(theta, v, hv);
        tiny.hvp(theta, v, hvt);
        assertRel(hvt, hv, 1e-12, `${tag} HVP`);
        const h = 1e-5, gp = new Float64Array(P), gm = new Float64Array(P);
        tiny.lossAndGradient(Float64Array.from(theta, (t, i) => t + h * v[i]), gp);
        tiny.lossAndGradient(Float64Array.from(theta, (t, i) => t - h * v[i]), gm);
        assertClose(hvt, gp.map((x, i) => (x - gm[i]) / (2 * h)), 1e-6, 1e-5, `${tag} HVP vs FD`);
        assertRel(tiny.outputs(theta), ev.outputs(theta), 1e-12, `${tag} outputs`);
        const sg = tiny.sampleLossGradients(theta), F = ev.outputs(theta), ref = new Float64Array(sg.length), kk = widths[2];
        for (let i = 0; i < data.n; i++) { if (lossName === "mse") for (let o = 0; o < kk; o++) ref[i * kk + o] = F[i * kk + o] - data.y[i * kk + o]; }
        if (lossName === "mse") assertRel(sg, ref, 1e-12, `${tag} per-sample ∇ℓ`);
        else for (let i = 0; i < data.n; i++) { let s = 0; for (let o = 0; o < kk; o++) s += sg[i * kk + o]; assert.ok(Math.abs(s) < 1e-12, "softmax-CE ∇ℓ sums to 0 per one-hot sample"); }
        assert.equal(tiny.n, data.n); assert.equal(tiny.outputDim, kk);
        const H = ev.hessian(theta), Ht = tiny.hessian(theta);
        assertRel(Ht, H, 1e-12, `${tag} Hessian`);
        for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) assert.equal(Ht[i * P + j], Ht[j * P + i], `${tag} Hessian symmetric`);
      }
    });
  }
}

test("TinyEvaluator: a Hessian with a wrong entry is caught (the comparison above can fail)", () => {
  const arch = makeArch([1, 3, 1], "tanh", "mse");
  const data = randomData(1, 1, 9, "mse", 3);
  const theta = initNet(arch, { seed: 1 }).theta;
  const H = new TinyEvaluator(arch, data).hessian(theta);
  H[5] *= 1 + 1e-9;
  assert.throws(() => assertRel(H, new Evaluator(arch, data).hessian(theta), 1e-12, "perturbed"));
});

test("TinyEvaluator rejects nets that are not two-layer and wrong-sized θ; trainingOracle picks it only for small two-layer nets", () => {
  const deep = makeArch([1, 3, 3, 1], "tanh", "mse");
  assert.throws(() => new TinyEvaluator(deep, randomData(1, 1, 5, "mse", 1)), InputError);
  const arch = makeArch([1, 3, 1], "tanh", "mse");
  const tiny = new TinyEvaluator(arch, randomData(1, 1, 5, "mse", 1));
  assert.throws(() => tiny.loss(new Float64Array(9)), InputError);
  assert.ok(trainingOracle(arch, randomData(1, 1, 5, "mse", 1)) instanceof TinyEvaluator);
  assert.ok(trainingOracle(deep, randomData(1, 1, 5, "mse", 1)) instanceof Evaluator);
  assert.ok(trainingOracle(makeArch([64, 32, 10], "tanh", "mse"), randomData(64, 10, 5, "mse", 1)) instanceof Evaluator);
});

test("train (fused kernels) follows the Evaluator's GD and Adam trajectories to rounding", () => {
  const arch = makeArch([1, 5, 1], "tanh", "mse");
  const data = randomData(1, 1, 20, "mse", 8);
  const net = initNet(arch, { seed: 2 });
  for (const optimizer of ["gd", "adam"] as const) {
    const opts = { optimizer, lr: optimizer === "gd" ? 0.05 : 1e-2, steps: 300 };
    const r = train(net, data, opts);
    const theta = Float64Array.from(net.theta);
    minimize(new Evaluator(arch, data), theta, opts);
    assertRel(r.net.theta, theta, 1e-9, `${optimizer} θ after 300 steps`);
    assert.ok(r.history[r.history.length - 1].loss < r.history[0].loss, `${optimizer} decreased the loss`);
  }
});

test("TinyEvaluator is deterministic run to run", () => {
  const arch = makeArch([2, 4, 3], "gelu", "cross-entropy");
  const data = randomData(2, 3, 11, "cross-entropy", 4);
  const theta = initNet(arch, { seed: 9 }).theta;
  const a = new TinyEvaluator(arch, data), b = new TinyEvaluator(arch, data);
  const ga = new Float64Array(a.P), gb = new Float64Array(b.P);
  assert.equal(a.lossAndGradient(theta, ga), b.lossAndGradient(theta, gb));
  assert.deepEqual(ga, gb);
  assert.deepEqual(a.hessian(theta), b.hessian(theta));
});

test("TinyEvaluator: the native AVX2 1-m-1 tanh step equals the pure-TypeScript kernel to 1e-12", { skip: nativeBackend()?.tinyTanhMse ? false : "native addon without tinyTanhMse" }, () => {
  const prev = getBackend();
  try {
    for (const [m, n] of [[1, 3], [3, 100], [50, 101], [7, 4]]) { // tails (n mod 4 ≠ 0) included
      const arch = makeArch([1, m, 1], "tanh", "mse");
      const data = randomData(1, 1, n, "mse", m + n);
      const theta = initNet(arch, { seed: m, scale: 2 }).theta;
      const run = (native: boolean): { R: number; g: Float64Array } => {
        setBackend(native ? nativeBackend() : null);
        const ev = new TinyEvaluator(arch, data), g = new Float64Array(ev.P);
        return { R: ev.lossAndGradient(theta, g), g };
      };
      const a = run(true), b = run(false);
      assert.ok(Math.abs(a.R - b.R) <= 1e-12 * b.R, `1-${m}-1 n=${n}: loss ${a.R} vs ${b.R}`);
      assertRel(a.g, b.g, 1e-12, `1-${m}-1 n=${n} gradient`);
      assert.throws(() => nativeBackend()!.tinyTanhMse!(data.x, data.y, n + 1, m, theta, new Float64Array(theta.length), new Float64Array(n * m), new Float64Array(n), new Float64Array(n)));
    }
  } finally { setBackend(prev); }
  // its AVX2 tanh, read back from the a = tanh(1·x + 0) workspace: ≤ 4 ulp, IEEE edges
  const n = 20000, rng = new Rng(12), x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (rng.uniform() * 2 - 1) * 10 ** (rng.uniform() * 7 - 6);
  x.set([0, NaN, Infinity, -Infinity, 30, 1e-300, -22.5, 5e-324]);
  const A = new Float64Array(n);
  nativeBackend()!.tinyTanhMse!(x, new Float64Array(n), n, 1, Float64Array.of(1, 0, 1, 0), new Float64Array(4), A, new Float64Array(n), new Float64Array(n));
  assert.deepEqual(Array.from(A.subarray(0, 8)), [0, NaN, 1, -1, 1, 1e-300, -1, 5e-324]);
  let worst = 0;
  for (let i = 8; i < n; i++) worst = Math.max(worst, Math.abs(A[i] - Math.tanh(x[i])) / Math.abs(Math.tanh(x[i])));
  assert.ok(worst <= 4 * 2 ** -52, `AVX2 tanh worst relative error ${worst}`);
});
