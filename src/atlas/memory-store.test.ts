import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { grid1d } from "../data/synthetic.js";
import { runAtlas } from "./atlas.js";
import { cellKey, defaultSettings, runCell, type CellTask } from "./cells.js";

const cellKeyOf = (t: CellTask): string => cellKey(t.cell);
import { exportAtlas } from "./export.js";
import { MemoryAtlasStore } from "./memory-store.js";
import { runAtlasOn, type CellRunner } from "./run-core.js";
import { AtlasStore } from "./store.js";

const inProcess: CellRunner = {
  async run(tasks: CellTask[], onResult) { for (const t of tasks) onResult(t, runCell(t)); },
  async close() {},
};

test("an atlas built in memory exports exactly what the SQLite atlas exports for the same settings (sets, ids, counts, edges, θ)", async () => {
  const data = grid1d("cos2x", 9);
  const settings = defaultSettings({ data: "grid:cos2x:9", widths: [1, 2, 3], seeds: 1 });
  const path = join(mkdtempSync(join(tmpdir(), "atlas-mem-")), "a.sqlite");
  await runAtlas(settings, data, path, { jobs: 1 });
  const st = AtlasStore.open(path);
  const fromDb = JSON.parse(JSON.stringify(exportAtlas(st)));
  const dbRuns = st.runs().map((r) => r.key);
  st.close();
  const mem = new MemoryAtlasStore(settings, data);
  const summary = await runAtlasOn(mem, settings, data, inProcess);
  const fromMem = JSON.parse(JSON.stringify(exportAtlas(mem)));
  assert.deepEqual(fromMem, fromDb);
  assert.deepEqual(mem.runs().map((r) => r.key), dbRuns);
  // real content: every width has sets, embeddings connect the widths, ids run 1..n
  assert.equal(summary.sets, fromDb.sets.length);
  for (const w of [1, 2, 3]) assert.ok(fromDb.sets.some((s: { width: number }) => s.width === w), `width ${w}`);
  assert.ok(fromDb.edges.some((e: { kind: string }) => e.kind === "embedding"));
  assert.deepEqual(fromDb.sets.map((s: { id: number }) => s.id), fromDb.sets.map((_: unknown, i: number) => i + 1));
  // committing a finished cell again changes nothing
  const cell = { width: 1, source: "train" as const, seed: 0, params: { optimizer: "adam", scale: 0.3 } };
  assert.ok(mem.isDone(cell));
  const runs = mem.runs().length;
  mem.commit(cell, runCell({ cell, settings, data: { ...data, x: Float64Array.from(data.x), y: Float64Array.from(data.y) } }), settings, () => null);
  assert.equal(mem.runs().length, runs);
});

test("results are committed in plan order: a runner finishing cells in reverse gives the same atlas; a stashed result survives an interruption and is not run again", async () => {
  const data = grid1d("cos2x", 9);
  const settings = defaultSettings({ data: "grid:cos2x:9", widths: [1, 2], seeds: 2 });
  const dir = mkdtempSync(join(tmpdir(), "atlas-order-"));
  await runAtlas(settings, data, join(dir, "in-order.sqlite"), { jobs: 1 });
  const exported = (path: string): unknown => { const st = AtlasStore.open(path); try { return JSON.parse(JSON.stringify(exportAtlas(st))); } finally { st.close(); } };
  const expected = exported(join(dir, "in-order.sqlite"));
  // finishes every batch last-first (as worker threads may)
  const reversed: CellRunner = {
    async run(tasks, onResult) { for (const t of [...tasks].reverse()) onResult(t, runCell(t)); },
    async close() {},
  };
  await runAtlas(settings, data, join(dir, "reversed.sqlite"), { runner: reversed });
  assert.deepEqual(exported(join(dir, "reversed.sqlite")), expected);
  // interrupted after the last two results of the first batch (4 cells): they wait in `pending`, nothing is committed early
  let ran = 0;
  const dying: CellRunner = {
    async run(tasks, onResult) {
      for (const t of [...tasks].reverse().slice(0, 2)) { ran++; onResult(t, runCell(t)); }
      throw new Error("killed");
    },
    async close() {},
  };
  const path = join(dir, "resumed.sqlite");
  await assert.rejects(runAtlas(settings, data, path, { runner: dying }), /killed/);
  const st = AtlasStore.open(path);
  assert.equal(st.runs().length, 0);
  const first = [...(st as unknown as { db: { prepare(q: string): { all(): Array<{ key: string }> } } }).db.prepare("SELECT key FROM pending").all()].map((r) => r.key);
  st.close();
  assert.equal(first.length, 2);
  // the resumed run takes the two stashed results and runs only the rest
  const runKeys: string[] = [];
  const counting: CellRunner = {
    async run(tasks, onResult) { for (const t of tasks) { runKeys.push(cellKeyOf(t)); onResult(t, runCell(t)); } },
    async close() {},
  };
  await runAtlas(settings, data, path, { runner: counting, resume: true });
  for (const k of first) assert.ok(!runKeys.includes(k), `${k} ran again`);
  assert.deepEqual(exported(path), expected);
  assert.equal(ran, 2);
});
