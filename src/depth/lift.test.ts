import assert from "node:assert/strict";
import { test } from "node:test";
import { makeDataset } from "../data/dataset.js";
import { createNet, makeArch } from "../nn/arch.js";
import { fixtureE } from "../nn/fixtures.js";
import { Evaluator } from "../nn/evaluator.js";
import { InputError } from "../util/errors.js";
import { checkLift } from "./checks.js";
import { liftNet, liftedSetConstraints, liftedSetDimension, sampleLiftedSet } from "./lift.js";

const eigsA = [0.0215382, 0.036655, 0.432344, 5.21364, 14.0208];

test("fixture E lifting (a) A = I, c = (1,1): outputs, criticality, inertia (0,2,5) → (0,8,5), positive eigenvalues", () => {
  const { net, data } = fixtureE();
  const lift = liftNet(net, data, { after: 1, width: 2, A: [1, 0, 0, 1], c: [1, 1] });
  assert.ok(lift.exact);
  assert.ok(Math.abs(lift.margin - 1.0) < 1e-12, `margin ${lift.margin}`);
  assert.ok(lift.holdsEverywhere, "A ≥ 0, c > 0 after ReLU features: affine for every input");
  const chk = checkLift(net, lift.net, data);
  assert.ok(chk.outputDiffTrain < 1e-14, `output diff ${chk.outputDiffTrain}`);
  assert.ok(chk.outputDiffBeyond < 1e-13, `output diff beyond ${chk.outputDiffBeyond}`);
  assert.ok(chk.gradNormDeep < 1e-13, `‖∇R‖ = ${chk.gradNormDeep}`);
  assert.deepEqual(chk.inertiaShallow, { neg: 0, zero: 2, pos: 5 });
  assert.deepEqual(chk.inertiaDeep, { neg: 0, zero: 8, pos: 5 });
  assert.equal(chk.zeroIncrease, chk.paramIncrease);
  // SPEC lists 6 significant digits: agree to half a unit in the 6th digit
  chk.positiveEigsDeep.forEach((v, i) => assert.ok(Math.abs(v - eigsA[i]) <= 0.5 * 10 ** (Math.floor(Math.log10(eigsA[i])) - 5) + 1e-12, `eig ${i}: ${v} vs ${eigsA[i]}`));
  const dim = liftedSetDimension(lift);
  assert.equal(dim.dimension, 6);
  assert.ok(dim.collapseSurjective);
  const cons = liftedSetConstraints(net, data, lift);
  assert.equal(cons.inequalities.length, 16);
  assert.ok(Math.abs(Math.min(...cons.inequalities.map((q) => q.slack)) - 1) < 1e-12);
});

test("fixture E lifting (b) A = [[2,1],[0.5,1.5]], c = (0.3,0.7): margin 1.3, critical, inertia (0,8,5)", () => {
  const { net, data } = fixtureE();
  const lift = liftNet(net, data, { after: 1, width: 2, A: [2, 1, 0.5, 1.5], c: [0.3, 0.7] });
  assert.ok(Math.abs(lift.margin - 1.3) < 1e-12, `margin ${lift.margin}`);
  const chk = checkLift(net, lift.net, data);
  assert.ok(chk.outputDiffTrain < 1e-14);
  assert.ok(chk.gradNormDeep < 1e-13, `‖∇R‖ = ${chk.gradNormDeep}`);
  assert.deepEqual(chk.inertiaDeep, { neg: 0, zero: 8, pos: 5 });
});

test("an input leaving the affine piece breaks output preservation and criticality (and is refused by default)", () => {
  const { net, data } = fixtureE();
  // neuron 1 sees f1 − f2 + 0.2, negative for inputs far from the kinks
  const opts = { after: 1, width: 2, A: [1, -1, 0, 1], c: [0.2, 0.5] };
  assert.throws(() => liftNet(net, data, opts), (e: unknown) => e instanceof InputError && /leave their affine piece/.test((e as Error).message));
  const bad = liftNet(net, data, { ...opts, allowViolations: true });
  assert.ok(!bad.exact && bad.violations > 0 && bad.margin < 0);
  const chk = checkLift(net, bad.net, data);
  assert.ok(chk.outputDiffTrain > 1e-3, `output diff ${chk.outputDiffTrain}`);
  assert.ok(chk.gradNormDeep > 1e-3, `‖∇R‖ = ${chk.gradNormDeep}`);
});

test("default construction at every depth, wider and narrower inserted layers, dead neurons, leaky ReLU and hardtanh", () => {
  const { net, data } = fixtureE();
  for (const q of [0, 1]) for (const w of [1, 2, 3]) {
    if (q === 1 && w === 1) continue; // W^[2] = (1 1) has rank 1, so width 1 works too; covered below
    const lift = liftNet(net, data, { after: q, width: w, margin: 0.5 });
    assert.ok(lift.exact && Math.abs(lift.margin - 0.5) < 1e-12, `q ${q} w ${w} margin ${lift.margin}`);
    const chk = checkLift(net, lift.net, data);
    assert.ok(chk.outputDiffTrain < 1e-13 && chk.gradNormDeep < 1e-12, `q ${q} w ${w}: ${chk.outputDiffTrain} ${chk.gradNormDeep}`);
    assert.equal(chk.inertiaDeep.neg, 0);
    assert.equal(chk.inertiaDeep.pos, 5);
  }
  const narrow = liftNet(net, data, { after: 1, width: 1 });
  assert.ok(narrow.exact, "rank-1 W^[2] factors through one neuron");
  // one dead neuron (κ = 0) beside two active ones
  const dead = liftNet(net, data, { after: 1, width: 3, pieces: [1, 1, 0] });
  assert.equal(dead.pieces[2].slope, 0);
  const chk = checkLift(net, dead.net, data);
  assert.ok(chk.outputDiffTrain < 1e-13 && chk.gradNormDeep < 1e-12);
  for (const act of ["leaky-relu:0.1", "hardtanh", "identity"] as const) {
    const n2 = createNet(makeArch([1, 2, 1], act, "mse"), net.theta);
    const ev = new Evaluator(n2.arch, data);
    const g0 = new Float64Array(ev.P); ev.lossAndGradient(n2.theta, g0);
    const lift = liftNet(n2, data, { after: 1, width: 2, margin: 0.2 });
    const c2 = checkLift(n2, lift.net, data);
    assert.ok(c2.outputDiffTrain < 1e-13, `${act}: output ${c2.outputDiffTrain}`);
    // gradients map linearly (SPEC §4.2 item 2): the deep gradient vanishes exactly when the shallow one does
    assert.ok(c2.gradNormDeep > 0 === c2.gradNormShallow > 0, act);
  }
});

test("narrower inserted layer than rank W^[q+1] has no exact lifting", () => {
  const net = createNet(makeArch([1, 2, 2], "relu", "mse"), [1, -1, 0.5, 0.5, 1, 0, 0, 1, 0, 0]);
  const data = makeDataset([-1, 0, 1], [[0, 0], [1, 1], [2, 2]]);
  assert.throws(() => liftNet(net, data, { after: 1, width: 1 }), /no exact lifting/);
});

test("random points of the lifted set are critical with the same outputs", () => {
  const { net, data } = fixtureE();
  const lift = liftNet(net, data, { after: 1, width: 3 });
  const pts = sampleLiftedSet(net, data, lift, { count: 5, seed: 3 });
  for (const p of pts) {
    const chk = checkLift(net, p.net, data, { probes: 10 });
    assert.ok(p.exact && chk.outputDiffTrain < 1e-12 && chk.gradNormDeep < 1e-11, `${chk.outputDiffTrain} ${chk.gradNormDeep}`);
  }
});
