/**
 * `npm run bench [-- --quick] [-- --write]`: embedscape cases, each in its own child process (so
 * its peak RSS is its own), side by side with the PyTorch/NumPy reference scripts of
 * ../shared/bench run by /usr/bin/python3 (OMP_WAIT_POLICY=PASSIVE, 1 thread) in the same
 * invocation. Prints JSON lines, then a table of times and ratios; `--write` regenerates BENCHMARKS.md and keeps the
 * raw lines in bench-results/; `--from FILE…` re-renders the table from such lines without re-running anything;
 * `--cmd` runs only the whole-process command cases (`--cmd --quick`: without the heavy M = 10,501 one).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
/** Census cases (issue 13 targets): tanh on cos 2x, Adam at lr 1e-2, then solve and certify at ‖∇R‖₂ ≤ 1e-12. */
const CENSUS = [
  { net: "1-2-1", points: 20, adam: 2000, seeds: 200 },
  { net: "1-4-1", points: 20, adam: 2000, seeds: 200 },
  { net: "1-3-1", points: 9, adam: 2000, seeds: 200 },
  { net: "1-3-1", points: 9, adam: 3000, seeds: 20 },
];
const censusCase = (c: (typeof CENSUS)[number]): string => `census_${c.net}_${c.points}_${c.adam}_${c.seeds}`;
/** The same configurations through `censusBatch` (bench_census.py's algorithm exactly: plain LM, 100 iterations). */
const engineCase = (c: (typeof CENSUS)[number]): string => `censusbatch_${c.net}_${c.points}_${c.adam}_${c.seeds}`;
/** Whole-process `hessian --json` cases (issue 14 item 1): time goals as a fraction of the PyTorch script's, RSS goal. */
const CMD_HESSIAN = [
  { key: "d", label: "64-32-10 tanh, n = 1000 (M = 2,410)", timeGoal: 0.3, rssGoalMB: undefined as number | undefined, heavy: false },
  { key: "c", label: "2-100-100-1 tanh, n = 500 (M = 10,501)", timeGoal: 0.25, rssGoalMB: 2048 as number | undefined, heavy: true },
];
const fromIdx = args.indexOf("--from");
if (fromIdx >= 0) {
  // Re-render the table from the JSON lines of earlier runs (several files may be given; later lines win).
  for (const f of args.slice(fromIdx + 1).filter((a) => !a.startsWith("--")))
    for (const l of readFileSync(f, "utf8").split("\n")) if (l.startsWith("{")) lines.push(JSON.parse(l) as Row);
} else if (args.includes("--cmd")) {
  wholeProcessCases(); // only the whole-process command cases
} else {
  for (const t of threadCounts)
    for (const c of ["calib", "dgemm1024", "train_a", "train_b", "train_mnist_ce", "hessian_b", "hessian_d", ...(large ? ["hessian_c"] : [])]) child(c, t);
  // sweeps: local threads and queue workers 1 → 2, the queue's overhead per cell (sweep.js, its own process)
  const sw = spawnSync(process.execPath, [join(here, "sweep.js"), ...(quick ? ["--quick"] : [])], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (sw.status !== 0) emit({ bench: "error", case: "sweep", stderr: (sw.stderr ?? "").slice(-400) });
  else for (const l of sw.stdout.split("\n")) if (l.startsWith("{")) emit(JSON.parse(l) as Row);
  // atlas throughput on the census workload: one core, one seed after another (the atlas's worker threads scale it)
  for (const c of ["atlascensus_1-2-1", "atlascensus_1-4-1"]) child(c, 1);
  for (const c of CENSUS) child(censusCase(c), 1); // single-threaded: 10-parameter nets gain nothing from BLAS threads
  for (const c of CENSUS) child(engineCase(c), 1); // the census engine on the reference's own protocol, one core
  const havePy = benchDir !== undefined && existsSync(python) && spawnSync(python, ["-c", "import torch"]).status === 0;
  if (!havePy) process.stderr.write("bench: /usr/bin/python3 with torch or ../shared/bench not found; ratios skipped\n");
  else for (const t of [1, 2]) {
    py("bench_dgemm.py", [], t);
    py("bench_train.py", ["--nets", "a,b,mnist_ce"], t);
    if (t === 1) for (const c of CENSUS) {
      // the batched implementation: the same counts as the loop one (measured: identical for all three nets), 100× faster
      py("bench_census.py", ["--nets", c.net, "--points", String(c.points), "--adam", String(c.adam), "--seeds", String(quick ? Math.min(20, c.seeds) : c.seeds), "--impl", "batched"], t);
    }
    if (t === 2 && quick) continue;
    py("bench_hessian.py", ["--nets", quick ? "b" : large && t === 1 ? "b,d,c" : "b,d"], t);
  }
  if (havePy) py("bench_census.py", ["--seeds", quick ? "20" : "100", "--nets", "1-2-1,1-4-1"], 1);
  if (havePy) wholeProcessCases();
}

/**
 * Whole-process command cases (issue 14): `embedscape hessian --json` against bench/ref_hessian.py on the same
 * two files (net and data generated here by case.js files_<key>), both through bench/rusage.py (wall seconds,
 * the child's user+sys CPU and peak RSS from getrusage), alternating sides. embedscape runs with the command's
 * default BLAS threads (EMBEDSCAPE_THREADS unset), PyTorch with 1 thread (OMP_WAIT_POLICY=PASSIVE). The two
 * answers must agree: the same (n₋, n₀, n₊), ‖H‖₂ within 1e-8 relative, the loss within 1e-12 relative.
 */
function wholeProcessCases(): void {
  const dir = mkdtempSync(join(os.tmpdir(), "embedscape-bench-cmd-"));
  try {
    for (const c of CMD_HESSIAN) {
      if (quick && c.heavy) { emit({ bench: "cmd", case: `cmd_hessian_${c.key}`, skipped: "--quick (heavy case: full run only)" }); continue; }
      const f = spawnSync(process.execPath, [join(here, "case.js"), `files_${c.key}`, dir], { encoding: "utf8" });
      if (f.status !== 0) { emit({ bench: "error", case: `files_${c.key}`, stderr: (f.stderr ?? "").slice(-400) }); continue; }
      const files = JSON.parse(f.stdout.trim().split("\n").pop()!) as { net: string; data: string; M: number; n: number };
      const env = { ...process.env, OMP_WAIT_POLICY: "PASSIVE", OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };
      delete (env as Record<string, string | undefined>).EMBEDSCAPE_THREADS;
      const sides = {
        embedscape: [process.execPath, join(root, "bin", "embedscape.js"), "hessian", "--net", files.net, "--data", files.data, "--json"],
        pytorch: [python, join(here, "..", "bench", "ref_hessian.py"), files.net, files.data, "1"],
      };
      const reps = c.heavy || quick ? 1 : 2;
      for (let r = 0; r < reps; r++) for (const side of ["embedscape", "pytorch"] as const) {
        const outFile = join(dir, `${side}-${c.key}-${r}.json`);
        const m = spawnSync(python, [join(here, "..", "bench", "rusage.py"), outFile, ...sides[side]], { encoding: "utf8", env, maxBuffer: 1 << 24 });
        if (m.status !== 0) { emit({ bench: "error", case: `cmd_hessian_${c.key}`, side, stderr: (m.stderr ?? "").slice(-400) }); continue; }
        const u = JSON.parse(m.stdout.trim().split("\n").pop()!) as Row;
        let answer: Row = {};
        try { answer = JSON.parse(readFileSync(outFile, "utf8")) as Row; } catch { /* reported below as status/answer missing */ }
        emit({ bench: "cmd", case: `cmd_hessian_${c.key}`, side, rep: r, M: files.M, n: files.n, load1: os.loadavg()[0], ...u, answer });
      }
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

// Our rows (last one per case) and the reference's best over thread counts.
const ours: Record<string, Row | null> = {};
const score = (r: Row): number => (r.gflops ?? r.stepsPerS ?? r.seedsPerS ?? -(r.seconds as number)) as number;
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
// census: seeds/s on one core, PyTorch loop and batched side by side
for (const net of ["1-2-1", "1-4-1"]) {
  const o = ours[`atlascensus_${net}`];
  if (!o) continue;
  const refs = lines.filter((r) => r.side === "pytorch" && r.bench === "census" && r.net === net);
  for (const impl of ["loop", "batched"]) {
    const r = refs.find((x) => x.impl === impl)?.seeds_per_s as number | undefined;
    table.push([`atlas census ${net} vs torch ${impl}`, `${fmt(o.seedsPerSPerCore as number)} seeds/s/core (1t)`, r === undefined ? "–" : `${fmt(r)} seeds/s`, r === undefined ? "n/a (no python/torch)" : `${((o.seedsPerSPerCore as number) / r).toFixed(2)}×`, "≥ 1×", String(o.peakRssMB)]);
    emit({ bench: "summary", case: `atlascensus_${net}_${impl}`, embedscape: o.seedsPerSPerCore, reference: r ?? null, unit: "seeds/s/core" });
  }
}
// Census: certified counts on both sides (the reference certifies with plain LM, 100 iterations)
const censusTable: string[][] = [["net (tanh, cos 2x)", "seeds", "embedscape certified", "embedscape not certified", "seeds/s", "PyTorch certified", "PyTorch seeds/s"]];
for (const c of CENSUS) {
  const o = ours[censusCase(c)];
  if (!o) continue;
  const refRow = lines.find((r) => r.side === "pytorch" && r.bench === "census" && r.net === c.net && r.points === c.points && r.adam_steps === c.adam && r.seeds === o.seeds);
  const un = Object.entries((o.unconverged ?? {}) as Record<string, number>).map(([k, n]) => `${n} ${k}`).join(", ") || "0";
  const counts = (x: unknown): string => Object.entries((x ?? {}) as Record<string, number>).sort((a, b) => b[1] - a[1]).map(([k, n]) => `(${k})×${n}`).join(" ");
  censusTable.push([
    `${c.net}, ${c.points} points, ${c.adam} Adam steps`, String(o.seeds),
    `${o.converged} (${(100 * (o.converged as number) / (o.seeds as number)).toFixed(1)} %) ${counts(o.inertiaCounts)}${o.unclear ? `; ${o.unclear} gap not clear-cut` : ""}`, un,
    fmt(o.seedsPerS as number),
    refRow ? `${refRow.converged} ${counts(refRow.inertia_counts)}` : "–", refRow ? `${fmt(refRow.seeds_per_s as number)} (${String(refRow.impl)})` : "–",
  ]);
  emit({ bench: "summary", case: censusCase(c), embedscape: o.converged, reference: refRow?.converged ?? null, unit: "certified seeds" });
}
// The census engine against the batched reference with the same net, points, Adam steps and seeds (goal ≥ 10×, same counts).
const counts = (c: unknown): string => Object.entries((c ?? {}) as Record<string, number>).sort((a, b) => b[1] - a[1]).map(([k, v]) => `(${k}) ×${v}`).join(", ") || "none";
const sameCounts = (a: unknown, b: unknown): boolean => JSON.stringify(Object.entries((a ?? {}) as object).sort()) === JSON.stringify(Object.entries((b ?? {}) as object).sort());
const engineNotes: string[] = [];
for (const c of CENSUS) {
  const k = engineCase(c), o = ours[k];
  if (!o) continue;
  const b = lines.find((r) => r.side === "pytorch" && r.bench === "census" && r.impl === "batched" && r.net === c.net && r.points === c.points && r.adam_steps === c.adam && r.seeds === o.seeds);
  const l = lines.find((r) => r.side === "pytorch" && r.bench === "census" && r.impl === "loop" && r.net === c.net && r.points === c.points && r.adam_steps === c.adam);
  const r = b?.seeds_per_s as number | undefined, v = o.seedsPerS as number;
  table.push([`census engine ${c.net}, ${c.points} pts, ${c.adam} Adam, ${o.seeds} seeds (vs batched)`, `${fmt(v)} seeds/s (1t)`, r === undefined ? "–" : `${fmt(r)} seeds/s`,
    r === undefined ? "n/a (no python/torch)" : `${(v / r).toFixed(2)}×`, "≥ 10×, same counts", String(o.peakRssMB)]);
  emit({ bench: "summary", case: k, embedscape: v, reference: r ?? null, unit: "seeds/s" });
  engineNotes.push(`- ${k}: embedscape ${o.seeds} seeds in ${fmt(o.seconds as number)} s (${fmt(o.cpuSeconds as number)} s CPU), ${o.converged} converged: ${counts(o.inertiaCounts)}. ` +
    (b ? `PyTorch batched ${b.seeds} seeds in ${fmt(b.total_s as number)} s, ${b.converged} converged: ${counts(b.inertia_counts)} — ${b.converged === o.converged && sameCounts(b.inertia_counts, o.inertiaCounts) ? "same counts" : "COUNTS DIFFER"}.` : "PyTorch not run.") +
    (l ? ` PyTorch loop ${fmt(l.seeds_per_s as number)} seeds/s (${l.seeds} seeds).` : ""));
}
if (engineNotes.length) process.stdout.write(engineNotes.join("\n") + "\n");
// Whole-process command cases: best wall and best CPU per side, both ratios, and whether the two answers agree.
const cmdNotes: string[] = [];
for (const c of CMD_HESSIAN) {
  const k = `cmd_hessian_${c.key}`;
  const runs = (side: string): Row[] => lines.filter((r) => r.bench === "cmd" && r.case === k && r.side === side && r.status === 0);
  const e = runs("embedscape"), p = runs("pytorch");
  const skipped = lines.find((r) => r.bench === "cmd" && r.case === k && r.skipped);
  if (skipped) { cmdNotes.push(`- ${k}: skipped (${String(skipped.skipped)}).`); continue; }
  if (!e.length) continue;
  const min = (rs: Row[], f: string): number => Math.min(...rs.map((r) => r[f] as number));
  const eWall = min(e, "wallS"), eCpu = min(e, "cpuS"), eRss = Math.max(...e.map((r) => r.peakRssMB as number));
  const label = `\`hessian --json\` ${c.label}, whole process`;
  if (!p.length) {
    table.push([label, `${fmt(eWall)} s wall, ${fmt(eCpu)} s CPU`, "–", "n/a (no python/torch)", `≤ ${c.timeGoal}× time`, String(Math.round(eRss))]);
    continue;
  }
  const pWall = min(p, "wallS"), pCpu = min(p, "cpuS"), pRss = Math.max(...p.map((r) => r.peakRssMB as number));
  const ea = e[e.length - 1].answer as Row, pa = p[p.length - 1].answer as Row;
  const ei = (ea.inertia ?? {}) as Row;
  const rel = (a: unknown, b: unknown): number => Math.abs((a as number) - (b as number)) / Math.abs(b as number);
  const same = ei.neg === pa.neg && ei.zero === pa.zero && ei.pos === pa.pos;
  const normRel = rel(ea.hessianNorm, pa.norm), lossRel = rel(ea.loss, pa.loss);
  const agree = same && normRel <= 1e-8 && lossRel <= 1e-12;
  const goal = `≤ ${c.timeGoal}× time${c.rssGoalMB ? `, ≤ ${(c.rssGoalMB / 1024).toFixed(0)} GB` : ""}`;
  table.push([label, `${fmt(eWall)} s wall, ${fmt(eCpu)} s CPU (default threads)`, `${fmt(pWall)} s wall, ${fmt(pCpu)} s CPU (1t)`,
    `${(eWall / pWall).toFixed(2)}× wall, ${(eCpu / pCpu).toFixed(2)}× CPU${agree ? "" : " — ANSWERS DIFFER"}`, goal, `${Math.round(eRss)} (PyTorch ${Math.round(pRss)})`]);
  emit({ bench: "summary", case: k, embedscape: eWall, reference: pWall, embedscapeCpu: eCpu, referenceCpu: pCpu, unit: "s", agree, peakRssMB: eRss });
  const loads = [...e, ...p].map((r) => (r.load1 as number).toFixed(1)).join(", ");
  cmdNotes.push(`- ${k} (M = ${String(pa.M)}, n = ${String(pa.n)}): embedscape (n₋, n₀, n₊) = (${String(ei.neg)}, ${String(ei.zero)}, ${String(ei.pos)}), ` +
    `‖H‖₂ ${String(ea.hessianNorm)}, gap ${JSON.stringify(ea.gap)}, clear ${String(ea.clear)}, ${String(ea.inertiaMethod)}; PyTorch (${String(pa.neg)}, ${String(pa.zero)}, ${String(pa.pos)}), ` +
    `max|λ| ${String(pa.norm)}, λ ∈ [${String(pa.lambdaMin)}, ${String(pa.lambdaMax)}], build ${fmt(pa.buildS as number)} s + eigvalsh ${fmt(pa.eigvalshS as number)} s — ` +
    `${agree ? "same counts" : "ANSWERS DIFFER"} (‖H‖₂ rel. ${normRel.toExponential(1)}, loss rel. ${lossRel.toExponential(1)}). ` +
    `Runs (wall / CPU / peak RSS): embedscape ${e.map((r) => `${fmt(r.wallS as number)} s / ${fmt(r.cpuS as number)} s / ${Math.round(r.peakRssMB as number)} MB`).join("; ")}; ` +
    `PyTorch ${p.map((r) => `${fmt(r.wallS as number)} s / ${fmt(r.cpuS as number)} s / ${Math.round(r.peakRssMB as number)} MB`).join("; ")}. Load average (1 min) at each end: ${loads}.`);
}
if (cmdNotes.length) process.stdout.write(cmdNotes.join("\n") + "\n");
/** How the engine cases are run (the numbers above are this run's). */
const ENGINE_NOTE = "embedscape: `censusBatch` (src/optim/census-batch.ts) on one thread — PyTorch's default init bit for bit (its MT19937), " +
  "torch.linspace's x bit for bit, Adam in torch.optim.Adam's order (on the native backend one addon call for all seeds), LM on ½‖∇R‖² with " +
  "the exact Hessian (100 iterations), inertia with τ = 100‖H‖₂Pε, over the fused two-layer kernels. The reference is bench_census.py " +
  "--threads 1 --impl batched (one vmapped Adam over all seeds and a batched eigh per LM iteration) with the same seeds. Wall-clock " +
  "seconds on a shared machine; the CPU seconds are embedscape's own work.";
/** How the whole-process cases are run. */
const CMD_NOTE = "Both sides as whole processes on the same two files (net JSON and CSV written by the bench), measured by bench/rusage.py " +
  "(wall seconds, the child's user+sys CPU and peak RSS from getrusage), start-up and file reading included. embedscape: " +
  "`node bin/embedscape.js hessian --net NET --data DATA --json` with the default BLAS threads; PyTorch: bench/ref_hessian.py with 1 thread " +
  "(M cached double-backward HVPs, eigvalsh, the same τ = 100‖H‖₂Mε). Answers must agree: equal (n₋, n₀, n₊), ‖H‖₂ within 1e-8, loss within 1e-12 " +
  "(relative). The ratio columns are wall and CPU; on a shared machine the CPU ratio is the steadier one.";
const cw = censusTable[0].map((_, j) => Math.max(...censusTable.map((r) => r[j].length)));
const censusText = censusTable.length > 1 ? censusTable.map((r) => "| " + r.map((c, j) => c.padEnd(cw[j])).join(" | ") + " |").join("\n") : "";
if (censusText) process.stdout.write("\n" + censusText + "\n");
const calib = ours.calib?.gflops;
const widths = table[0].map((_, j) => Math.max(...table.map((r) => r[j].length)));
const text = table.map((r) => "| " + r.map((c, j) => c.padEnd(widths[j])).join(" | ") + " |").join("\n");
process.stdout.write("\n" + text + "\n");
process.stdout.write(`DGEMM calibration (1 thread): ${calib ?? "n/a"} GFLOP/s\n`);
/** What bounds the GD cases (from profiles; the numbers above are this run's). */
const GD_LIMITS = "Tiny nets (1-3-1, 1-50-1) run on what `train` uses for two-layer nets with P ≤ 512: `TinyEvaluator` " +
  "(src/nn/tiny.ts), one fused pass per step — on the native backend a single addon call with its own AVX2 tanh " +
  "(≈2.5 ns per value including the rest of the step at m = 50, ≈1.1 µs of N-API overhead per call), on the pure backend " +
  "the same kernel in TypeScript (tanhFast, ≈5 ns per value). What bounds them: the 100·m tanh values per step (1-50-1), " +
  "the per-call overhead and V8's JIT warm-up inside the 2000 timed steps (1-3-1: a steady-state step is ≈2 µs). " +
  "784-400-10: the two big GEMMs (XW₁ᵀ and δ₁ᵀX, 0.63 GFLOP each) are the step; the elementwise passes beside them " +
  "(bias + ReLU and δ = ReLU′∘z with its column sums) are fused, threaded addon kernels (≈0.8 ms per step on one thread " +
  "instead of ≈4–5 ms of JavaScript). 2× PyTorch is out of reach there: PyTorch's step is already ≈1.25 GFLOP at ≈90 % of " +
  "the DGEMM rate, so the ratio is capped near DGEMM(ours)/DGEMM(theirs) × (their step / their GEMM time).";

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
// Sweeps: efficiency of 1 → 2 local threads and 1 → 2 queue workers (T₁ / 2T₂), and the queue's cost per cell.
const sweepRow = (c: string, k: string, n: number): Row | undefined => [...lines].reverse().find((r) => r.bench === "sweep" && r.case === c && r[k] === n);
const sweepNotes: string[] = [];
for (const [c, k, label] of [["local", "threads", "local runner (worker threads)"], ["queue", "workers", "queue (BullMQ workers, 1 cell each)"]] as const) {
  const a = sweepRow(c, k, 1), b = sweepRow(c, k, 2);
  if (a && b) sweepNotes.push(`- ${label}: ${a.cells} cells (1-8-1, 10,000 GD steps) in ${fmt(a.seconds as number)} s with 1, ${fmt(b.seconds as number)} s with 2 → efficiency ${((a.seconds as number) / (2 * (b.seconds as number))).toFixed(2)}.`);
}
const lt = sweepRow("local_tiny", "threads", 1), qt = sweepRow("queue_tiny", "workers", 1);
if (lt && qt) sweepNotes.push(`- tiny cells (1-1-1, 10 steps; ${lt.cells} of them): ${fmt(lt.msPerCell as number)} ms per cell locally, ${fmt(qt.msPerCell as number)} ms on the queue (1 worker) → queue overhead ${fmt((qt.msPerCell as number) - (lt.msPerCell as number))} ms per cell. Both include the SQLite commit (WAL, synchronous=NORMAL) of every result; the queue also Redis round trips, its append-only fsync per write (appendfsync always) and the coordinator's state check of each job.`);
const sweepSkip = lines.find((r) => r.bench === "sweep" && r.skipped);
if (sweepSkip) sweepNotes.push(`- queue: skipped (${String(sweepSkip.skipped)}).`);
if (notes.length) process.stdout.write(notes.join("\n") + "\n");
if (sweepNotes.length) process.stdout.write(sweepNotes.join("\n") + "\n");
if (write) {
  const how = fromIdx >= 0 ? `Re-rendered on ${new Date().toISOString()} by \`node dist-bench/run.js --from ${args.slice(fromIdx + 1).filter((a) => !a.startsWith("--")).join(" ")}\` (the raw JSON lines of an \`npm run bench -- --large\` run)` :
    `Generated by \`npm run bench -- --write${quick ? " --quick" : ""}${large ? " --large" : ""}\` on ${new Date().toISOString()}`;
  const md = `# Benchmarks\n\n${how}.\n\n` +
    `Machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; ` +
    `embedscape backend ${ours.calib?.backend ?? "?"}, best of BLAS threads ${threadCounts.join(" and ")} (shown as 1t/2t); DGEMM calibration (1 thread) ${calib ?? "n/a"} GFLOP/s — the second core is shared, so 2-thread figures swing. ` +
    `Reference (${versions}): best of 1 and 2 threads (OMP_WAIT_POLICY=PASSIVE), same protocol (10 warm-up steps, then 2000 timed GD steps; 200 for MNIST).\n\n` +
    `| ${table[0].join(" | ")} |\n|${table[0].map(() => "---").join("|")}|\n` + table.slice(1).map((r) => `| ${r.join(" | ")} |`).join("\n") + "\n" +
    (censusTable.length > 1 ? `\n## Critical-point census (issue 13)\n\nPer seed: PyTorch-default init (bit-identical seeds on both sides), full-batch Adam at lr 1e-2, then the solver, certified when ‖∇R‖₂ ≤ 1e-12 and ‖∇R‖₂ ≤ 1e-8·‖H‖₂·max(1, ‖θ‖) (README, "What is certified"); inertia with τ = 100·‖H‖₂·P·ε. PyTorch: bench_census.py, Levenberg–Marquardt, 100 iterations (its batched and loop implementations give identical counts, measured on the three 200-seed rows). "Not certified" reasons carry their evidence per seed in \`embedscape census --per-seed --json\`.\n\n| ${censusTable[0].join(" | ")} |\n|${censusTable[0].map(() => "---").join("|")}|\n` + censusTable.slice(1).map((r) => `| ${r.join(" | ")} |`).join("\n") + "\n" : "") +
    (cmdNotes.length ? `\n## Whole-process command cases\n\n${cmdNotes.join("\n")}\n\n${CMD_NOTE}\n` : "") +
    (notes.length ? `\n## Hessian cases: where the time goes\n\n${notes.join("\n")}\n` : "") +
    (sweepNotes.length ? `\n## Sweeps: 1 → 2 workers and the queue's overhead\n\n${sweepNotes.join("\n")}\n\nThe second core is shared on this machine, so the 2-worker figures swing; on the queue the coordinator, Redis and the workers share the same two cores.\n` : "") +
    (gdNotes.length ? `\n## GD cases: time per step\n\n${gdNotes.join("\n")}\n\n${GD_LIMITS}\n` : "") +
    (engineNotes.length ? `\n## Census engine: outcome counts, both sides\n\n${engineNotes.join("\n")}\n\n${ENGINE_NOTE}\n` : "") +
    `\nRe-render this table from saved JSON lines with \`node dist-bench/run.js --from FILE… [--write]\`.\n`;
  writeFileSync(join(root, "BENCHMARKS.md"), md);
  if (fromIdx < 0) { // keep the raw lines next to the table they produced
    mkdirSync(join(root, "bench-results"), { recursive: true });
    writeFileSync(join(root, "bench-results", `${new Date().toISOString().slice(0, 10)}${large ? "-large" : quick ? "-quick" : ""}.jsonl`),
      lines.filter((r) => r.bench !== "summary").map((r) => JSON.stringify(r)).join("\n") + "\n");
  }
}
