import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";

/**
 * A general compatible width embedding (SPEC §3.2) as data.
 *
 * For each hidden layer l = 1..L−1 (array index l−1):
 *  - `pi[l-1][j]` = π_l(j+1): the 1-based narrow neuron that wide neuron j+1 copies, or 0 for a null neuron;
 *  - `beta[l-1][j]` = β_{l,j+1}: its share of the narrow neuron's outgoing weights (0 for null neurons).
 * Compatibility: π_l is onto [m_l] and the ratios of each narrow neuron's copies sum to 1.
 * Input and output layers are never widened (π_0 = π_L = id, β = 1).
 */
export interface Embedding {
  /** Narrow widths (m_0, …, m_L). */
  readonly narrow: readonly number[];
  readonly pi: readonly (readonly number[])[];
  readonly beta: readonly (readonly number[])[];
}

/** One step of a multi-step embedding; layer and neuron are 1-based (SPEC §2.2, §2.6). */
export type EmbedStep =
  | { kind: "one-step"; layer: number; neuron: number; alpha: number }
  | { kind: "split"; layer: number; neuron: number; ratios: number[] }
  | { kind: "null"; layer: number };

/** Tolerance on Σβ = 1 for each narrow neuron. */
export const RATIO_SUM_TOLERANCE = 1e-12;

/** Wide widths (m'_0, …, m'_L) of an embedding. */
export function wideWidths(e: Embedding): number[] {
  return e.narrow.map((m, l) => (l === 0 || l === e.narrow.length - 1 ? m : e.pi[l - 1].length));
}

/** The identity embedding of widths (π = id, β = 1). */
export function identityEmbedding(widths: readonly number[]): Embedding {
  checkWidths(widths);
  const hidden = widths.slice(1, -1);
  return {
    narrow: [...widths],
    pi: hidden.map((m) => Array.from({ length: m }, (_, j) => j + 1)),
    beta: hidden.map((m) => new Array<number>(m).fill(1)),
  };
}

/**
 * Validate compatibility (SPEC §3.2): π_l maps into {0..m_l} and onto [m_l]; ratios are finite,
 * zero on null neurons and sum to 1 over the copies of each narrow neuron. Throws InputError naming the problem.
 */
export function validateEmbedding(e: Embedding): void {
  checkWidths(e.narrow);
  const L = e.narrow.length - 1;
  if (e.pi.length !== L - 1 || e.beta.length !== L - 1) {
    throw new InputError(`embedding lists ${e.pi.length} hidden layers but widths ${e.narrow.join("-")} have ${L - 1}`);
  }
  for (let l = 1; l < L; l++) {
    const pi = e.pi[l - 1], beta = e.beta[l - 1], m = e.narrow[l];
    if (pi.length !== beta.length) throw new InputError(`layer ${l}: π has ${pi.length} entries but β has ${beta.length}`);
    if (pi.length < m) throw new InputError(`layer ${l}: the wide layer (${pi.length}) is narrower than the narrow one (${m})`);
    const sums = new Array<number>(m + 1).fill(0), abs = new Array<number>(m + 1).fill(0), count = new Array<number>(m + 1).fill(0);
    for (let j = 0; j < pi.length; j++) {
      const s = pi[j], b = beta[j];
      if (!Number.isInteger(s) || s < 0 || s > m) throw new InputError(`layer ${l}: wide neuron ${j + 1} copies neuron ${s}, but the layer has neurons 1..${m} (0 = null)`);
      if (!Number.isFinite(b)) throw new InputError(`layer ${l}: ratio of wide neuron ${j + 1} is not a finite number (${b})`);
      if (s === 0 && b !== 0) throw new InputError(`layer ${l}: null neuron ${j + 1} must have ratio 0, got ${b}`);
      sums[s] += b; abs[s] += Math.abs(b); count[s]++;
    }
    for (let s = 1; s <= m; s++) {
      if (count[s] === 0) throw new InputError(`layer ${l}: narrow neuron ${s} has no copy in the wide net (π must be onto)`);
      if (Math.abs(sums[s] - 1) > RATIO_SUM_TOLERANCE * Math.max(1, abs[s])) {
        throw new InputError(`layer ${l}: the ratios of neuron ${s}'s copies sum to ${sums[s]}, not 1`);
      }
    }
  }
}

function checkWidths(widths: readonly number[]): void {
  if (widths.length < 3) throw new InputError(`widths ${widths.join("-")} have no hidden layer to widen`);
}

function checkLayer(widths: readonly number[], layer: number): void {
  const L = widths.length - 1;
  if (!Number.isInteger(layer)) throw new InputError(`layer ${layer} is not a whole number`);
  if (layer === L) throw new InputError(`layer ${layer} is the output layer; only hidden layers 1..${L - 1} can be widened`);
  if (layer < 1 || layer > L) throw new InputError(`layer ${layer} is out of range (hidden layers are 1..${L - 1})`);
}

function checkNeuron(widths: readonly number[], layer: number, neuron: number): void {
  checkLayer(widths, layer);
  if (!Number.isInteger(neuron) || neuron < 1 || neuron > widths[layer]) {
    throw new InputError(`neuron ${neuron} is out of range (layer ${layer} has neurons 1..${widths[layer]})`);
  }
}

/**
 * k-copy split of neuron s of layer l (SPEC §3.2): the original keeps ratio β_1, the k−1 appended copies
 * get β_2..β_k (any reals with Σβ = 1). A single-step embedding of `widths`.
 */
export function splitEmbedding(widths: readonly number[], layer: number, neuron: number, ratios: readonly number[]): Embedding {
  checkNeuron(widths, layer, neuron);
  if (ratios.length < 2) throw new InputError(`a split needs at least two ratios (got ${ratios.length})`);
  for (const r of ratios) if (!Number.isFinite(r)) throw new InputError(`split ratio ${r} is not a finite number`);
  const sum = ratios.reduce((a, b) => a + b, 0);
  const abs = ratios.reduce((a, b) => a + Math.abs(b), 0);
  if (Math.abs(sum - 1) > RATIO_SUM_TOLERANCE * Math.max(1, abs)) throw new InputError(`split ratios ${ratios.join(",")} sum to ${sum}, not 1`);
  const e = identityEmbedding(widths);
  const pi = e.pi.map((p) => [...p]), beta = e.beta.map((b) => [...b]);
  beta[layer - 1][neuron - 1] = ratios[0];
  for (let j = 1; j < ratios.length; j++) { pi[layer - 1].push(neuron); beta[layer - 1].push(ratios[j]); }
  return { narrow: e.narrow, pi, beta };
}

/** One-step embedding T^α_{l,s} (SPEC §2.2): original keeps 1−α, the appended copy gets α. */
export function oneStepEmbedding(widths: readonly number[], layer: number, neuron: number, alpha: number): Embedding {
  if (!Number.isFinite(alpha)) throw new InputError(`α must be a finite number, got ${alpha}`);
  return splitEmbedding(widths, layer, neuron, [1 - alpha, alpha]);
}

/**
 * Null embedding (SPEC §3.2): append one neuron to layer l with zero incoming weights, bias and outgoing weights.
 * Whether the activation allows it (σ(0) = 0) is checked when the embedding is applied to a net.
 */
export function nullEmbedding(widths: readonly number[], layer: number): Embedding {
  checkLayer(widths, layer);
  const e = identityEmbedding(widths);
  const pi = e.pi.map((p) => [...p]), beta = e.beta.map((b) => [...b]);
  pi[layer - 1].push(0); beta[layer - 1].push(0);
  return { narrow: e.narrow, pi, beta };
}

/**
 * Net2WiderNet (SPEC §6.3): widen each hidden layer to `target` widths; every narrow neuron is kept, the extra
 * wide neurons copy narrow neurons chosen uniformly at random (seeded), and every copy gets β = 1/|π⁻¹(s)|.
 */
export function net2widerEmbedding(widths: readonly number[], target: readonly number[], seed = 0): Embedding {
  checkWidths(widths);
  if (target.length !== widths.length) throw new InputError(`target widths ${target.join("-")} have a different depth than ${widths.join("-")}`);
  const L = widths.length - 1;
  if (target[0] !== widths[0] || target[L] !== widths[L]) throw new InputError(`target widths must keep the input and output widths (${widths[0]}, ${widths[L]})`);
  const rng = new Rng(seed);
  const pi: number[][] = [], beta: number[][] = [];
  for (let l = 1; l < L; l++) {
    if (!Number.isInteger(target[l]) || target[l] < widths[l]) throw new InputError(`target width ${target[l]} of layer ${l} is smaller than ${widths[l]}`);
    const p = Array.from({ length: widths[l] }, (_, j) => j + 1);
    for (let j = widths[l]; j < target[l]; j++) p.push(1 + rng.int(widths[l]));
    const count = new Array<number>(widths[l] + 1).fill(0);
    for (const s of p) count[s]++;
    pi.push(p); beta.push(p.map((s) => 1 / count[s]));
  }
  return { narrow: [...widths], pi, beta };
}

/**
 * Composition (SPEC §2.6 in (π, β) form): first `a` (narrow → middle), then `b` (middle → wide).
 * π(j) = π_a(π_b(j)) (0 if either is null), β(j) = β_b(j)·β_a(π_b(j)).
 */
export function composeEmbeddings(a: Embedding, b: Embedding): Embedding {
  const mid = wideWidths(a);
  if (mid.length !== b.narrow.length || mid.some((m, i) => m !== b.narrow[i])) {
    throw new InputError(`cannot compose: first embedding ends at ${mid.join("-")}, second starts at ${b.narrow.join("-")}`);
  }
  const pi: number[][] = [], beta: number[][] = [];
  for (let l = 0; l < a.pi.length; l++) {
    const pb = b.pi[l], bb = b.beta[l], pa = a.pi[l], ba = a.beta[l];
    pi.push(pb.map((t) => (t === 0 ? 0 : pa[t - 1])));
    beta.push(pb.map((t, j) => (t === 0 ? 0 : bb[j] * ba[t - 1])));
  }
  return { narrow: [...a.narrow], pi, beta };
}

/** The embedding of one step, applied to a net of the given (current) widths. */
export function stepEmbedding(widths: readonly number[], step: EmbedStep): Embedding {
  switch (step.kind) {
    case "one-step": return oneStepEmbedding(widths, step.layer, step.neuron, step.alpha);
    case "split": return splitEmbedding(widths, step.layer, step.neuron, step.ratios);
    case "null": return nullEmbedding(widths, step.layer);
  }
}

/**
 * Multi-step embedding (SPEC §2.6): steps applied left to right, each referring to the neuron indices of the
 * current (already widened) net, composed into one (π, β).
 */
export function multiStepEmbedding(widths: readonly number[], steps: readonly EmbedStep[]): Embedding {
  let e = identityEmbedding(widths);
  for (const step of steps) e = composeEmbeddings(e, stepEmbedding(wideWidths(e), step));
  return e;
}

/** Number of null neurons of an embedding. */
export function nullCount(e: Embedding): number {
  return e.pi.reduce((n, p) => n + p.filter((s) => s === 0).length, 0);
}

/** JSON-safe form stored in a wide net's `meta.embedding` (see docs/embed.md). */
export function embeddingToJson(e: Embedding): { narrow: number[]; pi: number[][]; beta: number[][] } {
  return { narrow: [...e.narrow], pi: e.pi.map((p) => [...p]), beta: e.beta.map((b) => [...b]) };
}

/** Parse and validate an embedding read from JSON. */
export function embeddingFromJson(raw: unknown): Embedding {
  const o = raw as { narrow?: unknown; pi?: unknown; beta?: unknown };
  const isNums = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === "number");
  if (!o || !isNums(o.narrow) || !Array.isArray(o.pi) || !Array.isArray(o.beta) || !o.pi.every(isNums) || !o.beta.every(isNums)) {
    throw new InputError("embedding metadata must have numeric arrays narrow, pi[][] and beta[][]");
  }
  const e: Embedding = { narrow: o.narrow, pi: o.pi as number[][], beta: o.beta as number[][] };
  validateEmbedding(e);
  return e;
}
