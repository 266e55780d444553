import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { grid1d } from "../data/synthetic.js";
import { createNet, makeArch } from "../nn/arch.js";
import { predict } from "../nn/functions.js";
import { runAtlas } from "./atlas.js";
import { defaultSettings } from "./cells.js";
import { deflatedSolve, symmetryCopies } from "./deflation.js";
import { solveCritical } from "./solver.js";
import { AtlasStore } from "./store.js";

const data = grid1d("cos2x", 16);
const arch = makeArch([1, 2, 1]);

test("symmetry copies: m!·2^m for tanh, all with the same output", () => {
  const t = Float64Array.from([0.7, -1.3, 0.2, 0.5, 1.1, -0.4, 0.3]);
  const copies = symmetryCopies([1, 2, 1], "tanh", t);
  assert.equal(copies.length, 8);
  assert.equal(new Set(copies.map((c) => Array.from(c).join(","))).size, 8);
  const f = predict(arch, t, data.x, data.n);
  for (const c of copies) { const g = predict(arch, c, data.x, data.n); for (let i = 0; i < data.n; i++) assert.ok(Math.abs(f[i] - g[i]) < 1e-14); }
  assert.equal(symmetryCopies([1, 2, 1], "relu", t).length, 2, "no sign flips for a non-odd σ");
});

test("deflation: started next to a known minimum the plain solver returns to it, the deflated one does not", () => {
  const min = solveCritical(createNet(arch, [2, -2, 1, 1, 1, 1, -0.5]), data, { tol: 1e-14, maxIter: 200 });
  assert.ok(min.gradNorm <= 1e-12 && min.inertia.neg === 0);
  const start = createNet(arch, min.theta.map((t, i) => t + 0.05 * Math.sin(3 * i + 1)));
  const dist = (t: Float64Array, k: Float64Array): number => Math.hypot(...Array.from(t, (x, i) => x - k[i]));
  const plain = solveCritical(start, data);
  assert.ok(dist(plain.theta, min.theta) < 1e-6, "the plain solver converges back");
  const known = symmetryCopies([1, 2, 1], "tanh", min.theta);
  const d = deflatedSolve(start, data, known);
  assert.ok(Math.min(...known.map((k) => dist(d.theta, k))) > 1, "deflation pushes it away from every copy");
  assert.ok(d.gradNorm < 1e-6, `and towards another critical point (‖∇R‖ = ${d.gradNorm})`);
});

test("atlas with --deflate: random cells carry the deflated set ids; resume plans the same cells", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atlas-defl-")), path = join(dir, "d.sqlite");
  try {
    const s = defaultSettings({ data: "grid:cos2x:12", widths: [1, 2], seeds: 2, sources: ["train", "random"], deflation: true, train: { optimizers: ["adam"], scales: [1], steps: 500, lrAdam: 1e-2, lrGd: 0.05 } });
    const r = await runAtlas(s, grid1d("cos2x", 12), path, { jobs: 1 });
    assert.equal(r.runs, 8);
    const st = AtlasStore.open(path);
    const rows = st.db.prepare("SELECT params FROM runs WHERE source = 'random'").all() as Array<{ params: string }>;
    assert.equal(rows.length, 4);
    for (const row of rows) assert.ok(Array.isArray((JSON.parse(row.params) as { deflatedAgainst?: number[] }).deflatedAgainst));
    st.close();
    const again = await runAtlas(s, grid1d("cos2x", 12), path, { jobs: 1, resume: true });
    assert.equal(again.runs, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
