import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJson, cellKey, sha256 } from "./canonical.js";
import { checkOutcome, executeCell, makeCell, payloadOf, PayloadError, type Cell } from "./cell.js";
import { LocalRunner } from "./local.js";
import { loadExecutors } from "./registry.js";
import { runCells, spread, SweepIncomplete } from "./run-cells.js";
import { SweepStore } from "./store.js";
import { connectionOptions, reconnectDelay } from "./queue.js";
import { condensationExperiment } from "../experiments/condensation/condensation-1d.js";
import { condensationSweep } from "../experiments/condensation/sweeps.js";
import { InputError } from "../util/errors.js";

const dir = mkdtempSync(join(tmpdir(), "embedscape-sweep-unit-"));
const base = { steps: 300, lr: 0.05, scale: 0.01, points: 21, seed: 0, threshold: 0.99, lowAmplitude: 0.01 };

test("canonical JSON: key order does not matter, −0 and every float64 survive, non-finite numbers are refused", () => {
  assert.equal(canonicalJson({ b: 1, a: [0.1, { d: true, c: null }] }), '{"a":[0.1,{"c":null,"d":true}],"b":1}');
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  const xs = [-0, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, -1 / 3, 2 ** 53 + 2];
  const back = JSON.parse(canonicalJson(xs)) as number[];
  xs.forEach((x, i) => assert.ok(Object.is(back[i], x), `${x}`));
  assert.equal(canonicalJson(Float64Array.of(1.5, -0)), "[1.5,-0]");
  assert.throws(() => canonicalJson({ a: [1, NaN] }), /non-finite number NaN at \$\.a\[1\]/);
  assert.throws(() => canonicalJson({ f: () => 1 }), /cannot encode a function/);
  assert.notEqual(cellKey("k", 1, { a: 1 }), cellKey("k", 2, { a: 1 }));
  assert.notEqual(cellKey("k", 1, { a: 1 }), cellKey("k", 1, { a: 1.0000000000000002 }));
  assert.equal(cellKey("k", 1, { a: 1, b: 2 }), cellKey("k", 1, { b: 2, a: 1 }));
});

test("cells: the key hashes the full canonical specification; invalid parameters are refused", async () => {
  await loadExecutors();
  const c = makeCell("condensation-run", { width: 2, run: 0, ...base });
  assert.equal(c.key, sha256(canonicalJson({ kind: "condensation-run", version: 1, params: c.params })));
  assert.throws(() => makeCell("condensation-run", { width: 0, run: 0, ...base }), InputError);
  assert.throws(() => makeCell("condensation-run", { width: 2, run: 0, ...base, extra: 1 }), /Unrecognized key/);
  assert.throws(() => makeCell("no-such-kind", {}), /unknown experiment kind/);
});

test("executeCell: a valid payload runs and hashes its canonical result; malformed, mis-keyed or foreign ones never run", async () => {
  const c = makeCell("condensation-run", { width: 2, run: 0, ...base });
  const o = await executeCell(payloadOf(c), c.key);
  assert.equal(o.key, c.key);
  assert.equal(o.hash, sha256(o.result));
  assert.equal((JSON.parse(o.result) as { width: number }).width, 2);
  assert.deepEqual(checkOutcome(o, c.key), o);
  const bad: Array<[unknown, RegExp, string?]> = [
    [null, /payload rejected: top level/],
    [{ ...payloadOf(c), v: 2 }, /payload rejected: v:/],
    [{ ...payloadOf(c), kind: "../x" }, /payload rejected: kind:/],
    [{ ...payloadOf(c), kind: "shell" }, /unknown experiment kind "shell"/],
    [{ ...payloadOf(c), version: 7 }, /version 7, this worker runs version 1/],
    [{ ...payloadOf(c), script: "rm -rf /" }, /Unrecognized key/],
    [{ ...payloadOf(c), params: { ...c.params, width: 2.5 } }, /condensation-run parameters: width/],
    [{ ...payloadOf(c), params: { ...c.params, steps: 301 } }, /hashes to [0-9a-f]{12}…, not to the job id/, c.key],
    [{ ...payloadOf(c), params: { ...c.params, pad: "x".repeat(70000) } }, /larger than 65536 characters for condensation-run/],
    [{ ...payloadOf(c), kind: "any", pad: "x".repeat(17 * 1024 * 1024) }, /larger than 16777216 characters$/],
  ];
  for (const [p, re, key] of bad) await assert.rejects(executeCell(p, key), (e: Error) => e instanceof PayloadError && re.test(e.message), String(re));
  assert.throws(() => checkOutcome({ ...o, hash: sha256("x") }, c.key), /hash does not match/);
  assert.throws(() => checkOutcome(o, "0".repeat(64)), /names cell/);
  assert.throws(() => checkOutcome({ ...o, extra: 1 }, c.key), PayloadError);
});

test("store: insert-or-ignore by key; an equal duplicate is harmless, a different one is a recorded mismatch; failures clear on success", async () => {
  const s = new SweepStore(join(dir, "store"));
  const c = makeCell("condensation-run", { width: 1, run: 0, ...base });
  const c2 = makeCell("condensation-run", { width: 1, run: 1, ...base });
  s.addCells([c, c2, c]);
  assert.deepEqual(s.pending().map((x) => x.key), [c.key, c2.key]);
  const o = { key: c.key, result: "[1]", hash: sha256("[1]"), worker: "a:1", backend: "pure-ts", seconds: 0.1 };
  assert.equal(s.record(o), "stored");
  assert.equal(s.record({ ...o, worker: "b:2" }), "duplicate");
  assert.equal(s.record({ ...o, result: "[1.0000000000000002]", hash: sha256("[1.0000000000000002]"), worker: "c:3", backend: "openblas" }), "mismatch");
  assert.equal(s.result(c.key)!.worker, "a:1");
  assert.deepEqual(s.mismatches().map((m) => [m.storedWorker, m.newWorker, m.newBackend]), [["a:1", "c:3", "openblas"]]);
  s.fail(c2.key, "boom", 3);
  assert.deepEqual(s.pending().map((x) => x.key), []);
  assert.deepEqual(s.pending(true).map((x) => x.key), [c2.key]);
  s.record({ ...o, key: c2.key });
  assert.deepEqual(s.counts(), { cells: 2, done: 2, failed: 0, mismatches: 1, pending: 0 });
  s.close();
});

test("local runner: the E2/E3 sweep on worker threads is bit-identical to the in-process experiment, and resumes", async () => {
  const opts = { widths: [1, 2, 3, 5], runs: 2, steps: 400 };
  const store = new SweepStore(join(dir, "local"));
  const runner = new LocalRunner({ threads: 2 });
  try {
    const seen: string[] = [];
    const viaSweep = await condensationSweep(opts, runner, store, { onResult: (cell, o) => { assert.equal(cell.key, o.key); seen.push(o.key); } });
    assert.equal(new Set(seen).size, 8);
    assert.equal(canonicalJson(viaSweep), canonicalJson(condensationExperiment(opts))); // every float64 bit
    assert.equal(store.counts().done, 8);
    const again = await runner.run(store, store.pending());
    assert.equal(again.computed, 0);
    // a cell no worker may run (a version this build does not have) fails with its reason, and runCells says so
    const foreign: Cell = { ...makeCell("condensation-run", { width: 1, run: 5, ...base }), version: 99 };
    await assert.rejects(runCells(runner, store, [foreign], { log: () => {} }), (e: Error) => e instanceof SweepIncomplete && /version 99/.test(e.message));
    assert.match(store.failures()[0].reason, /PayloadError: payload rejected: condensation-run version 99/);
  } finally {
    await runner.close();
    store.close();
  }
});

test("spread: median, quartiles and range", () => {
  assert.deepEqual(spread([58, 50, 61, 55]), { n: 4, median: 56.5, min: 50, max: 61, q1: 53.75, q3: 58.75 });
  assert.deepEqual(spread([3]), { n: 1, median: 3, min: 3, max: 3, q1: 3, q3: 3 });
});

test("queue addresses: redis:// and rediss:// with password file; bad URLs are input errors; backoff is bounded", () => {
  const a = connectionOptions({ url: "redis://user:p%40ss@10.0.0.5:6380/2", log: () => {} });
  assert.equal(a.where, "redis://10.0.0.5:6380/2");
  assert.deepEqual({ ...(a.connection as Record<string, unknown>), retryStrategy: undefined }, { host: "10.0.0.5", port: 6380, db: 2, username: "user", password: "p@ss", maxRetriesPerRequest: null, retryStrategy: undefined });
  const pw = join(dir, "pw");
  writeFileSync(pw, "s3cret\nignored\n");
  const b = connectionOptions({ url: "rediss://cache.example:6379", passwordFile: pw, log: () => {} }).connection as Record<string, unknown>;
  assert.equal(b.password, "s3cret");
  assert.deepEqual(b.tls, { servername: "cache.example" });
  assert.throws(() => connectionOptions({ url: "http://x:1" }), /must start with redis:\/\/ or rediss:\/\//);
  assert.throws(() => connectionOptions({ url: "not a url" }), InputError);
  assert.throws(() => connectionOptions({ url: "redis://h", passwordFile: join(dir, "missing") }), /cannot read .*ENOENT/);
  assert.throws(() => connectionOptions({ url: "redis://h", caFile: pw }), /needs a rediss:\/\/ queue/);
  const lines: string[] = [];
  const rs = (connectionOptions({ url: "redis://h:1", log: (s) => lines.push(s) }).connection as { retryStrategy(n: number): number }).retryStrategy;
  assert.deepEqual([1, 2, 3, 7, 100].map(reconnectDelay), [500, 1000, 2000, 15000, 15000]);
  assert.equal(rs(2), 1000);
  assert.equal(rs(2), 1000);
  assert.deepEqual(lines, ["embedscape: no connection to Redis at redis://h:1; reconnecting in 1.0 s (attempt 2)"]);
});



