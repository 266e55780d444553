import { test } from "node:test";
import assert from "node:assert/strict";
import { eigenvalueEnclosure, gapWitness, symmetricLowerProduct } from "./gap-witness.js";
import { eigenSystem, inertiaCounts, type InertiaCountsTrace } from "./inertia.js";
import { getBackend, nativeBackend, setBackend } from "./backend.js";
import { pureBackend } from "./pure.js";
import type { LdlFactor } from "./types.js";
import { Rng } from "../util/rng.js";

/** Q·diag(λ)·Qᵀ with a random orthogonal Q (eigenvectors of a random symmetric matrix). */
function withSpectrum(lambda: number[], seed: number): Float64Array {
  const n = lambda.length, rng = new Rng(seed), s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) s[i * n + j] = s[j * n + i] = rng.normal();
  const q = eigenSystem(s, n).vectors, h = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const v = q.subarray(k * n, (k + 1) * n), l = lambda[k];
    for (let i = 0; i < n; i++) { const li = l * v[i]; for (let j = 0; j < n; j++) h[i * n + j] += li * v[j]; }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) h[j * n + i] = h[i * n + j]; // exactly symmetric
  return h;
}

/** A kept "factor" of H − σI for the pure backend: the inverse through H's eigendecomposition, `a` left as ldlFactor leaves it. */
function eigenFactor(h: Float64Array, n: number, shift: number): { a: Float64Array; f: LdlFactor } {
  const { values, vectors } = eigenSystem(h, n);
  const a = Float64Array.from(h), diagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) { diagonal[i] = h[i * n + i]; for (let j = i; j < n; j++) a[i * n + j] = NaN; } // upper triangle: "the factor"
  const tmp = new Float64Array(n);
  return {
    a, f: {
      inertia: { neg: 0, zero: 0, pos: 0 }, diagonal,
      solve(b: Float64Array): boolean {
        tmp.fill(0);
        for (let k = 0; k < n; k++) {
          const v = vectors.subarray(k * n, (k + 1) * n);
          let d = 0;
          for (let i = 0; i < n; i++) d += v[i] * b[i];
          d /= values[k] - shift;
          for (let i = 0; i < n; i++) tmp[i] += d * v[i];
        }
        b.set(tmp);
        return true;
      },
      restore(): void {},
    },
  };
}

test("symmetricLowerProduct reads only the strict lower triangle and the diagonal; |A||x| alongside", () => {
  const n = 37, rng = new Rng(3), h = withSpectrum(Array.from({ length: n }, () => rng.normal()), 4);
  const x = new Float64Array(n).map(() => rng.normal());
  const a = Float64Array.from(h), diagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) { diagonal[i] = h[i * n + i]; for (let j = i; j < n; j++) a[i * n + j] = 1e300; } // garbage where the factor lives
  const y = new Float64Array(n), ay = new Float64Array(n);
  symmetricLowerProduct(a, diagonal, n, x, y, ay);
  for (let i = 0; i < n; i++) {
    let s = 0, t = 0;
    for (let j = 0; j < n; j++) { s += h[i * n + j] * x[j]; t += Math.abs(h[i * n + j] * x[j]); }
    assert.ok(Math.abs(y[i] - s) <= 1e-13 * t, `row ${i}: ${y[i]} vs ${s}`);
    assert.ok(Math.abs(ay[i] - t) <= 1e-13 * t, `|A||x| row ${i}`);
  }
});

test("eigenvalueEnclosure always holds an eigenvalue, and is tight for an eigenvector", () => {
  const n = 40, rng = new Rng(5);
  const lambda = Array.from({ length: n }, (_, k) => (k - 20) * 0.37 + 0.01 * rng.normal());
  const h = withSpectrum(lambda, 6), { values, vectors } = eigenSystem(h, n);
  const hy = new Float64Array(n), ay = new Float64Array(n), diagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) diagonal[i] = h[i * n + i];
  for (let trial = 0; trial < 200; trial++) {
    // mixtures of a few eigenvectors with random weights, and fully random vectors
    const y = new Float64Array(n);
    if (trial % 2) for (let i = 0; i < n; i++) y[i] = rng.normal();
    else for (let c = 0; c < 3; c++) { const k = Math.floor(rng.uniform() * n), w = rng.normal(); for (let i = 0; i < n; i++) y[i] += w * vectors[k * n + i]; }
    symmetricLowerProduct(h, diagonal, n, y, hy, ay);
    const e = eigenvalueEnclosure(y, hy, n, ay);
    let best = Infinity;
    for (const l of values) best = Math.min(best, Math.abs(l - e.center));
    assert.ok(best <= e.radius, `trial ${trial}: nearest eigenvalue ${best} outside radius ${e.radius}`);
  }
  const v = vectors.subarray(7 * n, 8 * n);
  symmetricLowerProduct(h, diagonal, n, v, hy, ay);
  const e = eigenvalueEnclosure(v, hy, n, ay);
  assert.ok(Math.abs(e.center - values[7]) <= 1e-13 && e.radius < 1e-12, `eigenvector: ${e.center} ± ${e.radius} vs ${values[7]}`);
});

const TAU = 1e-6;
/** 160 eigenvalues: a zero cluster in [−τ/2, τ/2], a continuum (or nothing) in (τ, 1000τ], the bulk at ±O(1). */
function spectrum(inGap: number[], seed: number): number[] {
  const rng = new Rng(seed), l: number[] = [];
  for (let k = 0; k < 40; k++) l.push((rng.uniform() - 0.5) * TAU);
  for (let k = 0; k < 60; k++) l.push(0.1 + rng.uniform());
  for (let k = 0; k < 60 - inGap.length; k++) l.push(-0.1 - rng.uniform());
  return [...l, ...inGap];
}

test("gapWitness proves an eigenvalue in (τ, 1000τ) from shift-invert Lanczos, and never where there is none (pure solve)", () => {
  const n = 160;
  const dense = withSpectrum(spectrum(Array.from({ length: 20 }, (_, k) => TAU * (1.3 + 40 * k)), 1), 2);
  const { a, f } = eigenFactor(dense, n, TAU);
  const w = gapWitness(a, n, f, TAU, 1.01 * TAU, 999.99 * TAU);
  assert.equal(w.found, true);
  const lam = eigenSystem(dense, n).values;
  assert.ok(lam.some((l) => Math.abs(l - w.enclosure!.center) <= w.enclosure!.radius && l > TAU && l < 1000 * TAU), "the enclosure holds a true eigenvalue in the interval");
  // nothing in (τ, 1000τ]: no witness can exist, and none is claimed however long Lanczos runs
  const clear = withSpectrum(spectrum([], 1), 2), g = eigenFactor(clear, n, TAU);
  const none = gapWitness(g.a, n, g.f, TAU, 1.01 * TAU, 999.99 * TAU, { maxSteps: 120, checkEvery: 4, perCheck: 6 });
  assert.equal(none.found, false);
  assert.throws(() => gapWitness(a, n, f, TAU, 0.5 * TAU, 2 * TAU), /shift < lo < hi/);
});

for (const name of ["pure", "native"] as const) {
  const be = name === "pure" ? pureBackend : nativeBackend();
  test(`inertiaCounts with the witness = without it (${name}): same counts and gap; the count at +1000τ skipped only when proved futile`, { skip: be === null ? "native addon not built" : false }, () => {
    const prev = getBackend();
    setBackend(be!);
    try {
      const n = 160;
      const cases = [
        { what: "continuum through (τ, 1000τ]", h: withSpectrum(spectrum(Array.from({ length: 20 }, (_, k) => TAU * (1.3 + 40 * k)), 3), 4), clear: false },
        { what: "clear gap", h: withSpectrum(spectrum([], 3), 4), clear: true },
        { what: "only the negative side in (−1000τ, −τ)", h: withSpectrum(spectrum([-5 * TAU, -50 * TAU], 3), 4), clear: false },
      ];
      for (const c of cases) {
        const before = Float64Array.from(c.h);
        const tw: InertiaCountsTrace = { factorisations: 0, witness: null }, tp: InertiaCountsTrace = { factorisations: 0, witness: null };
        const withW = inertiaCounts(c.h, n, { tolerance: TAU, norm: 1, gapWitness: true, trace: tw });
        assert.deepEqual(c.h, before, `${c.what}: H restored bit for bit`);
        const probes = inertiaCounts(c.h, n, { tolerance: TAU, norm: 1, gapWitness: false, trace: tp });
        assert.deepEqual(withW, probes, c.what);
        assert.equal(withW.clear, c.clear, c.what);
        assert.equal(withW.zero, 40, c.what);
        if (be!.ldlFactor) {
          // the witness only ever removes the count at +1000τ, and only when an eigenvalue lies in (τ, 1000τ)
          assert.equal(tw.witness?.found ?? false, c.what.startsWith("continuum"), c.what);
          assert.equal(tw.factorisations, tp.factorisations - (tw.witness?.found ? 1 : 0), c.what);
        } else assert.equal(tw.witness, null);
      }
    } finally { setBackend(prev); }
  });
}

test("native ldlFactor: counts as ldlInertia, solve() solves (A − σI)x = b, restore() gives A back bit for bit", { skip: nativeBackend()?.ldlFactor ? false : "native addon without ldlFactor" }, () => {
  const be = nativeBackend()!, n = 90, rng = new Rng(8);
  const h = withSpectrum(Array.from({ length: n }, () => rng.normal()), 9), before = Float64Array.from(h);
  const f = be.ldlFactor!(n, h, 0.3);
  assert.deepEqual(f.inertia, be.ldlInertia(n, before, 0.3));
  const b = new Float64Array(n).map(() => rng.normal()), x = Float64Array.from(b);
  assert.equal(f.solve(x), true);
  for (let i = 0; i < n; i++) {
    let s = -0.3 * x[i];
    for (let j = 0; j < n; j++) s += before[i * n + j] * x[j];
    assert.ok(Math.abs(s - b[i]) < 1e-10, `row ${i}: ${s} vs ${b[i]}`);
  }
  f.restore();
  assert.deepEqual(h, before);
  assert.throws(() => f.solve(x), /after restore/);
});
