import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fixtureB } from "../nn/fixtures.js";
import { InputError } from "../util/errors.js";
import { parseNetSpec } from "./net-spec.js";
import { saveThetaNpy } from "./npy.js";
import { netToSafetensors } from "./safetensors.js";

describe("net specs PATH@parts", () => {
  it("classifies parts by form, in any order", () => {
    assert.deepEqual(parseNetSpec("a/b.json"), { path: "a/b.json", opts: {} });
    assert.deepEqual(parseNetSpec("x@y/t.safetensors@relu@cross-entropy"), { path: "x@y/t.safetensors", opts: { activation: "relu", loss: "cross-entropy" } });
    const npy = parseNetSpec("t.npy@mse@1-50-1@leaky-relu:0.2");
    assert.equal(npy.path, "t.npy");
    assert.deepEqual(npy.opts.arch, { widths: [1, 50, 1], activation: "leaky-relu:0.2", loss: "mse" });
    assert.equal(parseNetSpec("t.npy@2-3-1@gelu").opts.arch?.loss, "mse");
    for (const [spec, re] of [["t.npy@1-2-1", /give the activation too/], ["t.npy@tanh@relu", /two activations/], ["t.npy@1-2-1@@tanh", /empty part/], ["t.npy@1-2-1@swish", /unknown activation "swish"/]] as const) {
      assert.throws(() => parseNetSpec(spec), (e: unknown) => e instanceof InputError && re.test(e.message), spec);
    }
  });

  it("CLI: hessian on fixture B from a .npy θ and from a metadata-free safetensors equals the .safetensors result", () => {
    const dir = mkdtempSync(join(tmpdir(), "es-spec-"));
    const run = (net: string) => spawnSync(process.execPath, [resolve("dist/cli/main.js"), "hessian", "--net", net, "--data", "grid:cos2x:9", "--json"], { encoding: "utf8" });
    try {
      const { net } = fixtureB();
      writeFileSync(join(dir, "b.safetensors"), netToSafetensors(net));
      writeFileSync(join(dir, "b.npy"), saveThetaNpy(net));
      // a plain PyTorch-style export: same tensors, no __metadata__ (rebuilt header, same data section)
      const full = netToSafetensors(net);
      const n = Number(new DataView(full.buffer).getBigUint64(0, true));
      const header = JSON.parse(new TextDecoder().decode(full.subarray(8, 8 + n)));
      delete header.__metadata__;
      const head = new TextEncoder().encode(JSON.stringify(header));
      const plain = new Uint8Array(8 + head.length + full.length - 8 - n);
      new DataView(plain.buffer).setBigUint64(0, BigInt(head.length), true);
      plain.set(head, 8); plain.set(full.subarray(8 + n), 8 + head.length);
      writeFileSync(join(dir, "plain.safetensors"), plain);
      const outs = [join(dir, "b.safetensors"), `${join(dir, "b.npy")}@1-2-1@tanh@mse`, `${join(dir, "plain.safetensors")}@tanh`].map((p) => {
        const r = run(p);
        assert.equal(r.status, 0, `${p}: ${r.stderr}`);
        return JSON.parse(r.stdout);
      });
      assert.deepEqual(outs[0].inertia, { neg: 0, zero: 0, pos: 7 }, "fixture B's minimum (SPEC §8.2)");
      for (const o of outs) assert.deepEqual(o, outs[0]);
      for (const [p, re] of [[join(dir, "b.npy"), /holds only θ; give the architecture \(CLI: --net .*b\.npy@1-50-1@tanh@mse\)/], [`${join(dir, "b.npy")}@1-3-1@tanh`, /θ has 7 entries, architecture 1-3-1 needs 10/], [`${join(dir, "nope.npy")}@1-2-1@tanh`, /file ".*nope\.npy" does not exist/]] as const) {
        const r = run(p);
        assert.equal(r.status, 2, `${p}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split("\n").length, 1);
        assert.match(r.stderr, re, p);
      }
    } finally { rmSync(dir, { recursive: true }); }
  });
});
