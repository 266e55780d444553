import type { Dataset } from "../data/dataset.js";
import { makeDataset } from "../data/dataset.js";
import { defaultZeroTolerance } from "../linalg/inertia.js";
import { getBackend } from "../linalg/backend.js";
import type { Arch } from "../nn/arch.js";
import { TinyEvaluator } from "../nn/tiny.js";
import { InputError } from "../util/errors.js";
import { torchDefaultInit } from "./census.js";

/** Options of `censusBatch` (the protocol of ../shared/bench/bench_census.py; its defaults). */
export interface CensusBatchOptions {
  /** Seed count S (seeds 0..S−1) or an explicit list of seeds. */
  seeds: number | readonly number[];
  /** Adam steps from the PyTorch-default init (default 2000). */
  adamSteps?: number;
  /** Adam learning rate (default 1e-2; β = (0.9, 0.999), ε = 1e-8). */
  lr?: number;
  /** Levenberg–Marquardt iterations at most (default 100). */
  lmMax?: number;
  /** ‖∇R‖₂ at or below which a seed counts as converged (default 1e-12). */
  gradTol?: number;
  /** Keep each seed's final θ in the result (default false). */
  keepTheta?: boolean;
  onSeed?: (r: CensusBatchSeed, done: number) => void;
}

/** One seed's outcome. */
export interface CensusBatchSeed {
  seed: number;
  converged: boolean;
  loss: number;
  gradNorm: number;
  lmIterations: number;
  /** (n₋, n₀, n₊) of ∇²R at the final θ with τ = 100·‖H‖₂·P·ε (SPEC §1.4, the reference's τ). */
  inertia: [number, number, number];
  tau: number;
  theta?: number[];
}

/** The census table, in the reference's terms. */
export interface CensusBatchResult {
  arch: string;
  seeds: number;
  adamSteps: number;
  lr: number;
  lmMax: number;
  totalSeconds: number;
  seedsPerSecond: number;
  converged: number;
  /** Converged seeds by inertia "n₋,n₀,n₊" (bench_census.py's `inertia_counts`). */
  inertiaCounts: Record<string, number>;
  perSeed: CensusBatchSeed[];
}

/**
 * bench_census.py's data, bit for bit: x = torch.linspace(−2, 2, n), y = cos 2x. ATen's linspace
 * (float64, AVX2 kernels) fills blocks of four from a base — start + step·i₀ below n/2, end − step·(n−1−i₀)
 * above — plus step·j within the block (Vectorized::arange), the tail one by one; this reproduces
 * it (checked against torch 1.13 for n = 9 and 20).
 */
export function censusData(points: number): Dataset {
  if (!Number.isInteger(points) || points < 2) throw new InputError(`points must be a whole number ≥ 2, got ${points}`);
  const n = points, x = new Float64Array(n), y = new Float64Array(n);
  const step = 4 / (n - 1), half = Math.floor(n / 2);
  const at = (i: number): number => (i < half ? -2 + step * i : 2 - step * (n - 1 - i));
  let i0 = 0;
  for (; i0 + 4 <= n; i0 += 4) { const base = at(i0); x[i0] = base; for (let j = 1; j < 4; j++) x[i0 + j] = base + j * step; }
  for (; i0 < n; i0++) x[i0] = at(i0);
  for (let i = 0; i < n; i++) y[i] = Math.cos(2 * x[i]);
  return makeDataset(x, y, { n, d: 1, k: 1 }, `linspace:cos2x:${n}`);
}

/**
 * The census engine for small two-layer nets: for every seed s, θ₀ = PyTorch's nn.Linear default
 * init from `manual_seed(s)` (bit-identical to the reference's, `torchDefaultInit`), `adamSteps`
 * of full-batch Adam in torch.optim.Adam's order of operations, then Levenberg–Marquardt on
 * ½‖∇R‖² with the exact Hessian H = QΛQᵀ:  p = −(H² + μI)⁻¹H g = −Q·(λ∘Qᵀg/(λ² + μ)),
 * μ₀ = 1e-3·‖H‖₂², μ/3 on a step that lowers ‖∇R‖, ×4 (step refused) otherwise, until ‖∇R‖₂ ≤ gradTol
 * or lmMax iterations; then In(H) with τ = 100·‖H‖₂·P·ε. Exactly bench_census.py's algorithm.
 *
 * Everything runs on `TinyEvaluator`'s fused kernels (one JS pass per loss/gradient, direct Hessian
 * assembly) and the backend's symmetric eigensolver (LAPACK dsyevd, or the pure tred2/tql2; a
 * cyclic Jacobi in TypeScript measured 2–3× slower at P = 13) on preallocated P×P buffers. The reference's
 * "batched" variant puts the seed axis inside each tensor operation to amortise PyTorch's per-op
 * overhead; here a kernel call costs no dispatch, so seeds run one after another over the same
 * buffers (seeds are independent: the results are the same as any batching of them).
 */
export function censusBatch(arch: Arch, data: Dataset, opts: CensusBatchOptions): CensusBatchResult {
  const seeds = typeof opts.seeds === "number" ? Array.from({ length: opts.seeds }, (_, i) => i) : [...opts.seeds];
  if (typeof opts.seeds === "number" && !(Number.isInteger(opts.seeds) && opts.seeds >= 1)) throw new InputError(`seeds must be a positive whole number, got ${opts.seeds}`);
  const adamSteps = opts.adamSteps ?? 2000, lr = opts.lr ?? 1e-2, lmMax = opts.lmMax ?? 100, tol = opts.gradTol ?? 1e-12;
  if (!Number.isInteger(adamSteps) || adamSteps < 0) throw new InputError(`adam steps must be a whole number ≥ 0, got ${adamSteps}`);
  if (!Number.isInteger(lmMax) || lmMax < 0) throw new InputError(`LM iterations must be a whole number ≥ 0, got ${lmMax}`);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`learning rate must be a positive number, got ${lr}`);
  const ev = new TinyEvaluator(arch, data);
  const P = ev.P;
  const theta = new Float64Array(P), trial = new Float64Array(P), g = new Float64Array(P), g2 = new Float64Array(P);
  const m = new Float64Array(P), v = new Float64Array(P), c = new Float64Array(P), step = new Float64Array(P);
  const H = new Float64Array(P * P), Q = new Float64Array(P * P), lam = new Float64Array(P);
  const be = getBackend();
  const eig = (vectors: boolean): void => be.syev(P, H, lam, vectors ? Q : null);
  const perSeed: CensusBatchSeed[] = [];
  const t0 = performance.now();
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  // Phase 1: Adam for every seed — on the native backend one addon call for all seeds (1-m-1 tanh MSE)
  const S = seeds.length, thetas = new Float64Array(S * P);
  for (let si = 0; si < S; si++) torchDefaultInit(arch.widths, seeds[si], thetas.subarray(si * P, (si + 1) * P));
  const [d0, m0, k0] = arch.widths;
  const batched = be.tinyAdamTanhMse && d0 === 1 && k0 === 1 && arch.activation === "tanh" && arch.loss === "mse";
  if (batched) {
    const bad = be.tinyAdamTanhMse!(data.x, data.y, data.n, m0, thetas, S, adamSteps, lr, b1, b2, eps);
    if (bad >= 0) throw new InputError(`seed ${seeds[bad]}: Adam diverged (non-finite loss); lower the learning rate (now ${lr})`);
  } else for (let si = 0; si < S; si++) {
    const seed = seeds[si];
    theta.set(thetas.subarray(si * P, (si + 1) * P));
    m.fill(0); v.fill(0);
    for (let t = 1; t <= adamSteps; t++) { // torch.optim.Adam's order of operations
      const loss = ev.lossAndGradient(theta, g);
      if (!Number.isFinite(loss)) throw new InputError(`seed ${seed}: Adam diverged at step ${t - 1} (loss ${loss}); lower the learning rate (now ${lr})`);
      const bc1 = 1 - b1 ** t, bc2s = Math.sqrt(1 - b2 ** t), ss = lr / bc1;
      for (let i = 0; i < P; i++) {
        const gi = g[i];
        m[i] = m[i] * b1 + (1 - b1) * gi;
        v[i] = v[i] * b2 + (1 - b2) * gi * gi;
        theta[i] += -ss * (m[i] / (Math.sqrt(v[i]) / bc2s + eps));
      }
    }
    thetas.set(theta, si * P);
  }
  // Phase 2: per seed, LM and the inertia
  for (let si = 0; si < S; si++) {
    const seed = seeds[si];
    theta.set(thetas.subarray(si * P, (si + 1) * P));
    // Levenberg–Marquardt on ½‖∇R‖²
    let loss = ev.lossAndGradient(theta, g);
    let gn = norm(g);
    let mu = NaN, it = 0, fresh = false; // fresh: H, Q, λ belong to the current θ
    while (gn > tol && it < lmMax) {
      if (!fresh) { ev.hessian(theta, H); eig(true); fresh = true; } // a refused step leaves θ, hence H, unchanged
      if (Number.isNaN(mu)) { const s = Math.max(Math.abs(lam[0]), Math.abs(lam[P - 1])); mu = 1e-3 * s * s; }
      for (let j = 0; j < P; j++) { let s = 0; for (let r = 0; r < P; r++) s += Q[j * P + r] * g[r]; c[j] = (lam[j] * s) / (lam[j] * lam[j] + mu); }
      for (let r = 0; r < P; r++) { let s = 0; for (let j = 0; j < P; j++) s += Q[j * P + r] * c[j]; step[r] = -s; trial[r] = theta[r] + step[r]; }
      const l2 = ev.lossAndGradient(trial, g2);
      const gn2 = norm(g2);
      if (gn2 < gn) { theta.set(trial); g.set(g2); gn = gn2; loss = l2; mu /= 3; fresh = false; } else mu *= 4;
      it++;
    }
    ev.hessian(theta, H);
    eig(false);
    let hn = 0;
    for (let j = 0; j < P; j++) hn = Math.max(hn, Math.abs(lam[j]));
    const tau = defaultZeroTolerance(hn, P);
    let neg = 0, zero = 0, pos = 0;
    for (let j = 0; j < P; j++) { if (lam[j] < -tau) neg++; else if (lam[j] > tau) pos++; else zero++; }
    const r: CensusBatchSeed = { seed, converged: gn <= tol, loss, gradNorm: gn, lmIterations: it, inertia: [neg, zero, pos], tau };
    if (opts.keepTheta) r.theta = Array.from(theta);
    perSeed.push(r);
    opts.onSeed?.(r, si + 1);
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  const inertiaCounts: Record<string, number> = {};
  let converged = 0;
  for (const r of perSeed) if (r.converged) { converged++; const k = r.inertia.join(","); inertiaCounts[k] = (inertiaCounts[k] ?? 0) + 1; }
  return { arch: arch.widths.join("-"), seeds: seeds.length, adamSteps, lr, lmMax, totalSeconds, seedsPerSecond: seeds.length / totalSeconds, converged, inertiaCounts, perSeed };
}

function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
