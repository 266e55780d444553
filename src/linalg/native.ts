import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Inertia, LinalgBackend, NativeInfo } from "./types.js";

/** The raw functions of the N-API addon in native/ (see native/addon.cc). */
interface Addon {
  gemm(...args: unknown[]): void;
  syev(n: number, a: Float64Array, w: Float64Array, v: Float64Array | null): number;
  ldlInertia(n: number, a: Float64Array, shift: number): [number, number, number];
  syevSelect?(n: number, a: Float64Array, il: number, iu: number, w: Float64Array, z: Float64Array): number;
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

function makeNativeBackend(addon: Addon): LinalgBackend {
  const gemm = addon.gemm as LinalgBackend["gemm"];
  return {
    name: "openblas",
    gemm,
    tanh: addon.tanh,
    biasAct: addon.biasAct, // absent in an addon built before these kernels existed
    maskColSums: addon.maskColSums,
    tinyTanhMse: addon.tinyTanhMse,
    tinyAdamTanhMse: addon.tinyAdamTanhMse,
    syev(n: number, a: Float64Array, w: Float64Array, vectors: Float64Array | null): void {
      const info = addon.syev(n, a, w, vectors);
      if (info !== 0) throw new Error(`LAPACKE_dsyevd failed (info = ${info})`);
    },
    syevSelect: addon.syevSelect ? (n: number, a: Float64Array, il: number, iu: number, w: Float64Array, z: Float64Array): void => {
      const info = addon.syevSelect!(n, a, il, iu, w, z);
      if (info !== 0) throw new Error(`LAPACKE_dsyevr failed (info = ${info})`);
    } : undefined,
    ldlInertia(n: number, a: Float64Array, shift: number): Inertia {
      const [neg, zero, pos] = addon.ldlInertia(n, a, shift);
      return { neg, zero, pos };
    },
    setThreads(t: number): void {
      addon.setThreads(t);
    },
    info(): NativeInfo {
      const i = addon.info();
      return { tanh: i.tanh ?? "Math.tanh (addon built without the tanh kernel)", blas: "OpenBLAS", threads: i.threads, config: i.config.trim(), corename: i.corename, parallel: i.parallel };
    },
  };
}
