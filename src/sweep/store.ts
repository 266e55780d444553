import Database from "better-sqlite3";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../util/errors.js";
import type { Cell, CellOutcome } from "./cell.js";

/** A result as stored: the canonical JSON text, its hash and where it was computed. */
export interface StoredResult extends CellOutcome {
  attempts: number | null;
  finishedAt: string;
}

/** A cell whose runs gave up, with the last reason (truncated, one line). */
export interface StoredFailure { key: string; reason: string; attempts: number | null; at: string }

/** Two results for one cell with different hashes: a determinism failure (or two numerical engines). */
export interface Mismatch { key: string; storedHash: string; newHash: string; storedWorker: string; newWorker: string; storedBackend: string; newBackend: string; at: string }

/** What `record` did with a result. */
export type RecordOutcome = "stored" | "duplicate" | "mismatch";

/** The file of a sweep's database inside its folder. */
export const STORE_FILE = "sweep.sqlite";

/**
 * A sweep's SQLite database (better-sqlite3, WAL, synchronous=NORMAL: a committed result survives the process being
 * killed at any moment; only an OS crash can roll back the last commits). Cells and results are keyed by cell key;
 * results are insert-or-ignore, and a second result for a stored cell is compared by hash — equal is a harmless
 * duplicate, different is recorded as a mismatch.
 * Only the coordinator (or the local runner) opens it; workers never see it.
 */
export class SweepStore {
  readonly path: string;
  private db: Database.Database;
  private stmts: Record<string, Database.Statement>;

  constructor(dir: string) {
    const d = resolve(dir);
    try { mkdirSync(d, { recursive: true }); } catch (e) { throw new InputError(`cannot create the sweep folder ${d}: ${(e as Error).message}`); }
    this.path = join(d, STORE_FILE);
    try { this.db = new Database(this.path); } catch (e) { throw new InputError(`cannot open ${this.path}: ${(e as Error).message}`); }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL"); // WAL: a commit survives any process being killed; only an OS crash can lose the last ones
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS cells (key TEXT PRIMARY KEY, kind TEXT NOT NULL, version INTEGER NOT NULL, params TEXT NOT NULL, seq INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY REFERENCES cells(key), result TEXT NOT NULL, hash TEXT NOT NULL,
        worker TEXT NOT NULL, backend TEXT NOT NULL, seconds REAL NOT NULL, attempts INTEGER, finished_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS failures (key TEXT PRIMARY KEY REFERENCES cells(key), reason TEXT NOT NULL, attempts INTEGER, at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS mismatches (id INTEGER PRIMARY KEY, key TEXT NOT NULL, stored_hash TEXT NOT NULL, new_hash TEXT NOT NULL,
        stored_worker TEXT, new_worker TEXT, stored_backend TEXT, new_backend TEXT, new_result TEXT NOT NULL, at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS rejected (job TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL);
    `);
    const p = (sql: string): Database.Statement => this.db.prepare(sql);
    this.stmts = {
      addCell: p("INSERT OR IGNORE INTO cells (key, kind, version, params, seq) VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM cells))"),
      insert: p("INSERT OR IGNORE INTO results (key, result, hash, worker, backend, seconds, attempts, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      get: p("SELECT key, result, hash, worker, backend, seconds, attempts, finished_at AS finishedAt FROM results WHERE key = ?"),
      clearFailure: p("DELETE FROM failures WHERE key = ?"),
      fail: p("INSERT OR REPLACE INTO failures (key, reason, attempts, at) VALUES (?, ?, ?, ?)"),
      mismatch: p("INSERT INTO mismatches (key, stored_hash, new_hash, stored_worker, new_worker, stored_backend, new_backend, new_result, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      reject: p("INSERT OR IGNORE INTO rejected (job, reason, at) VALUES (?, ?, ?)"),
      pending: p("SELECT c.key, c.kind, c.version, c.params FROM cells c WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.key = c.key) AND (? OR NOT EXISTS (SELECT 1 FROM failures f WHERE f.key = c.key)) ORDER BY c.seq"),
      hasCell: p("SELECT 1 FROM cells WHERE key = ?"),
    };
  }

  /** Add cells (already present ones are kept, in their first order). */
  addCells(cells: Cell[]): void {
    this.db.transaction(() => { for (const c of cells) this.stmts.addCell.run(c.key, c.kind, c.version, JSON.stringify(c.params)); })();
  }

  /** The stored specification of a cell. */
  cell(key: string): Cell | undefined {
    const r = this.db.prepare("SELECT key, kind, version, params FROM cells WHERE key = ?").get(key) as { key: string; kind: string; version: number; params: string } | undefined;
    return r && { key: r.key, kind: r.kind, version: r.version, params: JSON.parse(r.params) as Record<string, unknown> };
  }

  hasCell(key: string): boolean {
    return this.stmts.hasCell.get(key) !== undefined;
  }

  /** Cells without a result (and, unless `retryFailed`, without a recorded failure), in the order they were added. */
  pending(retryFailed = false): Cell[] {
    return (this.stmts.pending.all(retryFailed ? 1 : 0) as Array<{ key: string; kind: string; version: number; params: string }>)
      .map((r) => ({ key: r.key, kind: r.kind, version: r.version, params: JSON.parse(r.params) as Record<string, unknown> }));
  }

  /**
   * Store a result: insert or ignore by key; when a result was already there, compare hashes and record a mismatch
   * (cross-machine determinism failure) when they differ. A success clears an earlier failure of the cell.
   */
  record(o: CellOutcome, attempts: number | null = null): RecordOutcome {
    return this.db.transaction((): RecordOutcome => {
      const now = new Date().toISOString();
      const info = this.stmts.insert.run(o.key, o.result, o.hash, o.worker, o.backend, o.seconds, attempts, now);
      if (info.changes === 1) { this.stmts.clearFailure.run(o.key); return "stored"; }
      const prev = this.stmts.get.get(o.key) as StoredResult;
      if (prev.hash === o.hash) return "duplicate";
      this.stmts.mismatch.run(o.key, prev.hash, o.hash, prev.worker, o.worker, prev.backend, o.backend, o.result, now);
      return "mismatch";
    })();
  }

  /** Record that a cell gave up (its last reason), unless it has a result. */
  fail(key: string, reason: string, attempts: number | null): void {
    if (!this.result(key)) this.stmts.fail.run(key, reason, attempts, new Date().toISOString());
  }

  /** Record a queue job that is not a cell of this sweep and was refused by a worker (once per job id); true if new. */
  reject(job: string, reason: string): boolean {
    return this.stmts.reject.run(job, reason, new Date().toISOString()).changes === 1;
  }

  result(key: string): StoredResult | undefined {
    return this.stmts.get.get(key) as StoredResult | undefined;
  }

  results(): StoredResult[] {
    return this.db.prepare("SELECT r.key, r.result, r.hash, r.worker, r.backend, r.seconds, r.attempts, r.finished_at AS finishedAt FROM results r JOIN cells c ON c.key = r.key ORDER BY c.seq").all() as StoredResult[];
  }

  failures(): StoredFailure[] {
    return this.db.prepare("SELECT key, reason, attempts, at FROM failures ORDER BY at").all() as StoredFailure[];
  }

  mismatches(): Mismatch[] {
    return this.db.prepare("SELECT key, stored_hash AS storedHash, new_hash AS newHash, stored_worker AS storedWorker, new_worker AS newWorker, stored_backend AS storedBackend, new_backend AS newBackend, at FROM mismatches ORDER BY id").all() as Mismatch[];
  }

  rejected(): Array<{ job: string; reason: string; at: string }> {
    return this.db.prepare("SELECT job, reason, at FROM rejected ORDER BY at, job").all() as Array<{ job: string; reason: string; at: string }>;
  }

  /** Counts: cells, results, failures, mismatches. */
  counts(): { cells: number; done: number; failed: number; mismatches: number; pending: number } {
    const n = (sql: string): number => (this.db.prepare(sql).get() as { n: number }).n;
    const cells = n("SELECT COUNT(*) AS n FROM cells"), done = n("SELECT COUNT(*) AS n FROM results"), failed = n("SELECT COUNT(*) AS n FROM failures");
    return { cells, done, failed, mismatches: n("SELECT COUNT(*) AS n FROM mismatches"), pending: cells - done - failed };
  }

  getMeta(k: string): string | undefined {
    return (this.db.prepare("SELECT v FROM meta WHERE k = ?").get(k) as { v: string } | undefined)?.v;
  }

  setMeta(k: string, v: string): void {
    this.db.prepare("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)").run(k, v);
  }

  close(): void {
    this.db.close();
  }
}

/** Open the store of an existing sweep folder (InputError when the folder has none). */
export function existingStore(dir: string): SweepStore {
  if (!existsSync(join(resolve(dir), STORE_FILE))) throw new InputError(`${dir} is not a sweep folder (no ${STORE_FILE})`);
  return new SweepStore(dir);
}
