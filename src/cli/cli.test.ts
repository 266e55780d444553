import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { netToJson } from "../io/net-json.js";
import { fixtureC } from "../nn/fixtures.js";
import { formatDataCsv } from "../data/csv.js";
import { findChromium, renderInChromium } from "../report/browser.js";
import { assertBadInput, runCli, type CliResult } from "../testing/cli.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(join(tmpdir(), "embedscape-cli-"));

const cli = (...args: string[]): CliResult => runCli(args, { cwd: dir });



test("CLI: train on fixture B's data then critical reaches ‖∇R‖ ≤ 1e-12 with a clear-cut inertia", () => {
  const tr = cli("train", "--arch", "1-2-1", "--activation", "tanh", "--loss", "mse", "--data", "grid:cos2x:9", "--steps", "6000",
    "--optimizer", "adam", "--lr", "1e-2", "--seed", "1", "--out", "b.json");
  assert.equal(tr.code, 0, tr.err);
  const cr = cli("critical", "--net", "b.json", "--data", "grid:cos2x:9", "--tol", "1e-12", "--out", "b2.json", "--json");
  assert.equal(cr.code, 0, cr.err);
  const j = JSON.parse(cr.out);
  assert.ok(j.gradNorm <= 1e-12, `gradNorm ${j.gradNorm}`);
  assert.deepEqual(j.inertia, { neg: 0, zero: 0, pos: 7 });
  assert.ok(Math.abs(j.loss - 0.00807449414994) < 1e-13);
  assert.ok(j.clear && typeof j.tolerance === "number" && typeof j.iterations === "number" && "gap" in j);
  assert.ok(existsSync(join(dir, "b2.json")));
  const h = cli("hessian", "--net", "b2.json", "--data", "grid:cos2x:9", "--json", "--eigenvalues");
  assert.equal(h.code, 0, h.err);
  const hj = JSON.parse(h.out);
  assert.equal(hj.eigenvalues.length, 7);
  assert.ok(Math.abs(hj.eigenvalues[0] - 0.001702262638) < 1e-11);
});

test("CLI: critical at fixture C's θ = (1, 0.6, 1, 0) reports ‖∇R‖ ≤ 1e-12 and inertia (0,0,4)", () => {
  const { net, data } = fixtureC();
  writeFileSync(join(dir, "c.json"), netToJson(net));
  writeFileSync(join(dir, "c.csv"), formatDataCsv(data));
  const r = cli("critical", "--net", "c.json", "--data", "c.csv", "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.ok(j.gradNorm <= 1e-12);
  assert.deepEqual(j.inertia, { neg: 0, zero: 0, pos: 4 });
});

test("CLI: bad input gives exit code 2 and one line naming the problem", () => {
  const { net, data } = fixtureC();
  writeFileSync(join(dir, "good.json"), netToJson(net));
  writeFileSync(join(dir, "good.csv"), formatDataCsv(data));
  writeFileSync(join(dir, "trunc.json"), netToJson(net).slice(0, 40));
  writeFileSync(join(dir, "wrongtheta.json"), JSON.stringify({ ...JSON.parse(netToJson(net)), theta: [1, 2] }));
  writeFileSync(join(dir, "badact.json"), JSON.stringify({ ...JSON.parse(netToJson(net)), arch: { widths: [1, 1, 1], activation: "swish9", loss: "mse" } }));
  writeFileSync(join(dir, "nan.csv"), "x1,y1\n1,2\nNaN,3\n");
  writeFileSync(join(dir, "ragged.csv"), "x1,y1\n1,2\n3\n");
  writeFileSync(join(dir, "two.csv"), "x1,x2,y1\n1,2,3\n4,5,6\n");
  writeFileSync(join(dir, "inf.json"), '{"x": [[1], [2]], "y": [[1], [1e999]]}');
  writeFileSync(join(dir, "notjson.json"), "{x: 1");
  assertBadInput(cli("critical", "--net", "trunc.json", "--data", "good.csv"), /not valid JSON/);
  assertBadInput(cli("critical", "--net", "wrongtheta.json", "--data", "good.csv"), /2 entries .* needs 4/);
  assertBadInput(cli("critical", "--net", "badact.json", "--data", "good.csv"), /unknown activation "swish9"/);
  assertBadInput(cli("critical", "--net", "good.json", "--data", "nan.csv"), /not a finite number/);
  assertBadInput(cli("critical", "--net", "good.json", "--data", "ragged.csv"), /line 3 has 1 fields/);
  assertBadInput(cli("critical", "--net", "good.json", "--data", "two.csv"), /2 input column\(s\) but the net 1-1-1 expects 1/);
  assertBadInput(cli("critical", "--net", "good.json", "--data", "inf.json"), /not a finite number|not valid JSON|number/);
  assertBadInput(cli("critical", "--net", "good.json", "--data", "notjson.json"), /not valid JSON/);
  assertBadInput(cli("critical", "--net", "missing.json", "--data", "good.csv"), /does not exist/);
  assertBadInput(cli("critical", "--net", "good.json", "--data", "nope.csv"), /cannot read "nope.csv"/);
  assertBadInput(cli("critical", "--net", "good.json"), /--data is required/);
  assertBadInput(cli("critical", "--net", "good.json", "--data", "good.csv", "--tol", "abc"), /--tol needs a number/);
  assertBadInput(cli("train", "--arch", "1-x-1", "--data", "good.csv", "--out", "o.json"), /not a list of positive integer widths/);
  assertBadInput(cli("train", "--arch", "1-2-1", "--activation", "swish", "--data", "good.csv", "--out", "o.json"), /unknown activation/);
  assertBadInput(cli("train", "--arch", "1-2-1", "--data", "good.csv", "--out", "o.json", "--steps", "-3"), /--steps must be at least 0/);
  assertBadInput(cli("train", "--arch", "1-2-1", "--data", "good.csv", "--out", "o.json", "--lr", "0"), /--lr must be positive/);
  assertBadInput(cli("train", "--arch", "1-2-1", "--data", "good.csv", "--out", "o.txt"), /unknown format/);
  assertBadInput(cli("train", "--arch", "1-2-1", "--data", "good.csv"), /--out is required/);
  assertBadInput(cli("hessian", "--net", "good.json", "--data", "good.csv", "--bogus"), /unknown option '--bogus'/);
  assertBadInput(cli("frobnicate"), /unknown command|too many arguments/);
});

test("CLI: Ctrl-C saves a checkpoint; --resume finishes to the same net as an uninterrupted run", async () => {
  const args = ["train", "--arch", "1-5-1", "--data", "grid:cos2x:50", "--steps", "300000", "--optimizer", "adam", "--lr", "1e-3"];
  const full = cli(...args, "--out", "full.json");
  assert.equal(full.code, 0, full.err);
  // interrupt as soon as the progress bar shows the run is under way
  const r = await new Promise<{ status: number | null; stderr: string }>((res) => {
    const child = spawn(process.execPath, [MAIN, ...args, "--out", "cut.json"], { cwd: dir, env: { ...process.env, EMBEDSCAPE_PROGRESS: "1" } });
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      if (!sent && stderr.includes("train [")) { sent = true; child.kill("SIGINT"); }
    });
    child.on("close", (status) => res({ status, stderr }));
  });
  assert.equal(r.status, 130, `interrupted run exits 130: ${r.stderr}`);
  assert.match(r.stderr, /interrupted at step \d+; checkpoint saved/);
  assert.ok(existsSync(join(dir, "cut.json.checkpoint.json")) && !existsSync(join(dir, "cut.json")));
  const resumed = cli(...args, "--out", "cut.json", "--resume");
  assert.equal(resumed.code, 0, resumed.err);
  assert.ok(!existsSync(join(dir, "cut.json.checkpoint.json")), "checkpoint removed after completion");
  const a = JSON.parse(readFileSync(join(dir, "full.json"), "utf8")).theta;
  const b = JSON.parse(readFileSync(join(dir, "cut.json"), "utf8")).theta;
  assert.deepEqual(b, a);
  // --resume before any checkpoint exists (a job killed before its first one) starts from step 0, saying so
  const fresh = cli("train", "--arch", "1-5-1", "--data", "grid:cos2x:50", "--steps", "10", "--out", "never.json", "--resume");
  assert.equal(fresh.code, 0, fresh.err);
  assert.match(fresh.err, /no checkpoint at never\.json\.checkpoint\.json yet; starting from step 0/);
  assert.ok(existsSync(join(dir, "never.json")));
});

test("demo: runs end to end and writes a report that renders in headless Chromium", { skip: findChromium() ? false : "chromium not installed" }, () => {
  const r = cli("demo", "--out", "demo.html");
  assert.equal(r.code, 0, r.err);
  // seed 1, 2000 Adam steps: fixture B's minimum, and its witness split is a strict saddle of the 1-3-1 net
  assert.match(r.out, /inertia     \(n₋, n₀, n₊\) = \(0, 0, 7\)/);
  assert.match(r.out, /1-2-1 strict local minimum \(0,0,7\) → split neuron \d of layer 1 with α = 0\.5 → 1-3-1 strict saddle \(1,1,8\) \(predicted \(1,1,8\)/);
  const html = readFileSync(join(dir, "demo.html"), "utf8");
  assert.match(html, /<svg/);
  const page = renderInChromium(join(dir, "demo.html"));
  assert.ok(page.ok, "chromium exit status");
  assert.deepEqual(page.consoleErrors, []);
  assert.match(page.dom, /certified critical point/);
  assert.match(page.dom, /<b>a strict local minimum<\/b>/);
  assert.match(page.dom, /0\.00807449414994/);
  assert.match(page.dom, /\(1, 1, 8\)/);
});

test("a reader that closes the pipe early (| head, grep -q) ends the output quietly: exit 0, no stack trace", () => {
  for (let i = 0; i < 5; i++) {
    const r = spawnSync("bash", ["-o", "pipefail", "-c", `"${process.execPath}" "${MAIN}" doctor | head -n 1`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^backend /);
    assert.doesNotMatch(r.stderr, /EPIPE|at .*\.js:\d+/);
  }
});
