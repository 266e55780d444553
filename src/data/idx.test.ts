import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { InputError } from "../util/errors.js";
import { idxPairToDataset, loadIdxPair, readIdx, writeIdxU8 } from "./idx.js";
import { FASHION_MNIST_DIR, loadDataset } from "./load.js";
import { classLabels } from "./mnist.js";

const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => (i * 23) % 256);
const images = writeIdxU8([3, 2, 2], pixels);
const labels = writeIdxU8([3], [2, 0, 9]);

test("readIdx reads raw and gzipped u8 IDX files; pairs become x ∈ [0,1] and one-hot y", () => {
  for (const bytes of [images, gzipSync(images)]) {
    const a = readIdx(bytes);
    assert.deepEqual(a.dims, [3, 2, 2]);
    assert.deepEqual(Array.from(a.data), pixels);
  }
  const dir = mkdtempSync(join(tmpdir(), "es-idx-"));
  writeFileSync(join(dir, "img.gz"), gzipSync(images));
  writeFileSync(join(dir, "lab"), labels);
  const d = loadIdxPair(join(dir, "img.gz"), join(dir, "lab"));
  assert.equal(d.n, 3); assert.equal(d.d, 4); assert.equal(d.k, 10);
  assert.equal(d.x[1], 23 / 255);
  assert.deepEqual(Array.from(classLabels(d)), [2, 0, 9]);
  assert.equal(d.y.reduce((s, v) => s + v, 0), 3);
});

test("big-endian i32/f64 IDX types decode", () => {
  const b = new Uint8Array(4 + 4 + 16);
  b[2] = 0x0e; b[3] = 1;
  const dv = new DataView(b.buffer);
  dv.setUint32(4, 2, false); dv.setFloat64(8, -1.5, false); dv.setFloat64(16, 1e10, false);
  assert.deepEqual(Array.from(readIdx(b).data), [-1.5, 1e10]);
});

test("bad IDX files give one-line InputErrors", () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["short", new Uint8Array(2), /too short/],
    ["magic", (() => { const b = images.slice(); b[0] = 1; return b; })(), /two zero bytes/],
    ["dtype", (() => { const b = images.slice(); b[2] = 0x07; return b; })(), /dtype byte 0x07/],
    ["ndims", (() => { const b = images.slice(); b[3] = 0; return b; })(), /0 dimensions/],
    ["truncated", images.subarray(0, images.length - 1), /need 12 data bytes, file has 11/],
    ["extra", new Uint8Array([...images, 0]), /file has 13/],
    ["huge dims", (() => { const b = images.slice(); new DataView(b.buffer).setUint32(4, 0xffffffff, false); return b; })(), /data bytes/],
    ["bad gzip", gzipSync(images).subarray(0, 20), /gzip/],
  ];
  for (const [what, bytes, re] of cases) {
    assert.throws(() => readIdx(bytes), (e: unknown) => e instanceof InputError && re.test(e.message) && !e.message.includes("\n"), what);
  }
  assert.throws(() => idxPairToDataset(readIdx(images), readIdx(writeIdxU8([2], [1, 1]))), /3 images but 2 labels/);
  assert.throws(() => idxPairToDataset(readIdx(images), readIdx(writeIdxU8([3], [1, 10, 1]))), /label 1 is 10/);
});

const fashionMissing = existsSync(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz")) ? false : `${FASHION_MNIST_DIR} not present (apt-get install dataset-fashion-mnist)`;
test("fashion-mnist:<dir>:2000 loads 2000 training images and the 10,000 t10k images held out", { skip: fashionMissing }, () => {
  const d = loadDataset(`fashion-mnist:${FASHION_MNIST_DIR}:2000`);
  assert.equal(d.n, 2000); assert.equal(d.d, 784); assert.equal(d.k, 10);
  assert.equal(d.heldOut?.n, 10000);
  let lo = Infinity, hi = -Infinity;
  for (const v of d.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.equal(lo, 0); assert.equal(hi, 1);
  const counts = new Array(10).fill(0);
  for (const c of classLabels(d.heldOut!)) counts[c]++;
  assert.deepEqual(counts, new Array(10).fill(1000), "t10k has 1000 per class");
});
