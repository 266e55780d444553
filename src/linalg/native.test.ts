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
