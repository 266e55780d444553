/** Messages between the page (main thread) and its Web Worker (the engine). Every request has an id; the worker answers once, plus progress messages for `train`. */
import type { Settings } from "./settings.js";

export type Request =
  | { type: "configure"; settings: Settings }
  | { type: "csv"; text: string }
  | { type: "train"; steps: number }
  | { type: "stop" }
  | { type: "refine" }
  | { type: "certify" }
  | { type: "split"; layer: number; neuron: number; alpha: number }
  | { type: "null"; layer: number }
  | { type: "adopt" }
  | { type: "escape"; index: number; sign: 1 | -1 }
  | { type: "condense"; threshold: number }
  | { type: "merge"; threshold: number }
  | { type: "export"; format: "json" | "safetensors" }
  | { type: "import"; name: string; bytes: Uint8Array }
  | { type: "edit"; i: number; y: number }
  | { type: "view" };

export type Envelope = Request & { id: number };

export type Reply =
  | { id: number; kind: "result"; result: unknown }
  | { id: number; kind: "error"; message: string }
  | { id: number; kind: "progress"; step: number; loss: number; gradNorm: number; output: { x: number[]; y: number[] }; history: Array<{ step: number; loss: number; gradNorm: number }> };
