import { InputError } from "../util/errors.js";

/**
 * The CLI's one parser for numeric flag and argument text. Every command and every reproduction option
 * goes through `num` (and `parseRange` / `numList` built on it), so a value is accepted or rejected
 * — with the same one-line message — wherever it is typed.
 */

/** Largest list a range argument may expand to. */
export const MAX_RANGE_ENTRIES = 1000;

export interface NumOptions {
  /** A whole number: "2.5" is refused; "1e3" (= 1000) is accepted. */
  int?: boolean;
  min?: number;
  max?: number;
  positive?: boolean;
}

/** Parse a number flag or argument, rejecting non-numbers, fractions (for `int`) and out-of-range values with one line. */
export function num(flag: string, value: string | undefined, opts: NumOptions = {}): number {
  const s = (value ?? "").trim();
  // decimal notation only: Number() would also read "0x10", "0b11", "0o7" and "" (as 16, 3, 7, 0)
  const v = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
  const what = opts.int ? "a whole number" : "a number";
  if (s === "" || !Number.isFinite(v)) throw new InputError(`${flag} needs ${what}, got "${value ?? ""}"`);
  if (opts.int && !Number.isInteger(v)) throw new InputError(`${flag} needs a whole number, got "${value}"`);
  if (opts.positive && !(v > 0)) throw new InputError(`${flag} must be positive, got ${s}`);
  if (v < 0 && opts.min !== undefined && opts.min >= 0) throw new InputError(`${flag} must be at least ${opts.min}, got a negative number ${s}`);
  if (opts.int && !Number.isSafeInteger(v)) throw new InputError(`${flag} = ${s} is too large (at most ${opts.max ?? Number.MAX_SAFE_INTEGER})`);
  if (opts.max !== undefined && v > opts.max) throw new InputError(`${flag} = ${s} is too large (at most ${opts.max})`);
  if (opts.min !== undefined && v < opts.min) throw new InputError(`${flag} must be at least ${opts.min}, got ${s}`);
  return v;
}

/** A cosine-similarity threshold flag: a number in (−1, 1]. */
export function cosineFlag(flag: string, value: string | undefined): number {
  const c = num(flag, value);
  if (!(c > -1 && c <= 1)) throw new InputError(`${flag} must be in (−1, 1], got ${value}`);
  return c;
}

/** A comma-separated list of whole numbers, in the order given ("1,2,8"); `count` fixes its length. */
export function numList(flag: string, text: string | undefined, opts: { min?: number; max?: number; count?: number } = {}): number[] {
  const parts = (text ?? "").split(",");
  if (opts.count !== undefined && parts.length !== opts.count) throw new InputError(`${flag} needs ${opts.count} comma-separated whole numbers, got "${text ?? ""}"`);
  return parts.map((p) => num(flag, p, { int: true, min: opts.min, max: opts.max }));
}

/** A list of real numbers separated by commas, spaces or semicolons ("1,0.5 -2"); undefined stays undefined. */
export function realList(flag: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(/[,\s;]+/).filter((t) => t !== "");
  if (parts.length === 0 || parts.some((p) => !Number.isFinite(Number(p)))) throw new InputError(`${flag} needs a comma-separated list of numbers, got "${text}"`);
  return parts.map((p) => num(flag, p));
}

/** Parse "1..5", "3", "1,2,8" or "1..4,10" into a sorted list of distinct whole numbers. */
export function parseRange(flag: string, text: string | undefined, opts: { min?: number; max?: number } = {}): number[] {
  const s = (text ?? "").trim();
  if (s === "") throw new InputError(`${flag} needs a value like 1..5 or 2,3,8`);
  const out = new Set<number>();
  for (const part of s.split(",")) {
    const m = /^(.*?)\.\.(.*)$/.exec(part.trim());
    if (m) {
      const a = num(flag, m[1], { int: true, ...opts }), b = num(flag, m[2], { int: true, ...opts });
      if (b < a) throw new InputError(`${flag}: range ${part.trim()} is empty (end before start)`);
      if (b - a + 1 + out.size > MAX_RANGE_ENTRIES) throw new InputError(`${flag}: more than ${MAX_RANGE_ENTRIES} values`);
      for (let v = a; v <= b; v++) out.add(v);
    } else {
      out.add(num(flag, part, { int: true, ...opts }));
    }
  }
  return [...out].sort((a, b) => a - b);
}
