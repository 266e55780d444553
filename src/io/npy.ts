import { createNet, paramCount, type Arch, type Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";

/** A dense float64 array read from .npy: C-order data and its shape (1-D or 2-D). */
export interface NpyArray { shape: number[]; data: Float64Array }

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Read a NumPy .npy file (format versions 1.0, 2.0 and 3.0; dtype '<f8' or '<f4'; C order; 1-D or 2-D).
 * Magic, version, header length, header dict, dtype, order, shape and the data size are all checked; values must be
 * finite. Returns float64 data in C (row-major) order.
 */
export function readNpy(bytes: Uint8Array, name = "npy"): NpyArray {
  const fail = (msg: string): never => { throw new InputError(`${name}: ${msg}`); };
  if (bytes.length < 10) fail(`file too short for a .npy header (${bytes.length} bytes)`);
  for (let i = 0; i < 6; i++) if (bytes[i] !== MAGIC[i]) fail("not a .npy file (bad magic)");
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number, hstart: number;
  if (major === 1) { hlen = dv.getUint16(8, true); hstart = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail("file too short for a version 2 .npy header");
    hlen = dv.getUint32(8, true); hstart = 12;
  } else return fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  if (hstart + hlen > bytes.length) fail(`header length ${hlen} runs past the end of the file (${bytes.length} bytes)`);
  const header = new TextDecoder("latin1").decode(bytes.subarray(hstart, hstart + hlen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!/^\s*\{.*\}\s*$/s.test(header) || descr === undefined || fortran === undefined || shapeText === undefined) {
    fail("header is not a dict with 'descr', 'fortran_order' and 'shape'");
  }
  if (fortran === "True") fail("fortran_order is True; save the array in C order (np.ascontiguousarray)");
  const width = descr === "<f8" ? 8 : descr === "<f4" ? 4 : fail(`dtype '${descr}' is not supported (expected '<f8' or '<f4')`);
  const parts = shapeText!.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const shape = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : fail(`shape (${shapeText}) is not a tuple of non-negative integers`)));
  if (shape.length < 1 || shape.length > 2) fail(`only 1-D and 2-D arrays are supported, got shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  if (!Number.isSafeInteger(count * width) || bytes.length - start !== count * width) {
    fail(`shape (${shape.join(", ")}) needs ${count * width} data bytes, file has ${bytes.length - start}`);
  }
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = width === 8 ? dv.getFloat64(start + 8 * i, true) : dv.getFloat32(start + 4 * i, true);
    if (!Number.isFinite(v)) fail(`value ${i} is not finite (${v})`);
    data[i] = v;
  }
  return { shape, data };
}

/** Write a float64 array as .npy (version 1.0, '<f8', C order; header padded so data starts at a multiple of 64). */
export function writeNpy(data: ArrayLike<number>, shape: readonly number[] = [data.length]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new InputError(`npy: shape (${shape.join(", ")}) holds ${count} values, got ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + header.length + 8 * count);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  for (let i = 0; i < count; i++) dv.setFloat64(start + 8 * i, data[i], true);
  return out;
}

/** Save θ (SPEC §1.3 order) as a 1-D float64 .npy; the architecture is not stored (give it on load). */
export function saveThetaNpy(net: Net): Uint8Array {
  return writeNpy(net.theta, [net.theta.length]);
}

/** Load θ from a 1-D .npy (or a 2-D one with a single row/column) for a given architecture; length must be P. */
export function loadThetaNpy(bytes: Uint8Array, arch: Arch, name = "npy"): Net {
  const a = readNpy(bytes, name);
  if (a.shape.length === 2 && a.shape[0] !== 1 && a.shape[1] !== 1) {
    throw new InputError(`${name}: θ must be a vector, got shape (${a.shape.join(", ")})`);
  }
  const P = paramCount(arch.widths);
  if (a.data.length !== P) throw new InputError(`${name}: θ has ${a.data.length} entries, architecture ${arch.widths.join("-")} needs ${P}`);
  return createNet(arch, a.data);
}
