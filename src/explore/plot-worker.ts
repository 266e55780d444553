/**
 * The explorer's plotting worker: Vega-Lite specs — built by the same functions the HTML reports use
 * (report/plots.ts) — are compiled, laid out, and rasterised here, on an OffscreenCanvas (Vega's canvas renderer;
 * `vega-canvas` is replaced by vega-canvas-worker.ts in this bundle). The page receives a finished ImageBitmap
 * and only hands it to a `bitmaprenderer` canvas: no SVG parsing, style, layout or text shaping on the main
 * thread, which is what made inline SVG insertion a long task (tools/explorer-timing.mjs).
 */
import * as vega from "vega";
import { compile } from "vega-lite";
import { curveSpec, fitSpec, spectrumSpec } from "../report/plots.js";
import type { TopLevelSpec } from "../report/svg.js";

export type PlotRequest =
  | { id: number; scale: number; kind: "fit"; args: Parameters<typeof fitSpec> }
  | { id: number; scale: number; kind: "curve"; args: Parameters<typeof curveSpec> }
  | { id: number; scale: number; kind: "spectrum"; args: Parameters<typeof spectrumSpec> }
  | { id: number; scale: number; kind: "spec"; args: [TopLevelSpec] };

export type PlotReply = { id: number; bitmap: ImageBitmap; width: number; height: number; title: string } | { id: number; error: string };

declare const self: { postMessage(m: PlotReply, transfer?: Transferable[]): void; onmessage: ((e: { data: PlotRequest }) => void) | null };

function specOf(r: PlotRequest): TopLevelSpec {
  return r.kind === "fit" ? fitSpec(...r.args) : r.kind === "curve" ? curveSpec(...r.args) : r.kind === "spectrum" ? spectrumSpec(...r.args) : r.args[0];
}

self.onmessage = async (e) => {
  const r = e.data;
  let view: vega.View | undefined;
  try {
    const spec = specOf(r);
    view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
    const scale = Math.min(3, Math.max(1, r.scale || 1));
    const c = (await view.toCanvas(scale)) as unknown as OffscreenCanvas;
    const bitmap = c.transferToImageBitmap();
    const title = typeof spec.title === "string" ? spec.title : "";
    self.postMessage({ id: r.id, bitmap, width: c.width / scale, height: c.height / scale, title }, [bitmap]);
  } catch (err) {
    self.postMessage({ id: r.id, error: String((err as Error).message ?? err).slice(0, 300) });
  } finally {
    view?.finalize();
  }
};
