import { test } from "node:test";
import assert from "node:assert/strict";
import { initNet, makeArch, createNet, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { predict as predictNet } from "../nn/functions.js";
import { inverseDesign } from "../optim/inverse-design.js";
import { teacherData } from "../nn/teacher.js";
import { eigenvalues } from "../linalg/inertia.js";
import { Rng } from "../util/rng.js";
import { InputError } from "../util/errors.js";
import {
  expansionSubspace, irreducibility, neuronsOf, netFromNeurons, sampleIndexMap, sampleSubspacePoint, subspaceDimension,
} from "./expansion.js";
import { indexMaps } from "./enumerate.js";
import { countG, countT } from "./counts.js";


function maxOutputDiff(a: Net, b: Net, x: Float64Array, n: number): number {
  const fa = predictNet(a.arch, a.theta, x, n), fb = predictNet(b.arch, b.theta, x, n);
  let m = 0;
  for (let i = 0; i < fa.length; i++) m = Math.max(m, Math.abs(fa[i] - fb[i]));
  return m;
}

function gradNorm(net: Net, data: ReturnType<typeof teacherData>): number {
  const g = new Float64Array(net.theta.length);
  new Evaluator(net.arch, data).lossAndGradient(net.theta, g);
  return Math.sqrt(g.reduce((s, v) => s + v * v, 0));
}

/** Numerical rank of a set of vectors: eigenvalues of their Gram matrix above 1e-10·max. */
function rank(vectors: Float64Array[]): number {
  const k = vectors.length;
  if (k === 0) return 0;
  const G = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) G[a * k + b] = vectors[a].reduce((s, v, p) => s + v * vectors[b][p], 0);
  const ev = eigenvalues(G, k);
  const mx = Math.max(...Array.from(ev, Math.abs));
  return Array.from(ev).filter((v) => v > 1e-10 * mx).length;
}

test("neuronsOf / netFromNeurons round-trip the θ layout", () => {
  const net = initNet(makeArch([3, 4, 2], "tanh"), { seed: 3 });
  assert.deepEqual(netFromNeurons(neuronsOf(net)).theta, net.theta);
  assert.throws(() => neuronsOf(initNet(makeArch([1, 2, 2, 1]), { seed: 1 })), InputError);
});

test("irreducibility: holds for a generic net, fails for each reducible configuration", () => {
  const net = initNet(makeArch([2, 3, 1], "tanh"), { seed: 1 });
  assert.deepEqual(irreducibility(net), { irreducible: true, reasons: [] });
  const n = neuronsOf(net);
  const dup = netFromNeurons({ ...n, incoming: [n.incoming[0], n.incoming[1], n.incoming[0]] });
  assert.match(irreducibility(dup).reasons.join(";"), /equal incoming/);
  const zeroOut = netFromNeurons({ ...n, outgoing: [n.outgoing[0], new Float64Array(1), n.outgoing[2]] });
  assert.match(irreducibility(zeroOut).reasons.join(";"), /zero outgoing/);
  const neg = n.incoming[0].map((v) => -v);
  const opposite = netFromNeurons({ ...n, incoming: [n.incoming[0], neg, n.incoming[2]] });
  assert.match(irreducibility(opposite).reasons.join(";"), /opposite/);
  // ReLU is not odd: opposite incoming weights are allowed
  assert.equal(irreducibility(netFromNeurons({ ...n, activation: "relu", incoming: [n.incoming[0], neg, n.incoming[2]] })).irreducible, true);
  const constant = netFromNeurons({ ...n, incoming: [n.incoming[0], new Float64Array(3), n.incoming[2]] });
  assert.match(irreducibility(constant).reasons.join(";"), /constant/);
});

test("Γ_φ: measured dimension = d'(m − k − r) + k(d + 1), constraints hold, count of maps = T and G", () => {
  for (const [d, dOut] of [[1, 1], [2, 1], [2, 2]]) {
    const r = 2, m = 4;
    const net = initNet(makeArch([d, r, dOut], "tanh"), { seed: 10 + d + dOut });
    const src = neuronsOf(net);
    const rng = new Rng(5);
    let maps = 0, surjections = 0;
    for (const phi of indexMaps(r, m, { zeros: true })) {
      maps++;
      const sub = expansionSubspace(net, phi);
      const k = phi.filter((v) => v === 0).length;
      if (k === 0) surjections++;
      assert.equal(sub.dimension, subspaceDimension(d, dOut, r, m, k));
      // rank of differences of independent sampled points (dimension + 3 of them) = dimension
      const diffs: Float64Array[] = [];
      for (let s = 0; s < sub.dimension + 3; s++) {
        const p = sampleSubspacePoint(sub, rng);
        diffs.push(p.theta.map((v, q) => v - sub.base.theta[q]));
        // constraints of SPEC §5.2, checked directly on the sampled point
        const nn = neuronsOf(p);
        for (let j = 1; j <= r; j++) {
          const sum = new Float64Array(dOut);
          phi.forEach((v, i) => { if (v === j) { assert.deepEqual(nn.incoming[i], src.incoming[j - 1]); nn.outgoing[i].forEach((a, o) => (sum[o] += a)); } });
          sum.forEach((a, o) => assert.ok(Math.abs(a - src.outgoing[j - 1][o]) <= 1e-12));
        }
        phi.forEach((v, i) => { if (v === 0) assert.ok(nn.outgoing[i].every((a) => a === 0)); });
        assert.deepEqual(nn.bias, src.bias);
      }
      assert.equal(rank(diffs), sub.dimension, `φ = ${phi}`);
    }
    assert.equal(BigInt(maps), countT(r, m));
    assert.equal(BigInt(surjections), countG(r, m));
  }
});

test("every sampled point of Θ_{r→m} realises f_{θ_r} (max |Δf| ≤ 1e-12 on random inputs), any activation", () => {
  for (const act of ["tanh", "relu", "softplus", "gelu", "sigmoid"] as const) {
    for (const [d, r, dOut, m] of [[1, 2, 1, 5], [3, 3, 2, 6]]) {
      const net = initNet(makeArch([d, r, dOut], act), { seed: 7 });
      const rng = new Rng(11);
      const x = rng.fillNormal(new Float64Array(200 * d), 2);
      for (let s = 0; s < 20; s++) {
        const phi = sampleIndexMap(r, m, { zeros: s % 2 === 0 }, rng);
        const p = sampleSubspacePoint(expansionSubspace(net, phi), rng);
        assert.equal(p.arch.widths[1], m);
        const dev = maxOutputDiff(net, p, x, 200);
        assert.ok(dev <= 1e-12, `${act} φ = ${phi}: |Δf| = ${dev}`);
      }
    }
  }
});

test("critical θ_r (inverse design): replication subspaces are critical, zero-neuron subspaces are not", () => {
  const r = 3, m = 5, d = 1;
  const net = initNet(makeArch([d, r, 1], "tanh"), { seed: 21, scale: 2 });
  const rng = new Rng(2);
  const n = 40;
  const x = rng.fillNormal(new Float64Array(n * d), 1.5);
  const data = inverseDesign(net, x, n, { seed: 4, residual: 0.3 });
  const ev = new Evaluator(net.arch, data);
  assert.ok(ev.loss(net.theta) > 0.01);
  assert.ok(gradNorm(net, data) < 1e-13, `narrow ‖∇R‖ = ${gradNorm(net, data)}`);
  let worstCritical = 0, smallestNonCritical = Infinity;
  for (let s = 0; s < 30; s++) {
    const zeros = s % 2 === 1;
    const phi = sampleIndexMap(r, m, { zeros }, rng);
    const p = sampleSubspacePoint(expansionSubspace(net, phi), rng);
    const g = gradNorm(p, data);
    const k = phi.filter((v) => v === 0).length;
    if (k === 0) worstCritical = Math.max(worstCritical, g);
    else smallestNonCritical = Math.min(smallestNonCritical, g);
    assert.ok(Math.abs(new Evaluator(p.arch, data).loss(p.theta) - ev.loss(net.theta)) < 1e-14);
  }
  assert.ok(worstCritical < 1e-12, `replication ‖∇R‖ = ${worstCritical}`);
  assert.ok(smallestNonCritical > 1e-6, `zero-neuron subspaces must not be critical at non-zero loss: ${smallestNonCritical}`);
});

test("d' = 2: splits along a*_j stay critical, arbitrary splits of a vector a*_j generally do not", () => {
  const net = initNet(makeArch([1, 2, 2], "tanh"), { seed: 5, scale: 2 });
  const rng = new Rng(8);
  const n = 40;
  const data = inverseDesign(net, rng.fillNormal(new Float64Array(n)), n, { seed: 1, residual: 0.3 });
  assert.ok(gradNorm(net, data) < 1e-13);
  const sub = expansionSubspace(net, [1, 2, 1]);
  const arbitrary = sampleSubspacePoint(sub, rng);
  assert.ok(gradNorm(arbitrary, data) > 1e-6);
  const src = neuronsOf(net);
  const parallel = netFromNeurons({ ...src, incoming: [src.incoming[0], src.incoming[1], src.incoming[0]], outgoing: [src.outgoing[0].map((v) => 0.3 * v), src.outgoing[1], src.outgoing[0].map((v) => 0.7 * v)] });
  assert.ok(gradNorm(parallel, data) < 1e-12);
});

test("zero-loss θ_{r*} (teacher data): every point of every Γ_φ is a global minimum", () => {
  const teacher = initNet(makeArch([2, 3, 1], "tanh"), { seed: 30, scale: 2 });
  const data = teacherData(teacher, 50, { seed: 3 });
  const rng = new Rng(9);
  for (let s = 0; s < 20; s++) {
    const p = sampleSubspacePoint(expansionSubspace(teacher, sampleIndexMap(3, 6, { zeros: true }, rng)), rng);
    assert.ok(new Evaluator(p.arch, data).loss(p.theta) < 1e-28);
    assert.ok(gradNorm(p, data) < 1e-13);
  }
});

test("sampleIndexMap is uniform over the T maps and the G surjections", () => {
  const rng = new Rng(1);
  for (const zeros of [true, false]) {
    const counts = new Map<string, number>();
    const draws = 20000;
    for (let s = 0; s < draws; s++) {
      const phi = sampleIndexMap(2, 4, { zeros }, rng);
      const key = phi.join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const total = zeros ? 50 : 14;
    assert.equal(counts.size, total);
    const expected = draws / total;
    for (const [key, c] of counts) assert.ok(Math.abs(c - expected) < 6 * Math.sqrt(expected), `${key}: ${c} vs ${expected}`);
  }
  assert.throws(() => sampleIndexMap(4, 3, { zeros: true }, rng), InputError);
  assert.throws(() => expansionSubspace(createNet(makeArch([1, 2, 1])), [1, 1, 0]), InputError);
});
