import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../util/rng.js";
import { assertClose } from "../testing/index.js";
import { gemmPure } from "./gemm-pure.js";
import { syevPure } from "./eigen-pure.js";
import { inertiaFromEigenvalues, defaultZeroTolerance, EPSILON } from "./inertia.js";

function naiveGemm(tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number, a: Float64Array, offA: number, lda: number,
  b: Float64Array, offB: number, ldb: number, beta: number, c: Float64Array, offC: number, ldc: number): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += (tA ? a[offA + p * lda + i] : a[offA + i * lda + p]) * (tB ? b[offB + j * ldb + p] : b[offB + p * ldb + j]);
    c[offC + i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * c[offC + i * ldc + j]);
  }
}

test("gemmPure: every transpose case, offsets, leading dimensions, α/β, empty sizes", () => {
  const rng = new Rng(1);
  for (const [m, n, k] of [[3, 4, 5], [1, 1, 1], [7, 2, 9], [0, 3, 2], [3, 0, 2], [2, 3, 0]]) {
    for (const tA of [false, true]) for (const tB of [false, true]) for (const [alpha, beta] of [[1, 0], [2.5, -0.5], [0, 1]]) {
      const lda = (tA ? m : k) + 2, ldb = (tB ? k : n) + 1, ldc = n + 3;
      const a = rng.fillNormal(new Float64Array(5 + lda * Math.max(tA ? k : m, 1)));
      const b = rng.fillNormal(new Float64Array(4 + ldb * Math.max(tB ? n : k, 1)));
      const c1 = rng.fillNormal(new Float64Array(6 + ldc * Math.max(m, 1)));
      const c2 = Float64Array.from(c1);
      gemmPure(tA, tB, m, n, k, alpha, a, 5, lda, b, 4, ldb, beta, c1, 6, ldc);
      naiveGemm(tA, tB, m, n, k, alpha, a, 5, lda, b, 4, ldb, beta, c2, 6, ldc);
      assertClose(c1, c2, 1e-12, 1e-12, `gemm ${m}x${n}x${k} tA=${tA} tB=${tB}`);
    }
  }
});

test("syevPure: residuals ‖Aq − λq‖, orthonormal vectors, ascending order, values-only agrees", () => {
  const rng = new Rng(2);
  for (const n of [1, 2, 3, 10, 40]) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = rng.normal(); a[i * n + j] = v; a[j * n + i] = v; }
    const w = new Float64Array(n), V = new Float64Array(n * n), w2 = new Float64Array(n);
    syevPure(n, a, w, V);
    syevPure(n, a, w2, null);
    assertClose(w2, w, 1e-12, 1e-12, "values-only");
    for (let j = 1; j < n; j++) assert.ok(w[j - 1] <= w[j]);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += a[i * n + p] * V[j * n + p];
        assert.ok(Math.abs(s - w[j] * V[j * n + i]) < 1e-12 * n, `residual n=${n}`);
      }
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += V[j * n + p] * V[k * n + p];
        assert.ok(Math.abs(s - (j === k ? 1 : 0)) < 1e-13 * n, "orthonormal");
      }
    }
  }
});

test("syevPure: known spectra (second-difference matrix, diagonal with repeats, zero matrix, rank one)", () => {
  const n = 12;
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) { t[i * n + i] = 2; if (i) { t[i * n + i - 1] = -1; t[(i - 1) * n + i] = -1; } }
  const w = new Float64Array(n);
  syevPure(n, t, w, null);
  const exact = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
  assertClose(w, exact, 1e-14, 0, "tridiagonal Toeplitz");
  const d = Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 3]);
  const wd = new Float64Array(3);
  syevPure(3, d, wd, null);
  assertClose(wd, [-1, 3, 3], 0, 0, "diagonal");
  const z = new Float64Array(9), wz = new Float64Array(3);
  syevPure(3, z, wz, new Float64Array(9));
  assertClose(wz, [0, 0, 0], 0, 0, "zero");
  const u = [1, 2, 2], r1 = new Float64Array(9), wr = new Float64Array(3);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r1[i * 3 + j] = u[i] * u[j];
  syevPure(3, r1, wr, null);
  assertClose(wr, [0, 0, 9], 1e-14, 0, "rank one");
});

test("inertiaFromEigenvalues: τ = c‖H‖Pε, counts, gap and clear-cut flag", () => {
  const r = inertiaFromEigenvalues([-2, -1e-17, 3e-16, 0.5, 4]);
  assert.equal(r.tolerance, defaultZeroTolerance(4, 5));
  assert.equal(r.tolerance, 100 * 4 * 5 * EPSILON);
  assert.deepEqual([r.neg, r.zero, r.pos], [1, 2, 2]);
  assert.equal(r.gap.largestZero, 3e-16);
  assert.equal(r.gap.smallestNonzero, 0.5);
  assert.ok(r.clear);
  // a small eigenvalue just above τ makes the count not clear-cut
  const s = inertiaFromEigenvalues([1e-10, 1], { tolerance: 1e-11 });
  assert.deepEqual([s.neg, s.zero, s.pos], [0, 0, 2]);
  assert.equal(s.gap.largestZero, null);
  const t = inertiaFromEigenvalues([5e-12, 1e-10, -1], { tolerance: 1e-11 });
  assert.deepEqual([t.neg, t.zero, t.pos], [1, 1, 1]);
  assert.ok(!t.clear, "gap ratio 20 is not clear-cut");
  // fixture D: smallest |eig| ≈ 2.5e-7 must not count as zero at the default τ
  const d = inertiaFromEigenvalues([2.47e-7, -0.3, 1.9]);
  assert.equal(d.zero, 0);
});
