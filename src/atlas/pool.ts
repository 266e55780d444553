import os from "node:os";
import { Piscina } from "piscina";
import { runCell, type CellResult, type CellTask } from "./cells.js";
import type { CellRunner } from "./run-core.js";
import { makeCell } from "../sweep/cell.js";
import { loadExecutors } from "../sweep/registry.js";
import type { SweepRunner } from "../sweep/runner.js";
import type { SweepStore } from "../sweep/store.js";
import { GoalNotReached } from "../util/errors.js";
import { decodeCellResult, encodeTask } from "./sweep-executor.js";

export type { CellRunner };

export function defaultJobs(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/**
 * Runs atlas cells on worker threads (piscina), one cell per task, results delivered as each finishes.
 * Small and swappable: when the sweep runner (src/sweep/) lands, a `CellRunner` over it replaces this one.
 * `jobs = 1` runs in the calling thread (no worker start-up; what the tests and the single-core benchmark use).
 */
export function createRunner(jobs = defaultJobs()): CellRunner {
  if (jobs <= 1) {
    return {
      async run(tasks, onResult) {
        for (const t of tasks) {
          onResult(t, runCell(t));
          await new Promise((r) => setImmediate(r)); // let signals and progress through
        }
      },
      async close() {},
    };
  }
  const pool = new Piscina({ filename: new URL("./worker.js", import.meta.url).href, minThreads: jobs, maxThreads: jobs, idleTimeout: 60_000 });
  return {
    async run(tasks, onResult) {
      await Promise.all(tasks.map((t) => (pool.run(t) as Promise<CellResult>).then((r) => onResult(t, r))));
    },
    async close() {
      await pool.destroy();
    },
  };
}

/**
 * Atlas cells through a sweep runner (`atlas run --queue`: BullMQ workers on any machines): each task becomes an
 * `atlas-cell` sweep cell, results are kept in the sweep's own store (`store`, beside the atlas database) and handed to
 * `onResult` as they arrive; a task whose result the sweep store already holds (a coordinator that was killed) is
 * handed over from there without running again.
 */
export function createSweepCellRunner(runner: SweepRunner, store: SweepStore, log?: (s: string) => void): CellRunner {
  return {
    async run(tasks, onResult) {
      await loadExecutors();
      const cells = tasks.map((t) => makeCell("atlas-cell", encodeTask(t)));
      const byKey = new Map(cells.map((c, i) => [c.key, tasks[i]]));
      const delivered = new Set<string>();
      const deliver = (key: string, text: string, seconds: number): void => {
        if (delivered.has(key)) return;
        delivered.add(key);
        const r = decodeCellResult(JSON.parse(text));
        r.seconds = seconds;
        onResult(byKey.get(key)!, r);
      };
      for (const c of cells) { const r = store.result(c.key); if (r) deliver(c.key, r.result, r.seconds); }
      const summary = await runner.run(store, cells, { onResult: (c, o) => deliver(c.key, o.result, o.seconds), ...(log ? { log } : {}) });
      for (const c of cells) { const r = store.result(c.key); if (r) deliver(c.key, r.result, r.seconds); }
      if (summary.failed > 0) {
        const reasons = new Map(store.failures().map((f) => [f.key, f.reason]));
        const first = cells.find((c) => reasons.has(c.key));
        throw new GoalNotReached(`${summary.failed} atlas cell(s) gave up on the queue (reasons in ${store.path}); first: ${first ? reasons.get(first.key) : "?"}`);
      }
    },
    close: async () => { await runner.close(); store.close(); },
  };
}
