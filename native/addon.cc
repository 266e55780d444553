// embedscape native backend: thin N-API bindings over the system OpenBLAS (CBLAS) and LAPACKE.
// Every entry point checks argument counts and array extents before touching memory; the
// TypeScript wrapper (src/linalg/native.ts) adds the user-facing validation.
#include <napi.h>
#include <cblas.h>
#include <lapacke.h>
#include <cmath>
#include <dlfcn.h>
#include <immintrin.h>
#include <cstring>
#include <vector>
#include <thread>
#include <algorithm>

namespace {

bool Fail(Napi::Env env, const char* msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return false;
}

bool GetF64(Napi::Env env, const Napi::Value& v, double** data, size_t* len) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    return Fail(env, "expected a Float64Array");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  *data = a.Data();
  *len = a.ElementLength();
  return true;
}

// Row-major matrix with `rows` rows, `cols` columns, leading dimension ld, from offset off.
bool Fits(size_t len, long off, long rows, long cols, long ld) {
  if (off < 0 || rows < 0 || cols < 0 || ld < (cols > 1 ? cols : 1)) return false;
  if (rows == 0 || cols == 0) return true;
  return static_cast<size_t>(off + (rows - 1) * ld + cols) <= len;
}

// gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 16) { Fail(env, "gemm: 16 arguments expected"); return env.Undefined(); }
  bool ta = info[0].ToBoolean(), tb = info[1].ToBoolean();
  long m = info[2].As<Napi::Number>().Int64Value(), n = info[3].As<Napi::Number>().Int64Value(),
       k = info[4].As<Napi::Number>().Int64Value();
  double alpha = info[5].As<Napi::Number>().DoubleValue();
  double *a, *b, *c; size_t la, lb, lc;
  if (!GetF64(env, info[6], &a, &la) || !GetF64(env, info[9], &b, &lb) || !GetF64(env, info[13], &c, &lc)) return env.Undefined();
  long offA = info[7].As<Napi::Number>().Int64Value(), lda = info[8].As<Napi::Number>().Int64Value();
  long offB = info[10].As<Napi::Number>().Int64Value(), ldb = info[11].As<Napi::Number>().Int64Value();
  double beta = info[12].As<Napi::Number>().DoubleValue();
  long offC = info[14].As<Napi::Number>().Int64Value(), ldc = info[15].As<Napi::Number>().Int64Value();
  if (m < 0 || n < 0 || k < 0) { Fail(env, "gemm: negative dimension"); return env.Undefined(); }
  if (m == 0 || n == 0) return env.Undefined();
  if (!(ta ? Fits(la, offA, k, m, lda) : Fits(la, offA, m, k, lda))) { Fail(env, "gemm: A out of bounds"); return env.Undefined(); }
  if (!(tb ? Fits(lb, offB, n, k, ldb) : Fits(lb, offB, k, n, ldb))) { Fail(env, "gemm: B out of bounds"); return env.Undefined(); }
  if (!Fits(lc, offC, m, n, ldc)) { Fail(env, "gemm: C out of bounds"); return env.Undefined(); }
  if (k == 0) {  // C <- beta*C (BLAS semantics, beta = 0 overwrites)
    for (long i = 0; i < m; i++) for (long j = 0; j < n; j++) {
      double& x = c[offC + i * ldc + j];
      x = beta == 0 ? 0 : beta * x;
    }
    return env.Undefined();
  }
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              (blasint)m, (blasint)n, (blasint)k, alpha, a + offA, (blasint)lda, b + offB, (blasint)ldb,
              beta, c + offC, (blasint)ldc);
  return env.Undefined();
}

// The LAPACK drivers below run with uplo = 'L' on the column-major view of the row-major
// symmetric matrix, so they overwrite only one triangle (and the diagonal): the strict other
// triangle still holds the matrix. RestoreFromUpper copies it back and the saved diagonal in, so
// callers see `a` unmodified without the n² copy a scratch matrix would cost (the dense Hessian of
// M = 10,501 parameters is 882 MB). Column-major (r, c) is a[c*n + r]; the kept triangle is r < c.
void RestoreFromUpper(double* a, long n, const double* diag) {
  const long B = 64;  // cache blocks for the transpose copy
  for (long c0 = 0; c0 < n; c0 += B)
    for (long r0 = c0; r0 < n; r0 += B)
      for (long c = c0; c < std::min(c0 + B, n); c++)
        for (long r = std::max(r0, c + 1); r < std::min(r0 + B, n); r++) a[c * n + r] = a[r * n + c];
  for (long i = 0; i < n; i++) a[i * n + i] = diag[i];
}

// syev(n, a, w, vectors|null) -> info. a is symmetric n×n (not modified); eigenvalues ascending.
// The row-major symmetric input read as column-major is the same matrix; LAPACK's column-major
// eigenvectors then lie contiguously: vector j at vectors[j*n .. j*n+n).
Napi::Value Syev(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4) { Fail(env, "syev: 4 arguments expected"); return env.Undefined(); }
  long n = info[0].As<Napi::Number>().Int64Value();
  double *a, *w, *v = nullptr; size_t la, lw, lv = 0;
  if (!GetF64(env, info[1], &a, &la) || !GetF64(env, info[2], &w, &lw)) return env.Undefined();
  bool vectors = !info[3].IsNull() && !info[3].IsUndefined();
  if (vectors && !GetF64(env, info[3], &v, &lv)) return env.Undefined();
  if (n < 0 || la < (size_t)(n * n) || lw < (size_t)n || (vectors && lv < (size_t)(n * n))) {
    Fail(env, "syev: array too short"); return env.Undefined();
  }
  if (n == 0) return Napi::Number::New(env, 0);
  if (!vectors) {  // values only: in place on one triangle, then restored (no n² scratch)
    std::vector<double> diag(n);
    for (long i = 0; i < n; i++) diag[i] = a[i * n + i];
    lapack_int r = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, a, (lapack_int)n, w);
    RestoreFromUpper(a, n, diag.data());
    return Napi::Number::New(env, r);
  }
  std::memcpy(v, a, sizeof(double) * n * n);
  lapack_int r = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)n, v, (lapack_int)n, w);
  return Napi::Number::New(env, r);
}

// ldlInertia(n, a, shift) -> [neg, zero, pos] of A − shift·I via Bunch–Kaufman LDLᵀ (dsytrf) and
// Sylvester's law of inertia: In(A − shift·I) = In(D), D block diagonal with 1×1 and 2×2 blocks.
Napi::Value LdlInertia(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3) { Fail(env, "ldlInertia: 3 arguments expected"); return env.Undefined(); }
  long n = info[0].As<Napi::Number>().Int64Value();
  double* a; size_t la;
  if (!GetF64(env, info[1], &a, &la)) return env.Undefined();
  double shift = info[2].As<Napi::Number>().DoubleValue();
  if (n < 0 || la < (size_t)(n * n)) { Fail(env, "ldlInertia: array too short"); return env.Undefined(); }
  // factor in place on one triangle (a is restored before returning: no n² scratch)
  std::vector<double> diag(n > 0 ? n : 1);
  for (long i = 0; i < n; i++) { diag[i] = a[i * n + i]; a[i * n + i] -= shift; }
  double* f = a;
  std::vector<lapack_int> ipiv(n > 0 ? n : 1);
  long neg = 0, zero = 0, pos = 0;
  if (n > 0) {
    lapack_int r = LAPACKE_dsytrf(LAPACK_COL_MAJOR, 'L', (lapack_int)n, f, (lapack_int)n, ipiv.data());
    if (r < 0) { RestoreFromUpper(a, n, diag.data()); Fail(env, "ldlInertia: dsytrf argument error"); return env.Undefined(); }
    // r > 0 means an exactly zero pivot: still a valid factorization for inertia purposes.
    for (long k = 0; k < n;) {
      if (ipiv[k] > 0) {
        double d = f[k * n + k];
        if (d < 0) neg++; else if (d > 0) pos++; else zero++;
        k += 1;
      } else {
        double p = f[k * n + k], q = f[k * n + k + 1], s = f[(k + 1) * n + k + 1];
        double det = p * s - q * q;
        if (det < 0) { neg++; pos++; }
        else if (det > 0) { if (p + s < 0) neg += 2; else pos += 2; }
        else {  // singular 2×2 block: one zero eigenvalue, the other = trace
          zero++;
          if (p + s < 0) neg++; else if (p + s > 0) pos++; else zero++;
        }
        k += 2;
      }
    }
    RestoreFromUpper(a, n, diag.data());
  }
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set((uint32_t)0, Napi::Number::New(env, (double)neg));
  out.Set((uint32_t)1, Napi::Number::New(env, (double)zero));
  out.Set((uint32_t)2, Napi::Number::New(env, (double)pos));
  return out;
}

// Counts the inertia of the block-diagonal D of a dsytrf factor held in f (column-major 'L').
void CountPivots(const double* f, long n, const lapack_int* ipiv, long* neg, long* zero, long* pos) {
  for (long k = 0; k < n;) {
    if (ipiv[k] > 0) {
      double d = f[k * n + k];
      if (d < 0) (*neg)++; else if (d > 0) (*pos)++; else (*zero)++;
      k += 1;
    } else {
      double p = f[k * n + k], q = f[k * n + k + 1], s = f[(k + 1) * n + k + 1];
      double det = p * s - q * q;
      if (det < 0) { (*neg)++; (*pos)++; }
      else if (det > 0) { if (p + s < 0) *neg += 2; else *pos += 2; }
      else { (*zero)++; if (p + s < 0) (*neg)++; else if (p + s > 0) (*pos)++; else (*zero)++; }
      k += 2;
    }
  }
}

// ldlFactor(n, a, shift, diag, ipiv) -> [neg, zero, pos]: like ldlInertia, but the factor of A − shift·I is KEPT in
// place for ldlSolve: it occupies the row-major upper triangle with the diagonal (the column-major 'L' view); the
// strict row-major lower triangle still holds A, diag (Float64Array n) receives A's diagonal and ipiv (Float64Array n)
// dsytrf's pivots. ldlRestore(n, a, diag) puts A back. On failure `a` is restored before throwing.
Napi::Value LdlFactor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5) { Fail(env, "ldlFactor: 5 arguments expected"); return env.Undefined(); }
  long n = info[0].As<Napi::Number>().Int64Value();
  double *a, *diag, *piv; size_t la, ld, lp;
  if (!GetF64(env, info[1], &a, &la) || !GetF64(env, info[3], &diag, &ld) || !GetF64(env, info[4], &piv, &lp)) return env.Undefined();
  double shift = info[2].As<Napi::Number>().DoubleValue();
  if (n <= 0 || la < (size_t)(n * n) || ld < (size_t)n || lp < (size_t)n) { Fail(env, "ldlFactor: array too short"); return env.Undefined(); }
  for (long i = 0; i < n; i++) { diag[i] = a[i * n + i]; a[i * n + i] -= shift; }
  std::vector<lapack_int> ipiv(n);
  lapack_int r = LAPACKE_dsytrf(LAPACK_COL_MAJOR, 'L', (lapack_int)n, a, (lapack_int)n, ipiv.data());
  if (r < 0) { RestoreFromUpper(a, n, diag); Fail(env, "ldlFactor: dsytrf argument error"); return env.Undefined(); }
  long neg = 0, zero = 0, pos = 0;
  CountPivots(a, n, ipiv.data(), &neg, &zero, &pos);
  for (long i = 0; i < n; i++) piv[i] = (double)ipiv[i];
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set((uint32_t)0, Napi::Number::New(env, (double)neg));
  out.Set((uint32_t)1, Napi::Number::New(env, (double)zero));
  out.Set((uint32_t)2, Napi::Number::New(env, (double)pos));
  return out;
}

// ldlSolve(n, a, ipiv, b) -> info: b <- (A − shift·I)⁻¹ b with the factor kept by ldlFactor (dsytrs, one right-hand
// side; info > 0 would mean an exactly singular D, reported rather than divided by).
Napi::Value LdlSolve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4) { Fail(env, "ldlSolve: 4 arguments expected"); return env.Undefined(); }
  long n = info[0].As<Napi::Number>().Int64Value();
  double *a, *piv, *b; size_t la, lp, lb;
  if (!GetF64(env, info[1], &a, &la) || !GetF64(env, info[2], &piv, &lp) || !GetF64(env, info[3], &b, &lb)) return env.Undefined();
  if (n <= 0 || la < (size_t)(n * n) || lp < (size_t)n || lb < (size_t)n) { Fail(env, "ldlSolve: array too short"); return env.Undefined(); }
  std::vector<lapack_int> ipiv(n);
  for (long i = 0; i < n; i++) ipiv[i] = (lapack_int)piv[i];
  // an exactly zero 1×1 pivot or singular 2×2 block: dsytrs would divide by zero
  for (long k = 0; k < n;) {
    if (ipiv[k] > 0) { if (a[k * n + k] == 0) return Napi::Number::New(env, (double)(k + 1)); k += 1; }
    else { double p = a[k * n + k], q = a[k * n + k + 1], s = a[(k + 1) * n + k + 1]; if (p * s - q * q == 0) return Napi::Number::New(env, (double)(k + 1)); k += 2; }
  }
  lapack_int r = LAPACKE_dsytrs(LAPACK_COL_MAJOR, 'L', (lapack_int)n, 1, a, (lapack_int)n, ipiv.data(), b, (lapack_int)n);
  return Napi::Number::New(env, (double)r);
}

// ldlRestore(n, a, diag): undo ldlFactor (A's strict lower triangle copied back over the factor, diagonal restored).
Napi::Value LdlRestore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3) { Fail(env, "ldlRestore: 3 arguments expected"); return env.Undefined(); }
  long n = info[0].As<Napi::Number>().Int64Value();
  double *a, *diag; size_t la, ld;
  if (!GetF64(env, info[1], &a, &la) || !GetF64(env, info[2], &diag, &ld)) return env.Undefined();
  if (n <= 0 || la < (size_t)(n * n) || ld < (size_t)n) { Fail(env, "ldlRestore: array too short"); return env.Undefined(); }
  RestoreFromUpper(a, n, diag);
  return env.Undefined();
}

// ---- elementwise tanh with derivatives ------------------------------------------------------
// a = tanh(h), g1 = 1 − a², g2 = −2·a·g1 (g2 optional). Four lanes at a time through glibc's
// libmvec AVX2 tanh (_ZGVdN4v_tanh, looked up with dlsym so the addon never needs libmvec to
// link or load) when the CPU has AVX2; scalar libm tanh otherwise and for the tail.
using VecTanh = __m256d (*)(__m256d);
VecTanh g_vtanh = nullptr;
const char* g_tanhImpl = "libm tanh (scalar)";

void InitTanh() {
  if (!__builtin_cpu_supports("avx2")) return;
  void* h = dlopen("libmvec.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!h) return;
  g_vtanh = reinterpret_cast<VecTanh>(dlsym(h, "_ZGVdN4v_tanh"));
  if (g_vtanh) g_tanhImpl = "libmvec _ZGVdN4v_tanh (AVX2)";
}

__attribute__((target("avx2"))) long TanhAvx2(const double* h, double* a, double* g1, double* g2, long n) {
  const __m256d one = _mm256_set1_pd(1.0), m2 = _mm256_set1_pd(-2.0);
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d t = g_vtanh(_mm256_loadu_pd(h + i));
    __m256d d = _mm256_sub_pd(one, _mm256_mul_pd(t, t));
    _mm256_storeu_pd(a + i, t);
    _mm256_storeu_pd(g1 + i, d);
    if (g2) _mm256_storeu_pd(g2 + i, _mm256_mul_pd(_mm256_mul_pd(m2, t), d));
  }
  return i;
}

// tanh(h, a, g1, g2|null, n)
Napi::Value Tanh(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5) { Fail(env, "tanh: 5 arguments expected"); return env.Undefined(); }
  double *h, *a, *g1, *g2 = nullptr; size_t lh, la, l1, l2 = 0;
  if (!GetF64(env, info[0], &h, &lh) || !GetF64(env, info[1], &a, &la) || !GetF64(env, info[2], &g1, &l1)) return env.Undefined();
  bool second = !info[3].IsNull() && !info[3].IsUndefined();
  if (second && !GetF64(env, info[3], &g2, &l2)) return env.Undefined();
  long n = info[4].As<Napi::Number>().Int64Value();
  if (n < 0 || lh < (size_t)n || la < (size_t)n || l1 < (size_t)n || (second && l2 < (size_t)n)) {
    Fail(env, "tanh: array too short"); return env.Undefined();
  }
  long i = g_vtanh ? TanhAvx2(h, a, g1, g2, n) : 0;
  for (; i < n; i++) {
    double t = std::tanh(h[i]), d = 1 - t * t;
    a[i] = t; g1[i] = d;
    if (g2) g2[i] = -2 * t * d;
  }
  return env.Undefined();
}

// syevSelect(n, a, il, iu, w, z) -> info: eigenvalues il..iu (0-based, inclusive, ascending) into
// w[0..iu−il] and their unit eigenvectors contiguously into z (vector j at z[j*n ..]), by the MRRR
// range driver dsyevr. a is used in place on one triangle and restored.
Napi::Value SyevSelect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 6) { Fail(env, "syevSelect: 6 arguments expected"); return env.Undefined(); }
  long n = info[0].As<Napi::Number>().Int64Value();
  long il = info[2].As<Napi::Number>().Int64Value(), iu = info[3].As<Napi::Number>().Int64Value();
  double *a, *w, *z; size_t la, lw, lz;
  if (!GetF64(env, info[1], &a, &la) || !GetF64(env, info[4], &w, &lw) || !GetF64(env, info[5], &z, &lz)) return env.Undefined();
  if (n < 1 || il < 0 || iu < il || iu >= n) { Fail(env, "syevSelect: bad index range"); return env.Undefined(); }
  long cnt = iu - il + 1;
  if (la < (size_t)(n * n) || lw < (size_t)cnt || lz < (size_t)(cnt * n)) { Fail(env, "syevSelect: array too short"); return env.Undefined(); }
  std::vector<double> diag(n), wall(n);
  for (long i = 0; i < n; i++) diag[i] = a[i * n + i];
  std::vector<lapack_int> isuppz(2 * cnt);
  lapack_int m = 0;
  lapack_int r = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'L', (lapack_int)n, a, (lapack_int)n, 0.0, 0.0,
                                (lapack_int)(il + 1), (lapack_int)(iu + 1), 0.0, &m, wall.data(), z, (lapack_int)n, isuppz.data());
  RestoreFromUpper(a, n, diag.data());
  for (long j = 0; j < cnt && j < m; j++) w[j] = wall[j];
  if (r == 0 && m != cnt) r = -1000;
  return Napi::Number::New(env, r);
}

// ---- fused elementwise kernels beside the GEMMs, threaded ------------------------------------
// Split [0, count) into `threads` contiguous parts and run f(begin, end) on each (the caller's
// thread takes the first part). Work below kMinParallel elements stays on one thread: a thread
// start (≈20–50 µs) would cost more than it saves.
constexpr long kMinParallel = 1L << 15;

int ElementThreads(long work) {
  if (work < kMinParallel) return 1;
  int t = openblas_get_num_threads();
  return t < 1 ? 1 : (t > 16 ? 16 : t);
}

template <typename F>
void Parallel(long count, int threads, F f) {
  if (threads <= 1 || count < 2) { f(0L, count); return; }
  if (threads > count) threads = (int)count;
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  long chunk = (count + threads - 1) / threads;
  for (int t = 1; t < threads; t++) {
    long b = t * chunk, e = std::min(count, b + chunk);
    if (b >= e) break;
    pool.emplace_back([=] { f(b, e); });
  }
  f(0L, std::min(count, chunk));
  for (auto& th : pool) th.join();
}

// biasAct(h, n, m, bias, bOff, kind, slope, a, g1, g2|null): for the n×m row-major pre-activation
// block, h[i,j] += bias[bOff + j] in place, then a = σ(h), g1 = σ′(h), g2 = σ″(h) (optional).
// kind 0: leaky ReLU with negative slope `slope` (ReLU: 0; σ′ at 0 is the slope, PyTorch's
// convention; σ″ = 0); kind 1: tanh (libmvec AVX2 when present, as `tanh` above). The same
// operations in the same order as the TypeScript kernels, so results are identical bit for bit.
Napi::Value BiasAct(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 10) { Fail(env, "biasAct: 10 arguments expected"); return env.Undefined(); }
  double *h, *bias, *a, *g1, *g2 = nullptr; size_t lh, lb, la, l1, l2 = 0;
  if (!GetF64(env, info[0], &h, &lh) || !GetF64(env, info[3], &bias, &lb) || !GetF64(env, info[7], &a, &la) || !GetF64(env, info[8], &g1, &l1)) return env.Undefined();
  bool second = !info[9].IsNull() && !info[9].IsUndefined();
  if (second && !GetF64(env, info[9], &g2, &l2)) return env.Undefined();
  long n = info[1].As<Napi::Number>().Int64Value(), m = info[2].As<Napi::Number>().Int64Value();
  long bOff = info[4].As<Napi::Number>().Int64Value();
  int kind = info[5].As<Napi::Number>().Int32Value();
  double slope = info[6].As<Napi::Number>().DoubleValue();
  if (n < 0 || m < 0 || bOff < 0 || (kind != 0 && kind != 1)) { Fail(env, "biasAct: bad arguments"); return env.Undefined(); }
  size_t nm = (size_t)n * (size_t)m;
  if (lh < nm || la < nm || l1 < nm || (second && l2 < nm) || lb < (size_t)(bOff + m)) { Fail(env, "biasAct: array too short"); return env.Undefined(); }
  const double* b = bias + bOff;
  Parallel(n, ElementThreads((long)nm), [=](long r0, long r1) {
    for (long i = r0; i < r1; i++) {
      double* hi = h + i * m;
      for (long j = 0; j < m; j++) hi[j] += b[j];
    }
    long o0 = r0 * m, o1 = r1 * m;
    if (kind == 0) {
      for (long q = o0; q < o1; q++) {
        double x = h[q];
        if (x > 0) { a[q] = x; g1[q] = 1; } else { a[q] = slope * x; g1[q] = slope; }
        if (g2) g2[q] = 0;
      }
    } else {
      long q = o0;
      if (g_vtanh) q += TanhAvx2(h + o0, a + o0, g1 + o0, g2 ? g2 + o0 : nullptr, o1 - o0);
      for (; q < o1; q++) {
        double t = std::tanh(h[q]), d = 1 - t * t;
        a[q] = t; g1[q] = d;
        if (g2) g2[q] = -2 * t * d;
      }
    }
  });
  return env.Undefined();
}

// maskColSums(g1, z, d, n, m, out, outOff): d = g1 ∘ z (n×m) and out[outOff + j] = Σ_i d[i,j], each
// column summed in row order i = 0..n−1 (as the TypeScript loop does: bit-identical, deterministic
// for any thread count — threads split the columns, never a sum).
Napi::Value MaskColSums(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 7) { Fail(env, "maskColSums: 7 arguments expected"); return env.Undefined(); }
  double *g1, *z, *d, *out; size_t l1, lz, ld, lo;
  if (!GetF64(env, info[0], &g1, &l1) || !GetF64(env, info[1], &z, &lz) || !GetF64(env, info[2], &d, &ld) || !GetF64(env, info[5], &out, &lo)) return env.Undefined();
  long n = info[3].As<Napi::Number>().Int64Value(), m = info[4].As<Napi::Number>().Int64Value(), off = info[6].As<Napi::Number>().Int64Value();
  if (n < 0 || m < 0 || off < 0) { Fail(env, "maskColSums: bad arguments"); return env.Undefined(); }
  size_t nm = (size_t)n * (size_t)m;
  if (l1 < nm || lz < nm || ld < nm || lo < (size_t)(off + m)) { Fail(env, "maskColSums: array too short"); return env.Undefined(); }
  double* s = out + off;
  int threads = ElementThreads((long)nm);
  if (m < 8 * threads) threads = 1;
  Parallel(m, threads, [=](long c0, long c1) {
    for (long j = c0; j < c1; j++) s[j] = 0;
    for (long i = 0; i < n; i++) {
      const long o = i * m;
      for (long j = c0; j < c1; j++) { double v = g1[o + j] * z[o + j]; d[o + j] = v; s[j] += v; }
    }
  });
  return env.Undefined();
}



// Four-lane tanh without libmvec or tables: tanh(x) = sign(x)·E/(E + 2), E = expm1(2|x|) (|x| clamped
// at 22, where tanh rounds to 1) with y = 2|x| = k·ln2 + r, |r| ≤ ln2/2, expm1(y) = 2^k·expm1(r) + (2^k − 1)
// (2^k − 1 exact for k ≤ 53, and E ≫ 2 beyond), expm1(r) by its degree-14 Taylor polynomial (Estrin) (truncation < 2e-17
// relative), ln2 split in fdlibm's hi/lo parts. Relative error ≤ a few ulp everywhere, exact at 0.
// Same method as src/nn/fast-tanh.ts (which tabulates 2^(k/32) instead).
__attribute__((target("avx2"))) inline __m256d Tanh4(__m256d x) {
  const __m256d signMask = _mm256_set1_pd(-0.0);
  const __m256d ax = _mm256_min_pd(_mm256_set1_pd(22.0), _mm256_andnot_pd(signMask, x));  // NaN (second operand) propagates
  const __m256d y = _mm256_add_pd(ax, ax);
  const __m256d k = _mm256_round_pd(_mm256_mul_pd(y, _mm256_set1_pd(1.4426950408889634)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_sub_pd(y, _mm256_mul_pd(k, _mm256_set1_pd(6.93147180369123816490e-01)));
  r = _mm256_sub_pd(r, _mm256_mul_pd(k, _mm256_set1_pd(1.90821492927058770002e-10)));
  // p = r + r²·q(r), q = Σ_{t=0}^{12} r^t/(t+2)!, by Estrin's scheme (short dependency chains)
  const __m256d r2 = _mm256_mul_pd(r, r), r4 = _mm256_mul_pd(r2, r2), r8 = _mm256_mul_pd(r4, r4);
#define ES_C(v) _mm256_set1_pd(v)
#define ES_L(a, b) _mm256_add_pd(ES_C(a), _mm256_mul_pd(ES_C(b), r))
  const __m256d a0 = ES_L(1.0 / 2, 1.0 / 6), a1 = ES_L(1.0 / 24, 1.0 / 120), a2 = ES_L(1.0 / 720, 1.0 / 5040),
                a3 = ES_L(1.0 / 40320, 1.0 / 362880), a4 = ES_L(1.0 / 3628800, 1.0 / 39916800),
                a5 = ES_L(1.0 / 479001600, 1.0 / 6227020800.0), a6 = ES_C(1.0 / 87178291200.0);
#undef ES_L
#undef ES_C
  const __m256d b0 = _mm256_add_pd(a0, _mm256_mul_pd(a1, r2)), b1 = _mm256_add_pd(a2, _mm256_mul_pd(a3, r2)),
                b2 = _mm256_add_pd(a4, _mm256_mul_pd(a5, r2));
  const __m256d c0 = _mm256_add_pd(b0, _mm256_mul_pd(b1, r4)), c1 = _mm256_add_pd(b2, _mm256_mul_pd(a6, r4));
  const __m256d q = _mm256_add_pd(c0, _mm256_mul_pd(c1, r8));
  const __m256d pm1 = _mm256_add_pd(r, _mm256_mul_pd(_mm256_mul_pd(r, r), q));
  // 2^k from the exponent bits (k ∈ [0, 64))
  const __m128i k32 = _mm256_cvtpd_epi32(k);
  const __m256i e = _mm256_slli_epi64(_mm256_add_epi64(_mm256_cvtepi32_epi64(k32), _mm256_set1_epi64x(1023)), 52);
  const __m256d p2 = _mm256_castsi256_pd(e);
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d em1 = _mm256_add_pd(_mm256_mul_pd(p2, pm1), _mm256_sub_pd(p2, one));
  const __m256d u = _mm256_div_pd(em1, _mm256_add_pd(em1, _mm256_set1_pd(2.0)));
  return _mm256_or_pd(u, _mm256_and_pd(x, signMask));  // the sign of x
}

// ---- one fused loss+gradient step of a 1-m-1 tanh net with ½(f − y)² -----------------------
// tinyTanhMse(x, y, n, m, theta, g, A, F, E) -> R. θ = (W m×1, b m, V 1×m, c) (SPEC §1.3);
// per neuron j over all samples: a = tanh(w_j x + b_j) (Tanh4, four lanes), f += v_j a; then
// e = (f − y)/n, R = Σ½(f − y)²/n, ∇c = Σe, ∇v_j = Σ e a, δ = (1 − a²)(e v_j), ∇b_j = Σδ, ∇w_j = Σδx.
// Workspaces A (m·n, neuron-major), F, E (n) come from the caller. One N-API call per step: the
// fused TypeScript kernel (src/nn/tiny.ts) does the same in pure JS when this is absent.
__attribute__((target("avx2"))) double TinyTanhMseAvx2(const double* x, const double* y, long n, long m, const double* th,
                                                       double* g, double* A, double* F, double* E) {
  const double c = th[3 * m];
  for (long i = 0; i < n; i++) F[i] = c;
  for (long j = 0; j < m; j++) {
    const double w = th[j], b = th[m + j], v = th[2 * m + j];
    double* a = A + j * n;
    const __m256d W = _mm256_set1_pd(w), B = _mm256_set1_pd(b), Vv = _mm256_set1_pd(v);
    long i = 0;
    for (; i + 8 <= n; i += 8) {  // two independent vectors per iteration for instruction-level parallelism
      __m256d t0 = Tanh4(_mm256_add_pd(_mm256_mul_pd(W, _mm256_loadu_pd(x + i)), B));
      __m256d t1 = Tanh4(_mm256_add_pd(_mm256_mul_pd(W, _mm256_loadu_pd(x + i + 4)), B));
      _mm256_storeu_pd(a + i, t0);
      _mm256_storeu_pd(a + i + 4, t1);
      _mm256_storeu_pd(F + i, _mm256_add_pd(_mm256_loadu_pd(F + i), _mm256_mul_pd(Vv, t0)));
      _mm256_storeu_pd(F + i + 4, _mm256_add_pd(_mm256_loadu_pd(F + i + 4), _mm256_mul_pd(Vv, t1)));
    }
    for (; i + 4 <= n; i += 4) {
      __m256d t = Tanh4(_mm256_add_pd(_mm256_mul_pd(W, _mm256_loadu_pd(x + i)), B));
      _mm256_storeu_pd(a + i, t);
      _mm256_storeu_pd(F + i, _mm256_add_pd(_mm256_loadu_pd(F + i), _mm256_mul_pd(Vv, t)));
    }
    for (; i < n; i++) { double t = std::tanh(w * x[i] + b); a[i] = t; F[i] += v * t; }
  }
  const double inv = 1.0 / n;
  double s = 0, gc = 0;
  for (long i = 0; i < n; i++) { double e = F[i] - y[i]; s += e * e; double ei = e * inv; E[i] = ei; gc += ei; }
  g[3 * m] = gc;
  const __m256d one = _mm256_set1_pd(1.0);
  for (long j = 0; j < m; j++) {
    const double v = th[2 * m + j];
    const double* a = A + j * n;
    __m256d GV = _mm256_setzero_pd(), GB = _mm256_setzero_pd(), GW = _mm256_setzero_pd();
    const __m256d Vv = _mm256_set1_pd(v);
    long i = 0;
    for (; i + 4 <= n; i += 4) {
      __m256d t = _mm256_loadu_pd(a + i), e = _mm256_loadu_pd(E + i);
      GV = _mm256_add_pd(GV, _mm256_mul_pd(e, t));
      __m256d dl = _mm256_mul_pd(_mm256_sub_pd(one, _mm256_mul_pd(t, t)), _mm256_mul_pd(e, Vv));
      GB = _mm256_add_pd(GB, dl);
      GW = _mm256_add_pd(GW, _mm256_mul_pd(dl, _mm256_loadu_pd(x + i)));
    }
    alignas(32) double gv4[4], gb4[4], gw4[4];
    _mm256_store_pd(gv4, GV); _mm256_store_pd(gb4, GB); _mm256_store_pd(gw4, GW);
    double gv = (gv4[0] + gv4[1]) + (gv4[2] + gv4[3]), gb = (gb4[0] + gb4[1]) + (gb4[2] + gb4[3]), gw = (gw4[0] + gw4[1]) + (gw4[2] + gw4[3]);
    for (; i < n; i++) { double t = a[i], e = E[i]; gv += e * t; double dl = (1 - t * t) * (e * v); gb += dl; gw += dl * x[i]; }
    g[j] = gw; g[m + j] = gb; g[2 * m + j] = gv;
  }
  return 0.5 * s / n;
}

Napi::Value TinyTanhMse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 9) { Fail(env, "tinyTanhMse: 9 arguments expected"); return env.Undefined(); }
  double *x, *y, *th, *g, *A, *F, *E; size_t lx, ly, lt, lg, lA, lF, lE;
  if (!GetF64(env, info[0], &x, &lx) || !GetF64(env, info[1], &y, &ly) || !GetF64(env, info[4], &th, &lt) || !GetF64(env, info[5], &g, &lg) ||
      !GetF64(env, info[6], &A, &lA) || !GetF64(env, info[7], &F, &lF) || !GetF64(env, info[8], &E, &lE)) return env.Undefined();
  long n = info[2].As<Napi::Number>().Int64Value(), m = info[3].As<Napi::Number>().Int64Value();
  if (n < 1 || m < 1) { Fail(env, "tinyTanhMse: bad sizes"); return env.Undefined(); }
  size_t P = (size_t)(3 * m + 1);
  if (lx < (size_t)n || ly < (size_t)n || lt < P || lg < P || lA < (size_t)(n * m) || lF < (size_t)n || lE < (size_t)n) {
    Fail(env, "tinyTanhMse: array too short"); return env.Undefined();
  }
  return Napi::Number::New(env, TinyTanhMseAvx2(x, y, n, m, th, g, A, F, E));
}


// tinyAdamTanhMse(x, y, n, m, thetas, S, steps, lr, b1, b2, eps) -> -1 or the first seed whose loss
// went non-finite. Full-batch Adam for S independent 1-m-1 tanh MSE nets (θ_s = thetas[s·P ..),
// P = 3m + 1, updated in place) in torch.optim.Adam's order of operations:
//   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − (η/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε),
// every step's gradient from TinyTanhMseAvx2. One call for the whole Adam phase of a census: no
// per-step call overhead (≈1 µs, more than a 1-2-1 step on 20 points costs).
Napi::Value TinyAdamTanhMse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 11) { Fail(env, "tinyAdamTanhMse: 11 arguments expected"); return env.Undefined(); }
  double *x, *y, *th; size_t lx, ly, lt;
  if (!GetF64(env, info[0], &x, &lx) || !GetF64(env, info[1], &y, &ly) || !GetF64(env, info[4], &th, &lt)) return env.Undefined();
  long n = info[2].As<Napi::Number>().Int64Value(), m = info[3].As<Napi::Number>().Int64Value();
  long S = info[5].As<Napi::Number>().Int64Value(), steps = info[6].As<Napi::Number>().Int64Value();
  double lr = info[7].As<Napi::Number>().DoubleValue(), b1 = info[8].As<Napi::Number>().DoubleValue(),
         b2 = info[9].As<Napi::Number>().DoubleValue(), eps = info[10].As<Napi::Number>().DoubleValue();
  if (n < 1 || m < 1 || S < 0 || steps < 0) { Fail(env, "tinyAdamTanhMse: bad sizes"); return env.Undefined(); }
  const long P = 3 * m + 1;
  if (lx < (size_t)n || ly < (size_t)n || lt < (size_t)(S * P)) { Fail(env, "tinyAdamTanhMse: array too short"); return env.Undefined(); }
  std::vector<double> g(P), mm(P), vv(P), A(n * m), F(n), E(n);
  // the bias corrections depend on the step only: computed once for all seeds (the same std::pow values; two pows
  // per seed-step were ≈30 % of a 1-2-1 census's Adam phase)
  std::vector<double> step1(steps + 1), bc2sv(steps + 1);
  for (long k = 1; k <= steps; k++) { step1[k] = lr / (1 - std::pow(b1, (double)k)); bc2sv[k] = std::sqrt(1 - std::pow(b2, (double)k)); }
  for (long s = 0; s < S; s++) {
    double* t = th + s * P;
    std::fill(mm.begin(), mm.end(), 0.0);
    std::fill(vv.begin(), vv.end(), 0.0);
    for (long k = 1; k <= steps; k++) {
      double loss = TinyTanhMseAvx2(x, y, n, m, t, g.data(), A.data(), F.data(), E.data());
      if (!std::isfinite(loss)) return Napi::Number::New(env, (double)s);
      const double bc2s = bc2sv[k], ss = step1[k];
      for (long i = 0; i < P; i++) {
        const double gi = g[i];
        mm[i] = mm[i] * b1 + (1 - b1) * gi;
        vv[i] = vv[i] * b2 + (1 - b2) * gi * gi;
        t[i] += -ss * (mm[i] / (std::sqrt(vv[i]) / bc2s + eps));
      }
    }
  }
  return Napi::Number::New(env, -1);
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int t = info.Length() > 0 ? (int)info[0].As<Napi::Number>().Int32Value() : 1;
  openblas_set_num_threads(t < 1 ? 1 : t);
  return info.Env().Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("threads", Napi::Number::New(env, openblas_get_num_threads()));
  o.Set("config", Napi::String::New(env, openblas_get_config()));
  o.Set("corename", Napi::String::New(env, openblas_get_corename()));
  o.Set("parallel", Napi::Number::New(env, openblas_get_parallel()));
  o.Set("tanh", Napi::String::New(env, g_tanhImpl));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitTanh();
  exports.Set("tanh", Napi::Function::New(env, Tanh));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("biasAct", Napi::Function::New(env, BiasAct));
  if (__builtin_cpu_supports("avx2")) {
    exports.Set("tinyTanhMse", Napi::Function::New(env, TinyTanhMse));
    exports.Set("tinyAdamTanhMse", Napi::Function::New(env, TinyAdamTanhMse));
  }
  exports.Set("maskColSums", Napi::Function::New(env, MaskColSums));
  exports.Set("syev", Napi::Function::New(env, Syev));
  exports.Set("ldlInertia", Napi::Function::New(env, LdlInertia));
  exports.Set("syevSelect", Napi::Function::New(env, SyevSelect));
  exports.Set("ldlFactor", Napi::Function::New(env, LdlFactor));
  exports.Set("ldlSolve", Napi::Function::New(env, LdlSolve));
  exports.Set("ldlRestore", Napi::Function::New(env, LdlRestore));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace

NODE_API_MODULE(embedscape_native, Init)
