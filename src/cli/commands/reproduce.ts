import { Option, type Command } from "commander";
import { reproductions, type OptionParse, type OptionValue, type ReproductionOptions } from "../../experiments/registry.js";
import { saveNet, writeAtomic } from "../../io/files.js";
import { InputError } from "../../util/errors.js";
import { cosineFlag, num, numList, parseRange } from "../args.js";
import { progress } from "../progress.js";
import { markOutput, outputOption } from "../output.js";
import { printJson } from "../run.js";

/** Turn one option's text into its typed value, as the reproduction's `parse` says. */
function parseOption(flag: string, p: OptionParse, v: string | boolean | undefined): OptionValue {
  if (p.kind === "flag") return v === true;
  if (v === undefined) return undefined;
  const s = String(v);
  switch (p.kind) {
    case "text":
      if (p.choices && !p.choices.includes(s)) throw new InputError(`${flag} must be ${p.choices.join(" or ")}, got "${s}"`);
      return s;
    case "int": return num(flag, s, { int: true, min: p.min, max: p.max });
    case "real": return num(flag, s, { positive: p.positive });
    case "cosine": return cosineFlag(flag, s);
    case "range": return parseRange(flag, s, { min: p.min, max: p.max });
    case "ints": return numList(flag, s, { min: p.min, max: p.max, count: p.count });
  }
}

/**
 * `embedscape reproduce <name>`: one subcommand per entry of `reproductions` (src/experiments/registry.ts).
 * Parses the options, calls the reproduction, writes its HTML report to `--out` and prints its lines (or its JSON).
 */
export function register(program: Command): void {
  const group = program.command("reproduce").description("reproduce a result of the papers as an HTML report");
  for (const r of reproductions) {
    const cmd = group.command(r.name).description(r.description).addOption(outputOption("--out <file>", "report file", "html", `${r.name}.html`));
    for (const o of r.options) {
      const opt = new Option(o.flags, o.description);
      if (o.default !== undefined) opt.default(o.default);
      // --save-<what> <file> options write nets: validated with the other outputs before the run
      cmd.addOption(o.flags.startsWith("--save-") ? markOutput(opt, "net") : opt);
    }
    cmd.option("--json", "print the reproduction's measured numbers as JSON (progress text goes to stderr)");
    cmd.action(async (raw: Record<string, string | boolean | undefined> & { out: string }) => {
      const opts: ReproductionOptions = { out: raw.out };
      for (const o of r.options) {
        const flag = o.flags.split(/[ ,]/)[0];
        const key = flag.replace(/^--/, "").replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
        opts[key] = parseOption(flag, o.parse, raw[key]);
      }
      const result = await r.run(opts, { progress });
      writeAtomic(raw.out, result.html);
      for (const n of result.nets ?? []) saveNet(n.path, n.net);
      const say = raw.json ? (s: string) => void process.stderr.write(s + "\n") : (s: string) => void process.stdout.write(s + "\n");
      for (const line of result.text) say(line);
      say(`report written to ${raw.out}`);
      if (raw.json) printJson(result.json);
    });
  }
}
