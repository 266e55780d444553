import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { netToJson } from "../io/net-json.js";
import { fixtureC } from "../nn/fixtures.js";
import { formatDataCsv } from "../data/csv.js";
import { findChromium, renderInChromium } from "../report/browser.js";
import { runCli, type CliResult } from "../testing/cli.js";

const dir = mkdtempSync(join(tmpdir(), "embedscape-slice-"));
const cli = (...args: string[]): CliResult => runCli(args, { cwd: dir });
writeFileSync(join(dir, "c.json"), netToJson(fixtureC().net));
writeFileSync(join(dir, "c.csv"), formatDataCsv(fixtureC().data));

test("CLI slice: the critical family of a split is flat, the saddle's escape axis goes down, the report draws both", () => {
  assert.equal(cli("embed", "--net", "c.json", "--one-step", "1:1:0.5", "--out", "w.json").code, 0);
  const r = cli("slice", "--net", "w.json", "--data", "c.csv", "--narrow", "c.json", "--dir", "family", "--dir", "hessian", "--range", "-0.05,0.05", "--points", "5", "--json", "--report", "s.html");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.directions.map((d: { kind: string }) => d.kind), ["family", "hessian"]);
  assert.ok(j.directions[1].eigenvalue < 0, "fixture C split at α = 0.5 is a strict saddle (SPEC §8.3)");
  const mid = j.plane.loss[2]; // t = 0: along the family only
  for (const L of mid) assert.ok(Math.abs(L - j.loss0) <= 1e-14, `family row ${L - j.loss0}`);
  assert.ok(j.plane.loss[0][2] < j.loss0 && j.plane.loss[4][2] < j.loss0, "escape direction lowers R");
  assert.ok(existsSync(join(dir, "s.html")));
  if (findChromium()) {
    const page = renderInChromium(join(dir, "s.html"));
    assert.ok(page.ok && page.consoleErrors.length === 0, page.consoleErrors.join("\n"));
    assert.match(page.dom, /2-D slice/);
    assert.ok((page.dom.match(/<path/g) ?? []).length > 5, "contours drawn");
    assert.doesNotMatch(page.dom, /NaN/);
  }
  const line = cli("slice", "--net", "c.json", "--data", "c.csv", "--to", "w.json", "--json");
  assert.equal(line.code, 2, "nets of different widths"); // the error names the parameter counts
  assert.match(line.err, /^embedscape: the target net has 7 parameters, this one 4\n$/);
});

test("CLI slice: bad requests are one line, exit 2", () => {
  for (const args of [
    ["--dir", "bogus"], ["--dir", "random", "--dir", "random", "--dir", "random"], ["--dir", "family"], ["--range", "1"],
    ["--range", "1,0"], ["--points", "1"], ["--biases", "none"], ["--report", "x.png"], ["--dir", "toward"],
  ]) {
    const r = cli("slice", "--net", "c.json", "--data", "c.csv", ...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, /^embedscape: [^\n]+\n$/);
  }
});
