import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../util/errors.js";
import { writeNpy } from "./npy.js";
import { loadDataset } from "./load.js";
import { classLabels, loadMnist } from "./mnist.js";
import { parseIrisCsv } from "./iris.js";

test("mnist:1000 = first 1000 of the 10,000 packaged digits, rest held out; deterministic, classes interleaved", () => {
  const d = loadDataset("mnist:1000");
  assert.equal(d.n, 1000); assert.equal(d.d, 784); assert.equal(d.k, 10);
  assert.equal(d.heldOut?.n, 9000);
  assert.deepEqual(Array.from(classLabels(d).subarray(0, 10)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const counts = new Array(10).fill(0);
  for (const c of classLabels(d)) counts[c]++;
  assert.deepEqual(counts, new Array(10).fill(100));
  let lo = Infinity, hi = -Infinity;
  for (const v of d.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.ok(lo >= 0 && hi <= 1 && hi > 0.9, `pixel range ${lo}..${hi}`);
  const again = loadMnist(1000);
  assert.deepEqual(again.x.subarray(0, 2000), d.x.subarray(0, 2000));
  assert.equal(loadMnist().n, 10000);
  assert.throws(() => loadDataset("mnist:0"), InputError);
  assert.throws(() => loadDataset("mnist:10001"), InputError);
  assert.throws(() => loadDataset("mnist:abc"), InputError);
});

test("iris: 150 rows, 4 inputs, 3 one-hot classes of 50", () => {
  const d = loadDataset("iris");
  assert.equal(d.n, 150); assert.equal(d.d, 4); assert.equal(d.k, 3);
  assert.deepEqual(Array.from(d.x.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2]);
  const counts = [0, 0, 0];
  for (const c of classLabels(d)) counts[c]++;
  assert.deepEqual(counts, [50, 50, 50]);
  const named = parseIrisCsv("sepal_length,sepal_width,petal_length,petal_width,species\n1,2,3,4,Iris-setosa\n1,2,3,4,Iris-virginica\n");
  assert.deepEqual(Array.from(named.y), [1, 0, 0, 0, 1, 0]);
  assert.throws(() => parseIrisCsv("a,b\n1,2\n"), /expected header/);
  assert.throws(() => parseIrisCsv("sepal_length,sepal_width,petal_length,petal_width,species\n1,x,3,4,0\n"), /sepal_width is not a finite number/);
});

test("npy:<x>:<y> data spec pairs two .npy files", () => {
  const dir = mkdtempSync(join(tmpdir(), "es-npyd-"));
  writeFileSync(join(dir, "x.npy"), writeNpy([1, 2, 3, 4, 5, 6], [3, 2]));
  writeFileSync(join(dir, "y.npy"), writeNpy([7, 8, 9], [3]));
  const d = loadDataset(`npy:${join(dir, "x.npy")}:${join(dir, "y.npy")}`);
  assert.equal(d.n, 3); assert.equal(d.d, 2); assert.equal(d.k, 1);
  assert.deepEqual(Array.from(d.y), [7, 8, 9]);
  writeFileSync(join(dir, "y2.npy"), writeNpy([7, 8], [2]));
  assert.throws(() => loadDataset(`npy:${join(dir, "x.npy")}:${join(dir, "y2.npy")}`), /3 input rows but 2 target rows/);
  assert.throws(() => loadDataset("fashion-mnist:/nonexistent:10"), /no train-images/);
});
