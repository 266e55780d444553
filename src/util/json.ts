import type { z } from "zod";
import { InputError, quote } from "./errors.js";
import { stripBom } from "./files.js";

/** Deepest nesting of arrays/objects accepted in any JSON file embedscape reads (its own formats need ≤ 4). */
export const MAX_JSON_DEPTH = 64;

/**
 * Parse untrusted JSON text strictly: a leading byte-order mark is dropped; syntax errors, nesting deeper than
 * MAX_JSON_DEPTH and an object with the same key twice (which JSON.parse would silently resolve to the last) are
 * one-line InputErrors `<name>: …`.
 */
export function parseJsonStrict(text: string, name: string): unknown {
  text = stripBom(text);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${name}: not valid JSON (${(e as Error).message.slice(0, 160)})`);
  }
  if (typeof raw === "object" && raw !== null) checkStructure(text, name);
  return raw;
}

/** Scan valid JSON text for nesting depth and duplicate keys (iteratively: deep input cannot overflow the stack). */
function checkStructure(text: string, name: string): void {
  const frames: ({ keys: Set<string>; expectKey: boolean } | null)[] = []; // null = array
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // string
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      const top = frames[frames.length - 1];
      if (top && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.keys.has(key)) throw new InputError(`${name}: key ${quote(key, 60)} appears twice in one object`);
        top.keys.add(key);
        top.expectKey = false;
      }
    } else if (c === 0x7b || c === 0x5b) { // { [
      frames.push(c === 0x7b ? { keys: new Set(), expectKey: true } : null);
      if (frames.length > MAX_JSON_DEPTH) throw new InputError(`${name}: JSON nested more than ${MAX_JSON_DEPTH} levels deep`);
    } else if (c === 0x7d || c === 0x5d) frames.pop();
    else if (c === 0x2c) { const top = frames[frames.length - 1]; if (top) top.expectKey = true; }
  }
}

/** A number as text that parses back to the same float64, sign of zero included (String(-0) is "0"). */
export function numberText(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

/**
 * JSON.stringify that keeps −0 (written `-0`, which JSON.parse reads back as −0) and turns Float64Arrays into
 * arrays, so float64 data round-trips bit for bit through JSON.
 */
export function stringifyExact(value: unknown): string {
  const mark = `\u0000neg0:${Math.random().toString(36).slice(2)}`;
  const text = JSON.stringify(value, (_k, v) => (Object.is(v, -0) ? mark : v instanceof Float64Array ? Array.from(v) : v));
  return text.includes(JSON.stringify(mark)) ? text.split(JSON.stringify(mark)).join("-0") : text;
}

/**
 * Parse JSON text (strictly, see parseJsonStrict) and validate it against a zod schema; every failure becomes one
 * InputError line: `<name>: not valid JSON (…)` or `<name>: <what> <path>: <problem>`.
 */
export function parseJsonWith<T extends z.ZodType>(schema: T, text: string, name: string, what: string): z.infer<T> {
  const raw = parseJsonStrict(text, name);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map((p) => String(p).slice(0, 40)).join(".");
    throw new InputError(`${name}: ${what}: ${path || "top level"}: ${issue.message.slice(0, 200)}`);
  }
  return parsed.data;
}
