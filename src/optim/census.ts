import type { Dataset } from "../data/dataset.js";
import { inertiaFromEigenvalues } from "../linalg/inertia.js";
import { layout, type Arch } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { solveCritical, type OracleFactory, type SolveOptions, type SolveReason, type SolverOracle, type SolveStrategy } from "./solver.js";
import { InputError } from "../util/errors.js";
import { powi } from "../util/fdmath.js";
import { Mt19937 } from "../util/mt19937.js";
import { Rng } from "../util/rng.js";

/** Initialisations a census can start from. */
export type CensusInit = "torch" | "xavier" | "normal";

/**
 * PyTorch's `nn.Linear` default initialisation as the reference draws it (bench_census.py `init`):
 * for each layer l, one `torch.rand(m_l·m_{l−1} + m_l)` call from `Generator().manual_seed(seed)`,
 * mapped to U(±1/√fan_in) as (u·2 − 1)/√m_{l−1}, laid out W^[l] row-major then b^[l] (SPEC §1.3) —
 * so seed s here is bit-for-bit the reference's seed s.
 */
export function torchDefaultInit(widths: readonly number[], seed: number, out?: Float64Array): Float64Array {
  const lay = layout(widths);
  const theta = out ?? new Float64Array(lay.size);
  const g = new Mt19937(seed);
  let o = 0;
  for (let l = 1; l < widths.length; l++) {
    const fi = widths[l - 1], count = widths[l] * fi + widths[l];
    const s = Math.sqrt(fi);
    for (let i = 0; i < count; i++) theta[o++] = (g.uniform() * 2 - 1) / s;
  }
  return theta;
}

/** Initial θ for one census seed: `torch` (default, the reference's), `xavier` (U(±√(6/(fan_in+fan_out))), zero biases) or `normal` (N(0, 1/fan_in), zero biases). */
export function censusInit(widths: readonly number[], seed: number, init: CensusInit = "torch", out?: Float64Array): Float64Array {
  if (init === "torch") return torchDefaultInit(widths, seed, out);
  const lay = layout(widths);
  const theta = out ?? new Float64Array(lay.size);
  theta.fill(0);
  const rng = new Rng(seed);
  lay.layers.forEach((L) => {
    const a = init === "xavier" ? Math.sqrt(6 / (L.cols + L.rows)) : 0;
    for (let i = 0; i < L.rows * L.cols; i++) theta[L.w + i] = init === "xavier" ? rng.range(-a, a) : rng.normal() / Math.sqrt(L.cols);
  });
  if (init !== "xavier" && init !== "normal") throw new InputError(`unknown init "${init}" (expected torch, xavier or normal)`);
  return theta;
}

/** Options of one census run (bench_census.py's protocol). */
export interface CensusOptions {
  seeds: number;
  /** First seed (default 0). */
  firstSeed?: number;
  adamSteps: number;
  lr: number;
  init?: CensusInit;
  /** Solver options (tolerance 1e-12 unless set). */
  solve?: SolveOptions;
  /** Oracle for the census architecture and narrower ones (default: `Evaluator` on the data). */
  factory?: OracleFactory;
  onSeed?: (r: CensusSeedResult, done: number) => void;
}

/** One seed's outcome. */
export interface CensusSeedResult {
  seed: number;
  converged: boolean;
  reason: SolveReason;
  strategy: SolveStrategy;
  loss: number;
  gradNorm: number;
  /** (n₋, n₀, n₊) with τ = 100·‖H‖₂·P·ε (SPEC §1.4, the reference's τ). */
  inertia: [number, number, number];
  /** Smallest |λ| counted non-zero over largest counted zero (Infinity when none is zero). */
  gapRatio: number;
  clear: boolean;
  iterations: number;
  descentSteps: number;
  distance: number;
  softEigenvalues: number[];
  linearRate: number;
  narrow?: number[];
  theta: number[];
}

/** The census table. */
export interface CensusResult {
  arch: string;
  seeds: number;
  adamSteps: number;
  lr: number;
  init: CensusInit;
  totalSeconds: number;
  seedsPerSecond: number;
  converged: number;
  /** Certified seeds by inertia "n₋,n₀,n₊" (the reference's `inertia_counts`). */
  inertiaCounts: Record<string, number>;
  /** Unconverged seeds by reason (degenerate-sublinear, no-finite-critical-point, …). */
  unconverged: Record<string, number>;
  /** Certified seeds whose inertia gap is not clear-cut (ratio < 1e3). */
  unclear: number;
  perSeed: CensusSeedResult[];
}

/**
 * Critical-point census (the protocol of bench_census.py, SPEC §1.4): for seeds s = first … first+S−1,
 * θ₀ = `censusInit(s)` (default PyTorch's nn.Linear init, bit-identical to the reference's seed s),
 * `adamSteps` of full-batch Adam at `lr` (PyTorch's update order), then `solveCritical` and the
 * inertia of the Hessian at the returned point with τ = 100·‖H‖₂·P·ε. Counts certified seeds by inertia.
 * One oracle and one set of buffers per census; per-seed work allocates only the solver's per-solve workspace.
 */
export function runCensus(arch: Arch, data: Dataset, opts: CensusOptions): CensusResult {
  if (!Number.isInteger(opts.seeds) || opts.seeds < 1) throw new InputError(`--seeds must be a positive whole number, got ${opts.seeds}`);
  if (!Number.isInteger(opts.adamSteps) || opts.adamSteps < 0) throw new InputError(`--adam must be a whole number ≥ 0, got ${opts.adamSteps}`);
  if (!(opts.lr > 0) || !Number.isFinite(opts.lr)) throw new InputError(`--lr must be a positive number, got ${opts.lr}`);
  const init = opts.init ?? "torch";
  const factory = opts.factory ?? ((a: Arch): SolverOracle => new Evaluator(a, data));
  const oracle = factory(arch);
  const P = oracle.P;
  const theta = new Float64Array(P), g = new Float64Array(P), m = new Float64Array(P), v = new Float64Array(P);
  const first = opts.firstSeed ?? 0;
  const perSeed: CensusSeedResult[] = [];
  const t0 = performance.now();
  for (let k = 0; k < opts.seeds; k++) {
    const seed = first + k;
    censusInit(arch.widths, seed, init, theta);
    adamTorch(oracle, theta, opts.adamSteps, opts.lr, g, m, v);
    const r = solveCritical(arch, oracle, theta, { tol: 1e-12, ...opts.solve }, factory);
    const inn = inertiaFromEigenvalues(r.eigenvalues);
    const res: CensusSeedResult = {
      seed, converged: r.converged, reason: r.reason, strategy: r.strategy, loss: r.loss, gradNorm: r.gradNorm,
      inertia: [inn.neg, inn.zero, inn.pos], gapRatio: inn.gap.ratio, clear: inn.clear,
      iterations: r.iterations, descentSteps: r.descentSteps, distance: r.distance,
      softEigenvalues: r.evidence.softEigenvalues, linearRate: r.evidence.linearRate,
      narrow: r.reduction?.narrow, theta: Array.from(r.theta),
    };
    perSeed.push(res);
    opts.onSeed?.(res, k + 1);
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  const inertiaCounts: Record<string, number> = {}, unconverged: Record<string, number> = {};
  let converged = 0, unclear = 0;
  for (const r of perSeed) {
    if (r.converged) {
      converged++;
      const key = r.inertia.join(",");
      inertiaCounts[key] = (inertiaCounts[key] ?? 0) + 1;
      if (!r.clear) unclear++;
    } else unconverged[r.reason] = (unconverged[r.reason] ?? 0) + 1;
  }
  return {
    arch: arch.widths.join("-"), seeds: opts.seeds, adamSteps: opts.adamSteps, lr: opts.lr, init,
    totalSeconds, seedsPerSecond: opts.seeds / totalSeconds, converged, inertiaCounts, unconverged, unclear, perSeed,
  };
}

/**
 * Full-batch Adam in torch.optim.Adam's order of operations (β = (0.9, 0.999), ε = 1e-8):
 * m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − (η/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε). In place, allocation-free;
 * m and v are reset. Non-finite loss → InputError (training diverged).
 */
export function adamTorch(oracle: SolverOracle, theta: Float64Array, steps: number, lr: number, g: Float64Array, m: Float64Array, v: Float64Array): void {
  const b1 = 0.9, b2 = 0.999, eps = 1e-8, P = theta.length;
  m.fill(0); v.fill(0);
  for (let t = 1; t <= steps; t++) {
    const loss = oracle.lossAndGradient(theta, g);
    if (!Number.isFinite(loss)) throw new InputError(`Adam diverged at step ${t - 1} (loss ${loss}); lower --lr (now ${lr})`);
    const bc1 = 1 - powi(b1, t), bc2 = Math.sqrt(1 - powi(b2, t)), step = lr / bc1;
    for (let i = 0; i < P; i++) {
      const gi = g[i];
      m[i] = m[i] * b1 + (1 - b1) * gi;
      v[i] = v[i] * b2 + (1 - b2) * gi * gi;
      theta[i] -= (step * m[i]) / (Math.sqrt(v[i]) / bc2 + eps);
    }
  }
}
