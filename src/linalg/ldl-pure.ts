import type { Inertia } from "./types.js";

const ALPHA = (1 + Math.sqrt(17)) / 8; // Bunch–Kaufman pivot threshold

/**
 * In(A − shift·I) by symmetric-indefinite Bunch–Kaufman LDLᵀ with partial pivoting, pure
 * TypeScript (the reference for the native dsytrf path). Sylvester's law of inertia: PᵀAP = LDLᵀ
 * has the inertia of the block-diagonal D, whose 1×1 blocks count by sign and whose 2×2 blocks
 * count by determinant (det < 0: one negative, one positive; det > 0: two of the trace's sign).
 * `a` is the full symmetric n×n row-major matrix and is not modified. O(n³) time, n² memory.
 */
export function ldlInertiaPure(n: number, a: Float64Array, shift: number): Inertia {
  const f = new Float64Array(n * n);
  f.set(a.subarray(0, n * n));
  for (let i = 0; i < n; i++) f[i * n + i] -= shift;
  let neg = 0, zero = 0, pos = 0;
  const count1 = (d: number): void => {
    if (d < 0) neg++;
    else if (d > 0) pos++;
    else zero++;
  };
  let k = 0;
  while (k < n) {
    const akk = Math.abs(f[k * n + k]);
    let r = k, colmax = 0;
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(f[i * n + k]);
      if (v > colmax) { colmax = v; r = i; }
    }
    if (Math.max(akk, colmax) === 0) { zero++; k++; continue; }
    let size = 1;
    if (akk < ALPHA * colmax) {
      let rowmax = 0;
      for (let j = k; j < n; j++) if (j !== r) rowmax = Math.max(rowmax, Math.abs(f[r * n + j]));
      if (akk * rowmax >= ALPHA * colmax * colmax) {
        // 1×1 pivot at k, no interchange
      } else if (Math.abs(f[r * n + r]) >= ALPHA * rowmax) {
        swapSym(f, n, k, r);
      } else {
        size = 2;
        swapSym(f, n, k + 1, r);
      }
    }
    if (size === 1) {
      const d = f[k * n + k];
      count1(d);
      const inv = 1 / d;
      for (let i = k + 1; i < n; i++) {
        const li = f[i * n + k] * inv;
        if (li === 0) continue;
        const ri = i * n;
        for (let j = k + 1; j <= i; j++) f[ri + j] -= li * f[j * n + k];
      }
      mirrorLower(f, n, k + 1);
      k += 1;
    } else {
      const p = f[k * n + k], q = f[(k + 1) * n + k], s = f[(k + 1) * n + k + 1];
      const det = p * s - q * q;
      if (det < 0) { neg++; pos++; }
      else if (det > 0) { if (p + s < 0) neg += 2; else pos += 2; }
      else { zero++; count1(p + s); }
      // E⁻¹ = [s, −q; −q, p] / det
      for (let i = k + 2; i < n; i++) {
        const u = f[i * n + k], v = f[i * n + k + 1];
        const w0 = (s * u - q * v) / det, w1 = (p * v - q * u) / det;
        const ri = i * n;
        for (let j = k + 2; j <= i; j++) f[ri + j] -= w0 * f[j * n + k] + w1 * f[j * n + k + 1];
      }
      mirrorLower(f, n, k + 2);
      k += 2;
    }
  }
  return { neg, zero, pos };
}

/** Symmetric interchange of rows and columns i and j (full storage, trailing part from min(i,j)). */
function swapSym(f: Float64Array, n: number, i: number, j: number): void {
  if (i === j) return;
  for (let c = 0; c < n; c++) { const t = f[i * n + c]; f[i * n + c] = f[j * n + c]; f[j * n + c] = t; }
  for (let r = 0; r < n; r++) { const t = f[r * n + i]; f[r * n + i] = f[r * n + j]; f[r * n + j] = t; }
}

/** Copy the lower triangle of the trailing block starting at `from` to its upper triangle. */
function mirrorLower(f: Float64Array, n: number, from: number): void {
  for (let i = from; i < n; i++) for (let j = from; j < i; j++) f[j * n + i] = f[i * n + j];
}
