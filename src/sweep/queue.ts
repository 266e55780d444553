import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Job, Queue, QueueEvents, Worker, type ConnectionOptions } from "bullmq";
import { Redis as IORedis, type RedisOptions } from "ioredis";
import { InputError, oneLine } from "../util/errors.js";
import { checkOutcome, payloadOf, truncate, workerName, type Cell } from "./cell.js";
import { tally, toRun, tracker, type RunOptions, type RunSummary, type SweepRunner } from "./runner.js";
import type { SweepStore } from "./store.js";

/** The BullMQ queue every embedscape worker serves unless told otherwise. */
export const DEFAULT_QUEUE_NAME = "embedscape";

export interface QueueAddress {
  /** redis://[user[:password]@]host[:port][/db] or rediss://… (TLS). */
  url: string;
  /** A file whose first line is the Redis password (keeps it out of `ps` and shell history); overrides the URL's. */
  passwordFile?: string;
  /** A PEM file of CA certificates for rediss:// (default: Node's trusted CAs). */
  caFile?: string;
  /** One line per connection problem (default stderr). */
  log?: (line: string) => void;
}

/** Backoff between reconnection attempts to Redis: 0.5 s doubling to at most 15 s, forever. */
export function reconnectDelay(attempt: number): number {
  return Math.min(500 * 2 ** Math.min(Math.max(attempt - 1, 0), 5), 15000);
}

/**
 * ioredis connection options from a queue address: host, port, database, user and password from the URL (or the
 * password file), TLS for rediss://, `maxRetriesPerRequest: null` (commands wait for the connection instead of
 * failing, as BullMQ workers require) and a reconnection strategy with backoff that says what is happening.
 * Returns the options and a printable address without credentials.
 */
export function connectionOptions(a: QueueAddress): { connection: ConnectionOptions; where: string } {
  let u: URL;
  try { u = new URL(a.url); } catch { throw new InputError(`--queue must be a URL like redis://host:6379, got "${truncate(a.url, 100)}"`); }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new InputError(`--queue must start with redis:// or rediss://, got "${truncate(u.protocol, 20)}"`);
  if (!u.hostname) throw new InputError("--queue needs a host, like redis://127.0.0.1:6379");
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, "");
  if (dbText !== "" && !/^\d{1,2}$/.test(dbText)) throw new InputError(`--queue: the path must be a database number, got "/${truncate(dbText, 20)}"`);
  let password = u.password ? decodeURIComponent(u.password) : undefined;
  if (a.passwordFile !== undefined) {
    try { password = readFileSync(a.passwordFile, "utf8").split(/\r?\n/)[0]; } catch (e) { throw new InputError(`--queue-password-file: cannot read ${a.passwordFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    if (!password) throw new InputError(`--queue-password-file: ${a.passwordFile} is empty`);
  }
  let tls: Record<string, unknown> | undefined;
  if (u.protocol === "rediss:") {
    tls = { servername: u.hostname };
    if (a.caFile !== undefined) {
      try { tls.ca = readFileSync(a.caFile, "utf8"); } catch (e) { throw new InputError(`--queue-ca-file: cannot read ${a.caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    }
  } else if (a.caFile !== undefined) throw new InputError("--queue-ca-file needs a rediss:// queue");
  const where = `${u.protocol}//${u.hostname}:${port}${dbText ? `/${dbText}` : ""}`;
  const log = a.log ?? ((s: string) => void process.stderr.write(s + "\n"));
  let last = "";
  const connection: ConnectionOptions = {
    host: u.hostname.replace(/^\[|\]$/g, ""), port, db: dbText ? Number(dbText) : 0,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}), ...(password !== undefined ? { password } : {}), ...(tls ? { tls } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => {
      const d = reconnectDelay(times);
      const line = `embedscape: no connection to Redis at ${where}; reconnecting in ${(d / 1000).toFixed(1)} s (attempt ${times})`;
      if (line !== last) { last = line; log(line); } // every BullMQ client reconnects on its own: say it once per attempt
      return d;
    },
  };
  return { connection, where };
}

/** Errors that reconnecting cannot cure: Redis refused the credentials. */
export function isAuthError(e: Error): boolean {
  return /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(e.message);
}

/**
 * One line for an error BullMQ or ioredis reports (connection errors are already told by the retry strategy);
 * an authentication error goes to `onFatal` instead, once.
 */
function quietError(log: (s: string) => void, where: string, onFatal: (message: string) => void): (e: Error) => void {
  let last = "", fatal = false;
  return (e: Error) => {
    if (isAuthError(e)) {
      if (!fatal) { fatal = true; onFatal(`Redis at ${where} refused the credentials (${truncate(oneLine(e.message), 120)}); check --queue-password-file or the URL's user`); }
      return;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EPIPE" || code === "ETIMEDOUT" || /Connection is closed|ECONNREFUSED|ECONNRESET/.test(e.message)) return;
    const line = `embedscape: redis: ${truncate(oneLine(e.message), 300)}`;
    if (line !== last) { last = line; log(line); }
  };
}

/** Tuning of the queue's failure handling (defaults suit real cells; tests shorten the times). */
export interface QueueTuning {
  /** Runs of a cell that throws before it is given up (default 3). A refused payload is never retried. */
  attempts?: number;
  /** ms a worker's lock on a job lasts without renewal (default 30 000; renewed every half of it). */
  lockDuration?: number;
  /** ms between checks for stalled jobs (default 30 000). */
  stalledInterval?: number;
  /** Times a job may stall (its worker died or hung) and be retried elsewhere before it fails (default 2). */
  maxStalledCount?: number;
}

const processorFile = fileURLToPath(new URL("./processor.js", import.meta.url));

export interface WorkerHandle {
  worker: Worker;
  where: string;
  /** Cells computing on this worker now. */
  running(): number;
  /** Finish the running cells, then disconnect. */
  close(): Promise<void>;
  /** Resolves when the worker has closed (by `close`, a signal, or `exitWhenIdle`). */
  closed: Promise<void>;
}

/**
 * `embedscape worker`: a BullMQ worker on the queue. Each job runs in a sandboxed worker thread (`processor.js`),
 * so the worker's main thread keeps renewing job locks however long a cell computes; a worker that dies has its
 * jobs found stalled by the others and retried. `exitWhenIdle` (seconds) closes it once the queue stayed empty that
 * long (for batch schedulers: Slurm arrays, Kubernetes Jobs).
 */
export async function startWorker(a: QueueAddress & QueueTuning & {
  queueName?: string; concurrency?: number; exitWhenIdle?: number; log?: (s: string) => void;
  /** Called once when Redis refuses the credentials (default: log it and close the worker). */
  onFatal?: (message: string) => void;
}): Promise<WorkerHandle> {
  const log = a.log ?? ((s: string) => void process.stderr.write(s + "\n"));
  const { connection, where } = connectionOptions(a);
  const concurrency = a.concurrency ?? availableParallelism();
  const me = workerName();
  const worker = new Worker(a.queueName ?? DEFAULT_QUEUE_NAME, processorFile, {
    connection, concurrency, useWorkerThreads: true, name: me,
    lockDuration: a.lockDuration ?? 30000, stalledInterval: a.stalledInterval ?? 30000, maxStalledCount: a.maxStalledCount ?? 2,
    autorun: false,
  });
  let running = 0;
  worker.on("active", () => { running++; });
  const done = (): void => { running = Math.max(0, running - 1); };
  worker.on("completed", done);
  worker.on("failed", done);
  worker.on("error", quietError(log, where, a.onFatal ?? ((m) => { log(`embedscape: ${m}`); void close(); })));
  worker.on("active", (job) => log(`worker ${me}: started ${job.id?.slice(0, 12)}… (${truncate(oneLine(job.name), 40)})`));
  worker.on("completed", (job) => {
    const r = job.returnvalue as { backend?: unknown; seconds?: unknown } | null;
    log(`worker ${me}: finished ${job.id?.slice(0, 12)}… (${typeof r?.backend === "string" ? r.backend : "?"}, ${typeof r?.seconds === "number" ? r.seconds.toFixed(1) : "?"} s)`);
  });
  worker.on("failed", (job, err) => log(`worker ${me}: ${job?.id?.slice(0, 12) ?? "?"}… failed: ${truncate(oneLine(err.message), 300)}`));
  worker.on("stalled", (id) => log(`worker ${me}: job ${String(id).slice(0, 12)}… stalled (its worker stopped renewing the lock); it goes back to the queue`));
  let idleTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= (async () => { clearTimeout(idleTimer); await worker.close(); })());
  if (a.exitWhenIdle !== undefined) {
    // idle = no cell running here and the queue found empty; "drained" also fires while other cells still run
    const arm = (): void => {
      clearTimeout(idleTimer);
      if (running > 0) return;
      idleTimer = setTimeout(() => { if (running === 0) { log(`worker ${me}: the queue stayed empty for ${a.exitWhenIdle} s; exiting`); void close(); } }, a.exitWhenIdle! * 1000);
    };
    worker.on("active", () => clearTimeout(idleTimer));
    const finished = (): void => { if (running === 0) arm(); };
    worker.on("completed", finished);
    worker.on("failed", finished);
    worker.on("drained", arm);
    arm();
  }
  const closed = new Promise<void>((resolve) => worker.on("closed", () => resolve()));
  void worker.run().catch((e: Error) => log(`embedscape: worker stopped: ${truncate(oneLine(e.message), 300)}`));
  log(`worker ${me}: serving queue "${a.queueName ?? DEFAULT_QUEUE_NAME}" at ${where} with ${concurrency} cell(s) at a time`);
  return { worker, where, running: () => running, close, closed };
}

/**
 * The distributed runner (the coordinator): enqueues every cell still missing from the store with jobId = cell key
 * (a repeated submission adds nothing), then collects results into the store as they complete. Collection is driven
 * by QueueEvents and, because events are not durable, by a periodic scan of every pending cell's job: completed →
 * validated and stored; failed for good → reason stored; missing (Redis lost it) → enqueued again. A restarted
 * coordinator therefore resumes from the store and the queue. Jobs stay in Redis for `keepSeconds` after they finish.
 */
export class QueueRunner implements SweepRunner {
  readonly name = "queue";
  readonly where: string;
  private queueName: string;
  private connection: ConnectionOptions;
  private queue!: Queue;
  private events!: QueueEvents;
  private connected?: Promise<void>;
  private attempts: number;
  private scanMs: number;
  private keepSeconds: number;
  private log: (s: string) => void;

  constructor(a: QueueAddress & QueueTuning & { queueName?: string; scanMs?: number; keepSeconds?: number }) {
    this.log = a.log ?? ((s: string) => void process.stderr.write(s + "\n"));
    const { connection, where } = connectionOptions({ ...a, log: this.log });
    this.where = where;
    this.connection = connection;
    this.queueName = a.queueName ?? DEFAULT_QUEUE_NAME;
    this.attempts = a.attempts ?? 3;
    this.scanMs = a.scanMs ?? 2000;
    this.keepSeconds = a.keepSeconds ?? 7 * 86400;
  }

  /**
   * Connect: one probe client first (it retries with backoff while Redis is down, and an InputError ends it when
   * Redis refuses the credentials, which reconnecting cannot cure), then the queue and its event stream.
   */
  ready(): Promise<void> {
    this.connected ??= (async () => {
      const probe = new IORedis({ ...(this.connection as RedisOptions), lazyConnect: true });
      try {
        await new Promise<void>((resolve, reject) => {
          probe.once("ready", () => resolve());
          probe.on("error", (e: Error) => { if (isAuthError(e)) reject(new InputError(`Redis at ${this.where} refused the credentials (${truncate(oneLine(e.message), 120)}); check --queue-password-file or the URL's user`)); });
          probe.connect().catch(() => {});
        });
      } finally { probe.disconnect(); }
      this.queue = new Queue(this.queueName, { connection: this.connection });
      this.events = new QueueEvents(this.queueName, { connection: this.connection });
      const onError = quietError(this.log, this.where, (m) => this.log(`embedscape: ${m}`));
      this.queue.on("error", onError);
      this.events.on("error", onError);
      await this.queue.waitUntilReady();
      await this.events.waitUntilReady();
    })();
    return this.connected;
  }

  /** Enqueue cells (jobId = key): cells already on the queue, in any state, are left as they are. */
  async submit(cells: Cell[]): Promise<void> {
    await this.ready();
    for (let i = 0; i < cells.length; i += 500) {
      await this.queue.addBulk(cells.slice(i, i + 500).map((c) => ({
        name: c.kind, data: payloadOf(c),
        opts: { jobId: c.key, attempts: this.attempts, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: { age: this.keepSeconds }, removeOnFail: { age: this.keepSeconds } },
      })));
    }
  }

  async run(store: SweepStore, cells: Cell[], opts: RunOptions = {}): Promise<RunSummary> {
    const t0 = performance.now();
    const log = opts.log ?? this.log;
    store.addCells(cells);
    const todo = toRun(store, cells, opts.retryFailed ?? false);
    const total = new Set(cells.map((c) => c.key)).size;
    const byKey = new Map(todo.map((c) => [c.key, c]));
    let computed = 0, duplicates = 0, mismatches = 0;
    const track = tracker(store, cells, opts.onProgress);
    track.report();
    await this.ready();
    if (opts.retryFailed) for (const c of todo) { const j = await Job.fromId(this.queue, c.key); if (j && (await j.getState()) === "failed") await j.retry("failed"); }
    await this.submit(todo);
    let wake: () => void = () => {};
    const check = async (key: string): Promise<void> => {
      const c = byKey.get(key);
      if (!c) return;
      // the state first: completed and failed are final, and the job's fields are written with the move into them
      const state = await this.queue.getJobState(key);
      if (state === "unknown") { await this.submit([c]); return; } // Redis lost it (no persistence): enqueue again
      if (state !== "completed" && state !== "failed") return;
      const job = await Job.fromId(this.queue, key);
      if (!job) return;
      if (state === "completed") {
        if (!byKey.has(key)) return;
        let outcome;
        try { outcome = checkOutcome(job.returnvalue, key); } catch (e) {
          store.fail(key, (e as Error).message, job.attemptsMade);
          log(`sweep: ${(e as Error).message}`);
          byKey.delete(key); track.mark(key, "failed"); return;
        }
        const r = store.record(outcome, job.attemptsStarted ?? job.attemptsMade);
        if (r === "stored") { computed++; opts.onResult?.(c, outcome); }
        else if (r === "duplicate") duplicates++;
        else { mismatches++; log(`sweep: DETERMINISM FAILURE: cell ${key.slice(0, 12)}… from ${truncate(outcome.worker, 80)} (${outcome.backend}) differs from the stored result (see the mismatches table of ${store.path})`); }
        byKey.delete(key); track.mark(key, "done");
      } else if (state === "failed") {
        if (!byKey.has(key)) return;
        const reason = truncate(oneLine(job.failedReason ?? "unknown reason"));
        store.fail(key, reason, job.attemptsMade);
        log(`sweep: cell ${key.slice(0, 12)}… gave up after ${job.attemptsMade} attempt(s): ${reason}`);
        byKey.delete(key); track.mark(key, "failed");
      }
    };
    const inFlight = new Set<Promise<void>>();
    const kick = (key: string): void => {
      const p = check(key).catch((e: Error) => log(`sweep: checking ${key.slice(0, 12)}…: ${truncate(oneLine(e.message), 200)}`)).finally(() => { inFlight.delete(p); wake(); });
      inFlight.add(p);
    };
    const onCompleted = ({ jobId }: { jobId: string }): void => kick(jobId);
    const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }): void => {
      if (byKey.has(jobId)) { kick(jobId); return; }
      if (!store.hasCell(jobId) && /^payload rejected/.test(failedReason ?? "") && store.reject(truncate(oneLine(jobId), 200), truncate(oneLine(failedReason)))) log(`sweep: a job not of this sweep (${truncate(oneLine(jobId), 40)}) was refused: ${truncate(oneLine(failedReason), 200)}`);
    };
    this.events.on("completed", onCompleted);
    this.events.on("failed", onFailed);
    try {
      while (byKey.size > 0) {
        const keys = [...byKey.keys()];
        for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k) => check(k).catch((e: Error) => log(`sweep: checking ${k.slice(0, 12)}…: ${truncate(oneLine(e.message), 200)}`))));
        if (byKey.size === 0) break;
        await new Promise<void>((resolve) => { const t = setTimeout(resolve, this.scanMs); wake = () => { clearTimeout(t); resolve(); }; });
        wake = () => {};
      }
      await Promise.all(inFlight);
      await this.recordRefused(store);
    } finally {
      this.events.off("completed", onCompleted);
      this.events.off("failed", onFailed);
    }
    return { cells: total, ...tally(store, cells), computed, duplicates, mismatches, seconds: (performance.now() - t0) / 1000 };
  }

  /**
   * Record in the store the failed jobs of the queue that are no cell of this sweep and were refused as payloads
   * (events are not durable, so this scans the failed set; at most `limit` jobs).
   */
  async recordRefused(store: SweepStore, limit = 10000): Promise<number> {
    await this.ready();
    let n = 0;
    for (const job of await this.queue.getJobs(["failed"], 0, limit - 1)) {
      if (!job?.id || store.hasCell(job.id) || !/^payload rejected/.test(job.failedReason ?? "")) continue;
      if (store.reject(truncate(oneLine(job.id), 200), truncate(oneLine(job.failedReason)))) n++;
    }
    return n;
  }

  /** The queue's job counts by state (waiting, active, completed, failed, delayed…). */
  async jobCounts(): Promise<Record<string, number>> {
    await this.ready();
    return this.queue.getJobCounts();
  }

  /** Disconnect (bounded: after 3 s without an answer from Redis the runner stops waiting). */
  async close(): Promise<void> {
    if (!this.connected) return;
    try { await this.connected; } catch { return; } // never connected: the probe is already gone
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, 3000); timer.unref(); });
    await Promise.race([Promise.all([this.events.close(), this.queue.close()]).catch(() => {}), late]);
    clearTimeout(timer);
  }
}
