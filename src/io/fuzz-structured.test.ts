import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { formatDataCsv, parseDataCsv } from "../data/csv.js";
import { makeDataset, type Dataset } from "../data/dataset.js";
import { idxPairToDataset, readIdx, writeIdxU8 } from "../data/idx.js";
import { parseIrisCsv } from "../data/iris.js";
import { formatDataJson, parseDataJson } from "../data/json.js";
import { initNet, makeArch, paramCount, type Net } from "../nn/arch.js";
import { allFinite, flipBits, fuzz, insertDelete, overwriteBytes, textEdit, truncate, type Mutator } from "../testing/fuzz.js";
import { InputError } from "../util/errors.js";
import { netFromJson, netToJson } from "./net-json.js";
import { loadThetaNpy, readNpy, saveThetaNpy, writeNpy } from "./npy.js";
import { netFromSafetensors, netToSafetensors } from "./safetensors.js";

/**
 * Structure-aware fuzzing (complements fuzz.test.ts's byte-level mutations): edits inside the JSON header of
 * safetensors and the dict header of .npy with the length prefix rewritten to match (so the edit reaches the
 * parser instead of failing the length check), hostile u64 header lengths, IDX type/rank/dimension edits, and
 * token-level edits of JSON/CSV text (numbers → 1e999, NaN, 2^53+1, …; structural characters deleted or inserted).
 * Every outcome must be an InputError with a one-line message, or a result that is finite and shape-consistent.
 * EMBEDSCAPE_FUZZ_SCALE=40 EMBEDSCAPE_FUZZ_SEED=<n> runs a deeper sweep.
 */
const SCALE = Number(process.env.EMBEDSCAPE_FUZZ_SCALE ?? 1), SEED = Number(process.env.EMBEDSCAPE_FUZZ_SEED ?? 0);

function checkNet(net: Net): void {
  assert.ok(net.arch.widths.length >= 2 && net.arch.widths.every((w) => Number.isInteger(w) && w >= 1), "widths");
  assert.equal(net.theta.length, paramCount(net.arch.widths), "θ length");
  allFinite(net.theta, "θ");
}

function checkDataset(d: Dataset): void {
  assert.ok(d.n >= 1 && d.d >= 1 && d.k >= 1, `shape ${d.n}×${d.d}→${d.k}`);
  assert.equal(d.x.length, d.n * d.d, "x size");
  assert.equal(d.y.length, d.n * d.k, "y size");
  allFinite(d.x, "x");
  allFinite(d.y, "y");
}

/** Edit a length-prefixed text header and rewrite the prefix (u64 LE at 0 for safetensors; u16 LE at 8 for npy v1). */
function headerEdit(kind: "safetensors" | "npy"): Mutator {
  return (b, rng) => {
    const pre = kind === "safetensors" ? 8 : 10;
    if (b.length < pre || (kind === "npy" && b[6] !== 1)) return b;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const n = kind === "safetensors" ? Number(dv.getBigUint64(0, true)) : dv.getUint16(8, true);
    if (pre + n > b.length) return b;
    const head = textEdit(b.subarray(pre, pre + n), rng);
    if (kind === "npy" && head.length > 0xffff) return b;
    const out = new Uint8Array(pre + head.length + b.length - pre - n);
    out.set(b.subarray(0, pre));
    const ov = new DataView(out.buffer);
    if (kind === "safetensors") ov.setBigUint64(0, BigInt(head.length), true); else ov.setUint16(8, head.length, true);
    out.set(head, pre);
    out.set(b.subarray(pre + n), pre + head.length);
    return out;
  };
}

const hostileLength: Mutator = (b, rng) => {
  const out = b.slice();
  if (out.length < 8) return out;
  new DataView(out.buffer).setBigUint64(0, [0n, 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(rng.int(b.length + 16))][rng.int(5)], true);
  return out;
};

const idxHeader: Mutator = (b, rng) => {
  const out = b.slice();
  if (out.length < 8) return out;
  const which = rng.int(3);
  if (which === 0) out[2] = [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, rng.int(256)][rng.int(7)];
  else if (which === 1) out[3] = rng.int(6);
  else {
    const dims = Math.min(out[3], Math.floor((out.length - 4) / 4));
    if (dims > 0) new DataView(out.buffer).setUint32(4 + 4 * rng.int(dims), [0, 1, 0xffffffff, 2 ** 31, rng.int(50)][rng.int(5)], false);
  }
  return out;
};

const binary = { truncate, flipBits, overwrite: overwriteBytes(96), insertDelete };
const text = { truncate, flipBits, text: textEdit, text2: textEdit, insertDelete };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("structured fuzz: file readers fail only with one-line InputErrors and never load garbage", () => {
  const nets = [initNet(makeArch([1, 3, 1], "tanh", "mse"), { seed: 1 }), initNet(makeArch([2, 4, 3, 2], "relu", "cross-entropy"), { seed: 2 })];

  it("safetensors nets: header edits with consistent length, hostile lengths, byte mutations", () => {
    const r = fuzz("safetensors", nets.map((n) => netToSafetensors(n)), (b) => {
      try {
        return netFromSafetensors(b, "fuzz.safetensors");
      } catch (e) {
        // a mutant that lost its metadata loads when the caller names activation and loss
        if (e instanceof InputError && /__metadata__/.test(e.message) && /give the activation/.test(e.message)) return netFromSafetensors(b, "fuzz.safetensors", { activation: "tanh", loss: "mse" });
        throw e;
      }
    }, checkNet, { ...binary, header: headerEdit("safetensors"), header2: headerEdit("safetensors"), length: hostileLength }, 600 * SCALE, 11 + SEED);
    assert.ok(r.rejected > 300 && r.accepted > 10, `reached both outcomes: ${JSON.stringify(r)}`);
  });

  it(".npy arrays and θ files: dict-header edits with consistent length, byte mutations", () => {
    const archs = nets.map((n) => n.arch);
    let i = 0;
    const r = fuzz("npy", [...nets.map(saveThetaNpy), writeNpy([1, 2, 3, 4, 5, 6], [2, 3])], (b) => {
      const a = readNpy(b, "fuzz.npy");
      assert.equal(a.data.length, a.shape.reduce((x, y) => x * y, 1), "npy size");
      allFinite(a.data, "npy data");
      if (a.shape.length !== 1) return undefined;
      return loadThetaNpy(b, archs[i++ % archs.length], "fuzz.npy");
    }, (net) => { if (net) checkNet(net); }, { ...binary, header: headerEdit("npy"), header2: headerEdit("npy") }, 500 * SCALE, 12 + SEED);
    assert.ok(r.rejected > 200 && r.accepted > 5, `reached both outcomes: ${JSON.stringify(r)}`);
  });

  it("JSON nets: token edits", () => {
    const r = fuzz("json net", nets.map((n) => enc(netToJson(n))), (b) => netFromJson(dec(b), "fuzz.json"), checkNet, text, 500 * SCALE, 13 + SEED);
    assert.ok(r.rejected > 200 && r.accepted > 10, `reached both outcomes: ${JSON.stringify(r)}`);
  });

  it("CSV, JSON and Iris data: token edits", () => {
    const data = makeDataset([[0.5, -1], [2, 3e-5], [1e10, 4]], [[1], [0], [-2.5]]);
    const csv = fuzz("csv", [enc(formatDataCsv(data)), enc("# comment\ny2,x1,y1\n1,2,3\n4,5,6\n")], (b) => parseDataCsv(dec(b), "fuzz.csv"), checkDataset, text, 400 * SCALE, 21 + SEED);
    const json = fuzz("json data", [enc(formatDataJson(data)), enc('{"x": [1, 2, 3], "y": [[1, 0], [0, 1], [1, 1]]}')], (b) => parseDataJson(dec(b), "fuzz.json"), checkDataset, text, 400 * SCALE, 22 + SEED);
    const iris = fuzz("iris", [enc("sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n")], (b) => parseIrisCsv(dec(b), "fuzz.csv"), checkDataset, text, 300 * SCALE, 25 + SEED);
    for (const [what, r] of [["csv", csv], ["json", json], ["iris", iris]] as const) assert.ok(r.rejected > 50 && r.accepted > 20, `${what} reached both outcomes: ${JSON.stringify(r)}`);
  });

  it("IDX files and image/label pairs, raw and gzipped: type/rank/dimension edits, byte mutations", () => {
    const images = writeIdxU8([4, 3, 3], Array.from({ length: 36 }, (_, i) => (i * 37) % 256));
    const labels = writeIdxU8([4], [0, 3, 1, 2]);
    const mut = { ...binary, overwrite: overwriteBytes(16), header: idxHeader, header2: idxHeader };
    const one = fuzz("idx", [images, gzipSync(images), labels], (b) => {
      const a = readIdx(b, "fuzz.idx");
      assert.equal(a.data.length, a.dims.reduce((x, y) => x * y, 1), "idx size");
      allFinite(a.data, "idx data");
      return a;
    }, () => undefined, mut, 500 * SCALE, 23 + SEED);
    assert.ok(one.rejected > 200 && one.accepted > 30, `reached both outcomes: ${JSON.stringify(one)}`);
    let flip = 0;
    const pair = fuzz("idx pair", [images, labels], (b) => {
      const other = readIdx(flip % 2 === 0 ? labels : images);
      const mine = readIdx(b, "fuzz.idx");
      return flip++ % 2 === 0 ? idxPairToDataset(mine, other, "pair", 4, 3) : idxPairToDataset(other, mine, "pair", 4);
    }, (d) => {
      checkDataset(d);
      for (const v of d.x) assert.ok(v >= 0 && v <= 1, "pixel in [0,1]");
    }, mut, 300 * SCALE, 24 + SEED);
    assert.ok(pair.rejected > 100, `reached rejections: ${JSON.stringify(pair)}`);
  });
});

describe("regressions found by the structured fuzzer", () => {
  const isOneLineInputError = (re: RegExp) => (e: unknown): boolean => e instanceof InputError && re.test(e.message) && !e.message.includes("\n");

  it("a JSON net whose widths imply billions of parameters is an InputError, not a RangeError from allocating them", () => {
    const text = JSON.stringify({ format: "embedscape-net", version: 1, arch: { widths: [100000, 100000, 1], activation: "tanh", loss: "mse" }, theta: [1, 2] });
    assert.throws(() => netFromJson(text, "big.json"), isOneLineInputError(/2 entries but architecture 100000-100000-1 needs 10000200001/));
  });

  it("JSON syntax errors quoting a line break in the file stay one line", () => {
    assert.throws(() => netFromJson('{"theta": [1,\n,2]}', "nl.json"), isOneLineInputError(/^nl\.json: not valid JSON/));
    assert.throws(() => parseDataJson('{"x": [[1,\n]]}', "nl.json"), isOneLineInputError(/^nl\.json: not valid JSON/));
  });

  it("IDX images must have pixels, and non-u8 images must already lie in [0, 1]", () => {
    const f64 = new Uint8Array(4 + 8 + 16);
    const dv = new DataView(f64.buffer);
    f64[2] = 0x0e; f64[3] = 2; dv.setUint32(4, 2, false); dv.setUint32(8, 1, false);
    dv.setFloat64(12, 0.25, false); dv.setFloat64(20, 2, false);
    const labels = readIdx(writeIdxU8([2], [0, 1]));
    assert.throws(() => idxPairToDataset(readIdx(f64), labels, "f64", 2), isOneLineInputError(/pixel 1 of f64 images is 2, outside \[0, 1\]/));
    assert.throws(() => idxPairToDataset(readIdx(writeIdxU8([2, 0, 3], [])), labels, "empty", 2), isOneLineInputError(/images have no pixels \(dims 2×0×3\)/));
    dv.setFloat64(20, 1, false);
    assert.deepEqual(Array.from(idxPairToDataset(readIdx(f64), labels, "f64", 2).x), [0.25, 1]);
  });
});
