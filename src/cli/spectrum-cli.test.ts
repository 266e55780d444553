import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { netToJson } from "../io/net-json.js";
import { initNet, makeArch } from "../nn/arch.js";
import { findChromium, renderInChromium } from "../report/browser.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(join(tmpdir(), "embedscape-spectrum-"));
const DATA = "grid:sin3x:40";
writeFileSync(join(dir, "n.json"), netToJson(initNet(makeArch([1, 30, 1], "tanh", "mse"), { seed: 2 })));

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", cwd: dir, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("CLI spectrum: Lanczos extremes equal the dense eigenvalues of `hessian --eigenvalues`, residuals measured", () => {
  const dense = JSON.parse(cli("hessian", "--net", "n.json", "--data", DATA, "--eigenvalues", "--json").out).eigenvalues as number[];
  const r = cli("spectrum", "--net", "n.json", "--data", DATA, "--top", "3", "--bottom", "2", "--tol", "1e-8", "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.parameters, 91);
  const P = dense.length, scale = Math.max(Math.abs(dense[0]), Math.abs(dense[P - 1]));
  j.top.forEach((p: { value: number; residual: number; converged: boolean }, i: number) => {
    assert.ok(Math.abs(p.value - dense[P - 1 - i]) <= 1e-8 * scale, `top ${i}: ${p.value} vs ${dense[P - 1 - i]}`);
    assert.ok(p.converged && p.residual <= 1e-8 * scale, `residual ${p.residual}`);
  });
  j.bottom.forEach((p: { value: number }, i: number) => assert.ok(Math.abs(p.value - dense[i]) <= 1e-8 * scale, `bottom ${i}: ${p.value} vs ${dense[i]}`));
  // a budget too small to converge: exit 3, results still printed
  const short = cli("spectrum", "--net", "n.json", "--data", DATA, "--top", "0", "--bottom", "4", "--max-steps", "6", "--tol", "1e-12", "--json");
  assert.equal(short.code, 3, short.err);
  assert.equal(JSON.parse(short.out).converged, false);
  const bad = cli("spectrum", "--net", "n.json", "--data", DATA, "--top", "0", "--bottom", "0");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^embedscape: ask for at least one eigenvalue/);
});

test("CLI hessian --estimate --exact: the intervals hold the exact inertia, existing JSON fields kept", () => {
  const r = cli("hessian", "--net", "n.json", "--data", DATA, "--estimate", "--exact", "--relative-tol", "1e-2", "--degree", "300", "--probes", "12", "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  for (const k of ["loss", "gradNorm", "inertia", "tolerance", "gap", "clear", "parameters"]) assert.ok(k in j, `field ${k}`);
  const e = j.inertiaEstimate;
  assert.equal(j.tolerance, e.tolerance, "the exact count uses the estimate's τ");
  for (const k of ["neg", "zero", "pos"] as const) {
    assert.ok(e.interval[k][0] <= j.inertia[k] && j.inertia[k] <= e.interval[k][1], `${k}: ${j.inertia[k]} ∉ ${JSON.stringify(e.interval[k])}`);
  }
  assert.ok(Math.abs(e.neg + e.zero + e.pos - 91) < 1e-6);
  // --estimate alone: no dense path, so no exact inertia field
  const m = JSON.parse(cli("hessian", "--net", "n.json", "--data", DATA, "--estimate", "--degree", "100", "--probes", "4", "--json").out);
  assert.ok(!("inertia" in m) && "inertiaEstimate" in m && m.parameters === 91);
  const bad = cli("hessian", "--net", "n.json", "--data", DATA, "--estimate", "--probes", "1");
  assert.equal(bad.code, 2);
});

test("CLI density: SLQ JSON with weights summing to 1, and an HTML report that renders", () => {
  const r = cli("density", "--net", "n.json", "--data", DATA, "--probes", "4", "--steps", "30", "--report", "d.html", "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const total = (j.weights as number[]).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-10, `weights sum to ${total}`);
  assert.equal(j.nodes.length, 4 * 30);
  assert.ok(Math.abs(j.curve.cumulative.at(-1) - 91) < 1e-6);
  assert.ok(existsSync(join(dir, "d.html")));
  assert.match(readFileSync(join(dir, "d.html"), "utf8"), /<svg/);
  if (findChromium()) {
    const v = renderInChromium(join(dir, "d.html"));
    assert.ok(v.ok && v.consoleErrors.length === 0, v.consoleErrors.join("; "));
    assert.match(v.dom, /spectral density/);
  }
  const bad = cli("density", "--net", "n.json", "--data", DATA, "--report", "d.txt");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /must end in \.html/);
});
