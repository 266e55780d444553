/** The browser build's stand-in for linalg/native.ts: a page has no N-API addon, only the pure-TS backend. */
import type { LinalgBackend } from "../linalg/backend.js";

export function loadNativeBackend(): LinalgBackend | null {
  return null;
}

export function nativeLoadError(): string {
  return "no native addon in a browser";
}

export function nativeAddonPath(): string {
  return "";
}
