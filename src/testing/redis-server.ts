import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The redis-server binary on PATH (or /usr/bin), or null. */
export function redisServerBinary(): string | null {
  const w = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const p = w.status === 0 ? w.stdout.trim() : "";
  if (p) return p;
  return existsSync("/usr/bin/redis-server") ? "/usr/bin/redis-server" : null;
}

/** A free TCP port on 127.0.0.1 (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => { const a = s.address(); s.close(() => resolve(typeof a === "object" && a ? a.port : 0)); });
  });
}

export interface LocalRedis {
  port: number;
  url: string;
  dir: string;
  /** Stop the server (SIGTERM: it flushes the append-only file; SIGKILL: it does not get to). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same port and folder (the append-only file restores the queue). */
  start(): Promise<void>;
  /** Stop it and delete its folder. */
  dispose(): Promise<void>;
}

/**
 * A private redis-server for tests and benchmarks: 127.0.0.1 on a free port, its own temporary folder,
 * appendonly yes with appendfsync always (every write on disk before it is acknowledged), no RDB snapshots.
 */
export async function startLocalRedis(opts: { password?: string } = {}): Promise<LocalRedis> {
  const bin = redisServerBinary();
  if (!bin) throw new Error("redis-server not found (Debian: apt-get install redis-server)");
  const dir = mkdtempSync(join(tmpdir(), "embedscape-redis-"));
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
    "--daemonize", "no", "--logfile", "", ...(opts.password ? ["--requirepass", opts.password] : [])];
  const start = (): Promise<void> => new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    proc = p;
    let out = "";
    const timer = setTimeout(() => { p.kill("SIGKILL"); reject(new Error(`redis-server did not start: ${out.slice(-500)}`)); }, 15000);
    p.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) { clearTimeout(timer); resolve(); }
    });
    p.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
    p.on("exit", (code) => { clearTimeout(timer); if (!/Ready to accept/.test(out)) reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)); });
  });
  const stop = (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => new Promise((resolve) => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) { resolve(); return; }
    p.once("exit", () => resolve());
    p.kill(signal);
  });
  await start();
  return {
    port, url: `redis://127.0.0.1:${port}`, dir, stop, start,
    dispose: async () => { await stop("SIGKILL"); rmSync(dir, { recursive: true, force: true }); },
  };
}
