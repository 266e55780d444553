import { Option, type Command } from "commander";
import { markOutput, outputOption } from "../output.js";
import { reproductions } from "../reproductions.js";
import { printJson } from "../run.js";

/**
 * `embedscape reproduce <name>`: one subcommand per entry of `reproductions` (src/cli/reproductions.ts),
 * each writing a self-contained HTML report to `--out`.
 */
export function register(program: Command): void {
  const group = program.command("reproduce").description("reproduce a result of the papers as an HTML report");
  for (const r of reproductions) {
    const cmd = group.command(r.name).description(r.description).addOption(outputOption("--out <file>", "report file", "html", `${r.name}.html`));
    for (const o of (r.options ?? []).filter((o) => !o.flags.startsWith("--out "))) {
      const opt = new Option(o.flags, o.description);
      if (o.default !== undefined) opt.default(o.default);
      // --save-<what> <file> options write nets: validated with the other outputs before the run
      cmd.addOption(o.flags.startsWith("--save-") ? markOutput(opt, "net") : opt);
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
