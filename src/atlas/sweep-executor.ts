/**
 * The atlas cell as a sweep executor (kind `atlas-cell`), so that `atlas run --queue` can compute cells on any
 * number of `embedscape worker`s: the whole `CellTask` (cell, settings, data, input) is the payload, validated here
 * by a strict schema before `runCell` sees it, and the `CellResult` travels back as JSON. Float64Arrays become
 * arrays and non-finite numbers (a gap of ∞, a NaN loss) become `{ "$nonFinite": "Infinity" }`; `decodeCellResult`
 * restores both, so a result from the queue is bit-identical to one computed in this process.
 */
import { z } from "zod";
import type { Executor } from "../sweep/registry.js";
import { runCell, SOURCES, type CellResult, type CellTask } from "./cells.js";

const finite = z.number().finite();
const int = z.number().int();
const count = int.min(0).max(1e9);
const list = z.array(finite).max(4_000_000);
/** Small JSON values of cell parameters (names, numbers, id lists). */
const paramValue = z.union([finite, z.string().max(64), z.boolean(), z.array(finite).max(100_000)]);

const settingsSchema = z.strictObject({
  data: z.string().max(500),
  template: z.string().max(200),
  widths: z.array(int.min(1).max(100000)).min(1).max(1000),
  activation: z.string().max(40),
  loss: z.enum(["mse", "cross-entropy"]),
  seeds: count,
  sources: z.array(z.enum(SOURCES as unknown as [string, ...string[]])).max(4),
  train: z.strictObject({ optimizers: z.array(z.enum(["adam", "gd"])).max(2), scales: z.array(finite).max(100), steps: count, lrAdam: finite, lrGd: finite }),
  random: z.strictObject({ scales: z.array(finite).max(100) }),
  embed: z.strictObject({ alphas: z.array(finite).max(1000) }),
  descent: z.strictObject({ eps: finite, steps: count, lr: finite, maxDirections: count }),
  solver: z.strictObject({ tol: finite, maxIter: count }),
  critical: z.strictObject({ gradTol: finite, degenerateTol: finite }),
  reduction: z.strictObject({ tolerance: finite }),
  match: z.strictObject({ tolerance: finite, lossTolerance: finite }),
  deflation: z.boolean(),
});

const taskSchema = z.strictObject({
  cell: z.strictObject({
    width: int.min(1).max(100000),
    source: z.enum(SOURCES as unknown as [string, ...string[]]),
    seed: count,
    params: z.record(z.string().max(64), paramValue),
  }),
  settings: settingsSchema,
  data: z.strictObject({ n: int.min(1).max(1e7), d: int.min(1).max(1e5), k: int.min(1).max(1e5), x: list, y: list })
    .refine((d) => d.x.length === d.n * d.d && d.y.length === d.n * d.k, "data: x must hold n·d and y n·k numbers"),
  input: z.strictObject({ setId: count, widths: z.array(int.min(1).max(100000)).max(100), theta: list, known: z.array(list).max(100_000).optional() }).optional(),
});

/** The JSON payload of an atlas task (typed arrays as plain arrays). */
export function encodeTask(t: CellTask): Record<string, unknown> {
  return { ...t, data: { ...t.data, x: Array.from(t.data.x), y: Array.from(t.data.y) } } as unknown as Record<string, unknown>;
}

const NON_FINITE = "$nonFinite";

/** Typed arrays → arrays, non-finite numbers → { $nonFinite: "NaN" | "Infinity" | "-Infinity" }. */
export function encodeValue(v: unknown): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? v : { [NON_FINITE]: String(v) };
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, encodeValue);
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, encodeValue(x)]));
  return v;
}

function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === NON_FINITE && (o[NON_FINITE] === "NaN" || o[NON_FINITE] === "Infinity" || o[NON_FINITE] === "-Infinity")) return Number(o[NON_FINITE]);
    return Object.fromEntries(keys.map((k) => [k, decodeValue(o[k])]));
  }
  return v;
}

/** A `CellResult` from its JSON (θ, eigenvalues and the canonical θ as Float64Arrays again). */
export function decodeCellResult(json: unknown): CellResult {
  const r = decodeValue(json) as CellResult;
  for (const p of r.points) {
    p.theta = Float64Array.from(p.theta as unknown as number[]);
    p.eigenvalues = Float64Array.from(p.eigenvalues as unknown as number[]);
    if (p.canonical) p.canonical.theta = Float64Array.from(p.canonical.theta as unknown as number[]);
  }
  return r;
}

/** SPEC §7 E1/E4: one atlas cell (train / random / embed / descent) with its solver and classification. */
export const atlasCellExecutor: Executor<z.infer<typeof taskSchema>> = {
  kind: "atlas-cell",
  version: 1,
  description: "one atlas cell: a start point (trained, random, embedded or descended), the critical-point solver, inertia and canonical form",
  params: taskSchema,
  maxPayloadChars: 16 * 1024 * 1024,
  run: (p) => {
    const t = p as unknown as CellTask;
    const r = runCell({ ...t, data: { ...t.data, x: Float64Array.from(t.data.x), y: Float64Array.from(t.data.y) } });
    return encodeValue({ ...r, seconds: 0 }); // wall time lives beside the result (CellOutcome.seconds), not in its hash
  },
};

export const executors = [atlasCellExecutor] as unknown as Array<Executor<never>>;
