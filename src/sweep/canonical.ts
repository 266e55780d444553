import { createHash } from "node:crypto";

/**
 * Canonical JSON: object keys sorted, no whitespace, every number in JavaScript's shortest round-trip form (which
 * `JSON.parse` reads back to the same float64), −0 written as `-0` (which `JSON.parse` also reads back as −0), typed
 * arrays as arrays. Two equal values give the same text, so a hash of the text identifies a cell or a result.
 * Non-finite numbers and values JSON cannot carry (functions, symbols, bigints) are rejected.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, "$");
  return out.join("");
}

function write(v: unknown, out: string[], path: string): void {
  if (v === null) { out.push("null"); return; }
  switch (typeof v) {
    case "number":
      if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: non-finite number ${v} at ${path}`);
      out.push(Object.is(v, -0) ? "-0" : String(v));
      return;
    case "string": out.push(JSON.stringify(v)); return;
    case "boolean": out.push(v ? "true" : "false"); return;
    case "object": break;
    default: throw new TypeError(`canonicalJson: cannot encode a ${typeof v} at ${path}`);
  }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const a = v as ArrayLike<unknown>;
    out.push("[");
    for (let i = 0; i < a.length; i++) { if (i) out.push(","); write(a[i], out, `${path}[${i}]`); }
    out.push("]");
    return;
  }
  const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  out.push("{");
  keys.forEach((k, i) => { if (i) out.push(","); out.push(JSON.stringify(k), ":"); write((v as Record<string, unknown>)[k], out, `${path}.${k}`); });
  out.push("}");
}

/** SHA-256 of a text, as 64 lowercase hex digits. */
export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * A cell's key: SHA-256 of the canonical JSON of its full specification `{ kind, version, params }` (the executor's
 * version is part of it, so changed executor code never reuses an old result).
 */
export function cellKey(kind: string, version: number, params: unknown): string {
  return sha256(canonicalJson({ kind, version, params }));
}
