import assert from "node:assert/strict";
import { test } from "node:test";
import { grid1d } from "../data/synthetic.js";
import { initNet, makeArch } from "../nn/arch.js";
import { maxAbsDiff } from "../linalg/dense.js";
import { epochPermutation, trainMinibatch } from "./sgd.js";
import { train } from "./train.js";

const data = grid1d("cos2x", 20);
const net = initNet(makeArch([1, 4, 1], "tanh", "mse"), { seed: 3 });

test("epoch permutations visit every sample once, depend only on (seed, epoch)", () => {
  const p = epochPermutation(20, 5, 3);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(epochPermutation(20, 5, 3), p);
  assert.notDeepEqual(epochPermutation(20, 5, 4), p);
  assert.notDeepEqual(epochPermutation(20, 6, 3), p);
});

test("one batch of all samples is full-batch training (to summation order); smaller batches still descend", () => {
  for (const optimizer of ["gd", "adam"] as const) {
    const a = trainMinibatch(net, data, { optimizer, lr: 0.02, steps: 300, batchSize: 20 });
    const b = train(net, data, { optimizer, lr: 0.02, steps: 300 });
    assert.ok(maxAbsDiff(a.net.theta, b.net.theta) < 1e-11, optimizer);
  }
  const s = trainMinibatch(net, data, { optimizer: "adam", lr: 0.01, steps: 3000, batchSize: 6, shuffleSeed: 1 });
  const first = s.history[0].loss, last = s.history.at(-1)!.loss;
  assert.ok(last < 0.2 * first, `SGD lowered R from ${first} to ${last}`);
  assert.equal(s.history.at(-1)!.step, 3000);
  assert.notDeepEqual(trainMinibatch(net, data, { steps: 50, batchSize: 6, shuffleSeed: 2 }).net.theta, trainMinibatch(net, data, { steps: 50, batchSize: 6, shuffleSeed: 1 }).net.theta);
});

test("an interrupted minibatch run resumes bit for bit (remainder batches included)", () => {
  const opts = { optimizer: "adam" as const, lr: 0.01, batchSize: 7, shuffleSeed: 9 };
  const whole = trainMinibatch(net, data, { ...opts, steps: 41 });
  let calls = 0;
  const part = trainMinibatch(net, data, { ...opts, steps: 41, shouldStop: () => ++calls > 17 });
  assert.equal(part.interrupted, true);
  assert.equal(part.state.step, 17);
  const rest = trainMinibatch(part.net, data, { ...opts, steps: 41 - 17, resume: part.state });
  assert.deepEqual(Array.from(rest.net.theta), Array.from(whole.net.theta));
});

test("bad batch sizes are input errors", () => {
  assert.throws(() => trainMinibatch(net, data, { steps: 1, batchSize: 0 }), /batch size/);
  assert.throws(() => trainMinibatch(net, data, { steps: 1, batchSize: 21 }), /larger than the data set/);
  assert.throws(() => trainMinibatch(net, data, { steps: 1, batchSize: 2.5 }), /batch size/);
});
