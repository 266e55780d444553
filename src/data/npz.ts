import { unzipSync } from "fflate";
import { InputError } from "../util/errors.js";
import { readNpy, type NpyArray } from "./npy.js";

/** Largest total uncompressed size of the members read from one .npz (guards against zip bombs). */
export const MAX_NPZ_BYTES = 4 * 2 ** 30;

/**
 * Read named arrays from a NumPy .npz archive (`np.savez` stores, `np.savez_compressed` deflates): a zip file
 * whose members are `NAME.npy`. Only the members asked for are inflated, after their declared sizes are checked
 * against `maxBytes`; each is then read by `readNpy` with all of its checks. A missing member, a damaged archive
 * or an oversized one is a one-line InputError. `opts.integers` lets integer dtypes through (see readNpy).
 */
export function readNpz(bytes: Uint8Array, names: readonly string[], file = "npz", maxBytes = MAX_NPZ_BYTES, opts: { integers?: boolean } = {}): Record<string, NpyArray> {
  const want = new Set(names.map((n) => `${n}.npy`));
  let total = 0;
  const seen: string[] = [];
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => {
        seen.push(f.name);
        if (!want.has(f.name)) return false;
        total += f.originalSize;
        if (total > maxBytes) throw new InputError(`${file}: members ${names.join(", ")} hold ${total} bytes uncompressed, over the limit of ${maxBytes}`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: not a readable .npz (zip) archive (${String((e as Error).message ?? e).slice(0, 120)})`);
  }
  const out: Record<string, NpyArray> = {};
  for (const n of names) {
    const m = members[`${n}.npy`];
    if (!m) throw new InputError(`${file}: no array "${n}" in the archive (it holds ${seen.slice(0, 8).map((s) => s.replace(/\.npy$/, "")).join(", ") || "nothing"})`);
    out[n] = readNpy(m, `${file}:${n}`, opts);
  }
  return out;
}

/** The array names in a .npz archive (member names without `.npy`, in archive order), read without inflating any. */
export function npzMembers(bytes: Uint8Array, file = "npz"): string[] {
  const seen: string[] = [];
  try {
    unzipSync(bytes, { filter: (f) => { seen.push(f.name); return false; } });
  } catch (e) {
    throw new InputError(`${file}: not a readable .npz (zip) archive (${String((e as Error).message ?? e).slice(0, 120)})`);
  }
  return seen.filter((s) => s.endsWith(".npy")).map((s) => s.slice(0, -4));
}
