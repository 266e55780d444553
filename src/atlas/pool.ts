import os from "node:os";
import { Piscina } from "piscina";
import { runCell, type CellResult, type CellTask } from "./cells.js";

/**
 * Runs atlas cells on worker threads (piscina), one cell per task, results delivered as each finishes.
 * Small and swappable: when the sweep runner (src/sweep/) lands, a `CellRunner` over it replaces this one.
 * `jobs = 1` runs in the calling thread (no worker start-up; what the tests and the single-core benchmark use).
 */
export interface CellRunner {
  run(tasks: CellTask[], onResult: (task: CellTask, result: CellResult) => void): Promise<void>;
  close(): Promise<void>;
}

export function defaultJobs(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

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
