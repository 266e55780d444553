import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { grid1d } from "../data/synthetic.js";
import { applyEmbedding } from "../embed/apply.js";
import { nullEmbedding, oneStepEmbedding } from "../embed/embedding.js";
import { createNet, makeArch } from "../nn/arch.js";
import { renderInChromium, findChromium } from "../report/browser.js";
import { runAtlas } from "./atlas.js";
import { canonicalForm, rootWidths, sameCanonical } from "./canonical.js";
import { cellKey, defaultSettings, embeddingsFor, runCell, type AtlasSettings } from "./cells.js";
import { checkAtlas } from "./checks.js";
import { exportAtlas } from "./export.js";
import { atlasReport } from "../experiments/atlas-report.js";
import { AtlasStore, fromBlob, toBlob } from "./store.js";

const data = grid1d("cos2x", 12);
const tmp = (): string => mkdtempSync(join(tmpdir(), "atlas-test-"));

// a width-2 point (not critical: the canonical form does not care)
const arch2 = makeArch([1, 2, 1], "tanh");
const p2 = createNet(arch2, [1.3, -0.7, 0.2, 0.5, 0.9, -1.1, 0.05]);

test("canonical form: permutation, sign flip, split ratio and null neuron give the same form; another point does not", () => {
  const base = canonicalForm(p2, data);
  assert.deepEqual(base.widths, [1, 2, 1]);
  assert.deepEqual(rootWidths(base), [2]);
  // permute the two neurons and flip the sign of the second (tanh is odd)
  const t = p2.theta;
  const q = createNet(arch2, [-t[1], t[0], -t[3], t[2], -t[5], t[4], t[6]]);
  assert.ok(sameCanonical(base, canonicalForm(q, data)));
  for (const alpha of [-1, 0.3, 2.5]) {
    const wide = applyEmbedding(p2, oneStepEmbedding([1, 2, 1], 1, 2, alpha));
    const c = canonicalForm(wide, data);
    assert.deepEqual(c.widths, [1, 2, 1], `α=${alpha} reduces to width 2`);
    assert.ok(c.maxOutputChange < 1e-12);
    assert.ok(sameCanonical(base, c), `α=${alpha}`);
  }
  const withNull = applyEmbedding(p2, nullEmbedding([1, 2, 1], 1));
  assert.ok(sameCanonical(base, canonicalForm(withNull, data)));
  const other = createNet(arch2, [1.3, -0.7, 0.2, 0.5, 0.9, -1.0, 0.05]);
  assert.ok(!sameCanonical(base, canonicalForm(other, data)));
  // a dead net (all outgoing weights 0) is the constant function: root width 0, whatever its incoming weights
  const dead1 = canonicalForm(createNet(arch2, [1, 2, 3, 4, 0, 0, 0.1]), data), dead2 = canonicalForm(createNet(arch2, [-5, 2, 0, 1, 0, 0, 0.1]), data);
  assert.deepEqual(rootWidths(dead1), [0]);
  assert.ok(sameCanonical(dead1, dead2));
});

test("cell keys are deterministic and distinguish params; blobs round-trip float64 exactly", () => {
  const a = cellKey({ width: 2, source: "train", seed: 3, params: { optimizer: "adam", scale: 1 } });
  assert.equal(a, cellKey({ width: 2, source: "train", seed: 3, params: { scale: 1, optimizer: "adam" } }));
  assert.notEqual(a, cellKey({ width: 2, source: "train", seed: 3, params: { optimizer: "gd", scale: 1 } }));
  assert.match(a, /^w2\/train\/s3\/[0-9a-f]{16}$/);
  const v = Float64Array.from([Math.PI, -1e-300, 5e-324, 1 / 3]);
  assert.deepEqual(Array.from(fromBlob(toBlob(v))), Array.from(v));
});

test("embedding cells: every embedded point is critical and its inertia matches §2.9 or the mismatch is explained", () => {
  const s = defaultSettings({ data: "grid:cos2x:12", widths: [1, 2], seeds: 1, train: { optimizers: ["adam"], scales: [1], steps: 1500, lrAdam: 1e-2, lrGd: 0.05 } });
  const d = { n: data.n, d: data.d, k: data.k, x: data.x, y: data.y };
  const tr = runCell({ cell: { width: 1, source: "train", seed: 0, params: { optimizer: "adam", scale: 1 } }, settings: s, data: d });
  const p = tr.points[0];
  assert.equal(p.status, "critical");
  const r = runCell({ cell: { width: 2, source: "embed", seed: 0, params: { parent: 1 } }, settings: s, data: d, input: { setId: 1, widths: [1, 1, 1], theta: Array.from(p.theta) } });
  const expected = embeddingsFor(createNet(makeArch([1, 1, 1]), p.theta), 1, 2, s.embed.alphas).length;
  assert.equal(r.points.length, expected);
  assert.equal(expected, s.embed.alphas.length + 1); // one-step splits of the one neuron + a null neuron
  for (const q of r.points) {
    assert.ok(q.gradNorm <= 1e-10, `‖∇R‖ = ${q.gradNorm}`);
    assert.equal(q.origin.kind, "embed");
    if (q.origin.kind !== "embed") continue;
    assert.ok(q.origin.outputChange < 1e-12);
    assert.ok(q.origin.agree === true || (q.origin.agree === false && !q.origin.explanation!.startsWith("unexplained")), `${q.origin.label}: ${q.origin.explanation}`);
    assert.deepEqual(q.canonical!.widths, [1, 1, 1]);
  }
  // a split with α ∈ (0,1) and one with α ∉ [0,1] of a minimum differ by In(M) vs In(−M): not the same set
  const inA = r.points.find((q) => q.origin.kind === "embed" && q.origin.label.endsWith("α=0.5"))!, outA = r.points.find((q) => q.origin.kind === "embed" && q.origin.label.endsWith("α=2"))!;
  assert.notDeepEqual(inA.inertia, outA.inertia);
});

const quick = (over: Partial<AtlasSettings> = {}): AtlasSettings => defaultSettings({
  data: "grid:cos2x:12", widths: [1, 2], seeds: 3,
  train: { optimizers: ["adam", "gd"], scales: [0.5, 1.5], steps: 600, lrAdam: 1e-2, lrGd: 0.05 },
  descent: { eps: 0.05, steps: 800, lr: 1e-2, maxDirections: 2 }, ...over,
});

test("atlas run (widths 1–2): edges into every wider width, ‖∇R‖ ≤ 1e-10 from stored θ, export contract, resume is a no-op", async () => {
  const dir = tmp(), path = join(dir, "a.sqlite");
  try {
    const s = quick();
    const r1 = await runAtlas(s, data, path, { jobs: 1 });
    assert.ok(r1.runs > 2 * s.seeds && r1.sets > 0);
    const st = AtlasStore.open(path);
    const c = checkAtlas(st);
    assert.deepEqual(c.missingEdges, []);
    assert.equal(c.coverage[0].width, 1);
    assert.equal(c.coverage[0].withEdgesIntoEveryWiderWidth, c.coverage[0].sets);
    assert.ok(c.edgeCounts.find((e) => e.from === 1 && e.to === 2)!.edges >= c.coverage[0].sets);
    assert.equal(c.inertia.unexplained, 0);
    assert.ok(c.inertia.agree > 0);
    assert.deepEqual(c.gradient.violations, []);
    const ex = exportAtlas(st);
    for (const set of ex.sets) {
      for (const k of ["id", "width", "loss", "gradNorm", "inertia", "gap", "rootWidth", "parents", "count", "theta"]) assert.ok(k in set, k);
      assert.equal(set.theta.length, 3 * set.width + 1);
      assert.ok(set.count >= 1);
      assert.ok(set.rootWidth <= set.width);
      assert.equal(set.chain[set.chain.length - 1], set.id);
    }
    assert.ok(ex.edges.some((e) => e.kind === "embedding") && ex.edges.every((e) => e.kind === "embedding" || e.kind === "descent"));
    const byId = new Map(ex.sets.map((x) => [x.id, x]));
    const embedded = ex.sets.filter((x) => x.width === 2 && x.parents.length > 0);
    assert.ok(embedded.length > 0);
    for (const x of embedded) {
      assert.ok(x.parents.every((p) => byId.get(p)!.width < x.width));
      assert.equal(x.chain.length, 2, "chain root → set");
      assert.ok(x.rootWidth <= 1, "a set reached by embedding a width-1 set reduces to width ≤ 1");
    }
    st.close();
    const r2 = await runAtlas(s, data, path, { jobs: 1, resume: true });
    assert.equal(r2.runs, 0);
    assert.equal(r2.skipped, r1.runs);
    await assert.rejects(runAtlas(s, data, path, { jobs: 1 }), /exists: pass --resume/);
    await assert.rejects(runAtlas({ ...s, seeds: 4 }, data, path, { jobs: 1, resume: true }), /other settings/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const cli = fileURLToPath(new URL("../cli/main.js", import.meta.url));

function runCli(args: string[], onLine?: (line: string, kill: () => void) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[]; stdout: string }> {
  return new Promise((resolveP) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, EMBEDSCAPE_PROGRESS: "0" } });
    const lines: string[] = [];
    let buf = "", stdout = "";
    child.stdout.on("data", (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on("data", (b: Buffer) => {
      buf += b.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        onLine?.(line, () => child.kill("SIGKILL"));
      }
    });
    child.on("close", (code, signal) => resolveP({ code, signal, lines, stdout }));
  });
}

test("SIGKILL mid-run loses only runs in flight; --resume finds every finished run once and redoes none", async () => {
  const dir = tmp(), path = join(dir, "k.sqlite");
  try {
    const args = ["atlas", "run", "--data", "grid:cos2x:12", "--widths", "1..2", "--seeds", "3", "--train-steps", "600", "--sources", "train,random,embed", "--jobs", "1", "--out", path, "--verbose"];
    let finished = 0;
    const first = await runCli(args, (line, kill) => { if (line.startsWith("finished ") && ++finished === 5) kill(); });
    assert.equal(first.signal, "SIGKILL");
    const before = first.lines.filter((l) => l.startsWith("finished ")).map((l) => l.slice(9));
    assert.ok(before.length >= 5);
    const st = AtlasStore.open(path);
    const stored = new Map(st.runs().map((r) => [r.key, r.finishedAt]));
    st.close();
    for (const k of before) assert.ok(stored.has(k), `run ${k} finished before the kill is stored`);
    const second = await runCli([...args, "--resume", "--json"]);
    assert.equal(second.code, 0, second.lines.join("\n"));
    const after = second.lines.filter((l) => l.startsWith("finished ")).map((l) => l.slice(9));
    for (const k of stored.keys()) assert.ok(!after.includes(k), `run ${k} was not redone`);
    const summary = JSON.parse(second.stdout) as { runs: number; skipped: number };
    assert.equal(summary.skipped, stored.size);
    const st2 = AtlasStore.open(path);
    const all = st2.runs();
    assert.equal(new Set(all.map((r) => r.key)).size, all.length);
    assert.equal(all.length, stored.size + after.length);
    for (const r of all) if (stored.has(r.key)) assert.equal(r.finishedAt, stored.get(r.key), "finished run untouched");
    st2.close();
    const bad = await runCli(["atlas", "run", "--data", "grid:cos2x:12", "--template", "1-{m}-{m}-1", "--out", join(dir, "x.sqlite")]);
    assert.equal(bad.code, 2);
    assert.match(bad.lines.join("\n"), /^embedscape: --template needs exactly one \{m\}/m);
    writeFileSync(join(dir, "junk.sqlite"), "not a database");
    const junk = await runCli(["atlas", "export", join(dir, "junk.sqlite"), "--json"]);
    assert.equal(junk.code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("atlas report: self-contained HTML with the diagram, trees, a detail per set and the table; renders in Chromium", { skip: findChromium() ? false : "chromium not installed" }, async () => {
  const dir = tmp(), path = join(dir, "r.sqlite");
  try {
    await runAtlas(quick({ seeds: 2, sources: ["train", "embed", "descent"] }), data, path, { jobs: 1 });
    const st = AtlasStore.open(path);
    const r = await atlasReport(st);
    const n = st.allSets().length;
    st.close();
    assert.equal(r.sets, n);
    assert.ok(!/<script|https?:\/\/(?!www\.w3\.org)/.test(r.html.replace(/\$schema[^,]*/g, "")), "no scripts, no network");
    for (let id = 1; id <= n; id++) assert.ok(r.html.includes(`id="set-${id}"`), `detail of set ${id}`);
    assert.ok(r.html.includes('href="#set-1"'));
    const file = join(dir, "atlas.html");
    writeFileSync(file, r.html);
    const dom = renderInChromium(file);
    assert.ok(dom.ok);
    assert.deepEqual(dom.consoleErrors, []);
    assert.match(dom.dom, /Empirical diagram of the loss landscape/);
    assert.match(dom.dom, /Disconnectivity trees/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("reproduce landscape-diagram (small): report written, every narrow set has an edge into the wider width, no unexplained mismatch", async () => {
  const dir = tmp();
  try {
    const out = join(dir, "e4.html");
    const r = await runCli(["reproduce", "landscape-diagram", "--data", "grid:cos2x:12", "--widths", "1..2", "--seeds", "2", "--jobs", "1", "--out", out, "--json"]);
    assert.equal(r.code, 0, r.lines.join("\n"));
    const j = JSON.parse(r.stdout) as { sets: number; checks: ReturnType<typeof checkAtlas> };
    assert.ok(j.sets > 0);
    assert.equal(j.checks.coverage[0].withEdgesIntoEveryWiderWidth, j.checks.coverage[0].sets);
    assert.equal(j.checks.inertia.unexplained, 0);
    assert.deepEqual(j.checks.gradient.violations, []);
    assert.ok(existsSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
