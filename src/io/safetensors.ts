import { createNet, layerViews, makeArch, type Arch, type Net } from "../nn/arch.js";
import { oneLine } from "../util/one-line.js";
import { InputError } from "../util/errors.js";

/**
 * The safetensors container (https://github.com/huggingface/safetensors):
 *   8 bytes   N, the header length, u64 little-endian
 *   N bytes   UTF-8 JSON: {"__metadata__": {str: str}, "<name>": {"dtype", "shape", "data_offsets": [begin, end]}, …}
 *   rest      the byte buffer; offsets are relative to its start, tensors are little-endian, row-major.
 * Nothing read from a file is trusted: the header length is bounded by the file size and MAX_HEADER,
 * every entry is validated, offsets must tile the buffer exactly (no overlap, no hole, no tail — the rule of
 * the reference Rust implementation), and decoded values must be finite.
 */

/** One tensor as read: the dtype it was stored in, its shape and its values widened to float64. */
export interface Tensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Largest header accepted (the reference implementation's limit, 100 MB). */
export const MAX_HEADER = 100_000_000;

const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4 };

/** Serialise named float64 tensors (row-major) with string metadata into safetensors bytes (dtype F64). */
export function writeSafetensors(
  tensors: readonly { name: string; shape: readonly number[]; data: ArrayLike<number> }[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new InputError(`tensor "${t.name}": shape [${t.shape.join(", ")}] needs ${count} values, got ${t.data.length}`);
    header[t.name] = { dtype: "F64", shape: [...t.shape], data_offsets: [offset, offset + 8 * count] };
    offset += 8 * count;
  }
  let json = JSON.stringify(header);
  // pad with spaces so the buffer starts 8-byte aligned (as the reference writer does)
  const raw = new TextEncoder().encode(json);
  json += " ".repeat((8 - ((8 + raw.length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let pos = 8 + head.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, pos += 8) view.setFloat64(pos, t.data[i], true);
  }
  return out;
}

/** Parse safetensors bytes: metadata and tensors (F64 or F32, widened to float64). Every defect is an InputError. */
export function readSafetensors(bytes: Uint8Array, name = "safetensors"): { metadata: Record<string, string>; tensors: Map<string, Tensor> } {
  const fail = (msg: string): never => { throw new InputError(oneLine(`${name}: ${msg}`)); };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`header length ${n64} exceeds the limit of ${MAX_HEADER} bytes`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  if (n < 2) fail(`header length ${n} is too small for a JSON object`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail("header is not valid UTF-8");
  }
  if (!text.startsWith("{")) fail("header does not start with '{'");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return fail("header is not a JSON object");
  const bufStart = 8 + n, bufLen = bytes.length - bufStart;
  const metadata: Record<string, string> = {};
  const entries: { key: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [key, value] of Object.entries(header)) {
    if (key === "__metadata__") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) fail("__metadata__ is not an object");
      for (const [mk, mv] of Object.entries(value as object)) {
        if (typeof mv !== "string") fail(`__metadata__ value "${mk}" is not a string`);
        metadata[mk] = mv as string;
      }
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail(`tensor "${key}": entry is not an object`);
    const { dtype, shape, data_offsets } = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== "string") return fail(`tensor "${key}": dtype missing or not a string`);
    const width = DTYPE_BYTES[dtype];
    if (width === undefined) fail(`tensor "${key}": dtype ${dtype} is not supported (expected F64 or F32)`);
    if (!Array.isArray(shape) || shape.some((s) => !Number.isSafeInteger(s) || s < 0)) fail(`tensor "${key}": shape is not a list of non-negative integers`);
    if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || data_offsets.some((s) => !Number.isSafeInteger(s) || s < 0)) {
      fail(`tensor "${key}": data_offsets is not a pair of non-negative integers`);
    }
    const [begin, end] = data_offsets as number[];
    if (begin > end) fail(`tensor "${key}": data_offsets [${begin}, ${end}] are reversed`);
    if (end > bufLen) fail(`tensor "${key}": data_offsets end ${end} is past the ${bufLen}-byte buffer (truncated?)`);
    let count = 1;
    for (const s of shape as number[]) count *= s; // count ≤ bufLen is checked through the byte size below
    if (count * width !== end - begin) fail(`tensor "${key}": shape [${(shape as number[]).join(", ")}] × ${dtype} needs ${count * width} bytes but data_offsets span ${end - begin}`);
    entries.push({ key, dtype, shape: shape as number[], begin, end });
  }
  // offsets must tile the buffer: sorted, contiguous, starting at 0, ending at the file's end
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at) fail(`tensor "${e.key}": data_offsets [${e.begin}, ${e.end}] overlap another tensor`);
    if (e.begin > at) fail(`tensor "${e.key}": gap of ${e.begin - at} unused bytes before it in the buffer`);
    at = e.end;
  }
  if (at !== bufLen) fail(`the buffer has ${bufLen - at} bytes after the last tensor`);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const width = DTYPE_BYTES[e.dtype];
    const count = (e.end - e.begin) / width;
    const data = new Float64Array(count);
    const p0 = bufStart + e.begin;
    for (let i = 0; i < count; i++) {
      const v = width === 8 ? view.getFloat64(p0 + 8 * i, true) : view.getFloat32(p0 + 4 * i, true);
      if (!Number.isFinite(v)) fail(`tensor "${e.key}": value ${i} is not finite (${v})`);
      data[i] = v;
    }
    tensors.set(e.key, { dtype: e.dtype, shape: e.shape, data });
  }
  return { metadata, tensors };
}

/** What a caller may supply for a file without embedscape metadata (or to confirm it). */
export interface NetLoadOptions {
  /** Widths such as [1, 50, 1] or "1-50-1" (required for formats without shapes, e.g. .npy). */
  arch?: readonly number[] | string;
  activation?: string;
  loss?: string;
}

/** Metadata key holding the architecture as a JSON string. */
export const METADATA_KEY = "embedscape";

/**
 * A net as safetensors with PyTorch `nn.Sequential` key names: layer l (1-based) is the Linear module at
 * index 2(l−1), keys "<idx>.weight" (shape [m_l, m_{l−1}], row-major = W^[l] of SPEC §1.3) and "<idx>.bias"
 * ([m_l]); activation modules sit at the odd indices. The architecture is in __metadata__ under "embedscape"
 * (a JSON string {format, version, widths, activation, loss}) plus "format": "pt".
 */
export function netToSafetensors(net: Net): Uint8Array {
  const tensors = layerViews(net.arch.widths, net.theta).flatMap((L, i) => [
    { name: `${2 * i}.weight`, shape: [L.rows, L.cols], data: L.W },
    { name: `${2 * i}.bias`, shape: [L.rows], data: L.b },
  ]);
  const arch = { format: "embedscape-net", version: 1, widths: net.arch.widths, activation: net.arch.activation, loss: net.arch.loss };
  return writeSafetensors(tensors, { format: "pt", [METADATA_KEY]: JSON.stringify(arch) });
}

/**
 * Read a net from safetensors. With embedscape metadata the keys must be exactly 0.weight, 0.bias, 2.weight, …
 * and the shapes must match its widths. Without it, the caller names the activation and loss; the Linear
 * layers are the "<idx>.weight"/"<idx>.bias" pairs in increasing index order (any indices, so Sequentials
 * with Dropout etc. load) and the widths are read from the shapes, which must chain (in of layer l = out of l−1).
 * F32 tensors are widened to float64.
 */
export function netFromSafetensors(bytes: Uint8Array, name = "safetensors", opts: NetLoadOptions = {}): Net {
  const fail = (msg: string): never => { throw new InputError(oneLine(`${name}: ${msg}`)); };
  const { metadata, tensors } = readSafetensors(bytes, name);
  const meta = metadata[METADATA_KEY] === undefined ? undefined : parseArchMetadata(metadata[METADATA_KEY], fail);
  // group keys by module index
  const layers = new Map<number, { weight?: Tensor; bias?: Tensor }>();
  for (const [key, t] of tensors) {
    const m = /^(0|[1-9]\d{0,8})\.(weight|bias)$/.exec(key);
    if (!m) return fail(`unexpected tensor "${key}" (expected nn.Sequential Linear keys such as 0.weight, 0.bias)`);
    const idx = Number(m[1]);
    const entry = layers.get(idx) ?? {};
    entry[m[2] as "weight" | "bias"] = t;
    layers.set(idx, entry);
  }
  const indices = [...layers.keys()].sort((a, b) => a - b);
  if (indices.length === 0) fail("no tensors (expected 0.weight, 0.bias, …)");
  if (meta) {
    const L = meta.widths.length - 1;
    for (let l = 0; l < L; l++) {
      if (!layers.has(2 * l)) fail(`missing tensors ${2 * l}.weight/${2 * l}.bias for layer ${l + 1} of ${meta.widths.join("-")}`);
    }
    const extra = indices.find((i) => i % 2 !== 0 || i >= 2 * L);
    if (extra !== undefined) fail(`unexpected tensors at module index ${extra} for architecture ${meta.widths.join("-")}`);
  }
  const widths: number[] = [];
  const blocks: { W: Float64Array; b: Float64Array }[] = [];
  for (const idx of indices) {
    const { weight, bias } = layers.get(idx)!;
    if (!weight) return fail(`missing ${idx}.weight`);
    if (!bias) return fail(`missing ${idx}.bias (embedscape layers always have a bias)`);
    if (weight.shape.length !== 2) fail(`${idx}.weight has shape [${weight.shape.join(", ")}], expected [out, in]`);
    if (bias.shape.length !== 1) fail(`${idx}.bias has shape [${bias.shape.join(", ")}], expected [out]`);
    const [out, inp] = weight.shape;
    if (out < 1 || inp < 1) fail(`${idx}.weight has an empty shape [${out}, ${inp}]`);
    if (bias.shape[0] !== out) fail(`${idx}.bias has ${bias.shape[0]} entries but ${idx}.weight has ${out} rows`);
    if (widths.length === 0) widths.push(inp);
    else if (widths[widths.length - 1] !== inp) fail(`${idx}.weight takes ${inp} inputs but the previous layer has ${widths[widths.length - 1]} outputs`);
    widths.push(out);
    blocks.push({ W: weight.data, b: bias.data });
  }
  if (meta && meta.widths.join("-") !== widths.join("-")) fail(`tensor shapes give widths ${widths.join("-")} but the metadata says ${meta.widths.join("-")}`);
  const arch = resolveArch(widths, meta, opts, fail);
  const net = createNet(arch);
  layerViews(arch.widths, net.theta).forEach((L, i) => { L.W.set(blocks[i].W); L.b.set(blocks[i].b); });
  return net;
}

function parseArchMetadata(text: string, fail: (m: string) => never): { widths: number[]; activation: string; loss: string } {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch { return fail(`metadata "${METADATA_KEY}" is not valid JSON`); }
  const o = raw as { widths?: unknown; activation?: unknown; loss?: unknown };
  if (typeof o !== "object" || o === null) return fail(`metadata "${METADATA_KEY}" is not a JSON object`);
  if (!Array.isArray(o.widths) || o.widths.length < 2 || o.widths.some((w) => !Number.isSafeInteger(w) || w < 1)) {
    return fail(`metadata "${METADATA_KEY}": widths is not a list of at least two positive integers`);
  }
  if (typeof o.activation !== "string") return fail(`metadata "${METADATA_KEY}": activation is not a string`);
  if (typeof o.loss !== "string") return fail(`metadata "${METADATA_KEY}": loss is not a string`);
  return { widths: o.widths as number[], activation: o.activation, loss: o.loss };
}

/** Combine what the file says with what the caller says; a conflict is an error, silence is an error. */
export function resolveArch(
  widths: readonly number[],
  meta: { activation: string; loss: string } | undefined,
  opts: NetLoadOptions,
  fail: (m: string) => never,
): Arch {
  const pick = (what: "activation" | "loss"): string => {
    const fromFile = meta?.[what], fromCaller = opts[what];
    if (fromFile !== undefined && fromCaller !== undefined) {
      // compare canonical names (e.g. "cross_entropy" vs "cross-entropy")
      const canon = (s: string): string => (what === "activation" ? makeArch([1, 1], s).activation : makeArch([1, 1], "identity", s).loss);
      if (canon(fromFile) !== canon(fromCaller)) fail(`the file says ${what} ${fromFile} but ${fromCaller} was given`);
    }
    const v = fromFile ?? fromCaller;
    if (v === undefined) return fail(`no embedscape metadata: the ${what} must be given (on the CLI: --net FILE@tanh@mse)`);
    return v;
  };
  if (opts.arch !== undefined) {
    const given = typeof opts.arch === "string" ? opts.arch : opts.arch.join("-");
    if (given.replace(/,/g, "-") !== widths.join("-")) fail(`the file holds a ${widths.join("-")} net but architecture ${given} was given`);
  }
  try {
    return makeArch(widths, pick("activation"), pick("loss"));
  } catch (e) {
    if (e instanceof InputError) return fail(e.message);
    throw e;
  }
}
