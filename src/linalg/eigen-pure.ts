/**
 * Pure-TypeScript symmetric eigensolver: Householder tridiagonalisation followed by the
 * implicit-shift QL iteration (the tred2/tql2 pair of EISPACK/JAMA), O(n³), backward stable.
 *
 * Storage trick: the algorithm is written for V(r, c) but stored as v[c*n + r] (transposed),
 * so the innermost loops run over contiguous memory and eigenvector j ends up contiguous at
 * v[j*n .. j*n+n) — the layout LinalgBackend.syev promises. With `wantVectors = false` the
 * accumulation of the orthogonal factor is skipped (values only, about 3× cheaper).
 */
export function syevPure(n: number, a: Float64Array, w: Float64Array, vectors: Float64Array | null): void {
  if (n === 0) return;
  const v = new Float64Array(n * n);
  v.set(a.subarray(0, n * n)); // A symmetric ⇒ Aᵀ has the same flat layout
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const wantVectors = vectors !== null;
  tred2(n, v, d, e, wantVectors);
  tql2(n, v, d, e, wantVectors);
  // sort ascending (selection sort on indices; O(n²) is negligible next to O(n³))
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) if (d[j] < p) { k = j; p = d[j]; }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      if (wantVectors) {
        const ri = i * n, rk = k * n;
        for (let r = 0; r < n; r++) { const t = v[ri + r]; v[ri + r] = v[rk + r]; v[rk + r] = t; }
      }
    }
  }
  w.set(d);
  if (vectors) vectors.set(v);
}

function tred2(n: number, v: Float64Array, d: Float64Array, e: Float64Array, acc: boolean): void {
  // V(r,c) = v[c*n + r]
  for (let j = 0; j < n; j++) d[j] = v[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + (i - 1)];
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[i * n + j] = f; // V(j,i)
        const cj = j * n; // column j of V: V(k,j) = v[cj + k]
        g = e[j] + v[cj + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[cj + k] * d[k];
          e[k] += v[cj + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const cj = j * n;
        for (let k = j; k <= i - 1; k++) v[cj + k] -= f * e[k] + g * d[k];
        d[j] = v[cj + (i - 1)];
        v[cj + i] = 0;
      }
    }
    d[i] = h;
  }
  if (acc) {
    for (let i = 0; i < n - 1; i++) {
      v[i * n + (n - 1)] = v[i * n + i];
      v[i * n + i] = 1;
      const h = d[i + 1];
      const ci1 = (i + 1) * n;
      if (h !== 0) {
        for (let k = 0; k <= i; k++) d[k] = v[ci1 + k] / h;
        for (let j = 0; j <= i; j++) {
          const cj = j * n;
          let g = 0;
          for (let k = 0; k <= i; k++) g += v[ci1 + k] * v[cj + k];
          for (let k = 0; k <= i; k++) v[cj + k] -= g * d[k];
        }
      }
      for (let k = 0; k <= i; k++) v[ci1 + k] = 0;
    }
    for (let j = 0; j < n; j++) {
      d[j] = v[j * n + (n - 1)];
      v[j * n + (n - 1)] = 0;
    }
    v[(n - 1) * n + (n - 1)] = 1;
  } else {
    for (let j = 0; j < n; j++) d[j] = v[j * n + j];
  }
  e[0] = 0;
}

function tql2(n: number, v: Float64Array, d: Float64Array, e: Float64Array, acc: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error("embedscape: symmetric eigensolver did not converge (non-finite matrix?)");
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (acc) {
            const a = (i + 1) * n, b = i * n; // columns i+1 and i of V, contiguous
            for (let k = 0; k < n; k++) {
              const t = v[a + k];
              v[a + k] = s * v[b + k] + c * t;
              v[b + k] = c * v[b + k] - s * t;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}
