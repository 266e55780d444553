import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { InputError } from "./errors.js";

/**
 * Memory budget: every request whose size comes from the user (an architecture, a data spec, a file header, a
 * lift width, a dense Hessian) is estimated *before* anything is allocated and refused in one line when the
 * estimate exceeds the limit:
 *   `embedscape: train 1-1000000000-1 needs about 120 GB of memory, more than the limit of 11.7 GB (…)`, exit 2.
 * The limit is, in order: `setMemoryLimit` (the CLI's global `--max-memory`), the environment variable
 * EMBEDSCAPE_MAX_MEMORY, or DEFAULT_MEMORY_FRACTION of physical memory (or of the cgroup limit when lower).
 * Sizes are written `8G`, `512M`, `1.5e9` (bytes), `40%` (of physical memory).
 * Estimates count the float64 buffers the code allocates (documented per estimator); they are rounded up, so a
 * request near the limit may be refused although it would just fit.
 */
export const DEFAULT_MEMORY_FRACTION = 0.5;

let override: { bytes: number; source: string } | undefined;

/** Set the limit for this process (the CLI's `--max-memory`); `undefined` returns to env/default. */
export function setMemoryLimit(spec: string | undefined, source = "--max-memory"): void {
  override = spec === undefined ? undefined : { bytes: parseSize(spec, source), source };
}

/** Physical memory, or the cgroup (v2 or v1) limit when that is lower. */
export function physicalMemory(): number {
  let total = totalmem();
  for (const f of ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]) {
    try {
      const v = Number(readFileSync(f, "utf8").trim());
      if (Number.isFinite(v) && v > 0 && v < total) total = v;
    } catch { /* no cgroup limit there */ }
  }
  return total;
}

/** The memory limit in bytes and where it came from. */
export function memoryLimit(): { bytes: number; source: string } {
  if (override) return override;
  const env = process.env.EMBEDSCAPE_MAX_MEMORY;
  if (env !== undefined && env !== "") return { bytes: parseSize(env, "EMBEDSCAPE_MAX_MEMORY"), source: "EMBEDSCAPE_MAX_MEMORY" };
  return { bytes: Math.floor(DEFAULT_MEMORY_FRACTION * physicalMemory()), source: `${DEFAULT_MEMORY_FRACTION * 100}% of physical memory` };
}

/** Parse `8G`, `512M`, `64k`, `1.5e9`, `40%` into bytes (binary units: 1G = 2³⁰). */
export function parseSize(spec: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]i?b?|b|%)?\s*$/i.exec(spec);
  if (!m) throw new InputError(`${what}: "${spec.slice(0, 40)}" is not a size (e.g. 8G, 512M, 40%)`);
  const v = Number(m[1]);
  const unit = (m[2] ?? "").toLowerCase();
  const bytes = unit === "%" ? (v / 100) * physicalMemory() : v * (unit.startsWith("k") ? 2 ** 10 : unit.startsWith("m") ? 2 ** 20 : unit.startsWith("g") ? 2 ** 30 : unit.startsWith("t") ? 2 ** 40 : 1);
  if (!(bytes > 0) || !Number.isFinite(bytes)) throw new InputError(`${what}: size "${spec.slice(0, 40)}" must be positive`);
  return Math.floor(bytes);
}

/** `1.5 GB`, `820 MB`, `12 kB` (binary units, as parseSize reads them). */
export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return "more than any machine has";
  const units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return i === 0 ? `${Math.round(b)} bytes` : `${b < 10 ? b.toFixed(1) : Math.round(b)} ${units[i]}`;
}

/** Refuse (InputError, exit 2 in the CLI) when `bytes` exceeds the limit; `what` names the request. */
export function requireMemory(bytes: number, what: string): void {
  const lim = memoryLimit();
  if (!(bytes <= lim.bytes)) {
    throw new InputError(`${what} needs about ${formatBytes(bytes)} of memory, more than the limit of ${formatBytes(lim.bytes)} (${lim.source}; raise it with --max-memory or EMBEDSCAPE_MAX_MEMORY)`);
  }
}

// ---- estimators (bytes; float64 = 8 bytes) ------------------------------------------------------------------

/** P = Σ_l m_l (m_{l−1} + 1) for widths m_0..m_L (SPEC §1.3), as a float (may exceed 2⁵³ for absurd widths). */
export function paramCountOf(widths: readonly number[]): number {
  let P = 0;
  for (let l = 1; l < widths.length; l++) P += widths[l] * (widths[l - 1] + 1);
  return P;
}

/** A data set of n rows, d inputs and k targets as float64, plus the parse-time copies (≈ 3 copies). */
export function datasetBytes(n: number, d: number, k: number): number {
  return 3 * 8 * n * (d + k);
}

/**
 * One Evaluator over n samples (nn/evaluator.ts): about 12 per-layer buffers of n × m_l (pre-activations,
 * activations, σ′, σ″, backward and R-op passes) and 4 vectors of length P.
 */
export function evaluatorBytes(widths: readonly number[], n: number): number {
  const sum = widths.reduce((a, b) => a + b, 0);
  return 8 * (12 * n * sum + 4 * paramCountOf(widths));
}

/**
 * Training (optim/train.ts + checkpoints): the evaluator, θ twice, gradient, Adam moments m, v, the trained copy,
 * and a JSON checkpoint of θ, m, v (number arrays of 8 bytes and about 25 characters per entry).
 */
export function trainingBytes(widths: readonly number[], n: number): number {
  const P = paramCountOf(widths);
  return evaluatorBytes(widths, n) + 8 * 6 * P + 3 * P * (8 + 25);
}

/** The dense P×P Hessian and its symmetric eigen-decomposition (copy + LAPACK dsyevd workspace; more with vectors). */
export function denseHessianBytes(P: number, eigenvectors = true): number {
  return 8 * P * P * (eigenvectors ? 5 : 3);
}
