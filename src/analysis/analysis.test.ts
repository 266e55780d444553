import assert from "node:assert/strict";
import { test } from "node:test";
import { makeDataset } from "../data/dataset.js";
import { applyEmbedding } from "../embed/apply.js";
import { criticalSummary } from "../embed/checks.js";
import { nullEmbedding, oneStepEmbedding, splitEmbedding, type Embedding } from "../embed/embedding.js";
import { createNet, makeArch } from "../nn/arch.js";
import { fixtureB, fixtureC, fixtureD, fixtureE } from "../nn/fixtures.js";
import { hessian, hvp } from "../nn/functions.js";
import { assertClose } from "../testing/index.js";
import { embeddingReport, kCopyIncrement, neuronMatrices, projectedC, trulyBadAnalysis } from "./index.js";
import { embeddingStory } from "../experiments/demo.js";

const tri = (i: { neg: number; zero: number; pos: number }): number[] => [i.neg, i.zero, i.pos];

test("fixture B: (0,0,7) → (1,1,8) for α ∈ {0.5, 1/3, 1.5, −1}, predicted = measured; M_{1,1} = F_1", () => {
  const { net, data } = fixtureB();
  const nm = neuronMatrices(net, data, 1, 1);
  assertClose(nm.M, [0.0017136561055, -0.000613469573806, -0.000613469573806, -0.00234107848516], 1e-13, 0, "M_{1,1}");
  for (const alpha of [0.5, 1 / 3, 1.5, -1]) {
    const r = embeddingReport(net, data, oneStepEmbedding([1, 2, 1], 1, 1, alpha));
    assert.deepEqual(tri(r.inertia.narrow), [0, 0, 7]);
    assert.deepEqual(tri(r.inertia.wide), [1, 1, 8], `α = ${alpha}`);
    assert.deepEqual(r.inertia.predicted && tri(r.inertia.predicted), [1, 1, 8]);
    assert.equal(r.irreversible, true);
    assert.ok(r.outputMaxDiff.probe < 1e-14 && r.gradNorm.wide < 1e-14);
    if (alpha === 0.5) {
      const ev = r.wideEigenvalues;
      assertClose([ev[0], ev[2], ev[9]], [-0.001215931025, 0.0009022198354, 2.042771319], 1e-12, 1e-9, "wide eigenvalues");
    }
  }
  const both: Embedding = { narrow: [1, 2, 1], pi: [[1, 2, 1, 2]], beta: [[0.3, 1.4, 0.7, -0.4]] };
  const r = embeddingReport(net, data, both);
  assert.deepEqual(tri(r.inertia.wide), [2, 2, 9]);
  assert.deepEqual(r.inertia.predicted && tri(r.inertia.predicted), [2, 2, 9]);
  assert.equal(r.affineFamily.dimension, 2);
  assert.equal(r.affineFamily.rank, 2);
});

test("fixture C: every α case, the 3-copy splits, the null neuron ±0.03375966617, the directional identity", () => {
  const { net, data } = fixtureC();
  const cases: Array<[number, number[]]> = [[0.5, [2, 1, 4]], [0.25, [2, 1, 4]], [1.5, [0, 1, 6]], [-1, [0, 1, 6]], [0, [0, 3, 4]], [1, [0, 3, 4]]];
  for (const [alpha, want] of cases) {
    const r = embeddingReport(net, data, oneStepEmbedding([1, 1, 1], 1, 1, alpha));
    assert.deepEqual(tri(r.inertia.narrow), [0, 0, 4]);
    assert.deepEqual(tri(r.inertia.wide), want, `α = ${alpha}`);
    assert.deepEqual(r.inertia.predicted && tri(r.inertia.predicted), want, `predicted α = ${alpha}`);
  }
  const nm = neuronMatrices(net, data, 1, 1);
  assertClose(nm.M, [-0.001185960999, 5.024666618e-9, 5.024666618e-9, -0.001185972826], 5e-13, 0, "F (published to 10 digits)");
  const ks: Array<[number[], number[]]> = [[[0.5, 0.8, -0.3], [2, 2, 6]], [[1 / 3, 1 / 3, 1 / 3], [4, 2, 4]], [[1.5, 1.5, -2], [2, 2, 6]], [[0.6, 0.4, 0], [2, 4, 4]]];
  for (const [ratios, want] of ks) {
    const r = embeddingReport(net, data, splitEmbedding([1, 1, 1], 1, 1, ratios));
    assert.deepEqual(tri(r.inertia.wide), want, `β = ${ratios}`);
    assert.deepEqual(r.inertia.predicted && tri(r.inertia.predicted), want, `sequential prediction β = ${ratios}`);
    const closed = kCopyIncrement(nm.M, nm.p, ratios, r.inertia.zeroTolerance.narrow);
    assert.deepEqual([closed.neg, closed.zero, 4 + closed.pos], want, `closed form In(B_β ⊗ M) + (0,k−1,0), β = ${ratios}`);
  }
  const rn = embeddingReport(net, data, nullEmbedding([1, 1, 1], 1));
  assert.deepEqual(tri(rn.inertia.wide), [1, 1, 5]);
  assert.deepEqual(rn.inertia.predicted && tri(rn.inertia.predicted), [1, 1, 5]);
  const ev = rn.wideEigenvalues;
  assert.ok(Math.abs(ev[0] + 0.03375966617) < 1e-10 && ev.some((x) => Math.abs(x - 0.03375966617) < 1e-10), `null eigenvalues ${ev}`);
  // dᵀH d = α(1−α)uᵀFu at α = 0.25, u = e_1: original copy's w moves by αu, new copy's by −(1−α)u
  const wide = applyEmbedding(net, oneStepEmbedding([1, 1, 1], 1, 1, 0.25));
  const d = new Float64Array(7); d[0] = 0.25; d[1] = -0.75; // θ' = (w1, w2, b1, b2, a1, a2, c)
  const Hd = hvp(wide, data, d);
  const q = d.reduce((s, x, i) => s + x * Hd[i], 0);
  assert.ok(Math.abs(q - -0.000222367687326) < 1e-15, `dᵀHd = ${q}`);
});

test("fixture D: (3,0,10) → (5,1,11)/(4,1,12)/(4,2,11), K_α data, and the general compatible embedding", () => {
  const { net, data } = fixtureD();
  const s = criticalSummary(net, data);
  assert.deepEqual(tri(s.inertia), [3, 0, 10]);
  const smallest = Math.min(...Array.from(s.inertia.eigenvalues, Math.abs));
  assert.ok(smallest > 2e-7 && smallest < 3e-7 && smallest > 100 * s.inertia.tolerance, `smallest |eig| ${smallest} counted non-zero (τ ${s.inertia.tolerance})`);
  const nm = neuronMatrices(net, data, 1, 1);
  assertClose(nm.M, [-6.6238213e-6, 1.9635167e-6, 1.9635167e-6, 3.8442599e-6], 1e-13, 0, "M");
  const qc = projectedC(nm);
  // Q is determined up to sign
  const sign = Math.sign(qc[0]) === Math.sign(-4.8547939e-7) ? 1 : -1;
  assertClose(qc.map((x) => sign * x), [-4.8547939e-7, 4.6280574e-6], 1e-13, 0, "QᵀC");
  for (const [alpha, want] of [[0.5, [5, 1, 11]], [1.7, [4, 1, 12]], [0, [4, 2, 11]]] as Array<[number, number[]]>) {
    const r = embeddingReport(net, data, oneStepEmbedding([1, 2, 2, 1], 1, 1, alpha));
    assert.deepEqual(tri(r.inertia.wide), want, `α = ${alpha}`);
    assert.deepEqual(r.inertia.predicted && tri(r.inertia.predicted), want);
  }
  const e: Embedding = { narrow: [1, 2, 2, 1], pi: [[1, 2, 1, 0], [2, 1, 2]], beta: [[0.3, 1, 0.7, 0], [-0.5, 1, 1.5]] };
  const r = embeddingReport(net, data, e);
  assert.ok(Math.abs(r.loss.wide - r.loss.narrow) < 1e-15 && r.gradNorm.wide < 1e-14);
  assert.equal(r.irreversible, true);
  assert.deepEqual(r.inertia.predicted && tri(r.inertia.predicted), tri(r.inertia.wide), "§2.9 prediction of the general embedding");
  assert.equal(r.affineFamily.dimension, 2);
});

test("truly-bad analysis: fixture B minimum has a split witness verified as a strict saddle", () => {
  const { net, data } = fixtureB();
  const r = trulyBadAnalysis(net, data);
  assert.equal(r.N0, true);
  assert.equal(r.passesNecessaryConditions, false);
  assert.equal(r.neurons[0].N1, false);
  const w = r.strictSaddleWitness!;
  assert.ok(w && w.verified && w.measured.neg >= 1);
  assert.deepEqual(tri(w.measured), tri(w.predicted));
  assert.ok(w.eigenvalue < 0);
});

test("truly-bad analysis: fixture C witness, fixture D already a saddle, ReLU fixture E N1 not applicable", () => {
  const C = trulyBadAnalysis(fixtureC().net, fixtureC().data);
  const w = C.strictSaddleWitness!;
  assert.ok(w.verified);
  assert.deepEqual(tri(w.measured), tri(w.predicted));
  const D = trulyBadAnalysis(fixtureD().net, fixtureD().data);
  assert.equal(D.N0, false);
  assert.equal(D.strictSaddleWitness!.kind, "identity");
  const E = trulyBadAnalysis(fixtureE().net, fixtureE().data);
  assert.ok(E.neurons.every((n) => n.N1 === "not applicable" && n.M === null));
  assert.ok(E.layers.every((l) => l.N3 === "not applicable"));
});

test("truly-bad analysis: a global minimum with zero residual passes every necessary condition", () => {
  const net = createNet(makeArch([1, 2, 1], "tanh"), [1.1, -0.6, 0.2, 0.4, 0.9, -1.3, 0.1]);
  const xs = [-1.5, -0.7, 0, 0.6, 1.4];
  const ys = xs.map((x) => 0.9 * Math.tanh(1.1 * x + 0.2) - 1.3 * Math.tanh(-0.6 * x + 0.4) + 0.1);
  const r = trulyBadAnalysis(net, makeDataset(xs, ys));
  assert.equal(r.passesNecessaryConditions, true);
  assert.equal(r.strictSaddleWitness, null);
});

test("embedding story: narrow minimum → wide strict saddle with a unit witness direction", async () => {
  const { net, data } = fixtureB();
  const s = await embeddingStory(net, data);
  assert.deepEqual(tri(s.narrowInertia), [0, 0, 7]);
  assert.ok(s.wideInertia && s.wideInertia.neg >= 1);
  const dir = s.witness!.direction;
  assert.ok(Math.abs(Math.hypot(...dir) - 1) < 1e-12);
  const P = dir.length;
  const wide = applyEmbedding(net, { narrow: s.witness!.embedding!.narrow, pi: s.witness!.embedding!.pi, beta: s.witness!.embedding!.beta });
  const H = hessian(wide, data);
  let q = 0;
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) q += dir[i] * H[i * P + j] * dir[j];
  assert.ok(q < 0 && Math.abs(q - s.witness!.eigenvalue) < 1e-14);
  assert.match(s.summary, /strict saddle/);
});

test("ReLU fixture E (degenerate (0,2,5)): splits and a null neuron add only zeros, as predicted", () => {
  const { net, data } = fixtureE();
  const cases: Array<[Embedding, number[]]> = [
    [oneStepEmbedding([1, 2, 1], 1, 1, 0.5), [0, 5, 5]], [oneStepEmbedding([1, 2, 1], 1, 2, 2), [0, 5, 5]],
    [nullEmbedding([1, 2, 1], 1), [0, 5, 5]], [splitEmbedding([1, 2, 1], 1, 1, [0.2, 0.3, 0.5]), [0, 8, 5]],
  ];
  for (const [e, want] of cases) {
    const r = embeddingReport(net, data, e);
    assert.deepEqual(tri(r.inertia.narrow), [0, 2, 5]);
    assert.deepEqual(tri(r.inertia.wide), want);
    assert.deepEqual(r.inertia.predicted && tri(r.inertia.predicted), want);
    assert.ok(r.inertia.gapRatio.wide > 1e6 && r.gradNorm.wide < 1e-14);
  }
});

test("no prediction where §2.9 has no formula: null neuron with σ(0) ≠ 0", () => {
  const data = makeDataset([-1, -0.3, 0.4, 1.2], [0.2, -0.1, 0.5, 0.3]);
  const net = createNet(makeArch([1, 2, 1], "sigmoid"), [0.8, -1.1, 0.2, 0.3, 0.9, -0.6, 0.05]);
  const r = embeddingReport(net, data, nullEmbedding([1, 2, 1], 1), { allowShiftedNull: true });
  assert.equal(r.inertia.predicted, null);
  assert.match(r.inertia.predictionNote ?? "", /σ\(0\) ≠ 0/);
  assert.equal(r.predictionMatches, null);
  assert.ok(r.gradientIdentityError < 1e-15 && r.outputMaxDiff.probe < 1e-15);
});
