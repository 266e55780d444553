import type { Dataset } from "../data/dataset.js";
import { InputError } from "../util/errors.js";
import { activation } from "./activations.js";
import { layout, type Arch, type Net } from "./arch.js";
import { Evaluator } from "./evaluator.js";

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
 * f_θ(x) for `n` inputs x (n×d row-major) — any inputs, not only training data.
 * Plain loops; for repeated evaluation on one data set use Evaluator.outputs.
 */
export function predict(arch: Arch, theta: Float64Array, x: Float64Array, n: number): Float64Array {
  const { layers, size } = layout(arch.widths);
  if (theta.length !== size) throw new InputError(`parameter vector has ${theta.length} entries, architecture needs ${size}`);
  if (x.length !== n * arch.widths[0]) throw new InputError(`inputs have ${x.length} numbers, expected ${n}×${arch.widths[0]}`);
  const act = activation(arch.activation);
  let a = x;
  for (let l = 0; l < layers.length; l++) {
    const { rows, cols, w, b } = layers[l];
    const h = new Float64Array(n * rows);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < rows; r++) {
        let s = theta[b + r];
        for (let c = 0; c < cols; c++) s += theta[w + r * cols + c] * a[i * cols + c];
        h[i * rows + r] = l === layers.length - 1 ? s : act.f(s);
      }
    }
    a = h;
  }
  return a;
}
