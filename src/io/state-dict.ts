import { InputError } from "../util/errors.js";

/** Floating-point dtypes a PyTorch state dict may hold, all read into float64. */
export type FloatDtype = "F64" | "F32" | "F16" | "BF16";

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Record<FloatDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

/** True for the dtypes `decodeFloats` reads. */
export function isFloatDtype(d: unknown): d is FloatDtype {
  return d === "F64" || d === "F32" || d === "F16" || d === "BF16";
}

/**
 * Little-endian floats of `dtype` from `bytes` (count elements at byte `offset`) into float64 — exact: every
 * F32/F16/BF16 value is a float64. F16 is IEEE binary16 (1-5-10, subnormals, ±Inf, NaN); BF16 is the upper half
 * of a binary32 (1-8-7), so its value is that of the binary32 with 16 zero low bits.
 */
export function decodeFloats(dtype: FloatDtype, bytes: Uint8Array, offset: number, count: number, out = new Float64Array(count)): Float64Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, count * DTYPE_BYTES[dtype]);
  if (dtype === "F64") for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
  else if (dtype === "F32") for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
  else if (dtype === "BF16") {
    const f = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) { f.setUint32(0, dv.getUint16(2 * i, true) << 16, false); out[i] = f.getFloat32(0, false); }
  } else for (let i = 0; i < count; i++) out[i] = halfToDouble(dv.getUint16(2 * i, true));
  return out;
}

/** The value of an IEEE binary16 bit pattern. */
export function halfToDouble(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24; // zero and subnormals
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** A tensor's name and shape, as a state dict lists it. */
export interface TensorShape {
  name: string;
  shape: readonly number[];
}

/** One Linear layer found in a state dict: its tensor names (bias null for `bias=False`) and sizes. */
export interface LinearLayer {
  module: string;
  weight: string;
  bias: string | null;
  rows: number;
  cols: number;
}

/** Natural order of dotted module paths: numeric segments compare as numbers (fc2 < fc10, layers.2 < layers.10). */
export function compareModulePaths(a: string, b: string): number {
  const split = (s: string): Array<string | number> => s.split(/(\d+)/).filter((x) => x !== "").map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const x = split(a), y = split(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i], q = y[i];
    if (p === q) continue;
    if (typeof p === "number" && typeof q === "number") return p - q;
    return String(p) < String(q) ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * The fully connected layers of an MLP state dict, in forward order (SPEC §1.1: f = W^[L]σ(…σ(W^[1]x + b^[1])…) + b^[L]).
 * Accepts the key names PyTorch gives them: `0.weight` (nn.Sequential), `1.weight` (a leading Flatten),
 * `fc1.weight`, `layers.0.weight`, `net.2.weight`, any prefix; `M.bias` may be absent (`bias=False`).
 * Modules are taken in natural order of their names; the layers must chain (columns of layer i = rows of
 * layer i − 1). Anything else — a tensor that is neither `.weight` nor `.bias`, a 1-D weight (BatchNorm,
 * LayerNorm), a bias without a weight, a shape that does not chain — is refused with a one-line error that
 * names the first tensor that does not fit an MLP.
 */
export function linearLayers(tensors: readonly TensorShape[], what = "state dict"): LinearLayer[] {
  const fail = (msg: string): never => { throw new InputError(`${what}: ${msg}`); };
  if (tensors.length === 0) fail("holds no tensors");
  const modules = new Map<string, { weight?: TensorShape; bias?: TensorShape }>();
  for (const t of tensors) {
    const m = /^(.*)\.(weight|bias)$/.exec(t.name);
    if (!m) fail(`tensor "${t.name}" is neither a .weight nor a .bias: not an MLP of Linear layers`);
    const [, mod, kind] = m!;
    const entry = modules.get(mod) ?? {};
    if (entry[kind as "weight" | "bias"]) fail(`tensor "${t.name}" appears twice`);
    entry[kind as "weight" | "bias"] = t;
    modules.set(mod, entry);
  }
  const layers: LinearLayer[] = [];
  for (const mod of [...modules.keys()].sort(compareModulePaths)) {
    const { weight, bias } = modules.get(mod)!;
    if (!weight) fail(`tensor "${bias!.name}" has no matching "${mod}.weight"`);
    if (weight!.shape.length !== 2) fail(`tensor "${weight!.name}" has shape [${weight!.shape.join(", ")}]: a Linear weight is 2-D (normalisation and convolution layers are not supported)`);
    const [rows, cols] = weight!.shape;
    if (!(rows >= 1 && cols >= 1)) fail(`tensor "${weight!.name}" has an empty shape [${rows}, ${cols}]`);
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== rows)) fail(`tensor "${bias.name}" has shape [${bias.shape.join(", ")}], its weight has ${rows} rows`);
    const prev = layers.at(-1);
    if (prev && prev.rows !== cols) fail(`tensor "${weight!.name}" [${rows}, ${cols}] does not chain after "${prev.weight}" [${prev.rows}, ${prev.cols}] (layers are taken in name order: ${[...modules.keys()].sort(compareModulePaths).join(", ")})`);
    layers.push({ module: mod, weight: weight!.name, bias: bias ? bias.name : null, rows, cols });
  }
  return layers;
}

/** Where a net read from a state dict came from: its tensor names per layer, and notes for the user. */
export interface StateDictSource {
  /** Per Linear layer in forward order: module path and tensor names (bias null for `bias=False`). */
  readonly layers: ReadonlyArray<{ module: string; weight: string; bias: string | null }>;
  /** One line each: dtypes upcast to float64, biases added for `bias=False` layers (the CLI prints them once). */
  readonly notes: readonly string[];
}

const sources = new WeakMap<object, StateDictSource>();

/**
 * Attach state-dict names to an architecture object. Nets derived with the same widths reuse their `arch`
 * object (training, refinement: `createNet(net.arch, θ)`), so they are saved back with the same names; a net of
 * other widths (embedding, pruning) has a new `arch` and gets default names. A side table rather than a field,
 * so the JSON net format and every `--json` output stay as they are.
 */
export function rememberStateDict(arch: object, src: StateDictSource): void {
  sources.set(arch, src);
}

/** The state-dict names and notes of a net's architecture, if it was read from a state dict. */
export function stateDictSource(arch: object): StateDictSource | undefined {
  return sources.get(arch);
}
