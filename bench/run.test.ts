import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

// The benchmark's table is computed from its JSON lines; `--from` re-renders a stored run without timing anything,
// so the summary and the ratios can be checked against the raw lines.
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUN = join(root, "dist-bench", "run.js");
const LINES = join(root, "bench-results", "2026-11-23-large.jsonl");

test("bench --from: the summary and the ratio column follow from the stored JSON lines", () => {
  const r = spawnSync(process.execPath, [RUN, "--from", LINES], { encoding: "utf8", cwd: root, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const summary = r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { case: string; embedscape: number; reference: number; unit: string });
  const d = summary.find((s) => s.case === "hessian_d");
  assert.ok(d, "hessian_d summary");
  assert.equal(d.unit, "s");
  // the summary's embedscape time is the best stored line for that case
  const raw = readFileSync(LINES, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { bench: string; case: string; seconds?: number });
  const times = raw.filter((l) => l.bench === "embedscape" && l.case === "hessian_d").map((l) => l.seconds!);
  assert.ok(times.length >= 2, "one line per thread count");
  assert.equal(d.embedscape, Math.min(...times));
  const row = r.stdout.split("\n").find((l) => l.startsWith("| Hessian+inertia 64-32-10"));
  assert.ok(row, "table row of the 64-32-10 Hessian");
  assert.ok(row.includes(`${(d.embedscape / d.reference).toFixed(2)}× time`), row);
  const gd = summary.find((s) => s.case === "train_a")!;
  assert.ok(r.stdout.split("\n").some((l) => l.startsWith("| GD 1-3-1 tanh") && l.includes(`${(gd.embedscape / gd.reference).toFixed(2)}×`)));
});
