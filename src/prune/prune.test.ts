import assert from "node:assert/strict";
import { test } from "node:test";
import { makeDataset } from "../data/dataset.js";
import { applyEmbedding, multiStepEmbedding, nullEmbedding, splitEmbedding, type EmbedStep } from "../embed/index.js";
import { initNet, layerViews, makeArch, type Net } from "../nn/arch.js";
import { predict } from "../nn/functions.js";
import { Evaluator } from "../nn/evaluator.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { condensation, groupNeurons, layerNeurons, mergeNeurons, pruneNet, similarityMatrix } from "./index.js";

function randomData(d: number, k: number, n: number, seed: number) {
  const r = new Rng(seed);
  const x = Array.from({ length: n * d }, () => r.normal()), y = Array.from({ length: n * k }, () => r.normal());
  const train = makeDataset(x, y, { n, d, k });
  const hx = Array.from({ length: 50 * d }, () => 2 * r.normal()), hy = new Array<number>(50 * k).fill(0);
  return { ...train, heldOut: makeDataset(hx, hy, { n: 50, d, k }) };
}

/** Max |θ entries| difference after matching each hidden layer's neurons (and the next layer's columns) by permutation. */
function matchUpToPermutation(a: Net, b: Net, tol: number): number {
  assert.deepEqual(b.arch.widths, a.arch.widths);
  const va = layerViews(a.arch.widths, a.theta), vb = layerViews(b.arch.widths, b.theta);
  let prevPerm = Array.from({ length: a.arch.widths[0] }, (_, i) => i); // b's column c corresponds to a's column prevPerm[c]
  let worst = 0;
  for (let q = 0; q < va.length; q++) {
    const A = va[q], B = vb[q];
    const last = q === va.length - 1;
    const perm: number[] = [];
    const used = new Set<number>();
    for (let r = 0; r < B.rows; r++) {
      let best = -1, bestErr = Infinity;
      for (let s = 0; s < A.rows; s++) {
        if (last && s !== r) continue;
        if (used.has(s)) continue;
        let e = Math.abs(A.b[s] - B.b[r]);
        for (let c = 0; c < B.cols; c++) e = Math.max(e, Math.abs(A.W[s * A.cols + prevPerm[c]] - B.W[r * B.cols + c]));
        if (e < bestErr) { bestErr = e; best = s; }
      }
      assert.ok(bestErr <= tol, `layer ${q + 1} neuron ${r}: no matching narrow neuron (best error ${bestErr})`);
      used.add(best); perm.push(best); worst = Math.max(worst, bestErr);
    }
    prevPerm = perm;
  }
  return worst;
}

function outputChange(a: Net, b: Net, x: Float64Array, n: number): number {
  const fa = predict(a.arch, a.theta, x, n), fb = predict(b.arch, b.theta, x, n);
  return fa.reduce((s, v, i) => Math.max(s, Math.abs(v - fb[i])), 0);
}

for (const act of ["tanh", "relu", "sigmoid", "leaky-relu"] as const) {
  test(`prune undoes a mix of splits and null neurons (${act}, 3-4-3-2 → wide): narrow net up to permutation, |Δf| ≤ 1e-12`, () => {
    const narrow = initNet(makeArch([3, 4, 3, 2], act), { seed: 7 });
    const steps: EmbedStep[] = [
      { kind: "split", layer: 1, neuron: 2, ratios: [0.3, 1.2, -0.5] },
      { kind: "null", layer: 1 },
      { kind: "split", layer: 2, neuron: 1, ratios: [0.5, 0.5] },
      { kind: "one-step", layer: 2, neuron: 3, alpha: 1.7 },
      { kind: "null", layer: 2 },
      { kind: "split", layer: 1, neuron: 4, ratios: [2, -1] },
    ];
    const allow = act === "sigmoid";
    const e = multiStepEmbedding(narrow.arch.widths, steps);
    const wide = applyEmbedding(narrow, e, { allowShiftedNull: allow });
    assert.ok(wide.arch.widths[1] > 4 && wide.arch.widths[2] > 3);
    const data = randomData(3, 2, 20, 1);
    const r = pruneNet(wide, data, { threshold: 1 });
    assert.deepEqual(r.widthsAfter, narrow.arch.widths);
    assert.ok(r.outputMaxDiff <= 1e-12, `train Δf ${r.outputMaxDiff}`);
    assert.ok((r.outputMaxDiffHeldOut ?? 1) <= 1e-12, `held-out Δf ${r.outputMaxDiffHeldOut}`);
    assert.ok(outputChange(narrow, r.net, data.heldOut.x, 50) <= 1e-12);
    assert.ok(matchUpToPermutation(narrow, r.net, 1e-12) <= 1e-12);
    assert.equal(r.agreement, 1);
    assert.ok(Math.abs(r.lossAfter - r.lossBefore) <= 1e-12);
  });
}

test("ReLU: a neuron scaled by c > 0 merges exactly by the E6 rule (o_j ← o_j + o_k‖r_k‖/‖r_j‖)", () => {
  const narrow = initNet(makeArch([2, 3, 1], "relu"), { seed: 3 });
  // wide: append a copy of neuron 1 with incoming row ×2.5 and its own outgoing weight
  const v = layerViews(narrow.arch.widths, narrow.theta);
  const wideArch = makeArch([2, 4, 1], "relu");
  const th: number[] = [...v[0].W, 2.5 * v[0].W[0], 2.5 * v[0].W[1], ...v[0].b, 2.5 * v[0].b[0], v[1].W[0], v[1].W[1], v[1].W[2], 0.8, v[1].b[0]];
  const wide = { arch: wideArch, theta: Float64Array.from(th) };
  const data = randomData(2, 1, 30, 2);
  const exact = pruneNet(wide, data, { threshold: 1 });
  assert.equal(exact.widthAfter, 3);
  assert.equal(exact.layers[0].directionMerged, 1);
  assert.ok(exact.outputMaxDiff <= 1e-12 && (exact.outputMaxDiffHeldOut ?? 1) <= 1e-12);
  // tanh is not homogeneous: the same construction does not merge at threshold 1 (rows differ)
  const tanhWide = { arch: makeArch([2, 4, 1], "tanh"), theta: wide.theta };
  assert.equal(pruneNet(tanhWide, data, { threshold: 1 }).widthAfter, 4);
});

test("odd σ (tanh): (r, o) and (−r, o') merge into (r, o − o'); ReLU does not", () => {
  const data = randomData(1, 1, 15, 4);
  const tanhNet = { arch: makeArch([1, 2, 1], "tanh"), theta: Float64Array.from([1, -1, 0.3, -0.3, 0.7, 0.2, 0.1]) };
  const r = pruneNet(tanhNet, data, { threshold: 1 });
  assert.equal(r.widthAfter, 1);
  assert.equal(r.layers[0].duplicatesMerged, 1);
  assert.ok(r.outputMaxDiff <= 1e-14);
  assert.ok(Math.abs(r.net.theta[2] - 0.5) < 1e-15); // o − o' = 0.7 − 0.2
  const reluNet = { arch: makeArch([1, 2, 1], "relu"), theta: tanhNet.theta };
  assert.equal(pruneNet(reluNet, data, { threshold: 1 }).widthAfter, 2);
  // sign grouping in the condensation analysis
  const c = condensation(tanhNet, { threshold: 0.9 })[0];
  assert.equal(c.groups.length, 1);
  assert.deepEqual(c.groups[0].signs, [1, -1]);
  assert.equal(condensation(reluNet, { threshold: 0.9 })[0].groups.length, 2);
  // tanh(−z) = −tanh(z) makes the merge exact everywhere, not only on the training inputs
  const probe = Float64Array.from({ length: 41 }, (_, i) => -10 + i / 2);
  const fWide = predict(tanhNet.arch, tanhNet.theta, probe, probe.length), fNarrow = predict(r.net.arch, r.net.theta, probe, probe.length);
  assert.ok(fWide.every((v, i) => Math.abs(v - fNarrow[i]) <= 1e-14), "merged net differs from the wide one off the data");
});

test("thresholds: near-parallel ReLU neurons merge at 0.9 but not at 0.999; the change is reported", () => {
  // neurons 1 and 2 at angle ≈ 0.2 rad (cos ≈ 0.98); neuron 3 orthogonal
  const th = [1, 0, Math.cos(0.2), Math.sin(0.2), 0, 1, /* b1 */ 0, 0, 0, /* W2 */ 1, 1, 1, /* b2 */ 0];
  const net = { arch: makeArch([2, 3, 1], "relu"), theta: Float64Array.from(th) };
  const data = randomData(2, 1, 40, 5);
  const sim = similarityMatrix(layerNeurons(net, 1));
  assert.ok(Math.abs(sim[1] - Math.cos(0.2)) < 1e-15 && Math.abs(sim[2]) < 1e-15);
  const loose = pruneNet(net, data, { threshold: 0.9 });
  assert.equal(loose.widthAfter, 2);
  assert.ok(loose.outputMaxDiff > 1e-3, "merging non-identical directions changes f");
  const tight = pruneNet(net, data, { threshold: 0.999 });
  assert.equal(tight.widthAfter, 3);
  assert.ok(tight.outputMaxDiff === 0);
  // least-squares refit to the wide outputs cannot increase the train misfit
  const refit = pruneNet(net, data, { threshold: 0.9, refit: "outputs" });
  assert.ok(refit.outputMaxDiff <= loose.outputMaxDiff + 1e-12);
  // it is the least-squares fit: the residual to the wide outputs is orthogonal to the features [F 1]
  // (up to the 1e-10 ridge), its squared misfit is below the plain merge's, and lossAfter is its loss
  const fW = predict(net.arch, net.theta, data.x, data.n);
  const fR = predict(refit.net.arch, refit.net.theta, data.x, data.n), fL = predict(loose.net.arch, loose.net.theta, data.x, data.n);
  const F = new Evaluator(refit.net.arch, data).features(refit.net.theta, 1), m = refit.net.arch.widths[1];
  for (let a = 0; a <= m; a++) {
    let s = 0;
    for (let i = 0; i < data.n; i++) s += (a < m ? F[i * m + a] : 1) * (fR[i] - fW[i]);
    assert.ok(Math.abs(s) <= 1e-8, `normal equation ${a}: [F 1]ᵀ(f − f_wide) = ${s}`);
  }
  const sq = (f: Float64Array) => f.reduce((acc, v, i) => acc + (v - fW[i]) ** 2, 0);
  assert.ok(sq(fR) < 0.9 * sq(fL), `refit misfit ${sq(fR)} vs merge ${sq(fL)}`);
  assert.ok(Math.abs(refit.lossAfter - new Evaluator(refit.net.arch, data).loss(refit.net.theta)) <= 1e-15);
  // grouping rule: every member within the threshold of its leader
  const g = groupNeurons(layerNeurons(net, 1), { threshold: 0.9 });
  assert.equal(g.length, 2);
  assert.ok(g.every((x) => x.minSimilarity >= 0.9));
});

test("low-amplitude neurons are dropped and counted", () => {
  const th = [1, -1, 0.5, 0, 0.4, 0, /* W2 */ 1, 1e-6, -1, /* b2 */ 0];
  const net = { arch: makeArch([1, 3, 1], "tanh"), theta: Float64Array.from(th) };
  const data = randomData(1, 1, 10, 6);
  const r = pruneNet(net, data, { threshold: 1, lowAmplitude: 1e-3 });
  assert.equal(r.layers[0].lowAmplitudeDropped, 1);
  assert.equal(r.widthAfter, 2);
  assert.ok(r.outputMaxDiff < 1e-5 && r.outputMaxDiff > 0);
  assert.deepEqual(condensation(net, { lowAmplitude: 1e-3 })[0].lowAmplitude, [1]);
});

test("constant neurons (zero incoming weights) fold into the next bias exactly", () => {
  const th = [1, 0, 0.2, 0.7, /* W2 */ 1, 2, /* b2 */ 0.1];
  const net = { arch: makeArch([1, 2, 1], "sigmoid"), theta: Float64Array.from(th) };
  const data = randomData(1, 1, 10, 7);
  const r = mergeNeurons(net);
  assert.equal(r.layers[0].constantFolded, 1);
  assert.ok(outputChange(net, r.net, data.x, 10) < 1e-15);
});

test("bad input: thresholds, fractions, shapes and layers give InputError", () => {
  const net = initNet(makeArch([1, 3, 1], "tanh"), { seed: 1 });
  assert.throws(() => mergeNeurons(net, { threshold: 1.5 }), InputError);
  assert.throws(() => mergeNeurons(net, { threshold: Number.NaN }), InputError);
  assert.throws(() => mergeNeurons(net, { lowAmplitude: -1 }), InputError);
  assert.throws(() => pruneNet(net, randomData(2, 1, 5, 1)), InputError);
  assert.throws(() => pruneNet(net, randomData(1, 1, 5, 1), { refit: "bogus" as "none" }), InputError);
  assert.throws(() => layerNeurons(net, 2), InputError);
  assert.throws(() => condensation(net, { lowAmplitude: Number.NaN }), InputError);
  const noHidden = initNet(makeArch([2, 1], "tanh"));
  assert.equal(mergeNeurons(noHidden).layers.length, 0);
  void nullEmbedding; void splitEmbedding;
});

test("sparse two-layer oracle: same loss and gradient as the Evaluator (MSE and cross-entropy, sparse inputs)", async () => {
  const { Evaluator } = await import("../nn/evaluator.js");
  const { SparseTwoLayerOracle } = await import("./sparse-oracle.js");
  const r = new Rng(9);
  const n = 12, d = 7, k = 3;
  const x = Array.from({ length: n * d }, () => (r.uniform() < 0.6 ? 0 : r.uniform()));
  const y = Array.from({ length: n * k }, (_, i) => (i % k === (Math.floor(i / k) % k) ? 1 : 0));
  const data = makeDataset(x, y, { n, d, k });
  for (const [act, lossName] of [["relu", "mse"], ["tanh", "cross-entropy"]] as const) {
    const net = initNet(makeArch([d, 5, k], act, lossName), { seed: 2 });
    const g1 = new Float64Array(net.theta.length), g2 = new Float64Array(net.theta.length);
    const R1 = new Evaluator(net.arch, data).lossAndGradient(net.theta, g1);
    const o = new SparseTwoLayerOracle(net.arch, data);
    const R2 = o.lossAndGradient(net.theta, g2);
    assert.ok(Math.abs(R1 - R2) < 1e-15);
    assert.ok(g1.every((v, i) => Math.abs(v - g2[i]) < 1e-15), `${act} gradient`);
    assert.ok(o.density < 0.6);
  }
  // any depth now (the full derivative suite of the sparse oracle is in testing/oracle-check.test.ts)
  const deep = initNet(makeArch([d, 3, 3, k]), { seed: 4 });
  assert.ok(Math.abs(new SparseTwoLayerOracle(deep.arch, data).loss(deep.theta) - new Evaluator(deep.arch, data).loss(deep.theta)) < 1e-15);
});

test("polish and retrain: a split of fixture B's minimum is merged back and polished to ‖∇R‖ ≤ 1e-10; retraining records a history", async () => {
  const { fixtureB } = await import("../nn/fixtures.js");
  const { net, data } = fixtureB();
  const wide = applyEmbedding(net, splitEmbedding(net.arch.widths, 1, 2, [0.3, 0.7]));
  const r = pruneNet(wide, data, { threshold: 1, polish: true });
  assert.equal(r.widthAfter, 2);
  assert.ok(r.polish && r.polish.gradNorm <= 1e-10, JSON.stringify(r.polish));
  assert.ok(Math.abs(r.lossAfter - 0.0080744941499397690954) < 1e-12);
  // at a critical point the output layer is already the least-squares fit of the targets: refit changes nothing
  const f = pruneNet(wide, data, { threshold: 1, refit: "targets" });
  assert.ok(Math.abs(f.lossAfter - f.lossBefore) < 1e-12 && f.outputMaxDiff < 1e-9, `${f.lossAfter} ${f.outputMaxDiff}`);
  // retraining starts where the merge ended and lowers the loss of a pruned net that is not at a critical point
  const off = { ...wide, theta: wide.theta.map((v, i) => (i === 0 ? v + 0.05 : v)) };
  const t = pruneNet(off, data, { threshold: 1, retrain: { steps: 50, lr: 1e-2 } });
  const h = t.retrainHistory!;
  assert.deepEqual(h.map((p) => p.step), Array.from({ length: 51 }, (_, i) => i));
  assert.ok(Math.abs(h[0].loss - t.lossAfterMerge) <= 1e-15, `${h[0].loss} vs ${t.lossAfterMerge}`);
  const Rmin = 0.0080744941499397690954; // fixture B's minimum: retraining must close most of the gap to it
  assert.ok(h[50].loss - Rmin < 0.1 * (h[0].loss - Rmin) && h[50].loss >= Rmin - 1e-15, `retraining: ${h[0].loss} → ${h[50].loss}`);
  assert.ok(Math.abs(t.lossAfter - new Evaluator(t.net.arch, data).loss(t.net.theta)) <= 1e-15);
  assert.throws(() => pruneNet(wide, data, { polish: true, maxPolishParams: 3 }), InputError);
});
