import { CommanderError } from "commander";
import { GoalNotReached, InputError } from "../util/errors.js";

/**
 * Turn any failure into one line on stderr and an exit code: InputError and bad flags → 2, GoalNotReached → 3,
 * anything else (a bug) → 1 with the message; EMBEDSCAPE_DEBUG=1 adds the stack.
 */
export function reportFailure(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
    process.stderr.write(`embedscape: ${e.message.replace(/^error: /, "")}\n`);
    return 2;
  }
  if (e instanceof InputError) {
    process.stderr.write(`embedscape: ${e.message}\n`);
    return 2;
  }
  if (e instanceof GoalNotReached) {
    process.stderr.write(`embedscape: ${e.message}\n`);
    return 3;
  }
  const err = e as Error;
  process.stderr.write(`embedscape: internal error: ${err?.message ?? String(e)}${process.env.EMBEDSCAPE_DEBUG ? `\n${err?.stack}` : " (set EMBEDSCAPE_DEBUG=1 for the stack)"}\n`);
  return 1;
}

/** Print a JSON result on stdout (one document; numbers as JavaScript prints them). */
export function printJson(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v), 2) + "\n");
}

/** Parse a number flag, rejecting non-numbers with a one-line error. */
export function num(flag: string, value: string | undefined, opts: { int?: boolean; min?: number; positive?: boolean } = {}): number {
  const v = Number(value);
  if (value === undefined || value === "" || !Number.isFinite(v)) throw new InputError(`${flag} needs a number, got "${value}"`);
  if (opts.int && !Number.isInteger(v)) throw new InputError(`${flag} needs a whole number, got "${value}"`);
  if (opts.positive && !(v > 0)) throw new InputError(`${flag} must be positive, got ${value}`);
  if (opts.min !== undefined && v < opts.min) throw new InputError(`${flag} must be at least ${opts.min}, got ${value}`);
  return v;
}

/** A cosine-similarity threshold flag: a number in (−1, 1]. */
export function cosineFlag(flag: string, value: string | undefined): number {
  const c = num(flag, value);
  if (!(c > -1 && c <= 1)) throw new InputError(`${flag} must be in (−1, 1], got ${value}`);
  return c;
}
