import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * Render a Vega-Lite spec to a standalone SVG string, headless (no browser, no canvas): plots in
 * reports are declarative Vega-Lite specs, so what a person sees is drawn by a maintained library.
 */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const vgSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export type { TopLevelSpec };

/** Render a raw Vega spec (for what Vega-Lite cannot say, e.g. isocontours) to a standalone SVG string. */
export async function vegaSvg(spec: vega.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
