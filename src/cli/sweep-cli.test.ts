import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliResult } from "../testing/cli.js";

const dir = mkdtempSync(join(tmpdir(), "embedscape-sweep-cli-"));
const cli = (...args: string[]): CliResult => runCli(args, { cwd: dir });

test("CLI reproduce condensation --runs 2: a local sweep into its folder, resumable, counted by sweep status", () => {
  const args = ["reproduce", "condensation", "--widths", "1,3", "--runs", "2", "--steps", "60", "--cores", "2", "--sweep-dir", "s1", "--out", "c.html", "--json"];
  const r = cli(...args);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.sweep.runner, "local");
  assert.ok(existsSync(join(dir, "s1", "sweep.sqlite")));
  assert.deepEqual(j.perWidth.map((w: { runs: number }) => w.runs), [2, 2]);
  const again = cli(...args);
  assert.equal(again.code, 0, again.err);
  assert.equal(JSON.stringify(JSON.parse(again.out)), JSON.stringify(j)); // resumed from the store: same numbers
  const s = cli("sweep", "status", "--sweep-dir", "s1", "--json");
  assert.equal(s.code, 0, s.err);
  const st = JSON.parse(s.out);
  assert.deepEqual([st.cells, st.done, st.failed, st.pending, st.mismatches], [4, 4, 0, 0, 0]);
  const resume = cli("sweep", "run", "--sweep-dir", "s1", "--json");
  assert.equal(resume.code, 0, resume.err);
  assert.equal(JSON.parse(resume.out).computed, 0);
});

test("CLI reproduce mnist-prune --seeds: one cell per seed, median and spread of the width after pruning next to 58", () => {
  const r = cli("reproduce", "mnist-prune", "--seeds", "0..1", "--train", "100", "--width", "12", "--steps", "8", "--retrain", "2", "--sweep-dir", "e6", "--out", "e6.html", "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.seeds.map((s: { seed: number }) => s.seed), [0, 1]);
  const w = j.seeds.map((s: { widthAfter: number }) => s.widthAfter).sort((a: number, b: number) => a - b);
  assert.equal(j.widthAfter.median, (w[0] + w[1]) / 2);
  assert.equal(j.paperWidthAfter, 58);
  assert.ok(w[1] <= 12 && w[0] >= 1);
  assert.equal(cli("reproduce", "mnist-prune", "--seeds", "0..1", "--save-wide", "w.json").code, 2);
});

test("CLI worker and sweep: bad input is one line and exit code 2", () => {
  const cases: Array<[string[], RegExp]> = [
    [["worker", "--queue", "http://127.0.0.1:6379"], /^embedscape: --queue must start with redis:\/\/ or rediss:\/\//],
    [["worker", "--queue", "redis://127.0.0.1:1", "--queue-password-file", "nope.txt"], /^embedscape: --queue-password-file: cannot read nope.txt: ENOENT/],
    [["worker", "--queue", "redis://127.0.0.1:1", "--concurrency", "0"], /^embedscape: --concurrency must be at least 1/],
    [["worker"], /required option '--queue <url>'/],
    [["sweep", "status", "--sweep-dir", "no-such"], /^embedscape: no-such is not a sweep folder/],
    [["reproduce", "condensation", "--queue", "redis://h:x", "--sweep-dir", "never"], /^embedscape: --queue must be a URL/],
    [["reproduce", "mnist-prune", "--seeds", "0..2", "--queue", "redis://h", "--queue-password-file", "nope", "--sweep-dir", "never"], /^embedscape: --queue-password-file: cannot read/],
  ];
  for (const [args, re] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
  }
  assert.ok(!existsSync(join(dir, "never")), "flags are checked before the sweep folder is created");
});
