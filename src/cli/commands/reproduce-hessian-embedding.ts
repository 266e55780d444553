import type { Command } from "commander";
import { hessianEmbeddingReproduction as repro } from "../reproductions/hessian-embedding.js";
import { printJson } from "../run.js";

/**
 * `embedscape reproduce hessian-embedding`: adds the subcommand to an existing `reproduce` group, or creates the
 * group when no other module has (the generic `reproduce` command, where present, lists reproductions itself).
 */
export function register(program: Command): void {
  let group = program.commands.find((c) => c.name() === "reproduce");
  if (!group) group = program.command("reproduce").description("reproduce the papers' experiments (SPEC §7) as self-contained HTML reports");
  if (group.commands.some((c) => c.name() === repro.name)) return;
  const cmd = group.command(repro.name).description(repro.description);
  for (const o of repro.options) cmd.option(o.flags, o.description, o.default);
  cmd.option("--json", "print the measured counts as JSON");
  cmd.action(async (f: { out?: string; json?: boolean }) => {
    const r = await repro.run(f);
    if (f.json) printJson(r);
    else process.stdout.write(r.cases.map((c) => `${c.name}: inertia ${c.inertia.join(" → ")} (predicted ${c.predicted.join(", ")}; ${c.matches.every(Boolean) ? "matches §2.9" : "MISMATCH"})`).join("\n") + `\nreport: ${r.out}\n`);
  });
}
