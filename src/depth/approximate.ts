import type { Dataset } from "../data/dataset.js";
import { activation } from "../nn/activations.js";
import type { Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { checkLiftOutputs } from "./checks.js";
import { insertLayer } from "./lift.js";

/** A near-identity layer insertion for a smooth σ: APPROXIMATE, with its measured errors. */
export interface ApproximateInsertion {
  readonly approximate: true;
  readonly net: Net;
  readonly scale: number;
  readonly center: number;
  /** max_i |f_deep(x_i) − f(x_i)| on S, and on probe inputs beyond S. */
  readonly outputErrorTrain: number;
  readonly outputErrorBeyond: number;
  readonly lossShallow: number;
  readonly lossDeep: number;
  /** ‖∇R‖ at θ_A and at the inserted point (not 0 even when θ_A is critical: this is not a critical lifting). */
  readonly gradNormShallow: number;
  readonly gradNormDeep: number;
}

/**
 * Near-identity insertion for activations without an affine piece (SPEC §4.2): A = s·[I; copies], c = c₀·1, and
 * (B, d) solved with σ replaced by its tangent at c₀, σ(z) ≈ σ′(c₀) z + (σ(c₀) − σ′(c₀)c₀). The error is O(s) in
 * general (O(s²) when σ″(c₀) = 0) and is measured, never assumed zero.
 */
export function approximateInsertion(net: Net, data: Dataset, opts: { after: number; width: number; scale?: number; center?: number }): ApproximateInsertion {
  const act = activation(net.arch.activation);
  const widths = net.arch.widths, L = widths.length - 1, q = opts.after, mp = opts.width;
  if (!Number.isInteger(q) || q < 0 || q > L - 1) throw new InputError(`--after must be a layer 0..${L - 1} of ${widths.join("-")}, got ${q}`);
  const mq = widths[q];
  if (!Number.isInteger(mp) || mp < mq) throw new InputError(`the near-identity insertion needs width ≥ m_${q} = ${mq}, got ${mp}`);
  const s = opts.scale ?? 1e-3, c0 = opts.center ?? 0;
  if (!(s > 0)) throw new InputError(`scale must be positive, got ${s}`);
  const kappa = act.d1(c0);
  if (!(Math.abs(kappa) > 0)) throw new InputError(`σ′(${c0}) = 0 for ${act.name}: choose another --center`);
  const A = new Float64Array(mp * mq), c = new Float64Array(mp).fill(c0);
  for (let j = 0; j < mp; j++) A[j * mq + (j % mq)] = s;
  const piece = { lo: -Infinity, hi: Infinity, slope: kappa, offset: act.f(c0) - kappa * c0 };
  const { net: deep } = insertLayer(net, q, A, c, new Array(mp).fill(piece));
  const chk = checkLiftOutputs(net, deep, data, 200);
  return {
    approximate: true, net: deep, scale: s, center: c0,
    outputErrorTrain: chk.outputDiffTrain, outputErrorBeyond: chk.outputDiffBeyond,
    lossShallow: chk.lossShallow, lossDeep: chk.lossDeep, gradNormShallow: chk.gradNormShallow, gradNormDeep: chk.gradNormDeep,
  };
}
