import { makeDataset, type Dataset } from "../data/dataset.js";
import { eigenSystem } from "../linalg/inertia.js";
import type { Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";

/**
 * n×k by P Jacobian J of the outputs f_θ(x_i)_j with respect to θ (row i·k + j), row-major.
 * Row (i, j) is ∇_θ of ½‖f − y‖² on the single sample i with y = f − e_j (backprop gives e_jᵀ∂f/∂θ).
 */
export function outputJacobian(net: Net, x: Float64Array, n: number): Float64Array {
  const d = net.arch.widths[0], k = net.arch.widths[net.arch.widths.length - 1];
  const arch = { ...net.arch, loss: "mse" as const };
  const P = net.theta.length;
  const J = new Float64Array(n * k * P);
  for (let i = 0; i < n; i++) {
    const xi = x.slice(i * d, (i + 1) * d);
    const probe = new Evaluator(arch, makeDataset(xi, new Float64Array(k), { n: 1, d, k }));
    const f = Float64Array.from(probe.outputs(net.theta));
    for (let j = 0; j < k; j++) {
      const y = Float64Array.from(f);
      y[j] -= 1;
      const ev = new Evaluator(arch, makeDataset(xi, y, { n: 1, d, k }));
      ev.lossAndGradient(net.theta, J.subarray((i * k + j) * P, (i * k + j + 1) * P));
    }
  }
  return J;
}

/**
 * SPEC §8.3 / §10 item 7 inverse design: targets y = f_θ(x) − e with e ⊥ range(J), so that
 * ∇R(θ) = (1/n)Jᵀe = 0 exactly (up to rounding) for the MSE loss — an exact critical point at a
 * θ of your choice (minimum or saddle). `residual` sets ‖e‖/√n (default 0.1). Needs n·k > rank J.
 */
export function inverseDesign(net: Net, x: Float64Array, n: number, opts: { seed?: number; residual?: number } = {}): Dataset {
  if (net.arch.loss !== "mse") throw new InputError("inverse design needs the mse loss (the residual must enter the gradient linearly)");
  const d = net.arch.widths[0], k = net.arch.widths[net.arch.widths.length - 1];
  if (x.length !== n * d) throw new InputError(`inputs have ${x.length} numbers, expected ${n}×${d}`);
  const P = net.theta.length;
  const N = n * k;
  const J = outputJacobian(net, x, n);
  // orthonormal basis of range(J) from the eigenvectors of JᵀJ with non-negligible eigenvalues
  const G = new Float64Array(P * P);
  for (let r = 0; r < N; r++) {
    const o = r * P;
    for (let a = 0; a < P; a++) {
      const ja = J[o + a];
      if (ja === 0) continue;
      for (let b = 0; b < P; b++) G[a * P + b] += ja * J[o + b];
    }
  }
  const { values, vectors } = eigenSystem(G, P);
  const lmax = Math.max(...Array.from(values, Math.abs));
  const basis: Float64Array[] = [];
  for (let i = 0; i < P; i++) {
    if (values[i] <= 1e-12 * lmax) continue;
    const u = vectors.subarray(i * P, (i + 1) * P);
    const b = new Float64Array(N);
    for (let r = 0; r < N; r++) { let s = 0; for (let a = 0; a < P; a++) s += J[r * P + a] * u[a]; b[r] = s; }
    basis.push(b);
  }
  if (basis.length >= N) throw new InputError(`inverse design needs more outputs than rank(J) = ${basis.length}: use more than ${Math.ceil(basis.length / k)} inputs`);
  // Gram–Schmidt twice for an orthonormal basis of range(J)
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < basis.length; i++) {
      for (let j = 0; j < i; j++) project(basis[i], basis[j]);
      normalize(basis[i]);
    }
  }
  const rng = new Rng(opts.seed ?? 0);
  const e = rng.fillNormal(new Float64Array(N));
  for (let pass = 0; pass < 3; pass++) for (const b of basis) project(e, b);
  normalize(e);
  const scale = (opts.residual ?? 0.1) * Math.sqrt(n);
  const probe = new Evaluator({ ...net.arch }, makeDataset(x, new Float64Array(N), { n, d, k }));
  const f = probe.outputs(net.theta);
  const y = new Float64Array(N);
  for (let r = 0; r < N; r++) y[r] = f[r] - scale * e[r];
  return makeDataset(x, y, { n, d, k }, "inverse-designed");
}

function project(v: Float64Array, unit: Float64Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * unit[i];
  for (let i = 0; i < v.length; i++) v[i] -= s * unit[i];
}

function normalize(v: Float64Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const r = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] *= r;
}
