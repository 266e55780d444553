import { constants, gunzipSync } from "node:zlib";
import { InputError } from "../util/errors.js";
import { readBytes } from "../util/files.js";
import { memoryLimit, requireMemory } from "../util/memory.js";
import { makeDataset, type Dataset } from "./dataset.js";

/** An IDX array (MNIST format): dims and the values in C order (u8 files stay a Uint8Array view, others float64). */
export interface IdxArray { dims: number[]; data: Float64Array | Uint8Array; dtype: string }

const DTYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: "u8", size: 1 }, 0x09: { name: "i8", size: 1 }, 0x0b: { name: "i16", size: 2 },
  0x0c: { name: "i32", size: 4 }, 0x0d: { name: "f32", size: 4 }, 0x0e: { name: "f64", size: 8 },
};

/** Largest decompressed IDX file accepted (FashionMNIST train images are 47 MB). */
export const MAX_IDX_BYTES = 1 << 30;

/** The header of an IDX file: element type and dims; `bytes` = header + data size the header promises. */
function idxHeader(bytes: Uint8Array, fail: (msg: string) => never): { t: { name: string; size: number }; dims: number[]; hdr: number; bytes: number } {
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
  return { t, dims, hdr, bytes: hdr + dims.reduce((a, b) => a * b, 1) * t.size };
}

/**
 * Read an IDX file (big-endian; magic 0x0000, dtype byte, number of dims, dims as u32), gzipped (detected by the
 * 0x1f 0x8b prefix) or raw. Validates the magic, dtype byte, dims and that the data size matches exactly. The
 * header is read first (for gzip: from a partial inflate of the first bytes), and the memory the header asks
 * for is checked against the limit (util/memory.ts) before anything of that size is decompressed or allocated.
 */
export function readIdx(bytes: Uint8Array, name = "idx"): IdxArray {
  const fail = (msg: string): never => { throw new InputError(`${name}: ${msg}`); };
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let head: Uint8Array;
    try {
      head = gunzipSync(bytes.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch (e) {
      return fail(`corrupt gzip data (${(e as Error).message.split("\n")[0].slice(0, 100)})`);
    }
    // the header from a partial inflate (unless the stream is too odd to yield 20 bytes from its first 4 kB)
    let limit = Math.min(MAX_IDX_BYTES, memoryLimit().bytes);
    if (head.length >= 4 && head.length >= 4 + 4 * head[3]) {
      const h = idxHeader(head, fail);
      const out = h.bytes + (h.t.name === "u8" ? 0 : 8 * (h.bytes - h.hdr) / h.t.size);
      if (h.bytes > MAX_IDX_BYTES) fail(`header dims ${h.dims.join("×")} promise ${h.bytes} bytes, more than the IDX limit of ${MAX_IDX_BYTES}`);
      requireMemory(out, `${name}: IDX ${h.dims.join("×")} ${h.t.name}`);
      limit = Math.max(1, h.bytes);
    }
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: limit });
    } catch (e) {
      return fail(`corrupt gzip data, or more data than its IDX header promises (${(e as Error).message.split("\n")[0].slice(0, 100)})`);
    }
  }
  const { t, dims, hdr } = idxHeader(bytes, fail);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count * t.size) || bytes.length - hdr !== count * t.size) {
    fail(`dims ${dims.join("×")} of ${t.name} need ${count * t.size} data bytes, file has ${bytes.length - hdr}`);
  }
  if (t.name === "u8") return { dims, data: bytes.subarray(hdr, hdr + count), dtype: t.name };
  requireMemory(8 * count, `${name}: IDX ${dims.join("×")} ${t.name} as float64`);
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
  if (d === 0) throw new InputError(`${name}: images have no pixels (dims ${images.dims.join("×")})`);
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 1 || limit > n) throw new InputError(`${name}: cannot take ${limit} images out of ${n}`);
    n = limit;
  }
  requireMemory(8 * n * (d + classes), `${name}: ${n} images of ${d} pixels as float64`);
  const x = new Float64Array(n * d);
  const scale = images.dtype === "u8" ? 1 / 255 : 1;
  for (let i = 0; i < x.length; i++) {
    x[i] = images.data[i] * scale;
    // u8 pixels are scaled to [0,1]; other element types are taken as already scaled and must lie there
    if (!(x[i] >= 0 && x[i] <= 1)) throw new InputError(`${name}: pixel ${i} of ${images.dtype} images is ${images.data[i]}, outside [0, 1] (only u8 images are scaled by 1/255)`);
  }
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
  return idxPairToDataset(readIdx(readBytes(imagesPath), imagesPath), readIdx(readBytes(labelsPath), labelsPath), name ?? imagesPath, 10, limit);
}
