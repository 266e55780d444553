import { test } from "node:test";
import assert from "node:assert/strict";
import { chebyshevMoments, chebyshevSeries, dampedIndicator, seriesOnCosineGrid } from "./chebyshev.js";
import { estimateFromMoments, inertiaEstimate, spectralBounds, type InertiaEstimate } from "./inertia-estimate.js";
import { studentTQuantile } from "./stats.js";
import type { MatVec } from "./lanczos.js";
import { getBackend } from "../linalg/backend.js";
import { eigenSystem, inertiaLdl } from "../linalg/inertia.js";
import { makeArch, initNet } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { train } from "../optim/train.js";
import { makeDataset } from "../data/dataset.js";
import { Rng } from "../util/rng.js";

const inside = (iv: [number, number], n: number): boolean => iv[0] <= n && n <= iv[1];

test("two-sided Student-t quantiles match the tables", () => {
  assert.ok(Math.abs(studentTQuantile(0.95, 1) - 12.7062) < 1e-3);
  assert.ok(Math.abs(studentTQuantile(0.95, 2) - 4.3027) < 1e-3);
  assert.ok(Math.abs(studentTQuantile(0.95, 9) - 2.2622) < 1e-3);
  assert.ok(Math.abs(studentTQuantile(0.99, 19) - 2.8609) < 1e-3);
  assert.ok(Math.abs(studentTQuantile(0.95, 1000) - 1.9623) < 1e-3);
});

/** A symmetric operator with a prescribed spectrum: A = Q·diag(λ)·Qᵀ, Q a product of three Householder reflections. */
function designedOperator(lambda: Float64Array, seed: number): MatVec {
  const P = lambda.length, rng = new Rng(seed);
  const us = [0, 1, 2].map(() => {
    const u = new Float64Array(P);
    rng.fillNormal(u);
    const n = Math.hypot(...u);
    for (let i = 0; i < P; i++) u[i] /= n;
    return u;
  });
  const reflect = (u: Float64Array, x: Float64Array): void => {
    let d = 0;
    for (let i = 0; i < P; i++) d += u[i] * x[i];
    for (let i = 0; i < P; i++) x[i] -= 2 * d * u[i];
  };
  return (x, y) => {
    y.set(x);
    for (let r = 2; r >= 0; r--) reflect(us[r], y); // Qᵀx (Q = H0 H1 H2, each symmetric)
    for (let i = 0; i < P; i++) y[i] *= lambda[i];
    for (let r = 0; r < 3; r++) reflect(us[r], y);
  };
}

test("Chebyshev moments by doubling equal Σ_j T_k(λ̂_j)(u_jᵀv)² from the eigendecomposition", () => {
  const P = 40, rng = new Rng(5), A = new Float64Array(P * P);
  for (let i = 0; i < P; i++) for (let j = 0; j <= i; j++) { const x = rng.normal(); A[i * P + j] = x; A[j * P + i] = x; }
  const { values, vectors } = eigenSystem(A.slice(), P);
  const lo = values[0] - 0.1, hi = values[P - 1] + 0.1, c = (lo + hi) / 2, e = (hi - lo) / 2;
  const v = new Float64Array(P);
  for (let i = 0; i < P; i++) v[i] = rng.uniform() < 0.5 ? -1 : 1;
  let calls = 0;
  const op: MatVec = (x, y) => { calls++; getBackend().gemm(false, false, P, 1, P, 1, A, 0, P, x, 0, 1, 0, y, 0, 1); };
  const K = 15, mu = chebyshevMoments(op, P, K, c, e, v, new Float64Array(2 * K + 1));
  assert.equal(calls, K);
  for (let k = 0; k <= 2 * K; k++) {
    let exact = 0;
    for (let j = 0; j < P; j++) {
      let z = 0;
      for (let i = 0; i < P; i++) z += vectors[j * P + i] * v[i];
      exact += Math.cos(k * Math.acos((values[j] - c) / e)) * z * z;
    }
    assert.ok(Math.abs(mu[k] - exact) <= 1e-9 * P, `μ_${k}: ${mu[k]} vs ${exact}`);
  }
});

test("the Jackson-damped indicator stays in [0, 1] and is close to χ away from the edges", () => {
  const c = dampedIndicator(-0.3, 0.4, 200);
  let min = Infinity, max = -Infinity;
  for (let j = 0; j <= 4000; j++) {
    const t = Math.cos((Math.PI * j) / 4000), p = chebyshevSeries(c, t);
    min = Math.min(min, p); max = Math.max(max, p);
    if (t > -0.2 && t < 0.3) assert.ok(p > 1 - 1e-3, `inside at ${t}: ${p}`);
    if (t < -0.4 || t > 0.5) assert.ok(p < 1e-3, `outside at ${t}: ${p}`);
  }
  assert.ok(min > -1e-12 && max < 1 + 1e-12, `range [${min}, ${max}]`);
});

test("the FFT grid evaluation of a Chebyshev series equals Clenshaw at every grid point", () => {
  const c = dampedIndicator(-0.7, 0.1, 300), M = 4096, g = seriesOnCosineGrid(c, M);
  for (let j = 0; j <= M; j += 7) assert.ok(Math.abs(g[j] - chebyshevSeries(c, Math.cos((Math.PI * j) / M))) < 1e-12, `j = ${j}`);
  assert.throws(() => seriesOnCosineGrid(c, 200), /power of two above/);
});

test("designed spectrum with gaps (300 | 1500 | 200): 20 seeded trials, the 95 % intervals hold the counts in ≥ 19", () => {
  const P = 2000, rng = new Rng(11), lambda = new Float64Array(P);
  for (let i = 0; i < 300; i++) lambda[i] = -3 + 2.5 * rng.uniform(); // [−3, −0.5]
  for (let i = 300; i < 1800; i++) lambda[i] = 1e-3 * (2 * rng.uniform() - 1); // |λ| ≤ 1e-3
  for (let i = 1800; i < P; i++) lambda[i] = 0.5 + 9.5 * rng.uniform(); // [0.5, 10]
  const op = designedOperator(lambda, 3);
  const bounds = spectralBounds(op, P);
  const lmin = Math.min(...lambda), lmax = Math.max(...lambda);
  assert.ok(bounds.lower <= lmin && bounds.upper >= lmax, `bounds [${bounds.lower}, ${bounds.upper}] enclose [${lmin}, ${lmax}]`);
  assert.ok(bounds.lower > lmin - 0.02 && bounds.upper < lmax + 0.02, `and are tight: [${bounds.lower}, ${bounds.upper}]`);
  let ok = { neg: 0, zero: 0, pos: 0 }, widest = 0;
  for (let trial = 0; trial < 20; trial++) {
    const e = inertiaEstimate(op, P, { tolerance: 0.25, degree: 300, probes: 10, seed: 1000 + trial, bounds });
    assert.ok(Math.abs(e.neg.estimate + e.zero.estimate + e.pos.estimate - P) < 1e-6, "the three estimates sum to P");
    ok = { neg: ok.neg + +inside(e.neg.interval, 300), zero: ok.zero + +inside(e.zero.interval, 1500), pos: ok.pos + +inside(e.pos.interval, 200) };
    widest = Math.max(widest, e.neg.halfWidth, e.zero.halfWidth, e.pos.halfWidth);
  }
  assert.ok(ok.neg >= 19 && ok.zero >= 19 && ok.pos >= 19, `coverage ${JSON.stringify(ok)}`);
  assert.ok(widest < 60, `intervals are informative (widest half-width ${widest})`);
});

test("bounds that do not enclose the spectrum are detected through the moments", () => {
  const P = 500, lambda = new Float64Array(P).map((_, i) => -1 + (3 * i) / P);
  const op = designedOperator(lambda, 1);
  assert.throws(() => inertiaEstimate(op, P, { tolerance: 0.1, degree: 60, probes: 4, bounds: { lower: -0.5, upper: 2 } }), /not inside/);
  const e = inertiaEstimate(op, P, { tolerance: 0.1, degree: 60, probes: 4 });
  assert.ok(e.bounds.lower <= -1 && e.bounds.upper >= 1.99);
});

/** A 2-layer tanh net on 30 random points, trained 3000 Adam steps: a bulk of |λ| ≲ 0.01 and ~60 Gauss–Newton outliers. */
function trainedNet(widths: number[]): { ev: Evaluator; theta: Float64Array } {
  const n = 30, rng = new Rng(1);
  const x = new Float64Array(n * widths[0]), y = new Float64Array(n * widths[2]);
  rng.fillNormal(x);
  rng.fillNormal(y);
  const data = makeDataset(x, y, { n, d: widths[0], k: widths[2] });
  const arch = makeArch(widths, "tanh", "mse");
  const net = train(initNet(arch, { seed: 1 }), data, { optimizer: "adam", steps: 3000, lr: 1e-2 }).net;
  return { ev: new Evaluator(arch, data), theta: net.theta };
}

test("a trained net (M = 2,092 on OpenBLAS, 552 on pure TS): exact-HVP estimates hold the LDLᵀ counts in ≥ 19 of 20 seeded trials", () => {
  // The dense LDLᵀ reference at M ≈ 2,000 takes ~14 s in the pure backend, so that backend checks a narrower net.
  const widths = getBackend().name === "pure-ts" ? [8, 50, 2] : [16, 110, 2];
  const { ev, theta } = trainedNet(widths);
  const P = ev.P;
  const op: MatVec = (a, b) => ev.hvp(theta, a, b);
  const bounds = spectralBounds(op, P); // shared by the trials
  const tau = 1e-2 * Math.max(-bounds.lower, bounds.upper);
  const exact = inertiaLdl(ev.hessian(theta), P, { tolerance: tau });
  let ok = { neg: 0, zero: 0, pos: 0 }, widest = 0;
  for (let trial = 0; trial < 20; trial++) {
    const e: InertiaEstimate = inertiaEstimate(op, P, { tolerance: tau, degree: 200, probes: 10, seed: 500 + trial, bounds });
    ok = { neg: ok.neg + +inside(e.neg.interval, exact.neg), zero: ok.zero + +inside(e.zero.interval, exact.zero), pos: ok.pos + +inside(e.pos.interval, exact.pos) };
    widest = Math.max(widest, e.zero.halfWidth);
  }
  assert.ok(ok.neg >= 19 && ok.zero >= 19 && ok.pos >= 19, `coverage ${JSON.stringify(ok)} of 20; exact ${JSON.stringify(exact)}`);
  assert.ok(widest < 0.05 * P, `the n₀ interval is informative: half-width ${widest} of P = ${P}`);
});

test("continuous spectrum through ±τ (random init): the bias bound is what keeps the interval honest", () => {
  const n = 30, widths = [8, 50, 2], rng = new Rng(1);
  const x = new Float64Array(n * 8), y = new Float64Array(n * 2);
  rng.fillNormal(x);
  rng.fillNormal(y);
  for (let i = 0; i < y.length; i++) y[i] *= 3;
  const arch = makeArch(widths, "tanh", "mse"), theta = initNet(arch, { seed: 1 }).theta;
  const ev = new Evaluator(arch, makeDataset(x, y, { n, d: 8, k: 2 }));
  const P = ev.P, op: MatVec = (a, b) => ev.hvp(theta, a, b);
  const e = inertiaEstimate(op, P, { relativeTolerance: 1e-2, degree: 100, probes: 10, seed: 9 });
  const exact = inertiaLdl(ev.hessian(theta), P, { tolerance: e.tolerance });
  assert.ok(exact.neg > 100, `a saddle with many negative directions (n₋ = ${exact.neg})`);
  assert.ok(inside(e.neg.interval, exact.neg) && inside(e.zero.interval, exact.zero), `${JSON.stringify(e.neg.interval)} ∋ ${exact.neg}, ${JSON.stringify(e.zero.interval)} ∋ ${exact.zero}`);
  // the probe noise alone: n̂ ± t·SE misses the true n₀ (the polynomial blurs the eigenvalues near ±τ)
  const noiseOnly = Math.abs(e.zero.estimate - exact.zero) > e.quantile * e.zero.standardError;
  assert.ok(noiseOnly, `without the bias term the n₀ interval ${e.zero.estimate} ± ${e.quantile * e.zero.standardError} would miss ${exact.zero}`);
  assert.ok(e.zero.bias > 0.05 * P, `and the bias bound says so (β = ${e.zero.bias})`);
});

test("estimateFromMoments re-reads one set of moments at another τ: counts move monotonically", () => {
  const P = 1000, lambda = new Float64Array(P).map((_, i) => -2 + (4 * i) / (P - 1));
  const op = designedOperator(lambda, 2), lower = -2.1, upper = 2.1, c = 0, e = 2.1;
  const moments = [0, 1, 2, 3].map((s) => {
    const v = new Float64Array(P), rng = new Rng(s);
    for (let i = 0; i < P; i++) v[i] = rng.uniform() < 0.5 ? -1 : 1;
    return chebyshevMoments(op, P, 40, c, e, v, new Float64Array(81));
  });
  const a = estimateFromMoments(moments, P, { lower, upper, tolerance: 0.2 }), b = estimateFromMoments(moments, P, { lower, upper, tolerance: 0.6 });
  assert.ok(b.zero.estimate > a.zero.estimate + 150 && b.neg.estimate < a.neg.estimate - 75, `${a.zero.estimate} → ${b.zero.estimate}`);
  // uniform spectrum on [−2, 2]: n₀(τ) = P·2τ/4 = P·τ/2 (±1) up to the bias bound and probe noise
  assert.ok(inside(b.zero.interval, 300) && inside(a.zero.interval, 100), `${JSON.stringify(a.zero.interval)} ∋ 100, ${JSON.stringify(b.zero.interval)} ∋ 300`);
});
