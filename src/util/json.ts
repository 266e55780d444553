import type { z } from "zod";
import { InputError } from "./errors.js";

/**
 * Parse JSON text and validate it against a zod schema; every failure becomes one InputError
 * line: `<name>: not valid JSON (…)` or `<name>: <what> <path>: <problem>`.
 */
export function parseJsonWith<T extends z.ZodType>(schema: T, text: string, name: string, what: string): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${name}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${name}: ${what}: ${issue.path.join(".") || "top level"}: ${issue.message}`);
  }
  return parsed.data;
}
