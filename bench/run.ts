/**
 * `npm run bench [-- --quick] [-- --write]`: embedscape cases, each in its own child process (so
 * its peak RSS is its own), side by side with the PyTorch/NumPy reference scripts of
 * ../shared/bench run by /usr/bin/python3 (OMP_WAIT_POLICY=PASSIVE, 1 thread) in the same
 * invocation. Prints JSON lines, then a table of times and ratios; `--write` regenerates BENCHMARKS.md and keeps the
 * raw lines in bench-results/; `--from FILE…` re-renders the table from such lines without re-running anything.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const write = args.includes("--write");
// embedscape runs every case with 1 and 2 BLAS threads (best counts, like the reference);
// EMBEDSCAPE_THREADS=N or --threads N pins one count.
const tIdx = args.indexOf("--threads");
const pinned = tIdx >= 0 ? args[tIdx + 1] : process.env.EMBEDSCAPE_THREADS;
const threadCounts = pinned ? [Number(pinned)] : [1, 2];
const benchDir = [process.env.EMBEDSCAPE_BENCH_DIR, join(root, "..", "shared", "bench"), "/work/shared/bench"].find((d) => d && existsSync(join(d, "nets.py")));
const python = "/usr/bin/python3";

type Row = Record<string, unknown>;
const lines: Row[] = [];
function emit(r: Row): void {
  lines.push(r);
  process.stdout.write(JSON.stringify(r) + "\n");
}

function child(caseName: string, threads: number): Row | null {
  const r = spawnSync(process.execPath, [join(here, "case.js"), caseName, quick ? "quick" : "full"], {
    encoding: "utf8", env: { ...process.env, EMBEDSCAPE_THREADS: String(threads) }, maxBuffer: 1 << 24,
  });
  if (r.status !== 0) { emit({ bench: "error", case: caseName, stderr: r.stderr.slice(-400) }); return null; }
  const row = JSON.parse(r.stdout.trim().split("\n").pop()!) as Row;
  emit(row);
  return row;
}

function py(script: string, extra: string[], t: number): Row[] {
  if (!benchDir || !existsSync(python)) return [];
  const r = spawnSync(python, [join(benchDir, script), "--threads", String(t), ...(quick ? ["--quick"] : []), ...extra], {
    cwd: benchDir, encoding: "utf8", maxBuffer: 1 << 26,
    env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE", OMP_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t) },
  });
  if (r.status !== 0) { emit({ bench: "python_error", script, stderr: (r.stderr ?? "").slice(-300) }); return []; }
  const rows = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Row);
  for (const row of rows) emit({ side: "pytorch", script, threads: t, ...row });
  return rows;
}

const large = args.includes("--large");
const fromIdx = args.indexOf("--from");
if (fromIdx >= 0) {
  // Re-render the table from the JSON lines of earlier runs (several files may be given; later lines win).
  for (const f of args.slice(fromIdx + 1).filter((a) => !a.startsWith("--")))
    for (const l of readFileSync(f, "utf8").split("\n")) if (l.startsWith("{")) lines.push(JSON.parse(l) as Row);
} else {
  for (const t of threadCounts)
    for (const c of ["calib", "dgemm1024", "train_a", "train_b", "train_mnist_ce", "hessian_b", "hessian_d", ...(large ? ["hessian_c"] : [])]) child(c, t);
  const havePy = benchDir !== undefined && existsSync(python) && spawnSync(python, ["-c", "import torch"]).status === 0;
  if (!havePy) process.stderr.write("bench: /usr/bin/python3 with torch or ../shared/bench not found; ratios skipped\n");
  else for (const t of [1, 2]) {
    py("bench_dgemm.py", [], t);
    py("bench_train.py", ["--nets", "a,b,mnist_ce"], t);
    if (t === 2 && quick) continue;
    py("bench_hessian.py", ["--nets", quick ? "b" : large && t === 1 ? "b,d,c" : "b,d"], t);
  }
}

// Our rows (last one per case) and the reference's best over thread counts.
const ours: Record<string, Row | null> = {};
const score = (r: Row): number => (r.gflops ?? r.stepsPerS ?? -(r.seconds as number)) as number;
for (const r of lines) {
  if (r.bench !== "embedscape") continue;
  const c = r.case as string, prev = ours[c];
  if (c === "calib" ? r.threads === 1 || !prev : !prev || score(r) > score(prev)) ours[c] = r; // calibration: 1 thread
}
const ref: Record<string, number> = {};
const build: Record<string, number> = {}, eig: Record<string, number> = {};
const builders: Record<string, Record<string, number>> = {};
for (const r of lines) {
  if (r.side !== "pytorch") continue;
  const t = `${r.threads ?? "?"}t`;
  if (r.bench === "dgemm" && r.n === 1024 && String(r.impl).startsWith("numpy")) ref.dgemm1024 = Math.max(ref.dgemm1024 ?? 0, r.gflops as number);
  if (r.bench === "train") { const k = `train_${r.net}`; ref[k] = Math.max(ref[k] ?? 0, r.steps_per_s as number); }
  const k = `hessian_${r.net}`, kt = `${k}@${t}`;
  if (r.bench === "hessian_build" && !r.estimated) {
    build[kt] = Math.min(build[kt] ?? Infinity, r.min_s as number);
    (builders[k] ??= {})[`${r.method} (${t})`] = r.min_s as number;
  }
  if (r.bench === "hessian_eig" && r.method === "torch.linalg.eigvalsh") { eig[kt] = r.min_s as number; (builders[k] ??= {})[`eigvalsh (${t})`] = r.min_s as number; }
}
for (const kt of Object.keys(build)) if (eig[kt] !== undefined) { const k = kt.split("@")[0]; ref[k] = Math.min(ref[k] ?? Infinity, build[kt] + eig[kt]); }

const table: string[][] = [["case", "embedscape", "PyTorch/NumPy best", "ratio", "goal", "peak RSS (MB)"]];
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
function row(key: string, label: string, field: string, unit: string, higherBetter: boolean, goal: string): void {
  const o = ours[key];
  if (!o) return;
  const v = o[field] as number, r = ref[key];
  const ratio = r === undefined ? "n/a (no python/torch)" : higherBetter ? `${(v / r).toFixed(2)}×` : `${(v / r).toFixed(2)}× time`;
  table.push([label, `${fmt(v)} ${unit} (${o.threads}t)`, r === undefined ? "–" : `${fmt(r)} ${unit}`, ratio, goal, String(o.peakRssMB)]);
  emit({ bench: "summary", case: key, embedscape: v, reference: r ?? null, unit });
}
row("dgemm1024", "DGEMM n=1024", "gflops", "GFLOP/s", true, "≥ 0.7×");
row("train_a", "GD 1-3-1 tanh n=100", "stepsPerS", "steps/s", true, "≥ 20×");
row("train_b", "GD 1-50-1 tanh n=100", "stepsPerS", "steps/s", true, "≥ 20×");
row("train_mnist_ce", "GD 784-400-10 ReLU CE n=1000", "stepsPerS", "steps/s", true, "time ≤ 1.2× (ratio ≥ 0.83)");
row("hessian_b", "Hessian+inertia 1-50-1 (M=151)", "seconds", "s", false, "≤ 1×");
row("hessian_d", "Hessian+inertia 64-32-10 (M=2,410)", "seconds", "s", false, "≤ 0.5×");
row("hessian_c", "Hessian+inertia 2-100-100-1 (M=10,501)", "seconds", "s", false, "≤ 0.5×");
const calib = ours.calib?.gflops;
const widths = table[0].map((_, j) => Math.max(...table.map((r) => r[j].length)));
const text = table.map((r) => "| " + r.map((c, j) => c.padEnd(widths[j])).join(" | ") + " |").join("\n");
process.stdout.write("\n" + text + "\n");
process.stdout.write(`DGEMM calibration (1 thread): ${calib ?? "n/a"} GFLOP/s\n`);
/** What bounds the GD cases (from profiles; the numbers above are this run's). */
const GD_LIMITS = "Tiny nets (1-3-1, 1-50-1): a step is a handful of tiny GEMMs (N-API + OpenBLAS call overhead, ≈1–4 µs each), " +
  "elementwise passes in JavaScript, the tanh kernel (libmvec AVX2 in the addon, ≈4 ns/element; Math.tanh costs 17–35 ns) and, " +
  "over 2000 steps, V8's JIT warm-up (a steady-state 1-3-1 step is ≈14 µs against ≈28–40 µs averaged from a cold start). " +
  "784-400-10: two GEMMs (XW₁ᵀ and δ₁ᵀX, 0.63 GFLOP each) take ≈33 ms on one thread, ≈20 ms on two; the ≈10 ms of " +
  "elementwise passes (bias, ReLU, δ, column sums over 1000×400 arrays) are single-threaded JavaScript, where PyTorch " +
  "runs them vectorised on both OpenMP threads — so embedscape is within about 1.2× of PyTorch's time on one thread and behind on two.";

// Where the Hessian time goes, on both sides (the ratio alone hides it).
const notes: string[] = [];
for (const k of ["hessian_b", "hessian_d", "hessian_c"]) {
  const o = ours[k];
  if (!o) continue;
  const b = builders[k] ?? {};
  const theirs = Object.entries(b).sort((x, y) => x[1] - y[1]).map(([m, t]) => `${m} ${fmt(t)} s`).join("; ");
  notes.push(`- ${k} (M = ${o.M}): embedscape build ${fmt(o.buildS as number)} s + LDLᵀ inertia ${fmt(o.inertiaS as number)} s ` +
    `(n₋, n₀, n₊) = (${o.neg}, ${o.zero}, ${o.pos}), peak RSS ${o.peakRssMB} MB. PyTorch: ${theirs || "not run"}.`);
}
// GD cases: µs per step at each thread count on both sides, so a shortfall can be read off.
const gdRef: Record<string, string[]> = {}, gdOurs: Record<string, string[]> = {};
for (const r of lines) {
  if (r.bench === "embedscape" && String(r.case).startsWith("train_")) (gdOurs[r.case as string] ??= []).push(`${fmt(r.usPerStep as number)} µs (${r.threads}t)`);
  if (r.side === "pytorch" && r.bench === "train") (gdRef[`train_${r.net}`] ??= []).push(`${fmt(r.us_per_step as number)} µs (${r.threads}t)`);
}
const gdNotes = Object.keys(gdOurs).map((k) => `- ${k}: embedscape ${gdOurs[k].join(", ")}; PyTorch ${(gdRef[k] ?? ["not run"]).join(", ")} per step.`);
const env = lines.find((r) => r.side === "pytorch" && r.bench === "env");
const versions = env ? Object.entries(env).filter(([k]) => /torch|numpy|python|blas/i.test(k)).map(([k, v]) => `${k} ${String(v)}`).join(", ") : "reference not run";
if (notes.length) process.stdout.write(notes.join("\n") + "\n");
if (write) {
  const how = fromIdx >= 0 ? `Re-rendered on ${new Date().toISOString()} by \`node dist-bench/run.js --from ${args.slice(fromIdx + 1).filter((a) => !a.startsWith("--")).join(" ")}\` (the raw JSON lines of an \`npm run bench -- --large\` run)` :
    `Generated by \`npm run bench -- --write${quick ? " --quick" : ""}${large ? " --large" : ""}\` on ${new Date().toISOString()}`;
  const md = `# Benchmarks\n\n${how}.\n\n` +
    `Machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; ` +
    `embedscape backend ${ours.calib?.backend ?? "?"}, best of BLAS threads ${threadCounts.join(" and ")} (shown as 1t/2t); DGEMM calibration (1 thread) ${calib ?? "n/a"} GFLOP/s — the second core is shared, so 2-thread figures swing. ` +
    `Reference (${versions}): best of 1 and 2 threads (OMP_WAIT_POLICY=PASSIVE), same protocol (10 warm-up steps, then 2000 timed GD steps; 200 for MNIST).\n\n` +
    `| ${table[0].join(" | ")} |\n|${table[0].map(() => "---").join("|")}|\n` + table.slice(1).map((r) => `| ${r.join(" | ")} |`).join("\n") + "\n" +
    (notes.length ? `\n## Hessian cases: where the time goes\n\n${notes.join("\n")}\n` : "") +
    (gdNotes.length ? `\n## GD cases: time per step\n\n${gdNotes.join("\n")}\n\n${GD_LIMITS}\n` : "") +
    `\nRe-render this table from saved JSON lines with \`node dist-bench/run.js --from FILE… [--write]\`.\n`;
  writeFileSync(join(root, "BENCHMARKS.md"), md);
  if (fromIdx < 0) { // keep the raw lines next to the table they produced
    mkdirSync(join(root, "bench-results"), { recursive: true });
    writeFileSync(join(root, "bench-results", `${new Date().toISOString().slice(0, 10)}${large ? "-large" : quick ? "-quick" : ""}.jsonl`),
      lines.filter((r) => r.bench !== "summary").map((r) => JSON.stringify(r)).join("\n") + "\n");
  }
}
