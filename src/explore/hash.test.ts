import assert from "node:assert/strict";
import { test } from "node:test";
import { formatHash, parseHash } from "./hash.js";
import { DEFAULT_SETTINGS } from "./settings.js";
import { ExploreSession, replay } from "./engine.js";
import { useBackend, getBackend, setBackend } from "../linalg/backend.js";
import { grid1d } from "../data/synthetic.js";
import { initNet, makeArch } from "../nn/arch.js";
import { train } from "../optim/train.js";
import { refineCritical } from "../optim/refine.js";

test("links round-trip: settings and actions survive format → parse", () => {
  const s = { ...DEFAULT_SETTINGS, arch: [1, 3, 1], seed: 4, lr: 0.003, steps: 1500 };
  const run = [{ kind: "train" }, { kind: "refine" }, { kind: "split", layer: 1, neuron: 2, alpha: -0.25 }, { kind: "null", layer: 1 }, { kind: "adopt" }, { kind: "escape", index: 0, sign: -1 }, { kind: "merge", threshold: 0.95 }, { kind: "atlas", seeds: 3 }] as const;
  const h = formatHash(s, [...run]);
  assert.match(h, /run=train,refine,split:1:2:-0.25,null:1,adopt,escape:0:-1,merge:0.95,atlas:3/);
  const p = parseHash(h);
  assert.deepEqual(p.settings, s);
  assert.deepEqual(p.run, run);
  assert.deepEqual(parseHash("").settings, DEFAULT_SETTINGS);
});

test("a link is untrusted: every malformed part is refused with a reason", () => {
  for (const [h, re] of [
    ["#data=nope", /unknown data preset/], ["#arch=1-0-1", /bad architecture/], ["#arch=1-2", /bad architecture/], ["#arch=1-99999-1", /bad architecture/],
    ["#act=evil", /unknown activation/], ["#lr=-1", /bad learning rate/], ["#steps=1e9", /bad step count/], ["#seed=1.5", /bad seed/],
    ["#run=train,format-disk", /unknown action/], ["#run=split:1:1", /split needs/], ["#run=split:1:x:0.5", /bad number/], ["#run=escape:0:2", /sign/], ["#run=atlas:0", /atlas takes/], ["#run=atlas:2:3", /atlas takes/], ["#run=atlas:9", /atlas takes/], ["#x=1", /unknown key/],
  ] as const) assert.throws(() => parseHash(h), re, h);
});

test("replaying train,refine in the engine gives the library's certificate (pure backend, as in the page)", () => {
  const before = getBackend();
  useBackend("pure");
  try {
    const { settings, run } = parseHash("#data=cos2x&arch=1-2-1&act=tanh&seed=1&opt=adam&lr=0.01&steps=2000&run=train,refine,split:1:1:0.5");
    const s = new ExploreSession(settings);
    replay(s, run);
    const data = grid1d("cos2x", 9);
    const c = refineCritical(train(initNet(makeArch([1, 2, 1], "tanh", "mse"), { seed: 1 }), data, { optimizer: "adam", lr: 0.01, steps: 2000 }).net, data, { tol: 1e-12 });
    assert.deepEqual(Array.from(s.net.theta), Array.from(c.net.theta));
    const split = s.split(1, 1, 0.5);
    assert.ok(split.maxOutputChange <= 1e-15);
    assert.deepEqual(split.cert.inertia, { neg: 1, zero: 1, pos: 8 }); // SPEC §8.2
    assert.deepEqual(split.predicted, split.cert.inertia);
    // escaping the split saddle lowers the loss (it is a strict saddle)
    s.adoptWide();
    const esc = s.escape(0, 1);
    assert.ok(esc.eigenvalue < 0 && esc.after.loss < esc.before.loss - 1e-6, `${esc.before.loss} → ${esc.after.loss}`);
    // the minimum itself has nothing to escape along: refused
    const m = new ExploreSession(settings);
    replay(m, [{ kind: "train" }, { kind: "refine" }]);
    assert.throws(() => m.escape(0, 1), /not a negative-curvature direction/);
  } finally {
    setBackend(before);
  }
});
