/**
 * `embedscape/linalg` — dense linear algebra: the one backend interface (pure TS always; OpenBLAS where
 * installed), the symmetric eigensolver, inertia with its zero tolerance and gap (SPEC §1.4), and the small
 * dense helpers the other folders share. The backend implementations themselves are internal.
 */
export type { LinalgBackend, NativeInfo, Inertia, InertiaReport, InertiaOptions } from "./types.js";
export { getBackend, setBackend, useBackend, nativeBackend, setThreads, backendNotice, DEFAULT_THREADS, type BackendChoice } from "./backend.js";
export {
  EPSILON, defaultZeroTolerance, inertiaFromEigenvalues, inertia, inertiaLdl, inertiaAbs, addInertia, eigenvalues, eigenSystem, inertiaCounts, eigenpairsRange,
  type LdlInertiaReport,
} from "./inertia.js";
export { symmetrizeInPlace, norm2, dot, maxAbsDiff, maxAbs, axpy, matVec, transpose, matMul, pseudoInverse, choleskySolve, orthComplement } from "./dense.js";
