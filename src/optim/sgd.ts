import type { Dataset } from "../data/dataset.js";
import { norm2 } from "../linalg/dense.js";
import { createNet, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import type { OptimizerName, TrainPoint, TrainResult, TrainState } from "./train.js";

export interface MinibatchOptions {
  optimizer?: OptimizerName;
  lr?: number;
  /** Number of minibatch steps. */
  steps: number;
  /** Samples per step (the last batch of an epoch holds the remainder, as PyTorch's DataLoader with drop_last=False). */
  batchSize: number;
  /** Seed of the per-epoch shuffles (epoch e uses the permutation drawn from seed·2³² + e). */
  shuffleSeed?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Record the full-batch R and ‖∇R‖ every this many steps (default ≈200 points) and at the end. */
  recordEvery?: number;
  onStep?: (step: number, batchLoss: number) => void;
  shouldStop?: () => boolean;
  resume?: TrainState;
}

/** The samples of epoch `epoch` in shuffled order: Fisher–Yates driven by a seeded generator, so any step can be recomputed. */
export function epochPermutation(n: number, seed: number, epoch: number, out = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = i;
  const rng = new Rng(((seed * 0x9e3779b1) ^ (epoch * 0x85ebca6b)) >>> 0);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i]; out[i] = out[j]; out[j] = t;
  }
  return out;
}

/**
 * Minibatch SGD / Adam on R_S (SPEC §1.1): each step draws the next batch B of an epoch's seeded permutation and
 * updates with ∇R_B(θ) = (1/|B|) Σ_{i∈B} ∇ℓ(f_θ(x_i), y_i) — the unbiased estimate of ∇R_S — by the same update rules
 * as `train` (gd: θ ← θ − η g; adam: bias-corrected moments). The permutation of epoch e depends only on
 * (shuffleSeed, e), so a run resumed at step s continues exactly: the state is the step count (and Adam's moments).
 * Two evaluators over fixed batch buffers (full batches and the remainder); the step loop allocates nothing.
 */
export function trainMinibatch(net: Net, data: Dataset, opts: MinibatchOptions): TrainResult {
  const optimizer = opts.resume?.optimizer ?? opts.optimizer ?? "gd";
  if (optimizer !== "gd" && optimizer !== "adam") throw new InputError(`unknown optimizer "${optimizer}" (expected gd or adam)`);
  const B = opts.batchSize, n = data.n;
  if (!Number.isInteger(B) || B < 1) throw new InputError(`batch size must be a whole number ≥ 1, got ${B}`);
  if (B > n) throw new InputError(`batch size ${B} is larger than the data set (${n} samples)`);
  if (!Number.isInteger(opts.steps) || opts.steps < 0) throw new InputError(`steps must be a non-negative integer, got ${opts.steps}`);
  const lr = opts.lr ?? (optimizer === "adam" ? 1e-3 : 1e-2);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`learning rate must be a positive number, got ${lr}`);
  const seed = opts.shuffleSeed ?? 0;
  const b1 = opts.beta1 ?? 0.9, b2 = opts.beta2 ?? 0.999, eps = opts.eps ?? 1e-8;
  const { d, k } = data;
  const full = Math.floor(n / B), rem = n - full * B, perEpoch = full + (rem > 0 ? 1 : 0);
  const mk = (size: number): { data: Dataset; ev: Evaluator } => {
    const bd: Dataset = { n: size, d, k, x: new Float64Array(size * d), y: new Float64Array(size * k), name: `${data.name ?? "data"} batch` };
    return { data: bd, ev: new Evaluator(net.arch, bd) };
  };
  const big = mk(B), small = rem > 0 ? mk(rem) : null;
  const whole = new Evaluator(net.arch, data);
  const theta = Float64Array.from(net.theta);
  const P = theta.length, g = new Float64Array(P), m = new Float64Array(P), v = new Float64Array(P);
  if (opts.resume?.m) m.set(opts.resume.m);
  if (opts.resume?.v) v.set(opts.resume.v);
  const perm = new Int32Array(n);
  let permEpoch = -1;
  const start = opts.resume?.step ?? 0, end = start + opts.steps;
  const every = opts.recordEvery ?? Math.max(1, Math.floor(opts.steps / 200));
  const history: TrainPoint[] = [];
  const record = (step: number): void => {
    const loss = whole.lossAndGradient(theta, g);
    history.push({ step, loss, gradNorm: norm2(g) });
  };
  let step = start, interrupted = false;
  for (; step < end; step++) {
    if (opts.shouldStop?.()) { interrupted = true; break; }
    if ((step - start) % every === 0) record(step);
    const epoch = Math.floor(step / perEpoch), j = step - epoch * perEpoch;
    if (epoch !== permEpoch) { epochPermutation(n, seed, epoch, perm); permEpoch = epoch; }
    const batch = j < full ? big : small!;
    const size = batch.data.n, off = j * B;
    for (let r = 0; r < size; r++) {
      const i = perm[off + r];
      batch.data.x.set(data.x.subarray(i * d, (i + 1) * d), r * d);
      batch.data.y.set(data.y.subarray(i * k, (i + 1) * k), r * k);
    }
    const loss = batch.ev.lossAndGradient(theta, g);
    if (!Number.isFinite(loss)) throw new InputError(`training diverged at step ${step} (batch loss ${loss}); lower the learning rate (now ${lr})`);
    opts.onStep?.(step, loss);
    if (optimizer === "gd") {
      for (let i = 0; i < P; i++) theta[i] -= lr * g[i];
    } else {
      const t = step + 1, c1 = 1 / (1 - b1 ** t), c2 = 1 / (1 - b2 ** t);
      for (let i = 0; i < P; i++) {
        const gi = g[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        theta[i] -= (lr * (m[i] * c1)) / (Math.sqrt(v[i] * c2) + eps);
      }
    }
  }
  record(step);
  const state: TrainState = optimizer === "adam" ? { optimizer, step, m: Array.from(m), v: Array.from(v) } : { optimizer, step };
  return { net: createNet(net.arch, theta), history, state, interrupted };
}
