import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../util/errors.js";
import { makeDataset, type Dataset } from "./dataset.js";

/** Path of the bundled Fisher Iris CSV (data/iris.csv at the package root). */
export function irisPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "data", "iris.csv");
}

/**
 * Fisher's Iris data (SPEC §7 E5b): 150 rows, inputs = the four measurements in cm (as given, unscaled),
 * targets = one-hot species (3 outputs), from the bundled data/iris.csv (header sepal_length,…,species).
 */
export function loadIris(path = irisPath()): Dataset {
  let text: string;
  try { text = readFileSync(path, "utf8"); } catch { throw new InputError(`Iris data not found at ${path}`); }
  const rows = text.trim().split(/\r?\n/).slice(1).map((l) => l.split(",").map(Number));
  if (rows.length === 0 || rows.some((r) => r.length !== 5 || r.some((v) => !Number.isFinite(v)) || ![0, 1, 2].includes(r[4]))) {
    throw new InputError(`${path}: expected rows of four numbers and a species 0, 1 or 2`);
  }
  const x: number[] = [], y: number[] = [];
  for (const r of rows) { x.push(r[0], r[1], r[2], r[3]); y.push(...[0, 1, 2].map((c) => (c === r[4] ? 1 : 0))); }
  return makeDataset(x, y, { n: rows.length, d: 4, k: 3 }, "iris");
}
