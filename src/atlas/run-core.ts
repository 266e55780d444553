import { trulyBadAnalysis } from "../analysis/truly-bad.js";
import type { Dataset } from "../data/dataset.js";
import { createNet, makeArch } from "../nn/arch.js";
import { symmetryCopies } from "./deflation.js";
import { cellKey, templateWidths, seedCells, trainCells, randomCells, type AtlasCell, type AtlasSettings, type CellResult, type CellTask, type PointResult } from "./cells.js";
import type { SetAnnotator, SetRow } from "./commit.js";

/**
 * The atlas sweep itself, independent of where it is stored and how its cells are run: `runAtlas` (atlas.ts) drives it
 * with the SQLite store and worker threads; the explorer's atlas worker with the in-memory store, in the page.
 */

/** Progress of an atlas run: per width, finished runs (of those planned so far) and sets found. */
export interface AtlasProgress {
  phase: string;
  width: number;
  done: number;
  total: number;
  perWidth: Array<{ width: number; runs: number; sets: number }>;
  /** Set after each committed run. */
  lastKey?: string;
}

export interface AtlasSummary {
  runs: number;
  skipped: number;
  sets: number;
  perWidth: Array<{ width: number; runs: number; sets: number }>;
}

/** Runs cells and hands each result over as it finishes (in-process, worker threads, a queue: pool.ts). */
export interface CellRunner {
  run(tasks: CellTask[], onResult: (task: CellTask, result: CellResult) => void): Promise<void>;
  close(): Promise<void>;
}

/** What the sweep needs of a store: the sets stored per width, the finished runs, and committing one more. */
export interface AtlasStoreLike {
  setsAt(width: number): SetRow[];
  runs(): Array<{ width: number }>;
  isDone(c: AtlasCell): boolean;
  commit(cell: AtlasCell, r: CellResult, settings: AtlasSettings, annotate: SetAnnotator): number;
  /** Optional: keep a result that finished before an earlier cell of its phase (it is committed in its turn). */
  stash?(cell: AtlasCell, r: CellResult): void;
  /** Optional: a result kept by `stash` in an earlier, interrupted run. */
  stashed?(cell: AtlasCell): CellResult | undefined;
}

/**
 * Build (or continue) an atlas: for each width in ascending order,
 *   1. `train` and `random` cells (seeds × init scales × optimizers, then the solver; with `deflation`, random cells run
 *      after train, deflated against every symmetry copy of the sets train found),
 *   2. `embed`: every set found at a narrower width, through the critical embeddings of `embeddingsFor`,
 *   3. `descent`: from every saddle at this width (except those descent itself found), ± each negative-curvature eigenvector, Adam, then the solver.
 * Each phase's cells depend only on what earlier phases stored, so `--resume` regenerates the same cells and skips
 * the finished ones (their keys are in `runs`). Finished cells are committed in plan order (so the atlas does not
 * depend on the number of workers); one that finishes early waits in the store's `stash`.
 */
export async function runAtlasOn(store: AtlasStoreLike, settings: AtlasSettings, data: Dataset, runner: CellRunner, onProgress?: (p: AtlasProgress) => void): Promise<AtlasSummary> {
  const perWidth = new Map<number, { width: number; runs: number; sets: number }>(settings.widths.map((w) => [w, { width: w, runs: 0, sets: store.setsAt(w).length }]));
  for (const r of store.runs()) { const pw = perWidth.get(r.width); if (pw) pw.runs++; }
  const plain = { n: data.n, d: data.d, k: data.k, x: Float64Array.from(data.x), y: Float64Array.from(data.y) };
  const annotate = (p: PointResult): Record<string, unknown> | null => trulyBadVerdict(p, data, settings);
  let ran = 0, skipped = 0;
  const widths = [...settings.widths].sort((a, b) => a - b);
  for (const m of widths) {
    const phases: Array<{ name: string; plan: () => Array<{ cell: AtlasCell; input?: CellTask["input"] }> }> = [
      ...(settings.deflation
        ? [
          { name: "train", plan: () => trainCells(settings, m).map((cell) => ({ cell })) },
          {
            // deflated against the sets `train` found at this width (fixed once the train phase is done, so a resumed
            // run plans the same cells), every symmetry copy of each
            name: "random (deflated)", plan: () => {
              const known = store.setsAt(m).filter((x) => x.firstRun.startsWith(`w${m}/train/`));
              const copies = known.flatMap((x) => symmetryCopies(templateWidths(settings.template, m).widths, settings.activation, x.theta).map((t) => Array.from(t)));
              return randomCells(settings, m, known.map((x) => x.id)).map((cell) => ({ cell, input: { setId: 0, widths: templateWidths(settings.template, m).widths, theta: [], known: copies } }));
            },
          },
        ]
        : [{ name: "train/random", plan: () => seedCells(settings, m).map((cell) => ({ cell })) }]),
      {
        name: "embed", plan: () => settings.sources.includes("embed")
          ? widths.filter((r) => r < m).flatMap((r) => store.setsAt(r)).map((s) => ({
            cell: { width: m, source: "embed" as const, seed: 0, params: { parent: s.id, parentWidth: s.width } },
            input: { setId: s.id, widths: templateWidths(settings.template, s.width).widths, theta: Array.from(s.theta) },
          }))
          : [],
      },
      {
        name: "descent", plan: () => settings.sources.includes("descent")
          // saddles found by descent itself are not descended from (one round; keeps --resume's plan identical)
          ? store.setsAt(m).filter((s) => s.inertia.neg > 0 && !s.firstRun.includes("/descent/")).map((s) => ({
            cell: { width: m, source: "descent" as const, seed: 0, params: { saddle: s.id } },
            input: { setId: s.id, widths: templateWidths(settings.template, m).widths, theta: Array.from(s.theta) },
          }))
          : [],
      },
    ];
    for (const ph of phases) {
      const planned = ph.plan();
      const todo = planned.filter((t) => !store.isDone(t.cell));
      skipped += planned.length - todo.length;
      let done = planned.length - todo.length;
      const report = (lastKey?: string): void => onProgress?.({ phase: ph.name, width: m, done, total: planned.length, perWidth: [...perWidth.values()], lastKey });
      report();
      // results are committed in plan order, whatever order the runner finishes them in: set ids, the representative θ
      // of each set and edge details are then the same for any number of workers; a result that has to wait is stashed
      // in the store (a kill loses only the cells in flight), and one stashed by an interrupted run is not run again
      const tasks = todo.map((t) => ({ cell: t.cell, settings, data: plain, input: t.input }));
      const order = tasks.map((t) => cellKey(t.cell));
      const ready = new Map<string, { task: CellTask; r: CellResult }>();
      const toRun: CellTask[] = [];
      for (const t of tasks) {
        const r = store.stashed?.(t.cell);
        if (r) ready.set(cellKey(t.cell), { task: t, r }); else toRun.push(t);
      }
      let next = 0;
      const flush = (): void => {
        for (let item = ready.get(order[next]); next < order.length && item; item = ready.get(order[next])) {
          ready.delete(order[next]);
          next++;
          const created = store.commit(item.task.cell, item.r, settings, annotate);
          const pw = perWidth.get(item.task.cell.width)!;
          pw.runs++;
          pw.sets += created;
          ran++;
          done++;
          report(cellKey(item.task.cell));
        }
      };
      flush();
      await runner.run(toRun, (task: CellTask, r: CellResult) => {
        const key = cellKey(task.cell);
        if (key !== order[next]) store.stash?.(task.cell, r);
        ready.set(key, { task, r });
        flush();
      });
      flush();
      if (next < order.length) throw new Error(`atlas: phase ${ph.name} at width ${m}: ${order.length - next} planned cell(s) returned no result`);
    }
  }
  return { runs: ran, skipped, sets: [...perWidth.values()].reduce((a, p) => a + p.sets, 0), perWidth: [...perWidth.values()] };
}

/**
 * Truly-bad verdict of a new set (SPEC §3.5–§3.6): a saddle is a strict saddle (not truly bad); for a point with
 * H ⪰ 0 the necessary conditions N1–N3 are tested and, when one fails, the witness embedding that makes it a strict
 * saddle is built and its inertia measured (`trulyBadAnalysis`).
 */
export function trulyBadVerdict(p: PointResult, data: Dataset, s: AtlasSettings): Record<string, unknown> {
  if (p.inertia.neg > 0) return { verdict: "strict saddle", trulyBad: false };
  const net = createNet(makeArch(p.widths, s.activation, s.loss), p.theta);
  try {
    const r = trulyBadAnalysis(net, data);
    const w = r.strictSaddleWitness;
    return {
      verdict: r.passesNecessaryConditions ? "passes N0–N3 (may be truly bad)" : `not truly bad: ${w ? `${w.kind}${w.alpha !== undefined ? ` α=${w.alpha}` : ""} gives ${w.measured.neg} negative eigenvalue(s)${w.verified ? " (verified)" : ""}` : "a necessary condition fails"}`,
      trulyBad: r.passesNecessaryConditions ? null : false,
      witness: w ? { kind: w.kind, layer: w.layer ?? null, neuron: w.neuron ?? null, alpha: w.alpha ?? null, predicted: w.predicted, measured: w.measured, verified: w.verified } : null,
    };
  } catch (e) {
    return { verdict: `not analysed: ${(e as Error).message.slice(0, 200)}`, trulyBad: null };
  }
}
