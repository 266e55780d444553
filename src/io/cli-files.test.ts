import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fixtureB } from "../nn/fixtures.js";
import { loadNet, saveNet } from "./files.js";

const MAIN = resolve("dist/cli/main.js");
const run = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });

test("CLI: hessian reads a .safetensors net; truncated/corrupt files and unknown data specs exit 2 with one line", () => {
  const dir = mkdtempSync(join(tmpdir(), "es-clif-"));
  const net = join(dir, "b.safetensors");
  saveNet(net, fixtureB().net);
  const ok = run(["hessian", "--net", net, "--data", "grid:cos2x:9", "--json"]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).inertia, { neg: 0, zero: 0, pos: 7 }, "fixture B's minimum (SPEC §8.2)");
  const bytes = readFileSync(net);
  const bad: [string, Uint8Array, RegExp][] = [
    ["truncated", bytes.subarray(0, bytes.length - 5), /trailing|past the data section|needs/],
    ["header length", (() => { const b = Uint8Array.from(bytes); b[7] = 0x7f; return b; })(), /header length/],
  ];
  for (const [what, b, re] of bad) {
    const p = join(dir, `${what.replace(" ", "-")}.safetensors`);
    writeFileSync(p, b);
    const r = run(["hessian", "--net", p, "--data", "grid:cos2x:9", "--json"]);
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, re, what);
    assert.equal(r.stderr.trim().split("\n").length, 1, `${what}: one line`);
  }
  const r = run(["hessian", "--net", net, "--data", "mnist:0", "--json"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /mnist/);
  assert.deepEqual(loadNet(net).arch.widths, [1, 2, 1]);
});
