import assert from "node:assert/strict";
import { test } from "node:test";
import { runDemo, storyTitle } from "./demo.js";

const quiet = { log: () => {}, certificateText: () => "" };

test("demo heading follows the measured inertia: --seed 2 --steps 200 refines to a saddle, so no 'strict saddle of a wider net' claim", async () => {
  const { html } = await runDemo({ seed: 2, steps: 200, ...quiet });
  // (the refined point is (2, 2, 3) on OpenBLAS and (1, 3, 3) on the pure backend: the heading quotes the measured n₋)
  const m = /<h2[^>]*>Embedding: the narrow point is already a strict saddle \(n₋ = (\d+)\), no wider net needed<\/h2>/.exec(html);
  assert.ok(m && Number(m[1]) > 0, "heading");
  assert.match(html, new RegExp(`<td>inertia \\(n₋, n₀, n₊\\)</td><td>\\(${m[1]}, `));
  assert.doesNotMatch(html, /strict saddle of a wider net/);
  assert.doesNotMatch(html, /narrow minimum/);
});

test("demo heading for the default run (a strict minimum) says it becomes a strict saddle of a wider net", async () => {
  const { html } = await runDemo({ seed: 1, steps: 2000, ...quiet });
  assert.match(html, /<h2[^>]*>Embedding: the narrow minimum is a strict saddle of a wider net<\/h2>/);
});

test("storyTitle: every case named by what was measured", () => {
  const i = (neg: number, zero: number, pos: number) => ({ neg, zero, pos });
  const wit = {} as never;
  assert.match(storyTitle({ narrowInertia: i(1, 0, 6), wideInertia: null, witness: wit }), /already a strict saddle \(n₋ = 1\)/);
  assert.match(storyTitle({ narrowInertia: i(0, 0, 7), wideInertia: i(1, 1, 8), witness: wit }), /narrow minimum is a strict saddle of a wider net/);
  assert.match(storyTitle({ narrowInertia: i(0, 2, 5), wideInertia: i(0, 3, 7), witness: wit }), /degenerate\) in a wider net shows no negative eigenvalue/);
  assert.match(storyTitle({ narrowInertia: i(0, 0, 7), wideInertia: null, witness: null }), /no witness/);
});
