import type { Dataset } from "../data/dataset.js";
import type { Arch } from "../nn/arch.js";
import { Evaluator, inputsOnly } from "../nn/evaluator.js";
import { loss as lossByName } from "../nn/losses.js";
import { InputError } from "../util/errors.js";

/**
 * The oracle (nn/oracle.ts: loss, gradient, exact HVP, dense Hessian, per-sample quantities) of a net of any
 * depth for data with mostly-zero inputs such as MNIST (≈80 % zero pixels): the `Evaluator` with its inputs stored
 * once in compressed sparse rows, so the first layer's products H = X W1ᵀ, ∇W1 = (1/n)δ1ᵀ X and the R-op's X V1ᵀ
 * cost O(nnz·m) instead of O(n·d·m) (SPEC §1.1–§1.2, same θ layout). Allocation-free after construction.
 */
export class SparseInputOracle extends Evaluator {
  constructor(arch: Arch, data: Dataset) {
    super(arch, data, { sparseInputs: true });
  }
}

/** The sparse-input oracle under its former name (it now takes any depth). */
export const SparseTwoLayerOracle = SparseInputOracle;
export type SparseTwoLayerOracle = SparseInputOracle;

/**
 * f_θ(x) for n inputs (n×d row-major), any depth, through the sparse-input oracle (zero inputs skipped in the
 * first layer). Same values as `predict` up to summation order.
 */
export function outputsSkippingZeros(arch: Arch, theta: Float64Array, x: Float64Array, n: number): Float64Array {
  const k = arch.widths[arch.widths.length - 1];
  if (x.length !== n * arch.widths[0]) throw new InputError(`inputs have ${x.length} numbers, expected ${n}×${arch.widths[0]}`);
  return new SparseInputOracle(arch, inputsOnly(x, n, arch.widths[0], k)).outputs(theta);
}

/** R = (1/n) Σ_i ℓ(f_i, y_i) from precomputed outputs (n×k). */
export function lossFromOutputs(lossName: string, f: Float64Array, y: Float64Array, n: number, k: number): number {
  const L = lossByName(lossName);
  let s = 0;
  for (let i = 0; i < n; i++) s += L.value(f, i * k, y, i * k, k);
  return s / n;
}
