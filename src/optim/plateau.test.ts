import assert from "node:assert/strict";
import { test } from "node:test";
import { PlateauStop } from "./plateau.js";

test("plateau rule: fires at the first step whose loss fell by less than the threshold over the window", () => {
  // R_t = 1/(1+t): relative decrease over W steps is W/(1+t) → below 0.1 once 1 + t > 10·W
  const p = new PlateauStop(5, 0.1);
  let fired = -1;
  for (let t = 0; t < 1000 && fired < 0; t++) if (p.observe(1 / (1 + t))) fired = t;
  assert.equal(fired, 50); // (1/46 − 1/51)/(1/46) = 5/51 < 0.1, while at t = 49: 5/50 = 0.1 is not below
  assert.ok(Math.abs(p.lastRelativeDecrease - 5 / 51) < 1e-15);
  const q = new PlateauStop(3, 0.5);
  for (const L of [1, 1, 1]) assert.equal(q.observe(L), false); // fewer than W + 1 observations never fire
  assert.equal(q.observe(1), true);
  const steep = new PlateauStop(2, 0.01);
  for (let t = 0; t < 100; t++) assert.equal(steep.observe(Math.exp(-t)), false); // geometric decay never plateaus
});

test("plateau rule: bad windows and thresholds are input errors", () => {
  assert.throws(() => new PlateauStop(0, 0.1), /window/);
  assert.throws(() => new PlateauStop(2.5, 0.1), /window/);
  assert.throws(() => new PlateauStop(10, 0), /threshold/);
  assert.throws(() => new PlateauStop(10, 1), /threshold/);
});
