/**
 * Fuzzing every file reader against an oracle (test helper, not public API). Each target names valid seed files,
 * mutators, the reader and a `verify` that decides whether an *accepted* input was read correctly — by an
 * independent reference decoding (JSON.parse for the JSON formats, a direct byte decoding for safetensors and
 * IDX, numpy itself for .npy) and by a round trip through the writer. Outcomes per input:
 *   refused  — an InputError with a one-line message (fine);
 *   accepted — verify passed (fine);
 *   crash    — any other exception, or a multi-line message;
 *   wrong    — accepted, but verify found a different reading (a "wrong acceptance").
 * Used by src/io/fuzz-readers.test.ts (seconds, in CI) and src/testing/fuzz-long.ts (`npm run fuzz`).
 */
import { spawnSync } from "node:child_process";
import { gunzipSync, gzipSync } from "node:zlib";
import { formatDataCsv, parseDataCsv } from "../data/csv.js";
import { makeDataset, type Dataset } from "../data/dataset.js";
import { readIdx, writeIdxU8 } from "../data/idx.js";
import { formatDataJson, parseDataJson } from "../data/json.js";
import { readNpy, writeNpy } from "../data/npy.js";
import { netFromJson, netToJson } from "../io/net-json.js";
import { netFromSafetensors, netToSafetensors } from "../io/safetensors.js";
import { decodeFloats, DTYPE_BYTES, isFloatDtype, stateDictSource } from "../io/state-dict.js";
import { initNet, makeArch, paramCount, type Net } from "../nn/arch.js";
import { checkpointToJson, datasetHash, readCheckpoint, type FlowSettings, type TrainSettings } from "../optim/checkpoint.js";
import { gradientFlow } from "../optim/flow.js";
import { trainMinibatch } from "../optim/sgd.js";
import { train } from "../optim/train.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { flipBits, headerEdit, hostileLength, idxHeaderEdit, insertDelete, npyDictEdit, npyVersion, overwriteBytes, textEdit, truncate, type Mutator } from "./fuzz.js";

export interface FuzzTarget {
  name: string;
  seeds: Uint8Array[];
  mutators: Record<string, Mutator>;
  read(bytes: Uint8Array): unknown;
  /** Throw (with a reason) if an accepted input was not read correctly. */
  verify(bytes: Uint8Array, result: unknown): void;
}

export interface FuzzCounts {
  inputs: number;
  accepted: number;
  refused: number;
  crashes: number;
  wrong: number;
  /** Inputs whose read took longer than `hangMs` (the long run also has a watchdog for real hangs). */
  slow: number;
  slowestMs: number;
  /** The first few failures: target, case, mutator, what happened. */
  failures: string[];
}

export const emptyCounts = (): FuzzCounts => ({ inputs: 0, accepted: 0, refused: 0, crashes: 0, wrong: 0, slow: 0, slowestMs: 0, failures: [] });

export function addCounts(a: FuzzCounts, b: FuzzCounts): FuzzCounts {
  return {
    inputs: a.inputs + b.inputs, accepted: a.accepted + b.accepted, refused: a.refused + b.refused, crashes: a.crashes + b.crashes,
    wrong: a.wrong + b.wrong, slow: a.slow + b.slow, slowestMs: Math.max(a.slowestMs, b.slowestMs), failures: [...a.failures, ...b.failures].slice(0, 20),
  };
}

/** Classify one input (see the module comment). */
export function classify(t: FuzzTarget, bytes: Uint8Array, counts: FuzzCounts, label: string, hangMs = 2000): "accepted" | "refused" | "crash" | "wrong" {
  counts.inputs++;
  const t0 = performance.now();
  let result: unknown, outcome: "accepted" | "refused" | "crash" | "wrong";
  try {
    result = t.read(bytes);
    try {
      t.verify(bytes, result);
      outcome = "accepted";
    } catch (e) {
      outcome = "wrong";
      counts.failures.push(`${t.name} ${label}: accepted but wrong: ${String((e as Error)?.message ?? e).slice(0, 300)}`);
    }
  } catch (e) {
    if (e instanceof InputError && e.message.length > 0 && !e.message.includes("\n")) outcome = "refused";
    else {
      outcome = "crash";
      counts.failures.push(`${t.name} ${label}: ${(e as Error)?.constructor?.name}: ${String((e as Error)?.message ?? e).slice(0, 300)}`);
    }
  }
  const ms = performance.now() - t0;
  counts.slowestMs = Math.max(counts.slowestMs, ms);
  if (ms > hangMs) { counts.slow++; counts.failures.push(`${t.name} ${label}: took ${ms.toFixed(0)} ms`); }
  if (outcome === "accepted") counts.accepted++;
  else if (outcome === "refused") counts.refused++;
  else if (outcome === "crash") counts.crashes++;
  else counts.wrong++;
  counts.failures = counts.failures.slice(0, 20);
  return outcome;
}

/** A seeded mutant of one of the target's seeds (one mutation, sometimes two). */
export function mutant(t: FuzzTarget, rng: Rng): { bytes: Uint8Array; mutator: string } {
  const names = Object.keys(t.mutators);
  const base = t.seeds[rng.int(t.seeds.length)];
  const name = names[rng.int(names.length)];
  let bytes = t.mutators[name](base, rng);
  if (rng.uniform() < 0.25) bytes = t.mutators[names[rng.int(names.length)]](bytes, rng);
  return { bytes, mutator: name };
}

/** Run `cases` seeded mutants of `t` (or until `deadline`, a performance.now() time), adding to `counts`. */
export function runTarget(t: FuzzTarget, cases: number, seed: number, counts = emptyCounts(), deadline = Infinity, onInput?: (bytes: Uint8Array, outcome: string) => void): FuzzCounts {
  const rng = new Rng(seed);
  for (let c = 0; c < cases && performance.now() < deadline; c++) {
    const { bytes, mutator } = mutant(t, rng);
    const outcome = classify(t, bytes, counts, `seed ${seed} case ${c} (${mutator})`);
    onInput?.(bytes, outcome);
  }
  return counts;
}

// ---- oracles ------------------------------------------------------------------------------------------------

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function same(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

function sameNet(a: Net, b: Net, what: string): void {
  same(a.arch.widths, b.arch.widths, `${what} widths`);
  if (a.arch.activation !== b.arch.activation || a.arch.loss !== b.arch.loss) throw new Error(`${what}: arch ${a.arch.activation}/${a.arch.loss} vs ${b.arch.activation}/${b.arch.loss}`);
  same(a.theta, b.theta, `${what} θ`);
}

function sameData(a: Dataset, b: Dataset, what: string): void {
  if (a.n !== b.n || a.d !== b.d || a.k !== b.k) throw new Error(`${what}: shape ${a.n}×${a.d}→${a.k} vs ${b.n}×${b.d}→${b.k}`);
  same(a.x, b.x, `${what} x`);
  same(a.y, b.y, `${what} y`);
}

/** A JSON column as the reference reads it: numbers → one column, lists → rows. */
function flatColumn(v: unknown, what: string): { rows: number; cols: number; data: number[] } {
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  if (v.every((e) => typeof e === "number")) return { rows: v.length, cols: 1, data: v as number[] };
  const cols = (v[0] as unknown[]).length;
  return { rows: v.length, cols, data: (v as number[][]).flat() };
}

/**
 * safetensors reference: decode every tensor straight from the header offsets (JSON.parse) under the names the
 * reader reports (`stateDictSource`: any prefix, bias=False → zeros) and compare to θ; every tensor must be used.
 */
function safetensorsReference(bytes: Uint8Array, net: Net): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const keys = Object.keys(header).filter((k) => k !== "__metadata__");
  const src = stateDictSource(net.arch);
  if (!src || src.layers.length !== net.arch.widths.length - 1) throw new Error("reference: no state-dict names for the net read");
  const used = src.layers.flatMap((l) => (l.bias === null ? [l.weight] : [l.weight, l.bias]));
  if (keys.length !== used.length || !keys.every((k) => used.includes(k))) throw new Error(`reference: tensors ${keys.join(",")} vs layers ${used.join(",")}`);
  const theta: number[] = [];
  src.layers.forEach((l, i) => {
    for (const key of [l.weight, l.bias]) {
      if (key === null) { for (let j = 0; j < net.arch.widths[i + 1]; j++) theta.push(0); continue; }
      const t = header[key];
      if (!isFloatDtype(t.dtype)) throw new Error(`reference: dtype ${t.dtype}`);
      theta.push(...decodeFloats(t.dtype, bytes, 8 + n + t.data_offsets[0], (t.data_offsets[1] - t.data_offsets[0]) / DTYPE_BYTES[t.dtype]));
    }
  });
  same(net.theta, theta, "θ vs the bytes");
}

/** Big-endian IDX reference decoding. */
function idxReference(bytes: Uint8Array, a: { dims: number[]; data: ArrayLike<number>; dtype: string }): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nd = bytes[3], hdr = 4 + 4 * nd;
  same(a.dims, Array.from({ length: nd }, (_, i) => dv.getUint32(4 + 4 * i, false)), "dims");
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[bytes[2]] ?? 0;
  const count = a.dims.reduce((x, y) => x * y, 1);
  if (bytes.length !== hdr + count * size) throw new Error(`accepted ${bytes.length} bytes for ${count} values of ${size} bytes`);
  const get = (i: number): number => {
    const p = hdr + i * size;
    switch (bytes[2]) {
      case 0x08: return bytes[p];
      case 0x09: return dv.getInt8(p);
      case 0x0b: return dv.getInt16(p, false);
      case 0x0c: return dv.getInt32(p, false);
      case 0x0d: return dv.getFloat32(p, false);
      default: return dv.getFloat64(p, false);
    }
  };
  same(a.data, Array.from({ length: count }, (_, i) => get(i)), "IDX values");
}

// ---- targets ------------------------------------------------------------------------------------------------

const binary = { truncate, flipBits, overwrite: overwriteBytes(96), insertDelete };
const text = { truncate, flipBits, text: textEdit, text2: textEdit, insertDelete };

/** A small trained checkpoint (Adam, so it carries moments) and its settings. */
function checkpointSeeds(): Uint8Array[] {
  const data = makeDataset([[0.5], [-1], [2]], [[1], [0], [-2.5]]);
  return (["adam", "gd"] as const).map((optimizer, i) => {
    const net = initNet(makeArch([1, 3, 1], "tanh", "mse"), { seed: 4 + i });
    const r = train(net, data, { optimizer, lr: 0.01, steps: 5 });
    const settings: TrainSettings = {
      optimizer, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, widths: [1, 3, 1], activation: "tanh", loss: "mse",
      data: { spec: "fuzz.csv", sha256: datasetHash(data), n: 3, d: 1, k: 1 }, start: { kind: "init", scheme: "pytorch", seed: 4 + i, scale: 1 },
    };
    return enc(checkpointToJson(r.net, r.state, settings));
  }).concat(otherCheckpointSeeds(data));
}

/** A minibatch checkpoint (batch position beside the step) and a gradient-flow checkpoint, for the same data. */
function otherCheckpointSeeds(data: Dataset): Uint8Array[] {
  const net = initNet(makeArch([1, 3, 1], "tanh", "mse"), { seed: 6 });
  const base = { widths: [1, 3, 1], activation: "tanh", loss: "mse", data: { spec: "fuzz.csv", sha256: datasetHash(data), n: 3, d: 1, k: 1 }, start: { kind: "init" as const, scheme: "pytorch", seed: 6, scale: 1 } };
  const sgd = trainMinibatch(net, data, { optimizer: "adam", lr: 0.01, steps: 5, batchSize: 2, shuffleSeed: 3 });
  const sgdSettings: TrainSettings = { optimizer: "adam", lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, batchSize: 2, shuffleSeed: 3, ...base };
  const fl = gradientFlow(net, data, { method: "ros2", maxAccepted: 4, tEnd: Infinity });
  const flowSettings: FlowSettings = { optimizer: "flow", method: "ros2", rtol: 1e-6, atol: 1e-9, tEnd: null, ...base };
  return [enc(checkpointToJson(sgd.net, sgd.state, sgdSettings)), enc(checkpointToJson(fl.net, { optimizer: "flow", ...fl.state }, flowSettings))];
}

/**
 * PyTorch-style state dicts without metadata (as `safetensors.torch.save_file` writes them): `fc1`/`fc2` in F16
 * with a bias=False layer, and `net.0`/`net.2` in BF16, F32 and F64 — so mutants reach the name matching, the
 * added zero biases and the half-precision decoders.
 */
function stateDictSeeds(): Uint8Array[] {
  const rng = new Rng(9);
  const bits = (dtype: string, count: number): Uint8Array => {
    const w = DTYPE_BYTES[dtype as "F16"], out = new Uint8Array(count * w), dv = new DataView(out.buffer);
    for (let i = 0; i < count; i++) {
      const sign = rng.uniform() < 0.5 ? 0x8000 : 0;
      if (dtype === "F16") dv.setUint16(2 * i, sign | ((10 + Math.floor(rng.uniform() * 10)) << 10) | Math.floor(rng.uniform() * 1024), true);
      else if (dtype === "BF16") dv.setUint16(2 * i, sign | ((120 + Math.floor(rng.uniform() * 10)) << 7) | Math.floor(rng.uniform() * 128), true);
      else if (dtype === "F32") dv.setFloat32(4 * i, rng.range(-1, 1), true);
      else dv.setFloat64(8 * i, rng.range(-1, 1), true);
    }
    return out;
  };
  const file = (tensors: Array<[string, string, number[]]>): Uint8Array => {
    const header: Record<string, unknown> = {}, blobs: Uint8Array[] = [];
    let off = 0;
    for (const [key, dtype, shape] of tensors) {
      const b = bits(dtype, shape.reduce((a, x) => a * x, 1));
      header[key] = { dtype, shape, data_offsets: [off, off + b.length] };
      blobs.push(b);
      off += b.length;
    }
    const h = enc(JSON.stringify(header));
    const out = new Uint8Array(8 + h.length + off);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    let p = 8 + h.length;
    for (const b of blobs) { out.set(b, p); p += b.length; }
    return out;
  };
  return [
    file([["fc1.weight", "F16", [3, 2]], ["fc2.weight", "F16", [1, 3]], ["fc2.bias", "F16", [1]]]),
    file([["net.0.weight", "BF16", [2, 2]], ["net.0.bias", "BF16", [2]], ["net.2.weight", "F32", [1, 2]], ["net.2.bias", "F64", [1]]]),
  ];
}

/** Every reader's fuzz target (the .npy one verifies by round trip only; `npyAgainstNumpy` adds numpy's verdicts). */
export function readerTargets(): FuzzTarget[] {
  const nets = [initNet(makeArch([1, 3, 1], "tanh", "mse"), { seed: 1 }), initNet(makeArch([2, 4, 3, 2], "relu", "cross-entropy"), { seed: 2 })];
  const data = makeDataset([[0.5, -1], [2, 3e-5], [1e10, 4]], [[1], [0], [-2.5]]);
  const images = writeIdxU8([4, 3, 3], Array.from({ length: 36 }, (_, i) => (i * 37) % 256));
  const labels = writeIdxU8([4], [0, 3, 1, 2]);
  const f64idx = (() => { const b = new Uint8Array(4 + 8 + 48); const dv = new DataView(b.buffer); b[2] = 0x0e; b[3] = 2; dv.setUint32(4, 2, false); dv.setUint32(8, 3, false); for (let i = 0; i < 6; i++) dv.setFloat64(12 + 8 * i, i / 3 - 0.5, false); return b; })();
  return [
    {
      name: "safetensors",
      seeds: [...nets.map((n) => netToSafetensors(n)), ...stateDictSeeds()],
      mutators: { ...binary, header: headerEdit("safetensors"), header2: headerEdit("safetensors"), length: hostileLength },
      read: (b) => {
        try { return netFromSafetensors(b, "fuzz.safetensors"); } catch (e) {
          // a mutant that lost its metadata loads when the caller names activation and loss
          if (e instanceof InputError && /give the activation/.test(e.message)) return netFromSafetensors(b, "fuzz.safetensors", { activation: "tanh", loss: "mse" });
          throw e;
        }
      },
      verify: (b, r) => {
        const net = r as Net;
        if (net.theta.length !== paramCount(net.arch.widths)) throw new Error("θ length");
        safetensorsReference(b, net);
        sameNet(netFromSafetensors(netToSafetensors(net)), net, "round trip");
      },
    },
    {
      name: "json net",
      seeds: nets.map((n) => enc(netToJson(n))),
      mutators: text,
      read: (b) => netFromJson(dec(b), "fuzz.json"),
      verify: (b, r) => {
        const net = r as Net, ref = JSON.parse(dec(b).replace(/^\ufeff/, "")) as { arch: { widths: number[] }; theta: number[] };
        same(net.arch.widths, ref.arch.widths, "widths vs JSON.parse");
        same(net.theta, ref.theta, "θ vs JSON.parse");
        sameNet(netFromJson(netToJson(net)), net, "round trip");
      },
    },
    {
      name: "csv",
      seeds: [enc(formatDataCsv(data)), enc("# comment\ny2,x1,y1\n1,2,3\n4,5,6\n"), enc("# x1,y1\n1.000000000000000000e+00,2.5e-01\n3,4\n"),
        enc("x1,x2,label\n1,2,0\n3,4,2\n"), enc('"x1","note","y1"\r\n1,"a,""b""",2\r\n3,"c\r\nd",4\r\n')],
      mutators: text,
      read: (b) => parseDataCsv(dec(b), "fuzz.csv"),
      verify: (b, r) => {
        const d = r as Dataset;
        const text = dec(b).replace(/^\ufeff/, "");
        const ref = csvReference(text);
        if (ref) {
          if (d.n !== ref.n) throw new Error(`rows ${d.n} vs ${ref.n}`);
          same(d.x, ref.x, "x vs cells");
          same(d.y, ref.y, "y vs cells");
        }
        sameData(parseDataCsv(formatDataCsv(d)), d, "round trip");
      },
    },
    {
      name: "json data",
      seeds: [enc(formatDataJson(data)), enc('{"x": [1, 2, 3], "y": [[1, 0], [0, 1], [1, 1]]}')],
      mutators: text,
      read: (b) => parseDataJson(dec(b), "fuzz.json"),
      verify: (b, r) => {
        const d = r as Dataset, ref = JSON.parse(dec(b).replace(/^\ufeff/, "")) as { x: unknown; y: unknown };
        const x = flatColumn(ref.x, "x"), y = flatColumn(ref.y, "y");
        if (x.rows !== d.n || x.cols !== d.d || y.cols !== d.k) throw new Error(`shape vs JSON.parse`);
        same(d.x, x.data, "x vs JSON.parse");
        same(d.y, y.data, "y vs JSON.parse");
        sameData(parseDataJson(formatDataJson(d)), d, "round trip");
      },
    },
    {
      name: "npy",
      seeds: [writeNpy([1, 2, 3, 4, 5, 6], [2, 3]), writeNpy([0.5, -1, 2], [3]), writeNpy([1.5, 2.5], [2, 1])],
      mutators: { ...binary, header: headerEdit("npy"), dict: headerEdit("npy", npyDictEdit), dict2: headerEdit("npy", npyDictEdit), version: npyVersion },
      read: (b) => readNpy(b, "fuzz.npy"),
      verify: (_b, r) => {
        const a = r as { shape: number[]; data: Float64Array };
        if (a.data.length !== a.shape.reduce((x, y) => x * y, 1)) throw new Error("size vs shape");
        const back = readNpy(writeNpy(a.data, a.shape));
        same(back.shape, a.shape, "round trip shape");
        same(back.data, a.data, "round trip data");
      },
    },
    {
      name: "idx",
      seeds: [images, gzipSync(images), labels, f64idx],
      mutators: { ...binary, overwrite: overwriteBytes(16), header: idxHeaderEdit, header2: idxHeaderEdit },
      read: (b) => readIdx(b, "fuzz.idx"),
      verify: (b, r) => {
        const a = r as { dims: number[]; data: ArrayLike<number>; dtype: string };
        const raw = b[0] === 0x1f && b[1] === 0x8b ? new Uint8Array(gunzipSync(b)) : b;
        idxReference(raw, a);
        if (a.dtype === "u8") same(readIdx(writeIdxU8(a.dims, a.data)).data, a.data, "round trip");
      },
    },
    {
      name: "checkpoint",
      seeds: checkpointSeeds(),
      mutators: text,
      read: (b) => readCheckpoint(dec(b), "fuzz.checkpoint.json"),
      verify: (_b, r) => {
        const c = r as ReturnType<typeof readCheckpoint>;
        const P = c.net.theta.length;
        if (c.state.optimizer === "flow") {
          if (!Number.isSafeInteger(c.state.accepted) || !(c.state.h > 0) || !(c.state.t >= 0)) throw new Error(`flow state ${JSON.stringify(c.state).slice(0, 80)}`);
        } else if (!Number.isSafeInteger(c.state.step) || c.state.step < 0) throw new Error(`step ${c.state.step}`);
        if (c.state.optimizer === "adam" && (c.state.m?.length !== P || c.state.v?.length !== P)) throw new Error("moment lengths");
        const back = readCheckpoint(checkpointToJson(c.net, c.state, c.settings), "round trip");
        sameNet(back.net, c.net, "round trip");
        if (JSON.stringify(back.state) !== JSON.stringify(c.state) || JSON.stringify(back.settings) !== JSON.stringify(c.settings)) throw new Error("round trip state/settings");
      },
    },
  ];
}

// ---- numpy as the .npy oracle -------------------------------------------------------------------------------

/** numpy.load's verdict on one file: refused, or the shape and float64 C-order values (NaN/±∞ as strings). */
export type NumpyVerdict = { ok: false; error: string } | { ok: true; shape: number[]; values: (number | string)[]; dtype: string };

const NUMPY_SCRIPT = `
import io, json, struct, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
data = sys.stdin.buffer.read()
out, p = [], 0
while p < len(data):
    (n,) = struct.unpack("<I", data[p:p + 4]); p += 4
    b = data[p:p + n]; p += n
    try:
        a = np.load(io.BytesIO(b), allow_pickle=False)
        if not isinstance(a, np.ndarray) or a.dtype.kind not in "fiub" or a.size > 1000:
            out.append({"ok": True, "shape": list(a.shape), "values": [], "dtype": str(getattr(a, "dtype", "?"))}); continue
        v = [x if x == x and abs(x) != float("inf") else repr(x) for x in np.asarray(a, dtype=np.float64).ravel(order="C").tolist()]
        out.append({"ok": True, "shape": list(a.shape), "values": v, "dtype": a.dtype.str})
    except Exception as e:
        out.append({"ok": False, "error": type(e).__name__})
print(json.dumps({"numpy": np.__version__, "verdicts": out}))
`;

/** Ask numpy (via `python`, default /usr/bin/python3) for its verdict on each file; null when numpy is not there. */
export function numpyVerdicts(files: Uint8Array[], python = "/usr/bin/python3"): { numpy: string; verdicts: NumpyVerdict[] } | null {
  const parts: Uint8Array[] = [];
  for (const f of files) { const n = new Uint8Array(4); new DataView(n.buffer).setUint32(0, f.length, true); parts.push(n, f); }
  const r = spawnSync(python, ["-c", NUMPY_SCRIPT], { input: Buffer.concat(parts), maxBuffer: 1 << 30, encoding: "utf8" });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout);
}

/**
 * Compare embedscape's reading of a .npy file with numpy's verdict: refusing is always allowed (embedscape reads a
 * subset); accepting requires numpy to accept with the same shape and the same float64 values (C order).
 * Returns null when consistent, else the reason.
 */
export function compareWithNumpy(bytes: Uint8Array, v: NumpyVerdict): { outcome: "accepted" | "refused" | "crash"; wrong: string | null } {
  let a: { shape: number[]; data: Float64Array };
  try {
    a = readNpy(bytes, "fuzz.npy");
  } catch (e) {
    return { outcome: e instanceof InputError && !e.message.includes("\n") ? "refused" : "crash", wrong: e instanceof InputError ? null : `threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}` };
  }
  if (!v.ok) return { outcome: "accepted", wrong: `accepted shape (${a.shape}) but numpy refuses it (${v.error})` };
  if (v.shape.join(",") !== a.shape.join(",")) return { outcome: "accepted", wrong: `shape (${a.shape}) but numpy reads (${v.shape}) ${v.dtype}` };
  if (v.values.length !== a.data.length) return { outcome: "accepted", wrong: `numpy gives ${v.values.length} values (${v.dtype}), we ${a.data.length}` };
  for (let i = 0; i < a.data.length; i++) if (!Object.is(v.values[i], a.data[i])) return { outcome: "accepted", wrong: `value ${i}: ${a.data[i]} but numpy (${v.dtype}) reads ${v.values[i]}` };
  return { outcome: "accepted", wrong: null };
}

/**
 * An independent reading of a quote-free, comma-separated data CSV by the rules of parseDataCsv (split on lines and
 * commas): the header is the first non-comment line when none of its fields is a number, else the comment line
 * right before it when it has as many fields and none is a number; columns x1..xd (or x) and y1..yk (or y) or label
 * (one-hot, K = max + 1), or without a header the last column as target. `undefined` (not checked cell by cell)
 * for text with quotes or without a comma on its first data line.
 */
function csvReference(text: string): { n: number; x: number[]; y: number[] } | undefined {
  const dec = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  const isNum = (f: string): boolean => dec.test(f) || /^[-+]?(nan|inf|infinity)$/i.test(f);
  if (text.includes('"')) return undefined;
  const all = text.split(/\r?\n/);
  const first = all.findIndex((l) => l.trim() !== "" && !l.startsWith("#"));
  if (first < 0 || !all[first].includes(",")) return undefined;
  const split = (l: string): string[] => l.split(",").map((f) => f.trim());
  const f0 = split(all[first]);
  let head: string[] | undefined, dataFrom = first;
  if (f0.every((f) => !isNum(f))) { head = f0; dataFrom = first + 1; }
  else if (first > 0 && all[first - 1].startsWith("#")) {
    const h = split(all[first - 1].replace(/^#\s*/, ""));
    if (h.length === f0.length && h.every((f) => !isNum(f))) head = h;
  }
  const rows = all.slice(dataFrom).filter((l) => l.trim() !== "" && !l.startsWith("#")).map(split);
  const cell = (s: string): number => { if (!dec.test(s)) throw new Error(`accepted cell "${s}"`); return Number(s); };
  let xc: number[], yc: number[], label = false;
  if (head) {
    const named = (p: string): number[] => (head!.includes(p) ? [head!.indexOf(p)] : Array.from({ length: head!.length }, (_, j) => head!.indexOf(`${p}${j + 1}`)).filter((c, j, a) => c >= 0 && a.slice(0, j).every((q) => q >= 0)));
    xc = named("x"); yc = named("y");
    if (yc.length === 0) { yc = [head.indexOf("label")]; label = true; }
  } else {
    xc = Array.from({ length: f0.length - 1 }, (_, j) => j); yc = [f0.length - 1];
  }
  const x = rows.flatMap((r) => xc.map((c) => cell(r[c])));
  let y = rows.flatMap((r) => yc.map((c) => cell(r[c])));
  if (label) {
    const K = Math.max(...y) + 1;
    y = y.flatMap((c) => Array.from({ length: K }, (_, j) => (j === c ? 1 : 0)));
  }
  return { n: rows.length, x, y };
}
