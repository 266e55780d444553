import { createNet } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { norm2 } from "../linalg/dense.js";
import { archFor } from "./cells.js";
import type { AtlasStore } from "./store.js";

/** The atlas checked against the Embedding Principle as a whole (issue 15, "Done when"). */
export interface AtlasChecks {
  /** Embedding edges per (narrow width → wide width). */
  edgeCounts: Array<{ from: number; to: number; edges: number; points: number }>;
  /** Sets at a width below the widest that have no embedding edge into some wider width (should be empty). */
  missingEdges: Array<{ set: number; width: number; into: number }>;
  /** Sets at each narrow width and how many of them have an edge into every wider width. */
  coverage: Array<{ width: number; sets: number; withEdgesIntoEveryWiderWidth: number }>;
  /** Embedded points: measured inertia = §2.9 prediction, or the mismatch is explained by the spectral gap / residual. */
  inertia: { points: number; agree: number; explained: number; unexplained: number; noPrediction: number; examples: string[] };
  /** ‖∇R‖ recomputed from each stored θ: ≤ gradTol, or the set is marked degenerate with evidence. */
  gradient: { sets: number; critical: number; degenerateWithEvidence: number; violations: Array<{ set: number; gradNorm: number }>; max: number };
}

export function checkAtlas(store: AtlasStore): AtlasChecks {
  const s = store.settings(), data = store.data();
  const sets = store.allSets(), edges = store.edges();
  const byId = new Map(sets.map((x) => [x.id, x]));
  const widths = [...s.widths].sort((a, b) => a - b);
  const counts = new Map<string, { from: number; to: number; edges: number; points: number }>();
  const into = new Map<number, Set<number>>();
  for (const e of edges) {
    if (e.kind !== "embedding") continue;
    const a = byId.get(e.from)!, b = byId.get(e.to)!;
    const k = `${a.width}→${b.width}`;
    const c = counts.get(k) ?? { from: a.width, to: b.width, edges: 0, points: 0 };
    c.edges++; c.points += e.count;
    counts.set(k, c);
    if (!into.has(a.id)) into.set(a.id, new Set());
    into.get(a.id)!.add(b.width);
  }
  const missingEdges: AtlasChecks["missingEdges"] = [];
  const coverage: AtlasChecks["coverage"] = [];
  for (const w of widths.slice(0, -1)) {
    const here = sets.filter((x) => x.width === w);
    let ok = 0;
    for (const x of here) {
      const wider = widths.filter((v) => v > w);
      const miss = wider.filter((v) => !into.get(x.id)?.has(v));
      for (const v of miss) missingEdges.push({ set: x.id, width: w, into: v });
      if (!miss.length) ok++;
    }
    coverage.push({ width: w, sets: here.length, withEdgesIntoEveryWiderWidth: ok });
  }
  const inertia = { points: 0, agree: 0, explained: 0, unexplained: 0, noPrediction: 0, examples: [] as string[] };
  for (const p of store.points()) {
    if (p.origin.kind !== "embed") continue;
    inertia.points++;
    const agree = p.origin.agree as boolean | null, why = String(p.origin.explanation ?? "");
    if (agree === true) inertia.agree++;
    else if (agree === null) inertia.noPrediction++;
    else if (why.startsWith("unexplained")) { inertia.unexplained++; if (inertia.examples.length < 5) inertia.examples.push(`point ${p.id}: ${why}`); }
    else inertia.explained++;
  }
  const gradient = { sets: sets.length, critical: 0, degenerateWithEvidence: 0, violations: [] as Array<{ set: number; gradNorm: number }>, max: 0 };
  for (const x of sets) {
    const arch = archFor(s, x.width);
    const ev = new Evaluator(arch, { ...data });
    const g = new Float64Array(ev.P);
    ev.lossAndGradient(createNet(arch, x.theta).theta, g);
    const gn = norm2(g);
    gradient.max = Math.max(gradient.max, gn);
    if (gn <= s.critical.gradTol) gradient.critical++;
    else if (x.status === "degenerate" && x.evidence) gradient.degenerateWithEvidence++;
    else gradient.violations.push({ set: x.id, gradNorm: gn });
  }
  return { edgeCounts: [...counts.values()].sort((a, b) => a.from - b.from || a.to - b.to), missingEdges, coverage, inertia, gradient };
}
