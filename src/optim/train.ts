import type { Dataset } from "../data/dataset.js";
import { norm2 } from "../linalg/dense.js";
import { createNet, type Net } from "../nn/arch.js";
import { trainingOracle } from "../nn/tiny.js";
import { InputError } from "../util/errors.js";
import { powi } from "../util/fdmath.js";

export type OptimizerName = "gd" | "adam";

/** Training produced a non-finite loss or gradient (the CLI exits 3: it ran but did not reach its goal). */
export class TrainDivergedError extends InputError {
  constructor(message: string, readonly step: number, readonly loss: number) {
    super(message);
    this.name = "TrainDivergedError";
  }
}

/** Divergence rule of `train` (README exit codes): a non-finite loss, or a final loss above 1e3 × the starting loss. */
export function trainDiverged(startLoss: number, finalLoss: number): boolean {
  return !Number.isFinite(finalLoss) || finalLoss > 1e3 * startLoss;
}

/** Optimizer state that makes a run resumable (saved with checkpoints). */
export interface TrainState {
  optimizer: OptimizerName;
  step: number;
  /** Adam first/second moment estimates (absent for GD). */
  m?: number[];
  v?: number[];
}

export interface TrainOptions {
  optimizer?: OptimizerName;
  lr?: number;
  steps: number;
  /** Adam β1, β2, ε (defaults 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Record a history point every this many steps (default: ≈500 points over the run, plus the last). */
  recordEvery?: number;
  /** Called after every step with the loss and ‖∇R‖ *before* the step's update. */
  onStep?: (step: number, loss: number, gradNorm: number) => void;
  /** Called for every recorded history point, with θ at that point (e.g. to track diagnostics). */
  onRecord?: (point: TrainPoint, theta: Float64Array) => void;
  /** Polled every step; returning true stops early (the result then has `interrupted: true`). */
  shouldStop?: () => boolean;
  /** Continue from a saved state (the net passed in must be the checkpointed one). */
  resume?: TrainState;
}

export interface TrainPoint {
  step: number;
  loss: number;
  gradNorm: number;
}

export interface TrainResult {
  net: Net;
  history: TrainPoint[];
  state: TrainState;
  interrupted: boolean;
}

/**
 * Full-batch training of R_S(θ) (SPEC §1.1):
 *   gd:   θ ← θ − η ∇R(θ);
 *   adam: m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,  θ ← θ − η m̂/(√v̂ + ε)  (bias-corrected; Kingma & Ba 2015).
 * One loss oracle and fixed buffers for the whole run: the step loop allocates nothing. The oracle is
 * `trainingOracle`'s choice: the fused pure-TypeScript kernels of `TinyEvaluator` for small two-layer
 * nets, the GEMM `Evaluator` otherwise. "Same results": every R and ∇R agrees with the Evaluator's
 * to ≤ 1e-12 relative (summation order differs), so a run agrees step by step to rounding, amplified
 * only by the dynamics themselves (tests compare whole runs to 1e-9 relative).
 */
export function train(net: Net, data: Dataset, opts: TrainOptions): TrainResult {
  const theta = Float64Array.from(net.theta);
  const r = minimize(trainingOracle(net.arch, data), theta, opts);
  return { net: createNet(net.arch, theta), ...r };
}

/** Anything with a parameter count and R(θ), ∇R(θ): an Evaluator, a batch-norm evaluator, … */
export interface LossOracle {
  readonly P: number;
  lossAndGradient(theta: Float64Array, out: Float64Array): number;
}

/**
 * The optimizer loop of `train` over any loss oracle, updating θ in place (same options and
 * update rules; see `train`).
 */
export function minimize(oracle: LossOracle, theta: Float64Array, opts: TrainOptions): Omit<TrainResult, "net"> {
  const optimizer = opts.resume?.optimizer ?? opts.optimizer ?? "gd";
  if (optimizer !== "gd" && optimizer !== "adam") throw new InputError(`unknown optimizer "${optimizer}" (expected gd or adam)`);
  const lr = opts.lr ?? (optimizer === "adam" ? 1e-3 : 1e-2);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`learning rate must be a positive number, got ${lr}`);
  if (!Number.isInteger(opts.steps) || opts.steps < 0) throw new InputError(`steps must be a non-negative integer, got ${opts.steps}`);
  const b1 = opts.beta1 ?? 0.9, b2 = opts.beta2 ?? 0.999, eps = opts.eps ?? 1e-8;
  const ev = oracle;
  const P = theta.length;
  if (P !== oracle.P) throw new InputError(`parameter vector has ${P} entries, the loss expects ${oracle.P}`);
  const g = new Float64Array(P);
  const m = new Float64Array(P), v = new Float64Array(P);
  if (opts.resume?.m) m.set(opts.resume.m);
  if (opts.resume?.v) v.set(opts.resume.v);
  const start = opts.resume?.step ?? 0;
  const end = start + opts.steps;
  const every = opts.recordEvery ?? Math.max(1, Math.floor(opts.steps / 500));
  const history: TrainPoint[] = [];
  const record = (p: TrainPoint): void => { history.push(p); opts.onRecord?.(p, theta); };
  let step = start;
  let interrupted = false;
  for (; step < end; step++) {
    if (opts.shouldStop?.()) { interrupted = true; break; }
    const loss = ev.lossAndGradient(theta, g);
    const gn = norm2(g);
    if (!Number.isFinite(loss) || !Number.isFinite(gn)) {
      throw new TrainDivergedError(`training diverged at step ${step} (loss ${loss}); lower the learning rate (now ${lr})`, step, loss);
    }
    if ((step - start) % every === 0) record({ step, loss, gradNorm: gn });
    opts.onStep?.(step, loss, gn);
    if (optimizer === "gd") {
      for (let i = 0; i < P; i++) theta[i] -= lr * g[i];
    } else {
      const t = step + 1;
      const c1 = 1 / (1 - powi(b1, t)), c2 = 1 / (1 - powi(b2, t)); // engine-independent βᵗ (util/fdmath)
      for (let i = 0; i < P; i++) {
        const gi = g[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        theta[i] -= (lr * (m[i] * c1)) / (Math.sqrt(v[i] * c2) + eps);
      }
    }
  }
  const loss = ev.lossAndGradient(theta, g);
  record({ step, loss, gradNorm: norm2(g) });
  const state: TrainState = optimizer === "adam" ? { optimizer, step, m: Array.from(m), v: Array.from(v) } : { optimizer, step };
  return { history, state, interrupted };
}
