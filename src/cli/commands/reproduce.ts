import type { Command } from "commander";
import { reproductions } from "../reproductions.js";

/**
 * `embedscape reproduce <name>`: one subcommand per entry of `reproductions` (src/cli/reproductions.ts),
 * each writing a self-contained HTML report to `--out`.
 */
export function register(program: Command): void {
  const group = program.command("reproduce").description("reproduce a result of the papers as an HTML report");
  for (const r of reproductions) {
    const cmd = group.command(r.name).description(r.description).option("--out <file>", "report file", `${r.name}.html`);
    for (const o of r.options ?? []) {
      if (o.default === undefined) cmd.option(o.flags, o.description);
      else cmd.option(o.flags, o.description, o.default);
    }
    cmd.action(async (opts: Record<string, string | boolean | undefined> & { out: string }) => r.run(opts));
  }
}
