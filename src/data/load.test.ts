import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError } from "../util/errors.js";
import { loadDataset } from "./load.js";

describe("data specs", () => {
  it("iris: 150 rows, 4 inputs, one-hot 3 classes with 50 each", () => {
    const d = loadDataset("iris");
    assert.deepEqual([d.n, d.d, d.k], [150, 4, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < d.n; i++) for (let c = 0; c < 3; c++) counts[c] += d.y[i * 3 + c];
    assert.deepEqual(counts, [50, 50, 50]);
  });

  it("bad specs are one-line InputErrors", () => {
    for (const [spec, re] of [
      ["fashion-mnist:/nonexistent/dir:10", /no train-images-idx3-ubyte\.gz .* in "\/nonexistent\/dir"/],
      ["fashion-mnist:/nonexistent:dir", /expected fashion-mnist:<dir>:<count>/],
      ["fashion-mnist:/tmp:0", /cannot take 0 training images/],
      ["mnist.bin", /unknown format .*iris or fashion-mnist/],
    ] as const) {
      assert.throws(() => loadDataset(spec), (e: unknown) => e instanceof InputError && re.test(e.message) && !e.message.includes("\n"), spec);
    }
  });
});
