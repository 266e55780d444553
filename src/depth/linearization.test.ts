import assert from "node:assert/strict";
import { test } from "node:test";
import { makeDataset } from "../data/dataset.js";
import { activation } from "../nn/activations.js";
import { initNet, makeArch } from "../nn/arch.js";
import { fixtureE } from "../nn/fixtures.js";
import { Evaluator } from "../nn/evaluator.js";
import { liftNet } from "./lift.js";
import { layerLinearization, linearizationReport } from "./linearization.js";
import { pruneLayer } from "./merge-layer.js";

test("layer linearization: fractions and margins on hand-made pre-activations", () => {
  const relu = activation("relu");
  // 3 inputs × 3 neurons: always positive (margin 0.5), always negative (margin 1), crossing
  const pre = [0.5, -1, -0.2, 2, -3, 0.1, 1, -2, 0.4];
  const r = layerLinearization(pre, 3, 3, relu, 1);
  assert.deepEqual(r.neurons.map((x) => x.linear), [true, true, false]);
  assert.equal(r.linearFraction, 2 / 3);
  assert.equal(r.minLinearMargin, 0.5);
  assert.ok(Math.abs(r.neurons[2].margin - 0.1) < 1e-15);
  assert.equal(r.linearized, false);
  const ht = layerLinearization([0.5, 2, -0.5, 3], 2, 2, activation("hardtanh"));
  assert.deepEqual(ht.neurons.map((x) => x.piece), [1, 2]);
  assert.equal(layerLinearization([0.1, 0.2], 2, 1, activation("tanh")).linearFraction, 0);
});

test("a lifted layer is linearized and pruning it restores the shallow net exactly; pruning a kinked layer changes outputs", () => {
  const { net, data } = fixtureE();
  const lift = liftNet(net, data, { after: 1, width: 3 });
  const rep = linearizationReport(lift.net, data);
  assert.equal(rep.length, 2);
  assert.ok(rep[1].linearized && Math.abs((rep[1].minLinearMargin ?? 0) - 1) < 1e-12);
  assert.ok(!rep[0].linearized, "fixture E's first layer has its kinks inside the data");
  const pr = pruneLayer(lift.net, data, 2);
  assert.ok(pr.exactOnTrain && pr.outputDiffTrain < 1e-13 && pr.outputDiffHeldOut < 1e-13);
  assert.deepEqual(pr.net.arch.widths, [1, 2, 1]);
  const ev = new Evaluator(net.arch, data);
  assert.ok(Math.abs(pr.lossAfter - ev.loss(net.theta)) < 1e-15);
  assert.throws(() => pruneLayer(lift.net, data, 1), /not linear on the data/);
  const forced = pruneLayer(lift.net, data, 1, { force: true });
  assert.ok(!forced.exactOnTrain && forced.outputDiffTrain > 1e-2, `forced prune diff ${forced.outputDiffTrain}`);
});

test("pruning reports held-out change when data has a held-out split", () => {
  const net = initNet(makeArch([1, 4, 4, 1], "relu", "mse"), { seed: 2 });
  const x = [-1, -0.5, 0, 0.5, 1, 1.5, -1.5, 2];
  const data = { ...makeDataset(x.slice(0, 5), x.slice(0, 5).map((v) => v * v)), heldOut: makeDataset(x.slice(5), x.slice(5).map((v) => v * v)) };
  const r = pruneLayer(net, data, 2, { force: true });
  assert.equal(r.heldOutKind, "held-out data");
  assert.ok(r.heldOutLossAfter !== null && Number.isFinite(r.outputDiffHeldOut));
});
