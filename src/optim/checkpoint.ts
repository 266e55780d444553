import { createHash } from "node:crypto";
import { z } from "zod";
import type { Dataset } from "../data/dataset.js";
import { netFromJson, netToJson } from "../io/net-json.js";
import type { Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { parseJsonStrict } from "../util/json.js";
import type { FlowMethod, FlowState } from "./flow.js";
import { batchPosition } from "./sgd.js";
import type { OptimizerSettings, TrainState } from "./train.js";

/**
 * Training checkpoints: an embedscape net file (so any reader can open it as a net) whose `meta` holds
 *   `train`:    the resumable state — gd/adam: optimizer, step, Adam moments m and v, and for minibatch runs the
 *               position in the sample schedule (epoch and batch index within the epoch's permutation, a function
 *               of step, n and B that is checked on reading); flow: method, t, h, accepted and rejected steps;
 *   `settings`: every setting that affects the trajectory — gd/adam: optimizer, lr, β1, β2, ε, and for minibatch
 *               runs batchSize and shuffleSeed; flow: method, rtol, atol (and the t-end target); for all: the
 *               architecture, the data (spec and a SHA-256 of its values) and how the run started (init
 *               scheme/seed/scale or start net).
 * `readCheckpoint` validates both with zod schemas (moment lengths = P, integer step within 2⁵³, …) and
 * `compareSettings` lists what a resuming command changes, so the CLI can refuse a silent change.
 * Version 3 added minibatch and flow runs; version-2 files (full-batch gd/adam) are read as they are.
 */
export const CHECKPOINT_VERSION = 3;

/** What every run's settings share: the architecture, the data and how θ₀ was made. */
export interface RunBase {
  widths: number[];
  activation: string;
  loss: string;
  data: { spec: string; sha256: string; n: number; d: number; k: number };
  /** How θ₀ was made: a seeded init, or a start net file (path and SHA-256 of its θ). */
  start: { kind: "init"; scheme: string; seed: number; scale: number } | { kind: "net"; path: string; sha256: string };
}

/** A gd/adam run's settings as stored in a checkpoint (batchSize absent: full batch). */
export interface TrainSettings extends OptimizerSettings, RunBase {
  /** Minibatch size B (absent: full-batch training). */
  batchSize?: number;
  /** Seed of the per-epoch shuffles (with batchSize). */
  shuffleSeed?: number;
}

/** A gradient-flow run's settings as stored in a checkpoint. */
export interface FlowSettings extends RunBase {
  optimizer: "flow";
  method: FlowMethod;
  rtol: number;
  atol: number;
  /** The t-end target of the command that wrote it (null: none); a target like --steps, not compared on resume. */
  tEnd: number | null;
}

/** Any run's settings. */
export type RunSettings = TrainSettings | FlowSettings;

/** A gradient flow's resumable state in a checkpoint. */
export interface FlowCheckpointState extends FlowState {
  optimizer: "flow";
}

/** Any run's resumable state. */
export type RunState = TrainState | FlowCheckpointState;

/** The optimizer kind of a run, in words (for messages): "full-batch adam", "minibatch gd (batch 8)", "gradient flow (ros2)". */
export function runKind(s: RunSettings): string {
  if (s.optimizer === "flow") return `gradient flow (${s.method})`;
  return s.batchSize === undefined ? `full-batch ${s.optimizer}` : `minibatch ${s.optimizer} (batch ${s.batchSize})`;
}

const finite = z.number().refine(Number.isFinite, "must be finite");
const safeInt = z.number().refine(Number.isSafeInteger, "must be an integer below 2^53");
const count = safeInt.refine((v) => v >= 0, "must not be negative");

const Base = {
  widths: z.array(safeInt).min(2),
  activation: z.string(),
  loss: z.string(),
  data: z.object({ spec: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), n: safeInt, d: safeInt, k: safeInt }),
  start: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("init"), scheme: z.string(), seed: safeInt, scale: finite }),
    z.object({ kind: z.literal("net"), path: z.string(), sha256: z.string() }),
  ]),
};

const Settings = z.object({
  optimizer: z.enum(["gd", "adam"]),
  lr: finite.refine((v) => v > 0, "must be positive"),
  beta1: finite, beta2: finite, eps: finite,
  batchSize: safeInt.refine((v) => v >= 1, "must be at least 1").optional(),
  shuffleSeed: count.optional(),
  ...Base,
});

const State = z.object({
  optimizer: z.enum(["gd", "adam"]),
  step: count,
  m: z.array(finite).optional(),
  v: z.array(finite).optional(),
  epoch: count.optional(),
  batch: count.optional(),
});

const FlowSettingsSchema = z.object({
  optimizer: z.literal("flow"),
  method: z.enum(["ros2", "dopri5"]),
  rtol: finite.refine((v) => v > 0, "must be positive"),
  atol: finite.refine((v) => v > 0, "must be positive"),
  tEnd: finite.refine((v) => v > 0, "must be positive").nullable(),
  ...Base,
});

const FlowStateSchema = z.object({
  optimizer: z.literal("flow"),
  method: z.enum(["ros2", "dopri5"]),
  t: finite.refine((v) => v >= 0, "must not be negative"),
  h: finite.refine((v) => v > 0, "must be positive"),
  accepted: count,
  rejected: count,
});

const Meta = z.object({ checkpoint: z.union([z.literal(2), z.literal(CHECKPOINT_VERSION)]), train: State, settings: Settings });
const FlowMeta = z.object({ checkpoint: z.literal(CHECKPOINT_VERSION), train: FlowStateSchema, settings: FlowSettingsSchema });

/** SHA-256 of a data set's shape and values (float64 bytes): two specs naming the same numbers hash the same. */
export function datasetHash(data: Dataset): string {
  const h = createHash("sha256");
  h.update(`${data.n},${data.d},${data.k};`);
  h.update(new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  h.update(new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return h.digest("hex");
}

/** SHA-256 of a parameter vector's float64 bytes. */
export function thetaHash(theta: Float64Array): string {
  return createHash("sha256").update(new Uint8Array(theta.buffer, theta.byteOffset, theta.byteLength)).digest("hex");
}

/**
 * Serialise a checkpoint (net JSON with meta.checkpoint, meta.train, meta.settings). A minibatch run's state gets its
 * position in the sample schedule (epoch, batch) written beside the step.
 */
export function checkpointToJson(net: Net, state: RunState, settings: RunSettings): string {
  let train: RunState & { epoch?: number; batch?: number } = state;
  if (settings.optimizer !== "flow" && settings.batchSize !== undefined && state.optimizer !== "flow") {
    train = { ...state, ...batchPosition(state.step, settings.data.n, settings.batchSize) };
  }
  return netToJson(net, { checkpoint: CHECKPOINT_VERSION, train, settings });
}

function schemaError(name: string, issue: { path: PropertyKey[]; message: string }): InputError {
  const where = issue.path.map((p) => String(p).slice(0, 30)).join(".");
  return new InputError(`${name}: not a checkpoint of this embedscape version: meta.${where || "(missing)"}: ${issue.message.slice(0, 160)}`);
}

/** Parse and validate a checkpoint; every problem is a one-line InputError naming the file. */
export function readCheckpoint(text: string, name: string): { net: Net; state: RunState; settings: RunSettings } {
  const net = netFromJson(text, name);
  const raw = parseJsonStrict(text, name) as { meta?: unknown };
  const meta = raw.meta as { settings?: { optimizer?: unknown } } | undefined;
  const P = net.theta.length;
  let state: RunState, settings: RunSettings;
  if (meta !== null && typeof meta === "object" && meta.settings !== null && typeof meta.settings === "object" && meta.settings.optimizer === "flow") {
    const parsed = FlowMeta.safeParse(raw.meta);
    if (!parsed.success) throw schemaError(name, parsed.error.issues[0]);
    const { train, settings: st } = parsed.data;
    if (train.method !== st.method) throw new InputError(`${name}: state is for the ${train.method} flow but the settings say ${st.method}`);
    state = train;
    settings = st;
  } else {
    const parsed = Meta.safeParse(raw.meta);
    if (!parsed.success) throw schemaError(name, parsed.error.issues[0]);
    const { train, settings: st } = parsed.data;
    if (train.optimizer !== st.optimizer) throw new InputError(`${name}: state is for ${train.optimizer} but the settings say ${st.optimizer}`);
    if (train.optimizer === "adam") {
      for (const k of ["m", "v"] as const) {
        const a = train[k];
        if (a === undefined || a.length !== P) throw new InputError(`${name}: Adam moment ${k} has ${a?.length ?? 0} entries, the net has P = ${P}`);
      }
      if (train.v!.some((x) => x < 0)) throw new InputError(`${name}: Adam second moment v has a negative entry`);
    } else if (train.m !== undefined || train.v !== undefined) throw new InputError(`${name}: a gd checkpoint must not carry Adam moments`);
    const { epoch, batch, ...rest } = train;
    if (st.batchSize === undefined) {
      if (st.shuffleSeed !== undefined || epoch !== undefined || batch !== undefined) throw new InputError(`${name}: a full-batch checkpoint must not carry a shuffle seed or a batch position`);
    } else {
      if (st.shuffleSeed === undefined) throw new InputError(`${name}: a minibatch checkpoint needs settings.shuffleSeed`);
      if (st.batchSize > st.data.n) throw new InputError(`${name}: batch size ${st.batchSize} is larger than the data set (${st.data.n} samples)`);
      const at = batchPosition(train.step, st.data.n, st.batchSize);
      if (epoch !== at.epoch || batch !== at.batch) throw new InputError(`${name}: the batch position (epoch ${epoch ?? "missing"}, batch ${batch ?? "missing"}) does not match step ${train.step} with ${st.data.n} samples in batches of ${st.batchSize} (epoch ${at.epoch}, batch ${at.batch})`);
    }
    state = rest as TrainState;
    settings = st as TrainSettings;
  }
  const w = net.arch.widths;
  if (settings.widths.length !== w.length || settings.widths.some((x, i) => x !== w[i]) || settings.activation !== net.arch.activation || settings.loss !== net.arch.loss) {
    throw new InputError(`${name}: settings name architecture ${settings.widths.join("-")}@${settings.activation}@${settings.loss}, the stored net is ${w.join("-")}@${net.arch.activation}@${net.arch.loss}`);
  }
  return { net, state, settings };
}

/** What a resuming command asks for (undefined: not given, keep the stored value). */
export interface RequestedSettings {
  optimizer?: "gd" | "adam" | "flow";
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** null: full batch asked for explicitly (--batch-size full). */
  batchSize?: number | null;
  shuffleSeed?: number;
  method?: FlowMethod;
  rtol?: number;
  atol?: number;
  widths?: number[];
  activation?: string;
  loss?: string;
  data?: RunBase["data"];
  start?: RunBase["start"];
}

/**
 * The differences between a checkpoint's settings and a resuming command's (`flag: stored → requested`). A change of
 * optimizer kind (gd/adam ↔ flow) lists only the optimizer: the other kind's settings do not apply.
 */
export function compareSettings(stored: RunSettings, now: RequestedSettings): string[] {
  const out: string[] = [];
  const diff = (what: string, a: unknown, b: unknown): void => { if (b !== undefined && a !== b) out.push(`${what} ${String(a).slice(0, 80)} → ${String(b).slice(0, 80)}`); };
  diff("--optimizer", stored.optimizer, now.optimizer);
  const kindChange = now.optimizer !== undefined && (now.optimizer === "flow") !== (stored.optimizer === "flow");
  if (!kindChange) {
    if (stored.optimizer === "flow") {
      diff("--method", stored.method, now.method);
      diff("--rtol", stored.rtol, now.rtol);
      diff("--atol", stored.atol, now.atol);
    } else {
      diff("--lr", stored.lr, now.lr);
      diff("beta1", stored.beta1, now.beta1);
      diff("beta2", stored.beta2, now.beta2);
      diff("eps", stored.eps, now.eps);
      const full = (b: number | null | undefined): string => (b === undefined || b === null ? "full" : String(b));
      if (now.batchSize !== undefined && (now.batchSize ?? undefined) !== stored.batchSize) out.push(`--batch-size ${full(stored.batchSize)} → ${full(now.batchSize)}`);
      if (now.shuffleSeed !== undefined && stored.batchSize !== undefined) diff("--shuffle-seed", stored.shuffleSeed, now.shuffleSeed);
    }
  }
  if (now.widths) diff("--arch", stored.widths.join("-"), now.widths.join("-"));
  diff("--activation", stored.activation, now.activation);
  diff("--loss", stored.loss, now.loss);
  if (now.data && now.data.sha256 !== stored.data.sha256) out.push(`--data ${stored.data.spec.slice(0, 60)} (${stored.data.n}×${stored.data.d}→${stored.data.k}) → ${now.data.spec.slice(0, 60)} (${now.data.n}×${now.data.d}→${now.data.k}, different values)`);
  if (now.start) {
    const s = stored.start, t = now.start;
    if (s.kind !== t.kind) out.push(`start ${s.kind === "init" ? "--arch (random init)" : "--net"} → ${t.kind === "init" ? "--arch (random init)" : "--net"}`);
    else if (s.kind === "init" && t.kind === "init") { diff("--init", s.scheme, t.scheme); diff("--seed", s.seed, t.seed); diff("--init-scale", s.scale, t.scale); }
    else if (s.kind === "net" && t.kind === "net" && s.sha256 !== t.sha256) out.push(`--net ${s.path.slice(0, 60)} → ${t.path.slice(0, 60)} (different θ)`);
  }
  return out;
}
