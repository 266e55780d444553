import { InputError } from "../util/errors.js";

/**
 * Exact combinatorial numbers as BigInt (SPEC §5.3, §10 item 8): factorials, binomials, Stirling
 * numbers of the second kind S(n, k) and Bell numbers B_n.
 *
 * Small arguments come from a cached recurrence triangle S(n,k) = k·S(n−1,k) + S(n−1,k−1);
 * large ones from the explicit formula S(n,k) = (1/k!) Σ_{j=0}^{k} (−1)^{k−j} C(k,j) j^n,
 * which needs only k big powers (m = 1000 in milliseconds).
 */

/** Largest n for which the recurrence triangle is cached. */
export const TRIANGLE_LIMIT = 128;

const triangle: bigint[][] = [[1n]];

function checkIndex(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new InputError(`${what} must be a non-negative whole number, got ${v}`);
}

/** S(n, k) from the cached recurrence triangle (n ≤ TRIANGLE_LIMIT). */
export function stirling2Recurrence(n: number, k: number): bigint {
  checkIndex(n, "n");
  checkIndex(k, "k");
  if (n > TRIANGLE_LIMIT) throw new InputError(`the recurrence table stops at n = ${TRIANGLE_LIMIT}, got n = ${n}`);
  while (triangle.length <= n) {
    const prev = triangle[triangle.length - 1];
    const m = triangle.length;
    const row: bigint[] = new Array(m + 1);
    row[0] = 0n;
    for (let j = 1; j <= m; j++) row[j] = BigInt(j) * (j < m ? prev[j] : 0n) + prev[j - 1];
    triangle.push(row);
  }
  return k > n ? 0n : triangle[n][k];
}

/** n! */
export function factorial(n: number): bigint {
  checkIndex(n, "n");
  let f = 1n;
  for (let i = 2; i <= n; i++) f *= BigInt(i);
  return f;
}

/** Binomial coefficient C(n, k) (0 when k > n). */
export function binomial(n: number, k: number): bigint {
  checkIndex(n, "n");
  checkIndex(k, "k");
  if (k > n) return 0n;
  const kk = Math.min(k, n - k);
  let c = 1n;
  for (let i = 1; i <= kk; i++) c = (c * BigInt(n - kk + i)) / BigInt(i);
  return c;
}

/** Row of binomials C(n, 0..n). */
export function binomialRow(n: number): bigint[] {
  checkIndex(n, "n");
  const row: bigint[] = [1n];
  for (let k = 1; k <= n; k++) row.push((row[k - 1] * BigInt(n - k + 1)) / BigInt(k));
  return row;
}

/** S(n, k) by the explicit alternating sum (any size; exact integer division by k!). */
export function stirling2Explicit(n: number, k: number): bigint {
  checkIndex(n, "n");
  checkIndex(k, "k");
  if (k > n) return 0n;
  if (n === 0) return 1n; // S(0,0)
  if (k === 0) return 0n;
  const bn = BigInt(n);
  const C = binomialRow(k);
  let s = 0n;
  for (let j = 1; j <= k; j++) {
    const term = C[j] * BigInt(j) ** bn;
    s += (k - j) % 2 === 0 ? term : -term;
  }
  return s / factorial(k);
}

/** Stirling number of the second kind S(n, k): the number of partitions of [n] into k non-empty blocks. */
export function stirling2(n: number, k: number): bigint {
  return n <= TRIANGLE_LIMIT ? stirling2Recurrence(n, k) : stirling2Explicit(n, k);
}

/** Column S(0..nMax, k) of the Stirling triangle for one k, by the recurrence restricted to columns ≤ k (O(nMax·k)). */
export function stirling2Column(k: number, nMax: number): bigint[] {
  checkIndex(k, "k");
  checkIndex(nMax, "nMax");
  let col: bigint[] = new Array(k + 1).fill(0n); // S(n, 0..k) for the current n
  col[0] = 1n; // n = 0
  const out: bigint[] = [k === 0 ? 1n : 0n];
  for (let n = 1; n <= nMax; n++) {
    const next: bigint[] = new Array(k + 1).fill(0n);
    for (let j = 1; j <= Math.min(k, n); j++) next[j] = BigInt(j) * col[j] + col[j - 1];
    col = next;
    out.push(col[k]);
  }
  return out;
}

/** Bell numbers B_0..B_n (number of set partitions), by the Bell triangle. */
export function bellNumbers(n: number): bigint[] {
  checkIndex(n, "n");
  const out: bigint[] = [1n];
  let row: bigint[] = [1n];
  for (let i = 1; i <= n; i++) {
    const next: bigint[] = [row[row.length - 1]];
    for (let j = 0; j < row.length; j++) next.push(next[j] + row[j]);
    out.push(next[0]);
    row = next;
  }
  return out;
}
