import { z } from "zod";
import { condensationRun } from "./condensation-runs.js";
import type { Executor } from "../../sweep/registry.js";

const finite = z.number().finite();
const positive = finite.positive();
const whole = z.number().int().nonnegative();

const condensationParams = z.strictObject({
  width: z.number().int().min(1).max(100000),
  run: whole.max(1e9),
  steps: z.number().int().min(10).max(1e8),
  lr: positive,
  scale: positive,
  points: z.number().int().min(2).max(1e6),
  seed: whole.max(2 ** 31),
  threshold: finite.gt(-1).lte(1),
  lowAmplitude: finite.nonnegative(),
  referenceLoss: positive.optional(),
});

const mnistParams = z.strictObject({
  seed: whole.max(2 ** 31),
  train: z.number().int().min(1).max(10000),
  width: z.number().int().min(1).max(100000),
  scale: positive,
  optimizer: z.enum(["gd", "adam"]),
  lr: positive,
  steps: z.number().int().min(1).max(1e7),
  threshold: finite.gt(-1).lte(1),
  lowAmplitude: finite.nonnegative(),
  retrainSteps: z.number().int().min(0).max(1e7),
  retrainLr: positive,
});

/** SPEC §7 E2/E3: one (width, run) of the condensation experiment (`condensationRun`). */
export const condensationRunExecutor: Executor<z.infer<typeof condensationParams>> = {
  kind: "condensation-run",
  version: 1,
  description: "E2/E3: GD of one 1-m-1 ReLU net on the relu4 grid; loss curve, plateaus, loss spectrum, snapshot and effective neurons",
  params: condensationParams,
  run: (p) => condensationRun(p),
};

/** SPEC §7 E6: one seed of the MNIST pruning experiment (train wide, merge, retrain); its deterministic numbers only. */
export const mnistPruneExecutor: Executor<z.infer<typeof mnistParams>> = {
  kind: "mnist-prune",
  version: 1,
  description: "E6: train 784-m-10 ReLU on MNIST digits from small init for one seed, merge at the cosine threshold, retrain; width after and agreement",
  params: mnistParams,
  run: async (p) => {
    const { mnistPruneExperiment, mnistPruneCellResult } = await import("./mnist-prune.js");
    return mnistPruneCellResult(mnistPruneExperiment(p));
  },
};

export const executors = [condensationRunExecutor, mnistPruneExecutor] as unknown as Array<Executor<never>>;
