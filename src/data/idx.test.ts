import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { InputError } from "../util/errors.js";
import { FASHION_MNIST_DIR, loadFashionMnist } from "./fashion-mnist.js";
import { idxPairToDataset, loadIdxPair, readIdx, writeIdx } from "./idx.js";
import { loadDataset } from "./load.js";

/** A tiny MNIST-layout pair: n images of r×c pixels with pixel (i, p) = (7i + 3p) mod 256, labels i mod k. */
function tinyPair(n: number, r = 3, c = 2, k = 4): { images: Uint8Array; labels: Uint8Array } {
  const px = Array.from({ length: n * r * c }, (_, j) => (7 * Math.floor(j / (r * c)) + 3 * (j % (r * c))) % 256);
  return { images: writeIdx("u8", [n, r, c], px), labels: writeIdx("u8", [n], Array.from({ length: n }, (_, i) => i % k)) };
}

const fashionReason = existsSync(join(FASHION_MNIST_DIR, "t10k-labels-idx1-ubyte.gz")) ? undefined : `FashionMNIST not installed in ${FASHION_MNIST_DIR} (Debian package dataset-fashion-mnist)`;

describe("IDX reader", () => {
  it("reads every element type, raw and gzipped, with limit", () => {
    for (const [type, values] of [["u8", [0, 1, 255, 7, 8, 9]], ["i8", [-128, 127, 0, -1, 5, 6]], ["i16", [-30000, 30000, 1, 2, 3, 4]], ["i32", [-2e9, 2e9, 0, 1, 2, 3]], ["f32", [0.5, -1.25, 3, 4, 5, 6]], ["f64", [Math.PI, -1e-300, 1, 2, 3, 4]]] as const) {
      const raw = writeIdx(type, [3, 2], values);
      for (const bytes of [raw, gzipSync(raw)]) {
        const a = readIdx(bytes, type);
        assert.equal(a.type, type);
        assert.deepEqual(a.shape, [3, 2]);
        assert.deepEqual(Array.from(a.data), [...values]);
        const b = readIdx(bytes, type, { limit: 2 });
        assert.equal(b.items, 2);
        assert.deepEqual(Array.from(b.data), values.slice(0, 4));
      }
    }
  });

  it("turns an image/label pair into x ∈ [0,1] and one-hot y", () => {
    const { images, labels } = tinyPair(5);
    const d = idxPairToDataset(gzipSync(images), labels, { limit: 3, classes: 4 });
    assert.equal(d.n, 3); assert.equal(d.d, 6); assert.equal(d.k, 4);
    assert.deepEqual(Array.from(d.x.subarray(6, 12)), [7, 10, 13, 16, 19, 22].map((v) => v / 255));
    assert.deepEqual(Array.from(d.y), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
    const dir = mkdtempSync(join(tmpdir(), "es-idx-"));
    try {
      writeFileSync(join(dir, "i.gz"), gzipSync(images));
      writeFileSync(join(dir, "l"), labels);
      assert.deepEqual(Array.from(loadIdxPair(join(dir, "i.gz"), join(dir, "l")).y.subarray(16, 20)), [1, 0, 0, 0]);
      // a whole MNIST-layout folder through the data spec
      for (const [split, n] of [["train", 6], ["t10k", 4]] as const) {
        const p = tinyPair(n, 28, 28, 10);
        writeFileSync(join(dir, `${split}-images-idx3-ubyte.gz`), gzipSync(p.images));
        writeFileSync(join(dir, `${split}-labels-idx1-ubyte`), p.labels);
      }
      const fm = loadDataset(`fashion-mnist:${dir}:5`);
      assert.equal(fm.n, 5); assert.equal(fm.d, 784); assert.equal(fm.k, 10);
      assert.equal(fm.heldOut?.n, 4);
      assert.throws(() => loadDataset(`fashion-mnist:${dir}:7`), /asked for 7 training images but .* has 6/);
      assert.throws(() => loadDataset(`fashion-mnist:${join(dir, "nope")}:5`), /no train-images-idx3-ubyte\.gz/);
    } finally { rmSync(dir, { recursive: true }); }
  });

  it("rejects broken files with one-line InputErrors naming the problem", () => {
    const { images, labels } = tinyPair(4);
    const cases: [string, () => unknown, RegExp][] = [
      ["short", () => readIdx(new Uint8Array(3), "f"), /too short for an IDX header/],
      ["magic", () => readIdx(images.map((c, i) => (i === 0 ? 1 : c)), "f"), /not an IDX file/],
      ["type", () => readIdx(images.map((c, i) => (i === 2 ? 0x0a : c)), "f"), /unknown IDX element type 0a/],
      ["dims", () => readIdx(images.map((c, i) => (i === 3 ? 0 : c)), "f"), /0 dimensions/],
      ["dims past end", () => readIdx(images.subarray(0, 9), "f"), /too short for 3 dimension sizes/],
      ["truncated", () => readIdx(images.subarray(0, images.length - 1), "f"), /needs 24 data bytes but the file has 23 \(truncated\?\)/],
      ["too long", () => readIdx(new Uint8Array([...images, 0]), "f"), /needs 24 data bytes but the file has 25$/],
      ["truncated gzip", () => readIdx(gzipSync(images).subarray(0, 20), "f"), /corrupt gzip data/],
      ["count mismatch", () => idxPairToDataset(images, tinyPair(3).labels), /4 images but labels has 3 labels/],
      ["label range", () => idxPairToDataset(images, labels, { classes: 3 }), /label 3 is out of range for 3 classes/],
      ["label dims", () => idxPairToDataset(images, images), /labels must be 1-D/],
      ["image type", () => idxPairToDataset(writeIdx("f32", [4, 2], new Array(8).fill(0)), labels), /unsigned bytes/],
      ["NaN", () => readIdx(writeIdx("f64", [1], [NaN]), "f"), /element 0 is not finite/],
      ["missing file", () => loadIdxPair("/nonexistent/x", "/nonexistent/y"), /cannot read "\/nonexistent\/x": ENOENT/],
    ];
    for (const [what, f, re] of cases) {
      assert.throws(f, (e: unknown) => {
        assert.ok(e instanceof InputError, `${what}: ${String(e)}`);
        assert.match(e.message, re, what);
        assert.ok(!e.message.includes("\n"), what);
        return true;
      }, what);
    }
  });

  it("reads the installed FashionMNIST: 60000/10000 images of 28×28, balanced labels", { skip: fashionReason }, () => {
    const d = loadDataset("fashion-mnist:2000");
    assert.equal(d.n, 2000); assert.equal(d.d, 784); assert.equal(d.k, 10);
    assert.equal(d.heldOut?.n, 10000);
    let lo = Infinity, hi = -Infinity;
    for (const v of d.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    assert.equal(lo, 0); assert.equal(hi, 1);
    const perClass = new Array(10).fill(0);
    for (let i = 0; i < d.heldOut!.n; i++) for (let c = 0; c < 10; c++) perClass[c] += d.heldOut!.y[i * 10 + c];
    assert.deepEqual(perClass, new Array(10).fill(1000)); // the FashionMNIST test set has 1000 images per class
    // independent numbers from NumPy on the same files (gzip + np.frombuffer): first labels 9 0 0 3 0 2 7 2 5 5,
    // class counts of the first 2000 [194 216 202 195 186 200 194 215 198 200], pixel sum of the first 2000 = 113529887
    const label = (i: number): number => Array.from(d.y.subarray(i * 10, i * 10 + 10)).indexOf(1);
    assert.deepEqual(Array.from({ length: 10 }, (_, i) => label(i)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    const train = new Array(10).fill(0);
    for (let i = 0; i < d.n; i++) train[label(i)]++;
    assert.deepEqual(train, [194, 216, 202, 195, 186, 200, 194, 215, 198, 200]);
    let s = 0;
    for (const v of d.x) s += Math.round(v * 255);
    assert.equal(s, 113529887);
    assert.equal(loadFashionMnist(FASHION_MNIST_DIR, 1, 1).heldOut?.n, 1);
  });
});
