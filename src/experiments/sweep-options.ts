import { join } from "node:path";
import type { RunOptions, SweepRunner } from "../sweep/runner.js";
import type { ProgressSink, ReproductionOption, ReproductionOptions } from "./types.js";

/** Where a sweep's cells run and where its results live (the parsed sweep flags). */
export interface SweepFlags {
  queue?: string;
  queueName?: string;
  queuePasswordFile?: string;
  queueCaFile?: string;
  attempts?: number;
  cores?: number;
  sweepDir?: string;
}

/** The flags of every reproduction that runs as a sweep. */
export const SWEEP_OPTIONS: ReproductionOption[] = [
  { flags: "--queue <url>", description: "run the cells on a BullMQ queue at redis://HOST:PORT (or rediss:// for TLS) served by `embedscape worker`s, instead of this machine's cores", parse: { kind: "text" } },
  { flags: "--queue-name <name>", description: "queue name (the workers' --queue-name)", default: "embedscape", parse: { kind: "text" } },
  { flags: "--queue-password-file <file>", description: "file whose first line is the Redis password", parse: { kind: "text" } },
  { flags: "--queue-ca-file <file>", description: "PEM CA certificates for rediss://", parse: { kind: "text" } },
  { flags: "--attempts <n>", description: "runs of a failing cell on the queue before it is given up", default: "3", parse: { kind: "int", min: 1 } },
  { flags: "--cores <n>", description: "worker threads of the local runner (default: all cores)", parse: { kind: "int", min: 1 } },
  { flags: "--sweep-dir <dir>", description: "the sweep's folder (its SQLite database of results; rerunning resumes), default sweeps/<kind>-<hash of the options>", parse: { kind: "text" } },
];

/** The sweep flags out of a reproduction's parsed options. */
export function sweepFlags(o: ReproductionOptions): SweepFlags {
  const s = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  const n = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
  return { queue: s(o.queue), queueName: s(o.queueName), queuePasswordFile: s(o.queuePasswordFile), queueCaFile: s(o.queueCaFile), attempts: n(o.attempts), cores: n(o.cores), sweepDir: s(o.sweepDir) };
}

/** True when a sweep flag asks for the sweep runner (a queue, a folder or a thread count). */
export function wantsSweep(f: SweepFlags): boolean {
  return f.queue !== undefined || f.sweepDir !== undefined || f.cores !== undefined;
}

/** Check the queue address (URL, password and CA files) before anything is created or connected. */
export async function checkSweepFlags(f: SweepFlags): Promise<void> {
  if (f.queue === undefined) return;
  const { connectionOptions } = await import("../sweep/queue.js");
  connectionOptions({ url: f.queue, passwordFile: f.queuePasswordFile, caFile: f.queueCaFile });
}

/** The runner the flags ask for: the queue (this process is the coordinator) or worker threads here. */
export async function runnerFromFlags(f: SweepFlags): Promise<SweepRunner> {
  if (f.queue !== undefined) {
    const { QueueRunner } = await import("../sweep/queue.js");
    return new QueueRunner({ url: f.queue, queueName: f.queueName, passwordFile: f.queuePasswordFile, caFile: f.queueCaFile, attempts: f.attempts });
  }
  const { LocalRunner } = await import("../sweep/local.js");
  return new LocalRunner({ threads: f.cores });
}

/** The sweep's folder: --sweep-dir or sweeps/<name>. */
export function sweepDir(f: SweepFlags, name: string): string {
  return f.sweepDir ?? join("sweeps", name);
}

/** Progress of a sweep's cells on the caller's progress bars (a new bar per phase). */
export function sweepProgress(progress: (total: number, label: string) => ProgressSink, label: string): { opts: RunOptions; stop(): void } {
  let bar: ProgressSink | undefined;
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
