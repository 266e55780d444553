import type { Command } from "commander";
import { reproductions } from "../../experiments/registry.js";
import { printJson } from "../run.js";

/**
 * `embedscape reproduce <name>`: one subcommand per entry of `reproductions` (src/cli/reproductions.ts),
 * each writing a self-contained HTML report to `--out`.
 */
export function register(program: Command): void {
  const group = program.command("reproduce").description("reproduce a result of the papers as an HTML report");
  for (const r of reproductions) {
    const cmd = group.command(r.name).description(r.description).option("--out <file>", "report file", `${r.name}.html`);
    for (const o of (r.options ?? []).filter((o) => !o.flags.startsWith("--out "))) {
      if (o.default === undefined) cmd.option(o.flags, o.description);
      else cmd.option(o.flags, o.description, o.default);
    }
    cmd.option("--json", "print the reproduction's measured numbers as JSON (progress text goes to stderr)");
    cmd.action(async (opts: Record<string, string | boolean | undefined> & { out: string }) => {
      if (!opts.json) {
        await r.run(opts);
        return;
      }
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
      let result: unknown;
      try {
        result = await r.run(opts);
      } finally {
        process.stdout.write = write;
      }
      printJson(result ?? { out: opts.out });
    });
  }
}
