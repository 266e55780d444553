import { pureBackend } from "./pure.js";
import { loadNativeBackend, nativeLoadError } from "./native.js";
import type { LinalgBackend } from "./types.js";
import { InputError } from "../util/errors.js";

export type { LinalgBackend, NativeInfo } from "./types.js";

/** The backend name a user may ask for (EMBEDSCAPE_BACKEND or --backend). */
export type BackendChoice = "pure" | "native" | "auto";

let active: LinalgBackend = pureBackend;
let notice = "";

/** The backend in use. */
export function getBackend(): LinalgBackend {
  return active;
}

/** Choose the backend for all later calls; `null` returns to the pure-TypeScript reference. */
export function setBackend(b: LinalgBackend | null): void {
  active = b ?? pureBackend;
}

/** The native backend if its addon loads, else null (see `backendNotice` for why). */
export function nativeBackend(): LinalgBackend | null {
  return loadNativeBackend();
}

/** The one-line notice from the last fall-back to the pure backend ("" if none). */
export function backendNotice(): string {
  return notice;
}

/**
 * Select the backend by name: "pure", "native" (falls back to pure with a one-line notice on
 * stderr when the addon is missing) or "auto" (native when available, silently pure otherwise).
 * `threads` sets the BLAS thread count of a native backend. Returns the backend now active.
 */
export function useBackend(choice: string, threads?: number): LinalgBackend {
  if (choice !== "pure" && choice !== "native" && choice !== "auto") {
    throw new InputError(`unknown backend "${choice}" (use pure, native or auto)`);
  }
  notice = "";
  if (choice === "pure") active = pureBackend;
  else {
    const nb = loadNativeBackend();
    if (nb) active = nb;
    else {
      active = pureBackend;
      notice = `embedscape: native backend unavailable (${nativeLoadError()}); using pure TypeScript`;
      if (choice === "native") process.stderr.write(notice + "\n");
    }
  }
  if (threads !== undefined) setThreads(threads);
  return active;
}

/** Number of BLAS threads for the native backend (ignored by the pure backend). */
export function setThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new InputError(`threads must be a whole number ≥ 1, got ${threads}`);
  loadNativeBackend()?.setThreads?.(threads);
}

/** Default BLAS threads when neither EMBEDSCAPE_THREADS nor --threads is given (see docs/native.md). */
export const DEFAULT_THREADS = 1;

// Import-time selection: EMBEDSCAPE_BACKEND = pure | native | auto (default auto) and
// EMBEDSCAPE_THREADS = N (default DEFAULT_THREADS).
{
  const env = (process.env.EMBEDSCAPE_BACKEND ?? "auto").trim() || "auto";
  const t = process.env.EMBEDSCAPE_THREADS;
  const threads = t === undefined || t === "" ? DEFAULT_THREADS : Number(t);
  try {
    useBackend(env, Number.isInteger(threads) && threads >= 1 ? threads : DEFAULT_THREADS);
  } catch (e) {
    process.stderr.write(`embedscape: ${(e as Error).message}; using pure TypeScript\n`);
    active = pureBackend;
  }
}
