/**
 * One benchmark case in its own process (`node dist/bench/case.js NAME quick|full`); prints one
 * JSON line with the timing and this process's peak RSS. Nets and data follow
 * ../shared/bench/nets.py (sizes, activations, n, target kinds, lr 0.05, U(±1/√fan_in) init) with
 * embedscape's own seeded Rng, so values differ from PyTorch's draws but every size matches.
 */
import { performance } from "node:perf_hooks";
import { getBackend } from "../dist/linalg/backend.js";
import { inertiaLdl } from "../dist/linalg/inertia.js";
import { makeArch, layout } from "../dist/nn/arch.js";
import type { ActivationName } from "../dist/nn/activations.js";
import type { LossName } from "../dist/nn/losses.js";
import { Evaluator } from "../dist/nn/evaluator.js";
import { makeDataset, type Dataset } from "../dist/data/dataset.js";
import { Rng } from "../dist/util/rng.js";
import { defaultSettings, runCell } from "../dist/atlas/cells.js";
import { grid1d } from "../dist/data/synthetic.js";
import { runCensus } from "../dist/optim/census.js";
import { trainingOracle } from "../dist/nn/tiny.js";
import { censusBatch, censusData } from "../dist/optim/census-batch.js";
import { createNet } from "../dist/nn/arch.js";
import { netToJson } from "../dist/io/net-json.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const NETS: Record<string, { widths: number[]; act: ActivationName; loss: LossName; n: number; target: string }> = {
  a: { widths: [1, 3, 1], act: "tanh", loss: "mse", n: 100, target: "sin1d" },
  b: { widths: [1, 50, 1], act: "tanh", loss: "mse", n: 100, target: "sin1d" },
  c: { widths: [2, 100, 100, 1], act: "tanh", loss: "mse", n: 500, target: "sin2d" },
  d: { widths: [64, 32, 10], act: "tanh", loss: "mse", n: 1000, target: "randn" },
  mnist_ce: { widths: [784, 400, 10], act: "relu", loss: "cross-entropy", n: 1000, target: "onehot" },
};

/** The data of nets.py's make_data, drawn with embedscape's Rng(seed 0). */
export function benchData(name: string): Dataset {
  const s = NETS[name], rng = new Rng(0), n = s.n, d = s.widths[0], k = s.widths[s.widths.length - 1];
  const x = new Float64Array(n * d), y = new Float64Array(n * k);
  if (s.target === "sin1d") for (let i = 0; i < n; i++) { x[i] = -2 + (4 * i) / (n - 1); y[i] = Math.sin(3 * x[i]); }
  else if (s.target === "sin2d") for (let i = 0; i < n; i++) {
    x[2 * i] = rng.uniform() * 4 - 2; x[2 * i + 1] = rng.uniform() * 4 - 2;
    y[i] = Math.sin(2 * x[2 * i]) * Math.cos(2 * x[2 * i + 1]);
  } else if (s.target === "randn") { rng.fillNormal(x); rng.fillNormal(y); }
  else { for (let i = 0; i < n * d; i++) x[i] = rng.uniform(); for (let i = 0; i < n; i++) y[i * k + rng.int(k)] = 1; }
  return makeDataset(x, y, { n, d, k }, name);
}

/** nets.py's init_theta: every W and b entry U(−1/√fan_in, 1/√fan_in), here with Rng(seed 1). */
export function benchTheta(widths: number[]): Float64Array {
  const lay = layout(widths), rng = new Rng(1), t = new Float64Array(lay.size);
  for (const L of lay.layers) {
    const bound = 1 / Math.sqrt(L.cols);
    for (let i = L.w; i < L.b + L.rows; i++) t[i] = (rng.uniform() * 2 - 1) * bound;
  }
  return t;
}

function best(fn: () => void, reps: number): number {
  fn();
  let m = Infinity;
  for (let r = 0; r < reps; r++) { const t0 = performance.now(); fn(); m = Math.min(m, (performance.now() - t0) / 1e3); }
  return m;
}

function main(): void {
  const [name, mode] = process.argv.slice(2);
  const quick = mode === "quick";
  const be = getBackend();
  const base = { bench: "embedscape", case: name, backend: be.name, threads: be.info?.().threads ?? 1 };
  let out: Record<string, unknown>;
  if (name.startsWith("files_")) {
    // files_<key> DIR: the net and data of a whole-process case as the files a user passes to the command
    // (net-<key>.json, data-<key>.csv with columns x1..xd, y1..yk); the PyTorch script reads the same two files
    const key = name.slice(6), s = NETS[key], data = benchData(key), dir = mode;
    const net = createNet(makeArch(s.widths, s.act, s.loss), benchTheta(s.widths));
    const netPath = join(dir, `net-${key}.json`), dataPath = join(dir, `data-${key}.csv`);
    writeFileSync(netPath, netToJson(net));
    const head = [...Array.from({ length: data.d }, (_, i) => `x${i + 1}`), ...Array.from({ length: data.k }, (_, i) => `y${i + 1}`)].join(",");
    const rows: string[] = [head];
    for (let i = 0; i < data.n; i++) { // String(x) is the shortest round-trip form: both readers get the same doubles
      const r: number[] = [];
      for (let j = 0; j < data.d; j++) r.push(data.x[i * data.d + j]);
      for (let j = 0; j < data.k; j++) r.push(data.y[i * data.k + j]);
      rows.push(r.map(String).join(","));
    }
    writeFileSync(dataPath, rows.join("\n") + "\n");
    process.stdout.write(JSON.stringify({ bench: "files", case: name, net: netPath, data: dataPath, M: net.theta.length, n: data.n }) + "\n");
    return;
  }
  if (name === "calib" || name === "dgemm1024") {
    const n = 1024, rng = new Rng(0);
    const a = new Float64Array(n * n), c = new Float64Array(n * n);
    rng.fillNormal(a);
    const t = best(() => be.gemm(false, false, n, n, n, 1, a, 0, n, a, 0, n, 0, c, 0, n), name === "calib" ? 5 : quick ? 3 : 20);
    out = { ...base, n, seconds: t, gflops: (2 * n ** 3) / t / 1e9 };
  } else if (name.startsWith("atlascensus_")) {
    // the atlas's train cells on the census workload of ../shared/bench/bench_census.py: PyTorch-style init,
    // Adam 2000 steps lr 1e-2, then the solver to ‖∇R‖ ≤ 1e-12 (≤ 100 iterations), inertia; cos 2x on 20 points
    const net = name.slice("atlascensus_".length), m = Number(net.split("-")[1]), seeds = quick ? 20 : 100;
    const settings = defaultSettings({ data: "grid:cos2x:20", widths: [m], seeds, sources: ["train"], train: { optimizers: ["adam"], scales: [1], steps: 2000, lrAdam: 1e-2, lrGd: 0.05 }, solver: { tol: 1e-12, maxIter: 100 } });
    const d = grid1d("cos2x", 20);
    const task = (seed: number) => ({ cell: { width: m, source: "train" as const, seed, params: { optimizer: "adam", scale: 1 } }, settings, data: { n: d.n, d: d.d, k: d.k, x: d.x, y: d.y } });
    runCell(task(10_000)); // warm-up
    const t0 = performance.now();
    let converged = 0;
    const counts: Record<string, number> = {};
    for (let s = 0; s < seeds; s++) {
      const p = runCell(task(s)).points[0];
      if (p.gradNorm <= 1e-12) { converged++; const k = `${p.inertia.neg},${p.inertia.zero},${p.inertia.pos}`; counts[k] = (counts[k] ?? 0) + 1; }
    }
    const t = (performance.now() - t0) / 1e3;
    out = { ...base, net, seeds, seconds: t, seedsPerS: seeds / t, seedsPerSPerCore: seeds / t, converged, inertiaCounts: counts };
  } else if (name.startsWith("train_")) {
    const key = name.slice(6), s = NETS[key];
    // the oracle `train` itself uses (fused tiny kernels for small two-layer nets, the Evaluator otherwise)
    const arch = makeArch(s.widths, s.act, s.loss), data = benchData(key), ev = trainingOracle(arch, data);
    const theta = benchTheta(s.widths), g = new Float64Array(ev.P), lr = 0.05;
    const step = (): number => { const l = ev.lossAndGradient(theta, g); for (let i = 0; i < g.length; i++) theta[i] -= lr * g[i]; return l; };
    const steps = (key === "mnist_ce" ? 200 : 2000) / (quick ? (key === "mnist_ce" ? 10 : 4) : 1);
    for (let i = 0; i < 10; i++) step();
    const t0 = performance.now();
    let l = 0;
    for (let i = 0; i < steps; i++) l = step();
    const t = (performance.now() - t0) / 1e3;
    out = { ...base, M: ev.P, oracle: ev.constructor.name, steps, seconds: t, stepsPerS: steps / t, usPerStep: (t / steps) * 1e6, lossEnd: l };
  } else if (name.startsWith("hessian_")) {
    const key = name.slice(8), s = NETS[key];
    const arch = makeArch(s.widths, s.act, s.loss), data = benchData(key), ev = new Evaluator(arch, data);
    const theta = benchTheta(s.widths);
    const h = new Float64Array(ev.P * ev.P);
    let inert = { neg: 0, zero: 0, pos: 0 };
    let tb = 0, ti = 0;
    const once = (): void => {
      const t0 = performance.now();
      ev.hessian(theta, h);
      const t1 = performance.now();
      inert = inertiaLdl(h, ev.P);
      ti = (performance.now() - t1) / 1e3; tb = (t1 - t0) / 1e3;
    };
    const reps = ev.P > 1000 ? 1 : quick ? 3 : 20;
    let bestT = Infinity, bb = 0, bi = 0;
    for (let r = 0; r < reps + (ev.P > 1000 ? 0 : 1); r++) { once(); if (tb + ti < bestT) { bestT = tb + ti; bb = tb; bi = ti; } }
    out = { ...base, M: ev.P, seconds: bestT, buildS: bb, inertiaS: bi, neg: inert.neg, zero: inert.zero, pos: inert.pos };
  } else if (name.startsWith("censusbatch_")) {
    // censusbatch_<widths>_<points>_<adam steps>_<seeds>: the census engine (censusBatch) on bench_census.py's
    // protocol itself (plain LM, 100 iterations), so its counts must equal the reference's
    const [, spec, pts, adam, seeds] = name.split("_");
    const S = quick ? Math.min(20, Number(seeds)) : Number(seeds);
    const c0 = process.cpuUsage();
    const r = censusBatch(makeArch(spec.split("-").map(Number), "tanh", "mse"), censusData(Number(pts)), { seeds: S, adamSteps: Number(adam) });
    const cpu = process.cpuUsage(c0);
    out = { ...base, net: spec, points: Number(pts), adamSteps: Number(adam), seeds: S, seconds: r.totalSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6,
      seedsPerS: r.seedsPerSecond, converged: r.converged, inertiaCounts: r.inertiaCounts };
  } else if (name.startsWith("census_")) {
    // census_<widths>_<points>_<adam steps>_<seeds>, e.g. census_1-3-1_9_2000_200: bench_census.py's protocol
    const [, spec, pts, adam, seeds] = name.split("_");
    const widths = spec.split("-").map(Number);
    const S = quick ? Math.min(20, Number(seeds)) : Number(seeds);
    const r = runCensus(makeArch(widths, "tanh", "mse"), grid1d("cos2x", Number(pts)), { seeds: S, adamSteps: Number(adam), lr: 1e-2 });
    out = {
      ...base, net: spec, points: Number(pts), adamSteps: Number(adam), seeds: S, seconds: r.totalSeconds, seedsPerS: r.seedsPerSecond,
      converged: r.converged, inertiaCounts: r.inertiaCounts, unconverged: r.unconverged, unclear: r.unclear,
    };
  } else throw new Error(`unknown case ${name}`);
  out.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(JSON.stringify(out) + "\n");
}

main();
