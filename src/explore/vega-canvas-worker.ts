/**
 * The plot worker's stand-in for the `vega-canvas` package, whose browser build only knows `document.createElement`:
 * in a Web Worker, Vega's canvas renderer and its text measurement draw on an `OffscreenCanvas` instead.
 */
export function canvas(w: number, h: number): OffscreenCanvas | null {
  return typeof OffscreenCanvas === "function" ? new OffscreenCanvas(Math.max(1, w), Math.max(1, h)) : null;
}
export const domCanvas = canvas;
export function image(): null {
  return null;
}
