import type { Command } from "commander";
import { applyEmbedding } from "../../embed/apply.js";
import { embeddingFromJson, embeddingToJson, multiStepEmbedding, type EmbedStep } from "../../embed/embedding.js";
import { saveNet, writeAtomic } from "../../io/files.js";
import { netToJson } from "../../io/net-json.js";
import type { Net } from "../../nn/arch.js";
import { InputError } from "../../util/errors.js";
import { netFlag } from "../common.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { outputOption } from "../output.js";
import { readText } from "../../util/files.js";
import { parseJsonStrict } from "../../util/json.js";

/** Parse "L:S:α" (one-step), "L:S:β1,β2,…" (split) or "L" (null) into a step; 1-based L and S. */
export function parseStep(kind: EmbedStep["kind"], text: string): EmbedStep {
  const flag = `--${kind}`;
  const parts = text.split(":");
  if (kind === "null") {
    if (parts.length !== 1) throw new InputError(`${flag} takes a layer L, got "${text}"`);
    return { kind, layer: num(flag, parts[0], { int: true }) };
  }
  if (parts.length !== 3) throw new InputError(`${flag} takes ${kind === "split" ? "L:S:β1,β2[,…]" : "L:S:α"}, got "${text}"`);
  const layer = num(`${flag} layer`, parts[0], { int: true }), neuron = num(`${flag} neuron`, parts[1], { int: true });
  if (kind === "one-step") return { kind, layer, neuron, alpha: num(`${flag} α`, parts[2]) };
  return { kind, layer, neuron, ratios: parts[2].split(",").map((r) => num(`${flag} ratio`, r)) };
}

/** Write a wide net; JSON files record the embedding in `meta.embedding` (read back by `check`). */
export function saveWide(path: string, wide: Net, meta: Record<string, unknown>): void {
  if (path.toLowerCase().endsWith(".json")) writeAtomic(path, netToJson(wide, meta));
  else saveNet(path, wide);
}

/** The embedding recorded in a wide JSON net file's `meta.embedding`, or null. */
export function recordedEmbedding(path: string): ReturnType<typeof embeddingFromJson> | null {
  if (!path.toLowerCase().endsWith(".json")) return null;
  const raw = parseJsonStrict(readText(path), path) as { meta?: { embedding?: unknown } };
  return raw.meta?.embedding ? embeddingFromJson(raw.meta.embedding) : null;
}

/** `embedscape embed`: widen a net by one-step/split/null embeddings applied in command-line order (SPEC §2.2, §3.2). */
export function register(program: Command): void {
  const steps: EmbedStep[] = []; // one collector for all three flags keeps their interleaved order
  const collect = (kind: EmbedStep["kind"]) => (value: string): EmbedStep[] => { steps.push(parseStep(kind, value)); return steps; };
  program
    .command("embed")
    .description("embed a net into a wider one (output- and criticality-preserving); steps apply in the order given")
    .option("--net <file>", "narrow net")
    .option("--one-step <L:S:alpha>", "split neuron S of hidden layer L; the original keeps 1−α, the appended copy gets α (repeatable)", collect("one-step"))
    .option("--split <L:S:b1,b2,...>", "split neuron S of layer L into k copies with ratios summing to 1; the original keeps β1 (repeatable)", collect("split"))
    .option("--null <L>", "append a null neuron (zero weights) to hidden layer L (needs σ(0) = 0 unless --allow-shifted-null; repeatable)", collect("null"))
    .option("--allow-shifted-null", "allow null neurons when σ(0) ≠ 0 (output and criticality are still preserved)")
    .addOption(outputOption("--out <file>", "write the wide net here (JSON files record the embedding in meta.embedding)", "net"))
    .option("--json", "print a JSON summary")
    .action((f: { net?: string; out?: string; json?: boolean; allowShiftedNull?: boolean }) => {
      const net = netFlag("--net", f.net);
      if (!steps.length) throw new InputError("give at least one --one-step, --split or --null");
      if (!f.out) throw new InputError("--out is required");
      const e = multiStepEmbedding(net.arch.widths, steps);
      const wide = applyEmbedding(net, e, { allowShiftedNull: f.allowShiftedNull });
      saveWide(f.out, wide, { embedding: embeddingToJson(e), allowShiftedNull: !!f.allowShiftedNull });
      const summary = { narrow: net.arch.widths, wide: wide.arch.widths, steps, embedding: embeddingToJson(e), out: f.out };
      if (f.json) printJson(summary);
      else process.stdout.write(`${net.arch.widths.join("-")} → ${wide.arch.widths.join("-")} (${steps.length} step${steps.length > 1 ? "s" : ""}); written to ${f.out}\n`);
    });
}
