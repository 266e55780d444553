import { rootWidths, sameCanonical } from "./canonical.js";
import { cellKey, type AtlasCell, type AtlasSettings, type CellResult, type PointResult } from "./cells.js";

/**
 * The storage-independent half of an atlas store: identifying a finished cell's critical points with known sets
 * (same width and inertia, loss within tolerance, same canonical form — SPEC §10 item 3), creating the new sets and
 * counting the embedding/descent edges. `AtlasStore` (SQLite, store.ts) and `MemoryAtlasStore` (memory-store.ts, the
 * explorer's in-page atlas) both commit through `commitCell`, so the same cells in the same order give the same sets,
 * ids and edges in either.
 */

/** Version of the atlas's tables (SQLite schema, and the rows the memory store mirrors). */
export const SCHEMA_VERSION = 1;

/** A point's origin as stored (JSON; float64 arrays as plain arrays). */
export function pointOriginJson(p: PointResult): string {
  return JSON.stringify(p.origin, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v));
}

/** A stored set as the atlas reads it back. */
export interface SetRow {
  id: number;
  width: number;
  loss: number;
  gradNorm: number;
  inertia: { neg: number; zero: number; pos: number };
  tau: number;
  gap: number | null;
  theta: Float64Array;
  eigenvalues: Float64Array;
  canonical: { widths: number[]; theta: Float64Array };
  rootWidth: number;
  reduction: Record<string, unknown>;
  status: "critical" | "degenerate";
  evidence: Record<string, unknown> | null;
  predicted: { neg: number; zero: number; pos: number } | null;
  trulyBad: Record<string, unknown> | null;
  firstRun: string;
}

export interface EdgeRow {
  id: number;
  kind: "embedding" | "descent";
  from: number;
  to: number;
  count: number;
  mismatches: number;
  detail: Record<string, unknown>;
}

/** New sets are announced so the caller can fill in slow per-set facts (the truly-bad verdict) in the same commit. */
export type SetAnnotator = (p: PointResult) => Record<string, unknown> | null;

/** Finite numbers as they are, ±∞/NaN as null (what an SQL REAL column holding "no value" reads back as). */
export const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Where `commitCell` writes (one cell's rows; the caller makes them one transaction). */
export interface CommitSink {
  run(key: string, cell: AtlasCell, r: CellResult): void;
  /** Insert a new set (all of SetRow but its id); returns the new id. */
  set(row: Omit<SetRow, "id">): number;
  point(key: string, setId: number | null, width: number, p: PointResult): void;
  /** Add one traversal of the edge (kind, from, to): count + 1, mismatches + `mismatch`; `detail` is kept from the first traversal, replaced by the first mismatching one. */
  edge(kind: "embedding" | "descent", from: number, to: number, mismatch: number, detail: Record<string, unknown>): void;
}

/** Is point p in set s? Same inertia, loss within tolerance, same canonical form. */
export function inSet(s: SetRow, p: PointResult, tol: AtlasSettings["match"]): boolean {
  return s.inertia.neg === p.inertia.neg && s.inertia.zero === p.inertia.zero && s.inertia.pos === p.inertia.pos &&
    Math.abs(s.loss - p.loss) <= tol.lossTolerance * (1 + Math.abs(p.loss)) && sameCanonical(s.canonical, p.canonical!, tol.tolerance);
}

/**
 * Commit one finished cell through `sink`: its run row, every point (with the set it belongs to: a known one at its
 * width from `setsAt`, one created earlier in this cell, or a new one), and the edges of embedded and descended points.
 * `layer` is the template's `{m}` layer. Returns the sets created, in order.
 */
export function commitCell(cell: AtlasCell, r: CellResult, settings: AtlasSettings, annotate: SetAnnotator, layer: number, setsAt: (width: number) => SetRow[], sink: CommitSink): SetRow[] {
  const width = (p: PointResult): number => p.widths[layer];
  const key = cellKey(cell);
  const added: SetRow[] = [];
  sink.run(key, cell, r);
  for (const p of r.points) {
    let setId: number | null = null;
    if (p.status !== "not-critical" && p.canonical) {
      const found = setsAt(width(p)).find((s) => inSet(s, p, settings.match)) ?? added.find((s) => inSet(s, p, settings.match));
      if (found) setId = found.id;
      else {
        const trulyBad = annotate(p);
        const predicted = p.origin.kind === "embed" ? p.origin.predicted : null;
        const reduction = { tolerance: p.canonical.tolerance, maxOutputChange: p.canonical.maxOutputChange, layers: p.canonical.layers };
        const row: Omit<SetRow, "id"> = {
          width: width(p), loss: p.loss, gradNorm: p.gradNorm, inertia: { ...p.inertia }, tau: p.tau, gap: num(p.gap), theta: p.theta, eigenvalues: p.eigenvalues,
          canonical: { widths: p.canonical.widths, theta: p.canonical.theta }, rootWidth: rootWidths(p.canonical)[layer - 1], reduction, status: p.status,
          evidence: p.evidence ?? null, predicted, trulyBad, firstRun: key,
        };
        setId = sink.set(row);
        added.push({ id: setId, ...row });
      }
      if (p.origin.kind === "embed") {
        const o = p.origin;
        sink.edge("embedding", o.parent, setId, o.agree === false ? 1 : 0, { label: o.label, predicted: o.predicted, measured: p.inertia, gap: num(p.gap), tau: p.tau, agree: o.agree, explanation: o.explanation ?? null, outputChange: o.outputChange });
      } else if (p.origin.kind === "descent") {
        const o = p.origin;
        sink.edge("descent", o.saddle, setId, 0, { direction: o.direction, sign: o.sign, eigenvalue: o.eigenvalue, eps: o.eps, reachedIndex: p.inertia.neg });
      }
    }
    sink.point(key, setId, width(p), p);
  }
  return added;
}
