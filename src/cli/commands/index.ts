import type { Command } from "commander";

/** Every CLI command registers itself here (one module per command, `register(program)`). */
export const commandModules: Array<() => Promise<{ register(program: Command): void }>> = [
  () => import("./train.js"),
  () => import("./critical.js"),
  () => import("./census.js"),
  () => import("./hessian.js"),
  () => import("./spectrum.js"),
  () => import("./density.js"),
  () => import("./demo.js"),
  () => import("./lift.js"),
  () => import("./layers.js"),
  () => import("./prune-layer.js"),
  () => import("./embed.js"),
  () => import("./check.js"),
  () => import("./truly-bad.js"),
  () => import("./count.js"),
  () => import("./reproduce.js"),
  () => import("./condense.js"),
  () => import("./prune.js"),
  () => import("./atlas.js"),
  () => import("./slice.js"),
  () => import("./explore.js"),
  () => import("./doctor.js"),
  () => import("./worker.js"),
  () => import("./sweep.js"),
];
