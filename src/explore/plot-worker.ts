/**
 * The explorer's plotting worker: Vega-Lite specs are compiled and rendered to SVG strings here (Vega's headless
 * renderer needs no DOM), by the same functions the HTML reports use, so the page's main thread only inserts the
 * finished SVG and stays responsive while plots are drawn.
 */
import { curvePlot, fitPlot, spectrumPlot } from "../report/plots.js";
import { vegaLiteSvg, type TopLevelSpec } from "../report/svg.js";

export type PlotRequest =
  | { id: number; kind: "fit"; args: Parameters<typeof fitPlot> }
  | { id: number; kind: "curve"; args: Parameters<typeof curvePlot> }
  | { id: number; kind: "spectrum"; args: Parameters<typeof spectrumPlot> }
  | { id: number; kind: "spec"; args: [TopLevelSpec] };

declare const self: { postMessage(m: { id: number; svg?: string; error?: string }): void; onmessage: ((e: { data: PlotRequest }) => void) | null };

self.onmessage = async (e) => {
  const r = e.data;
  try {
    const svg = r.kind === "fit" ? await fitPlot(...r.args) : r.kind === "curve" ? await curvePlot(...r.args) : r.kind === "spectrum" ? await spectrumPlot(...r.args) : await vegaLiteSvg(r.args[0]);
    self.postMessage({ id: r.id, svg });
  } catch (err) {
    self.postMessage({ id: r.id, error: String((err as Error).message ?? err) });
  }
};
