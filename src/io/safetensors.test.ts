import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initNet, makeArch, predict, fixtureB } from "../nn/index.js";
import { InputError } from "../util/errors.js";
import { netFromSafetensors, netToSafetensors } from "./safetensors.js";
import { loadNet, saveNet } from "./files.js";

const PY = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("../../tools/torch_safetensors.py", import.meta.url));
const torchMissing = ((): string | false => {
  const r = spawnSync(PY, ["-c", "import torch"], { stdio: "ignore" });
  return r.status === 0 ? false : `${PY} cannot import torch (install Debian python3-torch to run this cross-check)`;
})();

/** Build a safetensors file from a header object and raw data bytes. */
function build(header: unknown, data: Uint8Array, rawHeader?: string): Uint8Array {
  const h = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
function f64(...v: number[]): Uint8Array { return new Uint8Array(Float64Array.from(v).buffer); }
const t = (dtype: string, shape: number[], a: number, b: number) => ({ dtype, shape, data_offsets: [a, b] });

test("safetensors round-trips θ and architecture exactly, with nn.Sequential keys", () => {
  const net = initNet(makeArch([3, 5, 4, 2], "gelu", "cross-entropy"), { seed: 3 });
  const bytes = netToSafetensors(net);
  const back = netFromSafetensors(bytes);
  assert.deepEqual(back.arch, net.arch);
  assert.deepEqual(Array.from(back.theta), Array.from(net.theta));
  const hlen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + hlen) % 8, 0, "data section 8-byte aligned");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen)));
  assert.deepEqual(Object.keys(header).filter((k) => k !== "__metadata__").sort(), ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]);
  assert.deepEqual(header["0.weight"].shape, [5, 3]);
  assert.equal(header["2.weight"].dtype, "F64");
  assert.equal(typeof header.__metadata__.embedscape, "string");
});

test("saveNet/loadNet pick safetensors by extension", () => {
  const dir = mkdtempSync(join(tmpdir(), "es-st-"));
  const { net } = fixtureB();
  saveNet(join(dir, "b.safetensors"), net);
  const back = loadNet(join(dir, "b.safetensors"));
  assert.deepEqual(Array.from(back.theta), Array.from(net.theta));
});

test("F32 tensors and files without embedscape metadata load when activation/loss are given", () => {
  const w = new Float32Array([0.5, -1.25]), b = new Float32Array([0.125, 2]);
  const w2 = new Float32Array([3, -0.75]), b2 = new Float32Array([0.5]);
  const data = new Uint8Array([...new Uint8Array(w.buffer), ...new Uint8Array(b.buffer), ...new Uint8Array(w2.buffer), ...new Uint8Array(b2.buffer)]);
  const file = build({ "0.weight": t("F32", [2, 1], 0, 8), "0.bias": t("F32", [2], 8, 16), "2.weight": t("F32", [1, 2], 16, 24), "2.bias": t("F32", [1], 24, 28) }, data);
  assert.throws(() => netFromSafetensors(file, "f"), (e: unknown) => e instanceof InputError && /widths 1-2-1 read from the shapes\); give the activation/.test(e.message));
  const net = netFromSafetensors(file, "f", { activation: "tanh", loss: "mse" });
  assert.deepEqual(net.arch.widths, [1, 2, 1]);
  assert.deepEqual(Array.from(net.theta), [0.5, -1.25, 0.125, 2, 3, -0.75, 0.5]);
});

test("malformed safetensors files give one-line InputErrors naming the problem", () => {
  const ok = { "0.weight": t("F64", [1, 1], 0, 8), "0.bias": t("F64", [1], 8, 16) };
  const meta = { __metadata__: { embedscape: JSON.stringify({ widths: [1, 1], activation: "tanh", loss: "mse" }) } };
  assert.ok(netFromSafetensors(build({ ...meta, ...ok }, f64(1, 2))));
  const cases: [string, Uint8Array, RegExp][] = [
    ["short", new Uint8Array(5), /too short/],
    ["huge header", (() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 1n << 60n, true); return b; })(), /exceeds the limit/],
    ["header past end", (() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 100n, true); return b; })(), /past the end/],
    ["bad json", build(null, f64(), "{not json"), /not valid JSON/],
    ["array header", build([1], f64()), /not a JSON object/],
    ["dtype", build({ ...meta, "0.weight": t("I64", [1, 1], 0, 8), "0.bias": ok["0.bias"] }, f64(1, 2)), /dtype "I64"/],
    ["shape vs offsets", build({ ...meta, "0.weight": t("F64", [2, 1], 0, 8), "0.bias": ok["0.bias"] }, f64(1, 2)), /needs 16 bytes/],
    ["out of range", build({ ...meta, ...ok, "0.bias": t("F64", [1], 8, 24) }, f64(1, 2)), /past the data section/],
    ["overlap", build({ ...meta, "0.weight": t("F64", [1, 1], 0, 8), "0.bias": t("F64", [1], 0, 8) }, f64(1, 2)), /overlaps|unused|trailing/],
    ["trailing", build({ ...meta, ...ok }, f64(1, 2, 3)), /trailing bytes/],
    ["missing key", build({ ...meta, "0.weight": ok["0.weight"], "1.bias": ok["0.bias"] }, f64(1, 2)), /tensor "1.bias" has no matching "1.weight"/],
    ["extra key", build({ ...meta, ...ok, "junk": t("F64", [1], 16, 24) }, f64(1, 2, 3)), /tensor "junk" is neither a .weight nor a .bias: not an MLP/],
    ["chain", build({ __metadata__: {}, "0.weight": t("F64", [2, 1], 0, 16), "0.bias": t("F64", [2], 16, 32), "2.weight": t("F64", [1, 3], 32, 56), "2.bias": t("F64", [1], 56, 64) }, f64(1, 2, 3, 4, 5, 6, 7, 8)), /"2.weight" \[1, 3\] does not chain after "0.weight" \[2, 1\]/],
    ["rank", build({ ...meta, "0.weight": t("F64", [1, 1, 1], 0, 8), "0.bias": ok["0.bias"] }, f64(1, 2)), /"0.weight" has shape \[1, 1, 1\]: a Linear weight is 2-D/],
    ["int dtype", build({ ...meta, ...ok, "0.num_batches_tracked": t("I64", [], 16, 24) }, f64(1, 2, 3)), /"0.num_batches_tracked" has dtype "I64" \(expected F64, F32, F16 or BF16\)/],
    ["nan f16", build({ ...meta, "0.weight": t("F16", [1, 1], 0, 2), "0.bias": t("F16", [1], 2, 4) }, new Uint8Array([0x00, 0x7e, 0x00, 0x3c])), /"0.weight" has a non-finite value \(NaN\)/],
    ["meta widths", build({ __metadata__: { embedscape: JSON.stringify({ widths: [1, 2], activation: "tanh", loss: "mse" }) }, ...ok }, f64(1, 2)), /do not match/],
    ["meta not string", build({ __metadata__: { embedscape: { widths: [1, 1] } }, ...ok }, f64(1, 2)), /not a string/],
    ["nan", build({ ...meta, ...ok }, f64(NaN, 2)), /non-finite/],
    ["inf", build({ ...meta, ...ok }, f64(1, Infinity)), /non-finite/],
    ["unknown activation", build({ __metadata__: { embedscape: JSON.stringify({ widths: [1, 1], activation: "swishy", loss: "mse" }) }, ...ok }, f64(1, 2)), /swishy/],
  ];
  for (const [what, bytes, re] of cases) {
    assert.throws(() => netFromSafetensors(bytes, "f"), (e: unknown) => {
      assert.ok(e instanceof InputError, `${what}: ${String(e)}`);
      assert.match(e.message, re, what);
      assert.ok(!e.message.includes("\n"), `${what}: one line`);
      return true;
    });
  }
});

test("PyTorch nn.Sequential loads embedscape safetensors files (every activation, depth 2–4) with the same outputs", { skip: torchMissing }, () => {
  const dir = mkdtempSync(join(tmpdir(), "es-torch-"));
  const nets = [
    initNet(makeArch([2, 7, 5, 3], "tanh", "mse"), { seed: 11 }),
    initNet(makeArch([2, 4, 3], "relu", "cross-entropy"), { seed: 12 }),
    initNet(makeArch([2, 3, 3, 3, 1], "sigmoid", "mse"), { seed: 13 }),
    initNet(makeArch([2, 5, 2], "softplus", "mse"), { seed: 14 }),
    initNet(makeArch([2, 5, 2], "gelu", "mse"), { seed: 15 }),
    initNet(makeArch([2, 5, 2], "leaky-relu:0.2", "mse"), { seed: 16 }),
    initNet(makeArch([2, 5, 2], "hardtanh", "mse"), { seed: 17, scheme: "normal", scale: 3 }),
    initNet(makeArch([2, 2], "identity", "mse"), { seed: 18 }),
  ];
  const paths = nets.map((n, i) => { const p = join(dir, `n${i}.safetensors`); saveNet(p, n); return p; });
  const xs = [[-1, 0.5], [0.3, 2], [1.7, -0.2], [0, 0], [-2.5, -1.5]];
  writeFileSync(join(dir, "x.json"), JSON.stringify(xs));
  const outs = JSON.parse(execFileSync(PY, [SCRIPT, "load", join(dir, "x.json"), ...paths], { encoding: "utf8" })) as number[][][];
  nets.forEach((net, k) => {
    const mine = predict(net.arch, net.theta, Float64Array.from(xs.flat()), xs.length);
    const theirs = outs[k].flat();
    assert.equal(theirs.length, mine.length);
    let maxDiff = 0;
    theirs.forEach((v, i) => { maxDiff = Math.max(maxDiff, Math.abs(v - mine[i])); });
    if (process.env.IO_VERBOSE) console.log(`${net.arch.activation}: max |torch − embedscape| = ${maxDiff}`);
    assert.ok(maxDiff <= 1e-13, `${net.arch.activation}: max |torch − embedscape| = ${maxDiff}`);
  });
});

for (const dtype of ["F64", "F32"]) {
  test(`embedscape loads a ${dtype} state_dict written from PyTorch and matches its outputs`, { skip: torchMissing }, () => {
    const dir = mkdtempSync(join(tmpdir(), "es-torch-"));
    const file = join(dir, "torch.safetensors");
    const ref = JSON.parse(execFileSync(PY, [SCRIPT, "save", file, dtype], { encoding: "utf8" })) as { x: number[][]; y: number[][] };
    const net = loadNet(file, { activation: "tanh", loss: "mse" });
    assert.deepEqual(net.arch.widths, [2, 3, 1]);
    const mine = predict(net.arch, net.theta, Float64Array.from(ref.x.flat()), ref.x.length);
    // F32: torch computes in float32, embedscape in float64 from the same float32 weights
    const tol = dtype === "F64" ? 1e-14 : 1e-6;
    ref.y.flat().forEach((v, i) => assert.ok(Math.abs(v - mine[i]) <= tol, `output ${i}: torch ${v} vs ${mine[i]}`));
  });
}
