import { InputError } from "../util/errors.js";

/**
 * Per-sample loss ℓ(f, y) with its gradient and Hessian-vector product in f (SPEC §1.1, §1.3).
 * All kernels work on one sample of k outputs at explicit offsets and allocate nothing.
 */
export interface Loss {
  readonly name: LossName;
  /** ℓ(f, y). */
  value(f: Float64Array, fo: number, y: Float64Array, yo: number, k: number): number;
  /** out = ∇_f ℓ(f, y) (the error vector z^[L]). */
  grad(f: Float64Array, fo: number, y: Float64Array, yo: number, k: number, out: Float64Array, oo: number): void;
  /** out = ∇²_f ℓ(f, y) · v. */
  hessVec(f: Float64Array, fo: number, y: Float64Array, yo: number, k: number,
    v: Float64Array, vo: number, out: Float64Array, oo: number): void;
}

export type LossName = "mse" | "cross-entropy";
/** Aliases `loss()` also accepts for cross-entropy. */
export type LossAlias = "ce" | "crossentropy";
export const LOSS_NAMES: readonly LossName[] = ["mse", "cross-entropy"];

/** ℓ = ½‖f − y‖² (so R = (1/n)Σ½‖f(x_i) − y_i‖², the SPEC convention); ∇ℓ = f − y; ∇²ℓ = I. */
const mse: Loss = {
  name: "mse",
  value(f, fo, y, yo, k) {
    let s = 0;
    for (let j = 0; j < k; j++) { const e = f[fo + j] - y[yo + j]; s += e * e; }
    return 0.5 * s;
  },
  grad(f, fo, y, yo, k, out, oo) {
    for (let j = 0; j < k; j++) out[oo + j] = f[fo + j] - y[yo + j];
  },
  hessVec(_f, _fo, _y, _yo, k, v, vo, out, oo) {
    for (let j = 0; j < k; j++) out[oo + j] = v[vo + j];
  },
};

/**
 * Softmax cross-entropy ℓ = −Σ_j y_j log p_j, p = softmax(f); y one-hot or any non-negative
 * weights with s = Σ_j y_j: ∇ℓ = s·p − y, ∇²ℓ = s·(diag p − p pᵀ). Stable log-sum-exp.
 */
function crossEntropy(): Loss {
  let p = new Float64Array(16);
  const softmax = (f: Float64Array, fo: number, k: number): number => {
    if (p.length < k) p = new Float64Array(k);
    let mx = -Infinity;
    for (let j = 0; j < k; j++) mx = Math.max(mx, f[fo + j]);
    let z = 0;
    for (let j = 0; j < k; j++) { const e = Math.exp(f[fo + j] - mx); p[j] = e; z += e; }
    for (let j = 0; j < k; j++) p[j] /= z;
    return mx + Math.log(z); // log-sum-exp
  };
  return {
    name: "cross-entropy",
    value(f, fo, y, yo, k) {
      let mx = -Infinity;
      for (let j = 0; j < k; j++) mx = Math.max(mx, f[fo + j]);
      let z = 0;
      for (let j = 0; j < k; j++) z += Math.exp(f[fo + j] - mx);
      const lse = mx + Math.log(z);
      let s = 0;
      for (let j = 0; j < k; j++) { const yj = y[yo + j]; if (yj !== 0) s += yj * (lse - f[fo + j]); }
      return s;
    },
    grad(f, fo, y, yo, k, out, oo) {
      softmax(f, fo, k);
      let s = 0;
      for (let j = 0; j < k; j++) s += y[yo + j];
      for (let j = 0; j < k; j++) out[oo + j] = s * p[j] - y[yo + j];
    },
    hessVec(f, fo, y, yo, k, v, vo, out, oo) {
      softmax(f, fo, k);
      let s = 0, pv = 0;
      for (let j = 0; j < k; j++) { s += y[yo + j]; pv += p[j] * v[vo + j]; }
      for (let j = 0; j < k; j++) out[oo + j] = s * p[j] * (v[vo + j] - pv);
    },
  };
}

/** Look up a loss by name ("mse", "cross-entropy" or its alias "ce"). */
export function loss(name: string): Loss {
  if (name === "mse") return mse;
  if (name === "cross-entropy" || name === "ce" || name === "crossentropy") return crossEntropy();
  throw new InputError(`unknown loss "${name}" (expected mse or cross-entropy)`);
}

/** Canonical loss name for aliases. */
export function canonicalLossName(name: string): LossName {
  return loss(name).name;
}
