import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError, quote } from "../util/errors.js";
import { readText, stripBom } from "../util/files.js";
import { parseDecimal } from "./csv.js";
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
  return parseIrisCsv(readText(path), "iris");
}

/**
 * Parse the Iris CSV (header sepal_length,sepal_width,petal_length,petal_width,species; species as 0/1/2 or a
 * name such as Iris-setosa, numbered in order of appearance): 4 inputs, 3 one-hot targets.
 */
export function parseIrisCsv(text: string, name = "iris"): Dataset {
  const lines = stripBom(text).split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((s) => s.trim().toLowerCase());
  const expected = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"];
  if (header.join(",") !== expected.join(",")) throw new InputError(`${name}: expected header ${expected.join(",")}, got ${quote(header.join(","))}`);
  const names = new Map<string, number>();
  const x: number[] = [], y: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(",").map((s) => s.trim());
    if (cells.length !== 5) throw new InputError(`${name}: line ${i + 1} has ${cells.length} fields, expected 5`);
    for (let j = 0; j < 4; j++) {
      const v = parseDecimal(cells[j]);
      if (!Number.isFinite(v)) throw new InputError(`${name}: line ${i + 1}, column ${expected[j]} is not a finite number (${quote(cells[j], 30)})`);
      x.push(v);
    }
    let c: number;
    if (/^[0-2]$/.test(cells[4])) c = Number(cells[4]);
    else {
      const key = cells[4].toLowerCase().replace(/^iris-/, "");
      if (!/^[a-z]+$/.test(key)) throw new InputError(`${name}: line ${i + 1}, species ${quote(cells[4], 30)} is neither 0, 1, 2 nor a name`);
      if (!names.has(key)) names.set(key, names.size);
      c = names.get(key)!;
      if (c > 2) throw new InputError(`${name}: more than 3 species (line ${i + 1}: ${quote(cells[4], 30)})`);
    }
    y.push(c === 0 ? 1 : 0, c === 1 ? 1 : 0, c === 2 ? 1 : 0);
  }
  const n = lines.length - 1;
  if (n < 1) throw new InputError(`${name}: no rows`);
  return makeDataset(x, y, { n, d: 4, k: 3 }, name);
}
