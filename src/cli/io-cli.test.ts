import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { formatDataCsv } from "../data/csv.js";
import { saveThetaNpy } from "../io/npy.js";
import { netToSafetensors, writeSafetensors } from "../io/safetensors.js";
import { fixtureC } from "../nn/fixtures.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(join(tmpdir(), "embedscape-io-cli-"));
after(() => rmSync(dir, { recursive: true }));

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", cwd: dir, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("CLI with safetensors and .npy nets", () => {
  const { net, data } = fixtureC();
  writeFileSync(join(dir, "c.csv"), formatDataCsv(data));
  writeFileSync(join(dir, "c.safetensors"), netToSafetensors(net));
  writeFileSync(join(dir, "c.npy"), saveThetaNpy(net));
  const L = (i: number) => ({ name: `${2 * i}.weight`, shape: [net.arch.widths[i + 1], net.arch.widths[i]] });

  it("the same Hessian inertia from .safetensors, .npy@arch@act@loss and a metadata-free safetensors@act@loss", () => {
    // a PyTorch-style export without metadata: the same tensors, no __metadata__
    const theta = Array.from(net.theta), w0 = net.arch.widths;
    const P0 = w0[1] * w0[0];
    writeFileSync(join(dir, "plain.safetensors"), writeSafetensors([
      { ...L(0), data: theta.slice(0, P0) }, { name: "0.bias", shape: [w0[1]], data: theta.slice(P0, P0 + w0[1]) },
      { ...L(1), data: theta.slice(P0 + w0[1], P0 + w0[1] + w0[2] * w0[1]) }, { name: "2.bias", shape: [w0[2]], data: theta.slice(P0 + w0[1] + w0[2] * w0[1]) },
    ]));
    const spec = `${w0.join("-")}@${net.arch.activation}@${net.arch.loss}`;
    const results = [["c.safetensors"], [`c.npy@${spec}`], [`plain.safetensors@${net.arch.activation}@${net.arch.loss}`]].map(([f]) => {
      const r = cli("hessian", "--net", f, "--data", "c.csv", "--json");
      assert.equal(r.code, 0, `${f}: ${r.err}`);
      return JSON.parse(r.out);
    });
    assert.deepEqual(results[0].inertia, { neg: 0, zero: 0, pos: 4 }); // fixture C's minimum (SPEC §8)
    for (const r of results) assert.deepEqual(r, results[0]);
  });

  it("critical --out x.safetensors writes a net that loads back with the certified gradient norm", () => {
    const r = cli("critical", "--net", "c.safetensors", "--data", "c.csv", "--out", "c2.safetensors", "--json");
    assert.equal(r.code, 0, r.err);
    const c = JSON.parse(r.out);
    assert.ok(c.gradNorm <= 1e-12, `gradNorm ${c.gradNorm}`);
    const h = cli("hessian", "--net", "c2.safetensors", "--data", "c.csv", "--json");
    assert.equal(h.code, 0, h.err);
    const hj = JSON.parse(h.out);
    assert.deepEqual(hj.inertia, c.inertia);
    assert.equal(hj.loss, c.loss);
  });

  it("bad net files exit 2 with one line naming the problem", () => {
    const good = readFileSync(join(dir, "c.safetensors"));
    writeFileSync(join(dir, "trunc.safetensors"), good.subarray(0, good.length - 5));
    for (const [net, re] of [
      ["trunc.safetensors", /trunc\.safetensors: .*(past the|bytes after)/],
      ["c.npy", /a \.npy net holds only θ; the architecture must be given/],
      ["c.npy@1-5-1@tanh@mse", /θ has 4 entries but architecture 1-5-1 needs 16/],
      ["plain.safetensors", /no embedscape metadata/],
      ["c.safetensors@relu@mse", /the file says activation tanh but relu was given/],
      ["missing.npy@1-1-1@tanh@mse", /file "missing\.npy" does not exist/],
    ] as const) {
      const r = cli("hessian", "--net", net, "--data", "c.csv", "--json");
      assert.equal(r.code, 2, `${net}: ${r.err}`);
      const lines = r.err.trim().split("\n");
      assert.equal(lines.length, 1, r.err);
      assert.match(lines[0], /^embedscape: /);
      assert.match(lines[0], re, net);
    }
  });
});
