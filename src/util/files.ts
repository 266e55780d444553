import { readFileSync } from "node:fs";
import { InputError, quote } from "./errors.js";

/**
 * The one file reader of embedscape: the bytes of `path`, or a one-line InputError naming the file and the
 * system's reason (`cannot read "x.csv": ENOENT`). Every reader (nets, data, IDX, .npy, checkpoints) goes through it.
 */
export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${quote(path, 200)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** A UTF-8 text file through `readBytes`; invalid UTF-8 is an InputError, a leading byte-order mark is dropped. */
export function readText(path: string): string {
  return decodeText(readBytes(path), path);
}

/**
 * Decode UTF-8 text (fatal on invalid sequences) and drop one leading byte-order mark U+FEFF, so every text format
 * (CSV, JSON data, JSON nets, checkpoints) accepts a BOM the same way.
 */
export function decodeText(bytes: Uint8Array, name: string): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError(`${name}: not valid UTF-8 text`);
  }
  return stripBom(text);
}

/** Drop one leading U+FEFF (byte-order mark). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
