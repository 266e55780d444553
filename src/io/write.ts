import { randomBytes } from "node:crypto";
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InputError, quote } from "../util/errors.js";

/**
 * Output files: `checkOutputPath` validates a path before any work (so a long run never fails at its end), and
 * `writeAtomic` writes through an exclusive, no-follow temporary file beside the target, renamed over it.
 *
 * Temporary names are `.<target>.tmp-<pid>-<random>`: unpredictable (a planted symlink cannot be guessed), opened
 * with O_CREAT | O_EXCL | O_NOFOLLOW (never an existing file or a link), removed on any failure, and — since a
 * SIGKILL can still interrupt a write — stale ones of dead processes are removed by the next write to the same
 * target (only regular files of ours that match the pattern exactly).
 */
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const TMP = (base: string): RegExp => new RegExp("^\\." + escapeRe(base) + "\\.tmp-(\\d+)-[0-9a-f]{12}$");

/** Pseudo file systems nothing is ever written into. */
const PSEUDO = ["/proc", "/sys"];

/**
 * Check that `path` can be written, without writing it: the extension is one of `extensions` (case-insensitive;
 * empty list = any); the path is not an existing directory or special file; no ancestor is a file; the nearest
 * existing folder is not under /proc or /sys and really accepts a new file (probed with an exclusive temporary
 * file that is removed at once, so read-only mounts and permissions are seen as they are, also for root).
 * Throws a one-line InputError naming `flag` and the problem.
 */
export function checkOutputPath(path: string, flag: string, extensions: readonly string[] = []): void {
  const fail = (msg: string): never => { throw new InputError(`${flag} ${quote(path, 120)}: ${msg}`); };
  if (path === "") fail("empty path");
  const lower = path.toLowerCase();
  if (extensions.length > 0 && !extensions.some((e) => lower.endsWith(e))) fail(`unknown format (must end in ${extensions.length > 1 ? `${extensions.slice(0, -1).join(", ")} or ${extensions[extensions.length - 1]}` : extensions[0]})`);
  const abs = resolve(path);
  let st: ReturnType<typeof lstatSync> | undefined;
  try { st = statSync(abs); } catch (e) { if ((e as NodeJS.ErrnoException).code === "ENOTDIR") fail("a parent folder is a file"); }
  if (st?.isDirectory()) fail("is an existing directory");
  if (st && !st.isFile()) fail("exists and is not a regular file");
  // nearest existing ancestor: must be a directory (a file there means "parent is a file")
  let dir = dirname(abs);
  for (;;) {
    let ds: ReturnType<typeof statSync> | undefined;
    try { ds = statSync(dir); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") fail("a parent folder is a file");
      if (code !== "ENOENT") fail(`cannot use folder ${quote(dir, 80)} (${code})`);
    }
    if (ds) { if (!ds.isDirectory()) fail(`parent ${quote(dir, 80)} is a file, not a folder`); break; }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  let real = dir;
  try { real = realpathSync(dir); } catch { /* keep dir */ }
  if (PSEUDO.some((p) => real === p || real.startsWith(`${p}/`))) fail(`${real.split("/")[1] === "proc" ? "/proc" : "/sys"} is a pseudo file system; write somewhere else`);
  const probe = join(dir, `.embedscape-probe-${process.pid}-${randomBytes(6).toString("hex")}`);
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
  } catch (e) {
    fail(`folder ${quote(dir, 80)} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try { unlinkSync(probe); } catch { /* already gone */ }
}

/** Remove temporaries `.<base>.tmp-<pid>-…` in `dir` left by processes that no longer run (killed mid-write). */
export function removeStaleTemporaries(dir: string, base: string): number {
  const re = TMP(base);
  let removed = 0;
  let names: string[];
  try { names = readdirSync(dir); } catch { return 0; }
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    const p = join(dir, name);
    try {
      const st = lstatSync(p);
      if (!st.isFile() || (process.getuid && st.uid !== process.getuid())) continue;
      unlinkSync(p);
      removed++;
    } catch { /* raced with another cleaner */ }
  }
  return removed;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
}

/**
 * Write `data` to `path` atomically (temporary file + fsync + rename, POSIX-atomic), creating the folder; the
 * temporary is exclusive and no-follow (see above) and removed if anything fails. Errors are InputErrors.
 */
export function writeAtomic(path: string, data: Uint8Array | string): void {
  const dir = dirname(path), base = basename(path);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let tmp: string | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    removeStaleTemporaries(dir, base);
    tmp = join(dir, `.${base}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    try {
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    tmp = undefined;
  } catch (e) {
    throw new InputError(`cannot write ${quote(path, 120)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    if (tmp !== undefined) try { unlinkSync(tmp); } catch { /* never created */ }
  }
}
