import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { InputError } from "../util/errors.js";
import { makeDataset, type Dataset } from "./dataset.js";

/** An IDX array (MNIST format): dims and the values in C order (u8 files stay a Uint8Array view, others float64). */
export interface IdxArray { dims: number[]; data: Float64Array | Uint8Array; dtype: string }

const DTYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: "u8", size: 1 }, 0x09: { name: "i8", size: 1 }, 0x0b: { name: "i16", size: 2 },
  0x0c: { name: "i32", size: 4 }, 0x0d: { name: "f32", size: 4 }, 0x0e: { name: "f64", size: 8 },
};

/** Largest decompressed IDX file accepted (FashionMNIST train images are 47 MB). */
export const MAX_IDX_BYTES = 1 << 30;

/**
 * Read an IDX file (big-endian; magic 0x0000, dtype byte, number of dims, dims as u32), gzipped (detected by the
 * 0x1f 0x8b prefix) or raw. Validates the magic, dtype byte, dims and that the data size matches exactly.
 */
export function readIdx(bytes: Uint8Array, name = "idx"): IdxArray {
  const fail = (msg: string): never => { throw new InputError(`${name}: ${msg}`); };
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_IDX_BYTES });
    } catch (e) {
      return fail(`corrupt gzip data (${(e as Error).message.split("\n")[0]})`);
    }
  }
  if (bytes.length < 4) fail(`file too short for an IDX header (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail("not an IDX file (magic must start with two zero bytes)");
  const t = DTYPES[bytes[2]] ?? fail(`unknown IDX dtype byte 0x${bytes[2].toString(16).padStart(2, "0")}`);
  const nd = bytes[3];
  if (nd < 1 || nd > 4) fail(`IDX file has ${nd} dimensions (expected 1 to 4)`);
  const hdr = 4 + 4 * nd;
  if (bytes.length < hdr) fail(`file too short for ${nd} IDX dimensions`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(dv.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count * t.size) || bytes.length - hdr !== count * t.size) {
    fail(`dims ${dims.join("×")} of ${t.name} need ${count * t.size} data bytes, file has ${bytes.length - hdr}`);
  }
  if (t.name === "u8") return { dims, data: bytes.subarray(hdr, hdr + count), dtype: t.name };
  const data = new Float64Array(count);
  switch (t.name) {
    case "i8": for (let i = 0; i < count; i++) data[i] = dv.getInt8(hdr + i); break;
    case "i16": for (let i = 0; i < count; i++) data[i] = dv.getInt16(hdr + 2 * i, false); break;
    case "i32": for (let i = 0; i < count; i++) data[i] = dv.getInt32(hdr + 4 * i, false); break;
    case "f32": for (let i = 0; i < count; i++) data[i] = dv.getFloat32(hdr + 4 * i, false); break;
    case "f64": for (let i = 0; i < count; i++) data[i] = dv.getFloat64(hdr + 8 * i, false); break;
  }
  for (let i = 0; i < count; i++) if (!Number.isFinite(data[i])) fail(`value ${i} is not finite`);
  return { dims, data, dtype: t.name };
}

/** Write a u8 IDX file (for tests and tooling). */
export function writeIdxU8(dims: readonly number[], values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  out[2] = 0x08; out[3] = dims.length;
  const dv = new DataView(out.buffer);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(Array.from(values), 4 + 4 * dims.length);
  return out;
}

/**
 * Pair an IDX image array (n×h×w or n×d, u8) with an IDX label array (n, values 0..classes−1) into a data set:
 * x = pixel/255 ∈ [0,1] (SPEC §1.1 inputs), y = one-hot with `classes` columns.
 */
export function idxPairToDataset(images: IdxArray, labels: IdxArray, name = "idx", classes = 10, limit?: number): Dataset {
  if (images.dims.length < 2) throw new InputError(`${name}: images must have at least 2 dimensions, got ${images.dims.join("×")}`);
  if (labels.dims.length !== 1) throw new InputError(`${name}: labels must be 1-D, got ${labels.dims.join("×")}`);
  let n = images.dims[0];
  if (labels.dims[0] !== n) throw new InputError(`${name}: ${n} images but ${labels.dims[0]} labels`);
  if (n === 0) throw new InputError(`${name}: no images`);
  const d = images.data.length / n;
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 1 || limit > n) throw new InputError(`${name}: cannot take ${limit} images out of ${n}`);
    n = limit;
  }
  const x = new Float64Array(n * d);
  const scale = images.dtype === "u8" ? 1 / 255 : 1;
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] * scale;
  const y = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    const c = labels.data[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new InputError(`${name}: label ${i} is ${c}, expected 0..${classes - 1}`);
    y[i * classes + c] = 1;
  }
  if (images.dtype === "u8") return { n, d, k: classes, x, y, name }; // pixels/255 are finite by construction
  return makeDataset(x, y, { n, d, k: classes }, name);
}

/** Load an images/labels IDX pair from disk (gzipped or raw) as a data set (x ∈ [0,1], one-hot y). */
export function loadIdxPair(imagesPath: string, labelsPath: string, name?: string, limit?: number): Dataset {
  return idxPairToDataset(readIdx(readFileOrFail(imagesPath), imagesPath), readIdx(readFileOrFail(labelsPath), labelsPath), name ?? imagesPath, 10, limit);
}

function readFileOrFail(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
