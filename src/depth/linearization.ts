import type { Activation } from "../nn/activations.js";
import { activation } from "../nn/activations.js";
import type { Net } from "../nn/arch.js";
import type { Dataset } from "../data/dataset.js";
import { Evaluator } from "../nn/evaluator.js";
import type { Piece } from "./lift.js";

/** Linearity of one neuron on S (SPEC §4.2 diagnostic). */
export interface NeuronLinearity {
  /** Index of the affine piece holding all its pre-activations on S, or −1. */
  piece: number;
  /** min_i distance of h_j(x_i) to the nearest kink (∞ when σ has no kink, NaN when σ has no affine piece). */
  margin: number;
  linear: boolean;
}

/** Per-layer summary: fraction of neurons linear on S and their margins to the kinks. */
export interface LayerLinearization {
  layer: number;
  width: number;
  linearCount: number;
  linearFraction: number;
  /** Smallest margin among the linear neurons (null if none is linear). */
  minLinearMargin: number | null;
  /** Median margin over all neurons (distance of the data to the kinks). */
  medianMargin: number | null;
  /** True when every neuron is linear: the layer acts affinely on S and can be pruned (SPEC §4.4). */
  linearized: boolean;
  neurons: NeuronLinearity[];
}

/** Kinks of σ: the finite ends of its affine pieces. */
export function kinks(act: Activation): number[] {
  const s = new Set<number>();
  for (const p of act.affinePieces) { if (Number.isFinite(p.lo)) s.add(p.lo); if (Number.isFinite(p.hi)) s.add(p.hi); }
  return [...s].sort((a, b) => a - b);
}

/**
 * Neuron j of a layer is linear on S if all h_j(x_i) lie strictly inside one affine piece of σ; its margin is
 * min_i dist(h_j(x_i), kinks) (SPEC §4.2 layer-linearization diagnostic). `pre` is the n×m pre-activation matrix.
 */
export function layerLinearization(pre: ArrayLike<number>, n: number, m: number, act: Activation, layer = 0): LayerLinearization {
  const ks = kinks(act);
  const neurons: NeuronLinearity[] = [];
  for (let j = 0; j < m; j++) {
    let piece = -2, margin = act.affinePieces.length === 0 ? NaN : Infinity;
    for (let i = 0; i < n; i++) {
      const h = pre[i * m + j];
      for (const k of ks) margin = Math.min(margin, Math.abs(h - k));
      const p = act.affinePieces.findIndex((q) => h > q.lo && h < q.hi);
      if (piece === -2) piece = p;
      else if (piece !== p) piece = -1;
    }
    if (piece === -2) piece = -1;
    neurons.push({ piece, margin, linear: piece >= 0 });
  }
  const lin = neurons.filter((x) => x.linear);
  const margins = neurons.map((x) => x.margin).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return {
    layer, width: m, linearCount: lin.length, linearFraction: lin.length / m,
    minLinearMargin: lin.length ? Math.min(...lin.map((x) => x.margin)) : null,
    medianMargin: margins.length ? margins[Math.floor(margins.length / 2)] : null,
    linearized: lin.length === m, neurons,
  };
}

/** Linearization of every hidden layer of a plain MLP at θ on S, from the Evaluator's `preActivations(θ, l)`. */
export function linearizationReport(net: Net, data: Dataset, ev = new Evaluator(net.arch, data)): LayerLinearization[] {
  const act = activation(net.arch.activation);
  const out: LayerLinearization[] = [];
  for (let l = 1; l < ev.L; l++) out.push(layerLinearization(ev.preActivations(net.theta, l), data.n, net.arch.widths[l], act, l));
  return out;
}

/** The affine pieces (κ_j, τ_j) of a linearized layer; neurons that are not linear get the piece holding most of their inputs. */
export function layerPieces(pre: ArrayLike<number>, n: number, m: number, act: Activation): { pieces: Piece[]; nonlinear: number[] } {
  const pieces: Piece[] = [], nonlinear: number[] = [];
  for (let j = 0; j < m; j++) {
    const counts = new Array<number>(act.affinePieces.length).fill(0);
    for (let i = 0; i < n; i++) {
      const h = pre[i * m + j];
      const p = act.affinePieces.findIndex((q) => h > q.lo && h < q.hi);
      if (p >= 0) counts[p]++;
    }
    let best = 0;
    counts.forEach((c, i) => { if (c > counts[best]) best = i; });
    if (counts[best] !== n) nonlinear.push(j);
    pieces.push({ ...act.affinePieces[best] });
  }
  return { pieces, nonlinear };
}
