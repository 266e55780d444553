import { predict } from "../nn/functions.js";
import type { Net } from "../nn/arch.js";
import { Rng } from "../util/rng.js";
import { InputError } from "../util/errors.js";
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
  const fn = typeof f === "string" ? TARGETS_1D[f] : f;
  if (!fn) throw new InputError(`unknown 1-D target "${f}" (expected ${Object.keys(TARGETS_1D).join(", ")})`);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`grid size must be a positive integer, got ${n}`);
  const xs = Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)));
  return makeDataset(xs, xs.map(fn), undefined, typeof f === "string" ? f : "grid1d");
}

/** Inputs x ~ N(0, I) (seeded) labelled by a teacher network: y = f_teacher(x) (+ optional noise). */
export function teacherData(teacher: Net, n: number, opts: { seed?: number; noise?: number } = {}): Dataset {
  const rng = new Rng(opts.seed ?? 0);
  const d = teacher.arch.widths[0];
  const x = rng.fillNormal(new Float64Array(n * d));
  const y = predict(teacher.arch, teacher.theta, x, n);
  if (opts.noise) for (let i = 0; i < y.length; i++) y[i] += opts.noise * rng.normal();
  const k = teacher.arch.widths[teacher.arch.widths.length - 1];
  return makeDataset(x, y, { n, d, k }, "teacher");
}
