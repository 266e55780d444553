import { InputError } from "../util/errors.js";

/** Largest list a range argument may expand to. */
export const MAX_RANGE_ENTRIES = 1000;

/** Parse a whole number given as text, strictly (digits only; no signs, exponents or fractions). */
export function parseWhole(flag: string, text: string | undefined, opts: { min?: number; max?: number } = {}): number {
  const s = (text ?? "").trim();
  if (!/^-?\d+(\.\d*)?$|^-?\.\d+$|^-?\d+(\.\d*)?e[+-]?\d+$/i.test(s)) throw new InputError(`${flag} needs a whole number, got "${text ?? ""}"`);
  if (!/^\d+$/.test(s)) throw new InputError(s.startsWith("-") ? `${flag} must not be negative, got ${s}` : `${flag} needs a whole number, got ${s}`);
  const v = Number(s);
  if (!Number.isSafeInteger(v) || (opts.max !== undefined && v > opts.max)) throw new InputError(`${flag} = ${s} is too large (at most ${opts.max ?? Number.MAX_SAFE_INTEGER})`);
  if (opts.min !== undefined && v < opts.min) throw new InputError(`${flag} must be at least ${opts.min}, got ${s}`);
  return v;
}

/** Parse "1..5", "3", "1,2,8" or "1..4,10" into a sorted list of distinct whole numbers. */
export function parseRange(flag: string, text: string | undefined, opts: { min?: number; max?: number } = {}): number[] {
  const s = (text ?? "").trim();
  if (s === "") throw new InputError(`${flag} needs a value like 1..5 or 2,3,8`);
  const out = new Set<number>();
  for (const part of s.split(",")) {
    const m = /^(.*?)\.\.(.*)$/.exec(part.trim());
    if (m) {
      const a = parseWhole(flag, m[1], opts), b = parseWhole(flag, m[2], opts);
      if (b < a) throw new InputError(`${flag}: range ${part.trim()} is empty (end before start)`);
      if (b - a + 1 + out.size > MAX_RANGE_ENTRIES) throw new InputError(`${flag}: more than ${MAX_RANGE_ENTRIES} values`);
      for (let v = a; v <= b; v++) out.add(v);
    } else {
      out.add(parseWhole(flag, part, opts));
    }
  }
  return [...out].sort((a, b) => a - b);
}
