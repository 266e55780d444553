import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { netToJson } from "../io/net-json.js";
import { createNet, makeArch } from "../nn/arch.js";
import { Rng } from "../util/rng.js";
import { torchDefaultInit } from "../optim/census.js";
import { train } from "../optim/train.js";
import { makeDataset } from "../data/dataset.js";
import { formatDataJson } from "../data/json.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(join(tmpdir(), "embedscape-solver-"));

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", cwd: dir, timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// a 2-4-1 tanh regression net trained a little: ‖∇R‖ ~ 1e-4, not critical (issue case 4)
const rng = new Rng(3);
const xs: number[][] = [], ys: number[] = [];
for (let i = 0; i < 30; i++) { const a = rng.range(-2, 2), b = rng.range(-2, 2); xs.push([a, b]); ys.push(Math.sin(a) * Math.cos(b)); }
const data2 = makeDataset(xs, ys.map((v) => [v]), undefined, "sincos");
writeFileSync(join(dir, "d2.json"), formatDataJson(data2));
const arch241 = makeArch([2, 4, 1], "tanh", "mse");
const trained = train(createNet(arch241, torchDefaultInit([2, 4, 1], 0)), data2, { optimizer: "adam", lr: 1e-2, steps: 1500 });
writeFileSync(join(dir, "n241.json"), netToJson(trained.net));

test("CLI critical (issue case 4): not converged → exit 3 with the JSON still printed; overflow → exit 2, one line, both backends", () => {
  const r = cli(["critical", "--net", "n241.json", "--data", "d2.json", "--max-iter", "0", "--restarts", "0", "--json"]);
  assert.equal(r.code, 3, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.converged, false);
  assert.equal(j.clear, false);
  assert.ok(j.gradNorm > 1e-8);
  writeFileSync(join(dir, "id.json"), netToJson(createNet(makeArch([1, 1, 1], "identity", "mse"), [1e160, 0, 1e-160, 0])));
  writeFileSync(join(dir, "big.json"), netToJson(createNet(makeArch([1, 1, 1], "identity", "mse"), [1e200, 1e200, 1e200, 1e200])));
  writeFileSync(join(dir, "one.json"), JSON.stringify({ x: [[1]], y: [[1]] }));
  for (const backend of ["pure", "native"]) {
    for (const net of ["id.json", "big.json"]) {
      for (const cmd of ["critical", "hessian"]) {
        const o = cli([cmd, "--net", net, "--data", "one.json", "--json"], { EMBEDSCAPE_BACKEND: backend });
        if (backend === "native" && /native backend/i.test(o.err) && o.code === 2) continue; // native not built here
        assert.equal(o.code, 2, `${backend} ${cmd} ${net}: ${o.err}${o.out}`);
        const lines = o.err.trim().split("\n");
        assert.equal(lines.length, 1, o.err);
        assert.match(lines[0], /^embedscape: .*(overflow|Infinity)/);
        assert.doesNotMatch(o.err, /LAPACK|info =|NaN/);
        assert.equal(o.out, "");
      }
    }
  }
});

test("CLI truly-bad and check say first that a non-critical net is not critical (issue case 4)", () => {
  const t = cli(["truly-bad", "--net", "n241.json", "--data", "d2.json"]);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out.split("\n")[0], /^WARNING: the net is NOT a critical point \(‖∇R‖₂ = /);
  assert.doesNotMatch(t.out, /\(strict saddle verified\)/);
  const tj = JSON.parse(cli(["truly-bad", "--net", "n241.json", "--data", "d2.json", "--json"]).out);
  assert.equal(tj.critical.critical, false);
  const e = cli(["embed", "--net", "n241.json", "--one-step", "1:1:0.3", "--out", "w.json"]);
  assert.equal(e.code, 0, e.err);
  const c = cli(["check", "--narrow", "n241.json", "--wide", "w.json", "--data", "d2.json"]);
  assert.equal(c.code, 0, c.err);
  assert.match(c.out.split("\n")[0], /^WARNING: the narrow net is NOT a critical point/);
  // a critical point: no warning
  const cr = cli(["critical", "--net", "n241.json", "--data", "d2.json", "--out", "c241.json", "--json"]);
  if (cr.code === 0) {
    const t2 = cli(["truly-bad", "--net", "c241.json", "--data", "d2.json"]);
    assert.doesNotMatch(t2.out, /WARNING/);
  } else assert.equal(cr.code, 3);
});

test("CLI prune (issue case 5): single-output net reports regression metrics, no argmax agreement, and warns on a tenfold loss", () => {
  const r = cli(["prune", "--net", "n241.json", "--data", "d2.json", "--threshold", "0.2", "--low-amplitude", "0.9", "--json"]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.agreement, null);
  assert.ok(j.widthAfter < j.widthBefore);
  assert.ok(typeof j.outputRmsDiff === "number" && j.outputRmsDiff > 0);
  assert.ok(j.r2 < 1 && Number.isFinite(j.r2));
  assert.ok(j.outputMaxDiffRelative > 0);
  if (j.lossAfter > 10 * j.lossBefore) assert.match(j.warnings.join(" "), /tenfold/);
  assert.ok(j.lossAfter > 10 * j.lossBefore, `this pruning must be lossy: ${j.lossBefore} → ${j.lossAfter}`);
  const text = cli(["prune", "--net", "n241.json", "--data", "d2.json", "--threshold", "0.2", "--low-amplitude", "0.9"]).out;
  assert.match(text, /r² /);
  assert.match(text, /WARNING: the loss grew more than tenfold/);
  assert.doesNotMatch(text, /agreement/);
});

test("CLI train (issue case 6): gd at lr 1e6 diverges → exit 3 with a message", () => {
  const r = cli(["train", "--arch", "1-2-1", "--data", "grid:cos2x:9", "--optimizer", "gd", "--lr", "1e6", "--steps", "50", "--out", "div.json", "--json"]);
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /diverged/);
  const j = JSON.parse(r.out);
  assert.equal(j.diverged, true);
  const ok = cli(["train", "--arch", "1-2-1", "--data", "grid:cos2x:9", "--optimizer", "adam", "--lr", "1e-2", "--steps", "50", "--out", "ok.json"]);
  assert.equal(ok.code, 0, ok.err);
});

test("CLI census: reference protocol, JSON contract, --per-seed, --strict → exit 3 only with unconverged seeds", () => {
  const r = cli(["census", "--arch", "1-2-1", "--data", "grid:cos2x:20", "--seeds", "3", "--adam", "2000", "--lr", "1e-2", "--json", "--per-seed"]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.seeds, 3);
  assert.ok(j.seedsPerSecond > 0);
  assert.equal(j.converged, 3);
  assert.equal(Object.values(j.inertiaCounts as Record<string, number>).reduce((a, b) => a + b, 0), 3);
  for (const k of Object.keys(j.inertiaCounts)) assert.match(k, /^\d+,\d+,\d+$/);
  assert.equal(j.perSeed.length, 3);
  assert.ok(j.perSeed.every((s: { gradNorm: number }) => s.gradNorm <= 1e-12));
  // unconverged seeds (no solver budget): exit 0 without --strict, 3 with it; JSON printed either way
  const lax = cli(["census", "--arch", "1-2-1", "--data", "grid:cos2x:20", "--seeds", "2", "--adam", "10", "--max-iter", "0", "--json"]);
  assert.equal(lax.code, 0, lax.err);
  assert.equal(JSON.parse(lax.out).converged, 0);
  const strict = cli(["census", "--arch", "1-2-1", "--data", "grid:cos2x:20", "--seeds", "2", "--adam", "10", "--max-iter", "0", "--json", "--strict"]);
  assert.equal(strict.code, 3);
  assert.equal(JSON.parse(strict.out).converged, 0);
  const bad = cli(["census", "--arch", "1-2-1", "--data", "grid:cos2x:20", "--seeds", "0"]);
  assert.equal(bad.code, 2);
});
