import type { Command } from "commander";
import { num } from "../args.js";

/**
 * `embedscape worker --queue redis://HOST:PORT`: serve a sweep queue from this machine until stopped (SIGINT/SIGTERM
 * finish the running cells first; a second signal exits at once) or, with --exit-when-idle, until the queue stays empty.
 */
export function register(program: Command): void {
  program
    .command("worker")
    .description("join a sweep queue (BullMQ on Redis) and compute its cells on this machine's cores")
    .requiredOption("--queue <url>", "redis://HOST:PORT[/DB] or rediss:// (TLS)")
    .option("--concurrency <n>", "cells computed at once, each in its own thread (default: all cores)")
    .option("--queue-name <name>", "queue name", "embedscape")
    .option("--queue-password-file <file>", "file whose first line is the Redis password")
    .option("--queue-ca-file <file>", "PEM CA certificates for rediss://")
    .option("--exit-when-idle <seconds>", "exit once the queue has been empty this long (for Slurm arrays, Kubernetes Jobs)")
    .option("--lock-duration <ms>", "a job's lock lasts this long without renewal (renewed every half)", "30000")
    .option("--stalled-interval <ms>", "how often this worker looks for jobs whose worker died", "30000")
    .option("--max-stalled <n>", "times a job may stall before it fails", "2")
    .action(async (o: Record<string, string | undefined>) => {
      const { startWorker } = await import("../../sweep/queue.js");
      const w = await startWorker({
        url: o.queue!, queueName: o.queueName, passwordFile: o.queuePasswordFile, caFile: o.queueCaFile,
        concurrency: o.concurrency === undefined ? undefined : num("--concurrency", o.concurrency, { int: true, min: 1 }),
        exitWhenIdle: o.exitWhenIdle === undefined ? undefined : num("--exit-when-idle", o.exitWhenIdle, { min: 0 }),
        lockDuration: num("--lock-duration", o.lockDuration, { int: true, min: 100 }),
        stalledInterval: num("--stalled-interval", o.stalledInterval, { int: true, min: 100 }),
        maxStalledCount: num("--max-stalled", o.maxStalled, { int: true, min: 0 }),
        onFatal: (m) => { process.stderr.write(`embedscape: ${m}\n`); process.exit(2); },
      });
      let signals = 0;
      const stop = (sig: string): void => {
        if (++signals > 1 || w.running() === 0) process.exit(signals > 1 ? 130 : 0); // nothing running: nothing to finish
        process.stderr.write(`embedscape: ${sig}: finishing the running cells (again to exit now)\n`);
        void w.close();
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
      await w.closed;
    });
}
