import { join } from "node:path";
import type { ReproductionOption } from "../experiments/registry.js";
import { num } from "./run.js";
import { progress } from "./progress.js";
import type { RunOptions, SweepRunner } from "../sweep/runner.js";

/** Flags of every command that runs a sweep: where the cells run and where their results live. */
export const SWEEP_OPTIONS: ReproductionOption[] = [
  { flags: "--queue <url>", description: "run the cells on a BullMQ queue at redis://HOST:PORT (or rediss:// for TLS) served by `embedscape worker`s, instead of this machine's cores" },
  { flags: "--queue-name <name>", description: "queue name (the workers' --queue-name)", default: "embedscape" },
  { flags: "--queue-password-file <file>", description: "file whose first line is the Redis password" },
  { flags: "--queue-ca-file <file>", description: "PEM CA certificates for rediss://" },
  { flags: "--attempts <n>", description: "runs of a failing cell on the queue before it is given up", default: "3" },
  { flags: "--cores <n>", description: "worker threads of the local runner (default: all cores)" },
  { flags: "--sweep-dir <dir>", description: "the sweep's folder (its SQLite database of results; rerunning resumes), default sweeps/<kind>-<hash of the options>" },
];

type Flags = Record<string, string | boolean | undefined>;

/** Check the sweep flags (queue URL, password and CA files, numbers) before anything is created or connected. */
export async function checkSweepFlags(o: Flags): Promise<void> {
  if (typeof o.queue === "string") {
    const { connectionOptions } = await import("../sweep/queue.js");
    connectionOptions({ url: o.queue, passwordFile: typeof o.queuePasswordFile === "string" ? o.queuePasswordFile : undefined, caFile: typeof o.queueCaFile === "string" ? o.queueCaFile : undefined });
  }
  num("--attempts", String(o.attempts ?? "3"), { int: true, min: 1 });
  if (o.cores !== undefined) num("--cores", o.cores as string, { int: true, min: 1 });
}

/** The runner the flags ask for: the queue (coordinator) or worker threads here. */
export async function runnerFromFlags(o: Flags): Promise<SweepRunner> {
  if (typeof o.queue === "string") {
    const { QueueRunner } = await import("../sweep/queue.js");
    return new QueueRunner({
      url: o.queue, queueName: String(o.queueName ?? "embedscape"),
      passwordFile: typeof o.queuePasswordFile === "string" ? o.queuePasswordFile : undefined,
      caFile: typeof o.queueCaFile === "string" ? o.queueCaFile : undefined,
      attempts: num("--attempts", String(o.attempts ?? "3"), { int: true, min: 1 }),
    });
  }
  const { LocalRunner } = await import("../sweep/local.js");
  return new LocalRunner({ threads: o.cores === undefined ? undefined : num("--cores", o.cores as string, { int: true, min: 1 }) });
}

/** True when any sweep flag was given explicitly (defaults aside). */
export function wantsSweep(o: Flags): boolean {
  return typeof o.queue === "string" || typeof o.sweepDir === "string" || o.cores !== undefined;
}

/** The sweep's folder: --sweep-dir or sweeps/<name>. */
export function sweepDirFromFlags(o: Flags, name: string): string {
  return typeof o.sweepDir === "string" ? o.sweepDir : join("sweeps", name);
}

/** Progress bar (stderr) for a sweep's cells. */
export function sweepProgress(label: string): { opts: RunOptions; stop(): void } {
  let bar: ReturnType<typeof progress> | undefined;
  let total = -1;
  return {
    opts: {
      onProgress: (p) => {
        if (p.total !== total) { bar?.stop(); bar = progress(p.total, label); total = p.total; }
        bar!.update(p.done + p.failed);
      },
    },
    stop: () => bar?.stop(),
  };
}
