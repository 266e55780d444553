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

/** Resolved optimizer settings (what `minimize` runs with; stored in checkpoints so a resume can check them). */
export interface OptimizerSettings {
  optimizer: OptimizerName;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** The settings `opts` resolve to (defaults: gd; lr 1e-2 for gd, 1e-3 for adam; β1 0.9, β2 0.999, ε 1e-8), validated. */
export function optimizerSettings(opts: Pick<TrainOptions, "optimizer" | "lr" | "beta1" | "beta2" | "eps" | "resume">): OptimizerSettings {
  const optimizer = opts.resume?.optimizer ?? opts.optimizer ?? "gd";
  if (optimizer !== "gd" && optimizer !== "adam") throw new InputError(`unknown optimizer "${String(optimizer).slice(0, 40)}" (expected gd or adam)`);
  const lr = opts.lr ?? (optimizer === "adam" ? 1e-3 : 1e-2);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`learning rate must be a positive number, got ${lr}`);
  const beta1 = opts.beta1 ?? 0.9, beta2 = opts.beta2 ?? 0.999, eps = opts.eps ?? 1e-8;
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0 && Number.isFinite(eps))) throw new InputError(`Adam needs 0 ≤ β1, β2 < 1 and ε > 0 (got ${beta1}, ${beta2}, ${eps})`);
  return { optimizer, lr, beta1, beta2, eps };
}

/**
 * The update of step `step` (0-based) from the gradient g, in place (shared by full-batch and minibatch training):
 * gd θ ← θ − η g; adam m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², θ ← θ − η m̂/(√v̂ + ε) with
 * m̂ = m/(1 − β1^(step+1)), v̂ = v/(1 − β2^(step+1)) (engine-independent powers, util/fdmath).
 */
export function optimizerUpdate(s: OptimizerSettings, step: number, theta: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array): void {
  const P = theta.length, { lr, beta1: b1, beta2: b2, eps } = s;
  if (s.optimizer === "gd") {
    for (let i = 0; i < P; i++) theta[i] -= lr * g[i];
  } else {
    const t = step + 1;
    const c1 = 1 / (1 - powi(b1, t)), c2 = 1 / (1 - powi(b2, t));
    for (let i = 0; i < P; i++) {
      const gi = g[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      theta[i] -= (lr * (m[i] * c1)) / (Math.sqrt(v[i] * c2) + eps);
    }
  }
}

/**
 * One optimizer run over an oracle: the update rules of `train`, one step at a time, with fixed buffers (the step
 * allocates nothing). `minimize` drives it synchronously, `minimizeAsync` in time slices.
 */
class Stepper {
  readonly g: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
  readonly s: OptimizerSettings;
  step: number;
  constructor(private readonly oracle: LossOracle, readonly theta: Float64Array, opts: TrainOptions) {
    this.s = optimizerSettings(opts);
    const P = theta.length;
    if (P !== oracle.P) throw new InputError(`parameter vector has ${P} entries, the loss expects ${oracle.P}`);
    this.g = new Float64Array(P);
    this.m = new Float64Array(P);
    this.v = new Float64Array(P);
    const r = opts.resume;
    if (r !== undefined) {
      if (!Number.isSafeInteger(r.step) || r.step < 0) throw new InputError(`resume state: step must be a non-negative integer, got ${String(r.step).slice(0, 30)}`);
      for (const [k, a] of [["m", r.m], ["v", r.v]] as const) {
        if (this.s.optimizer === "adam" && (a === undefined || a.length !== P)) throw new InputError(`resume state: Adam moment ${k} has ${a?.length ?? 0} entries, the net has P = ${P}`);
        if (a !== undefined) for (let i = 0; i < a.length; i++) if (typeof a[i] !== "number" || !Number.isFinite(a[i])) throw new InputError(`resume state: ${k}[${i}] is not a finite number`);
      }
      if (r.m) this.m.set(r.m);
      if (r.v) this.v.set(r.v);
    }
    this.step = r?.step ?? 0;
  }

  /** R and ‖∇R‖ at θ (gradient left in g). */
  evaluate(): { loss: number; gradNorm: number } {
    const loss = this.oracle.lossAndGradient(this.theta, this.g);
    return { loss, gradNorm: norm2(this.g) };
  }

  /** Update θ from the gradient in g (computed by evaluate at the current θ); advances the step counter. */
  update(): void {
    optimizerUpdate(this.s, this.step, this.theta, this.g, this.m, this.v);
    this.step++;
  }

  state(): TrainState {
    const { optimizer } = this.s;
    return optimizer === "adam" ? { optimizer, step: this.step, m: Array.from(this.m), v: Array.from(this.v) } : { optimizer, step: this.step };
  }
}

function checkSteps(steps: number): void {
  if (!Number.isSafeInteger(steps) || steps < 0) throw new InputError(`steps must be a non-negative integer, got ${steps}`);
}

function diverged(step: number, loss: number, lr: number): never {
  throw new TrainDivergedError(`training diverged at step ${step} (loss ${loss}); lower the learning rate (now ${lr})`, step, loss);
}

/** One step of both loops: evaluate (refusing non-finite values), record on schedule, report, update. */
function oneStep(st: Stepper, start: number, every: number, record: (p: TrainPoint) => void, opts: TrainOptions): void {
  const { loss, gradNorm } = st.evaluate();
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) diverged(st.step, loss, st.s.lr);
  if ((st.step - start) % every === 0) record({ step: st.step, loss, gradNorm });
  opts.onStep?.(st.step, loss, gradNorm);
  st.update();
}

/**
 * The optimizer loop of `train` over any loss oracle, updating θ in place (same options and
 * update rules; see `train`).
 */
export function minimize(oracle: LossOracle, theta: Float64Array, opts: TrainOptions): Omit<TrainResult, "net"> {
  checkSteps(opts.steps);
  const st = new Stepper(oracle, theta, opts);
  const start = st.step, end = start + opts.steps;
  const every = opts.recordEvery ?? Math.max(1, Math.floor(opts.steps / 500));
  const history: TrainPoint[] = [];
  const record = (p: TrainPoint): void => { history.push(p); opts.onRecord?.(p, theta); };
  let interrupted = false;
  while (st.step < end) {
    if (opts.shouldStop?.()) { interrupted = true; break; }
    oneStep(st, start, every, record, opts);
  }
  const last = st.evaluate();
  record({ step: st.step, ...last });
  return { history, state: st.state(), interrupted };
}

/** What `minimizeAsync` hands to `onSlice` between time slices (θ is the live buffer; copy what you keep). */
export interface SliceInfo {
  step: number;
  theta: Float64Array;
  /** The resumable state at this step (copies the Adam moments; call only when checkpointing). */
  state(): TrainState;
}

export interface AsyncTrainOptions extends TrainOptions {
  /** Length of a time slice in ms (default 100): stepping yields to the event loop at least this often. */
  sliceMs?: number;
  /** Clock in ms (default Date.now; tests inject one). */
  now?: () => number;
  /** Called after each time slice, before yielding (e.g. to write a checkpoint when one is due). */
  onSlice?: (s: SliceInfo) => void | Promise<void>;
}

/**
 * `minimize` in time slices: identical arithmetic (a run split into slices, or stopped and resumed, gives the same
 * θ bit for bit), but every `sliceMs` of stepping — measured by time, not steps, so a step of 10 s and a step of
 * 10 µs both yield promptly — it calls `onSlice` and yields to the event loop, where signal handlers run; a
 * `shouldStop` that turns true there stops before the next step. A single step longer than a slice still runs
 * to its end (JavaScript cannot pre-empt it).
 */
export async function minimizeAsync(oracle: LossOracle, theta: Float64Array, opts: AsyncTrainOptions): Promise<Omit<TrainResult, "net">> {
  checkSteps(opts.steps);
  const now = opts.now ?? Date.now, sliceMs = opts.sliceMs ?? 100;
  const st = new Stepper(oracle, theta, opts);
  const start = st.step, end = start + opts.steps;
  const every = opts.recordEvery ?? Math.max(1, Math.floor(opts.steps / 500));
  const history: TrainPoint[] = [];
  const record = (p: TrainPoint): void => { history.push(p); opts.onRecord?.(p, theta); };
  let interrupted = false;
  let deadline = now() + sliceMs;
  while (st.step < end) {
    if (opts.shouldStop?.()) { interrupted = true; break; }
    oneStep(st, start, every, record, opts);
    if (now() >= deadline && st.step < end) {
      await opts.onSlice?.({ step: st.step, theta, state: () => st.state() });
      await new Promise<void>((resolve) => setImmediate(resolve));
      deadline = now() + sliceMs;
    }
  }
  const last = st.evaluate();
  record({ step: st.step, ...last });
  return { history, state: st.state(), interrupted };
}

/** `train` in time slices (see minimizeAsync): same result, signals and checkpoints between slices. */
export async function trainAsync(net: Net, data: Dataset, opts: AsyncTrainOptions): Promise<TrainResult> {
  const theta = Float64Array.from(net.theta);
  const r = await minimizeAsync(trainingOracle(net.arch, data), theta, opts);
  return { net: createNet(net.arch, theta), ...r };
}
