/**
 * The explorer's state in the URL hash, so a link reproduces exactly what was seen:
 * `#data=cos2x&arch=1-2-1&act=tanh&loss=mse&seed=1&opt=adam&lr=0.01&steps=2000&run=train,refine,split:1:1:0.5`.
 * `atlas:N` computes the atlas of widths 1–3 of the current 1-D preset and activation with N seeds per width.
 * Parsing is strict (unknown keys and malformed values are refused with a reason) because a link is untrusted input.
 */
import { DEFAULT_SETTINGS, PRESETS, type Settings } from "./settings.js";

/** One replayable action. */
export type Action =
  | { kind: "train" }
  | { kind: "refine" }
  | { kind: "split"; layer: number; neuron: number; alpha: number }
  | { kind: "null"; layer: number }
  | { kind: "adopt" }
  | { kind: "escape"; index: number; sign: 1 | -1 }
  | { kind: "merge"; threshold: number }
  | { kind: "atlas"; seeds: number };

const ACTS = new Set(["tanh", "relu", "gelu", "softplus", "sigmoid", "leaky-relu", "identity"]);

function action(text: string): Action {
  const [k, ...a] = text.split(":");
  const n = (s: string | undefined, int = true): number => {
    const v = Number(s);
    if (s === undefined || s === "" || !Number.isFinite(v) || (int && !Number.isInteger(v))) throw new Error(`bad number "${s}" in action "${text}"`);
    return v;
  };
  if (k === "train" || k === "refine" || k === "adopt") { if (a.length) throw new Error(`action "${k}" takes no arguments`); return { kind: k }; }
  if (k === "split") { if (a.length !== 3) throw new Error("split needs layer:neuron:alpha"); return { kind: "split", layer: n(a[0]), neuron: n(a[1]), alpha: n(a[2], false) }; }
  if (k === "null") { if (a.length !== 1) throw new Error("null needs a layer"); return { kind: "null", layer: n(a[0]) }; }
  if (k === "escape") { const sign = a[1] === undefined ? 1 : n(a[1]); if (sign !== 1 && sign !== -1) throw new Error("escape sign is 1 or -1"); return { kind: "escape", index: a[0] === undefined ? 0 : n(a[0]), sign }; }
  if (k === "merge") return { kind: "merge", threshold: a[0] === undefined ? 0.9 : n(a[0], false) };
  if (k === "atlas") { const seeds = a[0] === undefined ? 2 : n(a[0]); if (seeds < 1 || seeds > 8 || a.length > 1) throw new Error("atlas takes the seeds per width, 1 to 8"); return { kind: "atlas", seeds }; }
  throw new Error(`unknown action "${k}"`);
}

/** Settings and actions from a hash (with or without the leading '#'); defaults for what is absent. */
export function parseHash(hash: string): { settings: Settings; run: Action[] } {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const s: Settings = { ...DEFAULT_SETTINGS, arch: [...DEFAULT_SETTINGS.arch] };
  let run: Action[] = [];
  for (const [key, value] of p) {
    if (key === "data") { if (!(value in PRESETS)) throw new Error(`unknown data preset "${value}"`); s.data = value; }
    else if (key === "arch") {
      const w = value.split("-").map(Number);
      if (w.length < 3 || w.some((x) => !Number.isInteger(x) || x < 1 || x > 512)) throw new Error(`bad architecture "${value}"`);
      s.arch = w;
    } else if (key === "act") { if (!ACTS.has(value)) throw new Error(`unknown activation "${value}"`); s.act = value; }
    else if (key === "loss") { if (value !== "mse" && value !== "cross-entropy") throw new Error(`unknown loss "${value}"`); s.loss = value; }
    else if (key === "seed") { const v = Number(value); if (!Number.isInteger(v) || v < 0) throw new Error(`bad seed "${value}"`); s.seed = v; }
    else if (key === "opt") { if (value !== "gd" && value !== "adam") throw new Error(`unknown optimizer "${value}"`); s.optimizer = value; }
    else if (key === "lr") { const v = Number(value); if (!(v > 0 && Number.isFinite(v))) throw new Error(`bad learning rate "${value}"`); s.lr = v; }
    else if (key === "steps") { const v = Number(value); if (!Number.isInteger(v) || v < 0 || v > 1e6) throw new Error(`bad step count "${value}"`); s.steps = v; }
    else if (key === "run") run = value === "" ? [] : value.split(",").map(action);
    else throw new Error(`unknown key "${key}" in the link`);
  }
  return { settings: s, run };
}

function actionText(a: Action): string {
  if (a.kind === "split") return `split:${a.layer}:${a.neuron}:${a.alpha}`;
  if (a.kind === "null") return `null:${a.layer}`;
  if (a.kind === "escape") return `escape:${a.index}:${a.sign}`;
  if (a.kind === "merge") return `merge:${a.threshold}`;
  if (a.kind === "atlas") return `atlas:${a.seeds}`;
  return a.kind;
}

/** The hash for settings and actions (inverse of parseHash). */
export function formatHash(s: Settings, run: Action[]): string {
  const p = new URLSearchParams({ data: s.data, arch: s.arch.join("-"), act: s.act, loss: s.loss, seed: String(s.seed), opt: s.optimizer, lr: String(s.lr), steps: String(s.steps) });
  if (run.length) p.set("run", run.map(actionText).join(","));
  return "#" + p.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
}
