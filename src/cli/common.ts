import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Dataset } from "../data/dataset.js";
import { loadDataset } from "../data/load.js";
import { loadNet, type LoadNetOptions } from "../io/files.js";
import { parseNetSpec } from "../io/net-spec.js";
import { stateDictSource } from "../io/state-dict.js";
import type { Net } from "../nn/arch.js";
import { checkCompatible } from "../nn/evaluator.js";
import type { Certificate } from "../optim/refine.js";
import { InputError } from "../util/errors.js";
import { denseHessianBytes, evaluatorBytes, requireMemory } from "../util/memory.js";

/**
 * Load the net named by a required flag (`opts` gives the architecture for a bare-θ .npy or a foreign safetensors
 * file). On the command line, what the file lacks is appended with '@' (see parseNetSpec):
 * `--net theta.npy@1-50-1@tanh@mse`, `--net torch.safetensors@relu@cross-entropy`.
 */
export function netFlag(flag: string, path: string | undefined, opts?: LoadNetOptions): Net {
  if (!path) throw new InputError(`${flag} is required (a .json, .safetensors or .npy net file; .npy as FILE@1-50-1@tanh@mse)`);
  let net: Net;
  if (existsSync(path)) net = loadNet(path, opts);
  else {
    const spec = parseNetSpec(path);
    if (spec.path === path || !existsSync(spec.path)) throw new InputError(`${flag}: file "${spec.path}" does not exist`);
    net = loadNet(spec.path, { ...spec.opts, ...opts });
  }
  // a PyTorch state dict: say once what was changed on reading (dtype upcasts, zero biases added for bias=False)
  for (const note of stateDictSource(net.arch)?.notes ?? []) process.stderr.write(`embedscape: note: ${note}\n`);
  return net;
}

/** The `--data` help text: every form `dataFlag` reads (docs/io.md has the details). */
export const DATA_HELP = "data: .csv/.tsv (numpy savetxt too), .npz (x, y), .json, - (standard input) or a spec such as grid:cos2x:9, iris, mnist:1000; @label, @classes=K, @targets=K";

/**
 * Load the data named by a required flag and check it against the net's input/output sizes. With a net, the
 * memory of evaluating it on the data (util/memory.ts evaluatorBytes) is checked as soon as the row count is
 * known — before a grid is generated or a file's values are converted.
 */
export function dataFlag(flag: string, spec: string | undefined, net?: Net): Dataset {
  if (!spec) throw new InputError(`${flag} is required (a .csv/.tsv/.npz/.json file, - for standard input, or a data spec such as grid:cos2x:9)`);
  const widths = net?.arch.widths;
  const data = loadDataset(spec, widths ? { rowBytes: 8 * 12 * widths.reduce((a, b) => a + b, 0), what: `evaluating ${widths.join("-")} on` } : {});
  if (net) {
    requireMemory(evaluatorBytes(net.arch.widths, data.n), `evaluating ${net.arch.widths.join("-")} on ${data.n} samples`);
    const k = net.arch.widths[net.arch.widths.length - 1];
    if (data.k === 1 && k > 1 && data.d === net.arch.widths[0] && net.arch.loss === "cross-entropy") {
      throw new InputError(`data has 1 target column(s) but the net ${net.arch.widths.join("-")} outputs ${k}; if the column holds class numbers, add @label@classes=${k} to the data spec (one-hot targets)`);
    }
    checkCompatible(net.arch, data);
  }
  return data;
}

/** Refuse a dense Hessian (P×P and its eigen-decomposition) that does not fit the memory limit, before building it. */
export function requireHessianMemory(net: Net, what: string, eigenvectors = true): void {
  const P = net.theta.length;
  requireMemory(denseHessianBytes(P, eigenvectors), `${what}: the dense Hessian of P = ${P} parameters`);
}

/** The certificate as the stable JSON contract of `critical` (fields may be added, never renamed). */
export function certificateJson(c: Certificate, withEigenvalues = false): Record<string, unknown> {
  return {
    loss: c.loss,
    gradNorm: c.gradNorm,
    inertia: { neg: c.inertia.neg, zero: c.inertia.zero, pos: c.inertia.pos },
    tolerance: c.inertia.tolerance,
    gap: c.inertia.gap,
    clear: c.inertia.clear,
    iterations: c.iterations,
    converged: c.converged,
    reason: c.reason,
    parameters: c.net.theta.length,
    inertiaMethod: c.inertia.method ?? "eigenvalues",
    hessianNorm: c.inertia.norm,
    strategy: c.strategy,
    distance: c.distance,
    relativeGradient: c.relativeGradient,
    evidence: c.evidence,
    reduction: c.reduction,
    descentSteps: c.descentSteps,
    ...(withEigenvalues ? { eigenvalues: Array.from(c.eigenvalues) } : {}),
  };
}

/** One line explaining a failed certification, with the evidence. */
function verdictText(c: Certificate): string {
  const e = c.evidence!;
  const soft = e.softEigenvalues.length ? `soft eigenvalues ${e.softEigenvalues.slice(0, 6).map((l) => l.toExponential(2)).join(" ")}` : "no soft eigenvalues";
  if (c.reason === "no-finite-critical-point") return `verdict     NOT a critical point: loss ${e.lossStart.toExponential(2)} → ${e.lossEnd.toExponential(2)} while ‖θ‖ ${e.thetaNormStart.toFixed(2)} → ${e.thetaNormEnd.toFixed(2)} and ‖H‖₂ = ${e.hessianNorm.toExponential(2)}: the infimum is approached at infinity, there is no finite critical point to certify`;
  if (c.reason === "degenerate-sublinear") return `verdict     NOT certified (degenerate-sublinear): ‖∇R‖ contracts by ${e.linearRate.toFixed(4)} per iteration (≈ k^−${e.sublinearExponent.toFixed(2)}); ${soft}`;
  return `verdict     NOT certified (${c.reason}): relative gradient ${c.relativeGradient?.toExponential(2)}; ${soft}`;
}

/** Human-readable certificate lines. */
export function certificateText(c: Certificate): string {
  const g = c.inertia.gap;
  return [
    `loss        ${c.loss.toPrecision(15)}`,
    `‖∇R‖₂       ${c.gradNorm.toExponential(3)}${c.converged ? "  (converged)" : c.iterations ? `  (not converged: ${c.reason})` : ""}`,
    `inertia     (n₋, n₀, n₊) = (${c.inertia.neg}, ${c.inertia.zero}, ${c.inertia.pos})  over P = ${c.net.theta.length} parameters`,
    `zero tol τ  ${c.inertia.tolerance.toExponential(3)}`,
    g.kind === "bounds"
      ? `gap         (LDLᵀ counts) largest |λ| counted zero ≤ ${g.largestZero === null ? "none" : g.largestZero.toExponential(3)}; smallest non-zero ≥ ${g.smallestNonzero === null ? "none" : g.smallestNonzero.toExponential(3)}${c.inertia.clear ? " (clear-cut)" : " (NOT proved clear-cut: some |λ| lies in (τ, 1000τ]; --eigenvalues gives the exact gap)"}`
      : `gap         largest |λ| counted zero: ${g.largestZero === null ? "none" : g.largestZero.toExponential(3)}; smallest non-zero: ${g.smallestNonzero === null ? "none" : g.smallestNonzero.toExponential(3)}${c.strategy !== undefined && !c.converged ? " (no certified critical point: this inertia describes a non-critical θ)" : c.inertia.clear ? " (clear-cut)" : " (NOT clear-cut: the count depends on τ)"}`,
    `iterations  ${c.iterations}${c.strategy && c.strategy !== "none" ? `  (via ${c.strategy}${c.reduction ? ` through the narrow ${c.reduction.narrow.join("-")} net` : ""}${c.descentSteps ? `, ${c.descentSteps} descent steps` : ""})` : ""}`,
    ...(c.converged || !c.evidence ? [] : [verdictText(c)]),
  ].join("\n");
}

/**
 * Check an output path before any work is done: it must end in `ext`, must not be a directory,
 * and its nearest existing parent folder must be writable (writeAtomic creates missing folders).
 */
export function outputPathFlag(flag: string, path: string | undefined, ext: string): string {
  if (!path) throw new InputError(`${flag} needs a file name ending in ${ext}`);
  const shown = JSON.stringify(path.length > 200 ? path.slice(0, 200) + "…" : path);
  if (!path.toLowerCase().endsWith(ext)) throw new InputError(`${flag} ${shown} must end in ${ext}`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`${flag} ${shown} is a directory`);
  let dir = dirname(resolve(path));
  while (!existsSync(dir)) dir = dirname(dir);
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    accessSync(dir, constants.W_OK);
  } catch {
    throw new InputError(`${flag} ${shown}: folder ${JSON.stringify(dir)} is not writable`);
  }
  return path;
}
