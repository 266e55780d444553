import { esc, figure, fmt, page, table } from "../report/html.js";
import { vegaLiteSvg, type TopLevelSpec } from "../report/svg.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** What `embedscape density` measured, as the report shows it. */
export interface DensityReportInput {
  /** Shown in the title (the net file and data spec; escaped here). */
  net: string;
  data: string;
  parameters: number;
  loss: number;
  gradNorm: number;
  probes: number;
  steps: number;
  seconds: number;
  nodes: Float64Array;
  weights: Float64Array;
  curve: { t: Float64Array; density: Float64Array; cumulative: Float64Array; sigma: number };
}

/**
 * The HTML page of a stochastic Lanczos quadrature run (Ubaru, Chen & Saad 2017): the
 * Gaussian-smoothed density φ_σ(t) = Σ_i w_i N(t; θ_i, σ²) on a log axis (Hessian spectra span
 * decades), the SLQ cumulative count P·Σ_{θ_i ≤ t} w_i, and the quadrature nodes with the
 * largest weights.
 */
export async function densityReport(r: DensityReportInput): Promise<string> {
  const { t, density, cumulative, sigma } = r.curve;
  const floor = 1e-8 * Math.max(...density);
  const dens = Array.from(t, (x, i) => ({ t: x, density: Math.max(density[i], floor) }));
  const cum = Array.from(t, (x, i) => ({ t: x, count: cumulative[i] }));
  const densitySpec: TopLevelSpec = {
    $schema: SCHEMA, title: "spectral density φ_σ(λ)", width: 460, height: 260,
    data: { values: dens },
    mark: { type: "line", strokeWidth: 1.4, color: "#1f2937" },
    encoding: {
      x: { field: "t", type: "quantitative", title: "λ", scale: { zero: false, nice: false } },
      y: { field: "density", type: "quantitative", scale: { type: "log" }, title: "density (log)" },
    },
  };
  const cumSpec: TopLevelSpec = {
    $schema: SCHEMA, title: "cumulative count #{λ ≤ t} (SLQ)", width: 460, height: 260,
    data: { values: cum },
    mark: { type: "line", strokeWidth: 1.4, color: "#2563eb", interpolate: "step-after" },
    encoding: {
      x: { field: "t", type: "quantitative", title: "t", scale: { zero: false, nice: false } },
      y: { field: "count", type: "quantitative", title: "eigenvalues ≤ t", scale: { domain: [0, r.parameters] } },
    },
  };
  const [dSvg, cSvg] = await Promise.all([vegaLiteSvg(densitySpec), vegaLiteSvg(cumSpec)]);
  let lo = Infinity, hi = -Infinity, negMass = 0;
  for (let i = 0; i < r.nodes.length; i++) {
    lo = Math.min(lo, r.nodes[i]); hi = Math.max(hi, r.nodes[i]);
    if (r.nodes[i] < -sigma) negMass += r.weights[i];
  }
  const order = Array.from(r.nodes.keys()).sort((a, b) => r.weights[b] - r.weights[a]).slice(0, 12);
  const summary = table(["quantity", "value"], [
    ["parameters P", r.parameters],
    ["loss R(θ)", r.loss],
    ["‖∇R‖₂", r.gradNorm],
    ["probes × Lanczos steps", `${r.probes} × ${r.steps} (${r.probes * r.steps} Hessian-vector products, ${fmt(r.seconds)} s)`],
    ["smallest / largest node", `${fmt(lo)} / ${fmt(hi)}`],
    ["smoothing σ", sigma],
    ["SLQ weight on λ < −σ (× P; nodes within σ of 0 cannot be told apart by sign)", `${fmt(negMass)} (${fmt(negMass * r.parameters)})`],
  ]);
  const nodes = table(["node θ", "weight w", "w × P"], order.map((i) => [r.nodes[i], r.weights[i], r.weights[i] * r.parameters]));
  return page(
    `Hessian spectral density — ${r.net.length > 120 ? r.net.slice(0, 120) + "…" : r.net}`,
    `Stochastic Lanczos quadrature on exact Hessian-vector products at the net <code>${esc(r.net.slice(0, 200))}</code> on data <code>${esc(r.data.slice(0, 200))}</code>: each Rademacher probe v gives a Gauss quadrature (nodes = Ritz values θ, weights = squared first components) of vᵀf(H)v/‖v‖², exact for polynomials of degree ≤ 2m − 1; the average over probes estimates (1/P)·Σ_j f(λ_j). No P×P matrix is formed.`,
    [
      { title: "Summary", html: summary },
      { title: "Density and cumulative count", html: `<div class="plots">${figure(dSvg, `Gaussian-smoothed density (σ = ${esc(fmt(sigma))}), log scale.`)}${figure(cSvg, "SLQ estimate of the number of eigenvalues ≤ t; a smooth estimate, not a count: for counts with confidence intervals use <code>embedscape hessian --estimate</code>.")}</div>` },
      { title: "Heaviest quadrature nodes", html: nodes },
    ],
  );
}
