import { CommanderError } from "commander";
import { GoalNotReached, InputError, safeMessage } from "../util/errors.js";

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
  // a safety net behind the memory estimates (util/memory.ts): V8 refusing an allocation is still one clean line
  if (err instanceof RangeError && /Array buffer allocation failed|Invalid typed array length|Invalid array length|Invalid string length|Array buffer exceeds/i.test(err.message)) {
    process.stderr.write(`embedscape: out of memory (${safeMessage(err.message).slice(0, 80)}): the request is larger than this machine can hold; lower it or see --max-memory\n`);
    return 2;
  }
  process.stderr.write(`embedscape: internal error: ${safeMessage(err?.message ?? String(e))}${process.env.EMBEDSCAPE_DEBUG ? `\n${err?.stack}` : " (set EMBEDSCAPE_DEBUG=1 for the stack)"}\n`);
  return 1;
}

/** Print a JSON result on stdout (one document; numbers as JavaScript prints them). */
export function printJson(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v), 2) + "\n");
}

/** ±∞ as the JSON strings "inf" / "-inf" (JSON.stringify writes null, which reads as "none"); other numbers as they are. */
export function jsonBound(x: number): number | string {
  return x === Infinity ? "inf" : x === -Infinity ? "-inf" : x;
}
