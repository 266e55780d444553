import {
  assembleCondensation, condensationOptions, condensationPlan,
  type CondensationExperimentOptions, type CondensationExperimentResult, type CondensationRunResult,
} from "../condense/condensation-experiment.js";
import type { MnistPruneOptions } from "../condense/mnist-prune.js";
import { GoalNotReached } from "../util/errors.js";
import { canonicalJson, sha256 } from "./canonical.js";
import { makeCell, type Cell } from "./cell.js";
import { loadExecutors } from "./registry.js";
import type { RunOptions, SweepRunner } from "./runner.js";
import type { SweepStore } from "./store.js";

/** A sweep that did not finish every cell (some gave up): the CLI exits with code 3. */
export class SweepIncomplete extends GoalNotReached {
  constructor(readonly failed: Array<{ key: string; reason: string }>, where: string) {
    super(`${failed.length} cell(s) gave up (reasons in ${where}); first: ${failed[0]?.reason ?? "?"}`);
  }
}

/** Run `cells` and return their parsed results in the same order, or throw SweepIncomplete. */
export async function runCells<T>(runner: SweepRunner, store: SweepStore, cells: Cell[], opts: RunOptions = {}): Promise<T[]> {
  await runner.run(store, cells, opts);
  const failures = new Map(store.failures().map((f) => [f.key, f.reason]));
  const out: T[] = [];
  const failed: Array<{ key: string; reason: string }> = [];
  for (const c of cells) {
    const r = store.result(c.key);
    if (r) out.push(JSON.parse(r.result) as T);
    else failed.push({ key: c.key, reason: failures.get(c.key) ?? "no result" });
  }
  if (failed.length) throw new SweepIncomplete(failed, store.path);
  return out;
}

/** A short stable name for the options of a sweep (its default folder): kind and 10 hex digits of their hash. */
export function sweepName(kind: string, options: unknown): string {
  return `${kind}-${sha256(canonicalJson(options)).slice(0, 10)}`;
}

/**
 * SPEC §7 E2/E3 as a sweep: every (width, run) is a `condensation-run` cell; the reference widths run first, their
 * lowest final loss becomes a parameter of the other cells, and the runs are assembled exactly as
 * `condensationExperiment` does — the result is bit-identical to it, on any runner.
 */
export async function condensationSweep(opts: CondensationExperimentOptions, runner: SweepRunner, store: SweepStore, run: RunOptions = {}): Promise<CondensationExperimentResult> {
  await loadExecutors();
  const o = condensationOptions(opts);
  const plan = condensationPlan(o);
  const refCells = plan.referenceCells.map((p) => makeCell("condensation-run", p));
  const ref = await runCells<CondensationRunResult>(runner, store, refCells, run);
  const referenceLoss = plan.referenceOf(ref);
  const other = await runCells<CondensationRunResult>(runner, store, plan.otherCells(referenceLoss).map((p) => makeCell("condensation-run", p)), run);
  return assembleCondensation(o, referenceLoss, [...ref, ...other]);
}

/** The width after pruning in the paper's E6 run (784-400-10 on MNIST, cosine 0.9). */
export const PAPER_E6_WIDTH = 58;

/** Median and spread of a sample (sorted copy; quartiles by linear interpolation). */
export function spread(values: number[]): { n: number; median: number; min: number; max: number; q1: number; q3: number } {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number): number => { const i = p * (s.length - 1), lo = Math.floor(i), hi = Math.ceil(i); return s[lo] + (s[hi] - s[lo]) * (i - lo); };
  return { n: s.length, median: q(0.5), min: s[0], max: s[s.length - 1], q1: q(0.25), q3: q(0.75) };
}

export interface MnistPruneSeedsResult {
  options: Omit<Required<Omit<MnistPruneOptions, "onProgress">>, "seed">;
  seeds: Array<{ seed: number } & Record<string, number | null>>;
  widthAfter: ReturnType<typeof spread>;
  agreementHeldOut: ReturnType<typeof spread> | null;
  paperWidthAfter: number;
}

/** SPEC §7 E6 over seeds: one `mnist-prune` cell per seed; the median and spread of the width after pruning. */
export async function mnistPruneSweep(seeds: number[], opts: Omit<MnistPruneOptions, "seed" | "onProgress">, runner: SweepRunner, store: SweepStore, run: RunOptions = {}): Promise<MnistPruneSeedsResult> {
  await loadExecutors();
  const o = {
    train: opts.train ?? 1000, width: opts.width ?? 400, scale: opts.scale ?? 0.01, optimizer: opts.optimizer ?? "gd", lr: opts.lr ?? 1,
    steps: opts.steps ?? 800, threshold: opts.threshold ?? 0.9, lowAmplitude: opts.lowAmplitude ?? 1e-3, retrainSteps: opts.retrainSteps ?? 200,
    retrainLr: opts.retrainLr ?? opts.lr ?? 1,
  };
  const cells = seeds.map((seed) => makeCell("mnist-prune", { seed, ...o }));
  const rs = await runCells<Record<string, number | null>>(runner, store, cells, run);
  const agree = rs.map((r) => r.agreementHeldOut).filter((v): v is number => typeof v === "number");
  return {
    options: o, seeds: rs.map((r, i) => ({ seed: seeds[i], ...r })),
    widthAfter: spread(rs.map((r) => r.widthAfter as number)), agreementHeldOut: agree.length ? spread(agree) : null, paperWidthAfter: PAPER_E6_WIDTH,
  };
}
