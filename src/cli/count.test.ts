import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { findChromium, renderInChromium } from "../report/browser.js";
import { reproductions } from "../experiments/registry.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(join(tmpdir(), "embedscape-count-"));

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", cwd: dir, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("count T / G --json print exact values (both forms of T agree)", () => {
  const t = cli("count", "T", "3", "8", "--json");
  assert.equal(t.code, 0, t.err);
  const tj = JSON.parse(t.out);
  assert.equal(tj.value, "46620");
  assert.equal(tj.sumForm, "46620");
  assert.equal(tj.formsAgree, true);
  const g = JSON.parse(cli("count", "G", "2", "5", "--json").out);
  assert.deepEqual([g.quantity, g.r, g.m, g.value], ["G", 2, 5, "30"]);
  const big = JSON.parse(cli("count", "T", "3", "1000", "--json").out);
  assert.equal(big.formsAgree, true);
  assert.equal(big.digits, 603);
  const bell = JSON.parse(cli("count", "T", "1", "5", "--bell", "--json").out);
  assert.deepEqual([bell.quantity, bell.value], ["T_Bell", "151"]);
  assert.match(cli("count", "G", "3", "8").out, /^G\(3, 8\) = 5796$/m);
});

test("count table prints the SPEC §5.3 tables (pretty and JSON; --bell)", () => {
  const pretty = cli("count", "table", "--r", "1..5", "--m", "1..8");
  assert.equal(pretty.code, 0, pretty.err);
  assert.match(pretty.out, /^5\s+–\s+–\s+–\s+–\s+120\s+2520\s+31920\s+317520$/m);
  assert.match(pretty.out, /^4\s+–\s+–\s+–\s+24\s+240\s+1560\s+8400\s+40824$/m);
  const j = JSON.parse(cli("count", "table", "--r", "1..2", "--m", "1..3", "--json").out);
  assert.deepEqual(j, { r: [1, 2], m: [1, 2, 3], T: [["1", "3", "7"], [null, "2", "12"]], G: [["1", "1", "1"], [null, "2", "6"]] });
  const b = JSON.parse(cli("count", "table", "--r", "2", "--m", "2..5", "--bell", "--json").out);
  assert.deepEqual(b.T_Bell, [["2", "12", "62", "320"]]);
  const c = JSON.parse(cli("count", "crossover", "--r", "8,50", "--json").out);
  assert.deepEqual(c.map((x: { rStar: number; h: number; hLargest: number }) => [x.rStar, x.h, x.hLargest]), [[8, 3, 2], [50, 23, 13]]);
});

test("invalid counting arguments: one line on stderr, exit code 2", () => {
  const cases: [string[], RegExp][] = [
    [["count", "T", "5", "3"], /exceeds the width/],
    [["count", "G", "-2", "4"], /negative/],
    [["count", "T", "2.5", "4"], /whole number/],
    [["count", "G", "2", "abc"], /whole number/],
    [["count", "T", "3", "99999999999999999999"], /too large/],
    [["count", "T", "3", "1e400"], /whole number/],
    [["count", "G", "0", "3"], /at least 1/],
    [["count", "table", "--r", "5..1"], /empty/],
    [["count", "table", "--r", "1..100", "--m", "1..100"], /too large/],
    [["count", "table", "--m", "1..2000"], /too large/],
    [["reproduce", "symmetry-path", "--swap", "1,1"], /two different neurons/],
    [["reproduce", "symmetry-path", "--layer", "3"], /hidden layer/],
    [["reproduce", "symmetry-counts", "--h-max", "-3"], /negative/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    const lines = r.err.trim().split("\n");
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0], /^embedscape: /);
    assert.match(lines[0], pattern, args.join(" "));
  }
});

test("reproduce symmetry-counts and symmetry-path write reports that render in Chromium", { skip: findChromium() === null ? "chromium not installed" : false }, () => {
  assert.ok(reproductions.some((r) => r.name === "symmetry-counts") && reproductions.some((r) => r.name === "symmetry-path"));
  const counts = cli("reproduce", "symmetry-counts", "--out", "counts.html", "--r", "3,8,20", "--h-max", "20");
  assert.equal(counts.code, 0, counts.err);
  assert.match(counts.out, /r\* = 8: minima outnumber saddles from h = 3/);
  const rc = renderInChromium(join(dir, "counts.html"));
  assert.ok(rc.ok);
  assert.deepEqual(rc.consoleErrors, []);
  for (const s of ["317520", "126000", "46620", "898128000", "<svg"]) assert.ok(rc.dom.includes(s), `counts report lacks ${s}`);

  const path = cli("reproduce", "symmetry-path", "--out", "path.html", "--arch", "1-3-4-1", "--layer", "2", "--swap", "2,4", "--per-segment", "50");
  assert.equal(path.code, 0, path.err);
  const dev = Number(/max output deviation along the path: (\S+);/.exec(path.out)?.[1]);
  assert.ok(dev >= 0 && dev <= 1e-12, `deviation ${dev}`);
  assert.match(path.out, /\[1, 4, 3, 2, 5\]/);
  const rp = renderInChromium(join(dir, "path.html"));
  assert.ok(rp.ok);
  assert.deepEqual(rp.consoleErrors, []);
  const html = readFileSync(join(dir, "path.html"), "utf8");
  const shown = /<span id="max-dev">([^<]+)<\/span>/.exec(html)?.[1];
  assert.equal(Number(shown), Number(dev.toExponential(3)));
  assert.ok(rp.dom.includes(`<span id="max-dev">${shown}</span>`));
  assert.ok(rp.dom.includes("neuron 2 ← neuron 4"));
  assert.ok(Number(/<span id="direct-dev">([^<]+)<\/span>/.exec(rp.dom)?.[1]) > 1e-3);

  const j = cli("reproduce", "symmetry-path", "--json", "--out", "path2.html", "--per-segment", "20");
  assert.equal(j.code, 0, j.err);
  const summary = JSON.parse(j.out);
  assert.ok(summary.maxOutputDeviation <= 1e-12 && summary.directMaxOutputDeviation > 1e-3);
  assert.deepEqual(summary.permutation, [2, 1, 3, 4, 5]);
});
