import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { netToJson } from "../io/net-json.js";
import { fixtureB, fixtureD } from "../nn/fixtures.js";
import { formatDataCsv } from "../data/csv.js";
import { findChromium, renderInChromium } from "../report/browser.js";
import { runCli, type CliResult } from "../testing/cli.js";

const dir = mkdtempSync(join(tmpdir(), "embedscape-embed-"));
const cli = (...args: string[]): CliResult => runCli(args, { cwd: dir });
writeFileSync(join(dir, "d.json"), netToJson(fixtureD().net));
writeFileSync(join(dir, "d.csv"), formatDataCsv(fixtureD().data));
writeFileSync(join(dir, "b.json"), netToJson(fixtureB().net));
writeFileSync(join(dir, "b.csv"), formatDataCsv(fixtureB().data));

test("CLI embed keeps the interleaved order of --one-step/--null/--split; check reads meta or recovers the embedding", () => {
  const e = cli("embed", "--net", "d.json", "--one-step", "1:1:0.5", "--null", "2", "--split", "1:3:0.2,0.8", "--out", "w.json", "--json");
  assert.equal(e.code, 0, e.err);
  const j = JSON.parse(e.out);
  // --split 1:3 refers to the neuron appended by the first step: only valid because the order is kept
  assert.deepEqual(j.wide, [1, 4, 3, 1]);
  assert.deepEqual(j.embedding.pi, [[1, 2, 1, 1], [1, 2, 0]]);
  const c = cli("check", "--narrow", "d.json", "--wide", "w.json", "--data", "d.csv", "--json");
  assert.equal(c.code, 0, c.err);
  const r = JSON.parse(c.out);
  assert.equal(r.embedding.source, "meta");
  assert.ok(r.outputMaxDiff < 1e-14 && r.gradNorm.wide < 1e-14, c.out);
  assert.deepEqual(r.inertia.narrow, { neg: 3, zero: 0, pos: 10 });
  assert.deepEqual(r.inertia.predicted, r.inertia.wide);
  assert.equal(r.irreversible, true);
  // strip the metadata: the embedding is recovered from the two nets
  const raw = JSON.parse(readFileSync(join(dir, "w.json"), "utf8"));
  delete raw.meta;
  writeFileSync(join(dir, "w2.json"), JSON.stringify(raw));
  const c2 = JSON.parse(cli("check", "--narrow", "d.json", "--wide", "w2.json", "--data", "d.csv", "--json").out);
  assert.equal(c2.embedding.source, "recovered");
  assert.deepEqual(c2.inertia.wide, r.inertia.wide);
});

test("CLI one-step on fixture B gives (1,1,8); truly-bad finds a verified witness", () => {
  assert.equal(cli("embed", "--net", "b.json", "--one-step", "1:1:0.5", "--out", "bw.json").code, 0);
  const r = JSON.parse(cli("check", "--narrow", "b.json", "--wide", "bw.json", "--data", "b.csv", "--json").out);
  assert.deepEqual(r.inertia.wide, { neg: 1, zero: 1, pos: 8 });
  const t = cli("truly-bad", "--net", "b.json", "--data", "b.csv", "--json");
  assert.equal(t.code, 0, t.err);
  const tb = JSON.parse(t.out);
  assert.equal(tb.N0, true);
  assert.equal(tb.strictSaddleWitness.verified, true);
  assert.deepEqual(tb.strictSaddleWitness.measured, { neg: 1, zero: 1, pos: 8 });
});

test("CLI embed: bad steps exit 2 with one line naming the problem", () => {
  for (const [args, pat] of [
    [["--one-step", "2:1:0.5"], /output layer/],
    [["--one-step", "1:5:0.5"], /neuron 5 is out of range/],
    [["--split", "1:1:0.5,0.6"], /sum to 1\.1/],
    [["--one-step", "1:1:nan"], /needs a number/],
    [["--one-step", "1:1"], /L:S:α/],
    [[], /at least one/],
  ] as Array<[string[], RegExp]>) {
    const r = cli("embed", "--net", "b.json", ...args, "--out", "x.json");
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err.trim().split("\n").length, 1);
    assert.match(r.err, pat);
  }
  const big = cli("check", "--narrow", "b.json", "--wide", "bw.json", "--data", "b.csv", "--max-params", "8");
  assert.equal(big.code, 2);
  assert.match(big.err, /dense Hessian of a net with 10 parameters; the limit is 8/);
});

test("reproduce hessian-embedding: (a) 0 → 1 → 2 negatives, predictions match, report renders in headless Chromium", { skip: findChromium() ? false : "chromium not installed" }, () => {
  const r = cli("reproduce", "hessian-embedding", "--out", "e5.html", "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.cases[0].negatives, [0, 1, 2]);
  assert.deepEqual(j.cases[0].inertia, ["(0, 0, 7)", "(1, 1, 8)", "(2, 2, 9)"]);
  for (const c of j.cases) assert.deepEqual(c.matches, [true, true], `${c.name}: §2.9 prediction`);
  const html = readFileSync(join(dir, "e5.html"), "utf8");
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, /<script/);
  const page = renderInChromium(join(dir, "e5.html"));
  assert.ok(page.ok, "chromium exit status");
  assert.deepEqual(page.consoleErrors, []);
  assert.match(page.dom, /Certificate of the width-2 critical point/);
  assert.match(page.dom, /\(b\) Iris/);
});
