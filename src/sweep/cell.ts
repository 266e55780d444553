import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { getBackend } from "../linalg/backend.js";
import { InputError, oneLine } from "../util/errors.js";
import { canonicalJson, cellKey, sha256 } from "./canonical.js";
import { findExecutor, KIND_PATTERN, loadExecutors } from "./registry.js";

/** One cell of a sweep: an experiment kind, the executor version and its parameters; `key` = cellKey(kind, version, params). */
export interface Cell {
  key: string;
  kind: string;
  version: number;
  params: Record<string, unknown>;
}

/** What travels through a queue (or to a worker thread) for one cell. */
export interface CellPayload {
  v: 1;
  kind: string;
  version: number;
  params: Record<string, unknown>;
}

/** What a worker sends back: the result as canonical JSON text (so −0 and every bit survive), its hash and where it ran. */
export interface CellOutcome {
  key: string;
  /** SHA-256 of `result`. */
  hash: string;
  result: string;
  backend: string;
  worker: string;
  seconds: number;
}

/** Default largest payload of a kind (JSON characters): cells are small parameter sets. */
export const DEFAULT_MAX_PAYLOAD_CHARS = 64 * 1024;
/** No payload of any kind is larger (a kind that carries its data, e.g. an atlas cell, raises its own limit up to this). */
export const MAX_PAYLOAD_CHARS = 16 * 1024 * 1024;
/** Largest accepted result text. */
export const MAX_RESULT_CHARS = 64 * 1024 * 1024;

const HEX64 = /^[0-9a-f]{64}$/;

export const payloadSchema = z.strictObject({
  v: z.literal(1),
  kind: z.string().regex(KIND_PATTERN),
  version: z.number().int().nonnegative(),
  params: z.record(z.string().max(64), z.unknown()),
});

export const outcomeSchema = z.strictObject({
  key: z.string().regex(HEX64),
  hash: z.string().regex(HEX64),
  result: z.string().max(MAX_RESULT_CHARS),
  backend: z.string().max(64),
  worker: z.string().max(256),
  seconds: z.number().nonnegative(),
});

/** A payload that must not run (malformed, unknown kind, wrong version or key): retrying cannot help. */
export class PayloadError extends Error {
  constructor(message: string) {
    super(truncate(oneLine(message)));
    this.name = "PayloadError";
  }
}

/** Shorten untrusted text for messages and stored reasons. */
export function truncate(s: string, max = 500): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

/** The payload of a cell. */
export function payloadOf(c: Cell): CellPayload {
  return { v: 1, kind: c.kind, version: c.version, params: c.params };
}

/**
 * A cell of a registered kind: its parameters are parsed by the executor's schema (defaults filled in, so the key
 * hashes the full specification) and canonicalised.
 */
export function makeCell(kind: string, params: unknown): Cell {
  const e = findExecutor(kind);
  if (!e) throw new InputError(`unknown experiment kind "${truncate(kind, 80)}"`);
  const parsed = e.params.safeParse(params);
  if (!parsed.success) throw new InputError(`${kind}: invalid parameters: ${issueText(parsed.error)}`);
  const canonical = JSON.parse(canonicalJson(parsed.data)) as Record<string, unknown>;
  return { key: cellKey(kind, e.version, canonical), kind, version: e.version, params: canonical };
}

function issueText(err: z.ZodError): string {
  const i = err.issues[0];
  return truncate(`${i.path.join(".") || "top level"}: ${i.message}`, 300);
}

/** Who is running: host and process id (and thread, in a worker thread). */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * Validate an untrusted payload and run it: the envelope and the executor's parameter schema must accept it, the
 * executor version must be this build's and, when `expectedKey` is given (the queue's job id), the payload must hash
 * to it. Throws PayloadError for anything that must not run; the executor's own InputError (parameters it refuses)
 * becomes a PayloadError too, since rerunning cannot change it.
 */
export async function executeCell(data: unknown, expectedKey?: string): Promise<CellOutcome> {
  await loadExecutors();
  const size = JSON.stringify(data ?? null).length;
  if (size > MAX_PAYLOAD_CHARS) throw new PayloadError(`payload rejected: larger than ${MAX_PAYLOAD_CHARS} characters`);
  const env = payloadSchema.safeParse(data);
  if (!env.success) throw new PayloadError(`payload rejected: ${issueText(env.error)}`);
  const { kind, version, params } = env.data;
  const e = findExecutor(kind);
  if (!e) throw new PayloadError(`payload rejected: unknown experiment kind "${kind}"`);
  const limit = Math.min(e.maxPayloadChars ?? DEFAULT_MAX_PAYLOAD_CHARS, MAX_PAYLOAD_CHARS);
  if (size > limit) throw new PayloadError(`payload rejected: larger than ${limit} characters for ${kind}`);
  if (version !== e.version) throw new PayloadError(`payload rejected: ${kind} version ${version}, this worker runs version ${e.version} (update embedscape on one side)`);
  const parsed = e.params.safeParse(params);
  if (!parsed.success) throw new PayloadError(`payload rejected: ${kind} parameters: ${issueText(parsed.error)}`);
  const key = cellKey(kind, version, JSON.parse(canonicalJson(parsed.data)));
  if (expectedKey !== undefined && key !== expectedKey) throw new PayloadError(`payload rejected: its specification hashes to ${key.slice(0, 12)}…, not to the job id ${truncate(expectedKey, 80)}`);
  const t0 = performance.now();
  let value: unknown;
  try {
    value = await e.run(parsed.data);
  } catch (err) {
    if (err instanceof InputError) throw new PayloadError(`${kind} refused its parameters: ${err.message}`);
    throw err;
  }
  const seconds = (performance.now() - t0) / 1000;
  const result = canonicalJson(value);
  return { key, hash: sha256(result), result, backend: getBackend().name, worker: workerName(), seconds };
}

/** Check an outcome that came back through a queue: its shape, its key and that the hash is the hash of its text. */
export function checkOutcome(raw: unknown, key: string): CellOutcome {
  const o = outcomeSchema.safeParse(raw);
  if (!o.success) throw new PayloadError(`result of ${key.slice(0, 12)}… rejected: ${issueText(o.error)}`);
  if (o.data.key !== key) throw new PayloadError(`result of ${key.slice(0, 12)}… rejected: it names cell ${o.data.key.slice(0, 12)}…`);
  if (sha256(o.data.result) !== o.data.hash) throw new PayloadError(`result of ${key.slice(0, 12)}… rejected: its hash does not match its numbers`);
  try { JSON.parse(o.data.result); } catch { throw new PayloadError(`result of ${key.slice(0, 12)}… rejected: not JSON`); }
  return o.data;
}
