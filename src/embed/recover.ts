import { layout, type Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { embedVector } from "./apply.js";
import type { Embedding } from "./embedding.js";

/**
 * Recover (π, β) from a narrow net and a wide net that is T_{π,β} of it (SPEC §3.2), without metadata.
 * Layer by layer: wide neuron j of layer l copies narrow neuron s when its bias equals b_s and its incoming row,
 * summed over the copies of each previous-layer neuron (Σ_{k∈π_{l−1}⁻¹(t)} W'_{j,k} = W_{s,t}, independent of β),
 * equals row s. A wide neuron with zero incoming row, bias and outgoing column whose match already has another
 * copy is a null neuron. Then β_j = ⟨col'_j, col_s⟩/‖col_s‖² from the outgoing columns (1/|copies| when col_s = 0).
 * Finally T_{π,β}θ_narrow must reproduce θ_wide to `tol`·max(1, ‖θ‖∞), else InputError.
 */
export function recoverEmbedding(narrow: Net, wide: Net, tol = 1e-9): Embedding {
  const nw = narrow.arch.widths, ww = wide.arch.widths, L = nw.length - 1;
  if (ww.length !== nw.length) throw new InputError(`the wide net has depth ${ww.length - 1} but the narrow one ${L}: not a width embedding`);
  if (ww[0] !== nw[0] || ww[L] !== nw[L]) throw new InputError("the wide net must have the same input and output widths as the narrow net");
  if (nw.length < 3) throw new InputError("the narrow net has no hidden layer");
  if (narrow.arch.activation !== wide.arch.activation) throw new InputError(`activations differ (${narrow.arch.activation} vs ${wide.arch.activation})`);
  const nl = layout(nw), wl = layout(ww);
  const scale = Math.max(1, ...Array.from(narrow.theta, Math.abs));
  const eps = tol * scale;
  const pi: number[][] = [], beta: number[][] = [];
  let prevPi: number[] = Array.from({ length: nw[0] }, (_, j) => j + 1);
  for (let l = 1; l < L; l++) {
    if (ww[l] < nw[l]) throw new InputError(`layer ${l} of the wide net (${ww[l]}) is narrower than the narrow net's (${nw[l]})`);
    const N = nl.layers[l - 1], W = wl.layers[l - 1];
    const p: number[] = [];
    for (let j = 0; j < ww[l]; j++) {
      const agg = new Float64Array(nw[l - 1]);
      let zero = Math.abs(wide.theta[W.b + j]) <= eps;
      for (let k = 0; k < ww[l - 1]; k++) {
        const x = wide.theta[W.w + j * W.cols + k];
        if (Math.abs(x) > eps) zero = false;
        if (prevPi[k] > 0) agg[prevPi[k] - 1] += x;
      }
      let found = 0;
      for (let s = 1; s <= nw[l] && !found; s++) {
        let ok = Math.abs(wide.theta[W.b + j] - narrow.theta[N.b + s - 1]) <= eps;
        for (let t = 0; t < nw[l - 1] && ok; t++) ok = Math.abs(agg[t] - narrow.theta[N.w + (s - 1) * N.cols + t]) <= eps;
        if (ok) found = s;
      }
      if (!found && !zero) throw new InputError(`wide neuron ${j + 1} of layer ${l} is not a copy of any narrow neuron (incoming weights and bias match none)`);
      p.push(found ? found : 0);
      if (zero && found) p[j] = -found; // provisional: zero row matching a zero narrow neuron; decided below
    }
    // a zero wide neuron whose zero outgoing column says "null" unless it is the only copy of its match
    const Wn = wl.layers[l];
    const outZero = (j: number): boolean => {
      for (let i = 0; i < ww[l + 1]; i++) if (Math.abs(wide.theta[Wn.w + i * Wn.cols + j]) > eps) return false;
      return true;
    };
    for (let j = 0; j < p.length; j++) {
      if (p[j] < 0) {
        const s = -p[j];
        const others = p.some((t, k) => k !== j && Math.abs(t) === s && (t > 0 || k < j));
        p[j] = others && outZero(j) ? 0 : s;
      } else if (p[j] === 0 && !outZero(j)) {
        throw new InputError(`wide neuron ${j + 1} of layer ${l} has zero incoming weights and bias but non-zero outgoing weights: not an embedding`);
      }
    }
    for (let s = 1; s <= nw[l]; s++) if (!p.includes(s)) throw new InputError(`narrow neuron ${s} of layer ${l} has no copy in the wide net`);
    pi.push(p);
    prevPi = p;
  }
  // β from the outgoing columns; needs π of layer l+1 (identity for the output layer)
  for (let l = 1; l < L; l++) {
    const N = nl.layers[l], W = wl.layers[l];
    const nextPi = l + 1 < L ? pi[l] : Array.from({ length: nw[L] }, (_, j) => j + 1);
    const p = pi[l - 1];
    const count = new Array<number>(nw[l] + 1).fill(0);
    for (const s of p) count[s]++;
    beta.push(p.map((s, j) => {
      if (s === 0) return 0;
      let num = 0, den = 0;
      for (let i = 0; i < ww[l + 1]; i++) {
        if (nextPi[i] === 0) continue;
        const c = narrow.theta[N.w + (nextPi[i] - 1) * N.cols + (s - 1)];
        num += wide.theta[W.w + i * W.cols + j] * c; den += c * c;
      }
      return den === 0 ? 1 / count[s] : num / den;
    }));
  }
  // normalise tiny rounding so each group sums to 1 exactly enough for validation
  for (let l = 1; l < L; l++) {
    const p = pi[l - 1], b = beta[l - 1];
    for (let s = 1; s <= nw[l]; s++) {
      const idx = p.flatMap((t, j) => (t === s ? [j] : []));
      const sum = idx.reduce((a, j) => a + b[j], 0);
      if (Math.abs(sum - 1) > 1e-6) throw new InputError(`layer ${l}: the outgoing weights of neuron ${s}'s copies do not add up to the narrow ones (ratios sum to ${sum})`);
      b[idx[idx.length - 1]] += 1 - sum;
    }
  }
  const e: Embedding = { narrow: [...nw], pi, beta };
  const rebuilt = embedVector(e, narrow.theta);
  let diff = 0;
  for (let i = 0; i < rebuilt.length; i++) diff = Math.max(diff, Math.abs(rebuilt[i] - wide.theta[i]));
  if (diff > eps) throw new InputError(`the wide net is not T(π, β) of the narrow net (best match differs by ${diff.toExponential(2)} in θ)`);
  return e;
}
