import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { initNet, makeArch, paramCount, type Net } from "../nn/index.js";
import { formatDataCsv, formatDataJson, parseDataCsv, parseDataJson, readIdx, writeIdxU8, type Dataset } from "../data/index.js";
import { parseIrisCsv } from "../data/iris.js";
import { Rng } from "../util/rng.js";
import { InputError } from "../util/errors.js";
import { netFromSafetensors, netToSafetensors } from "./safetensors.js";
import { readNpy, writeNpy } from "./npy.js";
import { netFromJson, netToJson } from "./net-json.js";

/**
 * Seeded fuzzing of every file reader: truncations, random byte flips (anywhere and inside the header),
 * insertions and deletions of valid files. Each case must either throw an InputError or return a value whose
 * numbers are finite and whose shapes agree; any other exception fails the test.
 */
const CASES = 300;

function mutate(rng: Rng, src: Uint8Array, headerEnd: number): Uint8Array {
  const b = src.slice();
  switch (rng.int(5)) {
    case 0: return src.subarray(0, rng.int(src.length)); // truncate
    case 1: { for (let i = 0, m = 1 + rng.int(4); i < m; i++) b[rng.int(b.length)] = rng.int(256); return b; } // flip anywhere
    case 2: { for (let i = 0, m = 1 + rng.int(3); i < m; i++) b[rng.int(Math.max(1, headerEnd))] = rng.int(256); return b; } // header bytes
    case 3: { const at = rng.int(b.length); return new Uint8Array([...b.subarray(0, at), rng.int(256), ...b.subarray(at)]); } // insert
    default: { const at = rng.int(b.length); return new Uint8Array([...b.subarray(0, at), ...b.subarray(at + 1 + rng.int(8))]); } // delete
  }
}

function fuzz<T>(what: string, seed: number, valid: Uint8Array, headerEnd: number, parse: (b: Uint8Array) => T, check: (v: T) => void): { loaded: number; rejected: number } {
  const rng = new Rng(seed);
  let loaded = 0, rejected = 0;
  for (let c = 0; c < CASES; c++) {
    const bytes = mutate(rng, valid, headerEnd);
    let v: T;
    try {
      v = parse(bytes);
    } catch (e) {
      if (!(e instanceof InputError)) assert.fail(`${what} case ${c}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      assert.ok(!e.message.includes("\n"), `${what} case ${c}: multi-line error`);
      rejected++;
      continue;
    }
    check(v);
    loaded++;
  }
  assert.ok(rejected > 0, `${what}: no mutation was rejected`);
  if (process.env.FUZZ_VERBOSE) console.log(`${what}: ${loaded} loaded, ${rejected} rejected`);
  return { loaded, rejected };
}

function checkNet(net: Net): void {
  assert.equal(net.theta.length, paramCount(net.arch.widths));
  for (const v of net.theta) assert.ok(Number.isFinite(v));
}
function checkData(d: Dataset): void {
  assert.ok(d.n >= 1 && d.d >= 1 && d.k >= 1);
  assert.equal(d.x.length, d.n * d.d);
  assert.equal(d.y.length, d.n * d.k);
  for (const v of d.x) assert.ok(Number.isFinite(v));
  for (const v of d.y) assert.ok(Number.isFinite(v));
}

const net = initNet(makeArch([2, 3, 2], "tanh", "mse"), { seed: 1 });
const data: Dataset = { n: 4, d: 2, k: 1, x: Float64Array.from([0.5, -1, 2, 3.25, 0, 1e-3, -7, 8]), y: Float64Array.from([1, 2, 3, 4]) };
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

test("fuzz: safetensors", () => {
  const bytes = netToSafetensors(net);
  fuzz("safetensors", 1, bytes, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)), (b) => netFromSafetensors(b, "f"), checkNet);
});

test("fuzz: npy", () => {
  const bytes = writeNpy(Array.from({ length: 12 }, (_, i) => i / 3 - 1), [3, 4]);
  fuzz("npy", 2, bytes, 128, (b) => readNpy(b), (a) => {
    assert.equal(a.data.length, a.shape.reduce((x, y) => x * y, 1));
    assert.ok(a.shape.length === 1 || a.shape.length === 2);
    for (const v of a.data) assert.ok(Number.isFinite(v));
  });
});

test("fuzz: IDX raw and gzipped", () => {
  const raw = writeIdxU8([4, 3, 3], Array.from({ length: 36 }, (_, i) => (i * 37) % 256));
  const check = (a: { dims: number[]; data: Float64Array | Uint8Array }) => {
    assert.equal(a.data.length, a.dims.reduce((x, y) => x * y, 1));
    for (const v of a.data) assert.ok(Number.isFinite(v));
  };
  fuzz("idx", 3, raw, 16, (b) => readIdx(b), check);
  const gz = gzipSync(raw);
  fuzz("idx.gz", 4, gz, 10, (b) => readIdx(b), check);
});

test("fuzz: JSON net format", () => {
  fuzz("net.json", 5, enc(netToJson(net)), 80, (b) => netFromJson(dec(b), "n"), checkNet);
});

test("fuzz: CSV and JSON data readers, Iris CSV", () => {
  fuzz("data.csv", 6, enc(formatDataCsv(data)), 12, (b) => parseDataCsv(dec(b), "c"), checkData);
  fuzz("data.json", 7, enc(formatDataJson(data)), 10, (b) => parseDataJson(dec(b), "j"), checkData);
  const iris = "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n";
  fuzz("iris.csv", 8, enc(iris), 58, (b) => parseIrisCsv(dec(b), "i"), checkData);
});
