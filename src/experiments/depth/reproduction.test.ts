import assert from "node:assert/strict";
import { test } from "node:test";
import { depthReproduction, depthSummaryText } from "./reproduction.js";

test("reproduce depth without --json prints readable lines, no raw JSON blobs", async () => {
  const r = await depthReproduction.run({ out: "unused.html", quick: true, bnSeeds: undefined }, { progress: () => ({ update: () => {}, stop: () => {} }) });
  const text = r.text.join("\n");
  assert.doesNotMatch(text, /\{"|":|\[\{|\[object/);
  for (const head of [/^critical lifting/m, /^lifted region vs data size/m, /^BN vs no BN/m, /^layer pruning/m, /^local minimum → strict saddle\?/m]) assert.match(text, head);
  // the numbers are the JSON's: fixture E (a)'s deep inertia and the first BN seed's losses
  const s = (r.json as { summary: { liftings: Array<{ inertiaDeep: { neg: number; zero: number; pos: number } }>; batchnorm: { seeds: Array<{ plainLoss: number }> } } }).summary;
  const i = s.liftings[0].inertiaDeep;
  assert.ok(text.includes(`inertia deep (${i.neg}, ${i.zero}, ${i.pos})`));
  assert.ok(text.includes(`seed 1: loss plain ${s.batchnorm.seeds[0].plainLoss.toExponential(2)}`));
});

test("depthSummaryText skips what it does not know and copes with missing parts", () => {
  assert.deepEqual(depthSummaryText({ somethingNew: { a: 1 } }), []);
  assert.deepEqual(depthSummaryText({ minToSaddle: [{ name: "x", inertiaShallow: [0, 1, 2], inertiaDeep: null, lossShallow: 1, lossAfterEscape: null, verdict: "v" }] }),
    ["local minimum → strict saddle? (lifted fixture E):", "  x: inertia (0, 1, 2) → –, loss 1.0000e+0: v"]);
});
