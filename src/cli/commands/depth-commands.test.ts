import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { formatDataCsv } from "../../data/csv.js";
import { saveNet, loadNet } from "../../io/files.js";
import { fixtureE } from "../../nn/fixtures.js";

const MAIN = resolve("dist/cli/main.js");
const run = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });

test("CLI lift → layers → prune-layer round trip on fixture E, and one-line errors with exit code 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "embedscape-depth-"));
  try {
    const { net, data } = fixtureE();
    const N = join(dir, "e.json"), D = join(dir, "e.csv"), DEEP = join(dir, "deep.json"), BACK = join(dir, "back.json");
    saveNet(N, net);
    writeFileSync(D, formatDataCsv(data));
    const r = run(["lift", "--net", N, "--data", D, "--after", "1", "--width", "2", "--A", "2,1,0.5,1.5", "--c", "0.3,0.7", "--out", DEEP, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.exact, true);
    assert.ok(Math.abs(j.margin - 1.3) < 1e-12);
    assert.deepEqual(j.checks.inertiaDeep, { neg: 0, zero: 8, pos: 5 });
    assert.ok(j.checks.gradNormDeep < 1e-13);
    assert.equal(j.liftedSet.dimension, 6);
    assert.deepEqual(loadNet(DEEP).arch.widths, [1, 2, 2, 1]);
    const l = run(["layers", "--net", DEEP, "--data", D, "--json"]);
    assert.equal(l.status, 0, l.stderr);
    assert.deepEqual(JSON.parse(l.stdout).layers.map((x: { linearized: boolean }) => x.linearized), [false, true]);
    const p = run(["prune-layer", "--net", DEEP, "--data", D, "--layer", "2", "--out", BACK, "--json"]);
    assert.equal(p.status, 0, p.stderr);
    const pj = JSON.parse(p.stdout);
    assert.ok(pj.exactOnTrain && pj.outputDiffTrain < 1e-13);
    assert.deepEqual(loadNet(BACK).arch.widths, [1, 2, 1]);
    const bad = run(["lift", "--net", N, "--data", D, "--after", "1", "--width", "2", "--A", "1,-1,0,1", "--c", "0.2,0.5"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /leave their affine piece/);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
    const np = run(["prune-layer", "--net", DEEP, "--data", D, "--layer", "1"]);
    assert.equal(np.status, 2);
    assert.match(np.stderr, /not linear on the data/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
