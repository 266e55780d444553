/** Shared test helpers (not part of the public API): finite differences and tolerance asserts. */
import assert from "node:assert/strict";
import { makeDataset, type Dataset } from "../data/dataset.js";
import { Rng } from "../util/rng.js";

/** Central finite difference of f at x along every coordinate (step h), returns the gradient. */
export function fdGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  const y = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    y[i] = x[i] + h;
    const fp = f(y);
    y[i] = x[i] - h;
    const fm = f(y);
    y[i] = x[i];
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Assert |a_i − b_i| ≤ atol + rtol·|b_i| for all i, naming the first failing index. */
export function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol = 0, what = "value"): void {
  assert.equal(a.length, b.length, `${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const tol = atol + rtol * Math.abs(b[i]);
    if (!(Math.abs(a[i] - b[i]) <= tol)) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]} (|diff| ${Math.abs(a[i] - b[i])} > ${tol})`);
  }
}

/** Assert a scalar is within tolerance. */
export function assertNear(a: number, b: number, atol: number, what = "value"): void {
  if (!(Math.abs(a - b) <= atol)) assert.fail(`${what}: ${a} vs ${b} (|diff| ${Math.abs(a - b)} > ${atol})`);
}

/** Random data set: inputs N(0, 1); targets N(0, 1) for mse, one-hot for cross-entropy. */
export function randomData(d: number, k: number, n: number, lossName: string, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = rng.fillNormal(new Float64Array(n * d));
  const y = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    if (lossName === "mse") for (let j = 0; j < k; j++) y[i * k + j] = rng.normal();
    else y[i * k + rng.int(k)] = 1;
  }
  return makeDataset(x, y, { n, d, k });
}
