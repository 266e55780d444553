import { CommanderError } from "commander";
import { InputError, quote, safeMessage } from "../util/errors.js";

/**
 * Turn any failure into one line on stderr and an exit code: InputError and bad flags → 2,
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
  const err = e as Error;
  // a safety net behind the memory estimates (util/memory.ts): V8 refusing an allocation is still one clean line
  if (err instanceof RangeError && /Array buffer allocation failed|Invalid typed array length|Invalid array length|Invalid string length|Array buffer exceeds/i.test(err.message)) {
    process.stderr.write(`embedscape: out of memory (${safeMessage(err.message).slice(0, 80)}): the request is larger than this machine can hold; lower it or see --max-memory\n`);
    return 2;
  }
  process.stderr.write(`embedscape: internal error: ${safeMessage(err?.message ?? String(e))}${process.env.EMBEDSCAPE_DEBUG ? `\n${err?.stack}` : " (set EMBEDSCAPE_DEBUG=1 for the stack)"}\n`);
  return 1;
}

/**
 * Print a JSON result on stdout (one document; numbers as JavaScript prints them; ±∞ as the strings "inf" and
 * "-inf" — JSON has no infinity and JSON.stringify would write null, indistinguishable from "none").
 */
export function printJson(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj, (_k, v) => (v instanceof Float64Array ? Array.from(v, jsonNumber) : typeof v === "number" ? jsonNumber(v) : v), 2) + "\n");
}

function jsonNumber(v: number): number | string {
  return v === Infinity ? "inf" : v === -Infinity ? "-inf" : v;
}

/**
 * Parse a number flag: a decimal number (`12`, `-0.5`, `1e-3`; not `0x10`, `Infinity` or an empty string);
 * `int` requires a whole number within ±(2⁵³ − 1), where every integer is exact (9007199254740993 is refused,
 * not rounded).
 */
export function num(flag: string, value: string | undefined, opts: { int?: boolean; min?: number; positive?: boolean } = {}): number {
  const s = (value ?? "").trim();
  const v = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(v)) throw new InputError(`${flag} needs a number, got ${quote(value ?? "", 40)}`);
  if (opts.int && !Number.isInteger(v)) throw new InputError(`${flag} needs a whole number, got ${quote(s, 40)}`);
  if (opts.int && !Number.isSafeInteger(v)) throw new InputError(`${flag} = ${s.slice(0, 40)} is too large (whole numbers must be at most 2⁵³ − 1 = ${Number.MAX_SAFE_INTEGER})`);
  if (opts.positive && !(v > 0)) throw new InputError(`${flag} must be positive, got ${s.slice(0, 40)}`);
  if (opts.min !== undefined && v < opts.min) throw new InputError(`${flag} must be at least ${opts.min}, got ${s.slice(0, 40)}`);
  return v;
}

/** A cosine-similarity threshold flag: a number in (−1, 1]. */
export function cosineFlag(flag: string, value: string | undefined): number {
  const c = num(flag, value);
  if (!(c > -1 && c <= 1)) throw new InputError(`${flag} must be in (−1, 1], got ${value}`);
  return c;
}
