import { cellKey, templateWidths, type AtlasCell, type AtlasSettings, type CellResult } from "./cells.js";
import { commitCell, pointOriginJson, SCHEMA_VERSION, type EdgeRow, type SetAnnotator, type SetRow } from "./commit.js";

/**
 * An atlas kept in memory (no SQLite): what the explorer computes in the page. It commits through the same
 * `commitCell` as the SQLite `AtlasStore` and keeps its rows as that database would (JSON columns as JSON text,
 * ±∞ as null, ids 1, 2, … in insertion order, edges unique per (kind, from, to) with the same count / mismatches /
 * detail rule), and reads them back the same way, so `exportAtlas` of a memory atlas equals `atlas export` of the
 * database that `atlas run --jobs 1` writes for the same settings and data.
 */
export class MemoryAtlasStore {
  readonly layer: number;
  private readonly settingsText: string;
  private readonly dataText: string;
  private sets = new Map<number, SetRow[]>();
  private setRows: Array<{ row: Omit<SetRow, "id">; json: { reduction: string; evidence: string | null; predicted: string | null; trulyBad: string | null } }> = [];
  private edgeRows: Array<{ kind: EdgeRow["kind"]; from: number; to: number; count: number; mismatches: number; detail: string }> = [];
  private runRows: Array<{ key: string; width: number; source: string; seed: number }> = [];
  private pointRows: Array<{ runKey: string; setId: number | null; origin: string }> = [];
  private doneKeys = new Set<string>();

  constructor(settings: AtlasSettings, data: { n: number; d: number; k: number; x: ArrayLike<number>; y: ArrayLike<number> }) {
    this.settingsText = JSON.stringify(settings);
    this.dataText = JSON.stringify({ n: data.n, d: data.d, k: data.k, x: Array.from(data.x), y: Array.from(data.y) });
    this.layer = templateWidths(settings.template, 1).layer;
  }

  meta(): Record<string, string> {
    return { schema_version: String(SCHEMA_VERSION), settings: this.settingsText, data: this.dataText };
  }

  settings(): AtlasSettings {
    return JSON.parse(this.settingsText) as AtlasSettings;
  }

  isDone(c: AtlasCell): boolean {
    return this.doneKeys.has(cellKey(c));
  }

  runs(): Array<{ key: string; width: number; source: string; seed: number }> {
    return this.runRows.map((r) => ({ ...r }));
  }

  setsAt(width: number): SetRow[] {
    return this.sets.get(width) ?? [];
  }

  /** Every set as the database would read it back (JSON columns parsed from their text). */
  allSets(): SetRow[] {
    return this.setRows.map(({ row, json }, i) => ({
      ...row, id: i + 1, inertia: { ...row.inertia }, theta: Float64Array.from(row.theta), eigenvalues: Float64Array.from(row.eigenvalues),
      canonical: { widths: [...row.canonical.widths], theta: Float64Array.from(row.canonical.theta) },
      reduction: JSON.parse(json.reduction) as Record<string, unknown>,
      evidence: json.evidence ? (JSON.parse(json.evidence) as Record<string, unknown>) : null,
      predicted: json.predicted ? (JSON.parse(json.predicted) as SetRow["predicted"]) : null,
      trulyBad: json.trulyBad ? (JSON.parse(json.trulyBad) as Record<string, unknown>) : null,
    }));
  }

  edges(): EdgeRow[] {
    return this.edgeRows.map((e, i) => ({ id: i + 1, kind: e.kind, from: e.from, to: e.to, count: e.count, mismatches: e.mismatches, detail: JSON.parse(e.detail) as Record<string, unknown> }));
  }

  pointsOf(setId: number): Array<{ source: string; seed: number; origin: Record<string, unknown> }> {
    const runs = new Map(this.runRows.map((r) => [r.key, r]));
    return this.pointRows.filter((p) => p.setId === setId).map((p) => ({ source: runs.get(p.runKey)!.source, seed: runs.get(p.runKey)!.seed, origin: JSON.parse(p.origin) as Record<string, unknown> }));
  }

  commit(cell: AtlasCell, r: CellResult, settings: AtlasSettings, annotate: SetAnnotator): number {
    if (this.doneKeys.has(cellKey(cell))) return 0;
    const added = commitCell(cell, r, settings, annotate, this.layer, (w) => this.setsAt(w), {
      run: (key, c) => { this.runRows.push({ key, width: c.width, source: c.source, seed: c.seed }); },
      set: (s) => {
        this.setRows.push({ row: s, json: { reduction: JSON.stringify(s.reduction), evidence: s.evidence ? JSON.stringify(s.evidence) : null, predicted: s.predicted ? JSON.stringify(s.predicted) : null, trulyBad: s.trulyBad ? JSON.stringify(s.trulyBad) : null } });
        return this.setRows.length;
      },
      point: (key, setId, _w, p) => { this.pointRows.push({ runKey: key, setId, origin: pointOriginJson(p) }); },
      edge: (kind, from, to, mismatch, detail) => {
        const e = this.edgeRows.find((x) => x.kind === kind && x.from === from && x.to === to);
        if (!e) { this.edgeRows.push({ kind, from, to, count: 1, mismatches: mismatch, detail: JSON.stringify(detail) }); return; }
        // the SQL upsert's rule: the first mismatching traversal's detail replaces a clean one
        if (mismatch > 0 && e.mismatches === 0) e.detail = JSON.stringify(detail);
        e.count++;
        e.mismatches += mismatch;
      },
    });
    this.doneKeys.add(cellKey(cell));
    for (const s of added) {
      if (!this.sets.has(s.width)) this.sets.set(s.width, []);
      this.sets.get(s.width)!.push(s);
    }
    return added.length;
  }

  close(): void {}
}
