import { InputError, quote } from "../util/errors.js";
import { stripBom } from "../util/files.js";
import { numberText } from "../util/json.js";
import { makeDataset, type Dataset } from "./dataset.js";

/**
 * Parse a data CSV whose header names the input columns x1..xd and the target columns y1..yk
 * (any order; other columns are ignored). Every row must have every column and only finite numbers.
 */
export function parseDataCsv(text: string, name = "csv"): Dataset {
  const lines = stripBom(text).split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
  if (lines.length < 2) throw new InputError(`${name}: a data CSV needs a header line and at least one row`);
  const header = lines[0].split(",").map((h) => h.trim());
  const xCols = columnsNamed(header, "x");
  const yCols = columnsNamed(header, "y");
  if (xCols.length === 0) throw new InputError(`${name}: header has no input columns x1, x2, … (got ${quote(header.join(","))})`);
  if (yCols.length === 0) throw new InputError(`${name}: header has no target columns y1, y2, … (got ${quote(header.join(","))})`);
  const n = lines.length - 1, d = xCols.length, k = yCols.length;
  const x = new Float64Array(n * d), y = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1].split(",");
    if (cells.length !== header.length) throw new InputError(`${name}: line ${i + 2} has ${cells.length} fields, the header has ${header.length}`);
    const num = (c: number): number => {
      const s = cells[c].trim();
      const v = parseDecimal(s);
      if (!Number.isFinite(v)) throw new InputError(`${name}: line ${i + 2}, column ${quote(header[c], 30)} is not a finite number (${quote(s, 30)}; decimal notation only)`);
      return v;
    };
    for (let j = 0; j < d; j++) x[i * d + j] = num(xCols[j]);
    for (let j = 0; j < k; j++) y[i * k + j] = num(yCols[j]);
  }
  return makeDataset(x, y, { n, d, k }, name);
}

/**
 * A CSV cell as a decimal number: optional sign, digits with an optional fraction, optional exponent (`-1.5e-3`).
 * Everything else — `0x10`, `0b11`, `0o7`, `Infinity`, `1_000`, empty — is NaN (JavaScript's Number() would read
 * the first three as 16, 3 and 7).
 */
export function parseDecimal(s: string): number {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
}

/** Indices of columns named <prefix>1..<prefix>N, ordered by N; gaps are an error. */
function columnsNamed(header: string[], prefix: string): number[] {
  const found: [number, number][] = [];
  header.forEach((h, c) => {
    const m = new RegExp(`^${prefix}([1-9]\\d{0,5})$`).exec(h);
    if (m) found.push([Number(m[1]), c]);
  });
  found.sort((a, b) => a[0] - b[0]);
  found.forEach(([num], i) => {
    if (num !== i + 1) throw new InputError(`CSV header: expected column ${prefix}${i + 1}, found ${prefix}${String(num).slice(0, 20)}`);
  });
  return found.map(([, c]) => c);
}

/** Write a data set as CSV with header x1..xd,y1..yk (round-trips exactly). */
export function formatDataCsv(data: Dataset): string {
  const head = [...Array.from({ length: data.d }, (_, j) => `x${j + 1}`), ...Array.from({ length: data.k }, (_, j) => `y${j + 1}`)];
  const rows = [head.join(",")];
  for (let i = 0; i < data.n; i++) {
    const r: number[] = [];
    for (let j = 0; j < data.d; j++) r.push(data.x[i * data.d + j]);
    for (let j = 0; j < data.k; j++) r.push(data.y[i * data.k + j]);
    rows.push(r.map(numberText).join(","));
  }
  return rows.join("\n") + "\n";
}
