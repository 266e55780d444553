/**
 * The distributed runner against a real redis-server (started here on 127.0.0.1, a free port, appendonly yes,
 * its own temporary folder): worker processes killed with SIGKILL mid-cell, Redis killed and restarted mid-sweep,
 * malformed payloads refused with a stored reason; every cell ends exactly once in the store and bit-identical to
 * a local run. Without redis-server the tests fail when CI=true and are skipped (with a message) otherwise.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { makeCell, type Cell } from "./cell.js";
import { LocalRunner } from "./local.js";
import { connectionOptions, QueueRunner } from "./queue.js";
import { redisServerBinary, startLocalRedis, type LocalRedis } from "../testing/redis-server.js";
import { loadExecutors } from "./registry.js";
import { SweepStore } from "./store.js";

const haveRedis = redisServerBinary() !== null;
const skip = haveRedis ? false : "redis-server not installed (apt-get install redis-server); the queue tests are skipped";
if (!haveRedis && process.env.CI === "true") {
  test("redis-server is installed (required in CI)", () => assert.fail("redis-server not found: CI must install it (.ci/run)"));
} else if (!haveRedis) process.stderr.write(`sweep: ${skip}\n`);

const main = fileURLToPath(new URL("../cli/main.js", import.meta.url));
const FAST = ["--lock-duration", "1500", "--stalled-interval", "500", "--max-stalled", "3"];
let redis: LocalRedis;
let tmp: string;
let cells: Cell[];
let local: SweepStore;

interface Proc { p: ChildProcess; log: string; exited: Promise<void> }
function worker(url: string, queueName: string, extra: string[] = []): Proc {
  const p = spawn(process.execPath, [main, "worker", "--queue", url, "--queue-name", queueName, "--concurrency", "1", ...FAST, ...extra], { stdio: ["ignore", "ignore", "pipe"] });
  const w: Proc = { p, log: "", exited: new Promise((r) => p.on("exit", () => r())) };
  p.stderr!.on("data", (d: Buffer) => { w.log += d.toString(); });
  return w;
}
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) { if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 50)); }
}
async function stopAll(ws: Proc[]): Promise<void> {
  for (const w of ws) if (w.p.exitCode === null && w.p.signalCode === null) w.p.kill("SIGTERM");
  await Promise.all(ws.map((w) => w.exited));
}
/** Every cell once in `store`, no failures or mismatches, and the same bits as the local run. */
function assertSameAsLocal(store: SweepStore): void {
  const c = store.counts();
  assert.deepEqual({ cells: c.cells, done: c.done, failed: c.failed, mismatches: c.mismatches }, { cells: cells.length, done: cells.length, failed: 0, mismatches: 0 });
  const rs = store.results();
  assert.equal(new Set(rs.map((r) => r.key)).size, cells.length);
  for (const cell of cells) {
    const a = store.result(cell.key)!, b = local.result(cell.key)!;
    assert.equal(a.hash, b.hash, `cell ${cell.key.slice(0, 12)} differs from the local run`);
    assert.equal(a.result, b.result);
  }
}

before(async () => {
  if (!haveRedis) return;
  await loadExecutors();
  tmp = mkdtempSync(join(tmpdir(), "embedscape-sweep-"));
  redis = await startLocalRedis();
  const base = { steps: 6000, lr: 0.05, scale: 0.01, points: 41, seed: 0, threshold: 0.99, lowAmplitude: 0.01, referenceLoss: 1e-3 };
  cells = [3, 8].flatMap((width) => [0, 1, 2, 3, 4].map((run) => makeCell("condensation-run", { width, run, ...base })));
  local = new SweepStore(join(tmp, "local"));
  const lr = new LocalRunner({ threads: 2 });
  await lr.run(local, cells);
  await lr.close();
});
after(async () => {
  if (!haveRedis) return;
  local.close();
  await redis.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

test("three workers, one SIGKILLed mid-cell: every cell once, bit-identical to the local run; resubmission adds nothing", { skip, timeout: 120000 }, async () => {
  const store = new SweepStore(join(tmp, "kill"));
  const runner = new QueueRunner({ url: redis.url, queueName: "kill", scanMs: 300, log: () => {} });
  const ws = [worker(redis.url, "kill"), worker(redis.url, "kill"), worker(redis.url, "kill")];
  try {
    const done = runner.run(store, cells);
    await until(() => /started ([0-9a-f]{12})/.test(ws[0].log), 30000, "worker 0 to start a cell");
    const victim = /started ([0-9a-f]{12})/.exec(ws[0].log)![1];
    ws[0].p.kill("SIGKILL");
    await ws[0].exited;
    const summary = await done;
    assert.equal(summary.computed, cells.length);
    assertSameAsLocal(store);
    // the killed worker's cell was finished by another process, after its lock ran out and it was found stalled
    const key = cells.find((c) => c.key.startsWith(victim))!.key;
    assert.notEqual(store.result(key)!.worker.split(":").pop(), String(ws[0].p.pid));
    assert.match(ws[1].log + ws[2].log, /stalled/);
    // a repeated submission adds nothing: the same job ids are all there, completed
    const before = await runner.jobCounts();
    await runner.submit(cells);
    assert.deepEqual(await runner.jobCounts(), before);
    assert.equal(before.completed, cells.length);
    const again = await runner.run(store, cells);
    assert.equal(again.computed, 0);
  } finally {
    await stopAll(ws);
    await runner.close();
    store.close();
  }
});

test("Redis killed and restarted mid-sweep (appendonly): workers and coordinator reconnect, no result lost or doubled", { skip, timeout: 120000 }, async () => {
  const store = new SweepStore(join(tmp, "restart"));
  const lines: string[] = [];
  const runner = new QueueRunner({ url: redis.url, queueName: "restart", scanMs: 300, log: (s) => lines.push(s) });
  const ws = [worker(redis.url, "restart"), worker(redis.url, "restart")];
  try {
    const done = runner.run(store, cells);
    await until(() => store.counts().done >= 2, 60000, "two results");
    await redis.stop("SIGKILL");
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    await done;
    assertSameAsLocal(store);
    assert.match(ws[0].log + ws[1].log + lines.join("\n"), /no connection to Redis at redis:\/\/127\.0\.0\.1:\d+; reconnecting in/);
  } finally {
    await stopAll(ws);
    await runner.close();
    store.close();
  }
});

test("coordinator SIGKILLed mid-sweep and restarted: it resumes from its database and the queue", { skip, timeout: 120000 }, async () => {
  const d = join(tmp, "coord");
  const seed = new SweepStore(d);
  seed.addCells(cells);
  seed.close();
  const coordinator = (): Proc => {
    const p = spawn(process.execPath, [main, "sweep", "run", "--sweep-dir", d, "--queue", redis.url, "--queue-name", "coord", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    const c: Proc = { p, log: "", exited: new Promise((r) => p.on("exit", () => r())) };
    p.stdout!.on("data", (x: Buffer) => { c.log += x.toString(); });
    p.stderr!.on("data", (x: Buffer) => { c.log += x.toString(); });
    return c;
  };
  const ws = [worker(redis.url, "coord"), worker(redis.url, "coord")];
  const watch = new SweepStore(d);
  try {
    const first = coordinator();
    await until(() => watch.counts().done >= 2, 60000, "two results");
    first.p.kill("SIGKILL");
    await first.exited;
    const atKill = watch.counts().done;
    assert.ok(atKill < cells.length, "killed before the end");
    await new Promise((r) => setTimeout(r, 1500)); // workers go on; their results wait in Redis
    const second = coordinator();
    await second.exited;
    assert.equal(second.p.exitCode, 0, second.log);
    const j = JSON.parse(second.log.slice(second.log.indexOf("{"))) as { computed: number };
    assert.equal(j.computed, cells.length - atKill);
    assertSameAsLocal(watch);
  } finally {
    await stopAll(ws);
    watch.close();
  }
});

test("malformed and tampered payloads are refused without running, with the reason stored", { skip, timeout: 120000 }, async () => {
  const store = new SweepStore(join(tmp, "malformed"));
  const runner = new QueueRunner({ url: redis.url, queueName: "malformed", scanMs: 300, log: () => {} });
  const q = new Queue("malformed", { connection: connectionOptions({ url: redis.url, log: () => {} }).connection });
  const two = cells.slice(0, 2);
  try {
    await runner.ready();
    // the job id of a real cell, holding parameters that are not that cell's (schema-valid) …
    await q.add("condensation-run", { v: 1, kind: "condensation-run", version: 1, params: { ...two[0].params, steps: 7000 } }, { jobId: two[0].key, attempts: 3 });
    const done = runner.run(store, two);
    // … a job naming a file as its kind, and one with parameters outside the schema, under ids of no cell
    await q.add("x", { v: 1, kind: "../../../etc/passwd", version: 1, params: {} }, { jobId: "evil-path", attempts: 3 });
    await q.add("condensation-run", { v: 1, kind: "condensation-run", version: 1, params: { ...two[1].params, width: -5, extra: "rm -rf /" } }, { jobId: "evil-params", attempts: 3 });
    const ws = [worker(redis.url, "malformed")];
    try {
      await done;
      // the coordinator records refused jobs of no cell from the queue's failed set (events are not durable)
      let failed = 0;
      for (let t = 0; t < 200 && failed < 3; t++) { failed = await q.getFailedCount(); await new Promise((r) => setTimeout(r, 100)); }
      assert.equal(failed, 3);
      assert.equal((await runner.run(store, two)).computed, 0);
    } finally { await stopAll(ws); }
    const f = store.failures();
    assert.equal(f.length, 1);
    assert.equal(f[0].key, two[0].key);
    assert.match(f[0].reason, /payload rejected: its specification hashes to [0-9a-f]{12}…, not to the job id/);
    assert.equal(f[0].attempts, 1); // refused payloads are not retried
    assert.ok(store.result(two[1].key), "the honest cell still ran");
    const rej = Object.fromEntries(store.rejected().map((r) => [r.job, r.reason]));
    assert.match(rej["evil-path"], /payload rejected: kind: /);
    assert.match(rej["evil-params"], /payload rejected: condensation-run parameters: /);
    writeFileSync(join(tmp, "ok"), ""); // (the folder is still ours: nothing was written elsewhere by a job)
  } finally {
    await q.close();
    await runner.close();
    store.close();
  }
});

test("a worker with --exit-when-idle leaves once the queue stayed empty, with exit code 0", { skip, timeout: 60000 }, async () => {
  const w = worker(redis.url, "idle", ["--exit-when-idle", "1"]);
  await w.exited;
  assert.equal(w.p.exitCode, 0, w.log);
  assert.match(w.log, /the queue stayed empty for 1 s; exiting/);
});

test("a password-protected Redis: --queue-password-file on workers and coordinator; a wrong password is said clearly", { skip, timeout: 60000 }, async () => {
  const secured = await startLocalRedis({ password: "s3cret-pass" });
  const pw = join(tmp, "redis.pass"), wrong = join(tmp, "wrong.pass");
  writeFileSync(pw, "s3cret-pass\n");
  writeFileSync(wrong, "nope\n");
  const store = new SweepStore(join(tmp, "auth"));
  const runner = new QueueRunner({ url: secured.url, passwordFile: pw, queueName: "auth", scanMs: 300, log: () => {} });
  const ws = [worker(secured.url, "auth", ["--queue-password-file", pw]), worker(secured.url, "auth", ["--queue-password-file", wrong]), worker(secured.url, "auth")];
  const intruder = new QueueRunner({ url: secured.url, passwordFile: wrong, queueName: "auth", log: () => {} });
  try {
    const s = await runner.run(store, cells.slice(0, 2));
    assert.equal(s.done, 2);
    assert.equal(store.result(cells[0].key)!.hash, local.result(cells[0].key)!.hash);
    // refused credentials are not retried forever: the worker says so and exits with 2, the coordinator throws
    await Promise.all([ws[1].exited, ws[2].exited]);
    assert.equal(ws[1].p.exitCode, 2);
    assert.match(ws[1].log, /embedscape: Redis at redis:\/\/127\.0\.0\.1:\d+ refused the credentials \(WRONGPASS/);
    assert.equal(ws[2].p.exitCode, 2);
    assert.match(ws[2].log, /refused the credentials \(NOAUTH/);
    assert.doesNotMatch(ws[0].log + ws[1].log + ws[2].log, /s3cret-pass|nope/); // no password in any message
    const other = new SweepStore(join(tmp, "auth-intruder"));
    await assert.rejects(intruder.run(other, cells.slice(0, 1)), /refused the credentials/);
    other.close();
  } finally {
    await intruder.close();
    await stopAll(ws);
    await runner.close();
    store.close();
    await secured.dispose();
  }
});

test("atlas run --queue: atlas cells computed by a queue worker, each bit-identical to a local run of the same cell", { skip, timeout: 120000 }, async () => {
  const dir = join(tmp, "atlas");
  mkdirSync(dir);
  const ws = [worker(redis.url, "atlas")];
  try {
    const r = spawnSync(process.execPath, [main, "atlas", "run", "--data", "grid:cos2x:10", "--widths", "1..2", "--seeds", "2", "--train-steps", "100",
      "--out", join(dir, "a.sqlite"), "--queue", redis.url, "--queue-name", "atlas", "--json"], { encoding: "utf8", timeout: 100000 });
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { runs: number; sets: number };
    assert.ok(summary.runs >= 8 && summary.sets >= 1, r.stdout);
  } finally { await stopAll(ws); }
  const queued = new SweepStore(join(dir, "a.sqlite.sweep"));
  const cellsOf = queued.pending(true).length === 0 ? queued.results().map((x) => x.key) : [];
  assert.equal(cellsOf.length, queued.counts().cells);
  const again = new SweepStore(join(dir, "recheck"));
  const lr = new LocalRunner({ threads: 2 });
  try {
    const cs = cellsOf.map((key) => queued.cell(key)!);
    await lr.run(again, cs);
    for (const c of cs) assert.equal(again.result(c.key)!.hash, queued.result(c.key)!.hash, `atlas cell ${c.key.slice(0, 12)}`);
  } finally {
    await lr.close();
    queued.close();
    again.close();
  }
});
