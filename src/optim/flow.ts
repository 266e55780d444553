import type { Dataset } from "../data/dataset.js";
import { eigenSystem } from "../linalg/inertia.js";
import { norm2 } from "../linalg/dense.js";
import { createNet, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { GoalNotReached, InputError } from "../util/errors.js";

/** The integrator of `gradientFlow`: the Rosenbrock method ROS2 (stiff-capable, exact Hessian) or Dormand–Prince 5(4). */
export type FlowMethod = "ros2" | "dopri5";

/** Where an interrupted flow stands (saved with checkpoints; resuming continues bit for bit). */
export interface FlowState {
  method: FlowMethod;
  /** Flow time reached. */
  t: number;
  /** Next step size to try. */
  h: number;
  accepted: number;
  rejected: number;
}

export interface FlowOptions {
  method?: FlowMethod;
  /**
   * Integrate dθ/dt = −∇R(θ) on [t0, tEnd] (default tEnd 1e4). `Infinity`: no end time — another criterion
   * (maxAccepted, maxSteps, gradTol, shouldStop) stops the flow, or t reaching the largest double (≈1.8e308).
   */
  tEnd?: number;
  /** Error control: a step is accepted when ‖err_i/(atol + rtol·|θ_i|)‖_∞ ≤ 1 (defaults 1e-6, 1e-9). */
  rtol?: number;
  atol?: number;
  /** Stop early once ‖∇R‖₂ ≤ gradTol (default 0: integrate to tEnd). */
  gradTol?: number;
  /** At most this many accepted + rejected steps in all, resumed ones included (default 1e5). */
  maxSteps?: number;
  /** Stop once this many steps have been accepted in all, resumed ones included (default: no limit). */
  maxAccepted?: number;
  /** Called after every accepted step. */
  onStep?: (t: number, loss: number, gradNorm: number) => void;
  /** Polled before every step; true stops (result has `interrupted: true`). */
  shouldStop?: () => boolean;
  /**
   * Keep at most about this many history points (default: every accepted step): when the history grows past it,
   * every other inner point is dropped and from then on only every 2nd (4th, …) accepted step is recorded; the
   * first and the last point are always kept. The trajectory itself does not depend on it.
   */
  maxHistory?: number;
  resume?: FlowState;
}

export interface FlowPoint {
  /** Accepted steps so far. */
  step: number;
  t: number;
  loss: number;
  gradNorm: number;
}

export interface FlowResult {
  net: Net;
  /** Accepted steps (t, R, ‖∇R‖; all of them unless maxHistory thins them); R is non-increasing along the exact flow. */
  history: FlowPoint[];
  state: FlowState;
  interrupted: boolean;
  /** Why it stopped: reached tEnd, reached gradTol, hit maxSteps or maxAccepted, or interrupted. */
  reason: "t-end" | "grad-tol" | "max-steps" | "max-accepted" | "interrupted";
}

/**
 * The flow could not be continued: the step size underflowed (the error control rejects every step: the flow is not
 * resolvable at the tolerances) or R/∇R became non-finite. `state` is where it stood before the failing step.
 */
export class FlowFailedError extends GoalNotReached {
  constructor(message: string, readonly kind: "step-underflow" | "diverged", readonly state: FlowState, readonly loss: number) {
    super(message);
    this.name = "FlowFailedError";
  }
}

/** Largest parameter count for the Rosenbrock method: one dense P×P Hessian and eigenbasis per step. */
export const ROSENBROCK_MAX_PARAMS = 4000;

/**
 * The method `gradientFlow` picks when none is named: DOPRI5 for every P. Measured (default tolerances): ROS2 is
 * second order, so where the flow is not stiff it needs far more steps at the same tolerance — 1-2-1 on cos2x:9 to
 * t = 20: 7,152 accepted ROS2 steps vs 45; 1-20-1 on cos2x:20 to t = 1000: 20,388 (9.3 s) vs 1,950 (0.36 s), the same
 * loss to 1e-7. ROS2 stays available for stiff flows (h unbounded by λ_max), by name. `P` is kept for the signature.
 */
export function defaultFlowMethod(_P: number): FlowMethod {
  return "dopri5";
}

/** What `gradientFlowAsync` hands to `onSlice` between time slices (θ is the live buffer; copy what you keep). */
export interface FlowSliceInfo {
  theta: Float64Array;
  state(): FlowState;
}

export interface AsyncFlowOptions extends FlowOptions {
  /** Length of a time slice in ms (default 100). */
  sliceMs?: number;
  /** Clock in ms (default Date.now). */
  now?: () => number;
  /** Called after each time slice, before yielding to the event loop (e.g. to write a checkpoint). */
  onSlice?: (s: FlowSliceInfo) => void | Promise<void>;
}

/**
 * One integration of the flow: the state (θ, ∇R(θ), t, h, counters) and one trial step at a time. `gradientFlow`
 * drives it synchronously, `gradientFlowAsync` in time slices; both run the same arithmetic.
 */
class FlowRun {
  readonly ev: Evaluator;
  readonly P: number;
  readonly method: FlowMethod;
  readonly tEnd: number;
  readonly rtol: number;
  readonly atol: number;
  readonly gradTol: number;
  readonly maxSteps: number;
  readonly maxAccepted: number;
  readonly theta: Float64Array;
  readonly g: Float64Array;
  t: number;
  h: number;
  accepted: number;
  rejected: number;
  loss: number;
  gn: number;
  private readonly stepper: Stepper;
  private readonly next: Float64Array;
  private readonly err: Float64Array;

  constructor(net: Net, data: Dataset, opts: FlowOptions) {
    this.ev = new Evaluator(net.arch, data);
    const P = (this.P = this.ev.P);
    const method: FlowMethod = opts.resume?.method ?? opts.method ?? defaultFlowMethod(P);
    if (method !== "ros2" && method !== "dopri5") throw new InputError(`unknown flow method "${String(method).slice(0, 30)}" (expected ros2 or dopri5)`);
    if (method === "ros2" && P > ROSENBROCK_MAX_PARAMS) throw new InputError(`the ROS2 flow needs a dense ${P}×${P} Hessian per step; above ${ROSENBROCK_MAX_PARAMS} parameters use --method dopri5`);
    this.method = method;
    const tEnd = opts.tEnd ?? 1e4, rtol = opts.rtol ?? 1e-6, atol = opts.atol ?? 1e-9;
    if (!(tEnd > 0)) throw new InputError(`tEnd must be a positive number, got ${tEnd}`);
    for (const [k, v] of [["rtol", rtol], ["atol", atol]] as const) if (!(v > 0) || !Number.isFinite(v)) throw new InputError(`${k} must be a positive number, got ${v}`);
    this.tEnd = Math.min(tEnd, Number.MAX_VALUE); // no end: stop before t overflows
    this.rtol = rtol; this.atol = atol;
    this.gradTol = opts.gradTol ?? 0;
    this.maxSteps = opts.maxSteps ?? 100000;
    this.maxAccepted = opts.maxAccepted ?? Infinity;
    const r = opts.resume;
    if (r !== undefined) {
      for (const [k, v] of [["t", r.t], ["h", r.h]] as const) if (!(v >= 0) || !Number.isFinite(v)) throw new InputError(`resume state: ${k} must be a finite non-negative number, got ${String(v).slice(0, 30)}`);
      for (const [k, v] of [["accepted", r.accepted], ["rejected", r.rejected]] as const) if (!Number.isSafeInteger(v) || v < 0) throw new InputError(`resume state: ${k} must be a non-negative integer, got ${String(v).slice(0, 30)}`);
    }
    this.theta = Float64Array.from(net.theta);
    this.g = new Float64Array(P);
    this.t = r?.t ?? 0;
    this.accepted = r?.accepted ?? 0;
    this.rejected = r?.rejected ?? 0;
    this.loss = this.ev.lossAndGradient(this.theta, this.g);
    this.gn = norm2(this.g);
    if (!Number.isFinite(this.loss) || !Number.isFinite(this.gn)) throw new InputError(`gradient flow: R or ∇R is not finite at the start (loss ${this.loss})`);
    // initial step: Hairer–Nørsett–Wanner's rule of thumb, h₀ = 0.01·‖θ‖_sc/‖∇R‖_sc
    this.h = r?.h ?? initialStep(this.theta, this.g, rtol, atol);
    this.stepper = method === "ros2" ? rosenbrockStepper(this.ev, P) : dopriStepper(this.ev, P);
    this.next = new Float64Array(P);
    this.err = new Float64Array(P);
  }

  /** Why the flow stops before the next trial step (null: go on). */
  stopReason(): FlowResult["reason"] | null {
    if (!(this.t < this.tEnd)) return "t-end";
    if (this.gn <= this.gradTol) return "grad-tol";
    if (this.accepted + this.rejected >= this.maxSteps) return "max-steps";
    if (this.accepted >= this.maxAccepted) return "max-accepted";
    return null;
  }

  state(): FlowState {
    return { method: this.method, t: this.t, h: this.h, accepted: this.accepted, rejected: this.rejected };
  }

  /** One trial step of size min(h, tEnd − t) with error control; true when it was accepted. */
  trial(): boolean {
    const { theta, next, err, rtol, atol } = this;
    const t = this.t, hh = Math.min(this.h, this.tEnd - t);
    const ok = this.stepper.step(theta, this.g, hh, next, err);
    const e = ok ? scaledErrorNorm(err, theta, next, rtol, atol) : Infinity;
    let accepted = false;
    if (e <= 1) {
      const loss = this.ev.lossAndGradient(next, this.err); // err is free again: use it for ∇R(θ⁺) until accepted
      const gn = norm2(this.err);
      if (!Number.isFinite(loss) || !Number.isFinite(gn)) throw new FlowFailedError(`gradient flow diverged at t = ${t} (loss ${loss} after a step of h = ${hh})`, "diverged", this.state(), loss);
      theta.set(next);
      this.g.set(this.err);
      this.t = hh === this.tEnd - t ? this.tEnd : t + hh;
      this.loss = loss;
      this.gn = gn;
      this.accepted++;
      accepted = true;
    } else {
      this.rejected++;
    }
    const factor = Number.isFinite(e) ? Math.min(5, Math.max(0.2, 0.9 * Math.pow(Math.max(e, 1e-10), -1 / (this.stepper.order + 1)))) : 0.5;
    const h = hh * factor;
    if (!(h > 1e-14 * Math.max(1, this.t))) throw new FlowFailedError(`gradient flow step size underflow at t = ${this.t} (h = ${h}): the flow is not resolvable at rtol ${rtol}, atol ${atol}`, "step-underflow", this.state(), this.loss);
    this.h = h;
    return accepted;
  }

  /** The history recorder: every accepted step, thinned by stride doubling beyond maxHistory points. */
  recorder(maxHistory: number): { history: FlowPoint[]; record(force?: boolean): void } {
    const history: FlowPoint[] = [];
    let stride = 1;
    const cap = Math.max(4, maxHistory);
    return {
      history,
      record: (force = false) => {
        const last = history[history.length - 1];
        if (last !== undefined && last.step === this.accepted) return;
        if (!force && history.length > 0 && this.accepted % stride !== 0) return;
        history.push({ step: this.accepted, t: this.t, loss: this.loss, gradNorm: this.gn });
        if (history.length > cap) {
          stride *= 2;
          const kept = history.filter((p, i) => i === 0 || i === history.length - 1 || p.step % stride === 0);
          history.length = 0;
          history.push(...kept);
        }
      },
    };
  }

  result(history: FlowPoint[], reason: FlowResult["reason"], net: Net): FlowResult {
    return { net: createNet(net.arch, this.theta), history, interrupted: reason === "interrupted", reason, state: this.state() };
  }
}

/**
 * Gradient flow dθ/dt = −∇R(θ) (SPEC §1.1), the continuous-time limit of GD that MLPGradientFlow.jl studies,
 * integrated with adaptive step-size control so the trajectory — plateaus and saddle passages included —
 * is followed to the requested tolerance instead of at a fixed learning rate.
 *
 * - `ros2` (by name; P ≤ 4000): the L-stable two-stage Rosenbrock method ROS2 (Verwer, Spee,
 *   Blom & Hundsdorfer 1999) with the exact Jacobian J = −H(θ): γ = 1 + 1/√2,
 *     (I + γhH) k₁ = −∇R(θ),  (I + γhH) k₂ = −∇R(θ + hk₁) − 2k₁,  θ⁺ = θ + (3/2)h k₁ + (1/2)h k₂,
 *   error estimate against linearly implicit Euler θ + hk₁: err = (h/2)(k₁ + k₂). Stiff-capable: no step-size
 *   limit from the largest Hessian eigenvalue (the flow's stiffness near sharp minima, where explicit methods
 *   need h ≲ 2/λ_max). Both solves use one eigendecomposition H = QΛQᵀ: (I + γhH)⁻¹ = Q diag(1/(1+γhλ)) Qᵀ;
 *   a step with |1 + γhλ| < 0.1 for a negative λ (a saddle's unstable direction) is rejected and h halved.
 *   Cost O(P³) per step: for P > 4000 use dopri5.
 * - `dopri5` (the default): the explicit Dormand–Prince 5(4) pair (FSAL), gradients only, O(P) memory, any P. Not stiff-
 *   capable: its stability interval on the negative real axis is ≈ [−3.3, 0], so near a minimum with largest
 *   eigenvalue λ_max the controller settles at h ≈ 3.3/λ_max — stated limit: time ≈ tEnd·λ_max/3.3 gradients.
 *
 * Step-size control: h_new = h·min(5, max(0.2, 0.9·err^(−1/(q+1)))) with q the embedded order (1 or 4); a step
 * size below 1e-14·max(1, t), or a non-finite R or ∇R, throws FlowFailedError (the CLI's exit 3).
 * Deterministic: the same inputs give the same trajectory bit for bit, and `resume` continues exactly.
 */
export function gradientFlow(net: Net, data: Dataset, opts: FlowOptions = {}): FlowResult {
  const run = new FlowRun(net, data, opts);
  const rec = run.recorder(opts.maxHistory ?? Infinity);
  rec.record(true);
  let reason: FlowResult["reason"];
  for (;;) {
    const stop = run.stopReason();
    if (stop !== null) { reason = stop; break; }
    if (opts.shouldStop?.()) { reason = "interrupted"; break; }
    if (run.trial()) { rec.record(); opts.onStep?.(run.t, run.loss, run.gn); }
  }
  rec.record(true);
  return run.result(rec.history, reason, net);
}

/**
 * `gradientFlow` in time slices: the same arithmetic (split into slices, or stopped and resumed, it gives the same
 * θ bit for bit), but every `sliceMs` it calls `onSlice` and yields to the event loop, where signal handlers run; a
 * `shouldStop` that turns true there stops before the next trial step.
 */
export async function gradientFlowAsync(net: Net, data: Dataset, opts: AsyncFlowOptions = {}): Promise<FlowResult> {
  const now = opts.now ?? Date.now, sliceMs = opts.sliceMs ?? 100;
  const run = new FlowRun(net, data, opts);
  const rec = run.recorder(opts.maxHistory ?? Infinity);
  rec.record(true);
  let reason: FlowResult["reason"];
  let deadline = now() + sliceMs;
  for (;;) {
    const stop = run.stopReason();
    if (stop !== null) { reason = stop; break; }
    if (opts.shouldStop?.()) { reason = "interrupted"; break; }
    if (run.trial()) { rec.record(); opts.onStep?.(run.t, run.loss, run.gn); }
    if (now() >= deadline && run.stopReason() === null) {
      await opts.onSlice?.({ theta: run.theta, state: () => run.state() });
      await new Promise<void>((resolve) => setImmediate(resolve));
      deadline = now() + sliceMs;
    }
  }
  rec.record(true);
  return run.result(rec.history, reason, net);
}

function initialStep(theta: Float64Array, g: Float64Array, rtol: number, atol: number): number {
  let d0 = 0, d1 = 0;
  for (let i = 0; i < theta.length; i++) {
    const sc = atol + rtol * Math.abs(theta[i]);
    d0 += (theta[i] / sc) ** 2;
    d1 += (g[i] / sc) ** 2;
  }
  d0 = Math.sqrt(d0 / theta.length); d1 = Math.sqrt(d1 / theta.length);
  const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  return h0 > 0 && Number.isFinite(h0) ? h0 : 1e-6; // tolerances so small that the scaled norms overflow
}

function scaledErrorNorm(err: Float64Array, a: Float64Array, b: Float64Array, rtol: number, atol: number): number {
  let m = 0;
  for (let i = 0; i < err.length; i++) {
    const r = Math.abs(err[i]) / (atol + rtol * Math.max(Math.abs(a[i]), Math.abs(b[i])));
    if (!(r <= m)) m = r; // NaN propagates as rejection
  }
  return m;
}

interface Stepper {
  /** Embedded (lower) order q of the error estimate. */
  order: number;
  /** One trial step of size h from θ (with g = ∇R(θ)): θ⁺ in `next`, local error estimate in `err`; false if the step is unusable. */
  step(theta: Float64Array, g: Float64Array, h: number, next: Float64Array, err: Float64Array): boolean;
}

function rosenbrockStepper(ev: Evaluator, P: number): Stepper {
  const gamma = 1 + Math.SQRT1_2;
  const H = new Float64Array(P * P), k1 = new Float64Array(P), k2 = new Float64Array(P), rhs = new Float64Array(P), c = new Float64Array(P), y = new Float64Array(P), g2 = new Float64Array(P);
  let system: { values: Float64Array; vectors: Float64Array } | null = null;
  let at: Float64Array | null = null;
  // (I + γhH)⁻¹ r in H's eigenbasis (vector j contiguous at j·P)
  const solve = (h: number, r: Float64Array, out: Float64Array): boolean => {
    const { values, vectors } = system!;
    for (let j = 0; j < P; j++) {
      const den = 1 + gamma * h * values[j];
      if (values[j] < 0 && Math.abs(den) < 0.1) return false;
      let s = 0;
      const q = vectors.subarray(j * P, (j + 1) * P);
      for (let i = 0; i < P; i++) s += q[i] * r[i];
      c[j] = s / den;
    }
    out.fill(0);
    for (let j = 0; j < P; j++) {
      const q = vectors.subarray(j * P, (j + 1) * P), cj = c[j];
      for (let i = 0; i < P; i++) out[i] += cj * q[i];
    }
    return true;
  };
  return {
    order: 1,
    step(theta, g, h, next, err) {
      if (at === null || !sameVector(at, theta)) { // one Hessian + eigenbasis per accepted point
        ev.hessian(theta, H);
        system = eigenSystem(H, P);
        at = Float64Array.from(theta);
      }
      for (let i = 0; i < P; i++) rhs[i] = -g[i];
      if (!solve(h, rhs, k1)) return false;
      for (let i = 0; i < P; i++) y[i] = theta[i] + h * k1[i];
      ev.lossAndGradient(y, g2);
      for (let i = 0; i < P; i++) rhs[i] = -g2[i] - 2 * k1[i];
      if (!solve(h, rhs, k2)) return false;
      for (let i = 0; i < P; i++) {
        next[i] = theta[i] + 1.5 * h * k1[i] + 0.5 * h * k2[i];
        err[i] = 0.5 * h * (k1[i] + k2[i]);
      }
      return true;
    },
  };
}

function sameVector(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Dormand–Prince 5(4) tableau (Hairer, Nørsett & Wanner, Table II.5.2)
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const B5 = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
const B4 = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40];

function dopriStepper(ev: Evaluator, P: number): Stepper {
  const K = Array.from({ length: 7 }, () => new Float64Array(P));
  const y = new Float64Array(P);
  return {
    order: 4,
    step(theta, g, h, next, err) {
      for (let i = 0; i < P; i++) K[0][i] = -g[i];
      for (let s = 1; s < 7; s++) {
        const a = A[s];
        for (let i = 0; i < P; i++) {
          let acc = theta[i];
          for (let r = 0; r < s; r++) acc += h * a[r] * K[r][i];
          y[i] = acc;
        }
        ev.lossAndGradient(y, K[s]);
        const ks = K[s];
        for (let i = 0; i < P; i++) ks[i] = -ks[i];
      }
      for (let i = 0; i < P; i++) {
        let hi = theta[i], e = 0;
        for (let s = 0; s < 7; s++) { hi += h * B5[s] * K[s][i]; e += h * (B5[s] - B4[s]) * K[s][i]; }
        next[i] = hi;
        err[i] = e;
      }
      return true;
    },
  };
}
