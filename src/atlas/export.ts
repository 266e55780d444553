import type { EdgeRow, SetRow } from "./commit.js";

/** What an export reads of an atlas (the SQLite `AtlasStore` and the in-page `MemoryAtlasStore` both provide it). */
export interface AtlasReader {
  meta(): Record<string, string>;
  settings(): unknown;
  allSets(): SetRow[];
  edges(): EdgeRow[];
  pointsOf(setId: number): Array<{ source: string; seed: number }>;
}

/** One set in `atlas export --json` (issue 15 §4: these names are a contract; add fields, never rename). */
export interface ExportedSet {
  id: number;
  width: number;
  loss: number;
  gradNorm: number;
  inertia: { neg: number; zero: number; pos: number };
  tau: number;
  /** Gap ratio smallest non-zero |λ| / largest zero |λ|; null when one side is empty (infinite). */
  gap: number | null;
  /** The inertia does not hinge on τ (gap ratio ≥ 1e3). */
  inertiaClear: boolean;
  rootWidth: number;
  /** Sets with an embedding edge into this one. */
  parents: number[];
  /** Embedding chain from the root: set ids, narrowest first, ending with this set (just [id] when none is known). */
  chain: number[];
  /** Number of points (over all sources and seeds) that landed in this set: the basin frequency. */
  count: number;
  sources: Record<string, number>;
  seeds: Array<{ source: string; seed: number }>;
  status: "critical" | "degenerate";
  evidence: Record<string, unknown> | null;
  /** n₀ measured vs the §2.9 prediction of the embedding that created the set (null if none). */
  degeneracy: { measured: number; predicted: number | null };
  trulyBad: Record<string, unknown> | null;
  reduction: Record<string, unknown>;
  canonical: { widths: number[]; theta: number[] };
  theta: number[];
}

export interface AtlasExport {
  schemaVersion: number;
  settings: unknown;
  sets: ExportedSet[];
  edges: Array<{ kind: "embedding" | "descent"; from: number; to: number; count: number; mismatches: number; detail: Record<string, unknown> }>;
}

/**
 * Parents and the embedding chain of each set: parents = sources of embedding edges into it; the chain follows, from
 * the set back to its root width, the narrowest parent (ties: smallest id), stopping at a set of the root width or one
 * with no parent.
 */
export function lineage(sets: SetRow[], edges: EdgeRow[]): Map<number, { parents: number[]; chain: number[] }> {
  const byId = new Map(sets.map((s) => [s.id, s]));
  const parents = new Map<number, number[]>(sets.map((s) => [s.id, []]));
  for (const e of edges) if (e.kind === "embedding") parents.get(e.to)?.push(e.from);
  const out = new Map<number, { parents: number[]; chain: number[] }>();
  for (const s of sets) {
    const chain = [s.id];
    let cur = s;
    const seen = new Set([s.id]);
    while (cur.width > s.rootWidth) {
      const ps = (parents.get(cur.id) ?? []).map((id) => byId.get(id)!).filter((p) => p && !seen.has(p.id) && p.width < cur.width);
      if (!ps.length) break;
      ps.sort((a, b) => a.width - b.width || a.id - b.id);
      cur = ps[0];
      seen.add(cur.id);
      chain.unshift(cur.id);
    }
    out.set(s.id, { parents: [...new Set(parents.get(s.id) ?? [])].sort((a, b) => a - b), chain });
  }
  return out;
}

/** The whole atlas as JSON (`embedscape atlas export --json`). */
export function exportAtlas(store: AtlasReader): AtlasExport {
  const sets = store.allSets(), edges = store.edges();
  const lin = lineage(sets, edges);
  return {
    schemaVersion: Number(store.meta().schema_version),
    settings: store.settings(),
    sets: sets.map((s) => {
      const pts = store.pointsOf(s.id);
      const sources: Record<string, number> = {};
      for (const p of pts) sources[p.source] = (sources[p.source] ?? 0) + 1;
      const l = lin.get(s.id)!;
      return {
        id: s.id, width: s.width, loss: s.loss, gradNorm: s.gradNorm, inertia: s.inertia, tau: s.tau, gap: s.gap,
        inertiaClear: s.gap === null || s.gap >= 1e3, rootWidth: s.rootWidth, parents: l.parents, chain: l.chain,
        count: pts.length, sources, seeds: pts.filter((p) => p.source === "train" || p.source === "random").map((p) => ({ source: p.source, seed: p.seed })),
        status: s.status, evidence: s.evidence, degeneracy: { measured: s.inertia.zero, predicted: s.predicted?.zero ?? null },
        trulyBad: s.trulyBad, reduction: s.reduction, canonical: { widths: s.canonical.widths, theta: Array.from(s.canonical.theta) }, theta: Array.from(s.theta),
      };
    }),
    edges: edges.map((e) => ({ kind: e.kind, from: e.from, to: e.to, count: e.count, mismatches: e.mismatches, detail: e.detail })),
  };
}
