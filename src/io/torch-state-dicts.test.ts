/**
 * PyTorch state dicts as researchers save them (issue 18): the committed fixtures in tools/fixtures/torch-state-dicts
 * (written by tools/torch_state_dicts.py with safetensors.torch.save_file, one per naming pattern and dtype) are
 * read by embedscape and its float64 loss and gradient compared with PyTorch's. No torch is needed here except for
 * the last test, which hands a saved-back file to PyTorch's strict load_state_dict.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../data/load.js";
import { layout, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { InputError } from "../util/errors.js";
import { loadNet, saveNet } from "./files.js";
import { parseNetSpec } from "./net-spec.js";
import { netFromSafetensors, netToSafetensors } from "./safetensors.js";
import { stateDictSource } from "./state-dict.js";

const DIR = fileURLToPath(new URL("../../tools/fixtures/torch-state-dicts/", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../../tools/torch_state_dicts.py", import.meta.url));
const MAIN = resolve("dist/cli/main.js");
const PY = "/usr/bin/python3";
const CASES = ["fc-names", "modulelist", "sequential-attr", "prefix", "flatten", "bias-false", "f16", "bf16", "f32"];
const torchMissing = spawnSync(PY, ["-c", "import torch"], { stdio: "ignore" }).status === 0 ? false : `${PY} cannot import torch`;

interface Ref {
  activation: string; loss: string; dtype: string; keys: string[]; R: number; gradient: Record<string, number[]>;
  addedBiasGradient?: Record<string, number[]>; hessian?: { names: string[]; P: number; matrix: number[] };
}
const ref = (name: string): Ref => JSON.parse(readFileSync(join(DIR, `${name}.json`), "utf8")) as Ref;
const load = (name: string): Net => { const r = ref(name); return loadNet(join(DIR, `${name}.safetensors`), { activation: r.activation, loss: r.loss }); };

/** θ index ranges of every state-dict tensor name of a net read from a state dict. */
function ranges(net: Net): Map<string, [number, number]> {
  const src = stateDictSource(net.arch)!;
  const m = new Map<string, [number, number]>();
  layout(net.arch.widths).layers.forEach((L, i) => {
    const s = src.layers[i];
    m.set(s.weight, [L.w, L.w + L.rows * L.cols]);
    m.set(s.bias ?? `${s.module}.bias (added)`, [L.b, L.b + L.rows]);
  });
  return m;
}
const maxAbs = (v: ArrayLike<number>): number => Array.from(v).reduce((a, x) => Math.max(a, Math.abs(x)), 0);

for (const name of CASES) {
  test(`PyTorch state dict "${name}": embedscape's float64 loss and gradient equal PyTorch's`, () => {
    const r = ref(name);
    const net = load(name);
    const data = loadDataset(join(DIR, `${name}.csv`));
    const ev = new Evaluator(net.arch, data);
    const g = new Float64Array(net.theta.length);
    const R = ev.lossAndGradient(net.theta, g);
    assert.ok(Math.abs(R - r.R) <= 1e-12 * Math.abs(r.R), `${name}: R ${R} vs PyTorch ${r.R}`);
    const at = ranges(net);
    const gmax = maxAbs(Object.values(r.gradient).flat());
    let covered = 0, worst = 0;
    for (const [key, gt] of Object.entries(r.gradient)) {
      const [a, b] = at.get(key) ?? assert.fail(`${name}: PyTorch parameter ${key} not found in embedscape's θ`);
      assert.equal(b - a, gt.length, key);
      gt.forEach((v, j) => { worst = Math.max(worst, Math.abs(g[a + j] - v)); });
      covered += gt.length;
    }
    if (process.env.IO_VERBOSE) console.log(`${name}: |ΔR|/R = ${Math.abs(R - r.R) / r.R}, max|Δ∇| / max|∇| = ${worst / gmax}`);
    assert.ok(worst <= 1e-12 * gmax, `${name}: max |∇ embedscape − ∇ PyTorch| = ${worst} (max |∇| ${gmax})`);
    // every entry of θ is a PyTorch parameter, except the zero biases added for bias=False layers
    assert.equal(covered + Object.values(r.addedBiasGradient ?? {}).flat().length, net.theta.length);
  });
}

test("bias=False: the added bias is 0, a parameter with PyTorch's gradient for it, and PyTorch's Hessian is the principal submatrix without it", () => {
  const r = ref("bias-false");
  const net = load("bias-false");
  const src = stateDictSource(net.arch)!;
  assert.deepEqual(src.layers.map((l) => l.bias), [null, "2.bias", null]);
  assert.match(src.notes.join("\n"), /"0, 4" have no bias \(bias=False\): embedscape adds b = 0 there as a parameter/);
  const data = loadDataset(join(DIR, "bias-false.csv"));
  const ev = new Evaluator(net.arch, data);
  const g = new Float64Array(net.theta.length);
  ev.lossAndGradient(net.theta, g);
  const L = layout(net.arch.widths).layers;
  for (const [mod, l] of [["0", 0], ["4", 2]] as const) {
    assert.deepEqual(Array.from(net.theta.subarray(L[l].b, L[l].b + L[l].rows)), new Array(L[l].rows).fill(0));
    const gt = r.addedBiasGradient![mod];
    const mine = g.subarray(L[l].b, L[l].b + L[l].rows);
    gt.forEach((v, j) => assert.ok(Math.abs(mine[j] - v) <= 1e-12 * maxAbs(gt), `∂R/∂b${mod}[${j}]: ${mine[j]} vs ${v}`));
  }
  // PyTorch's Hessian (its own parameters, in named_parameters order) = embedscape's with the added rows/columns deleted
  const H = ev.hessian(net.theta);
  const P = net.theta.length;
  const at = ranges(net);
  const idx = r.hessian!.names.flatMap((n) => { const [a, b] = at.get(n)!; return Array.from({ length: b - a }, (_, j) => a + j); });
  assert.equal(idx.length, r.hessian!.P);
  assert.ok(idx.length < P, "the added biases make embedscape's θ longer than PyTorch's");
  const hmax = maxAbs(r.hessian!.matrix);
  let worst = 0;
  idx.forEach((p, i) => idx.forEach((q, j) => { worst = Math.max(worst, Math.abs(H[p * P + q] - r.hessian!.matrix[i * idx.length + j])); }));
  assert.ok(worst <= 1e-12 * hmax, `max |H embedscape − H PyTorch| = ${worst} (max |H| ${hmax})`);
  // and the added biases do enter the Hessian: their rows are not zero (so inertia is of the larger parameter space)
  const bRow = L[0].b;
  assert.ok(maxAbs(H.subarray(bRow * P, bRow * P + P)) > 1e-6);
});

test("F16/BF16/F32 tensors are upcast exactly and say so; F64 files have no note", () => {
  for (const [name, dt] of [["f16", "F16"], ["bf16", "BF16"], ["f32", "F32"]] as const) {
    const notes = stateDictSource(load(name).arch)!.notes;
    assert.equal(notes.length, 1, name);
    assert.match(notes[0], new RegExp(`4 ${dt} tensors \\("0.weight, 0.bias, 2.weight", …\\) upcast exactly to float64`), name);
  }
  assert.deepEqual(stateDictSource(load("fc-names").arch)!.notes, []);
  // exactness: the BF16 weights read are the float32 values with 16 zero low bits
  const w = load("bf16").theta;
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (const v of w) { f[0] = v; assert.equal(f[0], v); assert.equal(u[0] & 0xffff, 0); }
});

test("layers are found by name: fc1<fc2<fc3, layers.2<layers.10, net.0<net.2, a Flatten's 1.weight", () => {
  assert.deepEqual(stateDictSource(load("fc-names").arch)!.layers.map((l) => l.module), ["fc1", "fc2", "fc3"]);
  const list = load("modulelist");
  assert.deepEqual(stateDictSource(list.arch)!.layers.map((l) => l.module), Array.from({ length: 11 }, (_, i) => `layers.${i}`));
  assert.deepEqual(list.arch.widths, [2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1]);
  assert.deepEqual(stateDictSource(load("sequential-attr").arch)!.layers.map((l) => l.module), ["layers.0", "layers.2", "layers.4"]);
  assert.deepEqual(stateDictSource(load("prefix").arch)!.layers.map((l) => l.weight), ["net.0.weight", "net.2.weight"]);
  const flat = load("flatten");
  assert.deepEqual(flat.arch.widths, [4, 5, 2]);
  assert.deepEqual(stateDictSource(flat.arch)!.layers.map((l) => l.module), ["1", "3"]);
});

function headerOf(bytes: Uint8Array): Record<string, { dtype: string; shape: number[] }> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[] }>;
  delete h.__metadata__;
  return h;
}

test("saving back keeps the names the net came with (F64), through training-style copies; bias=False stays absent while 0", () => {
  for (const name of CASES) {
    const net = load(name);
    const copy: Net = { arch: net.arch, theta: Float64Array.from(net.theta) }; // as train/critical make their result
    const h = headerOf(netToSafetensors(copy));
    assert.deepEqual(Object.keys(h).sort(), [...ref(name).keys].sort(), name);
    assert.ok(Object.values(h).every((t) => t.dtype === "F64"), `${name}: written as F64`);
    const back = netFromSafetensors(netToSafetensors(copy), name);
    assert.deepEqual(Array.from(back.theta), Array.from(net.theta), `${name}: θ round-trips exactly`);
    assert.deepEqual(back.arch, net.arch);
  }
  const net = load("bias-false");
  const L = layout(net.arch.widths).layers;
  net.theta[L[0].b + 1] = 0.25; // training moved the added bias: it is written, not lost
  const h = headerOf(netToSafetensors(net));
  assert.deepEqual(Object.keys(h).sort(), ["0.bias", "0.weight", "2.bias", "2.weight", "4.weight"]);
  assert.equal(netFromSafetensors(netToSafetensors(net)).theta[L[0].b + 1], 0.25);
  // a net of other widths (embedded, pruned) has a new arch object and gets nn.Sequential names
  const plain = loadNet(join(DIR, "fc-names.safetensors"), { activation: "tanh" });
  const other: Net = { arch: { ...plain.arch }, theta: plain.theta };
  assert.deepEqual(Object.keys(headerOf(netToSafetensors(other))).sort(), ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]);
});

test("without metadata the activation comes from the caller (CLI FILE@tanh); widths given must match the shapes", () => {
  const file = join(DIR, "fc-names.safetensors");
  assert.throws(() => loadNet(file), (e: unknown) => e instanceof InputError && /widths 3-6-4-2 read from the shapes\); give the activation/.test(e.message));
  assert.equal(loadNet(file, parseNetSpec(`${file}@tanh`).opts).arch.loss, "mse");
  assert.equal(loadNet(file, parseNetSpec(`${file}@relu@cross-entropy`).opts).arch.loss, "cross-entropy");
  assert.deepEqual(loadNet(file, parseNetSpec(`${file}@3-6-4-2@tanh`).opts).arch.widths, [3, 6, 4, 2]);
  assert.throws(() => loadNet(file, parseNetSpec(`${file}@3-5-2@tanh`).opts), (e: unknown) => e instanceof InputError && /architecture given \(3-5-2\) does not match the tensor shapes \(3-6-4-2\)/.test(e.message));
});

test("CLI: a PyTorch file loads with FILE@activation, prints its notes once on stderr; a non-MLP tensor exits 2 naming it", () => {
  const run = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
  const ok = run(["hessian", "--net", `${join(DIR, "f16.safetensors")}@tanh`, "--data", join(DIR, "f16.csv"), "--json"]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok(Math.abs(JSON.parse(ok.stdout).loss - ref("f16").R) <= 1e-12 * ref("f16").R);
  assert.equal(ok.stderr.match(/embedscape: note: .*F16 tensors .* upcast exactly to float64/g)?.length, 1, ok.stderr);
  const nb = run(["hessian", "--net", `${join(DIR, "bias-false.safetensors")}@tanh`, "--data", join(DIR, "bias-false.csv"), "--json"]);
  assert.equal(nb.status, 0, nb.stderr);
  assert.equal(JSON.parse(nb.stdout).parameters, 4 * 2 + 4 + 3 * 4 + 3 + 3 + 1, "θ holds the added zero biases");
  assert.match(nb.stderr, /embedscape: note: .*bias=False/);
  // a BatchNorm-style state dict: one line, exit 2, naming the tensor
  const dir = mkdtempSync(join(tmpdir(), "es-sd-"));
  const good = readFileSync(join(DIR, "fc-names.safetensors"));
  const n = Number(good.readBigUInt64LE(0));
  const header = JSON.parse(good.subarray(8, 8 + n).toString()) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
  header["fc2.weight"].shape = [24]; // a 1-D "weight" (as in BatchNorm/LayerNorm)
  const hb = Buffer.from(JSON.stringify(header));
  const bad = Buffer.concat([Buffer.alloc(8), hb, good.subarray(8 + n)]);
  bad.writeBigUInt64LE(BigInt(hb.length), 0);
  writeFileSync(join(dir, "bn.safetensors"), bad);
  const r = run(["hessian", "--net", `${join(dir, "bn.safetensors")}@tanh`, "--data", join(DIR, "fc-names.csv"), "--json"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^embedscape: .*tensor "fc2\.weight" has shape \[24\]: a Linear weight is 2-D/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});

test("PyTorch takes a saved-back net with strict load_state_dict into the original model class", { skip: torchMissing }, () => {
  const dir = mkdtempSync(join(tmpdir(), "es-sd-"));
  const names = ["fc-names", "modulelist", "prefix", "flatten", "bias-false", "bf16"];
  const args = names.flatMap((name) => {
    const out = join(dir, `${name}.safetensors`);
    saveNet(out, load(name));
    return [name, out, join(DIR, `${name}.csv`)];
  });
  const res = spawnSync(PY, [SCRIPT, "check", ...args], { encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  const R = JSON.parse(res.stdout) as Record<string, number>;
  for (const name of names) assert.ok(Math.abs(R[name] - ref(name).R) <= 1e-12 * ref(name).R, `${name}: ${R[name]} vs ${ref(name).R}`);
});
