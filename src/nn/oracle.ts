/**
 * The one oracle contract: everything in embedscape that needs R(θ) or its derivatives goes through
 * an object of this shape, whatever engine computes it (the plain `Evaluator`, the batch-norm
 * evaluator, the sparse-input evaluator, fused tiny-net kernels).
 *
 * The math (SPEC §1.1–§1.2). One data set S = {(x_i, y_i)}_{i=1..n} is bound at construction;
 * θ ∈ ℝ^P is a flat parameter vector in the engine's own layout (SPEC §1.3 for plain nets):
 *
 *   R(θ)      = (1/n) Σ_i ℓ(f_θ(x_i), y_i)                               (`loss`)
 *   ∇R(θ)     = (1/n) Σ_i J_iᵀ ∇_fℓ_i,  J_i = ∂f_θ(x_i)/∂θ             (`lossAndGradient`)
 *   ∇²R(θ)·v  = (1/n) Σ_i [J_iᵀ ∇²_fℓ_i J_i v + Σ_c (∇_fℓ_i)_c ∇²f_{i,c} v]   (`hvp`, exact: an R-op)
 *   ∇²R(θ)    = the P×P matrix of the same bilinear form, symmetric          (`hessian`)
 *
 * with ℓ_i = ℓ(f_θ(x_i), y_i). Per-sample quantities (`outputs`, `sampleLossGradients`) are the
 * f_θ(x_i) and ∇_fℓ_i of the same pass, rows = samples. For layered nets (`LayeredOracle`) the
 * hidden quantities of SPEC §1.2 are exposed too: h^[l] (pre-activations), f^[l] (features) and
 * the back-propagated errors δ^[l] = ∂ℓ_i/∂h^[l] (per sample, *unscaled*: not divided by n).
 *
 * Rules every implementation keeps (and `src/testing/oracle-check.ts` verifies):
 * - float64, exact (no finite differences); `hessian` is symmetric to rounding and equals the
 *   column-wise `hvp`; every derivative agrees with central differences of the level below.
 * - Workspaces are allocated once per oracle: after construction `loss`, `lossAndGradient`, `hvp`,
 *   `hessian` (into the caller's `out`) allocate nothing proportional to n or P.
 * - Returned arrays marked "view" belong to the oracle and are valid until its next call.
 * - Deterministic: the same θ gives bit-identical results on repeated calls.
 */
export interface Oracle {
  /** Number of parameters P (length of every θ, gradient and direction). */
  readonly P: number;
  /** Number of samples n bound at construction. */
  readonly n: number;
  /** Output dimension k of f_θ (columns of `outputs`). */
  readonly outputDim: number;

  /** R(θ). */
  loss(theta: Float64Array): number;
  /** R(θ), with ∇R(θ) written to `grad` (length P). */
  lossAndGradient(theta: Float64Array, grad: Float64Array): number;
  /** out = ∇²R(θ)·v (exact R-op; `out` length P). */
  hvp(theta: Float64Array, v: Float64Array, out: Float64Array): void;
  /**
   * The dense Hessian ∇²R(θ), P×P row-major, written into `out` (length ≥ P², allocated when
   * omitted) and returned. Exact and symmetric.
   */
  hessian(theta: Float64Array, out?: Float64Array): Float64Array;

  /** f_θ(x_i), n×k row-major (view). */
  outputs(theta: Float64Array): Float64Array;
  /** ∇_fℓ(f_θ(x_i), y_i) per sample, n×k row-major, not divided by n (view). */
  sampleLossGradients(theta: Float64Array): Float64Array;
}

/**
 * An oracle over a layered net with a hidden pre-activation → activation structure (plain MLPs,
 * SPEC §1.1): exposes the SPEC §1.2 per-sample quantities of every layer. Layer indices are
 * 1-based as in the SPEC: hidden layers 1..L−1, output layer L, f^[0] = x.
 */
export interface LayeredOracle extends Oracle {
  /** Number of layers L (widths.length − 1). */
  readonly L: number;
  /** Widths m_0..m_L. */
  readonly widths: readonly number[];
  /** h^[l] (n×m_l) of hidden layer l, the activation's input (view). */
  preActivations(theta: Float64Array, l: number): Float64Array;
  /** f^[l] (n×m_l) for l = 0..L (f^[0] = inputs, f^[L] = outputs) (view). */
  features(theta: Float64Array, l: number): Float64Array;
  /** δ^[l] = ∂ℓ_i/∂h^[l] per sample (n×m_l, unscaled), l = 1..L (view). */
  errors(theta: Float64Array, l: number): Float64Array;
}

/**
 * An oracle that can cache the forward/backward state at one θ, so that many Hessian-vector
 * products there (Lanczos, Hessian columns) skip the repeated passes. `at(θ)` returns R(θ) and is a
 * no-op when θ is unchanged; any other evaluation may invalidate the cache.
 */
export interface CachingOracle extends Oracle {
  at(theta: Float64Array): number;
  /** ∇R at the θ of the last `at` call (view). */
  cachedGradient(): Float64Array;
}

/** True when `o` exposes the layered per-sample quantities. */
export function isLayered(o: Oracle): o is LayeredOracle {
  return typeof (o as Partial<LayeredOracle>).errors === "function" && typeof (o as Partial<LayeredOracle>).features === "function";
}
