import { createNet, makeArch, type Arch, type Net } from "../nn/arch.js";
import { layerViews } from "../nn/arch.js";
import { describe, InputError, quote } from "../util/errors.js";
import { parseJsonStrict } from "../util/json.js";
import { parseActivationName } from "../nn/activations.js";
import { canonicalLossName } from "../nn/losses.js";

/** Largest header we accept (safetensors itself caps headers at 100 MB; nets here need far less). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

interface TensorEntry { dtype: string; shape: number[]; start: number; end: number }

/**
 * Serialise a net as safetensors with PyTorch `nn.Sequential` key names: Linear layer l (1-based) sits at
 * module index 2(l−1) (activation modules in between), so keys are `0.weight` [m_1, m_0] row-major, `0.bias`,
 * `2.weight`, … (dtype F64). The architecture goes in `__metadata__.embedscape` as a JSON string.
 */
export function netToSafetensors(net: Net, meta: Record<string, string> = {}): Uint8Array {
  const views = layerViews(net.arch.widths, net.theta);
  const header: Record<string, unknown> = {
    __metadata__: {
      ...meta,
      format: "pt",
      embedscape: JSON.stringify({ widths: net.arch.widths, activation: net.arch.activation, loss: net.arch.loss }),
    },
  };
  const blocks: Float64Array[] = [];
  let off = 0;
  views.forEach((v, i) => {
    for (const [name, data, shape] of [["weight", v.W, [v.rows, v.cols]], ["bias", v.b, [v.rows]]] as const) {
      header[`${2 * i}.${name}`] = { dtype: "F64", shape, data_offsets: [off, off + data.length * 8] };
      blocks.push(data);
      off += data.length * 8;
    }
  });
  let json = JSON.stringify(header);
  // pad the header with spaces to a multiple of 8 so the data is 8-byte aligned (as the reference writer does)
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) { json += " ".repeat(pad); hb = enc.encode(json); }
  const out = new Uint8Array(8 + hb.length + off);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const b of blocks) {
    for (let j = 0; j < b.length; j++, p += 8) dv.setFloat64(p, b[j], true);
  }
  return out;
}

/**
 * Parse a safetensors file into a net. Every field is checked (nothing from the file is trusted): header length vs
 * file size and MAX_SAFETENSORS_HEADER, JSON validity, key set (exactly `2i.weight`/`2i.bias` for consecutive i),
 * dtype (F64 or F32, converted), shapes vs byte ranges, overlapping/out-of-range/unused offsets, finiteness and
 * that the layer shapes chain (weight i is [m_{i+1}, m_i]). The architecture comes from `__metadata__.embedscape`;
 * files without it (e.g. written by PyTorch) load when `fallback` gives the activation and loss.
 */
export function netFromSafetensors(bytes: Uint8Array, name = "safetensors", fallback?: { activation?: string; loss?: string }): Net {
  const fail = (msg: string): never => { throw new InputError(`${name}: ${msg}`); };
  if (bytes.length < 8) fail(`file too short for a safetensors header (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen64 = dv.getBigUint64(0, true);
  if (hlen64 > BigInt(MAX_SAFETENSORS_HEADER)) fail(`header length ${hlen64} exceeds the limit of ${MAX_SAFETENSORS_HEADER} bytes`);
  const hlen = Number(hlen64);
  if (hlen < 2) fail(`header length ${hlen} is too small`);
  if (8 + hlen > bytes.length) fail(`header length ${hlen} runs past the end of the file (${bytes.length} bytes)`);
  let headerText: string;
  try {
    headerText = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + hlen));
  } catch {
    return fail("header is not valid UTF-8");
  }
  // the reference reader (serde_json) refuses a byte-order mark; say so visibly instead of quoting U+FEFF
  if (headerText.charCodeAt(0) === 0xfeff) fail("header starts with a byte-order mark (U+FEFF), which safetensors does not allow");
  // strict: duplicate keys (JSON.parse would keep the last silently) and deep nesting are refused
  const header = parseJsonStrict(headerText, `${name}: header`);
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header is not a JSON object");
  const h = header as Record<string, unknown>;
  const dataLen = bytes.length - 8 - hlen;
  const dataStart = 8 + hlen;

  // architecture metadata
  let metaArch: { widths?: unknown; activation?: unknown; loss?: unknown } | undefined;
  if ("__metadata__" in h) {
    const m = h.__metadata__;
    if (typeof m !== "object" || m === null || Array.isArray(m)) fail("__metadata__ is not an object");
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) if (typeof v !== "string") fail(`__metadata__.${quote(k, 40)} is not a string`);
    const es = (m as Record<string, string>).embedscape;
    if (es !== undefined) {
      metaArch = parseJsonStrict(es, `${name}: __metadata__.embedscape`) as typeof metaArch;
      if (typeof metaArch !== "object" || metaArch === null || Array.isArray(metaArch)) fail("__metadata__.embedscape is not a JSON object");
    }
  }

  // tensor entries
  const entries = new Map<string, TensorEntry>();
  for (const [key, raw] of Object.entries(h)) {
    if (key === "__metadata__") continue;
    const tk = `tensor ${quote(key, 40)}`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(`${tk} is not an object`);
    const t = raw as Record<string, unknown>;
    const { dtype, shape, data_offsets } = t;
    if (dtype !== "F64" && dtype !== "F32") fail(`${tk} has dtype ${describe(dtype)} (expected F64 or F32)`);
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) fail(`${tk} has an invalid shape ${describe(shape)}`);
    if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || !data_offsets.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      fail(`${tk} has invalid data_offsets ${describe(data_offsets)}`);
    }
    const [start, end] = data_offsets as number[];
    if (start > end) fail(`${tk}: data_offsets [${start}, ${end}] are reversed`);
    if (end > dataLen) fail(`${tk}: data_offsets end ${end} is past the data section (${dataLen} bytes)`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const width = dtype === "F64" ? 8 : 4;
    if (count * width !== end - start) fail(`${tk}: shape ${describe(shape)} needs ${count * width} bytes but data_offsets span ${end - start}`);
    entries.set(key, { dtype: dtype as string, shape: shape as number[], start, end });
  }
  // offsets must tile the data section without overlap or gaps
  const sorted = [...entries.entries()].sort((a, b) => a[1].start - b[1].start || a[1].end - b[1].end);
  let cursor = 0;
  for (const [key, e] of sorted) {
    if (e.start < cursor) fail(`tensor ${quote(key, 40)} overlaps another tensor (bytes ${e.start}..${e.end})`);
    if (e.start > cursor) fail(`unused bytes ${cursor}..${e.start} in the data section before tensor ${quote(key, 40)}`);
    cursor = e.end;
  }
  if (cursor !== dataLen) fail(`data section has ${dataLen - cursor} trailing bytes not covered by any tensor`);

  // key set: 0.weight, 0.bias, 2.weight, 2.bias, …
  const L = entries.size / 2;
  if (entries.size === 0) fail("file holds no tensors");
  if (!Number.isInteger(L)) fail(`expected pairs of weight/bias tensors, found ${entries.size} tensors`);
  for (let i = 0; i < L; i++) {
    for (const s of ["weight", "bias"]) if (!entries.has(`${2 * i}.${s}`)) fail(`missing tensor "${2 * i}.${s}" (expected nn.Sequential keys 0.weight, 0.bias, 2.weight, …; found ${quote([...entries.keys()].join(", "), 120)})`);
  }
  const widths: number[] = [];
  for (let i = 0; i < L; i++) {
    const w = entries.get(`${2 * i}.weight`)!, b = entries.get(`${2 * i}.bias`)!;
    if (w.shape.length !== 2) fail(`tensor "${2 * i}.weight" must be 2-D, has shape [${w.shape.join(", ")}]`);
    if (b.shape.length !== 1) fail(`tensor "${2 * i}.bias" must be 1-D, has shape [${b.shape.join(", ")}]`);
    const [rows, cols] = w.shape;
    if (rows < 1 || cols < 1) fail(`tensor "${2 * i}.weight" has an empty shape [${rows}, ${cols}]`);
    if (b.shape[0] !== rows) fail(`tensor "${2 * i}.bias" has ${b.shape[0]} entries, weight has ${rows} rows`);
    if (i === 0) widths.push(cols);
    else if (cols !== widths[i]) fail(`layers do not chain: "${2 * i}.weight" has ${cols} columns but layer ${i} has ${widths[i]} outputs`);
    widths.push(rows);
  }

  let arch: Arch;
  if (metaArch) {
    const mw = metaArch.widths;
    if (!Array.isArray(mw) || mw.length !== widths.length || mw.some((w, i) => w !== widths[i])) {
      fail(`metadata widths ${describe(mw)} do not match the tensor shapes (${widths.join("-")})`);
    }
    if (typeof metaArch.activation !== "string" || typeof metaArch.loss !== "string") fail("metadata must name activation and loss as strings");
    arch = makeArch(widths, parseActivationName(metaArch.activation as string), canonicalLossName(metaArch.loss as string));
  } else {
    if (!fallback?.activation) fail("no embedscape architecture in __metadata__; give the activation (and loss) explicitly (CLI: --net FILE@tanh@mse)");
    arch = makeArch(widths, parseActivationName(fallback!.activation!), canonicalLossName(fallback!.loss ?? "mse"));
  }

  const theta = new Float64Array(widths.slice(1).reduce((s, m, i) => s + m * (widths[i] + 1), 0));
  let p = 0;
  for (let i = 0; i < L; i++) {
    for (const s of ["weight", "bias"]) {
      const e = entries.get(`${2 * i}.${s}`)!;
      const n = e.dtype === "F64" ? (e.end - e.start) / 8 : (e.end - e.start) / 4;
      for (let j = 0; j < n; j++, p++) {
        const v = e.dtype === "F64" ? dv.getFloat64(dataStart + e.start + 8 * j, true) : dv.getFloat32(dataStart + e.start + 4 * j, true);
        if (!Number.isFinite(v)) fail(`tensor "${2 * i}.${s}" has a non-finite value (${v}) at index ${j}`);
        theta[p] = v;
      }
    }
  }
  return createNet(arch, theta);
}
