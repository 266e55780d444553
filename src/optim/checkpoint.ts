import { createHash } from "node:crypto";
import { z } from "zod";
import type { Dataset } from "../data/dataset.js";
import { netFromJson, netToJson } from "../io/net-json.js";
import type { Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { parseJsonStrict } from "../util/json.js";
import type { OptimizerSettings, TrainState } from "./train.js";

/**
 * Training checkpoints: an embedscape net file (so any reader can open it as a net) whose `meta` holds
 *   `train`:    the resumable optimizer state (optimizer, step, Adam moments m and v), and
 *   `settings`: every setting that affects the trajectory — optimizer, lr, β1, β2, ε, the architecture, the data
 *               (spec and a SHA-256 of its values) and how the run started (init scheme/seed/scale or start net).
 * `readCheckpoint` validates both with zod schemas (moment lengths = P, integer step within 2⁵³, …) and
 * `compareSettings` lists what a resuming command changes, so the CLI can refuse a silent change.
 */
export const CHECKPOINT_VERSION = 2;

/** The run's settings as stored in a checkpoint. */
export interface TrainSettings extends OptimizerSettings {
  widths: number[];
  activation: string;
  loss: string;
  data: { spec: string; sha256: string; n: number; d: number; k: number };
  /** How θ₀ was made: a seeded init, or a start net file (path and SHA-256 of its θ). */
  start: { kind: "init"; scheme: string; seed: number; scale: number } | { kind: "net"; path: string; sha256: string };
}

const finite = z.number().refine(Number.isFinite, "must be finite");
const safeInt = z.number().refine(Number.isSafeInteger, "must be an integer below 2^53");

const Settings = z.object({
  optimizer: z.enum(["gd", "adam"]),
  lr: finite.refine((v) => v > 0, "must be positive"),
  beta1: finite, beta2: finite, eps: finite,
  widths: z.array(safeInt).min(2),
  activation: z.string(),
  loss: z.string(),
  data: z.object({ spec: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), n: safeInt, d: safeInt, k: safeInt }),
  start: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("init"), scheme: z.string(), seed: safeInt, scale: finite }),
    z.object({ kind: z.literal("net"), path: z.string(), sha256: z.string() }),
  ]),
});

const State = z.object({
  optimizer: z.enum(["gd", "adam"]),
  step: safeInt.refine((v) => v >= 0, "must not be negative"),
  m: z.array(finite).optional(),
  v: z.array(finite).optional(),
});

const Meta = z.object({ checkpoint: z.literal(CHECKPOINT_VERSION), train: State, settings: Settings });

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

/** Serialise a checkpoint (net JSON with meta.checkpoint, meta.train, meta.settings). */
export function checkpointToJson(net: Net, state: TrainState, settings: TrainSettings): string {
  return netToJson(net, { checkpoint: CHECKPOINT_VERSION, train: state, settings });
}

/** Parse and validate a checkpoint; every problem is a one-line InputError naming the file. */
export function readCheckpoint(text: string, name: string): { net: Net; state: TrainState; settings: TrainSettings } {
  const net = netFromJson(text, name);
  const raw = parseJsonStrict(text, name) as { meta?: unknown };
  const parsed = Meta.safeParse(raw.meta);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => String(p).slice(0, 30)).join(".");
    throw new InputError(`${name}: not a checkpoint of this embedscape version: meta.${where || "(missing)"}: ${issue.message.slice(0, 160)}`);
  }
  const { train: state, settings } = parsed.data;
  const P = net.theta.length;
  if (state.optimizer !== settings.optimizer) throw new InputError(`${name}: state is for ${state.optimizer} but the settings say ${settings.optimizer}`);
  if (state.optimizer === "adam") {
    for (const k of ["m", "v"] as const) {
      const a = state[k];
      if (a === undefined || a.length !== P) throw new InputError(`${name}: Adam moment ${k} has ${a?.length ?? 0} entries, the net has P = ${P}`);
    }
    if (state.v!.some((x) => x < 0)) throw new InputError(`${name}: Adam second moment v has a negative entry`);
  } else if (state.m !== undefined || state.v !== undefined) throw new InputError(`${name}: a gd checkpoint must not carry Adam moments`);
  const w = net.arch.widths;
  if (settings.widths.length !== w.length || settings.widths.some((x, i) => x !== w[i]) || settings.activation !== net.arch.activation || settings.loss !== net.arch.loss) {
    throw new InputError(`${name}: settings name architecture ${settings.widths.join("-")}@${settings.activation}@${settings.loss}, the stored net is ${w.join("-")}@${net.arch.activation}@${net.arch.loss}`);
  }
  return { net, state: state as TrainState, settings: settings as TrainSettings };
}

/** The differences between a checkpoint's settings and a resuming command's (`flag: stored → requested`). */
export function compareSettings(stored: TrainSettings, now: Partial<TrainSettings>): string[] {
  const out: string[] = [];
  const diff = (what: string, a: unknown, b: unknown): void => { if (b !== undefined && a !== b) out.push(`${what} ${String(a).slice(0, 80)} → ${String(b).slice(0, 80)}`); };
  diff("--optimizer", stored.optimizer, now.optimizer);
  diff("--lr", stored.lr, now.lr);
  diff("beta1", stored.beta1, now.beta1);
  diff("beta2", stored.beta2, now.beta2);
  diff("eps", stored.eps, now.eps);
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
