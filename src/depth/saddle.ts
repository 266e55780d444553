import type { Dataset } from "../data/dataset.js";
import type { Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { Rng } from "../util/rng.js";

/**
 * One-sided directional derivatives of a (possibly non-smooth) loss — the tool for lifted points on kinks, where
 * ReLU's Hessian is undefined. For a direction v: D⁺R(θ; v) ≈ (R(θ+tv) − R(θ))/t and the one-sided second
 * derivative D²⁺R(θ; v) ≈ 2(R(θ+tv) − R(θ) − t·D⁺)/t², both from the exact float64 loss at two step sizes t
 * (the difference between them is reported as the discretization error).
 */
export interface DirectionalProbe {
  label: string;
  /** D⁺ at t = 1e−4 and 1e−5. */
  first: [number, number];
  /** 2(R(θ+tv) − R(θ))/t² at t = 1e−3 and 1e−4 (meaningful when D⁺ = 0). */
  second: [number, number];
  /** R(θ+tv) − R(θ) at t = 1e−2. */
  drop: number;
}

/** Probe R along v (normalised) from θ. */
export function probeDirection(ev: Evaluator, theta: Float64Array, v: Float64Array, label: string): DirectionalProbe {
  let nv = 0;
  for (const x of v) nv += x * x;
  nv = Math.sqrt(nv);
  const u = v.map((x) => x / nv);
  const R0 = ev.loss(theta);
  const at = (t: number): number => ev.loss(theta.map((x, i) => x + t * u[i]));
  return {
    label,
    first: [(at(1e-4) - R0) / 1e-4, (at(1e-5) - R0) / 1e-5],
    second: [(2 * (at(1e-3) - R0)) / 1e-6, (2 * (at(1e-4) - R0)) / 1e-8],
    drop: at(1e-2) - R0,
  };
}

/** Probe every ± coordinate direction and `random` random directions; returns all probes sorted by D⁺ then D²⁺. */
export function probeAll(net: Net, data: Dataset, opts: { random?: number; seed?: number } = {}): DirectionalProbe[] {
  const ev = new Evaluator(net.arch, data);
  const P = ev.P, out: DirectionalProbe[] = [];
  for (let k = 0; k < P; k++) for (const s of [1, -1]) {
    const v = new Float64Array(P); v[k] = s;
    out.push(probeDirection(ev, net.theta, v, `${s > 0 ? "+" : "−"}e${k}`));
  }
  const rng = new Rng(opts.seed ?? 4);
  for (let r = 0; r < (opts.random ?? 200); r++) out.push(probeDirection(ev, net.theta, rng.fillNormal(new Float64Array(P)), `random ${r}`));
  return out;
}
