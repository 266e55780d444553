import type { LinalgBackend } from "./types.js";
import { gemmPure } from "./gemm-pure.js";
import { syevPure } from "./eigen-pure.js";
import { ldlInertiaPure } from "./ldl-pure.js";

/** The pure-TypeScript reference backend: always available, the truth in tests. */
export const pureBackend: LinalgBackend = {
  name: "pure-ts",
  gemm: gemmPure,
  syev: syevPure,
  ldlInertia: ldlInertiaPure,
};
