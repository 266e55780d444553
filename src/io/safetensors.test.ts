import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { initNet, makeArch, type Net } from "../nn/arch.js";
import { predict } from "../nn/functions.js";
import { assertClose } from "../testing/index.js";
import { InputError } from "../util/errors.js";
import { loadNet, saveNet } from "./files.js";
import { netFromSafetensors, netToSafetensors, readSafetensors, writeSafetensors } from "./safetensors.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = join(repoRoot, "src", "io", "testdata", "torch_safetensors.py");
const torchReason = (() => {
  const r = spawnSync("/usr/bin/python3", ["-c", "import torch"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `PyTorch unavailable (/usr/bin/python3 -c "import torch" failed: ${(r.stderr || String(r.error)).trim().split("\n").pop()})`;
})();

function rebuild(header: object, buffer: Uint8Array, pad = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(pad));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

function headerOf(bytes: Uint8Array): { header: Record<string, any>; buffer: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), buffer: bytes.slice(8 + n) };
}

const inputs = (n: number, d: number, seed = 1): Float64Array => Float64Array.from({ length: n * d }, (_, i) => Math.sin(seed * 7.3 + i * 1.618) * 2);

describe("safetensors", () => {
  it("round-trips every activation/loss and depth bit-exactly, with nn.Sequential keys and 8-aligned buffer", () => {
    for (const [widths, act, loss] of [[[1, 3, 1], "tanh", "mse"], [[4, 5, 6, 3], "leaky-relu:0.2", "cross-entropy"], [[2, 7, 3, 2, 1], "gelu", "mse"]] as const) {
      const net = initNet(makeArch([...widths], act, loss), { seed: 3 });
      const bytes = netToSafetensors(net);
      const { header } = headerOf(bytes);
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      assert.equal((8 + n) % 8, 0);
      const keys = Object.keys(header).filter((k) => k !== "__metadata__");
      assert.deepEqual(keys, widths.slice(1).flatMap((_, i) => [`${2 * i}.weight`, `${2 * i}.bias`]));
      assert.deepEqual(header["0.weight"].shape, [widths[1], widths[0]]);
      assert.equal(header["0.weight"].dtype, "F64");
      const back = netFromSafetensors(bytes, "t");
      assert.deepEqual(back.arch, net.arch);
      assert.deepEqual(Array.from(back.theta), Array.from(net.theta));
    }
  });

  it("saveNet/loadNet pick the format by extension", () => {
    const dir = mkdtempSync(join(tmpdir(), "es-st-"));
    try {
      const net = initNet(makeArch([3, 4, 2], "sigmoid", "mse"), { seed: 5 });
      saveNet(join(dir, "a.safetensors"), net);
      const back = loadNet(join(dir, "a.safetensors"));
      assert.deepEqual(Array.from(back.theta), Array.from(net.theta));
      assert.throws(() => loadNet(join(dir, "a.safetensors"), { activation: "relu" }), /says activation sigmoid but relu/);
      assert.throws(() => loadNet(join(dir, "a.safetensors"), { arch: "3-5-2" }), /3-4-2 net but architecture 3-5-2/);
      assert.equal(loadNet(join(dir, "a.safetensors"), { activation: "sigmoid", loss: "mse", arch: [3, 4, 2] }).arch.activation, "sigmoid");
    } finally { rmSync(dir, { recursive: true }); }
  });

  it("loads files without metadata when the caller names activation and loss; F32 is widened; chains are checked", () => {
    const W0 = [1, 2, 3, 4, 5, 6], b0 = [0.5, -0.5, 0.25], W1 = [1, -1, 2], b1 = [0.125];
    const plain = writeSafetensors([
      { name: "0.weight", shape: [3, 2], data: W0 }, { name: "0.bias", shape: [3], data: b0 },
      { name: "3.weight", shape: [1, 3], data: W1 }, { name: "3.bias", shape: [1], data: b1 },
    ]);
    assert.throws(() => netFromSafetensors(plain, "p"), (e: unknown) => e instanceof InputError && /no embedscape metadata/.test(e.message));
    const net = netFromSafetensors(plain, "p", { activation: "relu", loss: "mse" });
    assert.deepEqual(net.arch.widths, [2, 3, 1]);
    assert.deepEqual(Array.from(net.theta), [...W0, ...b0, ...W1, ...b1]);
    // F32: rewrite the dtype and data of one tensor
    const { header, buffer } = headerOf(writeSafetensors([{ name: "0.weight", shape: [1, 1], data: [0] }, { name: "0.bias", shape: [1], data: [0] }]));
    const f32 = new Uint8Array(8);
    new DataView(f32.buffer).setFloat32(0, 0.1, true);
    new DataView(f32.buffer).setFloat32(4, -3.5, true);
    header["0.weight"] = { dtype: "F32", shape: [1, 1], data_offsets: [0, 4] };
    header["0.bias"] = { dtype: "F32", shape: [1], data_offsets: [4, 8] };
    const n32 = netFromSafetensors(rebuild(header, f32), "f32", { activation: "tanh", loss: "mse" });
    assert.deepEqual(Array.from(n32.theta), [Math.fround(0.1), -3.5]);
    void buffer;
    // broken chain: second layer takes 4 inputs, first gives 3
    const broken = writeSafetensors([
      { name: "0.weight", shape: [3, 2], data: W0 }, { name: "0.bias", shape: [3], data: b0 },
      { name: "2.weight", shape: [1, 4], data: [1, 2, 3, 4] }, { name: "2.bias", shape: [1], data: b1 },
    ]);
    assert.throws(() => netFromSafetensors(broken, "b", { activation: "relu", loss: "mse" }), /2\.weight takes 4 inputs but the previous layer has 3 outputs/);
  });

  it("rejects malformed files with one-line InputErrors naming the problem", () => {
    const good = netToSafetensors(initNet(makeArch([2, 3, 1], "tanh", "mse"), { seed: 1 }));
    const { header, buffer } = headerOf(good);
    const mutate = (f: (h: Record<string, any>) => void, buf = buffer): Uint8Array => { const h = structuredClone(header); f(h); return rebuild(h, buf); };
    const cases: [string, Uint8Array, RegExp][] = [
      ["empty", new Uint8Array(0), /too short/],
      ["huge header", (() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 1n << 60n, true); return b; })(), /exceeds the limit/],
      ["header past end", (() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, BigInt(good.length), true); return b; })(), /runs past the end/],
      ["truncated buffer", good.subarray(0, good.length - 3), /past the .*buffer|bytes after/],
      ["bad JSON", rebuild({}, new Uint8Array(0)).map((c, i) => (i === 8 ? 0x5b : c)), /does not start with|not valid JSON/],
      ["dtype", mutate((h) => { h["0.bias"].dtype = "I64"; }), /dtype I64 is not supported/],
      ["shape vs offsets", mutate((h) => { h["0.bias"].shape = [4]; }), /needs 32 bytes but data_offsets span 24/],
      ["overlap", mutate((h) => { h["0.bias"].data_offsets = [0, 24]; }), /overlap/],
      ["reversed", mutate((h) => { h["0.bias"].data_offsets = [48, 24]; }), /reversed/],
      ["missing key", mutate((h) => { delete h["2.bias"]; }, buffer.subarray(0, buffer.length - 8)), /missing 2\.bias|missing tensors/],
      ["extra key", mutate((h) => { h["4.weight"] = { dtype: "F64", shape: [0], data_offsets: [buffer.length, buffer.length] }; }), /unexpected tensors at module index 4/],
      ["foreign key", mutate((h) => { h["fc.weight"] = { dtype: "F64", shape: [0], data_offsets: [buffer.length, buffer.length] }; }), /unexpected tensor "fc\.weight"/],
      ["metadata not string", mutate((h) => { h.__metadata__.embedscape = { widths: [2, 3, 1] }; }), /not a string/],
      ["metadata widths", mutate((h) => { h.__metadata__.embedscape = JSON.stringify({ widths: [2, 4, 1], activation: "tanh", loss: "mse" }); }), /metadata says 2-4-1/],
      ["unknown activation", mutate((h) => { h.__metadata__.embedscape = JSON.stringify({ widths: [2, 3, 1], activation: "swish", loss: "mse" }); }), /unknown activation "swish"/],
      ["NaN", (() => { const b = buffer.slice(); new DataView(b.buffer).setFloat64(8, NaN, true); return rebuild(header, b); })(), /value 1 is not finite/],
      ["tail bytes", rebuild(header, new Uint8Array([...buffer, 0, 0, 0, 0, 0, 0, 0, 0])), /8 bytes after the last tensor/],
    ];
    for (const [what, bytes, re] of cases) {
      assert.throws(() => netFromSafetensors(bytes, "f.safetensors"), (e: unknown) => {
        assert.ok(e instanceof InputError, `${what}: ${String(e)}`);
        assert.match(e.message, re, what);
        assert.ok(!e.message.includes("\n"), `${what}: one line`);
        assert.ok(e.message.startsWith("f.safetensors: "), what);
        return true;
      }, what);
    }
  });

  it("matches PyTorch both ways: embedscape file → load_state_dict, and PyTorch state_dict (F64/F32, no metadata) → embedscape", { skip: torchReason }, () => {
    const dir = mkdtempSync(join(tmpdir(), "es-torch-"));
    try {
      const n = 7;
      const ours = ([[[1, 3, 1], "tanh"], [[3, 8, 5, 2], "gelu"], [[2, 6, 4], "leaky-relu:0.1"], [[4, 5, 3], "softplus"], [[2, 4, 2], "hardtanh"]] as const).map(([widths, act], j) => {
        const net = initNet(makeArch([...widths], act, "mse"), { seed: 11 });
        const file = join(dir, `ours-${j}.safetensors`);
        writeFileSync(file, netToSafetensors(net));
        return { net, file, x: inputs(n, widths[0], j) };
      });
      const theirs = ([[[2, 5, 3], "tanh", "F64"], [[3, 4, 4, 1], "relu", "F32"], [[1, 6, 1], "sigmoid", "F32"]] as const).map(([widths, act, dtype], j) => (
        { widths: [...widths], act, dtype, file: join(dir, `torch-${j}.safetensors`), x: inputs(n, widths[0], 10 + j) }));
      const results = runTorch([
        ...ours.map((o) => ({ mode: "load", file: o.file, x: rows(o.x, n) })),
        ...theirs.map((t, j) => ({ mode: "save", file: t.file, widths: t.widths, activation: t.act, dtype: t.dtype, seed: j, x: rows(t.x, n) })),
      ]);
      ours.forEach((o, j) => {
        const out = results[j];
        assert.deepEqual(out.keys, o.net.arch.widths.slice(1).flatMap((_, i) => [`${2 * i}.weight`, `${2 * i}.bias`]));
        assertClose(out.y.flat(), predict(o.net.arch, o.net.theta, o.x, n), 1e-13, 1e-13, `torch vs embedscape ${o.net.arch.widths.join("-")} ${o.net.arch.activation}`);
      });
      theirs.forEach((t, j) => {
        const out = results[ours.length + j];
        const net: Net = netFromSafetensors(readFileSync(t.file), t.file, { activation: t.act, loss: "mse" });
        assert.deepEqual(net.arch.widths, t.widths);
        assert.equal(readSafetensors(readFileSync(t.file)).tensors.get("0.weight")!.dtype, t.dtype);
        assertClose(predict(net.arch, net.theta, t.x, n), out.y.flat(), 1e-13, 1e-13, `embedscape vs torch ${t.widths.join("-")} ${t.act} ${t.dtype}`);
      });
    } finally { rmSync(dir, { recursive: true }); }
  });
});

const rows = (x: Float64Array, n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * (x.length / n), (i + 1) * (x.length / n))));

function runTorch(jobs: object[]): { y: number[][]; keys: string[] }[] {
  const r = spawnSync("/usr/bin/python3", [script], { input: JSON.stringify({ jobs }), encoding: "utf8" });
  assert.equal(r.status, 0, `python failed: ${r.stderr}`);
  return JSON.parse(r.stdout).results;
}
