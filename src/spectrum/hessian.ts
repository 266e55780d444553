import type { Dataset } from "../data/dataset.js";
import type { Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { inertiaEstimate, type InertiaEstimate, type InertiaEstimateOptions } from "./inertia-estimate.js";
import { densityCurve, lanczosEigenpairs, spectralDensity, type EigenpairsResult, type MatVec } from "./lanczos.js";

/**
 * Matrix-free views of the loss Hessian ∇²R(θ) (SPEC §1.2) at a net: everything goes through
 * exact Hessian-vector products (`Evaluator.at(θ)` once, then `hvp` per product; R-op, SPEC §1.2),
 * so memory is O(P) per vector and nothing P×P is ever formed.
 */
export interface HessianPoint {
  loss: number;
  gradNorm: number;
  parameters: number;
  /** x ↦ ∇²R(θ)x. */
  op: MatVec;
}

/** Prepare the HVP operator at the net's θ (one forward/backward pass, cached). */
export function hessianOperator(net: Net, data: Dataset): HessianPoint {
  const ev = new Evaluator(net.arch, data);
  const theta = net.theta;
  const loss = ev.at(theta);
  const g = ev.cachedGradient();
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return { loss, gradNorm: Math.sqrt(s), parameters: ev.P, op: (x, y) => ev.hvp(theta, x, y) };
}

/** The k largest / most negative Hessian eigenpairs by Lanczos on exact HVPs, with measured residuals ‖Hv − λv‖. */
export function hessianExtremes(net: Net, data: Dataset, opts: Parameters<typeof lanczosEigenpairs>[2] = {}): Omit<HessianPoint, "op"> & EigenpairsResult {
  const h = hessianOperator(net, data);
  const r = lanczosEigenpairs(h.op, h.parameters, opts);
  return { loss: h.loss, gradNorm: h.gradNorm, parameters: h.parameters, ...r };
}

/** Stochastic Lanczos quadrature of the Hessian's spectral density, and its smoothed curve and cumulative count. */
export function hessianDensity(net: Net, data: Dataset, opts: { probes?: number; steps?: number; seed?: number; points?: number; sigma?: number } = {}): Omit<HessianPoint, "op"> & {
  probes: number; steps: number; nodes: Float64Array; weights: Float64Array; curve: ReturnType<typeof densityCurve>;
} {
  const h = hessianOperator(net, data);
  const probes = opts.probes ?? 10, steps = Math.min(h.parameters, opts.steps ?? 80);
  const r = spectralDensity(h.op, h.parameters, { probes, steps, seed: opts.seed });
  const curve = densityCurve(r.nodes, r.weights, h.parameters, { points: opts.points, sigma: opts.sigma });
  return { loss: h.loss, gradNorm: h.gradNorm, parameters: h.parameters, probes, steps, nodes: r.nodes, weights: r.weights, curve };
}

/** `inertiaEstimate` of the Hessian at a net (see there for the method and the interval). */
export function hessianInertiaEstimate(net: Net, data: Dataset, opts: InertiaEstimateOptions = {}): Omit<HessianPoint, "op"> & { estimate: InertiaEstimate } {
  const h = hessianOperator(net, data);
  return { loss: h.loss, gradNorm: h.gradNorm, parameters: h.parameters, estimate: inertiaEstimate(h.op, h.parameters, opts) };
}
