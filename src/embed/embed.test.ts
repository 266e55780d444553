import assert from "node:assert/strict";
import { test } from "node:test";
import { createNet, makeArch } from "../nn/arch.js";
import { fixtureA, fixtureB, fixtureD } from "../nn/fixtures.js";
import { gradient, lossValue, predict } from "../nn/functions.js";
import { makeDataset } from "../data/dataset.js";
import { assertClose } from "../testing/index.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import {
  affineFamilyBasis, affineFamilyCheck, applyEmbedding, composeEmbeddings, embedVector, gradientIdentityError, gradientMap,
  hessianIdentities, identityEmbedding, multiStepEmbedding, net2widerEmbedding, nullEmbedding, oneStepEmbedding,
  outputPreservation, recoverEmbedding, splitEmbedding, validateEmbedding, wideWidths, type Embedding,
} from "./index.js";

const norm = (a: ArrayLike<number>): number => Math.hypot(...Array.from(a));

test("fixture A, α = 1/3: θ', outputs and the published ∇R' (SPEC §8.1)", () => {
  const { net, data } = fixtureA();
  const e = oneStepEmbedding([1, 2, 1], 1, 1, 1 / 3);
  const wide = applyEmbedding(net, e);
  assert.deepEqual(wide.arch.widths, [1, 3, 1]);
  assertClose(wide.theta, [1, -0.5, 1, 0, 0.5, 0, 4 / 3, -1, 2 / 3, 0.1], 1e-15, 0, "θ'");
  assertClose(predict(wide.arch, wide.theta, data.x, 3), [-2.18478246786729, -0.36211715726001, 1.62318831191153], 1e-13, 0, "f'");
  assert.ok(Math.abs(lossValue(wide, data) - 1.5438963129880997) < 1e-14);
  const g = [0.710777787165805, -0.846913630141321, 0.355388893582903, -0.710209908071919, 0.121866072320678,
    -0.355104954035959, 0.96670943064329, -0.764458422710142, 0.96670943064329, -0.641237104405258];
  assertClose(gradient(wide, data), g, 1e-13, 0, "∇R'");
  assertClose(gradientMap(net.arch, e, gradient(net, data)), g, 1e-13, 0, "T̃∇R");
});

test("fixture A, α = 2: W^[2] = (−2, −1, 4) and the published ∇R'", () => {
  const { net, data } = fixtureA();
  const e = oneStepEmbedding([1, 2, 1], 1, 1, 2);
  const wide = applyEmbedding(net, e);
  assertClose(wide.theta.subarray(6, 9), [-2, -1, 4], 0, 0, "W^[2]");
  const g = [-1.06616668074871, -0.846913630141321, 2.13233336149742, 1.06531486210788, 0.121866072320678,
    -2.13062972421576, 0.96670943064329, -0.764458422710142, 0.96670943064329, -0.641237104405258];
  assertClose(gradient(wide, data), g, 1e-13, 0, "∇R'");
  const id = hessianIdentities(net, data, e);
  assert.ok(id.transposeTimesGradientMap < 1e-15, `TᵀT̃ = I: ${id.transposeTimesGradientMap}`);
  assert.ok(id.congruence < 1e-13, `TᵀH'T = H: ${id.congruence}`);
  assert.ok(id.intertwining < 1e-13, `H'T = T̃H: ${id.intertwining}`);
});

test("fixture D general compatible embedding: identities at a non-critical θ, output preserved on probes", () => {
  const { net, data } = fixtureD();
  const e: Embedding = { narrow: [1, 2, 2, 1], pi: [[1, 2, 1, 0], [2, 1, 2]], beta: [[0.3, 1, 0.7, 0], [-0.5, 1, 1.5]] };
  validateEmbedding(e);
  assert.deepEqual(wideWidths(e), [1, 4, 3, 1]);
  const theta = net.theta.map((t, k) => t + 0.1 * ((k % 3) - 1));
  const moved = createNet(net.arch, theta);
  assert.ok(norm(gradient(moved, data)) > 1e-2, "the moved θ is not critical");
  assert.ok(gradientIdentityError(moved, data, e) < 1e-14);
  const id = hessianIdentities(moved, data, e);
  assert.ok(id.transposeTimesGradientMap < 1e-15 && id.congruence < 1e-12 && id.intertwining < 1e-12, JSON.stringify(id));
  const out = outputPreservation(moved, applyEmbedding(moved, e), data);
  assert.ok(out.data < 1e-14 && out.probe < 1e-13, JSON.stringify(out));
  const wide = applyEmbedding(net, e);
  assert.ok(Math.abs(lossValue(wide, data) - 0.0328320322332) < 1e-12);
  assert.ok(norm(gradient(wide, data)) < 1e-14, "critical point stays critical");
});

test("multi-step composition equals applying the steps one after another (SPEC §2.6)", () => {
  const { net } = fixtureD();
  const steps = [
    { kind: "one-step" as const, layer: 1, neuron: 1, alpha: 0.3 },
    { kind: "one-step" as const, layer: 2, neuron: 2, alpha: -0.7 },
    { kind: "one-step" as const, layer: 1, neuron: 1, alpha: 1.9 },
    { kind: "null" as const, layer: 2 },
    { kind: "split" as const, layer: 1, neuron: 3, ratios: [0.2, 0.5, 0.3] },
  ];
  const composed = applyEmbedding(net, multiStepEmbedding([1, 2, 2, 1], steps));
  let cur = net;
  for (const s of steps) {
    const e = s.kind === "one-step" ? oneStepEmbedding(cur.arch.widths, s.layer, s.neuron, s.alpha)
      : s.kind === "null" ? nullEmbedding(cur.arch.widths, s.layer) : splitEmbedding(cur.arch.widths, s.layer, s.neuron, s.ratios);
    cur = applyEmbedding(cur, e);
  }
  assert.deepEqual(composed.arch.widths, cur.arch.widths);
  assertClose(composed.theta, cur.theta, 1e-15, 0, "composed θ");
});

test("SPEC §2.8 verified case: 1-2-2-1 → 1-4-3-1 with steps (1,1),(2,2),(1,1): 3-dim critical affine family", () => {
  const { net, data } = fixtureD();
  const e = multiStepEmbedding([1, 2, 2, 1], [
    { kind: "one-step", layer: 1, neuron: 1, alpha: 0 }, { kind: "one-step", layer: 2, neuron: 2, alpha: 0 }, { kind: "one-step", layer: 1, neuron: 1, alpha: 0 },
  ]);
  assert.deepEqual(wideWidths(e), [1, 4, 3, 1]);
  const r = affineFamilyCheck(net, data, e, { points: 4 });
  assert.equal(r.dimension, 3);
  assert.equal(r.rank, 3);
  assert.ok(r.maxGradNorm < 1e-13, `‖∇R‖ on the family ${r.maxGradNorm}`);
  assert.ok(r.maxLossDiff < 1e-14, `loss change ${r.maxLossDiff}`);
});

test("non-examples (SPEC §3.2): non-proportional split and zero-outgoing neuron with arbitrary incoming weights break criticality", () => {
  const { net, data } = fixtureB();
  assert.ok(norm(gradient(net, data)) < 1e-14);
  // 1-3-1 with neuron 3 copying neuron 1's incoming weights but outgoing (o1, o2) = (0.8a, 0.2a) would be fine;
  // with m_{l+1} = 1 every split is proportional, so break it in fixture D (m_{l+1} = 2) below. Here: zero outgoing,
  // arbitrary incoming weights.
  const t = net.theta; // (w1,w2,b1,b2,a1,a2,c)
  const bad = createNet(makeArch([1, 3, 1]), [t[0], t[1], 0.7, t[2], t[3], -0.4, t[4], t[5], 0, t[6]]);
  const gBad = norm(gradient(bad, data));
  assert.ok(gBad > 1e-3, `zero-outgoing neuron with arbitrary incoming weights: ‖∇R‖ = ${gBad}`);
  const D = fixtureD();
  const good = applyEmbedding(D.net, oneStepEmbedding([1, 2, 2, 1], 1, 1, 0.3));
  // columns of W^[2] (2×3, row-major at offset 3·1+3 = 6): split column 1 = v into o1 + o2 = v with o1 ∦ v
  const th = Float64Array.from(good.theta);
  const W2 = 6;
  th[W2 + 0] += 0.05; th[W2 + 2] -= 0.05; // row 1: o1 gets +ε, o2 gets −ε (sum unchanged)
  const nonProp = createNet(good.arch, th);
  assert.ok(outputPreservation(D.net, nonProp, D.data).data < 1e-14, "output is still preserved");
  const gNon = norm(gradient(nonProp, D.data)), gGood = norm(gradient(good, D.data));
  // fixture D's C_{1,1} is small (QᵀC ≈ 5e−6), so the broken gradient is ≈ 0.05·‖QᵀC‖-sized, still 1e8× the critical one
  assert.ok(gGood < 1e-14, `proportional split stays critical: ${gGood}`);
  assert.ok(gNon > 1e-7 && gNon > 1e6 * gGood, `non-proportional split: ‖∇R‖ = ${gNon} vs ${gGood}`);
});

test("bad requests are InputErrors naming the problem", () => {
  const w = [1, 2, 1];
  assert.throws(() => oneStepEmbedding(w, 2, 1, 0.5), (e: Error) => e instanceof InputError && /output layer/.test(e.message));
  assert.throws(() => oneStepEmbedding(w, 0, 1, 0.5), /out of range/);
  assert.throws(() => oneStepEmbedding(w, 1, 3, 0.5), /neuron 3 is out of range/);
  assert.throws(() => oneStepEmbedding(w, 1, 1, NaN), /finite/);
  assert.throws(() => splitEmbedding(w, 1, 1, [0.5, 0.6]), /sum to 1\.1/);
  assert.throws(() => splitEmbedding(w, 1, 1, [0.5, Infinity]), /finite/);
  assert.throws(() => validateEmbedding({ narrow: w, pi: [[1, 1]], beta: [[0.5, 0.5]] }), /neuron 2 has no copy/);
  const sig = createNet(makeArch(w, "sigmoid"), [1, 2, 3, 4, 5, 6, 7]);
  assert.throws(() => applyEmbedding(sig, nullEmbedding(w, 1)), /σ\(0\) = 0/);
  assert.throws(() => applyEmbedding(fixtureD().net, oneStepEmbedding(w, 1, 1, 0.5)), /embedding is for widths/);
});

test("a null neuron with σ(0) ≠ 0 (allowShiftedNull): output and criticality preserved, gradient identity exact", () => {
  const data = makeDataset([-1, -0.3, 0.4, 1.2], [0.2, -0.1, 0.5, 0.3]);
  const net = createNet(makeArch([1, 2, 1], "sigmoid"), [0.8, -1.1, 0.2, 0.3, 0.9, -0.6, 0.05]);
  const e = nullEmbedding([1, 2, 1], 1);
  const opts = { allowShiftedNull: true };
  assert.ok(gradientIdentityError(net, data, e, opts) < 1e-15);
  const id = hessianIdentities(net, data, e, opts);
  assert.ok(id.transposeTimesGradientMap < 1e-15 && id.congruence < 1e-13 && id.intertwining < 1e-13, JSON.stringify(id));
  assert.ok(outputPreservation(net, applyEmbedding(net, e, opts), data).probe < 1e-15);
});

test("Net2Wider: equal ratios, seeded, recovered from the two nets", () => {
  const { net, data } = fixtureD();
  const e = net2widerEmbedding([1, 2, 2, 1], [1, 5, 4, 1], 3);
  validateEmbedding(e);
  assert.deepEqual(e, net2widerEmbedding([1, 2, 2, 1], [1, 5, 4, 1], 3));
  for (let l = 0; l < 2; l++) for (let j = 0; j < e.pi[l].length; j++) {
    assert.equal(e.beta[l][j], 1 / e.pi[l].filter((s) => s === e.pi[l][j]).length);
  }
  const wide = applyEmbedding(net, e);
  assert.ok(norm(gradient(wide, data)) < 1e-14);
  const rec = recoverEmbedding(net, wide);
  assert.deepEqual(rec.pi, e.pi);
  assertClose(rec.beta.flat(), e.beta.flat(), 1e-12, 0, "β");
});

test("recover an embedding with null neurons and negative ratios; refuse a net that is not an embedding", () => {
  const { net } = fixtureD();
  const e: Embedding = { narrow: [1, 2, 2, 1], pi: [[1, 2, 1, 0], [2, 1, 2]], beta: [[0.3, 1, 0.7, 0], [-0.5, 1, 1.5]] };
  const wide = applyEmbedding(net, e);
  const rec = recoverEmbedding(net, wide);
  assert.deepEqual(rec.pi, e.pi);
  assertClose(rec.beta.flat(), e.beta.flat(), 1e-12, 0, "β");
  const th = Float64Array.from(wide.theta); th[0] += 0.1;
  assert.throws(() => recoverEmbedding(net, createNet(wide.arch, th)), InputError);
});

test("composition with identity and the affine basis at random θ", () => {
  const rng = new Rng(5);
  const arch = makeArch([2, 3, 2, 2], "tanh");
  const net = createNet(arch, rng.fillNormal(new Float64Array(3 * 3 + 2 * 4 + 2 * 3)));
  const e = splitEmbedding([2, 3, 2, 2], 1, 2, [0.2, 0.3, 0.5]);
  assert.deepEqual(composeEmbeddings(identityEmbedding([2, 3, 2, 2]), e), e);
  const basis = affineFamilyBasis(e, net.theta);
  assert.equal(basis.length, 2);
  // moving along a basis vector equals changing the ratios
  const e2 = splitEmbedding([2, 3, 2, 2], 1, 2, [0.2 - 0.4, 0.3 + 0.4, 0.5]);
  const moved = embedVector(e, net.theta).map((x, i) => x + 0.4 * basis[0][i]);
  assertClose(moved, embedVector(e2, net.theta), 1e-15, 0, "affine move");
});
