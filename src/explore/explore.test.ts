import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { after, before, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { grid1d } from "../data/synthetic.js";
import { initNet, makeArch } from "../nn/arch.js";
import { refineCritical } from "../optim/refine.js";
import { train } from "../optim/train.js";
import { findChromium } from "../report/browser.js";
import { getBackend, setBackend, useBackend } from "../linalg/backend.js";
import { serveExplorer } from "./serve.js";
import { runAtlas } from "../atlas/atlas.js";
import { defaultSettings } from "../atlas/cells.js";
import { exportAtlas, type AtlasExport } from "../atlas/export.js";
import { AtlasStore } from "../atlas/store.js";
import { loadDataset } from "../data/load.js";

// A real browser (Debian's Chromium through playwright-core; no browser download). CI installs chromium.
const exe = findChromium();
const skip = exe ? false : "no chromium on this machine (CI installs it)";
let browser: Browser, url: string, close: () => Promise<void>;

before(async () => {
  if (skip) return;
  ({ url, close } = await serveExplorer(0));
  browser = await chromium.launch({ executablePath: exe!, args: ["--no-sandbox", "--disable-gpu"] });
});
after(async () => { if (!skip) { await browser.close(); await close(); } });

async function open(hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.setDefaultTimeout(120_000); // CI machines are small and shared: wait for results, never race them
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(url + hash);
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent?.startsWith("done") || document.querySelector('[data-testid="status"]')?.textContent?.startsWith("error"), null, { timeout: 120_000 });
  const st = await page.textContent('[data-testid="status"]');
  assert.equal(st, "done", `status: ${st}; page errors: ${errors.join("; ")}`);
  assert.deepEqual(errors, []);
  return page;
}
const text = async (page: Page, id: string): Promise<string> => (await page.textContent(`[data-testid="${id}"]`)) ?? "";

test("a link with run=train,refine shows the library's certificate for the same settings, bit for bit", { skip }, async () => {
  const page = await open("#data=cos2x&arch=1-2-1&act=tanh&loss=mse&seed=1&opt=adam&lr=0.01&steps=2000&run=train,refine");
  // the page runs the pure-TypeScript backend: compute the library's answer on the same backend
  const before = getBackend();
  useBackend("pure");
  const data = grid1d("cos2x", 9);
  const trained = train(initNet(makeArch([1, 2, 1], "tanh", "mse"), { seed: 1 }), data, { optimizer: "adam", lr: 0.01, steps: 2000 });
  const c = refineCritical(trained.net, data, { tol: 1e-12 });
  setBackend(before);
  const dbg = await page.evaluate(() => [document.getElementById("status")?.textContent, document.getElementById("loss")?.textContent, document.getElementById("step")?.textContent, location.hash]);
  assert.equal(await text(page, "loss"), String(c.loss), JSON.stringify(dbg));
  assert.equal(await text(page, "grad-norm"), String(c.gradNorm));
  assert.equal(await text(page, "inertia"), `(${c.inertia.neg}, ${c.inertia.zero}, ${c.inertia.pos})`);
  assert.ok(c.gradNorm <= 1e-12 && c.converged);
  // the hash still describes what is on screen
  assert.match(page.url(), /run=train,refine/);
  // the α slider: the output stays put while the inertia changes as SPEC §2.9 predicts
  for (const alpha of ["0.5", "1.5", "-0.4"]) {
    await page.$eval("#alpha", (el, v) => { (el as HTMLInputElement).value = v; el.dispatchEvent(new Event("input", { bubbles: true })); }, alpha);
    await page.waitForFunction((a) => document.getElementById("alpha-value")?.textContent === Number(a).toFixed(2) && document.querySelector('[data-testid="status"]')?.textContent === "done", alpha);
    await page.waitForFunction(() => document.querySelector('[data-testid="max-output-change"]')?.textContent !== "—");
    const d = Number(await text(page, "max-output-change"));
    assert.ok(d <= 1e-12, `α = ${alpha}: max |Δf| ${d}`);
    const wide = await text(page, "wide-inertia"), pred = await text(page, "predicted-inertia");
    assert.equal(wide, pred, `α = ${alpha}`);
    assert.equal(wide, "(1, 1, 8)"); // SPEC §8.2: the local minimum becomes a strict saddle for every α ∉ {0, 1}
  }
  await page.close();
});

test("a CSV upload replaces the data and the net's widths follow it; a bad link is refused with a reason", { skip }, async () => {
  const page = await open("");
  const dir = mkdtempSync(join(tmpdir(), "embedscape-explore-"));
  const csv = join(dir, "two.csv");
  writeFileSync(csv, "x1,x2,y1\n0,0,1\n1,0,0\n0,1,0\n1,1,1\n0.5,0.5,0.5\n");
  await page.setInputFiles("#csv", csv);
  await page.waitForFunction(() => document.getElementById("widths")?.textContent === "2-2-1" && document.querySelector('[data-testid="status"]')?.textContent === "done");
  await page.click("#train");
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === "done" && document.getElementById("step")?.textContent === "2000");
  await page.close();
  const bad = await browser.newPage();
  bad.setDefaultTimeout(120_000);
  await bad.goto(url + "#data=nope");
  await bad.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent?.includes("bad link"));
  await bad.close();
});

test("a screenshot of a trained page is not blank", { skip }, async () => {
  const page = await open("#data=sin3x&arch=1-8-1&act=tanh&seed=2&steps=500&run=train,refine");
  const png = await page.screenshot({ fullPage: true });
  // decode the PNG's image data: a blank page would be one colour
  let off = 8;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off), type = png.toString("ascii", off + 4, off + 8);
    if (type === "IDAT") idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const distinct = new Set<number>();
  for (let i = 0; i < raw.length; i += 97) distinct.add(raw[i]);
  assert.ok(distinct.size > 20, `${distinct.size} distinct byte values in the screenshot`);
  await page.close();
});

test("the atlas tab computes widths 1–3 in the page: the same sets, ids, counts, edges and run keys as `atlas run --jobs 1`", { skip }, async () => {
  const page = await open("#data=cos2x&arch=1-2-1&act=tanh&seed=1&run=atlas:2");
  // the library's atlas for the same settings (the page runs the pure-TypeScript backend)
  const before = getBackend();
  useBackend("pure");
  const settings = defaultSettings({ data: "grid:cos2x:9", widths: [1, 2, 3], seeds: 2 });
  const path = join(mkdtempSync(join(tmpdir(), "embedscape-explore-atlas-")), "atlas.sqlite");
  try { await runAtlas(settings, loadDataset(settings.data), path, { jobs: 1 }); } finally { setBackend(before); }
  const st = AtlasStore.open(path);
  const expected = JSON.parse(JSON.stringify(exportAtlas(st))) as AtlasExport;
  const keys = st.runs().map((r) => r.key);
  st.close();
  assert.ok(expected.sets.length > 10 && expected.edges.length > 10, `${expected.sets.length} sets`);
  // the census per width in the page equals the library's
  for (const w of [1, 2, 3]) {
    const here = expected.sets.filter((s) => s.width === w);
    assert.equal(await page.textContent(`[data-testid="atlas-census"] tr[data-width="${w}"] td[data-col="sets"]`), String(here.length), `width ${w}`);
    assert.equal(await page.textContent(`[data-testid="atlas-census"] tr[data-width="${w}"] td[data-col="minima"]`), String(here.filter((s) => s.inertia.neg === 0).length), `width ${w}`);
  }
  assert.match(await text(page, "atlas-count"), new RegExp(`^${expected.sets.length} critical sets, ${expected.edges.length} edges`));
  // the downloaded atlas is `atlas export`'s JSON: the same sets with the same ids, widths, inertias, basin counts, sources,
  // seeds and lineage, the same edges — and the same numbers, to the last bit (the page pins exp/log/expm1/tanh/log1p to
  // fdmath and the solvers' Adam bias corrections use powi, so Node and Chromium run the same float64 operations)
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#atlas-download")]);
  const got = JSON.parse(readFileSync((await dl.path())!, "utf8")) as typeof expected;
  const same = (a: unknown, b: unknown, where: string): void => {
    if (typeof a === "number" && typeof b === "number") { assert.ok(Object.is(a, b), `${where}: ${a} vs ${b} (not bit-identical)`); return; }
    if (a === null || b === null || typeof a !== "object" || typeof b !== "object") { assert.deepEqual(a, b, where); return; }
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), where);
    for (const k of Object.keys(b)) same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`);
  };
  same(got, expected, "atlas");
  // the integers outright (same() compares them too, but this names the set or edge that differs)
  const shape = (x: AtlasExport): string[] => [...x.sets.map((t) => JSON.stringify([t.id, t.width, t.inertia, t.count, t.chain, t.parents, t.sources, t.rootWidth])), ...x.edges.map((e) => JSON.stringify([e.kind, e.from, e.to, e.count, e.mismatches]))];
  assert.deepEqual(shape(got), shape(expected));
  assert.deepEqual((await page.evaluate(() => document.body.dataset.atlasRunKeys ?? "")).split(" "), keys);
  assert.match(page.url(), /run=atlas:2/);
  await page.close();
});

test("computing an atlas streams progress and can be cancelled: the partial atlas is shown", { skip }, async () => {
  const page = await open("#data=cos2x20&arch=1-2-1&act=tanh");
  await page.fill("#atlas-seeds", "8");
  await page.click("#atlas-run");
  await page.waitForFunction(() => /runs/.test(document.querySelector('[data-testid="atlas-progress"]')?.textContent ?? ""));
  await page.click("#atlas-cancel");
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === "done");
  assert.match(await text(page, "atlas-progress"), /^cancelled: \d+ runs/);
  const runs = (await page.evaluate(() => document.body.dataset.atlasRunKeys ?? "")).split(" ").filter(Boolean);
  assert.ok(runs.length >= 1 && runs.length < 48, `${runs.length} runs before the cancel took effect`); // 8 seeds × 2 sources × 3 widths, and more
  assert.match(await text(page, "atlas-count"), /cancelled after \d+ runs/);
  assert.doesNotMatch(page.url(), /atlas/); // a cancelled atlas is not part of the link
  await page.close();
});
