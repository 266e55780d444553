import type { Command } from "commander";

/** Every CLI command registers itself here (one module per command, `register(program)`). */
export const commandModules: Array<() => Promise<{ register(program: Command): void }>> = [
  () => import("./doctor.js"),
];
