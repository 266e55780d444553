/**
 * Test helpers for the command line (not part of the public API): run the built CLI as a child process and check the
 * bad-input contract — exit code 2 and exactly one line `embedscape: <problem>` on stderr, no stack trace.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI entry point (`dist/cli/main.js`, what `bin/embedscape.js` runs). */
export const CLI_MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "cli", "main.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Run `embedscape ARGS` in `cwd` (optional standard input, extra environment, timeout in ms; stdin ignored when no input). */
export function runCli(args: string[], o: { cwd: string; input?: string | Buffer; env?: Record<string, string>; timeout?: number }): CliResult {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args], {
    encoding: "utf8", cwd: o.cwd, timeout: o.timeout ?? 120_000, input: o.input, env: { ...process.env, ...o.env },
    stdio: [o.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** Exit 2 with one line `embedscape: …` on stderr matching `re`, and no stack trace. */
export function assertBadInput(r: { code: number | null; err: string }, re: RegExp, what = ""): void {
  const where = what ? `${what}: ` : "";
  assert.equal(r.code, 2, `${where}exit 2 expected, got ${r.code}: ${r.err.slice(0, 400)}`);
  const lines = r.err.trim().split("\n");
  assert.equal(lines.length, 1, `${where}one line expected: ${r.err.slice(0, 400)}`);
  assert.match(lines[0], /^embedscape: /);
  assert.match(lines[0], re, what);
  assert.doesNotMatch(r.err, /\n\s+at /);
}
