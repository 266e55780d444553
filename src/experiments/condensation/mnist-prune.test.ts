import assert from "node:assert/strict";
import { test } from "node:test";
import { mnistPruneExperiment, mnistPruneSummary } from "./mnist-prune.js";

const small = { train: 100, width: 12, retrainSteps: 0 } as const;

test("E6 --until-plateau: trains at least `steps`, stops when the lowest loss fell by less than threshold over the window, says so", () => {
  const r = mnistPruneExperiment({ ...small, steps: 30, plateau: { window: 10, threshold: 0.05, maxSteps: 150 } });
  assert.ok(r.plateau && r.plateau.reached, JSON.stringify(r.plateau));
  assert.ok(r.trainSteps >= 30 && r.trainSteps < 150, String(r.trainSteps));
  assert.equal(r.plateau.step, r.trainSteps);
  assert.ok(r.plateau.relativeDecrease >= 0 && r.plateau.relativeDecrease < 0.05, String(r.plateau.relativeDecrease));
  // the decrease the rule saw is the one of the recorded losses W steps apart (history is recorded every step below 200 steps)
  // (of the lowest loss so far)
  const h = r.trainHistory, best = (s: number) => Math.min(...h.filter((p) => p.step <= s).map((p) => p.loss));
  const t = r.trainSteps - 1;
  assert.ok(Math.abs((best(t - 10) - best(t)) / best(t - 10) - r.plateau.relativeDecrease) < 1e-12);
  const j = mnistPruneSummary(r);
  assert.equal(j.trainSteps, r.trainSteps);
  assert.deepEqual(j.plateau, r.plateau);
});

test("E6 --until-plateau that cannot fire within maxSteps stops there and reports reached: false; without it, exactly `steps`", () => {
  // the rule applies only from step `steps` = 60 on, and the budget is 45 steps in all
  const r = mnistPruneExperiment({ ...small, steps: 60, plateau: { window: 5, threshold: 0.5, maxSteps: 45 } });
  assert.ok(r.plateau && !r.plateau.reached);
  assert.equal(r.trainSteps, 45);
  const f = mnistPruneExperiment({ ...small, steps: 25 });
  assert.equal(f.plateau, null);
  assert.equal(f.trainSteps, 25);
});
