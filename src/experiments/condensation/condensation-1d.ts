import { predict } from "../../nn/functions.js";
import { curvePlot, fitPlot } from "../../report/plots.js";
import { vegaLiteSvg } from "../../report/svg.js";
import { esc, figure, fmt, page, table } from "../../report/html.js";
import { condensation } from "../../prune/condensation.js";
import { orientationAmplitudePlot } from "./plots.js";
import { spectrumPeaks, type CondensationExperimentResult } from "./condensation-runs.js";

export * from "./condensation-runs.js";

/** HTML report of the E2/E3 experiment. */
export async function condensationExperimentReport(r: CondensationExperimentResult): Promise<string> {
  const o = r.options;
  const run0 = r.runs.filter((x) => x.run === 0);
  const curves = await curvePlot(run0.map((x) => ({ name: `m = ${x.width}`, points: x.curve.map((p) => ({ step: p.step, value: p.loss })) })), { title: "training loss (run 0 of each width)", logX: true, logY: true, width: 520, height: 300 });
  const xs = Array.from({ length: 201 }, (_, i) => -1 + i / 100);
  const fits = await fitPlot(r.data.x.map((x, i) => ({ x, y: r.data.y[i] })), run0.filter((x) => x.snapshot).map((x) => {
    const f = predict(x.snapshot!.net.arch, x.snapshot!.net.theta, Float64Array.from(xs), xs.length);
    return { name: `m = ${x.width}`, points: xs.map((v, i) => ({ x: v, y: f[i] })) };
  }), "outputs at the snapshot (loss closest to the width-2 minimum)");
  const effValues = run0.flatMap((x) => x.effective.map((e) => ({ width: `m = ${x.width}`, angle: e.angle, amplitude: e.amplitude })));
  const effPlot = await vegaLiteSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: "merged effective neurons at the snapshot", width: 420, height: 260,
    data: { values: effValues }, mark: { type: "point", filled: true, size: 70, opacity: 0.7 },
    encoding: {
      x: { field: "angle", type: "quantitative", title: "direction angle of (w, b) [rad]", scale: { domain: [-Math.PI, Math.PI] } },
      y: { field: "amplitude", type: "quantitative", title: "merged amplitude Σ a_k‖(w_k, b_k)‖" },
      color: { field: "width", type: "nominal", title: null, sort: run0.map((x) => `m = ${x.width}`) },
      shape: { field: "width", type: "nominal", title: null, sort: run0.map((x) => `m = ${x.width}`) },
    },
  });
  const sp = r.lossSpectrum;
  const spValues = sp.widths.flatMap((w, wi) => {
    const total = sp.counts[wi].reduce((a, b) => a + b, 0) + sp.outside[wi];
    return sp.counts[wi].flatMap((c, b) => (c > 0 ? [{ width: `m = ${w}`, lo: sp.lo + (b * (sp.hi - sp.lo)) / sp.bins, hi: sp.lo + ((b + 1) * (sp.hi - sp.lo)) / sp.bins, logp: Math.log10(c / total) }] : []));
  });
  const spectrumPlot = await vegaLiteSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: `loss spectrum: log10(loss) over all ${o.steps} steps of ${o.runs} run(s) per width`, width: 520, height: 24 * sp.widths.length,
    data: { values: spValues }, mark: { type: "rect" },
    encoding: {
      x: { field: "lo", type: "quantitative", title: "log10(loss)", scale: { domain: [sp.lo, sp.hi] } }, x2: { field: "hi" },
      y: { field: "width", type: "ordinal", title: null, sort: sp.widths.map((w) => `m = ${w}`) },
      color: { field: "logp", type: "quantitative", title: "log10 p", scale: { scheme: "viridis" } },
    },
  });
  const peaks = spectrumPeaks(r);
  const widest = run0[run0.length - 1];
  const scatter = widest.snapshot ? await orientationAmplitudePlot(condensation(widest.snapshot.net, { threshold: o.threshold, lowAmplitude: o.lowAmplitude })[0], `width ${widest.width} at the snapshot: every neuron`) : "";
  const rows = o.widths.map((m) => {
    const rs = r.runs.filter((x) => x.width === m);
    const finals = rs.map((x) => x.finalLoss).sort((a, b) => a - b);
    const x0 = rs[0];
    return [m, rs.length, fmt(finals[Math.floor(finals.length / 2)]), x0.plateaus.map(fmt).join(", ") || "–", x0.snapshot ? `${x0.snapshot.step} (${fmt(x0.snapshot.loss)})` : "–",
      x0.effective.length, x0.effective.map((e) => `(${e.angle.toFixed(2)}, ${e.amplitude.toFixed(3)})`).join(" ")];
  });
  const lead = `SPEC §7 E2/E3. Two-layer ReLU nets 1-m-1 fit ${o.points} grid points on [−1, 1] of ReLU(2x+0.6) − ReLU(x) + ReLU(0.5x−0.4) − ReLU(1.5x−0.6) by full-batch GD (lr ${o.lr}, ${o.steps} steps; the SPEC's lr 0.001 needs ≈50× more steps), every parameter initialised N(0, ${o.scale}²) for all widths, ${o.runs} run(s) per width. Snapshot: the logged step whose loss is closest to the lowest final loss reached by any run of width ≤ 2 (${fmt(r.referenceLoss)}, an estimate of the width-2 minimum). Effective neurons: neurons with amplitude ≤ ${o.lowAmplitude}·max dropped, directions with cosine ≥ ${o.threshold} merged by the E6 rule; each shown as (angle of (w, b), Σ a_k‖(w_k, b_k)‖). Every run recomputes (no cache).`;
  return page("Condensation across widths (E2/E3)", lead, [
    { title: "Loss curves and plateaus", html: `${figure(curves, "Loss against GD step, log–log. Plateaus at common values across widths are the embedded critical points of narrower nets.")}${table(["width", "runs", "final loss (median)", "plateau levels (run 0)", "snapshot step (loss)", "effective neurons", "effective (angle, amplitude)"], rows)}` },
    { title: "Loss spectrum (E2b)", html: `${figure(spectrumPlot, `Per width, the share p of all GD steps (every run) whose log10(loss) falls in each of ${sp.bins} bins on [${sp.lo}, ${sp.hi}]; bright columns shared across widths are the plateaus GD lingers on.`)}${table(["width", "spectrum peaks (loss)", "steps outside the range"], peaks.map((p, i) => [p.width, p.losses.map(fmt).join(", ") || "–", sp.outside[i]]))}` },
    { title: "Effective neurons across widths", html: `<div class="plots">${figure(effPlot, "Merged effective neurons of every width at its snapshot: coinciding points = the same narrow network.")}${figure(fits, "Output functions at the snapshot.")}${scatter ? figure(scatter, "Orientation–amplitude scatter of the widest net before merging.") : ""}</div>` },
    { title: "Setup", html: `<p class="muted">Widths ${esc(o.widths.join(", "))}; seed ${o.seed}.</p>` },
  ]);
}
