import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { activation, type ActivationAlias, type ActivationName } from "./activations.js";
import { canonicalLossName, type LossAlias, type LossName } from "./losses.js";

/**
 * Architecture of an L-layer fully connected net (SPEC §1.1): widths (m_0 = d, m_1, …, m_L = d'),
 * one activation σ on every hidden layer, an affine output layer, and the loss.
 */
export interface Arch {
  readonly widths: readonly number[];
  readonly activation: ActivationName;
  readonly loss: LossName;
}

/** A network: its architecture and the flat parameter vector θ in SPEC §1.3 order. */
export interface Net {
  readonly arch: Arch;
  readonly theta: Float64Array;
}

/** Position of layer l's blocks in θ: W^[l] (rows × cols, row-major) at `w`, b^[l] at `b`. */
export interface LayerLayout {
  readonly rows: number;
  readonly cols: number;
  readonly w: number;
  readonly b: number;
}

/**
 * Flattening order of θ (SPEC §1.3): for l = 1..L, W^[l] row-major (m_l × m_{l−1}), then b^[l].
 * layers[l−1] describes layer l.
 */
export function layout(widths: readonly number[]): { layers: LayerLayout[]; size: number } {
  const layers: LayerLayout[] = [];
  let o = 0;
  for (let l = 1; l < widths.length; l++) {
    const rows = widths[l], cols = widths[l - 1];
    layers.push({ rows, cols, w: o, b: o + rows * cols });
    o += rows * cols + rows;
  }
  return { layers, size: o };
}

/** Number of parameters P = Σ_l m_l(m_{l−1} + 1). */
export function paramCount(widths: readonly number[]): number {
  return layout(widths).size;
}

/** Typed per-layer views (no copies) of W^[l] and b^[l] into θ; views[l−1] is layer l. */
export function layerViews(widths: readonly number[], theta: Float64Array): { W: Float64Array; b: Float64Array; rows: number; cols: number }[] {
  return layout(widths).layers.map((L) => ({
    W: theta.subarray(L.w, L.w + L.rows * L.cols),
    b: theta.subarray(L.b, L.b + L.rows),
    rows: L.rows,
    cols: L.cols,
  }));
}

/**
 * Validate and normalise an architecture (positive integer widths, known activation and loss). The names are
 * string-literal types, so a typo fails to compile; the same checks run again at run time for JavaScript callers.
 * Text from a flag or a file: `parseActivationName` / `canonicalLossName` first.
 */
export function makeArch(widths: readonly number[], act: ActivationName | ActivationAlias = "tanh", lossName: LossName | LossAlias = "mse"): Arch {
  if (!Array.isArray(widths) || widths.length < 2) throw new InputError("an architecture needs at least an input and an output width (e.g. 1-50-1)");
  for (const w of widths) {
    if (!Number.isInteger(w) || w < 1) throw new InputError(`architecture widths must be positive integers, got ${widths.join("-")}`);
  }
  const a = activation(act);
  return { widths: [...widths], activation: a.name, loss: canonicalLossName(lossName) };
}

/** Parse "1-50-1" (or "1,50,1") into widths. */
export function parseWidths(spec: string): number[] {
  const parts = spec.split(/[-,x]/).map((s) => s.trim());
  const widths = parts.map(Number);
  if (parts.length < 2 || widths.some((w, i) => parts[i] === "" || !Number.isInteger(w) || w < 1)) {
    throw new InputError(`architecture "${spec}" is not a list of positive integer widths like 1-50-1`);
  }
  return widths;
}

/** Make a net, checking that θ has the right length and is finite. */
export function createNet(arch: Arch, theta?: ArrayLike<number>): Net {
  const P = paramCount(arch.widths);
  // check before allocating: widths read from a file can make P astronomically large
  if (theta && theta.length !== P) throw new InputError(`parameter vector has ${theta.length} entries but architecture ${arch.widths.join("-")} needs ${P}`);
  const t = new Float64Array(P);
  if (theta) {
    for (let i = 0; i < P; i++) {
      const v = theta[i];
      if (!Number.isFinite(v)) throw new InputError(`parameter ${i} is not finite (${v})`);
      t[i] = v;
    }
  }
  return { arch, theta: t };
}

export interface InitOptions {
  seed?: number;
  /**
   * "pytorch": U(−1/√fan_in, 1/√fan_in) for W and b (nn.Linear default);
   * "normal": N(0, (scale/√fan_in)²) for W, zero bias — use scale ≪ 1 for the small-initialisation
   * (condensed) regime of SPEC §7 E2/E6.
   */
  scheme?: "pytorch" | "normal";
  scale?: number;
}

/** Random initial parameters. */
export function initNet(arch: Arch, opts: InitOptions = {}): Net {
  const rng = new Rng(opts.seed ?? 0);
  const net = createNet(arch);
  const scheme = opts.scheme ?? "pytorch";
  const scale = opts.scale ?? 1;
  for (const L of layout(arch.widths).layers) {
    const bound = 1 / Math.sqrt(L.cols);
    for (let i = 0; i < L.rows * L.cols; i++) {
      net.theta[L.w + i] = scheme === "pytorch" ? scale * rng.range(-bound, bound) : scale * bound * rng.normal();
    }
    for (let i = 0; i < L.rows; i++) net.theta[L.b + i] = scheme === "pytorch" ? scale * rng.range(-bound, bound) : 0;
  }
  return net;
}

/** "1-50-1 tanh mse" */
export function describeArch(arch: Arch): string {
  return `${arch.widths.join("-")} ${arch.activation} ${arch.loss}`;
}
