import { InputError } from "../util/errors.js";

/** Most classes a label column may ask for (a label of 10⁹ is a mistake, not 10⁹ one-hot columns). */
export const MAX_CLASSES = 100_000;

/** Options for turning class labels into one-hot targets. */
export interface LabelOptions {
  /** The number of classes K (labels must be < K); default: the largest label + 1. */
  classes?: number;
}

/**
 * Integer class labels c_i ∈ {0, …, K−1} as one-hot targets for cross-entropy (SPEC §1.1: y_i = e_{c_i} ∈ ℝ^K,
 * the layout of `mnist` and `iris`). K = `classes` when given, else max_i c_i + 1 (so a class that never occurs
 * above the largest label present is not counted: give `classes` when the training file may lack the last class).
 * Every label must be an integer ≥ 0 (and < K), and K ≤ MAX_CLASSES; `where(i)` names row i in the one-line error.
 * `budget(K)` is called with the width before the n×K array is allocated (the loader's memory check).
 */
export function oneHotLabels(labels: ArrayLike<number>, where: (row: number) => string, opts: LabelOptions & { budget?: (classes: number) => void } = {}): { y: Float64Array; classes: number } {
  const n = labels.length;
  let max = -1;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0) throw new InputError(`${where(i)}: label ${c} is not a class number (an integer ≥ 0)`);
    if (c > max) max = c;
  }
  if (opts.classes !== undefined && (!Number.isSafeInteger(opts.classes) || opts.classes < 1 || opts.classes > MAX_CLASSES)) {
    throw new InputError(`classes must be an integer from 1 to ${MAX_CLASSES}, got ${opts.classes}`);
  }
  const K = opts.classes ?? max + 1;
  if (K > MAX_CLASSES) throw new InputError(`labels up to ${max} would make ${K} classes, more than ${MAX_CLASSES}`);
  for (let i = 0; i < n; i++) if (labels[i] >= K) throw new InputError(`${where(i)}: label ${labels[i]} is not below the number of classes ${K}`);
  opts.budget?.(K);
  const y = new Float64Array(n * K);
  for (let i = 0; i < n; i++) y[i * K + labels[i]] = 1;
  return { y, classes: K };
}
