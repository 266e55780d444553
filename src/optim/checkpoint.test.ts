/**
 * Exact continuation through a checkpoint file, as `embedscape train --resume` does it: run N steps straight, or
 * N/2, write the checkpoint JSON, read it back and run the rest — θ must agree bit for bit, for minibatch gd/adam
 * (batches crossing epoch boundaries, remainder batches included) and for both gradient-flow integrators.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { grid1d } from "../data/synthetic.js";
import { initNet, makeArch } from "../nn/arch.js";
import { checkpointToJson, compareSettings, datasetHash, readCheckpoint, runKind, type FlowSettings, type RunBase, type TrainSettings } from "./checkpoint.js";
import { gradientFlow, gradientFlowAsync, type FlowMethod } from "./flow.js";
import { batchPosition, trainMinibatchAsync } from "./sgd.js";

const data = grid1d("cos2x", 20);
const net = initNet(makeArch([1, 4, 1], "tanh", "mse"), { seed: 3 });
const base: RunBase = {
  widths: [1, 4, 1], activation: "tanh", loss: "mse",
  data: { spec: "grid:cos2x:20", sha256: datasetHash(data), n: 20, d: 1, k: 1 }, start: { kind: "init", scheme: "pytorch", seed: 3, scale: 1 },
};

test("minibatch gd/adam: N steps straight = N/2, checkpoint file, resume N/2 (bit for bit); the file holds the batch position", async () => {
  for (const optimizer of ["gd", "adam"] as const) {
    const opts = { optimizer, lr: 0.02, batchSize: 7, shuffleSeed: 5 }; // 20 samples: batches 7, 7, 6 per epoch
    const N = 38;
    const whole = await trainMinibatchAsync(net, data, { ...opts, steps: N });
    let calls = 0;
    const half = await trainMinibatchAsync(net, data, { ...opts, steps: N, shouldStop: () => ++calls > N / 2 });
    assert.equal(half.interrupted, true);
    assert.equal(half.state.step, N / 2);
    const settings: TrainSettings = { optimizer, lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8, batchSize: 7, shuffleSeed: 5, ...base };
    const text = checkpointToJson(half.net, half.state, settings);
    const meta = JSON.parse(text).meta;
    assert.deepEqual({ epoch: meta.train.epoch, batch: meta.train.batch }, { epoch: 6, batch: 1 }, "step 19 = epoch 6 (3 steps each), batch 1");
    assert.deepEqual(batchPosition(19, 20, 7), { epoch: 6, batch: 1 });
    const ck = readCheckpoint(text, "ck.json");
    assert.equal(ck.state.optimizer, optimizer);
    const rest = await trainMinibatchAsync(ck.net, data, { ...opts, steps: N - N / 2, resume: ck.state as never });
    assert.deepEqual(Array.from(rest.net.theta), Array.from(whole.net.theta), optimizer);
    assert.notDeepEqual(Array.from(half.net.theta), Array.from(whole.net.theta));
    // time slices do not change the arithmetic: a clock that ends a slice after every step
    let clock = 0;
    const sliced = await trainMinibatchAsync(net, data, { ...opts, steps: N, sliceMs: 1, now: () => clock++ });
    assert.deepEqual(Array.from(sliced.net.theta), Array.from(whole.net.theta));
    // the full-batch history: the last point is R_S at the final θ
    assert.equal(whole.history.at(-1)!.step, N);
  }
});

test("gradient flow (ros2, dopri5): N accepted steps straight = N/2, checkpoint file, resume (bit for bit, t, h and counts too)", async () => {
  for (const method of ["ros2", "dopri5"] as FlowMethod[]) {
    const opts = { method, rtol: 1e-7, atol: 1e-10, tEnd: Infinity, maxSteps: Infinity };
    const N = 40;
    const whole = await gradientFlowAsync(net, data, { ...opts, maxAccepted: N });
    assert.equal(whole.reason, "max-accepted");
    assert.equal(whole.state.accepted, N);
    assert.deepEqual(Array.from(gradientFlow(net, data, { ...opts, maxAccepted: N }).net.theta), Array.from(whole.net.theta), "sync = async");
    let accepted = 0;
    const half = await gradientFlowAsync(net, data, { ...opts, maxAccepted: N, onStep: () => { accepted++; }, shouldStop: () => accepted >= N / 2 });
    assert.equal(half.reason, "interrupted");
    assert.equal(half.state.accepted, N / 2);
    const settings: FlowSettings = { optimizer: "flow", method, rtol: 1e-7, atol: 1e-10, tEnd: null, ...base };
    const ck = readCheckpoint(checkpointToJson(half.net, { optimizer: "flow", ...half.state }, settings), "ck.json");
    assert.equal(ck.state.optimizer, "flow");
    if (ck.state.optimizer !== "flow") return;
    assert.deepEqual(ck.state, { optimizer: "flow", ...half.state });
    const rest = await gradientFlowAsync(ck.net, data, { ...opts, maxAccepted: N, resume: ck.state });
    assert.deepEqual(Array.from(rest.net.theta), Array.from(whole.net.theta), method);
    assert.deepEqual(rest.state, whole.state, method);
    assert.ok(whole.state.t > 0 && whole.history.at(-1)!.loss < whole.history[0].loss);
  }
});

test("flow history is thinned to about maxHistory points, first and last kept; the trajectory does not depend on it", () => {
  const opts = { method: "dopri5" as const, tEnd: Infinity, maxAccepted: 300 };
  const all = gradientFlow(net, data, opts);
  const thin = gradientFlow(net, data, { ...opts, maxHistory: 20 });
  assert.equal(all.history.length, 301);
  assert.ok(thin.history.length <= 21 && thin.history.length >= 10, `${thin.history.length} points`);
  assert.deepEqual(thin.history[0], all.history[0]);
  assert.deepEqual(thin.history.at(-1), all.history.at(-1));
  assert.deepEqual(Array.from(thin.net.theta), Array.from(all.net.theta));
});

test("checkpoints: inconsistent batch positions and mixed flow states are refused; version-2 files still read; settings diffs by kind", () => {
  const r = { net, state: { optimizer: "gd" as const, step: 7 } };
  const sgd: TrainSettings = { optimizer: "gd", lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, batchSize: 6, shuffleSeed: 2, ...base };
  const text = checkpointToJson(r.net, r.state, sgd);
  const tamper = (f: (meta: Record<string, Record<string, unknown>>) => void): string => { const j = JSON.parse(text); f(j.meta); return JSON.stringify(j); };
  assert.throws(() => readCheckpoint(tamper((m) => { m.train.batch = 0; }), "x.json"), /x\.json: the batch position \(epoch 1, batch 0\) does not match step 7 with 20 samples in batches of 6 \(epoch 1, batch 3\)/);
  assert.throws(() => readCheckpoint(tamper((m) => { delete m.settings.shuffleSeed; }), "x.json"), /needs settings\.shuffleSeed/);
  assert.throws(() => readCheckpoint(tamper((m) => { m.settings.batchSize = 21; m.train.epoch = 7; m.train.batch = 0; }), "x.json"), /batch size 21 is larger than the data set/);
  assert.throws(() => readCheckpoint(tamper((m) => { m.settings.batchSize = 0; }), "x.json"), /meta\.settings\.batchSize: must be at least 1/);
  const full: TrainSettings = { optimizer: "gd", lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, ...base };
  const v2 = JSON.parse(checkpointToJson(net, r.state, full));
  v2.meta.checkpoint = 2;
  assert.equal(readCheckpoint(JSON.stringify(v2), "v2.json").state.optimizer, "gd");
  v2.meta.train.epoch = 1;
  assert.throws(() => readCheckpoint(JSON.stringify(v2), "v2.json"), /a full-batch checkpoint must not carry/);
  const flow: FlowSettings = { optimizer: "flow", method: "ros2", rtol: 1e-6, atol: 1e-9, tEnd: null, ...base };
  const ft = JSON.parse(checkpointToJson(net, { optimizer: "flow", method: "ros2", t: 1.5, h: 0.25, accepted: 9, rejected: 1 }, flow));
  ft.meta.train.method = "dopri5";
  assert.throws(() => readCheckpoint(JSON.stringify(ft), "f.json"), /state is for the dopri5 flow but the settings say ros2/);
  ft.meta.train.method = "ros2"; ft.meta.train.h = 0;
  assert.throws(() => readCheckpoint(JSON.stringify(ft), "f.json"), /meta\.train\.h: must be positive/);
  ft.meta.train.h = 0.25; ft.meta.checkpoint = 2;
  assert.throws(() => readCheckpoint(JSON.stringify(ft), "f.json"), /meta\.checkpoint/);
  // what a resuming command changes
  assert.deepEqual(compareSettings(sgd, { batchSize: null }), ["--batch-size 6 → full"]);
  assert.deepEqual(compareSettings(full, { batchSize: 4, shuffleSeed: 3 }), ["--batch-size full → 4"]);
  assert.deepEqual(compareSettings(sgd, { batchSize: 6, shuffleSeed: 3 }), ["--shuffle-seed 2 → 3"]);
  assert.deepEqual(compareSettings(flow, { rtol: 1e-7, method: "dopri5" }), ["--method ros2 → dopri5", "--rtol 0.000001 → 1e-7"]);
  assert.deepEqual(compareSettings(flow, { optimizer: "adam", lr: 0.1, batchSize: 3 }), ["--optimizer flow → adam"], "another kind: only the optimizer");
  assert.deepEqual(compareSettings(flow, { optimizer: "flow", rtol: 1e-6 }), []);
  assert.deepEqual([runKind(sgd), runKind(full), runKind(flow)], ["minibatch gd (batch 6)", "full-batch gd", "gradient flow (ros2)"]);
});
