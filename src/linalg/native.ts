import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Inertia, LdlFactor, LinalgBackend, NativeInfo } from "./types.js";
import { NumericalError } from "../util/errors.js";

/** The raw functions of the N-API addon in native/ (see native/addon.cc). */
interface Addon {
  gemm(...args: unknown[]): void;
  syev(n: number, a: Float64Array, w: Float64Array, v: Float64Array | null): number;
  ldlInertia(n: number, a: Float64Array, shift: number): [number, number, number];
  syevSelect?(n: number, a: Float64Array, il: number, iu: number, w: Float64Array, z: Float64Array): number;
  ldlFactor?(n: number, a: Float64Array, shift: number, diag: Float64Array, ipiv: Float64Array): [number, number, number];
  ldlSolve?(n: number, a: Float64Array, ipiv: Float64Array, b: Float64Array): number;
  ldlRestore?(n: number, a: Float64Array, diag: Float64Array): void;
  tanh?(h: Float64Array, a: Float64Array, g1: Float64Array, g2: Float64Array | null, n: number): void;
  biasAct?: LinalgBackend["biasAct"];
  maskColSums?: LinalgBackend["maskColSums"];
  tinyTanhMse?: LinalgBackend["tinyTanhMse"];
  tinyAdamTanhMse?: LinalgBackend["tinyAdamTanhMse"];
  setThreads(t: number): void;
  info(): { threads: number; config: string; corename: string; parallel: number; tanh?: string };
}

/** Path of the compiled addon (native/build/Release/embedscape_native.node next to dist/). */
export function nativeAddonPath(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  return join(root, "native", "build", "Release", "embedscape_native.node");
}

let cached: LinalgBackend | null | undefined;
let loadError = "";

/** Why the native backend could not be loaded ("" when it loaded or was never tried). */
export function nativeLoadError(): string {
  return loadError;
}

/**
 * The OpenBLAS/LAPACKE backend (cblas_dgemm row-major, LAPACKE_dsyevd, LAPACKE_dsytrf, LAPACKE_dsyevr), or null
 * when the optional addon is not built or does not load. Loaded once; never throws.
 */
export function loadNativeBackend(): LinalgBackend | null {
  if (cached !== undefined) return cached;
  const path = nativeAddonPath();
  try {
    if (!existsSync(path)) throw new Error(`addon not built (${path} missing; run \`node native/build.mjs\`)`);
    const addon = createRequire(import.meta.url)(path) as Addon;
    cached = makeNativeBackend(addon);
  } catch (e) {
    loadError = (e as Error).message.split("\n")[0];
    cached = null;
  }
  return cached;
}

/** Largest dimension LAPACK's 32-bit integers (lapack_int, blasint) can index. */
const LAPACK_MAX = 2 ** 31 - 1;

/** Check a square matrix argument before it reaches LAPACK: size, buffer extent and finiteness (one line each). */
function checkSquare(what: string, n: number, a: Float64Array): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new NumericalError(`${what}: matrix size ${n} is not a non-negative integer`);
  if (n * n > LAPACK_MAX || n > LAPACK_MAX) throw new NumericalError(`${what}: a ${n}×${n} matrix is larger than LAPACK's 32-bit indexing allows`);
  if (a.length < n * n) throw new NumericalError(`${what}: the ${n}×${n} matrix buffer holds only ${a.length} entries`);
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(a[i])) throw new NumericalError(`${what}: the ${n}×${n} matrix has a non-finite entry (${a[i]}) at row ${Math.floor(i / n) + 1}, column ${(i % n) + 1} (overflow in the Hessian?)`);
  }
}

/**
 * What a LAPACKE return code means, as a one-line NumericalError (never the bare info code): < 0 an argument
 * error (a bug), −1010/−1011 LAPACKE out of workspace memory, > 0 the algorithm's own failure.
 */
export function lapackFailure(routine: string, info: number, n: number): NumericalError {
  if (info === -1010 || info === -1011) return new NumericalError(`${routine} ran out of memory for its workspace on a ${n}×${n} matrix; lower the problem size`);
  if (info < 0) return new NumericalError(`${routine} rejected argument ${-info} for a ${n}×${n} matrix (an embedscape bug; please report)`);
  if (routine.startsWith("eigen")) return new NumericalError(`${routine}: the eigen-solver did not converge on the ${n}×${n} matrix (${info} off-diagonal elements did not reach zero); the matrix is too badly scaled`);
  return new NumericalError(`${routine} failed on the ${n}×${n} matrix (LAPACK status ${info})`);
}

function makeNativeBackend(addon: Addon): LinalgBackend {
  const gemmRaw = addon.gemm as LinalgBackend["gemm"];
  return {
    name: "openblas",
    gemm(ta, tb, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc): void {
      for (const [d, v] of [["m", m], ["n", n], ["k", k], ["lda", lda], ["ldb", ldb], ["ldc", ldc]] as const) {
        if (!Number.isSafeInteger(v) || v < 0 || v > LAPACK_MAX) throw new NumericalError(`matrix product: dimension ${d} = ${v} is outside BLAS's 32-bit range`);
      }
      try {
        gemmRaw(ta, tb, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
      } catch (e) {
        throw new NumericalError(`matrix product ${m}×${k}·${k}×${n}: ${(e as Error).message}`);
      }
    },
    tanh: addon.tanh,
    biasAct: addon.biasAct, // absent in an addon built before these kernels existed
    maskColSums: addon.maskColSums,
    tinyTanhMse: addon.tinyTanhMse,
    tinyAdamTanhMse: addon.tinyAdamTanhMse,
    syev(n: number, a: Float64Array, w: Float64Array, vectors: Float64Array | null): void {
      checkSquare("eigen-decomposition", n, a);
      if (w.length < n || (vectors && vectors.length < n * n)) throw new NumericalError(`eigen-decomposition: output buffers too short for n = ${n}`);
      let info: number;
      try {
        info = addon.syev(n, a, w, vectors);
      } catch (e) {
        throw new NumericalError(`eigen-decomposition of a ${n}×${n} matrix: ${(e as Error).message}`);
      }
      if (info !== 0) throw lapackFailure("eigen-decomposition (LAPACKE_dsyevd)", info, n);
    },
    syevSelect: addon.syevSelect ? (n: number, a: Float64Array, il: number, iu: number, w: Float64Array, z: Float64Array): void => {
      const info = addon.syevSelect!(n, a, il, iu, w, z);
      if (info !== 0) throw new Error(`LAPACKE_dsyevr failed (info = ${info})`);
    } : undefined,
    ldlInertia(n: number, a: Float64Array, shift: number): Inertia {
      checkSquare("LDLᵀ inertia", n, a);
      if (!Number.isFinite(shift)) throw new NumericalError(`LDLᵀ inertia: shift ${shift} is not finite`);
      let r: [number, number, number];
      try {
        r = addon.ldlInertia(n, a, shift);
      } catch (e) {
        throw new NumericalError(`LDLᵀ inertia of a ${n}×${n} matrix: ${(e as Error).message}`);
      }
      const [neg, zero, pos] = r;
      return { neg, zero, pos };
    },
    ldlFactor: addon.ldlFactor && addon.ldlSolve && addon.ldlRestore ? (n: number, a: Float64Array, shift: number): LdlFactor => {
      checkSquare("LDLᵀ factor", n, a);
      if (n === 0) throw new NumericalError("LDLᵀ factor: empty matrix");
      if (!Number.isFinite(shift)) throw new NumericalError(`LDLᵀ factor: shift ${shift} is not finite`);
      const diagonal = new Float64Array(n), ipiv = new Float64Array(n);
      let r: [number, number, number];
      try {
        r = addon.ldlFactor!(n, a, shift, diagonal, ipiv);
      } catch (e) {
        throw new NumericalError(`LDLᵀ factor of a ${n}×${n} matrix: ${(e as Error).message}`);
      }
      let held = true;
      return {
        inertia: { neg: r[0], zero: r[1], pos: r[2] },
        diagonal,
        solve(b: Float64Array): boolean {
          if (!held) throw new NumericalError("LDLᵀ solve after restore()");
          if (b.length < n) throw new NumericalError(`LDLᵀ solve: vector of ${b.length} entries, expected ${n}`);
          return addon.ldlSolve!(n, a, ipiv, b) === 0;
        },
        restore(): void {
          if (held) addon.ldlRestore!(n, a, diagonal);
          held = false;
        },
      };
    } : undefined,
    setThreads(t: number): void {
      addon.setThreads(t);
    },
    info(): NativeInfo {
      const i = addon.info();
      return { tanh: i.tanh ?? "Math.tanh (addon built without the tanh kernel)", blas: "OpenBLAS", threads: i.threads, config: i.config.trim(), corename: i.corename, parallel: i.parallel };
    },
  };
}
