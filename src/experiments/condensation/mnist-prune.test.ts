import assert from "node:assert/strict";
import { test } from "node:test";
import { mnistPruneExperiment, mnistPruneSummary } from "./mnist-prune.js";

const small = { train: 100, width: 12, retrainSteps: 0 } as const;

test("E6 --until-plateau: trains at least `steps`, stops when the window's relative decrease is in [0, threshold), says so", () => {
  const r = mnistPruneExperiment({ ...small, steps: 30, plateau: { window: 10, threshold: 0.05, maxSteps: 150 } });
  assert.ok(r.plateau && r.plateau.reached, JSON.stringify(r.plateau));
  assert.ok(r.trainSteps >= 30 && r.trainSteps < 150, String(r.trainSteps));
  assert.equal(r.plateau.step, r.trainSteps);
  assert.ok(r.plateau.relativeDecrease >= 0 && r.plateau.relativeDecrease < 0.05, String(r.plateau.relativeDecrease));
  // the decrease the rule saw is the one of the recorded losses W steps apart (history is recorded every step below 200 steps)
  const h = r.trainHistory, at = (s: number) => h.find((p) => p.step === s)!.loss;
  const t = r.trainSteps - 1;
  assert.ok(Math.abs((at(t - 10) - at(t)) / at(t - 10) - r.plateau.relativeDecrease) < 1e-12);
  const j = mnistPruneSummary(r);
  assert.equal(j.trainSteps, r.trainSteps);
  assert.deepEqual(j.plateau, r.plateau);
});

test("E6 --until-plateau with an unreachable threshold stops at maxSteps and reports reached: false; without it, exactly `steps`", () => {
  const r = mnistPruneExperiment({ ...small, steps: 20, plateau: { window: 5, threshold: 1e-15, maxSteps: 45 } });
  assert.ok(r.plateau && !r.plateau.reached);
  assert.equal(r.trainSteps, 45);
  const f = mnistPruneExperiment({ ...small, steps: 25 });
  assert.equal(f.plateau, null);
  assert.equal(f.trainSteps, 25);
});
