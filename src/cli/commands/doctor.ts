import type { Command } from "commander";
import { getBackend, nativeBackend, useBackend, backendNotice } from "../../linalg/backend.js";
import { nativeLoadError } from "../../linalg/native.js";
import { num } from "../args.js";
import { printJson } from "../run.js";

/** `embedscape doctor`: which linear-algebra backend is active, its BLAS, threads and versions. */
export function register(program: Command): void {
  program
    .command("doctor")
    .description("show the active linear-algebra backend (pure TypeScript or native OpenBLAS), BLAS threads and versions")
    .option("--backend <name>", "pure | native | auto (default: EMBEDSCAPE_BACKEND or auto)")
    .option("--threads <n>", "BLAS threads (default: EMBEDSCAPE_THREADS or 1)")
    .option("--json", "print JSON")
    .action((opts: { backend?: string; threads?: string; json?: boolean }) => {
      if (opts.backend !== undefined || opts.threads !== undefined) {
        useBackend(opts.backend ?? process.env.EMBEDSCAPE_BACKEND ?? "auto",
          opts.threads === undefined ? undefined : num("--threads", opts.threads, { int: true, min: 1 }));
      }
      const be = getBackend();
      const nat = nativeBackend();
      const info = be.info?.();
      const report = {
        backend: be.name,
        requested: opts.backend ?? process.env.EMBEDSCAPE_BACKEND ?? "auto",
        blas: info?.blas ?? "none (pure TypeScript kernels)",
        threads: info?.threads ?? 1,
        openblasConfig: info?.config ?? null,
        openblasCore: info?.corename ?? null,
        tanhKernel: info?.tanh ?? "Math.tanh",
        nativeAvailable: nat !== null,
        nativeError: nat === null ? nativeLoadError() : null,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
      };
      if (opts.json) { printJson(report); return; }
      if (nat === null) process.stdout.write((backendNotice() || `embedscape: native backend unavailable (${nativeLoadError()}); using pure TypeScript`) + "\n");
      for (const [k, v] of Object.entries(report)) process.stdout.write(`${k.padEnd(16)} ${v}\n`);
    });
}
