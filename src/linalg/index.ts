/** Dense linear algebra: one backend interface (pure TS always; native where installed), spectra and inertia. */
export { type LinalgBackend, getBackend, setBackend } from "./backend.js";
export { pureBackend } from "./pure.js";
export { gemmPure } from "./gemm-pure.js";
export { syevPure } from "./eigen-pure.js";
export {
  type Inertia, type InertiaReport, type InertiaOptions, EPSILON,
  defaultZeroTolerance, inertiaFromEigenvalues, inertia, eigenvalues, eigenSystem, inertiaCounts, eigenpairsRange,
} from "./inertia.js";
export { symmetrizeInPlace, norm2, dot, maxAbsDiff, axpy, matVec, transpose } from "./dense.js";
export { type NativeInfo, type BackendChoice, nativeBackend, useBackend, setThreads, backendNotice, DEFAULT_THREADS } from "./backend.js";
export { ldlInertiaPure } from "./ldl-pure.js";
export { nativeAddonPath, nativeLoadError } from "./native.js";
export { inertiaLdl, type LdlInertiaReport } from "./inertia.js";
