import type { Command } from "commander";
import { checkSweepFlags, runnerFromFlags, sweepProgress, SWEEP_OPTIONS, type SweepFlags } from "../../experiments/sweep-options.js";
import { num } from "../args.js";
import { progress } from "../progress.js";
import { printJson } from "../run.js";

const say = (s: string): void => void process.stdout.write(s + "\n");

/**
 * `embedscape sweep status|run --sweep-dir DIR`: a sweep's database on its own. The experiments create sweeps
 * (`reproduce condensation --runs 100`, `reproduce mnist-prune --seeds 0..9`, with --queue for the distributed runner);
 * `sweep run` resumes every pending cell of a folder, `sweep status` counts them.
 */
export function register(program: Command): void {
  const group = program.command("sweep").description("inspect or resume a sweep's database (cells, results, failures, determinism mismatches)");
  group.command("status")
    .description("count a sweep's cells: done, failed (with reasons), pending; determinism mismatches; refused queue jobs")
    .requiredOption("--sweep-dir <dir>", "the sweep's folder")
    .option("--json", "print JSON")
    .action(async (o: { sweepDir: string; json?: boolean }) => {
      const { existingStore } = await import("../../sweep/store.js");
      const store = existingStore(o.sweepDir);
      try {
        const report = { ...store.counts(), failures: store.failures(), mismatchDetails: store.mismatches(), rejected: store.rejected(), store: store.path };
        if (o.json) { printJson(report); return; }
        say(`${report.cells} cells: ${report.done} done, ${report.failed} failed, ${report.pending} pending; ${report.mismatches} determinism mismatch(es)`);
        for (const f of report.failures) say(`failed ${f.key.slice(0, 12)}… after ${f.attempts ?? "?"} attempt(s): ${f.reason}`);
        for (const m of report.mismatchDetails) say(`MISMATCH ${m.key.slice(0, 12)}…: ${m.storedWorker} (${m.storedBackend}) vs ${m.newWorker} (${m.newBackend})`);
        for (const r of report.rejected) say(`refused job ${r.job.slice(0, 40)}: ${r.reason}`);
      } finally { store.close(); }
    });
  const run = group.command("run")
    .description("compute every pending cell of a sweep's folder (resume after an interruption), here or on --queue")
    .option("--retry-failed", "also rerun cells that gave up")
    .option("--json", "print JSON");
  for (const f of SWEEP_OPTIONS) {
    if (f.flags.startsWith("--sweep-dir")) run.requiredOption(f.flags, "the sweep's folder");
    else if (f.default === undefined) run.option(f.flags, f.description); else run.option(f.flags, f.description, f.default);
  }
  run.action(async (o: Record<string, string | boolean | undefined>) => {
    const { existingStore } = await import("../../sweep/store.js");
    const { loadExecutors } = await import("../../sweep/registry.js");
    const { GoalNotReached } = await import("../../util/errors.js");
    await loadExecutors();
    const s = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
    const f: SweepFlags = {
      queue: s(o.queue), queueName: s(o.queueName), queuePasswordFile: s(o.queuePasswordFile), queueCaFile: s(o.queueCaFile),
      attempts: num("--attempts", s(o.attempts) ?? "3", { int: true, min: 1 }),
      cores: o.cores === undefined ? undefined : num("--cores", s(o.cores), { int: true, min: 1 }),
    };
    await checkSweepFlags(f);
    const store = existingStore(o.sweepDir as string);
    const runner = await runnerFromFlags(f);
    const bar = sweepProgress(progress, "cells");
    try {
      const cells = store.pending(o.retryFailed === true);
      const r = await runner.run(store, cells, { ...bar.opts, retryFailed: o.retryFailed === true });
      bar.stop();
      const counts = store.counts();
      if (o.json) printJson({ ...r, total: counts, runner: runner.name, store: store.path });
      else say(`${r.computed} cell(s) computed (${runner.name}), ${r.failed} failed, ${r.mismatches} mismatch(es); the sweep has ${counts.done}/${counts.cells} done`);
      if (counts.failed > 0 || counts.pending > 0) throw new GoalNotReached(`${counts.failed} cell(s) failed and ${counts.pending} pending (see embedscape sweep status --sweep-dir ${o.sweepDir as string})`);
      if (r.mismatches > 0) throw new GoalNotReached(`${r.mismatches} determinism mismatch(es)`);
    } finally {
      bar.stop();
      await runner.close();
      store.close();
    }
  });
}
