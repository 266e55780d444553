import { readFileSync, writeFileSync, renameSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { netFromJson, netToJson } from "./net-json.js";
import { loadThetaNpy, saveThetaNpy } from "./npy.js";
import { netFromSafetensors, netToSafetensors, resolveArch, type NetLoadOptions } from "./safetensors.js";

/**
 * Load a net, choosing the format by extension (.json, .safetensors, .npy; more via registerNetFormat).
 * `opts` supplies what the file lacks: the architecture of a .npy θ, the activation/loss of a safetensors file
 * written without embedscape metadata; where the file does say it, a conflicting option is an error.
 */
export function loadNet(path: string, opts: NetLoadOptions = {}): Net {
  const lower = path.toLowerCase();
  for (const f of formats) if (lower.endsWith(f.ext)) return f.load(readBytes(path), path, opts);
  throw new InputError(`net "${path}": unknown format (expected ${formats.map((f) => f.ext).join(", ")})`);
}

/** Save a net by extension; written to a temporary file and renamed, so a crash never leaves half a file. */
export function saveNet(path: string, net: Net): void {
  const lower = path.toLowerCase();
  const f = formats.find((g) => lower.endsWith(g.ext));
  if (!f) throw new InputError(`cannot save "${path}": unknown format (expected ${formats.map((g) => g.ext).join(", ")})`);
  writeAtomic(path, f.save(net));
}

export interface NetFormat {
  ext: string;
  load(bytes: Uint8Array, name: string, opts?: NetLoadOptions): Net;
  save(net: Net): Uint8Array;
}

const formats: NetFormat[] = [
  {
    ext: ".json",
    load: (bytes, name, opts = {}) => {
      const net = netFromJson(new TextDecoder().decode(bytes), name);
      // the JSON file states its architecture: check any caller-given one against it
      resolveArch(net.arch.widths, net.arch, opts, (m) => { throw new InputError(`${name}: ${m}`); });
      return net;
    },
    save: (net) => new TextEncoder().encode(netToJson(net)),
  },
  { ext: ".safetensors", load: (bytes, name, opts) => netFromSafetensors(bytes, name, opts), save: netToSafetensors },
  { ext: ".npy", load: (bytes, name, opts = {}) => loadThetaNpy(bytes, opts, name), save: saveThetaNpy },
];

/** Add a net file format (safetensors, npy, …). */
export function registerNetFormat(f: NetFormat): void {
  formats.push(f);
}

export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Write via a temp file + rename (atomic on POSIX); creates the directory. */
export function writeAtomic(path: string, data: Uint8Array | string): void {
  try {
    const dir = dirname(path);
    if (dir) mkdirSync(dir, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    throw new InputError(`cannot write "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
