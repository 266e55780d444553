import { test } from "node:test";
import assert from "node:assert/strict";
import { pureBackend } from "./pure.js";
import { nativeBackend, getBackend, setBackend } from "./backend.js";
import { inertia, inertiaLdl } from "./inertia.js";
import { ldlInertiaPure } from "./ldl-pure.js";
import { Rng } from "../util/rng.js";
import { makeArch, initNet } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { grid1d } from "../data/synthetic.js";
import { makeDataset } from "../data/dataset.js";

const native = nativeBackend();
const skip = native === null ? "native addon not built" : false;

function rand(rng: Rng, len: number): Float64Array {
  const a = new Float64Array(len);
  for (let i = 0; i < len; i++) a[i] = rng.normal();
  return a;
}

function relClose(a: Float64Array, b: Float64Array, rtol: number, what: string): void {
  let scale = 0, diff = 0;
  for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i])); diff = Math.max(diff, Math.abs(a[i] - b[i])); }
  assert.ok(diff <= rtol * Math.max(scale, 1e-300), `${what}: max diff ${diff} vs scale ${scale}`);
}

/** Random symmetric matrix with chosen eigenvalues (Q diag(λ) Qᵀ, Q from Gram–Schmidt). */
function symWithSpectrum(rng: Rng, lam: number[]): Float64Array {
  const n = lam.length, q = rand(rng, n * n);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < j; p++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[j * n + i] * q[p * n + i];
      for (let i = 0; i < n; i++) q[j * n + i] -= d * q[p * n + i];
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += q[j * n + i] ** 2;
    s = Math.sqrt(s);
    for (let i = 0; i < n; i++) q[j * n + i] /= s;
  }
  const a = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += q[j * n + r] * lam[j] * q[j * n + c];
    a[r * n + c] = s;
  }
  for (let r = 0; r < n; r++) for (let c = 0; c < r; c++) a[c * n + r] = a[r * n + c];
  return a;
}

test("native gemm agrees with pure to 1e-12 in every transpose case, with offsets and leading dims", { skip }, () => {
  const rng = new Rng(1);
  for (const [m, n, k] of [[3, 4, 5], [17, 9, 33], [1, 7, 1], [40, 40, 40]]) {
    for (const ta of [false, true]) for (const tb of [false, true]) {
      const lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 3, ldc = n + 1;
      const offA = 5, offB = 2, offC = 7;
      const a = rand(rng, offA + (ta ? k : m) * lda), b = rand(rng, offB + (tb ? n : k) * ldb);
      const c0 = rand(rng, offC + m * ldc);
      for (const beta of [0, 0.5]) {
        const cp = c0.slice(), cn = c0.slice();
        pureBackend.gemm(ta, tb, m, n, k, 1.3, a, offA, lda, b, offB, ldb, beta, cp, offC, ldc);
        native!.gemm(ta, tb, m, n, k, 1.3, a, offA, lda, b, offB, ldb, beta, cn, offC, ldc);
        relClose(cn, cp, 1e-12, `gemm ${m}x${n}x${k} ta=${ta} tb=${tb} beta=${beta}`);
      }
    }
  }
});

test("native gemm rejects out-of-bounds arrays instead of reading past them", { skip }, () => {
  const a = new Float64Array(4), c = new Float64Array(4);
  assert.throws(() => native!.gemm(false, false, 3, 3, 3, 1, a, 0, 3, a, 0, 3, 0, c, 0, 3), /out of bounds/);
});

test("native eigenvalues and eigenvectors agree with pure (1e-12 relative to ‖A‖)", { skip }, () => {
  const rng = new Rng(2);
  const n = 30;
  const lam = Array.from({ length: n }, (_, i) => i - 12 + 0.01 * i * i);
  const a = symWithSpectrum(rng, lam);
  const wp = new Float64Array(n), wn = new Float64Array(n), v = new Float64Array(n * n);
  pureBackend.syev(n, a, wp, null);
  native!.syev(n, a, wn, v);
  relClose(wn, wp, 1e-12, "eigenvalues");
  // A q_j = λ_j q_j with vector j contiguous at j*n
  for (let j = 0; j < n; j++) {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += a[r * n + c] * v[j * n + c];
      assert.ok(Math.abs(s - wn[j] * v[j * n + r]) < 1e-11 * 40, `eigvec ${j}`);
    }
  }
});

test("LDLᵀ inertia (pure Bunch–Kaufman and native dsytrf) matches the eigenvalue path", () => {
  const rng = new Rng(3);
  const lam = [-3, -1e-3, -2, 0, 0, 0, 1e-4, 5, 7, 2, -0.5, 1, 1, 1, 4];
  const n = lam.length;
  const a = symWithSpectrum(rng, lam);
  const backends = native ? [pureBackend, native] : [pureBackend];
  for (const be of backends) {
    // shifts between the eigenvalues: #negative = #λ < s
    for (const s of [-10, -2.5, -1, -1e-2, -1e-6, 1e-6, 5e-5, 0.7, 3, 6, 10]) {
      const r = be.ldlInertia(n, a, s);
      const expNeg = lam.filter((l) => l < s).length;
      assert.equal(r.neg, expNeg, `${be.name} shift ${s}`);
      assert.equal(r.pos, n - expNeg, `${be.name} shift ${s}`);
      assert.equal(r.zero, 0);
    }
  }
  // a 2×2-pivot-forcing matrix: zero diagonal, [[0,1],[1,0]] ⊕ diag(-1) has inertia (2,0,1)
  const b = new Float64Array([0, 1, 0, 1, 0, 0, 0, 0, -1]);
  for (const be of backends) assert.deepEqual(be.ldlInertia(3, b, 0), { neg: 2, zero: 0, pos: 1 });
  assert.deepEqual(ldlInertiaPure(2, new Float64Array([0, 0, 0, 0]), 0), { neg: 0, zero: 2, pos: 0 });
});

test("inertiaLdl (Sylvester) and the eigenvalue inertia agree on a network Hessian, on both backends", () => {
  const arch = makeArch([1, 6, 1], "tanh", "mse");
  const net = initNet(arch, { seed: 4 });
  const data = grid1d("sin3x", 20, -2, 2);
  const prev = getBackend();
  try {
    for (const be of native ? [pureBackend, native] : [pureBackend]) {
      setBackend(be);
      const ev = new Evaluator(arch, data);
      const h = ev.hessian(net.theta);
      const viaEig = inertia(h, ev.P);
      const viaLdl = inertiaLdl(h, ev.P, { norm: viaEig.norm });
      assert.deepEqual([viaLdl.neg, viaLdl.zero, viaLdl.pos], [viaEig.neg, viaEig.zero, viaEig.pos], be.name);
      assert.ok(viaEig.neg > 0 && viaEig.pos > 0, "an indefinite Hessian tests both counts");
      const est = inertiaLdl(h, ev.P); // estimated norm
      assert.ok(Math.abs(est.norm - viaEig.norm) <= 1e-3 * viaEig.norm);
    }
  } finally {
    setBackend(prev);
  }
});

test("native tanh kernel: within 4 ulp of Math.tanh, exact derivative formulas, IEEE edge cases, bounds checked", { skip }, () => {
  const tanh = native!.tanh!;
  assert.ok(tanh, "the native backend exports the elementwise tanh kernel");
  const rng = new Rng(11);
  const n = 4099; // not a multiple of the vector width: exercises the scalar tail
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) h[i] = rng.normal() * (i % 3 === 0 ? 0.01 : i % 3 === 1 ? 1 : 12);
  h.set([0, -0, 1e-300, -1e-300, 5e-324, 19.06, -19.06, 710, Infinity, -Infinity, NaN], 0);
  const a = new Float64Array(n), g1 = new Float64Array(n), g2 = new Float64Array(n);
  tanh(h, a, g1, g2, n);
  for (let i = 0; i < n; i++) {
    const t = Math.tanh(h[i]);
    if (Number.isNaN(t)) { assert.ok(Number.isNaN(a[i])); continue; }
    assert.ok(Math.abs(a[i] - t) <= 4 * Number.EPSILON * Math.abs(t), `tanh(${h[i]}) = ${a[i]}, Math.tanh ${t}`);
    assert.equal(Object.is(a[i], -0), Object.is(t, -0), `sign of zero at ${h[i]}`);
    assert.equal(g1[i], 1 - a[i] * a[i]);
    assert.equal(g2[i], -2 * a[i] * g1[i]);
  }
  const a2 = new Float64Array(n), g12 = new Float64Array(n);
  tanh(h, a2, g12, null, n); // g2 optional
  assert.deepEqual(a2, a);
  assert.throws(() => tanh(h, new Float64Array(3), g1, null, n), /array too short/);
});

test("forward passes agree across backends with the native tanh kernel (1e-12 relative)", { skip }, () => {
  const arch = makeArch([2, 40, 30, 3], "tanh", "mse");
  const net = initNet(arch, { seed: 9 });
  const rng = new Rng(3), n = 64;
  const x = new Float64Array(n * 2), y = new Float64Array(n * 3);
  rng.fillNormal(x); rng.fillNormal(y);
  const data = makeDataset(x, y, { n, d: 2, k: 3 }, "r");
  const prev = getBackend();
  const res: Float64Array[] = [];
  try {
    for (const be of [pureBackend, native!]) {
      setBackend(be);
      const ev = new Evaluator(arch, data), g = new Float64Array(ev.P);
      ev.lossAndGradient(net.theta, g);
      res.push(g);
    }
  } finally {
    setBackend(prev);
  }
  let num = 0, den = 0;
  for (let i = 0; i < res[0].length; i++) { num = Math.max(num, Math.abs(res[0][i] - res[1][i])); den = Math.max(den, Math.abs(res[0][i])); }
  assert.ok(num <= 1e-12 * den, `gradient max diff ${num} vs scale ${den}`);
});

test("native syev (values), ldlInertia and syevSelect work in place yet leave the matrix bit-identical; syevSelect = the slice of the full spectrum", { skip }, () => {
  const rng = new Rng(41);
  for (const n of [1, 7, 70, 131]) {
    const lam = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : rng.normal()));
    const a = symWithSpectrum(rng, lam), copy = Float64Array.from(a);
    const w = new Float64Array(n);
    native!.syev(n, a, w, null);
    assert.deepEqual(a, copy, `syev changed the matrix (n = ${n})`);
    native!.ldlInertia(n, a, 0.5);
    assert.deepEqual(a, copy, `ldlInertia changed the matrix (n = ${n})`);
    const full = new Float64Array(n), vec = new Float64Array(n * n);
    native!.syev(n, a, full, vec);
    const il = Math.floor(n / 3), iu = Math.min(n - 1, il + 2), cnt = iu - il + 1;
    const ws = new Float64Array(cnt), z = new Float64Array(cnt * n);
    native!.syevSelect!(n, a, il, iu, ws, z);
    assert.deepEqual(a, copy, `syevSelect changed the matrix (n = ${n})`);
    const top = Math.max(1, ...lam.map(Math.abs));
    for (let j = 0; j < cnt; j++) assert.ok(Math.abs(ws[j] - full[il + j]) <= 1e-13 * top, `eigenvalue ${il + j}: ${ws[j]} vs ${full[il + j]}`);
    for (let j = 0; j < cnt; j++) {
      // A z = λ z to rounding
      let res = 0;
      for (let i = 0; i < n; i++) { let s = 0; for (let k = 0; k < n; k++) s += a[i * n + k] * z[j * n + k]; res = Math.max(res, Math.abs(s - ws[j] * z[j * n + i])); }
      assert.ok(res < 1e-12 * Math.max(1, ...lam.map(Math.abs)), `residual ${res}`);
    }
  }
});

test("native: non-finite or impossible matrices give one-line NumericalErrors, never a LAPACK info code or a silent count (issue 12)", { skip }, async () => {
  const { NumericalError } = await import("../util/errors.js");
  const { lapackFailure } = await import("./native.js");
  const bad = new Float64Array([1, 0, 0, NaN]);
  const one = (re: RegExp) => (e: unknown): boolean => e instanceof NumericalError && re.test(e.message) && !e.message.includes("\n");
  assert.throws(() => native!.syev(2, bad, new Float64Array(2), null), one(/non-finite entry \(NaN\) at row 2, column 2/));
  // dsytrf on NaN used to return a meaningless inertia (every pivot neither < 0 nor > 0 → "zero")
  assert.throws(() => native!.ldlInertia(2, bad, 0), one(/LDLᵀ inertia: .*non-finite/));
  assert.throws(() => native!.ldlInertia(2, new Float64Array([Infinity, 0, 0, 1]), 0), one(/non-finite entry \(Infinity\)/));
  assert.throws(() => native!.syev(3, new Float64Array(4), new Float64Array(3), null), one(/holds only 4 entries/));
  assert.throws(() => native!.syev(50000, new Float64Array(1), new Float64Array(1), null), one(/larger than LAPACK's 32-bit indexing/));
  assert.match(lapackFailure("eigen-decomposition (LAPACKE_dsyevd)", -1010, 21001).message, /ran out of memory for its workspace on a 21001×21001 matrix/);
  assert.doesNotMatch(lapackFailure("eigen-decomposition (LAPACKE_dsyevd)", 3, 10).message, /info =/);
  // a good matrix still works
  const w = new Float64Array(2);
  native!.syev(2, new Float64Array([2, 1, 1, 2]), w, null);
  assert.deepEqual(Array.from(w).map((x) => Math.round(x * 1e12) / 1e12), [1, 3]);
});

test("native biasAct and maskColSums equal the TypeScript loops bit for bit (threaded sizes too), edge values, bounds checked", { skip }, () => {
  const nb = native!;
  assert.ok(nb.biasAct && nb.maskColSums, "addon built with the fused kernels");
  const rng = new Rng(31);
  for (const [n, m] of [[3, 5], [300, 200]] as const) { // 300×200 ≥ 2^15: the threaded path when threads > 1
    for (const [kind, slope] of [[0, 0], [0, 0.2], [1, 0]] as const) {
      const h0 = rand(rng, n * m), bias = rand(rng, m + 2);
      h0[0] = 0; h0[1] = -0; h0[2] = NaN; h0[3] = Infinity; h0[4] = -Infinity; // kinks and IEEE edges
      const hN = Float64Array.from(h0), hJ = Float64Array.from(h0);
      const aN = new Float64Array(n * m), g1N = new Float64Array(n * m), g2N = new Float64Array(n * m);
      nb.biasAct!(hN, n, m, bias, 2, kind, slope, aN, g1N, g2N);
      const aJ = new Float64Array(n * m), g1J = new Float64Array(n * m), g2J = new Float64Array(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) hJ[i * m + j] += bias[2 + j];
      if (kind === 0) for (let q = 0; q < n * m; q++) { const x = hJ[q]; if (x > 0) { aJ[q] = x; g1J[q] = 1; } else { aJ[q] = slope * x; g1J[q] = slope; } g2J[q] = 0; }
      else nb.tanh!(hJ, aJ, g1J, g2J, n * m);
      assert.deepEqual(hN, hJ, `bias added in place (${n}×${m}, kind ${kind})`);
      assert.deepEqual(aN, aJ); assert.deepEqual(g1N, g1J); assert.deepEqual(g2N, g2J);
      if (kind === 0 && slope === 0) assert.equal(g1N[0 * m + 0] === 1, hN[0] > 0, "ReLU′ is 1 exactly where h > 0");
    }
    const g1 = rand(rng, n * m), z = rand(rng, n * m), dN = new Float64Array(n * m), sN = new Float64Array(m + 3);
    nb.maskColSums!(g1, z, dN, n, m, sN, 3);
    const dJ = new Float64Array(n * m), sJ = new Float64Array(m + 3);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) { const v = g1[i * m + j] * z[i * m + j]; dJ[i * m + j] = v; sJ[3 + j] += v; }
    assert.deepEqual(dN, dJ);
    assert.deepEqual(sN, sJ, "column sums in row order: identical for any thread count");
  }
  assert.throws(() => nb.biasAct!(new Float64Array(5), 2, 3, new Float64Array(3), 0, 0, 0, new Float64Array(6), new Float64Array(6), null));
  assert.throws(() => nb.maskColSums!(new Float64Array(6), new Float64Array(6), new Float64Array(6), 2, 3, new Float64Array(3), 1));
});

test("Evaluator with the fused native kernels = pure backend (ReLU CE and tanh MSE, gradient and HVP to 1e-12)", { skip }, () => {
  const prev = getBackend();
  try {
    for (const [widths, act, lossName] of [[[6, 40, 4], "relu", "cross-entropy"], [[3, 30, 20, 2], "tanh", "mse"], [[4, 25, 3], "leaky-relu:0.1", "mse"]] as const) {
      const arch = makeArch([...widths], act, lossName);
      const n = 900, d = widths[0], k = widths[widths.length - 1], rng = new Rng(8);
      const y = new Float64Array(n * k);
      for (let i = 0; i < n; i++) { if (lossName === "mse") for (let j = 0; j < k; j++) y[i * k + j] = rng.normal(); else y[i * k + rng.int(k)] = 1; }
      const data = makeDataset(rand(rng, n * d), y, { n, d, k });
      const theta = initNet(arch, { seed: 2 }).theta, v = rand(rng, theta.length);
      const run = (be: typeof prev): { R: number; g: Float64Array; hv: Float64Array } => {
        setBackend(be);
        const ev = new Evaluator(arch, data), g = new Float64Array(ev.P), hv = new Float64Array(ev.P);
        const R = ev.lossAndGradient(theta, g);
        ev.hvp(theta, v, hv);
        return { R, g, hv };
      };
      const a = run(native!), b = run(pureBackend);
      assert.ok(Math.abs(a.R - b.R) <= 1e-12 * Math.abs(b.R), `${act} loss`);
      relClose(a.g, b.g, 1e-12, `${act} gradient`);
      relClose(a.hv, b.hv, 1e-12, `${act} HVP`);
    }
  } finally { setBackend(prev); }
});
