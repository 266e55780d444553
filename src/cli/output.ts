import { Option, type Command } from "commander";
import { netExtensions } from "../io/files.js";
import { checkOutputPath } from "../io/write.js";

/** What an output flag writes: a net (any saveNet format), an HTML report, or an SQLite database. */
export type OutputKind = "net" | "html" | "sqlite";

const KIND = Symbol("embedscape output kind");

/** The extensions an output kind accepts. */
export function outputExtensions(kind: OutputKind): string[] {
  return kind === "net" ? netExtensions() : kind === "sqlite" ? [".sqlite", ".sqlite3", ".db"] : [".html", ".htm"];
}

/**
 * A commander option that names a file the command writes (`--out`, `--report`, `--save-wide`…). Every such
 * option is validated by `checkOutputs` — run by the program's preAction hook, i.e. before the command does
 * any work — with checkOutputPath (extension, existing directory, parent a file, read-only folder, /proc).
 */
export function outputOption(flags: string, description: string, kind: OutputKind, dflt?: string): Option {
  const o = new Option(flags, description);
  if (dflt !== undefined) o.default(dflt);
  (o as Option & { [KIND]?: OutputKind })[KIND] = kind;
  return o;
}

/** Mark an already-built option as an output of `kind` (for options built from a registry). */
export function markOutput(o: Option, kind: OutputKind): Option {
  (o as Option & { [KIND]?: OutputKind })[KIND] = kind;
  return o;
}

/** Validate every output option of `cmd` that has a value (the one place output paths are checked). */
export function checkOutputs(cmd: Command): void {
  for (const o of cmd.options) {
    const kind = (o as Option & { [KIND]?: OutputKind })[KIND];
    if (!kind) continue;
    const v = cmd.getOptionValue(o.attributeName());
    if (typeof v === "string") checkOutputPath(v, o.long ?? o.flags, outputExtensions(kind));
  }
}
