import type { Cell, CellOutcome } from "./cell.js";
import type { SweepStore } from "./store.js";

/** Progress of a running sweep (cells of this call). */
export interface SweepProgress {
  done: number;
  failed: number;
  total: number;
}

export interface RunOptions {
  onProgress?: (p: SweepProgress) => void;
  /** Also rerun cells whose earlier runs gave up (default false: a recorded failure stays). */
  retryFailed?: boolean;
  /** Called for every result this call stores (results already in the store before the call: read them with `store.result`). */
  onResult?: (cell: Cell, outcome: CellOutcome) => void;
  /** One line per notable event (a cell retried, a mismatch, a lost connection); default stderr. */
  log?: (line: string) => void;
}

/** What one `run` call did. */
export interface RunSummary {
  /** Cells asked for. */
  cells: number;
  /** Of them, with a result in the store now. */
  done: number;
  /** Of them, given up (reason in the store). */
  failed: number;
  /** Results computed by this call (the rest were in the store already). */
  computed: number;
  /** Results that arrived for a cell already stored: equal hashes. */
  duplicates: number;
  /** … different hashes (recorded in the store's mismatches). */
  mismatches: number;
  seconds: number;
}

/**
 * Runs the cells of a sweep into its store; two implementations: `LocalRunner` (worker threads on this machine's
 * cores) and `QueueRunner` (BullMQ workers on any number of machines). Both skip cells already in the store, so an
 * interrupted call simply resumes when called again with the same cells.
 */
export interface SweepRunner {
  readonly name: string;
  run(store: SweepStore, cells: Cell[], opts?: RunOptions): Promise<RunSummary>;
  close(): Promise<void>;
}

/** Cells of `cells` that still need a run (deduplicated by key, in order). */
export function toRun(store: SweepStore, cells: Cell[], retryFailed: boolean): Cell[] {
  const want = new Set(cells.map((c) => c.key));
  return store.pending(retryFailed).filter((c) => want.has(c.key));
}

/** Tally the store's state for `cells`. */
export function tally(store: SweepStore, cells: Cell[]): { done: number; failed: number } {
  const failedKeys = new Set(store.failures().map((f) => f.key));
  let done = 0, failed = 0;
  for (const key of new Set(cells.map((c) => c.key))) { if (store.result(key)) done++; else if (failedKeys.has(key)) failed++; }
  return { done, failed };
}

/**
 * Counts of `cells` as a run goes: read from the store once, then updated per cell (no query per event, so
 * progress stays O(1) per result however large the sweep).
 */
export function tracker(store: SweepStore, cells: Cell[], onProgress?: (p: SweepProgress) => void): { mark(key: string, state: "done" | "failed"): void; report(): void } {
  const keys = new Set(cells.map((c) => c.key));
  const failedKeys = new Set(store.failures().map((f) => f.key).filter((k) => keys.has(k)));
  const done = new Set<string>(), failed = new Set<string>();
  for (const k of keys) { if (store.result(k)) done.add(k); else if (failedKeys.has(k)) failed.add(k); }
  const report = (): void => onProgress?.({ done: done.size, failed: failed.size, total: keys.size });
  return {
    mark(key, state) { if (state === "done") { failed.delete(key); done.add(key); } else if (!done.has(key)) failed.add(key); report(); },
    report,
  };
}
