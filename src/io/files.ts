import type { Arch, Net } from "../nn/arch.js";
import { InputError, quote } from "../util/errors.js";
import { decodeText, readBytes } from "../util/files.js";
import { checkOutputPath, writeAtomic } from "./write.js";
import { netFromJson, netToJson } from "./net-json.js";
import { netFromSafetensors, netToSafetensors } from "./safetensors.js";
import { loadThetaNpy, saveThetaNpy } from "./npy.js";

/** What a file may not say itself: the architecture for a bare θ (.npy), activation/loss for foreign safetensors. */
export interface LoadNetOptions {
  arch?: Arch;
  activation?: string;
  loss?: string;
}

/** Load a net, choosing the format by extension (.json, .safetensors, .npy with `opts.arch`; more can register). */
export function loadNet(path: string, opts: LoadNetOptions = {}): Net {
  const lower = path.toLowerCase();
  for (const f of formats) if (lower.endsWith(f.ext)) return f.load(readBytes(path), path, opts);
  throw new InputError(`net ${quote(path, 120)}: unknown format (expected ${formats.map((f) => f.ext).join(", ")})`);
}

/** Save a net by extension; written to a temporary file and renamed, so a crash never leaves half a file. */
export function saveNet(path: string, net: Net): void {
  const lower = path.toLowerCase();
  const f = formats.find((g) => lower.endsWith(g.ext));
  if (!f) throw new InputError(`cannot save ${quote(path, 120)}: unknown format (expected ${formats.map((g) => g.ext).join(", ")})`);
  writeAtomic(path, f.save(net));
}

export interface NetFormat {
  ext: string;
  load(bytes: Uint8Array, name: string, opts?: LoadNetOptions): Net;
  save(net: Net): Uint8Array;
}

const formats: NetFormat[] = [
  {
    ext: ".json",
    load: (bytes, name) => netFromJson(decodeText(bytes, name), name),
    save: (net) => new TextEncoder().encode(netToJson(net)),
  },
  {
    ext: ".safetensors",
    load: (bytes, name, opts) => netFromSafetensors(bytes, name, { activation: opts?.activation ?? opts?.arch?.activation, loss: opts?.loss ?? opts?.arch?.loss, widths: opts?.arch?.widths }),
    save: (net) => netToSafetensors(net),
  },
  {
    ext: ".npy",
    load: (bytes, name, opts) => {
      if (!opts?.arch) throw new InputError(`${name}: a .npy file holds only θ; give the architecture (CLI: --net ${name}@1-50-1@tanh@mse)`);
      return loadThetaNpy(bytes, opts.arch, name);
    },
    save: (net) => saveThetaNpy(net),
  },
];

/** Add a net file format (safetensors, npy, …). */
export function registerNetFormat(f: NetFormat): void {
  formats.push(f);
}

/** The file extensions nets can be saved with (for output-path checks before work). */
export function netExtensions(): string[] {
  return formats.map((f) => f.ext);
}

/** Check an output path for a net before any work (extension, folder; see checkOutputPath). */
export function checkNetOutput(path: string, flag: string): void {
  checkOutputPath(path, flag, netExtensions());
}

export { readBytes, writeAtomic };
