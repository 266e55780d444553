import {
  assembleCondensation, condensationOptions, condensationPlan,
  type CondensationExperimentOptions, type CondensationExperimentResult, type CondensationRunResult,
} from "./condensation-runs.js";
import type { MnistPruneOptions } from "./mnist-prune.js";
import { makeCell } from "../../sweep/cell.js";
import { loadExecutors } from "../../sweep/registry.js";
import { runCells, spread } from "../../sweep/run-cells.js";
import type { RunOptions, SweepRunner } from "../../sweep/runner.js";
import type { SweepStore } from "../../sweep/store.js";

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
