/**
 * Regressions of issue 12 (hostile input) at the library level: each test fails on the readers as they were
 * before the issue was fixed (deep nesting, numpy's header rules, mixed JSON columns, duplicate keys, hex CSV
 * cells, BOMs, message length and bidi characters, symlinked temporaries, IDX memory).
 */
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { parseDataCsv } from "../data/csv.js";
import { readIdx } from "../data/idx.js";
import { parseDataJson } from "../data/json.js";
import { initNet, makeArch } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { writeAtomic } from "./files.js";
import { netFromJson, netToJson } from "./net-json.js";
import { readNpy } from "./npy.js";
import { netFromSafetensors, netToSafetensors } from "./safetensors.js";

const oneLine = (re: RegExp) => (e: unknown): boolean => e instanceof InputError && re.test(e.message) && !e.message.includes("\n");
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A safetensors file whose header is `header` (JSON text) over `data`. */
function safetensors(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = enc(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** A version-1.0 .npy file with this header text (padded with spaces + '\n' like numpy) and raw data bytes. */
function npy(header: string, data: Uint8Array, version: [number, number] = [1, 0]): Uint8Array {
  const pad = (64 - ((10 + header.length + 1) % 64)) % 64;
  const h = header + " ".repeat(pad) + "\n";
  const out = new Uint8Array(10 + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0], version[1]]);
  new DataView(out.buffer).setUint16(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
  out.set(data, 10 + h.length);
  return out;
}

describe("issue 12 regressions: file readers", () => {
  const net = initNet(makeArch([1, 2, 1], "tanh", "mse"), { seed: 1 });

  it("defect 1: a safetensors header nested 20,000 levels deep is a one-line InputError, not a stack overflow", () => {
    const deep = "[".repeat(20000) + "]".repeat(20000);
    const file = safetensors(`{"0.weight": {"dtype": ${deep}, "shape": [2, 1], "data_offsets": [0, 16]}}`, new Uint8Array(16));
    assert.throws(() => netFromSafetensors(file, "deep.safetensors"), oneLine(/nested more than 64 levels|dtype/));
    // the same value at a depth the reader accepts is described briefly, never serialised whole
    const wide = safetensors(`{"0.weight": {"dtype": [${"[1,2,3],".repeat(5000)}[1]], "shape": [2, 1], "data_offsets": [0, 16]}}`, new Uint8Array(16));
    assert.throws(() => netFromSafetensors(wide, "wide.safetensors"), (e: unknown) => oneLine(/dtype \[\[1, 2, 3\]/)(e) && (e as Error).message.length < 300);
  });

  it("duplicate safetensors keys (tensors or fields) are refused; JSON.parse would keep the last silently", () => {
    const good = netToSafetensors(net);
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(good.subarray(8, 8 + n)).trimEnd();
    const data = good.subarray(8 + n);
    const dupTensor = header.replace('{"__metadata__"', '{"0.bias":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"__metadata__"');
    assert.throws(() => netFromSafetensors(safetensors(dupTensor, data)), oneLine(/key "0\.bias" appears twice/));
    const dupField = header.replace('"dtype":"F64"', '"dtype":"F32","dtype":"F64"');
    assert.throws(() => netFromSafetensors(safetensors(dupField, data)), oneLine(/key "dtype" appears twice/));
    assert.deepEqual(Array.from(netFromSafetensors(good).theta), Array.from(net.theta));
  });

  it("a safetensors header starting with a byte-order mark is refused with a visible message", () => {
    const good = netToSafetensors(net);
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const header = "\ufeff" + new TextDecoder().decode(good.subarray(8, 8 + n));
    assert.throws(() => netFromSafetensors(safetensors(header, good.subarray(8 + n))), oneLine(/byte-order mark \(U\+FEFF\)/));
  });

  it("defect 2: .npy headers follow numpy — duplicate keys take the last value, numpy-refused headers are refused", () => {
    const i8 = new Uint8Array(24);
    new DataView(i8.buffer).setBigInt64(0, 1n, true); new DataView(i8.buffer).setBigInt64(8, 2n, true); new DataView(i8.buffer).setBigInt64(16, 3n, true);
    // numpy reads this as int64 (the last 'descr'); embedscape used to take the first and return denormals
    assert.throws(() => readNpy(npy("{'descr':'<f8', 'fortran_order': False, 'shape':(3,1), 'descr':'<i8'}", i8)), oneLine(/dtype "<i8" is not supported/));
    // a duplicate 'fortran_order': True (the last) is Fortran order: numpy transposes, and so do we
    const f8 = new Uint8Array(48);
    for (let i = 0; i < 6; i++) new DataView(f8.buffer).setFloat64(8 * i, i, true);
    const fo = readNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'fortran_order': True}", f8));
    assert.deepEqual(fo.shape, [2, 3]);
    assert.deepEqual(Array.from(fo.data), [0, 2, 4, 1, 3, 5]);
    const refused: [string, Uint8Array, RegExp][] = [
      ["version 1.1", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", f8, [1, 1]), /version 1\.1/],
      ["junk after the dict", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (6,), } junk", f8), /text after the dict/],
      ["extra key", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (6,), 'extra': 1}", f8), /exactly 'descr', 'fortran_order', 'shape'/],
      ["float shape", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (6.0,), }", f8), /integer/],
      ["(6) is not a tuple", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (6), }", f8), /not a tuple/],
      ["fortran_order 1", npy("{'descr': '<f8', 'fortran_order': 1, 'shape': (6,), }", f8), /fortran_order/],
      ["missing key", npy("{'descr': '<f8', 'shape': (6,), }", f8), /exactly/],
      ["header over numpy's 10000", npy(`{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }${" ".repeat(10050)}`, f8), /numpy's limit/],
    ];
    for (const [what, b, re] of refused) assert.throws(() => readNpy(b, "x.npy"), oneLine(re), what);
  });

  it("defect 3: JSON data columns mixing numbers and lists are refused, not coerced ([] → 0, [7] → 7)", () => {
    assert.throws(() => parseDataJson('{"x":[1,2,[]],"y":[1,2,3]}', "m.json"), oneLine(/not a mixture/));
    assert.throws(() => parseDataJson('{"x":[1,2,[7]],"y":[1,2,3]}', "m.json"), oneLine(/not a mixture/));
    assert.throws(() => parseDataJson('{"x":[[1],[2],3],"y":[1,2,3]}', "m.json"), oneLine(/not a mixture/));
    assert.deepEqual(Array.from(parseDataJson('{"x":[1,2,3],"y":[[1],[2],[3]]}').x), [1, 2, 3]);
  });

  it("CSV cells 0x10, 0b11, 0o7 (and Infinity, 1_000) are not numbers", () => {
    for (const cell of ["0x10", "0b11", "0o7", "Infinity", "1_000", " "]) {
      assert.throws(() => parseDataCsv(`x1,y1\n1,2\n${cell},3\n`, "h.csv"), oneLine(/line 3, column "x1" is not a finite number/), cell);
    }
    assert.deepEqual(Array.from(parseDataCsv("x1,y1\n-1.5e-3,+2\n.5,3.\n").x), [-1.5e-3, 0.5]);
  });

  it("a UTF-8 byte-order mark is accepted by every text reader (CSV, JSON data, JSON nets)", () => {
    assert.deepEqual(Array.from(parseDataCsv("\ufeffx1,y1\n1,2\n").y), [2]);
    assert.deepEqual(Array.from(parseDataJson('\ufeff{"x":[1],"y":[2]}').y), [2]);
    assert.deepEqual(Array.from(netFromJson("\ufeff" + netToJson(net)).theta), Array.from(net.theta));
  });

  it("duplicate keys in JSON nets and data are refused", () => {
    const text = netToJson(net);
    assert.throws(() => netFromJson(text.replace('"theta":', '"theta":[1,2,3,4,5,6,7],"theta":'), "d.json"), oneLine(/key "theta" appears twice/));
    assert.throws(() => parseDataJson('{"x":[1],"y":[2],"x":[3]}', "d.json"), oneLine(/key "x" appears twice/));
  });

  it("messages quoting untrusted text are short and show U+202E and control characters as escapes", () => {
    const huge = "a".repeat(300_000);
    assert.throws(() => parseDataCsv(`${huge}\n1\n`, "big.csv"), (e: unknown) => oneLine(/header has no input columns/)(e) && (e as Error).message.length <= 1000);
    assert.throws(() => parseDataCsv(`x1,y1\n1,2\n\u202eevil\u0007,3\n`, "bidi.csv"), (e: unknown) => {
      const m = (e as Error).message;
      return oneLine(/\\u\{202E\}evil\\u\{0007\}/)(e) && !m.includes("\u202e") && !m.includes("\u0007");
    });
  });

  it("defect 4 (IDX): a header asking for more memory than the limit is refused before the data is inflated", async () => {
    const { setMemoryLimit } = await import("../util/memory.js");
    const header = new Uint8Array(12);
    header[2] = 0x08; header[3] = 2;
    new DataView(header.buffer).setUint32(4, 5, false); new DataView(header.buffer).setUint32(8, 8_000_000, false);
    const gz = gzipSync(new Uint8Array([...header, ...new Uint8Array(1000)]));
    setMemoryLimit("16M");
    try {
      assert.throws(() => readIdx(gz, "big.idx.gz"), oneLine(/big\.idx\.gz: IDX 5×8000000 u8 needs about 38 MB of memory, more than the limit of 16 MB/));
    } finally {
      setMemoryLimit(undefined);
    }
  });
});

describe("issue 12 regressions: atomic writes", () => {
  it("defect 7: a symlink planted at the old predictable temporary name is not followed; the victim is untouched", () => {
    const dir = mkdtempSync(join(tmpdir(), "es-sym-"));
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "precious");
    const target = join(dir, "out.json");
    symlinkSync(victim, `${target}.tmp-${process.pid}`);
    writeAtomic(target, "{\"new\": true}");
    assert.equal(readFileSync(victim, "utf8"), "precious");
    assert.equal(readFileSync(target, "utf8"), "{\"new\": true}");
    assert.ok(lstatSync(target).isFile() && !lstatSync(target).isSymbolicLink());
    // only the planted link and the two files remain: no temporary left behind
    assert.deepEqual(readdirSync(dir).sort(), ["out.json", `out.json.tmp-${process.pid}`, "victim.txt"].sort());
  });

  it("a failed write (the target is a directory) leaves no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "es-dirt-"));
    mkdirSync(join(dir, "x.json"));
    assert.throws(() => writeAtomic(join(dir, "x.json"), "data"), oneLine(/cannot write/));
    assert.deepEqual(readdirSync(dir), ["x.json"]);
    assert.ok(existsSync(join(dir, "x.json")));
  });

  it("stale temporaries of dead processes beside the target are removed by the next write", () => {
    const dir = mkdtempSync(join(tmpdir(), "es-stale-"));
    const stale = join(dir, ".out.json.tmp-999999999-0123456789ab");
    writeFileSync(stale, "half a file");
    writeAtomic(join(dir, "out.json"), "whole");
    assert.deepEqual(readdirSync(dir), ["out.json"]);
  });
});
