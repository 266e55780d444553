import { createNet, makeArch, paramCount, parseWidths, type Net } from "../nn/arch.js";
import { oneLine } from "../util/one-line.js";
import { InputError } from "../util/errors.js";
import type { NetLoadOptions } from "./safetensors.js";

/**
 * NumPy .npy (format versions 1.0, 2.0, 3.0; https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 *   "\x93NUMPY", major, minor, header length (u16 LE for 1.0, u32 LE for 2.0/3.0),
 *   a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (n, m), } padded with spaces and '\n',
 *   then the raw data. Read: '<f8' and '<f4' (and '<f8' spelled 'f8'/'=f8' on little-endian writers), C order,
 *   0-D, 1-D or 2-D; every field and size is checked and values must be finite. Write: '<f8', version 1.0
 *   (2.0 when the header would not fit), header padded so the data start is 64-byte aligned.
 */

export interface NpyArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_HEADER = 1 << 20;

/** Parse .npy bytes into {shape, data} (float64 values, row-major). Every defect is a one-line InputError. */
export function readNpy(bytes: Uint8Array, name = "npy"): NpyArray {
  const fail = (msg: string): never => { throw new InputError(oneLine(`${name}: ${msg}`)); };
  if (bytes.length < 10) fail(`file is ${bytes.length} bytes, too short for a .npy header`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) fail("not a .npy file (bad magic; expected \\x93NUMPY)");
  const major = bytes[6], minor = bytes[7];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number, headerStart: number;
  if (major === 1) { headerLen = view.getUint16(8, true); headerStart = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail("file too short for a version 2 header length");
    headerLen = view.getUint32(8, true); headerStart = 12;
  } else return fail(`unsupported .npy format version ${major}.${minor}`);
  if (headerLen > MAX_HEADER) fail(`header length ${headerLen} exceeds the limit of ${MAX_HEADER} bytes`);
  if (headerStart + headerLen > bytes.length) fail(`header length ${headerLen} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  const raw = bytes.subarray(headerStart, headerStart + headerLen);
  for (const c of raw) if (c > 0x7e || (c < 0x20 && c !== 0x0a)) fail("header contains non-ASCII or control bytes");
  const header = new TextDecoder("latin1").decode(raw);
  const { descr, fortran, shape } = parseHeader(header, fail);
  if (fortran) fail("fortran_order is True; only C-order arrays are supported (save with np.ascontiguousarray)");
  let width: 8 | 4;
  if (descr === "<f8" || descr === "f8" || descr === "=f8" || descr === "<d") width = 8;
  else if (descr === "<f4" || descr === "f4" || descr === "=f4" || descr === "<f") width = 4;
  else return fail(`dtype '${descr}' is not supported (expected little-endian float64 '<f8' or float32 '<f4')`);
  if (shape.length > 2) fail(`array has ${shape.length} dimensions (${shape.join("×")}); only 0-D, 1-D and 2-D arrays are supported`);
  const dataStart = headerStart + headerLen;
  let count = 1;
  for (const s of shape) count *= s;
  const need = count * width, have = bytes.length - dataStart;
  if (need !== have) fail(`shape (${shape.join(", ")}) of ${descr} needs ${need} data bytes but the file has ${have}${have < need ? " (truncated?)" : ""}`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = width === 8 ? view.getFloat64(dataStart + 8 * i, true) : view.getFloat32(dataStart + 4 * i, true);
    if (!Number.isFinite(v)) fail(`value ${i} is not finite (${v})`);
    data[i] = v;
  }
  return { shape, data };
}

/** The header dict, parsed strictly: exactly the keys descr, fortran_order and shape. */
function parseHeader(h: string, fail: (m: string) => never): { descr: string; fortran: boolean; shape: number[] } {
  const body = h.trimEnd();
  const m = /^\{(.*)\}$/s.exec(body);
  if (!m) return fail("header is not a Python dict literal");
  const items = new Map<string, string>();
  // key: 'name' ; value: 'string' | True | False | (tuple)
  const re = /\s*'([a-z_]+)'\s*:\s*('[^']*'|True|False|\([^()]*\))\s*(,|$)/gy;
  let pos = 0;
  const inner = m[1];
  while (pos < inner.length) {
    if (/^\s*$/.test(inner.slice(pos))) break;
    re.lastIndex = pos;
    const g = re.exec(inner);
    if (!g) return fail(`cannot parse the header dict near "${inner.slice(pos, pos + 30)}"`);
    if (items.has(g[1])) fail(`header key '${g[1]}' appears twice`);
    items.set(g[1], g[2]);
    pos = re.lastIndex;
  }
  for (const k of items.keys()) if (!["descr", "fortran_order", "shape"].includes(k)) fail(`unexpected header key '${k}'`);
  const descr = items.get("descr"), fortran = items.get("fortran_order"), shape = items.get("shape");
  if (descr === undefined || !descr.startsWith("'")) return fail("header has no 'descr' string");
  if (fortran !== "True" && fortran !== "False") return fail("header has no 'fortran_order' True/False");
  if (shape === undefined || !shape.startsWith("(")) return fail("header has no 'shape' tuple");
  const parts = shape.slice(1, -1).split(",").map((s) => s.trim());
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  const dims = parts.length === 1 && parts[0] === "" ? [] : parts.map((p) => (/^\d{1,15}$/.test(p) ? Number(p) : NaN));
  if (dims.some((d) => !Number.isSafeInteger(d))) fail(`shape ${shape} is not a tuple of non-negative integers`);
  return { descr: descr.slice(1, -1), fortran: fortran === "True", shape: dims };
}

/** Serialise a float64 array (row-major, 1-D or 2-D `shape`) as .npy ('<f8', C order). */
export function writeNpy(data: ArrayLike<number>, shape: readonly number[] = [data.length]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((s) => !Number.isSafeInteger(s) || s < 0)) throw new InputError(`npy shape (${shape.join(", ")}) is not a list of non-negative integers`);
  if (count !== data.length) throw new InputError(`npy shape (${shape.join(", ")}) needs ${count} values, got ${data.length}`);
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${tuple}, }`;
  // version 1.0 stores the header length in a u16; fall back to 2.0 (u32) for very long shapes
  let start = 10;
  let hlen = Math.ceil((start + dict.length + 1) / 64) * 64 - start;
  if (hlen > 0xffff) { start = 12; hlen = Math.ceil((start + dict.length + 1) / 64) * 64 - start; }
  const v1 = start === 10;
  const out = new Uint8Array(start + hlen + 8 * count);
  out.set(MAGIC, 0);
  out[6] = v1 ? 1 : 2; out[7] = 0;
  const view = new DataView(out.buffer);
  if (v1) view.setUint16(8, hlen, true); else view.setUint32(8, hlen, true);
  const text = dict + " ".repeat(hlen - dict.length - 1) + "\n";
  for (let i = 0; i < hlen; i++) out[start + i] = text.charCodeAt(i);
  for (let i = 0; i < count; i++) view.setFloat64(start + hlen + 8 * i, data[i], true);
  return out;
}

/** θ (SPEC §1.3 order) as a 1-D float64 .npy; the architecture is not stored — keep it alongside. */
export function saveThetaNpy(net: Net): Uint8Array {
  return writeNpy(net.theta, [net.theta.length]);
}

/**
 * A net from a 1-D .npy holding θ in SPEC §1.3 order plus the architecture given separately
 * (widths, activation, loss). The length must equal P = Σ m_l(m_{l−1}+1).
 */
export function loadThetaNpy(bytes: Uint8Array, opts: NetLoadOptions, name = "npy"): Net {
  const { shape, data } = readNpy(bytes, name);
  if (shape.length !== 1) throw new InputError(`${name}: θ must be a 1-D array, got shape (${shape.join(", ")})`);
  if (opts.arch === undefined) throw new InputError(`${name}: a .npy net holds only θ; the architecture must be given (on the CLI: --net FILE@1-50-1@tanh@mse)`);
  const widths = typeof opts.arch === "string" ? parseWidths(opts.arch) : [...opts.arch];
  if (opts.activation === undefined || opts.loss === undefined) {
    throw new InputError(`${name}: a .npy net needs the activation and loss as well (on the CLI: --net FILE@${widths.join("-")}@tanh@mse)`);
  }
  const arch = makeArch(widths, opts.activation, opts.loss);
  const P = paramCount(widths);
  if (data.length !== P) throw new InputError(`${name}: θ has ${data.length} entries but architecture ${widths.join("-")} needs ${P}`);
  return createNet(arch, data);
}
