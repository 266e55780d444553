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
  exports.Set("syev", Napi::Function::New(env, Syev));
  exports.Set("ldlInertia", Napi::Function::New(env, LdlInertia));
  exports.Set("syevSelect", Napi::Function::New(env, SyevSelect));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace

NODE_API_MODULE(embedscape_native, Init)
