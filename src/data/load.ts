import { existsSync, readFileSync } from "node:fs";
import { InputError } from "../util/errors.js";
import { parseDataCsv } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { parseDataJson } from "./json.js";
import { FASHION_MNIST_DIR, loadFashionMnist } from "./fashion-mnist.js";
import { loadIris } from "./iris.js";
import { grid1d } from "./synthetic.js";

/**
 * Resolve a data spec as used on the command line:
 *  - a path ending in .csv or .json;
 *  - `grid:<target>:<n>[:<lo>:<hi>]` for a 1-D synthetic grid (e.g. grid:cos2x:9 = fixture B's data);
 *  - `iris` — Fisher's Iris (150 rows, 4 inputs, one-hot 3 classes; data/iris.csv);
 *  - `fashion-mnist[:<dir>][:<n>]` — the first n (default 1000) FashionMNIST training images from the IDX files
 *    in <dir> (default /usr/share/datasets/fashion-mnist), the t10k test set as heldOut.
 */
export function loadDataset(spec: string): Dataset {
  if (spec === "iris") return loadIris();
  if (spec === "fashion-mnist" || spec.startsWith("fashion-mnist:")) return fashionMnistSpec(spec);
  if (spec.startsWith("grid:")) {
    const [, target, n, lo, hi] = spec.split(":");
    const num = (s: string | undefined, dflt: number): number => {
      if (s === undefined) return dflt;
      const v = Number(s);
      if (!Number.isFinite(v)) throw new InputError(`data spec "${spec}": "${s}" is not a number`);
      return v;
    };
    return grid1d(target, num(n, 9), num(lo, -2), num(hi, 2));
  }
  if (spec.toLowerCase().endsWith(".csv")) return parseDataCsv(readText(spec), spec);
  if (spec.toLowerCase().endsWith(".json")) return parseDataJson(readText(spec), spec);
  throw new InputError(`data "${spec}": unknown format (expected a .csv or .json file, grid:<target>:<n>, iris or fashion-mnist:<dir>:<n>)`);
}

function fashionMnistSpec(spec: string): Dataset {
  let rest = spec.slice("fashion-mnist".length + 1);
  let n = 1000;
  const m = /(?:^|:)(\d+)$/.exec(rest);
  if (m) { n = Number(m[1]); rest = rest.slice(0, rest.length - m[0].length); }
  else if (/:[^/]*$/.test(rest) && !existsSync(rest)) throw new InputError(`data spec "${spec}": expected fashion-mnist:<dir>:<count>`);
  return loadFashionMnist(rest === "" ? FASHION_MNIST_DIR : rest, n);
}

/** Read a UTF-8 file, turning a missing/unreadable file into a one-line InputError. */
export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(`cannot read "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
