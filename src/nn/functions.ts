import type { Dataset } from "../data/dataset.js";
import { InputError } from "../util/errors.js";
import { layout, type Arch, type Net } from "./arch.js";
import { Evaluator, inputsOnly } from "./evaluator.js";

/**
 * One-shot conveniences over `Evaluator` (which they build and drop). Use an Evaluator directly
 * when evaluating many θ on the same data: it allocates its workspaces once.
 */

/** R_S(θ) = (1/n) Σ_i ℓ(f_θ(x_i), y_i) (SPEC §1.1). */
export function lossValue(net: Net, data: Dataset): number {
  return new Evaluator(net.arch, data).loss(net.theta);
}

/** ∇_θ R_S(θ) by backpropagation (SPEC §1.2). */
export function gradient(net: Net, data: Dataset): Float64Array {
  const g = new Float64Array(net.theta.length);
  new Evaluator(net.arch, data).lossAndGradient(net.theta, g);
  return g;
}

/** ∇²R_S(θ)·v, exact Pearlmutter R-op. */
export function hvp(net: Net, data: Dataset, v: Float64Array): Float64Array {
  const out = new Float64Array(net.theta.length);
  new Evaluator(net.arch, data).hvp(net.theta, v, out);
  return out;
}

/** The dense Hessian ∇²R_S(θ), P×P row-major. */
export function hessian(net: Net, data: Dataset): Float64Array {
  return new Evaluator(net.arch, data).hessian(net.theta);
}

/**
 * f_θ(x) for `n` inputs x (n×d row-major) — any inputs, not only training data — through the one
 * forward pass (an `Evaluator` on the inputs). Returns a fresh n×k array.
 */
export function predict(arch: Arch, theta: Float64Array, x: Float64Array, n: number): Float64Array {
  const { size } = layout(arch.widths);
  if (theta.length !== size) throw new InputError(`parameter vector has ${theta.length} entries, architecture needs ${size}`);
  if (x.length !== n * arch.widths[0]) throw new InputError(`inputs have ${x.length} numbers, expected ${n}×${arch.widths[0]}`);
  return new Evaluator(arch, inputsOnly(x, n, arch.widths[0], arch.widths[arch.widths.length - 1])).outputs(theta);
}
