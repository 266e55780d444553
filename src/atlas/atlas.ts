import type { Dataset } from "../data/dataset.js";
import { templateWidths, type AtlasSettings } from "./cells.js";
import { createRunner, type CellRunner } from "./pool.js";
import { runAtlasOn, type AtlasProgress, type AtlasSummary } from "./run-core.js";
import { AtlasStore } from "./store.js";

export interface RunAtlasOptions {
  resume?: boolean;
  jobs?: number;
  runner?: CellRunner;
  onProgress?: (p: AtlasProgress) => void;
}

export { trulyBadVerdict, runAtlasOn, type AtlasProgress, type AtlasSummary } from "./run-core.js";

/**
 * Build (or continue, `resume`) an atlas in the SQLite file `path`: the phases of `runAtlasOn` (run-core.ts), with the
 * cells on `jobs` worker threads (or `runner`). Every finished cell is committed at once.
 */
export async function runAtlas(settings: AtlasSettings, data: Dataset, path: string, opts: RunAtlasOptions = {}): Promise<AtlasSummary> {
  for (const m of settings.widths) templateWidths(settings.template, m);
  const store = AtlasStore.create(path, settings, data, opts.resume === true);
  const runner = opts.runner ?? createRunner(opts.jobs);
  try {
    return await runAtlasOn(store, settings, data, runner, opts.onProgress);
  } finally {
    if (!opts.runner) await runner.close();
    store.close();
  }
}
