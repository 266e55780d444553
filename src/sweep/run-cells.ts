import { GoalNotReached } from "../util/errors.js";
import { canonicalJson, sha256 } from "./canonical.js";
import type { Cell } from "./cell.js";
import type { RunOptions, SweepRunner } from "./runner.js";
import type { SweepStore } from "./store.js";

/** A sweep that did not finish every cell (some gave up): the CLI exits with code 3. */
export class SweepIncomplete extends GoalNotReached {
  constructor(readonly failed: Array<{ key: string; reason: string }>, where: string) {
    super(`${failed.length} cell(s) gave up (reasons in ${where}); first: ${failed[0]?.reason ?? "?"}`);
  }
}

/** Run `cells` and return their parsed results in the same order, or throw SweepIncomplete. */
export async function runCells<T>(runner: SweepRunner, store: SweepStore, cells: Cell[], opts: RunOptions = {}): Promise<T[]> {
  await runner.run(store, cells, opts);
  const failures = new Map(store.failures().map((f) => [f.key, f.reason]));
  const out: T[] = [];
  const failed: Array<{ key: string; reason: string }> = [];
  for (const c of cells) {
    const r = store.result(c.key);
    if (r) out.push(JSON.parse(r.result) as T);
    else failed.push({ key: c.key, reason: failures.get(c.key) ?? "no result" });
  }
  if (failed.length) throw new SweepIncomplete(failed, store.path);
  return out;
}

/** A short stable name for the options of a sweep (its default folder): kind and 10 hex digits of their hash. */
export function sweepName(kind: string, options: unknown): string {
  return `${kind}-${sha256(canonicalJson(options)).slice(0, 10)}`;
}

/** Median and spread of a sample (sorted copy; quartiles by linear interpolation). */
export function spread(values: number[]): { n: number; median: number; min: number; max: number; q1: number; q3: number } {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number): number => { const i = p * (s.length - 1), lo = Math.floor(i), hi = Math.ceil(i); return s[lo] + (s[hi] - s[lo]) * (i - lo); };
  return { n: s.length, median: q(0.5), min: s[0], max: s[s.length - 1], q1: q(0.25), q3: q(0.75) };
}

