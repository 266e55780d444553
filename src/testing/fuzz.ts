/** Seeded mutation fuzzing for file readers (test helper, not public API). */
import assert from "node:assert/strict";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";

export type Mutator = (bytes: Uint8Array, rng: Rng) => Uint8Array;

/** Cut the file at a random length (including 0). */
export const truncate: Mutator = (b, rng) => b.slice(0, rng.int(b.length));

/** Flip 1–4 random bits. */
export const flipBits: Mutator = (b, rng) => {
  const out = b.slice();
  const k = 1 + rng.int(4);
  for (let i = 0; i < k && out.length > 0; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
  return out;
};

/** Overwrite 1–3 random bytes with random values, biased toward the first `head` bytes (the header). */
export function overwriteBytes(head = 64): Mutator {
  return (b, rng) => {
    const out = b.slice();
    const k = 1 + rng.int(3);
    for (let i = 0; i < k && out.length > 0; i++) {
      const at = rng.uniform() < 0.7 ? rng.int(Math.min(head, out.length)) : rng.int(out.length);
      out[at] = [0, 0xff, 0x7f, 0x80, rng.int(256)][rng.int(5)];
    }
    return out;
  };
}

/** Insert or delete a few bytes at a random place. */
export const insertDelete: Mutator = (b, rng) => {
  const at = rng.int(b.length + 1);
  if (rng.uniform() < 0.5 && b.length > 0) {
    const n = 1 + rng.int(Math.min(8, b.length - at) || 1);
    return new Uint8Array([...b.subarray(0, at), ...b.subarray(at + n)]);
  }
  const ins = Array.from({ length: 1 + rng.int(4) }, () => rng.int(256));
  return new Uint8Array([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
};

const TOKENS = ["0", "-1", "1e999", "-1e999", "NaN", "Infinity", "1e308", "4294967296", "9007199254740993", "", ",", "[", "]", "{", "}", "\"", ":", "\n", " ", "null", "true", "-0", "0.5", "1e-320"];

/** Text-level edits: replace a number with a hostile token, or delete/insert a structural character. */
export const textEdit: Mutator = (b, rng) => {
  const s = new TextDecoder().decode(b);
  const numbers = [...s.matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g)];
  let t: string;
  if (numbers.length > 0 && rng.uniform() < 0.6) {
    const m = numbers[rng.int(numbers.length)];
    t = s.slice(0, m.index) + TOKENS[rng.int(TOKENS.length)] + s.slice(m.index! + m[0].length);
  } else {
    const at = rng.int(s.length + 1);
    t = rng.uniform() < 0.5 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + TOKENS[rng.int(TOKENS.length)] + s.slice(at);
  }
  return new TextEncoder().encode(t);
};

/** Edit a length-prefixed text header and rewrite the prefix (u64 LE at 0 for safetensors; u16 LE at 8 for npy v1). */
export function headerEdit(kind: "safetensors" | "npy", edit: Mutator = textEdit): Mutator {
  return (b, rng) => {
    const pre = kind === "safetensors" ? 8 : 10;
    if (b.length < pre || (kind === "npy" && b[6] !== 1)) return b;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const n = kind === "safetensors" ? Number(dv.getBigUint64(0, true)) : dv.getUint16(8, true);
    if (pre + n > b.length) return b;
    const head = edit(b.subarray(pre, pre + n), rng);
    if (kind === "npy" && head.length > 0xffff) return b;
    const out = new Uint8Array(pre + head.length + b.length - pre - n);
    out.set(b.subarray(0, pre));
    const ov = new DataView(out.buffer);
    if (kind === "safetensors") ov.setBigUint64(0, BigInt(head.length), true); else ov.setUint16(8, head.length, true);
    out.set(head, pre);
    out.set(b.subarray(pre + n), pre + head.length);
    return out;
  };
}

/** Replace the u64 header length of a safetensors file by a hostile value (0, 1, 2⁶³, 2⁶⁴−1, random). */
export const hostileLength: Mutator = (b, rng) => {
  const out = b.slice();
  if (out.length < 8) return out;
  new DataView(out.buffer).setBigUint64(0, [0n, 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(rng.int(b.length + 16))][rng.int(5)], true);
  return out;
};

/** IDX header edits: the dtype byte, the rank byte, or one dimension (0, 1, 2³²−1, 2³¹, small). */
export const idxHeaderEdit: Mutator = (b, rng) => {
  const out = b.slice();
  if (out.length < 8) return out;
  const which = rng.int(3);
  if (which === 0) out[2] = [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, rng.int(256)][rng.int(7)];
  else if (which === 1) out[3] = rng.int(6);
  else {
    const dims = Math.min(out[3], Math.floor((out.length - 4) / 4));
    if (dims > 0) new DataView(out.buffer).setUint32(4 + 4 * rng.int(dims), [0, 1, 0xffffffff, 2 ** 31, rng.int(50)][rng.int(5)], false);
  }
  return out;
};

const NPY_PIECES = ["'descr': '<f8', ", "'descr': '<i8', ", "'descr': '>f8', ", "'descr': '<f4', ", "'fortran_order': True, ", "'fortran_order': False, ",
  "'shape': (3, 2), ", "'shape': (2, 3), ", "'shape': (6,), ", "'shape': (6), ", "'shape': (6.0,), ", "'shape': (-6,), ", "'shape': (0x6,), ", "'shape': (06,), ",
  "'shape': (1, 6), ", "'shape': (), ", "'extra': 1, ", "\"descr\": \"<f8\", ", "'fortran_order': 0, ", "junk", "#", "\\\n", "\t", "\n", " ", ",", "L", "'", "(", ")", "{", "}", ":", "\u0000"];

/**
 * Python-literal edits of a .npy header dict (the text numpy's literal_eval reads): insert a whole key/value
 * (duplicates included), a token, or delete a span; the kinds of headers numpy accepts or refuses for subtle reasons.
 */
export const npyDictEdit: Mutator = (b, rng) => {
  const s = new TextDecoder("latin1").decode(b);
  const r = rng.int(4);
  let t: string;
  if (r === 0) { const at = s.indexOf("{") + 1; t = s.slice(0, at) + NPY_PIECES[rng.int(7) + 0] + s.slice(at); }
  else if (r === 1) { const at = Math.max(s.lastIndexOf("}"), 0); t = s.slice(0, at) + NPY_PIECES[rng.int(NPY_PIECES.length)] + s.slice(at); }
  else if (r === 2) { const at = rng.int(s.length + 1); t = s.slice(0, at) + NPY_PIECES[rng.int(NPY_PIECES.length)] + s.slice(at); }
  else { const at = rng.int(s.length); t = s.slice(0, at) + s.slice(at + 1 + rng.int(6)); }
  return Uint8Array.from(t, (c) => c.charCodeAt(0) & 0xff);
};

/** Set the .npy version bytes (6, 7) to a valid or invalid version. */
export const npyVersion: Mutator = (b, rng) => {
  const out = b.slice();
  if (out.length < 8) return out;
  [out[6], out[7]] = [[1, 0], [1, 1], [2, 0], [3, 0], [0, 0], [4, 0], [1, 255]][rng.int(7)];
  return out;
};

/**
 * Run `cases` seeded mutations of the valid files through `read`. Every outcome must be either a successful
 * read whose result passes `check` (finite values, consistent shapes) or an InputError with a one-line message;
 * any other exception fails the test, naming the seed, the mutator and the error.
 * Returns how many mutants were accepted and rejected (so a test can assert the fuzzer really reached both).
 */
export function fuzz<T>(
  what: string, valid: readonly Uint8Array[], read: (bytes: Uint8Array) => T, check: (result: T) => void,
  mutators: Record<string, Mutator>, cases: number, seed = 1,
): { accepted: number; rejected: number } {
  const rng = new Rng(seed);
  const names = Object.keys(mutators);
  let accepted = 0, rejected = 0;
  for (let c = 0; c < cases; c++) {
    const base = valid[rng.int(valid.length)];
    const name = names[rng.int(names.length)];
    let bytes = mutators[name](base, rng);
    if (rng.uniform() < 0.25) bytes = mutators[names[rng.int(names.length)]](bytes, rng); // sometimes two mutations
    let result: T;
    try {
      result = read(bytes);
    } catch (e) {
      if (!(e instanceof InputError)) assert.fail(`${what}: case ${c} (${name}) threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message ?? e}`);
      assert.ok(!e.message.includes("\n") && e.message.length > 0, `${what}: case ${c} (${name}): message not one line: ${e.message}`);
      rejected++;
      continue;
    }
    try {
      check(result);
    } catch (e) {
      assert.fail(`${what}: case ${c} (${name}) loaded an inconsistent result: ${(e as Error).message}`);
    }
    accepted++;
  }
  return { accepted, rejected };
}

/** Assert every entry is finite. */
export function allFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new Error(`${what}[${i}] = ${a[i]}`);
}
