import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { deserialize, serialize } from "node:v8";
import { InputError } from "../util/errors.js";
import { cellKey, templateWidths, type AtlasCell, type AtlasSettings, type CellResult, type PointResult } from "./cells.js";
import { commitCell, inSet, num, pointOriginJson, SCHEMA_VERSION, type EdgeRow, type SetAnnotator, type SetRow } from "./commit.js";

/**
 * The atlas database (SQLite through better-sqlite3, WAL journal). Schema version 1 — documented in
 * src/atlas/README.md; every column that holds θ or eigenvalues is a little-endian float64 BLOB.
 *
 *   meta(key, value)                    schema_version, settings (JSON), data (JSON: n, d, k, x, y), created_at
 *   runs(key, width, source, seed, params, points, seconds, finished_at)       one row per finished cell
 *   sets(id, width, loss, grad_norm, neg, zero, pos, tau, gap, theta, eigenvalues, canonical_widths, canonical,
 *        root_width, reduction, status, evidence, predicted, truly_bad, first_run)
 *   points(id, run_key, set_id, width, theta, loss, grad_norm, neg, zero, pos, tau, gap, status, converged,
 *          iterations, reason, origin)                                          every point a cell returned
 *   edges(id, kind, from_set, to_set, count, mismatches, detail)  kind ∈ {embedding, descent}, unique per (kind, from, to)
 *   pending(key, result)                finished cells waiting for their turn (results commit in plan order)
 *
 * A finished cell is committed in ONE transaction (its run row, its points, the sets they create and the edges), so a
 * kill at any moment loses only the cells in flight; the runs table is the resume log.
 */
export { SCHEMA_VERSION, pointOriginJson };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  key TEXT PRIMARY KEY, width INTEGER NOT NULL, source TEXT NOT NULL, seed INTEGER NOT NULL, params TEXT NOT NULL,
  points INTEGER NOT NULL, seconds REAL NOT NULL, finished_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sets (
  id INTEGER PRIMARY KEY, width INTEGER NOT NULL, loss REAL NOT NULL, grad_norm REAL NOT NULL,
  neg INTEGER NOT NULL, zero INTEGER NOT NULL, pos INTEGER NOT NULL, tau REAL NOT NULL, gap REAL,
  theta BLOB NOT NULL, eigenvalues BLOB NOT NULL, canonical_widths TEXT NOT NULL, canonical BLOB NOT NULL,
  root_width INTEGER NOT NULL, reduction TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('critical','degenerate')),
  evidence TEXT, predicted TEXT, truly_bad TEXT, first_run TEXT NOT NULL REFERENCES runs(key));
CREATE INDEX IF NOT EXISTS sets_width ON sets(width);
CREATE TABLE IF NOT EXISTS points (
  id INTEGER PRIMARY KEY, run_key TEXT NOT NULL REFERENCES runs(key), set_id INTEGER REFERENCES sets(id),
  width INTEGER NOT NULL, theta BLOB NOT NULL, loss REAL, grad_norm REAL, neg INTEGER, zero INTEGER, pos INTEGER,
  tau REAL, gap REAL, status TEXT NOT NULL, converged INTEGER NOT NULL, iterations INTEGER NOT NULL, reason TEXT,
  origin TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS points_set ON points(set_id);
CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, result BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS edges (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('embedding','descent')),
  from_set INTEGER NOT NULL REFERENCES sets(id), to_set INTEGER NOT NULL REFERENCES sets(id),
  count INTEGER NOT NULL, mismatches INTEGER NOT NULL, detail TEXT NOT NULL, UNIQUE (kind, from_set, to_set));
`;

/** float64 ↔ BLOB (little-endian, exact). */
export function toBlob(a: ArrayLike<number>): Buffer {
  const f = Float64Array.from(a);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}
export function fromBlob(b: Buffer): Float64Array {
  const out = new Float64Array(b.byteLength / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export type { SetRow, EdgeRow, SetAnnotator };

export class AtlasStore {
  readonly db: Database.Database;
  private sets = new Map<number, SetRow[]>();
  private doneKeys = new Set<string>();
  /** Index of the template's `{m}` layer in a widths list. */
  layer = 1;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Open for writing: a new file (error if it exists unless resume), or an existing one with --resume. */
  static create(path: string, settings: AtlasSettings, data: { n: number; d: number; k: number; x: ArrayLike<number>; y: ArrayLike<number> }, resume: boolean): AtlasStore {
    const exists = existsSync(path);
    if (exists && !resume) throw new InputError(`"${path.slice(0, 200)}" exists: pass --resume to continue it, or choose another --out`);
    if (!exists && resume) throw new InputError(`--resume: "${path.slice(0, 200)}" does not exist`);
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (e) {
      throw new InputError(`cannot open "${path.slice(0, 200)}": ${(e as Error).message}`);
    }
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(SCHEMA);
    const st = new AtlasStore(db);
    const meta = st.meta();
    if (resume) {
      st.checkVersion(meta);
      if (meta.settings !== JSON.stringify(settings)) throw new InputError(`--resume: the database was written with other settings (${String(meta.settings).slice(0, 300)})`);
    } else {
      const put = db.prepare("INSERT INTO meta(key, value) VALUES (?, ?)");
      db.transaction(() => {
        put.run("schema_version", String(SCHEMA_VERSION));
        put.run("settings", JSON.stringify(settings));
        put.run("data", JSON.stringify({ n: data.n, d: data.d, k: data.k, x: Array.from(data.x), y: Array.from(data.y) }));
        put.run("created_at", new Date().toISOString());
      })();
    }
    st.load();
    return st;
  }

  /** Open an existing atlas read-only (export, report). */
  static open(path: string): AtlasStore {
    if (!existsSync(path)) throw new InputError(`atlas "${path.slice(0, 200)}" does not exist`);
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.prepare("SELECT 1 FROM meta LIMIT 1").get();
    } catch (e) {
      throw new InputError(`"${path.slice(0, 200)}" is not an atlas database: ${(e as Error).message.slice(0, 200)}`);
    }
    const st = new AtlasStore(db);
    st.checkVersion(st.meta());
    st.load();
    return st;
  }

  close(): void {
    this.db.close();
  }

  meta(): Record<string, string> {
    return Object.fromEntries((this.db.prepare("SELECT key, value FROM meta").all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
  }

  private checkVersion(meta: Record<string, string>): void {
    if (meta.schema_version !== String(SCHEMA_VERSION)) throw new InputError(`atlas schema version ${String(meta.schema_version).slice(0, 20)} is not the supported ${SCHEMA_VERSION}`);
  }

  settings(): AtlasSettings {
    return JSON.parse(this.meta().settings) as AtlasSettings;
  }

  data(): { n: number; d: number; k: number; x: Float64Array; y: Float64Array } {
    const d = JSON.parse(this.meta().data) as { n: number; d: number; k: number; x: number[]; y: number[] };
    return { ...d, x: Float64Array.from(d.x), y: Float64Array.from(d.y) };
  }

  private load(): void {
    this.layer = templateWidths(this.settings().template, 1).layer;
    for (const r of this.db.prepare("SELECT key FROM runs").all() as Array<{ key: string }>) this.doneKeys.add(r.key);
    for (const row of this.db.prepare("SELECT * FROM sets ORDER BY id").all() as Array<Record<string, unknown>>) {
      const s = decodeSet(row);
      if (!this.sets.has(s.width)) this.sets.set(s.width, []);
      this.sets.get(s.width)!.push(s);
    }
  }

  isDone(c: AtlasCell): boolean {
    return this.doneKeys.has(cellKey(c));
  }

  runCount(): number {
    return this.doneKeys.size;
  }

  allSets(): SetRow[] {
    return [...this.sets.values()].flat().sort((a, b) => a.id - b.id);
  }

  setsAt(width: number): SetRow[] {
    return this.sets.get(width) ?? [];
  }

  edges(): EdgeRow[] {
    return (this.db.prepare("SELECT * FROM edges ORDER BY id").all() as Array<Record<string, unknown>>).map((r) => ({
      id: r.id as number, kind: r.kind as EdgeRow["kind"], from: r.from_set as number, to: r.to_set as number,
      count: r.count as number, mismatches: r.mismatches as number, detail: JSON.parse(r.detail as string) as Record<string, unknown>,
    }));
  }

  /** Points of a set with the run that found each (sources, seeds, basin frequency). */
  pointsOf(setId: number): Array<{ source: string; seed: number; origin: Record<string, unknown> }> {
    return (this.db.prepare("SELECT r.source, r.seed, p.origin FROM points p JOIN runs r ON r.key = p.run_key WHERE p.set_id = ? ORDER BY p.id").all(setId) as Array<{ source: string; seed: number; origin: string }>)
      .map((r) => ({ source: r.source, seed: r.seed, origin: JSON.parse(r.origin) as Record<string, unknown> }));
  }

  /** Every point, with its run (for checks and counts). */
  points(): Array<{ id: number; setId: number | null; width: number; status: string; source: string; origin: Record<string, unknown>; theta: Float64Array; gradNorm: number }> {
    return (this.db.prepare("SELECT p.id, p.set_id, p.width, p.status, p.theta, p.grad_norm, p.origin, r.source FROM points p JOIN runs r ON r.key = p.run_key ORDER BY p.id").all() as Array<Record<string, unknown>>)
      .map((r) => ({ id: r.id as number, setId: (r.set_id as number | null) ?? null, width: r.width as number, status: r.status as string, source: r.source as string, origin: JSON.parse(r.origin as string) as Record<string, unknown>, theta: fromBlob(r.theta as Buffer), gradNorm: r.grad_norm as number }));
  }

  runs(): Array<{ key: string; width: number; source: string; seed: number; finishedAt: string }> {
    return (this.db.prepare("SELECT key, width, source, seed, finished_at FROM runs ORDER BY rowid").all() as Array<Record<string, unknown>>)
      .map((r) => ({ key: r.key as string, width: r.width as number, source: r.source as string, seed: r.seed as number, finishedAt: r.finished_at as string }));
  }

  /**
   * Keep a finished cell that must wait for an earlier one before it is committed (cells are committed in plan order,
   * so set ids and representatives do not depend on which worker finished first); a kill does not lose it, and a
   * resumed run takes it from here instead of running the cell again. The result is stored with v8's structured
   * serialisation (float64 arrays exact).
   */
  stash(cell: AtlasCell, r: CellResult): void {
    this.db.prepare("INSERT OR REPLACE INTO pending(key, result) VALUES (?, ?)").run(cellKey(cell), serialize(r));
  }

  /** A stashed result of `cell`, if a run finished it but did not commit it yet. */
  stashed(cell: AtlasCell): CellResult | undefined {
    const row = this.db.prepare("SELECT result FROM pending WHERE key = ?").get(cellKey(cell)) as { result: Buffer } | undefined;
    return row ? (deserialize(row.result) as CellResult) : undefined;
  }

  /** Find the set a critical point belongs to: same width and inertia, loss within tolerance, same canonical form. */
  findSet(p: PointResult, tol: AtlasSettings["match"]): SetRow | undefined {
    if (!p.canonical) return undefined;
    return this.setsAt(p.widths[this.layer]).find((s) => inSet(s, p, tol));
  }

  /**
   * Commit one finished cell: its run row, every point, new sets (identified modulo symmetry and embedded
   * families), and its edges — in one transaction. Returns the number of new sets.
   */
  commit(cell: AtlasCell, r: CellResult, settings: AtlasSettings, annotate: SetAnnotator): number {
    const key = cellKey(cell);
    if (this.doneKeys.has(key)) return 0;
    const insRun = this.db.prepare("INSERT INTO runs(key, width, source, seed, params, points, seconds, finished_at) VALUES (?,?,?,?,?,?,?,?)");
    const insSet = this.db.prepare(`INSERT INTO sets(width, loss, grad_norm, neg, zero, pos, tau, gap, theta, eigenvalues, canonical_widths, canonical,
      root_width, reduction, status, evidence, predicted, truly_bad, first_run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
    const insPoint = this.db.prepare(`INSERT INTO points(run_key, set_id, width, theta, loss, grad_norm, neg, zero, pos, tau, gap, status, converged, iterations, reason, origin)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
    const upEdge = this.db.prepare(`INSERT INTO edges(kind, from_set, to_set, count, mismatches, detail) VALUES (?,?,?,1,?,?)
      ON CONFLICT(kind, from_set, to_set) DO UPDATE SET count = count + 1, mismatches = mismatches + excluded.mismatches,
      detail = CASE WHEN excluded.mismatches > 0 AND edges.mismatches = 0 THEN excluded.detail ELSE edges.detail END`);
    const delPending = this.db.prepare("DELETE FROM pending WHERE key = ?");
    let added: SetRow[] = [];
    this.db.transaction(() => {
      delPending.run(key);
      added = commitCell(cell, r, settings, annotate, this.layer, (w) => this.setsAt(w), {
        run: (k, c, res) => { insRun.run(k, c.width, c.source, c.seed, JSON.stringify(c.params), res.points.length, res.seconds, new Date().toISOString()); },
        set: (s) => Number(insSet.run(s.width, s.loss, s.gradNorm, s.inertia.neg, s.inertia.zero, s.inertia.pos, s.tau, s.gap, toBlob(s.theta), toBlob(s.eigenvalues),
          JSON.stringify(s.canonical.widths), toBlob(s.canonical.theta), s.rootWidth, JSON.stringify(s.reduction), s.status,
          s.evidence ? JSON.stringify(s.evidence) : null, s.predicted ? JSON.stringify(s.predicted) : null, s.trulyBad ? JSON.stringify(s.trulyBad) : null, s.firstRun).lastInsertRowid),
        point: (k, setId, w, p) => {
          insPoint.run(k, setId, w, toBlob(p.theta), num(p.loss), num(p.gradNorm), p.inertia.neg, p.inertia.zero, p.inertia.pos, num(p.tau), num(p.gap),
            p.status, p.converged ? 1 : 0, p.iterations, p.reason, pointOriginJson(p));
        },
        edge: (kind, from, to, mismatch, detail) => { upEdge.run(kind, from, to, mismatch, JSON.stringify(detail)); },
      });
    })();
    this.doneKeys.add(key);
    for (const s of added) {
      if (!this.sets.has(s.width)) this.sets.set(s.width, []);
      this.sets.get(s.width)!.push(s);
    }
    return added.length;
  }
}

/** A `sets` row (SQLite column names, JSON text, float64 BLOBs) as a SetRow. */
export function decodeSet(r: Record<string, unknown>): SetRow {
  return {
    id: r.id as number, width: r.width as number, loss: r.loss as number, gradNorm: r.grad_norm as number,
    inertia: { neg: r.neg as number, zero: r.zero as number, pos: r.pos as number }, tau: r.tau as number, gap: (r.gap as number | null) ?? null,
    theta: fromBlob(r.theta as Buffer), eigenvalues: fromBlob(r.eigenvalues as Buffer),
    canonical: { widths: JSON.parse(r.canonical_widths as string) as number[], theta: fromBlob(r.canonical as Buffer) },
    rootWidth: r.root_width as number, reduction: JSON.parse(r.reduction as string) as Record<string, unknown>, status: r.status as SetRow["status"],
    evidence: r.evidence ? (JSON.parse(r.evidence as string) as Record<string, unknown>) : null,
    predicted: r.predicted ? (JSON.parse(r.predicted as string) as SetRow["predicted"]) : null,
    trulyBad: r.truly_bad ? (JSON.parse(r.truly_bad as string) as Record<string, unknown>) : null,
    firstRun: r.first_run as string,
  };
}
