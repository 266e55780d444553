import type { Dataset } from "../data/dataset.js";
import type { Inertia } from "../linalg/inertia.js";
import type { Net } from "../nn/arch.js";
import { trulyBadAnalysis, type Witness } from "../analysis/truly-bad.js";

/** The demo's embedding story: a narrow critical point and the wide strict saddle its witness embedding makes. */
export interface EmbeddingStory {
  narrowInertia: Inertia;
  narrowGradNorm: number;
  wideInertia: Inertia | null;
  witness: Witness | null;
  /** One line for the terminal, e.g. "1-2-1 minimum (0,0,7) → split neuron 1 of layer 1 with α = 0.5 → 1-3-1 strict saddle (1,1,8)". */
  summary: string;
}

/**
 * SPEC §3.5–§3.6 in one call (for `embedscape demo`): analyse the critical point `net`, pick the witness embedding
 * and report the measured inertia before and after, with the wide Hessian's most negative eigenvector.
 */
export async function embeddingStory(net: Net, data: Dataset): Promise<EmbeddingStory> {
  const r = trulyBadAnalysis(net, data);
  const w = r.strictSaddleWitness;
  const t = (i: Inertia): string => `(${i.neg},${i.zero},${i.pos})`;
  const kind = r.inertia.neg === 0 ? (r.inertia.zero === 0 ? "strict local minimum" : "critical point with H ⪰ 0") : "strict saddle";
  let summary = `${net.arch.widths.join("-")} ${kind} ${t(r.inertia)}`;
  if (!w) summary += " → no witness: every applicable necessary condition N0–N3 holds (possibly truly bad)";
  else if (w.kind === "identity") summary += " is already a strict saddle";
  else {
    const how = w.kind === "split" ? `split neuron ${w.neuron} of layer ${w.layer} with α = ${w.alpha}` : `add a null neuron to layer ${w.layer}`;
    const wideW = w.embedding ? [w.embedding.narrow[0], ...w.embedding.pi.map((p) => p.length), w.embedding.narrow[w.embedding.narrow.length - 1]].join("-") : "";
    summary += ` → ${how} → ${wideW} ${w.measured.neg > 0 ? "strict saddle" : "no negative eigenvalue"} ${t(w.measured)} (predicted ${t(w.predicted)}; most negative eigenvalue ${w.eigenvalue.toExponential(3)})`;
  }
  return { narrowInertia: r.inertia, narrowGradNorm: r.gradNorm, wideInertia: w ? w.measured : null, witness: w, summary };
}
