import type { Dataset } from "../data/dataset.js";
import type { Inertia } from "../linalg/inertia.js";
import type { Net } from "../nn/arch.js";
import { trulyBadAnalysis, type Witness } from "../analysis/truly-bad.js";
import { grid1d } from "../data/synthetic.js";
import { initNet, makeArch } from "../nn/arch.js";
import { predict } from "../nn/functions.js";
import { refineCritical, type Certificate } from "../optim/refine.js";
import { train } from "../optim/train.js";
import { esc, figure, page, table, fmt } from "../report/html.js";

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
  let summary = `${r.critical.note ? `WARNING: ${r.critical.note} ` : ""}${net.arch.widths.join("-")} ${kind} ${t(r.inertia)}`;
  if (!w) summary += " → no witness: every applicable necessary condition N0–N3 holds (possibly truly bad)";
  else if (w.kind === "identity") summary += " is already a strict saddle";
  else {
    const how = w.kind === "split" ? `split neuron ${w.neuron} of layer ${w.layer} with α = ${w.alpha}` : `add a null neuron to layer ${w.layer}`;
    const wideW = w.embedding ? [w.embedding.narrow[0], ...w.embedding.pi.map((p) => p.length), w.embedding.narrow[w.embedding.narrow.length - 1]].join("-") : "";
    summary += ` → ${how} → ${wideW} ${w.measured.neg > 0 ? "strict saddle" : "no negative eigenvalue"} ${t(w.measured)} (predicted ${t(w.predicted)}; most negative eigenvalue ${w.eigenvalue.toExponential(3)})`;
  }
  return { narrowInertia: r.inertia, narrowGradNorm: r.gradNorm, wideInertia: w ? w.measured : null, witness: w, summary };
}

export interface DemoOptions {
  seed: number;
  /** Adam steps before refinement. */
  steps: number;
  /** Receives each line of the story as it happens. */
  log: (line: string) => void;
  /** Formats a certificate for the terminal (the CLI passes the one `critical` prints). */
  certificateText: (c: Certificate) => string;
}

/**
 * `embedscape demo`: the end-to-end story on fixture B's data (SPEC §8.2): train a 1-2-1 tanh net
 * with Adam, refine it to a critical point with Levenberg–Marquardt, certify it (‖∇R‖, inertia, gap),
 * embed it into a wider net where it is a strict saddle (SPEC §3.5–§3.6), and build the HTML report
 * with the fit, the loss curve, both Hessian spectra and the loss along the saddle direction.
 */
export async function runDemo(opts: DemoOptions): Promise<{ html: string }> {
  const { seed, steps, log } = opts;
  const data = grid1d("cos2x", 9, -2, 2);
  const arch = makeArch([1, 2, 1], "tanh", "mse");
  const { curvePlot, fitPlot, spectrumPlot } = await import("../report/plots.js"); // Vega loads only when drawing
  log(`embedscape demo — fixture B's data: y = cos(2x) at x = −2, −1.5, …, 2 (n = 9); net 1-2-1 tanh, mse`);
  const t0 = Date.now();
  const trained = train(initNet(arch, { seed }), data, { optimizer: "adam", lr: 0.01, steps });
  const last = trained.history[trained.history.length - 1];
  log(`1. trained ${steps} Adam steps (seed ${seed}): loss ${last.loss.toExponential(6)}, ‖∇R‖ ${last.gradNorm.toExponential(2)}`);
  const cert = refineCritical(trained.net, data, { tol: 1e-12 });
  log(`2. refined by Levenberg–Marquardt on ½‖∇R‖² in ${cert.iterations} iterations — certificate:`);
  log(opts.certificateText(cert).replace(/^/gm, "   "));
  const kind = cert.inertia.neg > 0 ? "a strict saddle" : cert.inertia.zero > 0 ? "a degenerate critical point (flat directions)" : "a strict local minimum";
  log(`   ⇒ ${kind}`);
  // 4. the Embedding Principle: the same function in a wider net, where this point is a strict saddle
  const { applyEmbedding } = await import("../embed/apply.js");
  const { embeddingFromJson } = await import("../embed/embedding.js");
  const { Evaluator } = await import("../nn/evaluator.js");
  const story = await embeddingStory(cert.net, data);
  log(`3. embedding (SPEC §2–§3): ${story.summary}`);
  const w = story.witness;
  let storyHtml = `<p>${esc(story.summary)}.</p>`;
  if (w && w.embedding && w.kind !== "identity") {
    const wide = applyEmbedding(cert.net, embeddingFromJson(w.embedding));
    const wideCert = refineCritical(wide, data, { maxIter: 0 });
    const ev = new Evaluator(wide.arch, data);
    const R0 = ev.loss(wide.theta);
    const tMax = 0.15;
    const ts = Array.from({ length: 81 }, (_, i) => -tMax + (2 * tMax * i) / 80);
    const along = ts.map((t) => ({ x: t, y: ev.loss(wide.theta.map((v, i) => v + t * w.direction[i])) - R0 }));
    const fixed = ts.map((t) => ({ x: t, y: 0.5 * w.eigenvalue * t * t }));
    log(`   the wide net has the same outputs (‖∇R‖ = ${wideCert.gradNorm.toExponential(2)}) and inertia (${w.measured.neg}, ${w.measured.zero}, ${w.measured.pos}); along the witness eigenvector R drops as ½λt² with λ = ${w.eigenvalue.toExponential(3)}`);
    storyHtml += table(["net", "widths", "‖∇R‖₂", "inertia (n₋, n₀, n₊)", "predicted by SPEC §2.9"], [
      ["narrow (refined)", cert.net.arch.widths.join("-"), cert.gradNorm.toExponential(2), `(${cert.inertia.neg}, ${cert.inertia.zero}, ${cert.inertia.pos})`, "—"],
      ["wide (witness embedding)", wide.arch.widths.join("-"), wideCert.gradNorm.toExponential(2), `(${w.measured.neg}, ${w.measured.zero}, ${w.measured.pos})`, `(${w.predicted.neg}, ${w.predicted.zero}, ${w.predicted.pos})`],
    ]) + `<div class="plots">${figure(await spectrumPlot(wideCert.eigenvalues, wideCert.inertia.tolerance, "wide-net Hessian spectrum"), "The embedded point's spectrum: one eigenvalue turned negative (blue), one became zero (the free split ratio).")}
${figure(await fitPlot([], [{ name: "R(θ + t·d) − R(θ)", points: along }, { name: "½λt²", points: fixed }], "loss along the witness direction d", { x: "t", y: "ΔR" }), "Moving along the negative-curvature eigenvector lowers the loss on both sides: the narrow minimum is a strict saddle of the wider net.")}</div>`;
  }
  const xs = Array.from({ length: 161 }, (_, i) => -2.2 + (4.4 * i) / 160);
  const fx = predict(arch, cert.net.theta, Float64Array.from(xs), xs.length);
  const points = Array.from({ length: data.n }, (_, i) => ({ x: data.x[i], y: data.y[i] }));
  const sections = [
    {
      title: "Certificate of the critical point",
      html: `<p>The refiner reached ‖∇R‖₂ = ${fmt(cert.gradNorm)} after ${cert.iterations} iterations: <b>${esc(kind)}</b>.</p>` +
        table(["quantity", "value"], [
          ["loss R", cert.loss.toPrecision(15)],
          ["‖∇R‖₂", cert.gradNorm.toExponential(3)],
          ["inertia (n₋, n₀, n₊)", `(${cert.inertia.neg}, ${cert.inertia.zero}, ${cert.inertia.pos})`],
          ["zero tolerance τ", cert.inertia.tolerance.toExponential(3)],
          ["largest |λ| counted zero", cert.inertia.gap.largestZero === null ? "none" : cert.inertia.gap.largestZero.toExponential(3)],
          ["smallest non-zero |λ|", cert.inertia.gap.smallestNonzero === null ? "none" : cert.inertia.gap.smallestNonzero.toExponential(3)],
          ["parameters θ", Array.from(cert.net.theta, (t) => t.toPrecision(8)).join(", ")],
        ]) +
        `<p class="muted">Fixture B's published minimum (SPEC §8.2): loss 0.00807449414994, inertia (0, 0, 7).</p>`,
    },
    {
      title: "Fit, training and spectrum",
      html: `<div class="plots">${figure(await fitPlot(points, [{ name: "f_θ (refined)", points: xs.map((x, i) => ({ x, y: fx[i] })) }], "data and fitted function"), "The nine training points and the refined network's output.")}
${figure(await curvePlot([{ name: "loss", points: trained.history.map((h) => ({ step: h.step, value: h.loss })) }, { name: "‖∇R‖", points: trained.history.map((h) => ({ step: h.step, value: h.gradNorm })) }], { title: "Adam training", logX: true, yTitle: "value" }), "Loss and gradient norm during training (log–log).")}
${figure(await spectrumPlot(cert.eigenvalues, cert.inertia.tolerance), "Hessian eigenvalues sorted by |λ| (blue negative, red positive); dashed line: the zero tolerance τ.")}</div>`,
    },
    { title: "Embedding: the narrow minimum is a strict saddle of a wider net", html: storyHtml },
  ];
  return { html: page("embedscape demo: a certified critical point", `1-2-1 tanh net on y = cos(2x), trained with Adam and refined to ‖∇R‖ ≤ 1e-12 (${((Date.now() - t0) / 1000).toFixed(1)} s).`, sections) };
}
