import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bellNumbers, binomial, factorial, stirling2, stirling2Column, stirling2Explicit, stirling2Recurrence, TRIANGLE_LIMIT,
} from "./stirling.js";
import { countG, countGBelow, countT, countTBell, countTSum, crossover } from "./counts.js";
import { bruteG, bruteT, bruteTBell, countSetPartitionsBrute, indexMaps } from "./enumerate.js";
import { InputError } from "../util/errors.js";

// SPEC §5.3 tables (golden values): rows r = 1..5, columns m = 1..8, null = "–".
const T_TABLE: (number | null)[][] = [
  [1, 3, 7, 15, 31, 63, 127, 255],
  [null, 2, 12, 50, 180, 602, 1932, 6050],
  [null, null, 6, 60, 390, 2100, 10206, 46620],
  [null, null, null, 24, 360, 3360, 25200, 166824],
  [null, null, null, null, 120, 2520, 31920, 317520],
];
const G_TABLE: (number | null)[][] = [
  [1, 1, 1, 1, 1, 1, 1, 1],
  [null, 2, 6, 14, 30, 62, 126, 254],
  [null, null, 6, 36, 150, 540, 1806, 5796],
  [null, null, null, 24, 240, 1560, 8400, 40824],
  [null, null, null, null, 120, 1800, 16800, 126000],
];

test("Stirling numbers: small values, recurrence = explicit formula = column, boundary cases", () => {
  assert.equal(stirling2(0, 0), 1n);
  assert.equal(stirling2(5, 0), 0n);
  assert.equal(stirling2(3, 5), 0n);
  assert.equal(stirling2(4, 2), 7n);
  assert.equal(stirling2(10, 3), 9330n);
  for (let n = 0; n <= 40; n++) for (let k = 0; k <= n + 1; k++) assert.equal(stirling2Explicit(n, k), stirling2Recurrence(n, k), `S(${n},${k})`);
  for (const k of [1, 3, 7]) {
    const col = stirling2Column(k, 60);
    for (let n = 0; n <= 60; n++) assert.equal(col[n], stirling2Recurrence(n, k));
  }
  // explicit formula beyond the table agrees with the table's last row continued by the recurrence
  const n = TRIANGLE_LIMIT + 1;
  for (const k of [2, 17, 64]) assert.equal(stirling2(n, k), BigInt(k) * stirling2(n - 1, k) + stirling2(n - 1, k - 1));
  // Σ_k S(n,k) = B_n
  const B = bellNumbers(12);
  assert.deepEqual(B.slice(0, 8), [1n, 1n, 2n, 5n, 15n, 52n, 203n, 877n]);
  for (let m = 0; m <= 12; m++) {
    let s = 0n;
    for (let k = 0; k <= m; k++) s += stirling2(m, k);
    assert.equal(s, B[m]);
    assert.equal(countSetPartitionsBrute(m), Number(B[m]));
  }
  assert.equal(factorial(20), 2432902008176640000n);
  assert.equal(binomial(50, 25), 126410606437752n);
});

test("T and G reproduce the SPEC §5.3 tables; closed and sum forms of T agree", () => {
  for (let r = 1; r <= 5; r++) {
    for (let m = 1; m <= 8; m++) {
      const t = T_TABLE[r - 1][m - 1], g = G_TABLE[r - 1][m - 1];
      if (t === null) {
        assert.throws(() => countT(r, m), InputError);
        continue;
      }
      assert.equal(countT(r, m), BigInt(t), `T(${r},${m})`);
      assert.equal(countTSum(r, m), BigInt(t), `T_sum(${r},${m})`);
      assert.equal(countG(r, m), BigInt(g as number), `G(${r},${m})`);
    }
  }
  assert.equal(countT(1, 2), 3n); // Fig. 4a: two blue + one green subspace
  for (let r = 1; r <= 12; r++) assert.equal(countT(r, r), factorial(r)); // the r*! isolated minima
  for (let r = 1; r <= 30; r++) for (const m of [r, r + 1, r + 7, 2 * r + 5]) assert.equal(countTSum(r, m), countT(r, m), `T(${r},${m})`);
});

test("brute-force enumeration over maps φ matches T, G and T_Bell for every r ≤ m ≤ 8 (r ≤ 5)", () => {
  for (let r = 1; r <= 5; r++) {
    for (let m = r; m <= 8; m++) {
      if ((r + 1) ** m > 2_000_000) continue;
      assert.equal(BigInt(bruteT(r, m)), countT(r, m), `T(${r},${m})`);
      assert.equal(BigInt(bruteG(r, m)), countG(r, m), `G(${r},${m})`);
      if (m <= 7) assert.equal(BigInt(bruteTBell(r, m)), countTBell(r, m), `T_Bell(${r},${m})`);
    }
  }
  // the enumerator lists distinct maps that really hit every neuron
  const seen = new Set<string>();
  for (const phi of indexMaps(2, 4, { zeros: true })) {
    assert.ok(phi.includes(1) && phi.includes(2));
    seen.add(phi.join(","));
  }
  assert.equal(seen.size, 50);
});

test("Bell variant reproduces the SPEC §5.3 sequences and is ≥ T", () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((m) => countTBell(1, m)), [1n, 3n, 10n, 37n, 151n]);
  assert.deepEqual([2, 3, 4, 5].map((m) => countTBell(2, m)), [2n, 12n, 62n, 320n]);
  for (let r = 1; r <= 6; r++) for (let m = r; m <= 12; m++) {
    assert.ok(countTBell(r, m) >= countT(r, m));
    if (m <= r + 1) assert.equal(countTBell(r, m), countT(r, m)); // B_0 = B_1 = 1
  }
  assert.ok(countTBell(1, 3) > countT(1, 3));
});

test("crossover list of SPEC §5.3", () => {
  const expected: [number, number, number][] = [[3, 1, 1], [5, 1, 1], [8, 3, 2], [10, 4, 2], [15, 6, 4], [20, 8, 5], [30, 13, 8], [50, 23, 13]];
  for (const [r, h, hl] of expected) assert.deepEqual(crossover(r), { rStar: r, h, hLargest: hl }, `r* = ${r}`);
  // it is a crossover: below h the saddles outnumber the minima
  const c = crossover(20);
  for (let k = 0; k < c.h; k++) assert.ok(countGBelow(20, 20 + k) >= countT(20, 20 + k));
  assert.equal(crossover(1).hLargest, null);
});

test("m = 1000 is exact: closed form = sum form, sizes and asymptotics", () => {
  const t = countT(3, 1000);
  assert.equal(t, countTSum(3, 1000));
  // T(3, m) = 3!·S(m+1, 4) with S(n, 4) = (4^n − 4·3^n + 6·2^n − 4)/24 (inclusion–exclusion)
  const m = 1000n;
  const s4 = (4n ** (m + 1n) - 4n * 3n ** (m + 1n) + 6n * 2n ** (m + 1n) - 4n) / 24n;
  assert.equal(t, 6n * s4);
  const g = countG(500, 1000);
  assert.equal(g, factorial(500) * stirling2(1000, 500));
  assert.ok(g.toString().length > 1000);
  assert.equal(countG(2, 1000), 2n ** 1000n - 2n);
  assert.equal(countT(999, 1000), factorial(999) * binomial(1001, 2));
});

test("invalid arguments are InputErrors", () => {
  for (const [r, m] of [[4, 3], [-1, 5], [0, 3], [1.5, 4], [2, 2.5], [2, 1e9], [Number.NaN, 3]]) {
    assert.throws(() => countT(r, m), InputError, `T(${r},${m})`);
    assert.throws(() => countG(r, m), InputError, `G(${r},${m})`);
  }
  assert.throws(() => bruteT(8, 9), InputError);
});
