import { InputError, quote } from "../util/errors.js";
import { requireMemory } from "../util/memory.js";

/** A dense float64 array read from .npy: C-order data and its shape (1-D or 2-D); `integer` when the file's dtype was an integer type. */
export interface NpyArray { shape: number[]; data: Float64Array; integer?: boolean }

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy's `_MAX_HEADER_SIZE`: longer headers are refused by numpy.load (and so here). */
export const NPY_MAX_HEADER = 10000;

/** dtypes read here (numpy reads more; anything else is refused): little/big-endian float64 and float32. */
const DTYPES: Record<string, { width: number; little: boolean }> = {
  "<f8": { width: 8, little: true }, ">f8": { width: 8, little: false },
  "<f4": { width: 4, little: true }, ">f4": { width: 4, little: false },
};

/**
 * Integer dtypes read with `{ integers: true }` (data files: labels, integer features), upcast to float64 exactly:
 * signed/unsigned 8, 16, 32, 64 bits in either byte order, and bool; a 64-bit value beyond ±2⁵³ is refused.
 */
const INT_DTYPES: Record<string, { width: 1 | 2 | 4 | 8; signed: boolean; little: boolean }> = Object.fromEntries(
  ([1, 2, 4, 8] as const).flatMap((w) => [true, false].flatMap((signed) => {
    const c = signed ? "i" : "u";
    return w === 1 ? [[`|${c}1`, { width: 1, signed, little: true }]] : [[`<${c}${w}`, { width: w, signed, little: true }], [`>${c}${w}`, { width: w, signed, little: false }]];
  })).concat([["|b1", { width: 1, signed: false, little: true }]]),
);

type PyValue = { kind: "str"; value: string } | { kind: "bool"; value: boolean } | { kind: "int"; value: number } | { kind: "tuple"; value: number[] };

/**
 * Parse a .npy header dict: a subset of the Python literals numpy's `ast.literal_eval` accepts, with numpy's
 * semantics where both accept (a key given twice takes its last value, as a Python dict literal does). Anything
 * outside the subset is refused, so every header accepted here is read by numpy the same way:
 *   `{` entries `}` with optional trailing comma, whitespace ' ', '\t', '\n' between tokens and after `}`;
 *   keys and string values in '…' or "…" without escapes or prefixes; True / False;
 *   decimal integers without sign, leading zeros or underscores, and tuples `(a, b)`, `(a,)`, `()` of them.
 */
function parseHeaderDict(h: string, fail: (msg: string) => never): Map<string, PyValue> {
  let i = 0;
  const ws = (): void => { while (i < h.length && (h[i] === " " || h[i] === "\t" || h[i] === "\n")) i++; };
  const bad = (what: string): never => fail(`header is not a numpy header dict (${what} at character ${i}: ${quote(h.slice(i, i + 20), 20)})`);
  const str = (): string => {
    const q = h[i];
    const end = h.indexOf(q, i + 1);
    if (end < 0) bad("unterminated string");
    const s = h.slice(i + 1, end);
    if (/[\\\n\r]/.test(s)) bad("escape or line break in a string");
    i = end + 1;
    return s;
  };
  const int = (): number => {
    const m = /^(0|[1-9]\d{0,14})(?![\d_.eEjJlLxXoObB])/.exec(h.slice(i, i + 17));
    if (!m) bad("expected a non-negative decimal integer");
    i += m![0].length;
    return Number(m![0]);
  };
  const value = (): PyValue => {
    if (h[i] === "'" || h[i] === '"') return { kind: "str", value: str() };
    for (const [word, v] of [["True", true], ["False", false]] as const) {
      if (h.startsWith(word, i) && !/[\w]/.test(h[i + word.length] ?? "")) { i += word.length; return { kind: "bool", value: v }; }
    }
    if (h[i] === "(") {
      i++; ws();
      const items: number[] = [];
      let comma = false;
      while (h[i] !== ")") {
        items.push(int()); ws();
        comma = false;
        if (h[i] === ",") { i++; ws(); comma = true; } else if (h[i] !== ")") bad("expected ',' or ')' in a tuple");
      }
      i++;
      if (items.length === 1 && !comma) bad("(n) is an integer, not a tuple; write (n,)");
      return { kind: "tuple", value: items };
    }
    if (/[0-9]/.test(h[i] ?? "")) return { kind: "int", value: int() };
    return bad("unsupported value");
  };
  if (h[i] !== "{") bad("expected '{'");
  i++; ws();
  const d = new Map<string, PyValue>();
  while (h[i] !== "}") {
    if (h[i] !== "'" && h[i] !== '"') bad("expected a quoted key");
    const key = str(); ws();
    if (h[i] !== ":") bad("expected ':'");
    i++; ws();
    d.set(key, value()); ws();
    if (h[i] === ",") { i++; ws(); } else if (h[i] !== "}") bad("expected ',' or '}'");
  }
  i++; ws();
  if (i !== h.length) bad("text after the dict");
  return d;
}

/**
 * Read a NumPy .npy file as numpy.load does (format versions 1.0, 2.0, 3.0; numpy's header rules, see
 * parseHeaderDict; exactly the keys 'descr', 'fortran_order', 'shape'), restricted to what embedscape uses:
 * dtype '<f8', '>f8', '<f4', '>f4' (with `integers`, also the integer and bool dtypes of INT_DTYPES); 1-D or 2-D; C or Fortran order (returned in C order); finite values; the file
 * ends where the data ends. Everything else is an InputError naming the problem.
 */
export function readNpy(bytes: Uint8Array, name = "npy", opts: { integers?: boolean } = {}): NpyArray {
  const fail = (msg: string): never => { throw new InputError(`${name}: ${msg}`); };
  if (bytes.length < 10) fail(`file too short for a .npy header (${bytes.length} bytes)`);
  for (let i = 0; i < 6; i++) if (bytes[i] !== MAGIC[i]) fail("not a .npy file (bad magic)");
  const [major, minor] = [bytes[6], bytes[7]];
  if (minor !== 0 || major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${minor} (numpy writes 1.0, 2.0, 3.0)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number, hstart: number;
  if (major === 1) { hlen = dv.getUint16(8, true); hstart = 10; }
  else {
    if (bytes.length < 12) fail(`file too short for a version ${major}.0 .npy header`);
    hlen = dv.getUint32(8, true); hstart = 12;
  }
  if (hstart + hlen > bytes.length) fail(`header length ${hlen} runs past the end of the file (${bytes.length} bytes)`);
  if (hlen > NPY_MAX_HEADER) fail(`header of ${hlen} bytes is longer than numpy's limit of ${NPY_MAX_HEADER}`);
  let header: string;
  try {
    header = new TextDecoder(major === 3 ? "utf-8" : "latin1", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(hstart, hstart + hlen));
  } catch {
    return fail("version 3.0 header is not valid UTF-8");
  }
  const d = parseHeaderDict(header, fail);
  const keys = [...d.keys()].sort();
  if (keys.join(",") !== "descr,fortran_order,shape") fail(`header keys are ${keys.map((k) => quote(k, 20)).join(", ") || "none"}; numpy requires exactly 'descr', 'fortran_order', 'shape'`);
  const descr = d.get("descr")!, fortran = d.get("fortran_order")!, shapeV = d.get("shape")!;
  if (shapeV.kind !== "tuple") return fail("'shape' is not a tuple of integers");
  if (fortran.kind !== "bool") return fail("'fortran_order' is not True or False");
  if (descr.kind !== "str") return fail("'descr' is not a dtype string");
  const it = opts.integers ? INT_DTYPES[descr.value] : undefined;
  const t = it ?? DTYPES[descr.value] ?? fail(`dtype ${quote(descr.value, 20)} is not supported (expected '<f8', '<f4', '>f8' or '>f4'${opts.integers ? " or an integer type such as '<i8'" : ""})`);
  const shape = shapeV.value;
  if (shape.length < 1 || shape.length > 2) fail(`only 1-D and 2-D arrays are supported, got shape (${shape.join(", ")})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  if (!Number.isSafeInteger(count * t.width) || bytes.length - start !== count * t.width) {
    fail(`shape (${shape.join(", ")}) needs ${count * t.width} data bytes, file has ${bytes.length - start}`);
  }
  requireMemory(8 * count, `${name}: ${shape.join("×")} float64 values`);
  const data = new Float64Array(count);
  const rows = shape[0], cols = shape.length === 2 ? shape[1] : 1;
  for (let i = 0; i < count; i++) {
    const v = it ? intAt(dv, start + it.width * i, it) : t.width === 8 ? dv.getFloat64(start + 8 * i, t.little) : dv.getFloat32(start + 4 * i, t.little);
    if (!Number.isFinite(v)) fail(it ? `value ${i} is beyond ±2^53, not exactly a float64` : `value ${i} is not finite (${v})`);
    // Fortran order stores column j contiguously: file index i = j·rows + r
    if (fortran.value && shape.length === 2) data[(i % rows) * cols + Math.floor(i / rows)] = v;
    else data[i] = v;
  }
  return it ? { shape, data, integer: true } : { shape, data };
}

/** An integer element as a float64 (NaN for a 64-bit value that float64 does not hold exactly). */
function intAt(dv: DataView, at: number, t: { width: 1 | 2 | 4 | 8; signed: boolean; little: boolean }): number {
  switch (t.width) {
    case 1: return t.signed ? dv.getInt8(at) : dv.getUint8(at);
    case 2: return t.signed ? dv.getInt16(at, t.little) : dv.getUint16(at, t.little);
    case 4: return t.signed ? dv.getInt32(at, t.little) : dv.getUint32(at, t.little);
    default: {
      const b = t.signed ? dv.getBigInt64(at, t.little) : dv.getBigUint64(at, t.little);
      return b <= 2n ** 53n && b >= -(2n ** 53n) ? Number(b) : NaN;
    }
  }
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
