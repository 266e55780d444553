import type { Dataset } from "../data/dataset.js";
import { writeAtomic } from "../io/files.js";
import type { Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { norm2 } from "../linalg/dense.js";
import { certificate } from "../optim/refine.js";
import { pointReport, type PointSummary } from "../report/pages/net.js";
import { outputPathFlag } from "./common.js";

/** Largest parameter count for which a `--report` computes the dense Hessian spectrum of a point it shows. */
export const REPORT_SPECTRUM_MAX_PARAMS = 1000;

/** Validate `--report FILE.html` before any work: an .html name whose nearest existing folder is writable. */
export function reportFlag(path: string | undefined): string | undefined {
  return path === undefined ? undefined : outputPathFlag("--report", path, ".html");
}

/**
 * One point of a report: loss and ‖∇R‖₂ always; the Hessian inertia and spectrum (SPEC §1.4, default τ) when the
 * net has at most `maxParams` parameters (dense P×P eigendecomposition), else none.
 */
export function reportPoint(label: string, net: Net, data: Dataset, maxParams = REPORT_SPECTRUM_MAX_PARAMS): PointSummary {
  if (net.theta.length <= maxParams) {
    const c = certificate(net, data);
    return { label, net, loss: c.loss, gradNorm: c.gradNorm, inertia: c.inertia, eigenvalues: c.eigenvalues };
  }
  const g = new Float64Array(net.theta.length);
  const loss = new Evaluator(net.arch, data).lossAndGradient(net.theta, g);
  return { label, net, loss, gradNorm: norm2(g) };
}

/** Write a point report (see `pointReport`) to a validated path. */
export async function writePointReport(path: string, opts: Parameters<typeof pointReport>[0]): Promise<void> {
  const notes = [...(opts.notes ?? [])];
  if (opts.points.some((p) => !p.eigenvalues)) notes.push(`The Hessian spectrum is drawn for nets of at most ${REPORT_SPECTRUM_MAX_PARAMS} parameters (dense eigendecomposition).`);
  writeAtomic(path, await pointReport({ ...opts, notes }));
}
