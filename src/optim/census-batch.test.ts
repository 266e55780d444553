import { test } from "node:test";
import assert from "node:assert/strict";
import { makeArch } from "../nn/arch.js";
import { TinyEvaluator } from "../nn/tiny.js";
import { torchDefaultInit } from "./census.js";
import { censusBatch, censusData } from "./census-batch.js";
import { getBackend, nativeBackend, setBackend } from "../linalg/backend.js";
import { InputError } from "../util/errors.js";

test("torchDefaultInit is PyTorch's init bit for bit; censusData is torch.linspace's x bit for bit", () => {
  // /usr/bin/python3: torch.Generator().manual_seed(s); (torch.rand(k, generator=g)*2-1)/math.sqrt(fi), torch 1.13
  assert.deepEqual(Array.from(torchDefaultInit([1, 2, 1], 0)),
    [0.94010600361310614, 0.41563972879957589, -0.081234113745098258, 0.84149536824392057, 0.20509507754883882, 0.41174529777772501, -0.45451950589406037]);
  assert.deepEqual(Array.from(torchDefaultInit([1, 2, 1], 123456)),
    [-0.93157814510988635, 0.6762570363287177, -0.09027795236575753, 0.080795077161506468, 0.1179706687456032, 0.11615511545617066, -0.11453669762473638]);
  const d = censusData(20);
  // torch.linspace(-2, 2, 20)[10:12]: not start + i·step (0.10526315789473673 is, 0.3157894736842104 is neither formula)
  assert.equal(d.x[10], 0.10526315789473673);
  assert.equal(d.x[11], 0.3157894736842104);
  assert.equal(d.x[0], -2);
  assert.equal(d.x[19], 2);
  assert.equal(d.y[3], Math.cos(2 * d.x[3]));
});

test("censusBatch reproduces bench_census.py's outcome counts (1-2-1 on 20 points, 1-3-1 on 9, 20 seeds)", () => {
  // /usr/bin/python3 bench_census.py --threads 1 --seeds 20 --nets 1-2-1 --impl loop,batched (both impls):
  //   converged 20, inertia_counts {"0,0,7": 18, "0,4,3": 2};  --nets 1-3-1 --points 9: converged 1, {"0,6,4": 1}
  const a = censusBatch(makeArch([1, 2, 1], "tanh", "mse"), censusData(20), { seeds: 20 });
  assert.equal(a.converged, 20);
  assert.deepEqual(a.inertiaCounts, { "0,0,7": 18, "0,4,3": 2 });
  for (const r of a.perSeed) assert.ok(r.gradNorm <= 1e-12 && r.inertia[0] + r.inertia[1] + r.inertia[2] === 7);
  const b = censusBatch(makeArch([1, 3, 1], "tanh", "mse"), censusData(9), { seeds: 20 });
  assert.equal(b.converged, 1);
  assert.deepEqual(b.inertiaCounts, { "0,6,4": 1 });
  const bad = b.perSeed.filter((r) => !r.converged);
  assert.equal(bad.length, 19);
  for (const r of bad) assert.ok(r.gradNorm > 1e-12 && r.lmIterations === 100, "an unconverged seed ran every LM iteration and is not counted");
});

test("censusBatch: a converged seed is a critical point of the Evaluator's loss; no LM means nothing is certified", () => {
  const arch = makeArch([1, 2, 1], "tanh", "mse"), data = censusData(20);
  const r = censusBatch(arch, data, { seeds: [3], keepTheta: true });
  assert.ok(r.perSeed[0].converged);
  const ev = new TinyEvaluator(arch, data), g = new Float64Array(ev.P);
  ev.lossAndGradient(Float64Array.from(r.perSeed[0].theta!), g);
  assert.ok(Math.hypot(...g) <= 1e-12);
  const none = censusBatch(arch, data, { seeds: 5, adamSteps: 200, lmMax: 0 });
  assert.equal(none.converged, 0);
  assert.deepEqual(none.inertiaCounts, {});
  assert.deepEqual(censusBatch(arch, data, { seeds: [3] }).perSeed, censusBatch(arch, data, { seeds: [3] }).perSeed.map((s) => ({ ...s })), "deterministic");
});

test("censusBatch: the native all-seeds Adam kernel follows the TypeScript Adam to rounding; divergence is an error", { skip: nativeBackend()?.tinyAdamTanhMse ? false : "native addon without tinyAdamTanhMse" }, () => {
  const prev = getBackend();
  const arch = makeArch([1, 3, 1], "tanh", "mse"), data = censusData(20);
  try {
    const run = (native: boolean) => { setBackend(native ? nativeBackend() : null); return censusBatch(arch, data, { seeds: 4, adamSteps: 300, lmMax: 0, keepTheta: true }).perSeed; };
    const a = run(true), b = run(false);
    for (let s = 0; s < 4; s++) {
      assert.ok(Math.abs(a[s].loss - b[s].loss) <= 1e-10 * b[s].loss, `seed ${s}: loss ${a[s].loss} vs ${b[s].loss}`);
      for (let i = 0; i < 10; i++) assert.ok(Math.abs(a[s].theta![i] - b[s].theta![i]) <= 1e-9 * (1 + Math.abs(b[s].theta![i])), `seed ${s} θ[${i}]`);
    }
    setBackend(nativeBackend());
    assert.throws(() => censusBatch(arch, data, { seeds: 2, adamSteps: 50, lr: 1e300 }), InputError);
  } finally { setBackend(prev); }
});
