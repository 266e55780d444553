import type { Dataset } from "../data/dataset.js";
import { norm2 } from "../linalg/dense.js";
import { createNet, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { optimizerSettings, optimizerUpdate, TrainDivergedError, type OptimizerName, type OptimizerSettings, type SliceInfo, type TrainPoint, type TrainResult, type TrainState } from "./train.js";

export interface MinibatchOptions {
  optimizer?: OptimizerName;
  lr?: number;
  /** Number of minibatch steps (each one batch; ⌈n/B⌉ steps make an epoch). */
  steps: number;
  /** Samples per step (the last batch of an epoch holds the remainder, as PyTorch's DataLoader with drop_last=False). */
  batchSize: number;
  /** Seed of the per-epoch shuffles (epoch e's permutation depends only on (seed, e)). Default 0. */
  shuffleSeed?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Record the full-batch R and ‖∇R‖ every this many steps (default ≈200 points) and at the end. */
  recordEvery?: number;
  /** Called after every step's gradient with the step index and the batch loss R_B(θ) (before the update). */
  onStep?: (step: number, batchLoss: number) => void;
  shouldStop?: () => boolean;
  resume?: TrainState;
}

export interface AsyncMinibatchOptions extends MinibatchOptions {
  /** Length of a time slice in ms (default 100). */
  sliceMs?: number;
  /** Clock in ms (default Date.now). */
  now?: () => number;
  /** Called after each time slice, before yielding to the event loop (e.g. to write a checkpoint). */
  onSlice?: (s: SliceInfo) => void | Promise<void>;
}

/** The samples of epoch `epoch` in shuffled order: Fisher–Yates driven by a seeded generator, so any step can be recomputed. */
export function epochPermutation(n: number, seed: number, epoch: number, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = i;
  const rng = new Rng(((seed * 0x9e3779b1) ^ (epoch * 0x85ebca6b)) >>> 0);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i]; out[i] = out[j]; out[j] = t;
  }
  return out;
}

/** Steps per epoch with n samples in batches of B: ⌈n/B⌉ (the last batch holds the remainder). */
export function stepsPerEpoch(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/** Where step `step` stands in the sample schedule: its epoch and its batch index within the epoch's permutation. */
export function batchPosition(step: number, n: number, batchSize: number): { epoch: number; batch: number } {
  const per = stepsPerEpoch(n, batchSize), epoch = Math.floor(step / per);
  return { epoch, batch: step - epoch * per };
}

/** Refuse a batch size that is not a whole number in [1, n]. */
export function checkBatchSize(B: number, n: number): void {
  if (!Number.isSafeInteger(B) || B < 1) throw new InputError(`batch size must be a whole number ≥ 1, got ${B}`);
  if (B > n) throw new InputError(`batch size ${B} is larger than the data set (${n} samples)`);
}

/**
 * One minibatch run: fixed batch buffers (full batches and the remainder) with an Evaluator over each, the data's
 * seeded permutation of the current epoch, and the optimizer state. `trainMinibatch` drives it synchronously,
 * `trainMinibatchAsync` in time slices; the step allocates nothing.
 */
class MinibatchRun {
  readonly s: OptimizerSettings;
  readonly theta: Float64Array;
  readonly g: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
  step: number;
  private readonly whole: Evaluator;
  private readonly big: { data: Dataset; ev: Evaluator };
  private readonly small: { data: Dataset; ev: Evaluator } | null;
  private readonly perm: Int32Array;
  private permEpoch = -1;
  private readonly full: number;
  private readonly perEpoch: number;

  constructor(net: Net, private readonly data: Dataset, readonly B: number, readonly seed: number, opts: MinibatchOptions) {
    this.s = optimizerSettings(opts);
    const n = data.n;
    checkBatchSize(B, n);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError(`shuffle seed must be a non-negative whole number, got ${seed}`);
    const { d, k } = data;
    this.full = Math.floor(n / B);
    const rem = n - this.full * B;
    this.perEpoch = stepsPerEpoch(n, B);
    const mk = (size: number): { data: Dataset; ev: Evaluator } => {
      const bd: Dataset = { n: size, d, k, x: new Float64Array(size * d), y: new Float64Array(size * k), name: `${data.name ?? "data"} batch` };
      return { data: bd, ev: new Evaluator(net.arch, bd) };
    };
    this.big = mk(B);
    this.small = rem > 0 ? mk(rem) : null;
    this.whole = new Evaluator(net.arch, data);
    this.theta = Float64Array.from(net.theta);
    const P = this.theta.length;
    this.g = new Float64Array(P); this.m = new Float64Array(P); this.v = new Float64Array(P);
    const r = opts.resume;
    if (r !== undefined) {
      if (!Number.isSafeInteger(r.step) || r.step < 0) throw new InputError(`resume state: step must be a non-negative integer, got ${String(r.step).slice(0, 30)}`);
      for (const [name, a] of [["m", r.m], ["v", r.v]] as const) {
        if (this.s.optimizer === "adam" && (a === undefined || a.length !== P)) throw new InputError(`resume state: Adam moment ${name} has ${a?.length ?? 0} entries, the net has P = ${P}`);
      }
      if (r.m) this.m.set(r.m);
      if (r.v) this.v.set(r.v);
    }
    this.step = r?.step ?? 0;
    this.perm = new Int32Array(n);
  }

  /** Full-batch R and ‖∇R‖ at θ (uses g as scratch). */
  evaluateFull(): { loss: number; gradNorm: number } {
    const loss = this.whole.lossAndGradient(this.theta, this.g);
    return { loss, gradNorm: norm2(this.g) };
  }

  /** One step: gather batch j of the current epoch, ∇R_B(θ), update θ; returns the batch loss (before the update). */
  advance(onStep?: (step: number, batchLoss: number) => void): number {
    const { data, B } = this, { d, k } = data;
    const epoch = Math.floor(this.step / this.perEpoch), j = this.step - epoch * this.perEpoch;
    if (epoch !== this.permEpoch) { epochPermutation(data.n, this.seed, epoch, this.perm); this.permEpoch = epoch; }
    const batch = j < this.full ? this.big : this.small!;
    const size = batch.data.n, off = j * B, perm = this.perm;
    for (let r = 0; r < size; r++) {
      const i = perm[off + r];
      batch.data.x.set(data.x.subarray(i * d, (i + 1) * d), r * d);
      batch.data.y.set(data.y.subarray(i * k, (i + 1) * k), r * k);
    }
    const loss = batch.ev.lossAndGradient(this.theta, this.g);
    if (!Number.isFinite(loss) || !Number.isFinite(norm2(this.g))) throw new TrainDivergedError(`training diverged at step ${this.step} (batch loss ${loss}); lower the learning rate (now ${this.s.lr})`, this.step, loss);
    onStep?.(this.step, loss);
    optimizerUpdate(this.s, this.step, this.theta, this.g, this.m, this.v);
    this.step++;
    return loss;
  }

  state(): TrainState {
    const { optimizer } = this.s;
    return optimizer === "adam" ? { optimizer, step: this.step, m: Array.from(this.m), v: Array.from(this.v) } : { optimizer, step: this.step };
  }
}

function setup(net: Net, data: Dataset, opts: MinibatchOptions): { run: MinibatchRun; start: number; end: number; every: number } {
  if (!Number.isSafeInteger(opts.steps) || opts.steps < 0) throw new InputError(`steps must be a non-negative integer, got ${opts.steps}`);
  const run = new MinibatchRun(net, data, opts.batchSize, opts.shuffleSeed ?? 0, opts);
  const start = run.step;
  return { run, start, end: start + opts.steps, every: opts.recordEvery ?? Math.max(1, Math.floor(opts.steps / 200)) };
}

/**
 * Minibatch SGD / Adam on R_S (SPEC §1.1): step s takes batch j = s mod ⌈n/B⌉ of epoch e = ⌊s/⌈n/B⌉⌋'s seeded
 * permutation and updates with ∇R_B(θ) = (1/|B|) Σ_{i∈B} ∇ℓ(f_θ(x_i), y_i) — the unbiased estimate of ∇R_S — by
 * the update rules of `train` (`optimizerUpdate`: gd = plain SGD, adam with bias-corrected moments). The schedule
 * is a function of (step, n, B, shuffleSeed) only, so a run resumed at step s continues exactly: the state is the
 * step count (and Adam's moments). The history holds full-batch R and ‖∇R‖ (every `recordEvery` steps and at the end).
 * A non-finite batch loss or gradient throws TrainDivergedError.
 */
export function trainMinibatch(net: Net, data: Dataset, opts: MinibatchOptions): TrainResult {
  const { run, start, end, every } = setup(net, data, opts);
  const history: TrainPoint[] = [];
  const record = (): void => { history.push({ step: run.step, ...run.evaluateFull() }); };
  let interrupted = false;
  while (run.step < end) {
    if (opts.shouldStop?.()) { interrupted = true; break; }
    if ((run.step - start) % every === 0) record();
    run.advance(opts.onStep);
  }
  record();
  return { net: createNet(net.arch, run.theta), history, state: run.state(), interrupted };
}

/**
 * `trainMinibatch` in time slices (as `minimizeAsync`): identical arithmetic, but every `sliceMs` it calls `onSlice`
 * and yields to the event loop, where signal handlers run; a `shouldStop` that turns true there stops before the next step.
 */
export async function trainMinibatchAsync(net: Net, data: Dataset, opts: AsyncMinibatchOptions): Promise<TrainResult> {
  const { run, start, end, every } = setup(net, data, opts);
  const now = opts.now ?? Date.now, sliceMs = opts.sliceMs ?? 100;
  const history: TrainPoint[] = [];
  const record = (): void => { history.push({ step: run.step, ...run.evaluateFull() }); };
  let interrupted = false;
  let deadline = now() + sliceMs;
  while (run.step < end) {
    if (opts.shouldStop?.()) { interrupted = true; break; }
    if ((run.step - start) % every === 0) record();
    run.advance(opts.onStep);
    if (now() >= deadline && run.step < end) {
      await opts.onSlice?.({ step: run.step, theta: run.theta, state: () => run.state() });
      await new Promise<void>((resolve) => setImmediate(resolve));
      deadline = now() + sliceMs;
    }
  }
  record();
  return { net: createNet(net.arch, run.theta), history, state: run.state(), interrupted };
}
