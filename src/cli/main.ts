#!/usr/bin/env node
import { Command } from "commander";
import { commandModules, commandModulesByName, namedCommand } from "./commands/index.js";
import { checkOutputs } from "./output.js";
import { reportFailure } from "./run.js";
import { setMemoryLimit } from "../util/memory.js";

/** The `embedscape` command line: builds the commander program from the command modules and runs it. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command("embedscape")
    .description("See and use the hierarchical structure of neural-network loss landscapes.")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: () => {} }) // errors are printed once, by reportFailure
    .showHelpAfterError(false)
    .option("--max-memory <size>", "refuse requests estimated to need more memory (e.g. 8G, 512M, 40%; default 50% of physical memory, or EMBEDSCAPE_MAX_MEMORY)")
    // before every command's action: the memory limit, then every output path (checked before any work)
    .hook("preAction", (_program, action) => {
      setMemoryLimit(program.opts().maxMemory as string | undefined);
      checkOutputs(action);
    });
  try {
    // only the named command's module when the line names one (start-up imports what it needs), else all of them
    const name = namedCommand(argv.slice(2));
    for (const load of name === undefined ? commandModules : [commandModulesByName[name]]) (await load()).register(program);
    program.commands.forEach((c) => c.exitOverride().configureOutput({ writeErr: () => {} }));
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    return reportFailure(e);
  }
}

// A reader that closes the pipe early (`embedscape … | head`, `grep -q`) ends the output, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(process.argv).then((code) => {
  if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
});
