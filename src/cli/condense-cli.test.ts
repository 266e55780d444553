import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { netToJson } from "../io/net-json.js";
import { loadNet } from "../io/files.js";
import { formatDataCsv } from "../data/csv.js";
import { makeDataset } from "../data/dataset.js";
import { applyEmbedding, multiStepEmbedding } from "../embed/index.js";
import { initNet, makeArch } from "../nn/arch.js";
import { predict } from "../nn/functions.js";
import { findChromium, renderInChromium } from "../report/browser.js";
import { Rng } from "../util/rng.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(join(tmpdir(), "embedscape-condense-"));
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", cwd: dir, timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const narrow = initNet(makeArch([2, 3, 1], "tanh"), { seed: 5 });
const wide = applyEmbedding(narrow, multiStepEmbedding([2, 3, 1], [
  { kind: "split", layer: 1, neuron: 1, ratios: [0.4, 0.6] }, { kind: "null", layer: 1 }, { kind: "split", layer: 1, neuron: 3, ratios: [1.5, -0.25, -0.25] },
]));
const rng = new Rng(3);
const xs = Array.from({ length: 40 }, () => rng.normal());
const data = makeDataset(xs, Array.from(predict(wide.arch, wide.theta, Float64Array.from(xs), 20)), { n: 20, d: 2, k: 1 });
writeFileSync(join(dir, "wide.json"), netToJson(wide));
writeFileSync(join(dir, "d.csv"), formatDataCsv(data));

test("CLI prune: an embedded net is merged back to the narrow width with |Δf| ≤ 1e-12, saved and reloadable", () => {
  const r = cli("prune", "--net", "wide.json", "--data", "d.csv", "--threshold", "1", "--low-amplitude", "0", "--out", "narrow.json", "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.widthBefore, 7);
  assert.equal(j.widthAfter, 3);
  assert.ok(j.outputMaxDiff <= 1e-12, r.out);
  assert.equal(j.agreement, null, "one output: no argmax agreement");
  assert.ok(j.r2 >= 1 - 1e-12 && j.outputRmsDiff <= 1e-12, r.out);
  assert.deepEqual(j.warnings, []);
  assert.ok(Math.abs(j.lossAfter - j.lossBefore) <= 1e-12);
  const back = loadNet(join(dir, "narrow.json"));
  assert.deepEqual(back.arch.widths, [2, 3, 1]);
  const f0 = predict(narrow.arch, narrow.theta, data.x, 20), f1 = predict(back.arch, back.theta, data.x, 20);
  assert.ok(f0.every((v, i) => Math.abs(v - f1[i]) <= 1e-12));
});

test("CLI condense: groups, low-amplitude neurons and an HTML report; bad input exits 2", () => {
  const r = cli("condense", "--net", "wide.json", "--data", "d.csv", "--threshold", "0.999", "--report", "c.html", "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.layers[0].width, 7);
  assert.equal(j.layers[0].effectiveWidth, 3); // null neuron is low-amplitude; the split copies group together
  assert.deepEqual(j.layers[0].lowAmplitude, [5]);
  assert.equal(j.layers[0].activeFraction.length, 7);
  assert.ok(existsSync(join(dir, "c.html")));
  for (const bad of [
    ["prune", "--net", "wide.json", "--data", "d.csv", "--threshold", "2"],
    ["prune", "--net", "wide.json", "--data", "d.csv", "--refit", "maybe"],
    ["prune", "--net", "missing.json", "--data", "d.csv"],
    ["prune", "--net", "wide.json"],
    ["condense", "--net", "wide.json", "--low-amplitude", "-1"],
    ["prune", "--net", "wide.json", "--data", "mnist:0"],
  ]) {
    const b = cli(...bad);
    assert.equal(b.code, 2, `${bad.join(" ")}: ${b.err}`);
    assert.equal(b.err.trim().split("\n").length, 1, b.err);
  }
});

test("reproduce mnist-prune and condensation (reduced) write reports that render in Chromium", { skip: findChromium() ? false : "no chromium" }, () => {
  const m = cli("reproduce", "mnist-prune", "--train", "200", "--width", "24", "--steps", "6", "--retrain", "3", "--out", "e6.html", "--save-wide", "mw.json", "--json");
  assert.equal(m.code, 0, m.err);
  const j = JSON.parse(m.out);
  assert.equal(j.widthBefore, 24);
  assert.ok(j.widthAfter >= 1 && j.widthAfter <= 24);
  assert.ok(j.agreementHeldOut > 0 && j.agreementHeldOut <= 1);
  // the saved wide net prunes from the CLI with the mnist data spec, with the same width as in the reproduction
  const p = cli("prune", "--net", "mw.json", "--data", "mnist:200", "--threshold", "0.9", "--json");
  assert.equal(p.code, 0, p.err);
  const pj = JSON.parse(p.out);
  assert.equal(pj.widthAfter, j.widthAfter);
  assert.equal(pj.agreementHeldOut, j.agreementHeldOut);
  const c = cli("reproduce", "condensation", "--widths", "1,2,4", "--steps", "300", "--out", "e23.html", "--json");
  assert.equal(c.code, 0, c.err);
  const s = JSON.parse(c.out);
  assert.equal(s.perWidth.length, 3);
  for (const [file, text] of [["e6.html", /Headline numbers/], ["e23.html", /Effective neurons across widths/]] as const) {
    const page = renderInChromium(join(dir, file));
    assert.ok(page.ok, "chromium exit status");
    assert.deepEqual(page.consoleErrors, []);
    assert.match(page.dom, text);
    assert.match(page.dom, /<svg/);
  }
});
