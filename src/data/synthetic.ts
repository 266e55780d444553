import { InputError, quote } from "../util/errors.js";
import { datasetBytes, requireMemory } from "../util/memory.js";
import { makeDataset, type Dataset } from "./dataset.js";

/** Built-in 1-D target functions for `grid1d`. */
export const TARGETS_1D: Record<string, (x: number) => number> = {
  "cos2x": (x) => Math.cos(2 * x),
  "sin3x": (x) => Math.sin(3 * x),
  // SPEC §7 E2: ReLU(2x+0.6) − ReLU(x) + ReLU(0.5x−0.4) − ReLU(1.5x−0.6)
  "relu4": (x) => relu(2 * x + 0.6) - relu(x) + relu(0.5 * x - 0.4) - relu(1.5 * x - 0.6),
};
function relu(x: number): number { return x > 0 ? x : 0; }

/** n equally spaced inputs on [lo, hi] with targets y = f(x) (e.g. fixture B: cos2x on −2..2, n = 9). */
export function grid1d(f: string | ((x: number) => number), n: number, lo = -2, hi = 2): Dataset {
  const fn = typeof f === "string" ? (Object.hasOwn(TARGETS_1D, f) ? TARGETS_1D[f] : undefined) : f;
  if (!fn) throw new InputError(`unknown 1-D target ${quote(String(f), 40)} (expected ${Object.keys(TARGETS_1D).join(", ")})`);
  if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`grid size must be a positive integer, got ${n}`);
  requireMemory(datasetBytes(n, 1, 1), `a grid of ${n} points`);
  const x = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1);
    y[i] = fn(x[i]);
  }
  return makeDataset(x, y, { n, d: 1, k: 1 }, typeof f === "string" ? f : "grid1d");
}
