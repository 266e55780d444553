import { gunzipSync } from "node:zlib";
import { oneLine } from "../util/one-line.js";
import { readFileSync } from "node:fs";
import { InputError } from "../util/errors.js";
import type { Dataset } from "./dataset.js";

/**
 * IDX files (the MNIST / FashionMNIST container, http://yann.lecun.com/exdb/mnist/):
 *   bytes 0–1  zero, byte 2  element type (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64),
 *   byte 3  number of dimensions D, then D big-endian u32 sizes, then the elements, big-endian, row-major.
 * Gzipped files (magic 1f 8b) are inflated first, with the output capped (MAX_IDX_BYTES), so a gzip bomb is an error.
 * The file must hold exactly header + Π sizes × element bytes.
 */

export type IdxType = "u8" | "i8" | "i16" | "i32" | "f32" | "f64";

export interface IdxArray {
  readonly type: IdxType;
  /** Full shape as stated in the file (even when only the first `limit` items were decoded). */
  readonly shape: readonly number[];
  /** Number of items (along dimension 0) decoded into `data`. */
  readonly items: number;
  /** Elements of the first `items` items, row-major. u8 data is a view into the (inflated) file, no copy. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, [IdxType, number]> = { 0x08: ["u8", 1], 0x09: ["i8", 1], 0x0b: ["i16", 2], 0x0c: ["i32", 4], 0x0d: ["f32", 4], 0x0e: ["f64", 8] };

/** Largest inflated IDX file accepted (1 GiB; FashionMNIST's training images are 47 MB). */
export const MAX_IDX_BYTES = 1 << 30;

/** Inflate gzip bytes (magic 1f 8b); anything else is returned as is. */
export function maybeGunzip(bytes: Uint8Array, name: string, maxBytes = MAX_IDX_BYTES): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE") throw new InputError(`${name}: inflates to more than ${maxBytes} bytes`);
    throw new InputError(`${name}: corrupt gzip data (${code ?? (e as Error).message.split("\n")[0]})`);
  }
}

/**
 * Parse IDX bytes (raw or gzipped). `limit` decodes only the first `limit` items along dimension 0 (the
 * whole file is still size-checked). Every defect is a one-line InputError.
 */
export function readIdx(input: Uint8Array, name = "idx", opts: { limit?: number } = {}): IdxArray {
  const fail = (msg: string): never => { throw new InputError(oneLine(`${name}: ${msg}`)); };
  const bytes = maybeGunzip(input, name);
  if (bytes.length < 4) fail(`file is ${bytes.length} bytes, too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`not an IDX file (magic starts ${hex(bytes[0])} ${hex(bytes[1])}, expected 00 00)`);
  const t = TYPES[bytes[2]];
  if (!t) return fail(`unknown IDX element type ${hex(bytes[2])} (expected 08, 09, 0b, 0c, 0d or 0e)`);
  const [type, width] = t;
  const D = bytes[3];
  if (D < 1) fail("IDX file has 0 dimensions");
  const dataStart = 4 + 4 * D;
  if (bytes.length < dataStart) fail(`file is ${bytes.length} bytes, too short for ${D} dimension sizes (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < D; i++) {
    const s = view.getUint32(4 + 4 * i, false);
    shape.push(s);
    count *= s;
  }
  const need = count * width, have = bytes.length - dataStart;
  if (need !== have) fail(`shape ${shape.join("×")} of ${type} needs ${need} data bytes but the file has ${have}${have < need ? " (truncated?)" : ""}`);
  const limit = opts.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) fail(`cannot read ${limit} items`);
  const items = limit === undefined ? shape[0] : Math.min(limit, shape[0]);
  const per = shape[0] === 0 ? 0 : count / shape[0];
  const m = items * per;
  if (type === "u8") return { type, shape, items, data: bytes.subarray(dataStart, dataStart + m) };
  const data = type === "i8" ? new Int8Array(m) : type === "i16" ? new Int16Array(m) : type === "i32" ? new Int32Array(m) : type === "f32" ? new Float32Array(m) : new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const p = dataStart + width * i;
    const v = type === "i8" ? view.getInt8(p) : type === "i16" ? view.getInt16(p, false) : type === "i32" ? view.getInt32(p, false)
      : type === "f32" ? view.getFloat32(p, false) : view.getFloat64(p, false);
    if (!Number.isFinite(v)) fail(`element ${i} is not finite (${v})`);
    data[i] = v;
  }
  return { type, shape, items, data };
}

/** Write an IDX file (big-endian, uncompressed) — for tests and for exporting data. */
export function writeIdx(type: IdxType, shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const width = Object.values(TYPES).find(([t]) => t === type)![1];
  const code = Number(Object.entries(TYPES).find(([, [t]]) => t === type)![0]);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new InputError(`IDX shape ${shape.join("×")} needs ${count} values, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * shape.length + width * count);
  const view = new DataView(out.buffer);
  out[2] = code; out[3] = shape.length;
  shape.forEach((s, i) => view.setUint32(4 + 4 * i, s, false));
  const p0 = 4 + 4 * shape.length;
  for (let i = 0; i < count; i++) {
    const p = p0 + width * i, v = data[i];
    if (type === "u8") view.setUint8(p, v); else if (type === "i8") view.setInt8(p, v); else if (type === "i16") view.setInt16(p, v, false);
    else if (type === "i32") view.setInt32(p, v, false); else if (type === "f32") view.setFloat32(p, v, false); else view.setFloat64(p, v, false);
  }
  return out;
}

/**
 * An image/label IDX pair as a classification Dataset: x = pixels / 255 ∈ [0, 1] (images must be u8, any
 * number of dimensions ≥ 2; each item is flattened), y = one-hot labels over `classes` classes (labels must be
 * 1-D integers in [0, classes)). `limit` keeps the first `limit` items. `classes` defaults to max label + 1
 * over the whole label file.
 */
export function idxPairToDataset(
  images: Uint8Array, labels: Uint8Array,
  opts: { limit?: number; classes?: number; name?: string; imagesName?: string; labelsName?: string } = {},
): Dataset {
  const iName = opts.imagesName ?? "images", lName = opts.labelsName ?? "labels";
  const img = readIdx(images, iName, { limit: opts.limit });
  const lab = readIdx(labels, lName);
  if (img.type !== "u8") throw new InputError(`${iName}: images must be unsigned bytes (type 08), got ${img.type}`);
  if (img.shape.length < 2) throw new InputError(`${iName}: images need at least 2 dimensions (count × pixels), got ${img.shape.length}`);
  if (lab.shape.length !== 1) throw new InputError(`${lName}: labels must be 1-D, got shape ${lab.shape.join("×")}`);
  if (lab.type === "f32" || lab.type === "f64") throw new InputError(`${lName}: labels must be integers, got ${lab.type}`);
  if (lab.shape[0] !== img.shape[0]) throw new InputError(`${iName} has ${img.shape[0]} images but ${lName} has ${lab.shape[0]} labels`);
  let maxLabel = -1;
  for (let i = 0; i < lab.data.length; i++) {
    const v = lab.data[i];
    if (v < 0) throw new InputError(`${lName}: label ${i} is negative (${v})`);
    if (v > maxLabel) maxLabel = v;
  }
  const k = opts.classes ?? maxLabel + 1;
  if (!Number.isInteger(k) || k < 1) throw new InputError(`${lName}: cannot one-hot encode into ${k} classes`);
  if (maxLabel >= k) throw new InputError(`${lName}: label ${maxLabel} is out of range for ${k} classes`);
  const n = img.items;
  if (n === 0) throw new InputError(`${iName}: no images to read`);
  const d = img.shape.slice(1).reduce((a, b) => a * b, 1);
  if (d === 0) throw new InputError(`${iName}: images have no pixels`);
  const x = new Float64Array(n * d), y = new Float64Array(n * k);
  for (let i = 0; i < n * d; i++) x[i] = img.data[i] / 255;
  for (let i = 0; i < n; i++) y[i * k + lab.data[i]] = 1;
  return { n, d, k, x, y, name: opts.name };
}

/** Read an images/labels IDX pair from files (gzipped or raw) — see idxPairToDataset. */
export function loadIdxPair(imagesPath: string, labelsPath: string, opts: { limit?: number; classes?: number; name?: string } = {}): Dataset {
  return idxPairToDataset(readFile(imagesPath), readFile(labelsPath), { ...opts, imagesName: imagesPath, labelsName: labelsPath });
}

function readFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const hex = (b: number | undefined): string => (b === undefined ? "--" : b.toString(16).padStart(2, "0"));
