/**
 * Sweeps of independent cells (sub-path `embedscape/sweep`; not a namespace of the root, which stays free of
 * BullMQ): canonical keys, the executor registry, the SQLite store, the local and distributed runners.
 */
export { canonicalJson, cellKey, sha256 } from "./canonical.js";
export { checkOutcome, executeCell, makeCell, payloadOf, PayloadError, type Cell, type CellOutcome, type CellPayload } from "./cell.js";
export { executorKinds, findExecutor, loadExecutors, registerExecutor, executorModules, type Executor } from "./registry.js";
export { existingStore, SweepStore, STORE_FILE, type Mismatch, type RecordOutcome, type StoredFailure, type StoredResult } from "./store.js";
export type { RunOptions, RunSummary, SweepProgress, SweepRunner } from "./runner.js";
export { LocalRunner } from "./local.js";
export { connectionOptions, DEFAULT_QUEUE_NAME, QueueRunner, startWorker, type QueueAddress, type QueueTuning, type WorkerHandle } from "./queue.js";
export { runCells, spread, sweepName, SweepIncomplete } from "./run-cells.js";
