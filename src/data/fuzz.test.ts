import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { allFinite, flipBits, fuzz, insertDelete, overwriteBytes, textEdit, truncate, type Mutator } from "../testing/fuzz.js";
import { formatDataCsv, parseDataCsv } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { idxPairToDataset, readIdx, writeIdx } from "./idx.js";
import { formatDataJson, parseDataJson } from "./json.js";
import { makeDataset } from "./dataset.js";

/** A data set read from a mutated file must be consistent: n ≥ 1, sizes n·d and n·k, finite values. */
function checkDataset(d: Dataset): void {
  assert.ok(d.n >= 1 && d.d >= 1 && d.k >= 1, `shape ${d.n}×${d.d}→${d.k}`);
  assert.equal(d.x.length, d.n * d.d, "x size");
  assert.equal(d.y.length, d.n * d.k, "y size");
  allFinite(d.x, "x");
  allFinite(d.y, "y");
}

/** Overwrite one IDX dimension size (or the type / rank byte) with a random or hostile value. */
const idxHeader: Mutator = (b, rng) => {
  const out = b.slice();
  if (out.length < 8) return out;
  const which = rng.int(3);
  if (which === 0) out[2] = [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, rng.int(256)][rng.int(7)];
  else if (which === 1) out[3] = rng.int(5);
  else {
    const dims = Math.min(out[3], Math.floor((out.length - 4) / 4));
    if (dims > 0) new DataView(out.buffer).setUint32(4 + 4 * rng.int(dims), [0, 1, 0xffffffff, 2 ** 31, rng.int(50)][rng.int(5)], false);
  }
  return out;
};

const SCALE = Number(process.env.EMBEDSCAPE_FUZZ_SCALE ?? 1), SEED = Number(process.env.EMBEDSCAPE_FUZZ_SEED ?? 0);

describe("fuzz: data readers never throw anything but InputError, and never load garbage", () => {
  const data = makeDataset([[0.5, -1], [2, 3e-5], [1e10, 4]], [[1], [0], [-2.5]]);

  it("CSV (text edits, truncation, byte flips)", () => {
    const valid = [new TextEncoder().encode(formatDataCsv(data)), new TextEncoder().encode("# comment\ny2,x1,y1\n1,2,3\n4,5,6\n")];
    const r = fuzz("csv", valid, (b) => parseDataCsv(new TextDecoder().decode(b), "fuzz.csv"), checkDataset,
      { truncate, flipBits, text: textEdit, text2: textEdit, insertDelete }, 500 * SCALE, 21 + SEED);
    assert.ok(r.rejected > 100 && r.accepted > 50, `reached both outcomes: ${JSON.stringify(r)}`);
  });

  it("JSON data (text edits, truncation, byte flips)", () => {
    const valid = [new TextEncoder().encode(formatDataJson(data)), new TextEncoder().encode('{"x": [1, 2, 3], "y": [[1, 0], [0, 1], [1, 1]]}')];
    const r = fuzz("json data", valid, (b) => parseDataJson(new TextDecoder().decode(b), "fuzz.json"), checkDataset,
      { truncate, flipBits, text: textEdit, text2: textEdit, insertDelete }, 500 * SCALE, 22 + SEED);
    assert.ok(r.rejected > 100 && r.accepted > 30, `reached both outcomes: ${JSON.stringify(r)}`);
  });

  it("IDX files and image/label pairs, raw and gzipped (header edits, truncation, byte flips)", () => {
    const images = writeIdx("u8", [4, 3, 3], Array.from({ length: 36 }, (_, i) => (i * 37) % 256));
    const labels = writeIdx("u8", [4], [0, 3, 1, 2]);
    const mut = { truncate, flipBits, overwrite: overwriteBytes(16), insertDelete, header: idxHeader, header2: idxHeader };
    const rImg = fuzz("idx images", [images, gzipSync(images), writeIdx("f64", [2, 2], [1, -2, 3.5, 4]), writeIdx("i16", [3], [-5, 0, 7])], (b) => {
      const a = readIdx(b, "fuzz.idx");
      assert.equal(a.data.length, a.items * (a.shape[0] === 0 ? 0 : a.shape.reduce((x, y) => x * y, 1) / a.shape[0]), "idx size");
      allFinite(a.data, "idx data");
      return a;
    }, () => undefined, mut, 500 * SCALE, 23 + SEED);
    assert.ok(rImg.rejected > 200 && rImg.accepted > 30, `reached both outcomes: ${JSON.stringify(rImg)}`);
    let flip = 0;
    const rPair = fuzz("idx pair", [images, labels], (b) => (flip++ % 2 === 0
      ? idxPairToDataset(b, labels, { limit: 3 })
      : idxPairToDataset(images, b, { classes: 4 })), (d) => {
      checkDataset(d);
      for (const v of d.x) assert.ok(v >= 0 && v <= 1, "pixel in [0,1]");
    }, mut, 300 * SCALE, 24 + SEED);
    assert.ok(rPair.rejected > 100, `reached rejections: ${JSON.stringify(rPair)}`);
  });
});
