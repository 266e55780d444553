/**
 * The explorer's atlas worker: computes a small atlas (template 1-{m}-1, widths 1–3) in the page with the engine code of
 * `embedscape atlas run` — the same cells, canonical forms, set identification, census and embedding lineage
 * (src/atlas/run-core.ts, commit.ts) — kept in a `MemoryAtlasStore` instead of SQLite. Cells run one at a time with a
 * yield between them, so progress streams to the page and a cancel is seen after the cell in flight; a cancelled run
 * returns the partial atlas. Its export equals `atlas export` of `atlas run` for the same settings (any `--jobs`: cells commit in plan order).
 */
import presets from "embedscape:presets";
import { defaultSettings, runCell, type AtlasSettings, type CellTask } from "../atlas/cells.js";
import { exportAtlas } from "../atlas/export.js";
import { MemoryAtlasStore } from "../atlas/memory-store.js";
import { runAtlasOn, type AtlasProgress, type CellRunner } from "../atlas/run-core.js";
import { parseActivationName } from "../nn/activations.js";
import { presetData, usePresetTable } from "./engine.js";
import { ATLAS_DATA } from "./settings.js";

export interface AtlasRequest { id: number; type: "run"; preset: string; activation: string; seeds: number; widths: number[] }
export interface AtlasCancel { id: number; type: "cancel" }
export type AtlasReply =
  | { id: number; kind: "progress"; progress: AtlasProgress; runs: number; seconds: number }
  | { id: number; kind: "result"; exportJson: string; runKeys: string[]; settings: AtlasSettings; cancelled: boolean; runs: number; seconds: number }
  | { id: number; kind: "error"; message: string };

declare const self: { postMessage(m: AtlasReply): void; onmessage: ((e: { data: AtlasRequest | AtlasCancel }) => void) | null };

usePresetTable(presets);
let cancelRequested = false;
let running = false;

class Cancelled extends Error {}

/** The settings of `embedscape atlas run --data <spec> --widths … --seeds N --activation A` (every other flag at its default). */
export function atlasSettings(preset: string, activation: string, seeds: number, widths: number[]): AtlasSettings {
  const spec = ATLAS_DATA[preset];
  if (!spec) throw new Error(`the in-page atlas needs a 1-D preset (${Object.keys(ATLAS_DATA).join(", ")}), not "${preset.slice(0, 40)}"`);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 8) throw new Error(`seeds per width: 1 to 8 in the page (got ${seeds})`);
  if (!widths.length || widths.some((w) => !Number.isInteger(w) || w < 1 || w > 3)) throw new Error("widths 1 to 3 in the page");
  return defaultSettings({ data: spec, widths, seeds, activation: parseActivationName(activation) });
}

async function run(m: AtlasRequest): Promise<void> {
  const t0 = performance.now();
  const settings = atlasSettings(m.preset, m.activation, m.seeds, m.widths);
  const data = presetData(m.preset);
  const store = new MemoryAtlasStore(settings, data);
  let lastPost = 0;
  const runner: CellRunner = {
    async run(tasks: CellTask[], onResult) {
      for (const t of tasks) {
        // a yield before every cell: the cancel message is handled here
        await new Promise((r) => setTimeout(r, 0));
        if (cancelRequested) throw new Cancelled();
        onResult(t, runCell(t));
      }
    },
    async close() {},
  };
  let cancelled = false;
  try {
    await runAtlasOn(store, settings, data, runner, (p) => {
      const now = performance.now();
      if (now - lastPost < 50 && p.done < p.total) return;
      lastPost = now;
      self.postMessage({ id: m.id, kind: "progress", progress: p, runs: store.runs().length, seconds: (now - t0) / 1e3 });
    });
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
    cancelled = true;
  }
  self.postMessage({
    id: m.id, kind: "result", exportJson: JSON.stringify(exportAtlas(store)), runKeys: store.runs().map((r) => r.key), settings, cancelled,
    runs: store.runs().length, seconds: (performance.now() - t0) / 1e3,
  });
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === "cancel") { cancelRequested = true; return; }
  if (running) { self.postMessage({ id: m.id, kind: "error", message: "an atlas is already being computed" }); return; }
  running = true;
  cancelRequested = false;
  run(m).catch((err: unknown) => self.postMessage({ id: m.id, kind: "error", message: String((err as Error).message ?? err).slice(0, 300) })).finally(() => { running = false; });
};
