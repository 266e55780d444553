/**
 * Sweep scaling and queue overhead (`npm run build:bench && node dist-bench/sweep.js [--quick]`; also run by
 * `npm run bench`). On this machine: the same cells with 1 and 2 local worker threads and with 1 and 2
 * `embedscape worker` processes on a private redis-server (efficiency = T₁ / (2·T₂)), and the queue's overhead per
 * cell against the local runner on tiny cells. Prints one JSON line per measurement.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeCell, type Cell } from "../dist/sweep/cell.js";
import { LocalRunner } from "../dist/sweep/local.js";
import { QueueRunner } from "../dist/sweep/queue.js";
import { redisServerBinary, startLocalRedis } from "../dist/testing/redis-server.js";
import { loadExecutors } from "../dist/sweep/registry.js";
import type { SweepRunner } from "../dist/sweep/runner.js";
import { SweepStore } from "../dist/sweep/store.js";

const quick = process.argv.includes("--quick");
const main = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "embedscape-bench-sweep-"));
const emit = (r: Record<string, unknown>): void => void process.stdout.write(JSON.stringify({ bench: "sweep", ...r }) + "\n");
const base = { lr: 0.05, scale: 0.01, points: 41, seed: 0, threshold: 0.99, lowAmplitude: 0.01, referenceLoss: 1e-3 };

/** Medium cells (≈0.5 s each): 1-8-1 nets, 10,000 GD steps. Tiny cells (≈1 ms): 1-1-1, 10 steps. */
function cells(tag: number, n: number, tiny: boolean): Cell[] {
  // `seed` differs per measurement so no result is reused from an earlier store or queue
  return Array.from({ length: n }, (_, run) => makeCell("condensation-run", { ...base, seed: tag, width: tiny ? 1 : 8, steps: tiny ? 10 : 10000, run }));
}

async function timed(runner: SweepRunner, cs: Cell[], name: string): Promise<number> {
  const store = new SweepStore(join(tmp, name));
  const s = await runner.run(store, cs, { log: () => {} });
  if (s.done !== cs.length || s.computed !== cs.length) throw new Error(`${name}: ${JSON.stringify(s)} ${JSON.stringify(store.failures().slice(0, 2))}`);
  store.close();
  return s.seconds;
}

function startWorkers(url: string, queue: string, n: number): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: n }, () => new Promise<ChildProcess>((resolve, reject) => {
    const p = spawn(process.execPath, [main, "worker", "--queue", url, "--queue-name", queue, "--concurrency", "1"], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    p.stderr!.on("data", (d: Buffer) => { log += d.toString(); if (/serving queue/.test(log)) resolve(p); });
    p.on("exit", (c) => reject(new Error(`worker exited (${c}): ${log}`)));
  })));
}
async function stop(ps: ChildProcess[]): Promise<void> {
  await Promise.all(ps.map((p) => new Promise<void>((r) => { p.removeAllListeners("exit"); p.once("exit", () => r()); p.kill("SIGTERM"); })));
}

await loadExecutors();
const nMedium = quick ? 8 : 16, nTiny = quick ? 100 : 400;
// local runner
for (const threads of [1, 2]) {
  const r = new LocalRunner({ threads });
  await timed(r, cells(1000 + threads, 2, true), `warm-local-${threads}`); // thread start-up outside the timing
  const t = await timed(r, cells(10 + threads, nMedium, false), `local-${threads}`);
  emit({ case: "local", threads, cells: nMedium, seconds: t, secondsPerCell: t / nMedium });
  if (threads === 1) {
    const tt = await timed(r, cells(100, nTiny, true), "local-tiny");
    emit({ case: "local_tiny", threads, cells: nTiny, seconds: tt, msPerCell: (1000 * tt) / nTiny });
  }
  await r.close();
}
if (!redisServerBinary()) emit({ case: "queue", skipped: "redis-server not installed" });
else {
  const redis = await startLocalRedis();
  try {
    for (const workers of [1, 2]) {
      const q = `bench-${workers}`;
      const ws = await startWorkers(redis.url, q, workers);
      const r = new QueueRunner({ url: redis.url, queueName: q, scanMs: 500, log: () => {} });
      await timed(r, cells(2000 + workers, 2 * workers, true), `warm-queue-${workers}`); // sandbox threads start
      const t = await timed(r, cells(20 + workers, nMedium, false), `queue-${workers}`);
      emit({ case: "queue", workers, cells: nMedium, seconds: t, secondsPerCell: t / nMedium });
      if (workers === 1) {
        const tt = await timed(r, cells(200, nTiny, true), "queue-tiny");
        emit({ case: "queue_tiny", workers, cells: nTiny, seconds: tt, msPerCell: (1000 * tt) / nTiny });
      }
      await r.close();
      await stop(ws);
    }
  } finally { await redis.dispose(); }
}
rmSync(tmp, { recursive: true, force: true });
