import type { Dataset } from "../data/dataset.js";
import { activation } from "../nn/activations.js";
import { layerViews, type Net } from "../nn/arch.js";
import { checkCompatible, Evaluator } from "../nn/evaluator.js";
import { loss as lossByName } from "../nn/losses.js";
import { InputError } from "../util/errors.js";

/**
 * Per-sample forward/backward quantities of SPEC §1.2 (unscaled: δ is ∂ℓ/∂h for one sample, not divided by n):
 * h[l] (n×m_l, hidden l), f[l] (n×m_l, f[0] = x), delta[l] = δ^[l] (n×m_l, l = 1..L).
 */
export interface SampleQuantities {
  n: number;
  widths: number[];
  h: Float64Array[];
  f: Float64Array[];
  delta: Float64Array[];
}

/**
 * Every per-sample h, f and δ at θ, copied out of the one forward/backward pass (`Evaluator` as a layered
 * oracle, nn/oracle.ts); h[L] = f[L] (the affine output layer), delta[0] is zero (unused).
 */
export function sampleQuantities(net: Net, data: Dataset): SampleQuantities {
  checkCompatible(net.arch, data);
  const widths = [...net.arch.widths], L = widths.length - 1, n = data.n;
  const ev = new Evaluator(net.arch, data);
  const h: Float64Array[] = [new Float64Array(0)], f: Float64Array[] = [data.x];
  const delta: Float64Array[] = [new Float64Array(n * widths[0])];
  for (let l = 1; l <= L; l++) {
    f.push(Float64Array.from(ev.features(net.theta, l)));
    h.push(l === L ? f[l] : Float64Array.from(ev.preActivations(net.theta, l)));
  }
  for (let l = 1; l <= L; l++) delta.push(Float64Array.from(ev.errors(net.theta, l)));
  return { n, widths, h, f, delta };
}

/** The §2.9 / §3.6 matrices of neuron s (1-based) of hidden layer l. */
export interface NeuronMatrices {
  layer: number;
  neuron: number;
  /** v = W^[l+1]_{:,s}. */
  v: Float64Array;
  /** M_{l,s} = E_S[z_s σ''(h_s) f̃ f̃ᵀ], (m_{l−1}+1)² row-major, z_s = vᵀδ^[l+1]. */
  M: Float64Array;
  /** C_{l,s} = E_S[δ^[l+1] σ'(h_s) f̃ᵀ], m_{l+1}×(m_{l−1}+1) row-major. */
  C: Float64Array;
  /** Side p = m_{l−1}+1 of M and the rows q = m_{l+1} of C. */
  p: number;
  q: number;
}

/** M_{l,s}, C_{l,s} and v of SPEC §2.9 at θ (any θ; the formulas are used at critical points). */
export function neuronMatrices(net: Net, data: Dataset, layer: number, neuron: number, sq = sampleQuantities(net, data)): NeuronMatrices {
  const widths = sq.widths, L = widths.length - 1;
  if (!(Number.isInteger(layer) && layer >= 1 && layer < L)) throw new InputError(`layer ${layer} is not a hidden layer (1..${L - 1})`);
  if (!(Number.isInteger(neuron) && neuron >= 1 && neuron <= widths[layer])) throw new InputError(`neuron ${neuron} is out of range (1..${widths[layer]})`);
  const act = activation(net.arch.activation);
  const m = widths[layer], mp = widths[layer - 1], q = widths[layer + 1], p = mp + 1, s = neuron - 1, n = sq.n;
  const Wn = layerViews(widths, net.theta)[layer].W;
  const v = new Float64Array(q);
  for (let r = 0; r < q; r++) v[r] = Wn[r * m + s];
  const M = new Float64Array(p * p), C = new Float64Array(q * p), ft = new Float64Array(p);
  const H = sq.h[layer], F = sq.f[layer - 1], Dn = sq.delta[layer + 1];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < mp; k++) ft[k] = F[i * mp + k];
    ft[mp] = 1;
    const hs = H[i * m + s];
    let z = 0;
    for (let r = 0; r < q; r++) z += v[r] * Dn[i * q + r];
    const w2 = (z * act.d2(hs)) / n, w1 = act.d1(hs) / n;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) M[a * p + b] += w2 * ft[a] * ft[b];
    for (let r = 0; r < q; r++) { const d = Dn[i * q + r] * w1; for (let b = 0; b < p; b++) C[r * p + b] += d * ft[b]; }
  }
  return { layer, neuron, v, M, C, p, q };
}

/** Ĉ_l = E_S[δ^[l+1] f̃^[l−1]ᵀ] (m_{l+1}×(m_{l−1}+1), SPEC §2.9 null neuron / §3.6 N3). */
export function nullCrossMatrix(layer: number, sq: SampleQuantities): { C: Float64Array; q: number; p: number } {
  const widths = sq.widths, mp = widths[layer - 1], q = widths[layer + 1], p = mp + 1, n = sq.n;
  const F = sq.f[layer - 1], Dn = sq.delta[layer + 1];
  const C = new Float64Array(q * p);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < q; r++) {
      const d = Dn[i * q + r] / n;
      for (let k = 0; k < mp; k++) C[r * p + k] += d * F[i * mp + k];
      C[r * p + mp] += d;
    }
  }
  return { C, q, p };
}
