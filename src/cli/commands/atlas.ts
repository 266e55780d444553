import type { Command } from "commander";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../../util/errors.js";
import { parseRange } from "../args.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { parseActivationName } from "../../nn/activations.js";
import { canonicalLossName } from "../../nn/losses.js";
import { outputOption } from "../output.js";
import { DATA_HELP } from "../common.js";

/** An output file's directory must exist and be writable (checked before any work). */
export function checkOutputPath(flag: string, path: string | undefined): string {
  if (!path) throw new InputError(`${flag} is required`);
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${flag}: directory "${dir.slice(0, 200)}" does not exist`);
  try { accessSync(dir, constants.W_OK); } catch { throw new InputError(`${flag}: directory "${dir.slice(0, 200)}" is not writable`); }
  return path;
}

/** Parse a comma list of numbers (e.g. the α grid). */
function numberList(flag: string, text: string): number[] {
  const v = text.split(",").map((t) => num(flag, t.trim()));
  if (!v.length) throw new InputError(`${flag} needs a comma list of numbers`);
  return v;
}

/**
 * `embedscape atlas run|export|report`: the landscape atlas (issue 15) — critical sets of every width, identified
 * modulo symmetry and embedded families, with their embedding and descent edges, in one SQLite file.
 */
export function register(program: Command): void {
  const atlas = program.command("atlas").description("landscape atlas: critical sets across widths with their embedding lineage (SQLite)");
  atlas.command("run")
    .description("discover critical points at each width (train, random, embed, descent) and store them as critical sets")
    .option("--data <spec>", DATA_HELP)
    .option("--widths <range>", "widths m of the template, e.g. 1..4 or 1,2,3", "1..3")
    .option("--template <arch>", "architecture with one {m} hidden width", "1-{m}-1")
    .option("--activation <name>", "activation", "tanh")
    .option("--loss <name>", "loss", "mse")
    .option("--seeds <n>", "seeds per width for each of train and random", "8")
    .option("--sources <list>", "sources to use", "train,random,embed,descent")
    .option("--train-steps <n>", "training steps before the solver (train source)", "2000")
    .option("--alphas <list>", "α grid of the one-step splits (include α<0 and α>1)", "-1,-0.5,0.25,0.5,0.75,1.5,2")
    .option("--deflate", "deflate the random source against every symmetry copy of the sets train found")
    .addOption(outputOption("--out <file>", "atlas database (SQLite)", "sqlite", "atlas.sqlite"))
    .option("--resume", "continue an existing atlas: finished runs are not redone")
    .option("--jobs <n>", "worker threads (default: all cores)")
    .option("--queue <url>", "compute the cells on a BullMQ queue at redis://HOST:PORT (rediss:// for TLS) served by `embedscape worker`s; results also kept in <out>.sweep/")
    .option("--queue-name <name>", "queue name (the workers' --queue-name)", "embedscape")
    .option("--queue-password-file <file>", "file whose first line is the Redis password")
    .option("--queue-ca-file <file>", "PEM CA certificates for rediss://")
    .option("--attempts <n>", "runs of a failing cell on the queue before it is given up", "3")
    .option("--verbose", "print every finished run's key on stderr")
    .option("--json", "print the summary as JSON")
    .action(async (f: Record<string, string | boolean | undefined>) => {
      const { defaultSettings, SOURCES, templateWidths } = await import("../../atlas/cells.js");
      const { runAtlas } = await import("../../atlas/atlas.js");
      const { loadDataset } = await import("../../data/load.js");
      const { defaultJobs } = await import("../../atlas/pool.js");
      if (!f.data) throw new InputError("--data is required (a .csv/.json file or a spec such as grid:cos2x:20)");
      const out = checkOutputPath("--out", f.out as string);
      const widths = parseRange("--widths", f.widths as string, { min: 1, max: 64 });
      templateWidths(String(f.template), 1);
      const sources = String(f.sources).split(",").map((x) => x.trim());
      for (const x of sources) if (!(SOURCES as readonly string[]).includes(x)) throw new InputError(`--sources: unknown source "${x.slice(0, 40)}" (expected ${SOURCES.join(", ")})`);
      const base = defaultSettings({ data: String(f.data), widths });
      const settings = defaultSettings({
        data: String(f.data), widths, template: String(f.template), activation: parseActivationName(String(f.activation)), loss: canonicalLossName(String(f.loss)),
        seeds: num("--seeds", f.seeds as string, { int: true, min: 1 }), sources: sources as typeof base.sources,
        train: { ...base.train, steps: num("--train-steps", f.trainSteps as string, { int: true, min: 0 }) },
        embed: { alphas: numberList("--alphas", String(f.alphas)) },
        deflation: f.deflate === true,
      });
      const data = loadDataset(settings.data);
      const jobs = f.jobs === undefined ? defaultJobs() : num("--jobs", f.jobs as string, { int: true, min: 1 });
      const { atlasProgress } = await import("../progress.js");
      const bar = atlasProgress();
      let runner: import("../../atlas/pool.js").CellRunner | undefined;
      if (typeof f.queue === "string") {
        const { checkSweepFlags, runnerFromFlags } = await import("../../experiments/sweep-options.js");
        const { createSweepCellRunner } = await import("../../atlas/pool.js");
        const { SweepStore } = await import("../../sweep/store.js");
        const q = { queue: f.queue, queueName: f.queueName as string, queuePasswordFile: f.queuePasswordFile as string | undefined, queueCaFile: f.queueCaFile as string | undefined, attempts: num("--attempts", f.attempts as string, { int: true, min: 1 }) };
        await checkSweepFlags(q);
        runner = createSweepCellRunner(await runnerFromFlags(q), new SweepStore(`${out}.sweep`));
      }
      let summary;
      try {
        summary = await runAtlas(settings, data, out, {
        resume: f.resume === true, jobs, ...(runner ? { runner } : {}),
        onProgress: (p) => {
          bar.update(p);
          if (f.verbose && p.lastKey) process.stderr.write(`finished ${p.lastKey}\n`);
        },
        });
      } finally {
        bar.stop();
        await runner?.close();
      }
      if (f.json) printJson({ out, jobs, ...summary });
      else {
        process.stdout.write(`${summary.runs} runs (${summary.skipped} already finished), ${summary.sets} sets with ${jobs} job(s)\n`);
        for (const w of summary.perWidth) process.stdout.write(`  width ${w.width}: ${w.runs} runs, ${w.sets} sets\n`);
        process.stdout.write(`atlas written to ${out}\n`);
      }
    });
  atlas.command("export")
    .description("print an atlas as JSON: sets (width, loss, ‖∇R‖, inertia, gap, root, parents, count, θ) and edges")
    .argument("<atlas>", "atlas database")
    .option("--json", "JSON (the only format; kept for symmetry with other commands)")
    .action(async (file: string) => {
      const { AtlasStore } = await import("../../atlas/store.js");
      const { exportAtlas } = await import("../../atlas/export.js");
      const st = AtlasStore.open(file);
      try { printJson(exportAtlas(st)); } finally { st.close(); }
    });
  atlas.command("report")
    .description("HTML report: empirical diagram of the landscape, disconnectivity trees, set details and table")
    .argument("<atlas>", "atlas database")
    .addOption(outputOption("--out <file>", "report file", "html", "atlas.html"))
    .option("--json", "print the checks as JSON")
    .action(async (file: string, f: { out: string; json?: boolean }) => {
      const out = checkOutputPath("--out", f.out);
      const { AtlasStore } = await import("../../atlas/store.js");
      const { atlasReport } = await import("../../experiments/atlas-report.js");
      const { writeAtomic } = await import("../../io/files.js");
      const st = AtlasStore.open(file);
      try {
        const r = await atlasReport(st);
        writeAtomic(out, r.html);
        if (f.json) printJson({ out, sets: r.sets, checks: r.checks });
        else process.stdout.write(`${r.sets} sets; report written to ${out}\n`);
      } finally { st.close(); }
    });
}
