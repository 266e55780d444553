#!/usr/bin/env node
// The --json contract check: runs every command of the README's examples (on small, fixed inputs) and
// compares each JSON document with the golden copy in tools/fixtures/json-contract/ — the same keys at
// every level, the same strings, booleans, nulls and integers, and floats equal to a relative 1e-9
// (plus 1e-14 absolute, for round-off-sized values such as ‖∇R‖ ≈ 1e-16: a change of summation order
// may move the last digits; anything larger is a changed result). It says how many numbers were not
// bit-identical.
//
//   node tools/json-contract.mjs            compare with the goldens (exit 1 on any difference)
//   node tools/json-contract.mjs --write    (re)write the goldens from the current build
//   node tools/json-contract.mjs --only hessian,check   (all cases run; only these are compared)
//
// Needs a build (`npx tsc -p tsconfig.json`). The goldens were written on the pure-TS backend, which the script uses
// unless EMBEDSCAPE_BACKEND is set (on OpenBLAS, ratios of round-off-sized eigenvalues and the reported engine
// differ). Machine-dependent fields (doctor's versions and thread
// counts, elapsed times) are compared by their keys only.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MAIN = join(root, "bin", "embedscape.js");
const GOLD = join(root, "tools", "fixtures", "json-contract");
const write = process.argv.includes("--write");
const onlyArg = process.argv.indexOf("--only");
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(",")) : null;

/**
 * `train` records its history in chunks of about 0.5 s of wall time (so Ctrl-C and checkpoints stay responsive),
 * and each chunk adds its boundary points: the history's length and inner points depend on the machine's speed,
 * while the training itself (and so the first and last point) is bit-exact. Its history is compared at both ends.
 */
const TIMED_HISTORY = "history";

/** Keys whose values depend on the machine or the clock: only their presence is compared. */
const VOLATILE = new Set(["seconds", "elapsed", "elapsedSeconds", "ms", "wallSeconds", "node", "versions", "version", "threads", "blas", "backend", "cpus", "lapack", "path", "addon", "time", "timeMs", "durationMs"]);

// Each case: a name, the arguments; cases run in order in one temporary folder, so later ones use the
// nets earlier ones wrote. `json: false` runs a step whose output is a file, not a JSON document.
const cases = [
  { name: "train", args: ["train", "--arch", "1-2-1", "--activation", "tanh", "--loss", "mse", "--data", "grid:cos2x:9", "--steps", "2000", "--optimizer", "adam", "--lr", "1e-2", "--seed", "1", "--out", "b.json", "--json"] },
  { name: "critical", args: ["critical", "--net", "b.json", "--data", "grid:cos2x:9", "--tol", "1e-12", "--out", "b2.json", "--json"] },
  { name: "critical-eigenvalues", args: ["critical", "--net", "b.json", "--data", "grid:cos2x:9", "--tol", "1e-12", "--eigenvalues", "--json"] },
  { name: "hessian", args: ["hessian", "--net", "b2.json", "--data", "grid:cos2x:9", "--json"] },
  { name: "hessian-eigenvalues", args: ["hessian", "--net", "b2.json", "--data", "grid:cos2x:9", "--json", "--eigenvalues"] },
  { name: "hessian-zero-tol", args: ["hessian", "--net", "b2.json", "--data", "grid:cos2x:9", "--json", "--zero-tol", "1e-6"] },
  { name: "hessian-estimate", args: ["hessian", "--net", "b2.json", "--data", "grid:cos2x:9", "--json", "--estimate", "--exact", "--degree", "100", "--probes", "4"] },
  { name: "spectrum", args: ["spectrum", "--net", "b2.json", "--data", "grid:cos2x:9", "--top", "2", "--bottom", "2", "--json"] },
  { name: "density", args: ["density", "--net", "b2.json", "--data", "grid:cos2x:9", "--probes", "3", "--steps", "7", "--points", "20", "--json"] },
  { name: "doctor", args: ["doctor", "--json"], keysOnly: true },
  { name: "embed", args: ["embed", "--net", "b2.json", "--split", "1:1:0.3,0.7", "--out", "wide.json", "--json"] },
  { name: "embed-one-step-null", args: ["embed", "--net", "b2.json", "--one-step", "1:2:0.25", "--null", "1", "--allow-shifted-null", "--out", "wide2.json", "--json"] },
  { name: "check", args: ["check", "--narrow", "b2.json", "--wide", "wide.json", "--data", "grid:cos2x:9", "--json"] },
  { name: "truly-bad", args: ["truly-bad", "--net", "b2.json", "--data", "grid:cos2x:9", "--json"] },
  { name: "train-relu", args: ["train", "--arch", "1-3-1", "--activation", "relu", "--loss", "mse", "--data", "grid:relu4:9", "--steps", "1500", "--optimizer", "adam", "--lr", "1e-2", "--seed", "2", "--out", "r.json", "--json"] },
  { name: "lift", args: ["lift", "--net", "r.json", "--data", "grid:relu4:9", "--after", "1", "--width", "3", "--margin", "1", "--out", "deep.json", "--json"] },
  { name: "lift-approximate", args: ["lift", "--net", "b2.json", "--data", "grid:cos2x:9", "--after", "1", "--width", "2", "--approximate", "--out", "deep-tanh.json", "--json"] },
  { name: "layers", args: ["layers", "--net", "deep.json", "--data", "grid:relu4:9", "--json"] },
  { name: "layers-neurons", args: ["layers", "--net", "deep.json", "--data", "grid:relu4:9", "--neurons", "--json"] },
  { name: "prune-layer", args: ["prune-layer", "--net", "deep.json", "--data", "grid:relu4:9", "--layer", "2", "--out", "shallow.json", "--json"] },
  { name: "condense", args: ["condense", "--net", "wide.json", "--data", "grid:cos2x:9", "--json"] },
  { name: "condense-similarity", args: ["condense", "--net", "wide.json", "--data", "grid:cos2x:9", "--similarity", "--json"] },
  { name: "prune", args: ["prune", "--net", "wide.json", "--data", "grid:cos2x:9", "--threshold", "0.9", "--out", "narrow.json", "--json"] },
  { name: "prune-refit-polish", args: ["prune", "--net", "wide.json", "--data", "grid:cos2x:9", "--threshold", "0.9", "--refit", "targets", "--polish", "--out", "narrow2.json", "--json"] },
  { name: "count-T", args: ["count", "T", "3", "8", "--json"] },
  { name: "count-T-bell", args: ["count", "T", "3", "8", "--bell", "--json"] },
  { name: "count-G", args: ["count", "G", "2", "5", "--json"] },
  { name: "count-table", args: ["count", "table", "--r", "1..5", "--m", "1..8", "--json"] },
  { name: "count-table-bell", args: ["count", "table", "--r", "1..5", "--m", "1..8", "--bell", "--json"] },
  { name: "count-crossover", args: ["count", "crossover", "--r", "3,5,8", "--json"] },
  { name: "reproduce-symmetry-counts", args: ["reproduce", "symmetry-counts", "--r", "3,5", "--h-max", "12", "--out", "sc.html", "--json"] },
  { name: "reproduce-symmetry-path", args: ["reproduce", "symmetry-path", "--samples", "30", "--per-segment", "20", "--out", "sp.html", "--json"] },
  { name: "reproduce-hessian-embedding", args: ["reproduce", "hessian-embedding", "--out", "he.html", "--json"] },
  { name: "reproduce-depth", args: ["reproduce", "depth", "--quick", "--out", "depth.html", "--json"] },
  { name: "reproduce-condensation", args: ["reproduce", "condensation", "--widths", "1,2,8", "--steps", "1500", "--out", "cond.html", "--json"] },
  { name: "reproduce-mnist-prune", args: ["reproduce", "mnist-prune", "--width", "40", "--train", "200", "--steps", "60", "--retrain", "20", "--out", "mp.html", "--json"] },
  { name: "train-sgd", args: ["train", "--arch", "1-3-1", "--data", "grid:cos2x:9", "--steps", "300", "--optimizer", "adam", "--lr", "1e-2", "--batch-size", "4", "--shuffle-seed", "2", "--seed", "1", "--out", "sgd.json", "--json"] },
  { name: "train-flow", args: ["train", "--arch", "1-2-1", "--data", "grid:cos2x:9", "--optimizer", "flow", "--t-end", "20", "--seed", "1", "--out", "flow.json", "--json"] },
];

function shape(v) {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape(v[k])]));
  return typeof v;
}

/** Differences between golden `a` and current `b` at `path`, as readable lines. */
function compare(a, b, path, out, keysOnly) {
  if (keysOnly && (a === null || typeof a !== "object")) return;
  if (path === `$.${TIMED_HISTORY}` && Array.isArray(a) && Array.isArray(b) && a.length && b.length) {
    compare(a[0], b[0], `${path}[0]`, out, keysOnly);
    compare(a[a.length - 1], b[b.length - 1], `${path}[last]`, out, keysOnly);
    return;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return void out.push(`${path}: array vs ${typeof b}`);
    if (a.length !== b.length && !keysOnly) return void out.push(`${path}: length ${a.length} → ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) compare(a[i], b[i], `${path}[${i}]`, out, keysOnly);
    return;
  }
  if (a && typeof a === "object") {
    if (!b || typeof b !== "object") return void out.push(`${path}: object → ${JSON.stringify(b)}`);
    for (const k of Object.keys(a)) {
      if (!(k in b)) out.push(`${path}.${k}: missing (renamed or removed)`);
      else compare(a[k], b[k], `${path}.${k}`, out, keysOnly || VOLATILE.has(k));
    }
    for (const k of Object.keys(b)) if (!(k in a)) out.push(`${path}.${k}: added (allowed; not in the golden)`);
    return;
  }
  if (typeof a === "number" && typeof b === "number") {
    if (Object.is(a, b)) return;
    const bothInts = Number.isInteger(a) && Number.isInteger(b) && Math.abs(a) < 2 ** 31 && Math.abs(b) < 2 ** 31;
    if (bothInts || Math.abs(a - b) > 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-14) out.push(`${path}: ${a} → ${b}`);
    else inexact++;
    return;
  }
  if (a !== b) out.push(`${path}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
}

const dir = mkdtempSync(join(tmpdir(), "embedscape-json-contract-"));
mkdirSync(GOLD, { recursive: true });
let failed = 0;
let inexact = 0; // numbers that differ in their last digits only (within the tolerance)
for (const c of cases) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [MAIN, ...c.args], { cwd: dir, encoding: "utf8", timeout: 600_000, env: { ...process.env, EMBEDSCAPE_BACKEND: process.env.EMBEDSCAPE_BACKEND ?? "pure" } });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (only && !only.has(c.name)) continue; // still run: later cases use the files it wrote
  let doc;
  try { doc = JSON.parse(r.stdout); } catch { doc = undefined; }
  const result = { exitCode: r.status, json: doc };
  const file = join(GOLD, `${c.name}.json`);
  if (doc === undefined) { console.log(`✗ ${c.name}: exit ${r.status}, no JSON on stdout: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`); failed++; continue; }
  if (write) {
    writeFileSync(file, JSON.stringify({ args: c.args, keysOnly: !!c.keysOnly, ...result }, null, 2) + "\n");
    console.log(`wrote ${c.name} (exit ${r.status}, ${secs} s)`);
    continue;
  }
  if (!existsSync(file)) { console.log(`✗ ${c.name}: no golden`); failed++; continue; }
  const gold = JSON.parse(readFileSync(file, "utf8"));
  const diffs = [];
  if (gold.exitCode !== r.status) diffs.push(`exit code ${gold.exitCode} → ${r.status}`);
  compare(gold.json, doc, "$", diffs, !!c.keysOnly);
  const real = diffs.filter((d) => !d.endsWith("(allowed; not in the golden)"));
  if (real.length) { failed++; console.log(`✗ ${c.name} (${secs} s)\n    ${diffs.slice(0, 20).join("\n    ")}${diffs.length > 20 ? `\n    … ${diffs.length - 20} more` : ""}`); }
  else console.log(`✓ ${c.name} (${secs} s)${diffs.length ? ` — ${diffs.length} added field(s)` : ""}`);
}
rmSync(dir, { recursive: true, force: true });
console.log(`${inexact} number(s) not bit-identical but within the tolerance`);
if (failed) { console.log(`${failed} case(s) differ`); process.exit(1); }
