/**
 * Pure-TypeScript GEMM, C ← α·op(A)·op(B) + β·C (row-major, explicit offsets and leading
 * dimensions; see LinalgBackend.gemm). Loop orders are chosen so the innermost loop runs over
 * contiguous memory in every transpose case; no allocation.
 */
export function gemmPure(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, offA: number, lda: number,
  b: Float64Array, offB: number, ldb: number,
  beta: number, c: Float64Array, offC: number, ldc: number,
): void {
  if (transB && k > 0 && alpha !== 0) {
    gemmDotForm(transA, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    return;
  }
  // scale C by beta
  for (let i = 0; i < m; i++) {
    const ci = offC + i * ldc;
    if (beta === 0) for (let j = 0; j < n; j++) c[ci + j] = 0;
    else if (beta !== 1) for (let j = 0; j < n; j++) c[ci + j] *= beta;
  }
  if (alpha === 0 || k === 0) return;
  if (!transA && !transB) {
    // C[i,:] += α A[i,p] B[p,:]
    for (let i = 0; i < m; i++) {
      const ci = offC + i * ldc;
      const ai = offA + i * lda;
      for (let p = 0; p < k; p++) {
        const s = alpha * a[ai + p];
        if (s === 0) continue;
        const bp = offB + p * ldb;
        for (let j = 0; j < n; j++) c[ci + j] += s * b[bp + j];
      }
    }
  } else if (!transA && transB) {
    // C[i,j] += α Σ_p A[i,p] B[j,p]  (dot products of rows)
    for (let i = 0; i < m; i++) {
      const ci = offC + i * ldc;
      const ai = offA + i * lda;
      for (let j = 0; j < n; j++) {
        const bj = offB + j * ldb;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
        c[ci + j] += alpha * s;
      }
    }
  } else if (transA && !transB) {
    // C[i,:] += α A[p,i] B[p,:]
    for (let p = 0; p < k; p++) {
      const ap = offA + p * lda;
      const bp = offB + p * ldb;
      for (let i = 0; i < m; i++) {
        const s = alpha * a[ap + i];
        if (s === 0) continue;
        const ci = offC + i * ldc;
        for (let j = 0; j < n; j++) c[ci + j] += s * b[bp + j];
      }
    }
  } else {
    // C[i,j] += α Σ_p A[p,i] B[j,p]
    for (let i = 0; i < m; i++) {
      const ci = offC + i * ldc;
      for (let j = 0; j < n; j++) {
        const bj = offB + j * ldb;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[offA + p * lda + i] * b[bj + p];
        c[ci + j] += alpha * s;
      }
    }
  }
}

/** op(B) = Bᵀ: every C entry is one dot product, so β is applied in the same pass (no pre-scaling sweep). */
function gemmDotForm(
  transA: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, offA: number, lda: number, b: Float64Array, offB: number, ldb: number,
  beta: number, c: Float64Array, offC: number, ldc: number,
): void {
  const sa = transA ? lda : 1; // stride of A along p
  for (let i = 0; i < m; i++) {
    const ci = offC + i * ldc;
    const ai = transA ? offA + i : offA + i * lda;
    for (let j = 0; j < n; j++) {
      const bj = offB + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * sa] * b[bj + p];
      c[ci + j] = beta === 0 ? alpha * s : alpha * s + beta * c[ci + j];
    }
  }
}
