import { InputError } from "../util/errors.js";

/**
 * A data set S = {(x_i, y_i)}_{i=1}^n (SPEC §1.1): inputs x (n×d) and targets y (n×k),
 * both flat row-major Float64Arrays. `heldOut` optionally carries a test split.
 */
export interface Dataset {
  readonly n: number;
  readonly d: number;
  readonly k: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly name?: string;
  readonly heldOut?: Dataset;
}

/** Build a data set from nested arrays or flat arrays, checking shapes and finiteness. */
export function makeDataset(
  x: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
  y: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
  shape?: { n: number; d: number; k: number },
  name?: string,
): Dataset {
  const X = flatten(x, "x", shape ? { n: shape.n, cols: shape.d } : undefined);
  const Y = flatten(y, "y", shape ? { n: shape.n, cols: shape.k } : undefined);
  if (X.n !== Y.n) throw new InputError(`data has ${X.n} inputs but ${Y.n} targets`);
  if (X.n === 0) throw new InputError("data set is empty");
  return { n: X.n, d: X.cols, k: Y.cols, x: X.data, y: Y.data, name };
}

function flatten(a: ArrayLike<number> | ArrayLike<ArrayLike<number>>, what: string, shape?: { n: number; cols: number }): { n: number; cols: number; data: Float64Array } {
  if (shape) {
    if (!(a instanceof Float64Array)) for (let i = 0; i < a.length; i++) if (typeof a[i] !== "number") throw new InputError(`${what}[${i}] is not a number`);
    if (a.length !== shape.n * shape.cols) throw new InputError(`${what} has ${a.length} numbers, expected ${shape.n}×${shape.cols}`);
    const data = Float64Array.from(a as ArrayLike<number>);
    checkFinite(data, what, shape.cols);
    return { n: shape.n, cols: shape.cols, data };
  }
  const n = a.length;
  if (n === 0) return { n: 0, cols: 0, data: new Float64Array(0) };
  const first = a[0];
  if (typeof first === "number") {
    // a column vector given as a flat list: every entry must be a number (Float64Array.from would read [] as 0, [7] as 7)
    for (let i = 0; i < n; i++) if (typeof a[i] !== "number") throw new InputError(`${what}[${i}] is a list but ${what}[0] is a number (give all rows as numbers or all as lists)`);
    const data = Float64Array.from(a as ArrayLike<number>);
    checkFinite(data, what, 1);
    return { n, cols: 1, data };
  }
  const rows = a as ArrayLike<ArrayLike<number>>;
  const cols = (first as ArrayLike<number>)?.length;
  if (!cols) throw new InputError(`${what}[0] is not a non-empty list of numbers`);
  const data = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (!r || typeof r === "number" || r.length !== cols) throw new InputError(`${what}[${i}] has ${r && typeof r !== "number" ? r.length : 0} entries, expected ${cols}`);
    for (let j = 0; j < cols; j++) {
      const v = r[j];
      if (typeof v !== "number") throw new InputError(`${what}[${i}][${j}] is not a number`);
      data[i * cols + j] = v;
    }
  }
  checkFinite(data, what, cols);
  return { n, cols, data };
}

function checkFinite(data: Float64Array, what: string, cols: number): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InputError(`${what} row ${Math.floor(i / cols) + 1}, column ${(i % cols) + 1} is not a finite number (${data[i]})`);
    }
  }
}

/** The first `count` rows of a data set (and the rest as `heldOut`). */
export function splitDataset(data: Dataset, count: number): Dataset {
  if (!Number.isInteger(count) || count < 1 || count > data.n) throw new InputError(`cannot take ${count} training rows from a data set of ${data.n}`);
  const take = (from: number, to: number): Dataset => ({
    n: to - from, d: data.d, k: data.k,
    x: data.x.slice(from * data.d, to * data.d), y: data.y.slice(from * data.k, to * data.k), name: data.name,
  });
  const train = take(0, count);
  return count < data.n ? { ...train, heldOut: take(count, data.n) } : train;
}
