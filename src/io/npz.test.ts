import assert from "node:assert/strict";
import { test } from "node:test";
import { zipSync } from "fflate";
import { readNpz } from "./npz.js";
import { writeNpy } from "./npy.js";
import { InputError } from "../util/errors.js";

const x = [[-1], [0], [1]], y = [[0.5], [1], [0.25]];
const members = { "x.npy": writeNpy(x.flat(), [3, 1]), "y.npy": writeNpy(y.flat(), [3, 1]), "other.npy": writeNpy([1, 2], [2]) };

test(".npz: stored (np.savez) and deflated (np.savez_compressed) archives read the named arrays exactly", () => {
  for (const level of [0, 6] as const) {
    const r = readNpz(zipSync(members, { level }), ["x", "y"], "d.npz");
    assert.deepEqual(r.x.shape, [3, 1]);
    assert.deepEqual(Array.from(r.y.data), y.flat());
  }
});

test(".npz: missing arrays, damaged archives, oversized members and bad members are input errors", () => {
  const ok = zipSync(members, { level: 6 });
  assert.throws(() => readNpz(ok, ["x", "labels"], "d.npz"), /d.npz: no array "labels" in the archive \(it holds x, y, other\)/);
  assert.throws(() => readNpz(ok.subarray(0, ok.length - 30), ["x"], "d.npz"), (e) => e instanceof InputError && /not a readable .npz/.test(e.message));
  assert.throws(() => readNpz(new Uint8Array(0), ["x"], "e.npz"), InputError);
  assert.throws(() => readNpz(ok, ["x", "y"], "d.npz", 100), /over the limit of 100/);
  const bad = zipSync({ "x.npy": new Uint8Array([1, 2, 3]) });
  assert.throws(() => readNpz(bad, ["x"], "b.npz"), (e) => e instanceof InputError && /b.npz:x/.test(e.message));
  // every truncation of a valid archive is either read or refused as bad input, never a crash
  for (let cut = 0; cut < ok.length; cut += 7) {
    try { readNpz(ok.subarray(0, cut), ["x", "y"], "t.npz"); } catch (e) { assert.ok(e instanceof InputError, `cut ${cut}: ${(e as Error).message}`); }
  }
});
