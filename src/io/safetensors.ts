import { createNet, makeArch, type Arch, type Net } from "../nn/arch.js";
import { layerViews } from "../nn/arch.js";
import { describe, InputError, quote } from "../util/errors.js";
import { parseJsonStrict } from "../util/json.js";
import { parseActivationName } from "../nn/activations.js";
import { canonicalLossName } from "../nn/losses.js";
import { decodeFloats, DTYPE_BYTES, isFloatDtype, linearLayers, rememberStateDict, stateDictSource, type FloatDtype } from "./state-dict.js";

/** Largest header we accept (safetensors itself caps headers at 100 MB; nets here need far less). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

interface TensorEntry { dtype: FloatDtype; shape: number[]; start: number; end: number }

/**
 * Serialise a net as safetensors, always as F64 (exact: θ is float64). Key names: those the net was read with when
 * it came from a state dict (`fc1.weight`, `net.2.weight`, a Flatten's `1.weight`, … — kept on its architecture,
 * see `stateDictSource`), so PyTorch's `load_state_dict` takes it back; a `bias=False` layer is written without
 * its bias while that bias is exactly 0 (with `<module>.bias` once training made it non-zero — PyTorch's strict
 * load then reports it as unexpected rather than losing it). Otherwise PyTorch `nn.Sequential` names: Linear layer
 * l (1-based) at module index 2(l−1) (activation modules in between), keys `0.weight` [m_1, m_0] row-major,
 * `0.bias`, `2.weight`, … The architecture goes in `__metadata__.embedscape` as a JSON string.
 */
export function netToSafetensors(net: Net, meta: Record<string, string> = {}): Uint8Array {
  const views = layerViews(net.arch.widths, net.theta);
  const src = stateDictSource(net.arch);
  const names = src && src.layers.length === views.length ? src.layers : views.map((_, i) => ({ module: String(2 * i), weight: `${2 * i}.weight`, bias: `${2 * i}.bias` as string | null }));
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
    const n = names[i];
    const bias = n.bias ?? (v.b.some((x) => x !== 0) ? `${n.module}.bias` : null);
    const parts: Array<[string, Float64Array, number[]]> = [[n.weight, v.W, [v.rows, v.cols]]];
    if (bias !== null) parts.push([bias, v.b, [v.rows]]);
    for (const [key, data, shape] of parts) {
      header[key] = { dtype: "F64", shape, data_offsets: [off, off + data.length * 8] };
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
 * Parse a safetensors file — an embedscape file or a PyTorch MLP state dict as `safetensors.torch.save_file` writes
 * it — into a net (SPEC §1.1, θ in §1.3 order). Every field is checked (nothing from the file is trusted): header
 * length vs file size and MAX_SAFETENSORS_HEADER, JSON validity, dtype (F64, F32, F16, BF16: every value is read
 * exactly into float64), shapes vs byte ranges, overlapping/out-of-range/unused offsets, finiteness. The Linear
 * layers are found by `linearLayers` (names in natural order, any prefix, `fc1`/`fc2`, `layers.0`, `net.2`, a
 * leading Flatten's `1.weight`, `bias=False`; the first tensor that does not fit an MLP is named in the error). A
 * `bias=False` layer gets b^[l] = 0 as an ordinary parameter of θ: R and the gradient for PyTorch's parameters are
 * PyTorch's, and PyTorch's Hessian is the principal submatrix without the added bias rows/columns. The names, and
 * notes on upcasts and added biases, are kept with the architecture (`stateDictSource`). The architecture comes from
 * `__metadata__.embedscape`; files without it (e.g. written by PyTorch) load when `fallback` gives the activation
 * (and loss, default mse; widths, if given, must match the shapes).
 */
export function netFromSafetensors(bytes: Uint8Array, name = "safetensors", fallback?: { activation?: string; loss?: string; widths?: readonly number[] }): Net {
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
    if (!isFloatDtype(dtype)) fail(`${tk} has dtype ${describe(dtype)} (expected F64, F32, F16 or BF16)`);
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) fail(`${tk} has an invalid shape ${describe(shape)}`);
    if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || !data_offsets.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      fail(`${tk} has invalid data_offsets ${describe(data_offsets)}`);
    }
    const [start, end] = data_offsets as number[];
    if (start > end) fail(`${tk}: data_offsets [${start}, ${end}] are reversed`);
    if (end > dataLen) fail(`${tk}: data_offsets end ${end} is past the data section (${dataLen} bytes)`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const width = DTYPE_BYTES[dtype as FloatDtype];
    if (count * width !== end - start) fail(`${tk}: shape ${describe(shape)} needs ${count * width} bytes but data_offsets span ${end - start}`);
    entries.set(key, { dtype: dtype as FloatDtype, shape: shape as number[], start, end });
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

  // Linear layers by name and shape (any prefix, natural order, a leading Flatten, bias=False; see state-dict.ts)
  const layers = linearLayers([...entries].map(([key, e]) => ({ name: key, shape: e.shape })), name);
  const widths = [layers[0].cols, ...layers.map((l) => l.rows)];

  let arch: Arch;
  if (metaArch) {
    const mw = metaArch.widths;
    if (!Array.isArray(mw) || mw.length !== widths.length || mw.some((w, i) => w !== widths[i])) {
      fail(`metadata widths ${describe(mw)} do not match the tensor shapes (${widths.join("-")})`);
    }
    if (typeof metaArch.activation !== "string" || typeof metaArch.loss !== "string") fail("metadata must name activation and loss as strings");
    arch = makeArch(widths, parseActivationName(metaArch.activation as string), canonicalLossName(metaArch.loss as string));
  } else {
    if (!fallback?.activation) fail(`no embedscape architecture in __metadata__ (widths ${widths.join("-")} read from the shapes); give the activation (and loss) explicitly (CLI: --net FILE@tanh or FILE@relu@cross-entropy)`);
    if (fallback!.widths && (fallback!.widths.length !== widths.length || fallback!.widths.some((w, i) => w !== widths[i]))) {
      fail(`the architecture given (${fallback!.widths.join("-")}) does not match the tensor shapes (${widths.join("-")})`);
    }
    arch = makeArch(widths, parseActivationName(fallback!.activation!), canonicalLossName(fallback!.loss ?? "mse"));
  }

  // θ in SPEC §1.3 order: W^[l] row-major (PyTorch's [out, in] layout is the same), then b^[l] (zeros for bias=False)
  const theta = new Float64Array(widths.slice(1).reduce((s, m, i) => s + m * (widths[i] + 1), 0));
  const dtypes = new Map<string, string[]>();
  let p = 0;
  for (const l of layers) {
    for (const key of [l.weight, l.bias]) {
      const count = key === l.weight ? l.rows * l.cols : l.rows;
      if (key === null) { p += count; continue; } // bias=False: b^[l] = 0
      const e = entries.get(key)!;
      const vals = decodeFloats(e.dtype, bytes, dataStart + e.start, count, theta.subarray(p, p + count));
      for (let j = 0; j < count; j++) if (!Number.isFinite(vals[j])) fail(`tensor ${quote(key, 40)} has a non-finite value (${vals[j]}) at index ${j}`);
      if (e.dtype !== "F64") dtypes.set(e.dtype, [...(dtypes.get(e.dtype) ?? []), key]);
      p += count;
    }
  }
  const notes: string[] = [];
  for (const [dt, keys] of dtypes) notes.push(`${name}: ${keys.length} ${dt} tensor${keys.length > 1 ? "s" : ""} (${quote(keys.slice(0, 3).join(", "), 120)}${keys.length > 3 ? ", …" : ""}) upcast exactly to float64; all arithmetic is float64`);
  const noBias = layers.filter((l) => l.bias === null).map((l) => l.module);
  if (noBias.length) notes.push(`${name}: ${quote(noBias.join(", "), 120)} ${noBias.length > 1 ? "have" : "has"} no bias (bias=False): embedscape adds b = 0 there as a parameter (trained, part of ∇R and the Hessian; PyTorch's Hessian is the submatrix without those rows and columns); saved back without it while it is exactly 0`);
  const net = createNet(arch, theta);
  rememberStateDict(arch, { layers: layers.map((l) => ({ module: l.module, weight: l.weight, bias: l.bias })), notes });
  return net;
}
