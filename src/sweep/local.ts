import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { Piscina } from "piscina";
import { payloadOf, type Cell, type CellOutcome } from "./cell.js";
import { tally, toRun, tracker, type RunOptions, type RunSummary, type SweepRunner } from "./runner.js";
import type { SweepStore } from "./store.js";

/** Attempts per cell in the local runner for an error that is not a refused payload (a refused one is not retried). */
const LOCAL_ATTEMPTS = 2;

/**
 * Runs cells on this machine's cores: a piscina pool of worker threads (default: one per available core), each
 * running `thread.js`; the main thread only writes results to the store, so nothing else has to be installed.
 */
export class LocalRunner implements SweepRunner {
  readonly name = "local";
  readonly threads: number;
  private pool: Piscina;

  constructor(opts: { threads?: number } = {}) {
    this.threads = opts.threads ?? availableParallelism();
    this.pool = new Piscina({ filename: new URL("./thread.js", import.meta.url).href, minThreads: this.threads, maxThreads: this.threads, idleTimeout: 1000 });
  }

  async run(store: SweepStore, cells: Cell[], opts: RunOptions = {}): Promise<RunSummary> {
    const t0 = performance.now();
    store.addCells(cells);
    const todo = toRun(store, cells, opts.retryFailed ?? false);
    const log = opts.log ?? ((s: string) => void process.stderr.write(s + "\n"));
    let computed = 0, duplicates = 0, mismatches = 0;
    const total = new Set(cells.map((c) => c.key)).size;
    const track = tracker(store, cells, opts.onProgress);
    track.report();
    await Promise.all(todo.map(async (c) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const o = (await this.pool.run({ payload: payloadOf(c), key: c.key })) as CellOutcome | { rejected: string };
          if ("rejected" in o) { store.fail(c.key, `PayloadError: ${o.rejected}`, attempt); track.mark(c.key, "failed"); log(`sweep: cell ${c.key.slice(0, 12)}… refused: ${o.rejected}`); break; }
          const r = store.record(o, attempt);
          track.mark(c.key, "done");
          if (r === "stored") { computed++; opts.onResult?.(c, o); } else if (r === "duplicate") duplicates++; else { mismatches++; log(`sweep: determinism failure: cell ${c.key.slice(0, 12)}… gave a different result than the stored one`); }
          break;
        } catch (e) {
          const err = e as Error;
          if (attempt >= LOCAL_ATTEMPTS) { store.fail(c.key, `${err?.name ?? "Error"}: ${err?.message ?? String(e)}`, attempt); track.mark(c.key, "failed"); log(`sweep: cell ${c.key.slice(0, 12)}… failed: ${err?.message}`); break; }
        }
      }
    }));
    const t = tally(store, cells);
    return { cells: total, ...t, computed, duplicates, mismatches, seconds: (performance.now() - t0) / 1000 };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
