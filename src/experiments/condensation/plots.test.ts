import assert from "node:assert/strict";
import { test } from "node:test";
import { applyEmbedding, multiStepEmbedding } from "../../embed/index.js";
import { initNet, layerViews, makeArch } from "../../nn/arch.js";
import { condensation } from "../../prune/condensation.js";
import { similarityCaption, similarityCells, similarityHeatmap } from "./plots.js";

// A tanh net with neuron 1 split into three copies, the last one's incoming weights and bias negated (its
// direction is −r; for odd σ the grouping counts it with r): a sign-symmetric group r, r, −r and two other neurons.
const narrow = initNet(makeArch([2, 3, 1], "tanh"), { seed: 5 });
const tanhWide = applyEmbedding(narrow, multiStepEmbedding([2, 3, 1], [{ kind: "split", layer: 1, neuron: 1, ratios: [0.5, 0.7, -0.2] }]));
{
  const [L1] = layerViews(tanhWide.arch.widths, tanhWide.theta);
  const j = tanhWide.arch.widths[1] - 1; // the split's last copy is appended at the end
  for (let i = 0; i < L1.cols; i++) L1.W[j * L1.cols + i] *= -1;
  L1.b[j] *= -1;
}

test("tanh heat map: a sign-mixed group is one block of |cos| = 1 (no checkerboard), and the caption says |cos|", async () => {
  const [c] = condensation(tanhWide, { threshold: 0.99, lowAmplitude: 0 });
  assert.equal(c.signSymmetric, true);
  const big = c.groups.find((g) => g.members.length === 3);
  assert.ok(big, JSON.stringify(c.groups.map((g) => g.members)));
  assert.ok(big.signs.includes(-1) && big.signs.includes(1), "the group mixes signs");
  // the signed similarity inside the group has −1 entries: the checkerboard the old plot drew
  assert.ok(big.members.some((a) => big.members.some((b) => c.similarity[a * c.width + b] < -0.99)));
  const { values, absolute } = similarityCells(c);
  assert.equal(absolute, true);
  for (const v of values) assert.ok(v.s >= 0 && v.s <= 1 + 1e-12);
  for (const v of values.filter((v) => v.i < 3 && v.j < 3)) assert.ok(Math.abs(v.s - 1) < 1e-12, `cell ${v.i},${v.j} = ${v.s}`);
  assert.match(similarityCaption(c), /\|r̂ⱼ·r̂ₖ\|/);
  assert.match(await similarityHeatmap(c), /\|cos\|/);
});

test("ReLU heat map keeps the signed cosine on [−1, 1] and says so", () => {
  const relu = initNet(makeArch([2, 4, 1], "relu"), { seed: 1 });
  const [c] = condensation(relu, { threshold: 0.9, lowAmplitude: 0 });
  assert.equal(c.signSymmetric, false);
  const { values, absolute } = similarityCells(c);
  assert.equal(absolute, false);
  assert.ok(values.some((v) => v.s < 0), "a random ReLU layer has some negative cosines");
  assert.doesNotMatch(similarityCaption(c), /\|r̂/);
});
