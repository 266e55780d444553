import type { Command } from "commander";

type CommandModule = () => Promise<{ register(program: Command): void }>;

/**
 * Every CLI command registers itself here (one module per top-level command, `register(program)`), keyed by the
 * top-level command name it registers (subcommands such as `atlas run` belong to their parent's module). `main`
 * loads only the named command's module when the command line names one — start-up then imports what that command
 * needs, not all of them — and every module otherwise (help, an unknown name). commands/index.test.ts checks each
 * key against what its module really registers.
 */
export const commandModulesByName: Record<string, CommandModule> = {
  "train": () => import("./train.js"),
  "critical": () => import("./critical.js"),
  "census": () => import("./census.js"),
  "hessian": () => import("./hessian.js"),
  "spectrum": () => import("./spectrum.js"),
  "density": () => import("./density.js"),
  "demo": () => import("./demo.js"),
  "lift": () => import("./lift.js"),
  "layers": () => import("./layers.js"),
  "prune-layer": () => import("./prune-layer.js"),
  "embed": () => import("./embed.js"),
  "check": () => import("./check.js"),
  "truly-bad": () => import("./truly-bad.js"),
  "count": () => import("./count.js"),
  "reproduce": () => import("./reproduce.js"),
  "condense": () => import("./condense.js"),
  "prune": () => import("./prune.js"),
  "atlas": () => import("./atlas.js"),
  "slice": () => import("./slice.js"),
  "explore": () => import("./explore.js"),
  "doctor": () => import("./doctor.js"),
  "worker": () => import("./worker.js"),
  "sweep": () => import("./sweep.js"),
};

/** Every command module, in registration (help) order. */
export const commandModules: CommandModule[] = Object.values(commandModulesByName);

/**
 * The top-level command a command line names (argv without node and the script), if it is the first operand
 * after the program's own options (`--max-memory <size>` takes a value); undefined when an option comes first
 * that is not the program's (`--help`, `--version`, a typo) or no operand is given.
 */
export function namedCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--max-memory") { i++; continue; }
    if (a.startsWith("--max-memory=")) continue;
    if (a.startsWith("-")) return undefined;
    return Object.prototype.hasOwnProperty.call(commandModulesByName, a) ? a : undefined;
  }
  return undefined;
}
