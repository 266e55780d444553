/** `embedscape/report` — self-contained HTML reports with Vega-Lite plots rendered to inline SVG, and a headless-Chromium check. */
export { vegaLiteSvg, type TopLevelSpec } from "./svg.js";
export { spectrumPlot, curvePlot, fitPlot } from "./plots.js";
export { page, table, figure, esc, fmt, type Section } from "./html.js";
export { findChromium, renderInChromium } from "./browser.js";
