import type { z } from "zod";

/**
 * An experiment kind a sweep can run: a pure function of validated parameters to a JSON value of finite numbers
 * (strings, booleans, arrays and objects allowed around them). `version` is part of every cell key: bump it whenever
 * the numbers `run` returns for the same parameters change, so old results are never mixed with new ones.
 */
export interface Executor<P = unknown> {
  /** Lower-case name, `[a-z][a-z0-9-]*` (at most 64 characters). */
  kind: string;
  version: number;
  description: string;
  /** Strict schema of the parameters: every payload from a queue is parsed with it before `run` sees it. */
  params: z.ZodType<P>;
  run(params: P): unknown;
  /** Largest payload (JSON characters) of this kind, default DEFAULT_MAX_PAYLOAD_CHARS (64 KiB); at most 16 MiB. */
  maxPayloadChars?: number;
}

export const KIND_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

const registry = new Map<string, Executor<never>>();

/** Make an executor available to every runner in this process (a kind can be registered once). */
export function registerExecutor<P>(e: Executor<P>): void {
  if (!KIND_PATTERN.test(e.kind)) throw new Error(`executor kind "${e.kind}" must match ${KIND_PATTERN}`);
  if (!Number.isInteger(e.version) || e.version < 0) throw new Error(`executor ${e.kind}: version must be a whole number ≥ 0`);
  const prev = registry.get(e.kind);
  if (prev && prev !== (e as unknown as Executor<never>)) throw new Error(`executor kind "${e.kind}" is registered twice`);
  registry.set(e.kind, e as unknown as Executor<never>);
}

/** The executor of `kind`, or undefined. */
export function findExecutor(kind: string): Executor<unknown> | undefined {
  return registry.get(kind) as Executor<unknown> | undefined;
}

/** Every registered kind, sorted. */
export function executorKinds(): string[] {
  return [...registry.keys()].sort();
}

/**
 * The modules that hold embedscape's executors, imported lazily (workers and worker threads import them all; nothing
 * from a queue ever names a module). To plug in a new experiment kind, append `() => import("…")` of a module that
 * exports `executors: Executor[]`.
 */
export const executorModules: Array<() => Promise<{ executors: Array<Executor<never>> }>> = [
  () => import("../experiments/condensation/executors.js"),
  () => import("../atlas/sweep-executor.js"),
];

let loaded: Promise<void> | undefined;

/** Import and register every module of `executorModules` (once per process or thread). */
export function loadExecutors(): Promise<void> {
  loaded ??= (async () => {
    for (const load of executorModules) for (const e of (await load()).executors) registerExecutor(e);
  })();
  return loaded;
}
