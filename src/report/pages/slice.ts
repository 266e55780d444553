import type { SliceResult } from "../../landscape/slice.js";
import { curvePlot, contourPlot } from "../plots.js";
import { esc, figure, fmt, page, table, type Section } from "../html.js";

/** How an axis reads in a caption. */
function axisName(d: SliceResult["directions"][number]): string {
  if (d.kind === "toward") return "toward the second net (t = 1 reaches it)";
  if (d.kind === "random") return `random, filter-normalised (seed ${d.seed})`;
  if (d.kind === "hessian") return `Hessian eigenvector ${(d.index ?? 0) + 1} (λ = ${fmt(d.eigenvalue ?? NaN)})`;
  return `critical affine family direction ${(d.index ?? 0) + 1} (flat by SPEC §2.8)`;
}

/** The `slice --report` page: the line or contour plot of R through θ0 and a table of the axes. */
export async function sliceReport(r: SliceResult, title: string): Promise<string> {
  const axes = table(["axis", "direction", "‖d‖₂"], r.directions.map((d, i) => [i === 0 ? "s (first)" : "t (second)", axisName(d), fmt(d.norm)]));
  const sections: Section[] = [];
  if (r.line) {
    const { t, loss } = r.line;
    const positive = loss.every((x) => x > 0);
    const svg = await curvePlot([{ name: "R", points: t.map((x, i) => ({ step: x, value: loss[i] })) }], {
      title: "loss along the line θ0 + t·d", xTitle: "t", yTitle: "loss R", logY: positive && Math.max(...loss) / Math.min(...loss) > 100,
    });
    const spread = Math.max(...loss) - Math.min(...loss);
    sections.push({ title: "1-D slice", html: figure(svg, `R(θ0 + t·d) at ${t.length} points, t ∈ [${fmt(t[0])}, ${fmt(t[t.length - 1])}]; max − min over the slice ${fmt(spread)}. d: ${esc(axisName(r.directions[0]))}.`) });
  }
  if (r.plane) {
    const { s, t, loss } = r.plane;
    const positive = loss.every((row) => row.every((x) => x > 0));
    const z = positive ? loss.map((row) => row.map((x) => Math.log10(x))) : loss;
    const svg = await contourPlot(s, t, z, { title: "loss on the plane θ0 + s·d1 + t·d2", xTitle: "s", yTitle: "t", zTitle: positive ? "log10 R" : "R", mark: { x: 0, y: 0 } });
    sections.push({ title: "2-D slice", html: figure(svg, `${positive ? "log10 R" : "R"} on a ${s.length} × ${t.length} grid; the cross marks θ0. d1: ${esc(axisName(r.directions[0]))}; d2: ${esc(axisName(r.directions[1]))}.`) });
  }
  sections.push({ title: "Axes", html: axes + `<p>R(θ0) = ${fmt(r.loss0)}</p>` });
  return page(title, "Loss-landscape slices through a net (Li et al. 2018 filter normalisation; Hessian and critical-family directions of SPEC §1.4, §2.8).", sections);
}
