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
