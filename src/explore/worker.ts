/**
 * The explorer's Web Worker: owns the ExploreSession (pure-TS backend, float64) so the page never computes on its
 * main thread. Training runs in chunks of ≈20 ms with a yield between them, so progress streams to the page and a
 * `stop` request is seen within one chunk.
 */
import presets from "embedscape:presets";
import { ExploreSession, DEFAULT_SETTINGS, usePresetTable } from "./engine.js";
import type { Envelope, Reply } from "./protocol.js";

declare const self: { postMessage(m: Reply, transfer?: Transferable[]): void; onmessage: ((e: { data: Envelope }) => void) | null };

usePresetTable(presets);
const session = new ExploreSession(DEFAULT_SETTINGS);
let stopRequested = false;
const queue: Envelope[] = [];
let busy = false;

const post = (m: Reply): void => self.postMessage(m);
const yieldToEvents = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** At most 400 points of the training history (evenly thinned, last kept): what the curve needs, cheap to send. */
function history(): typeof session.history {
  const h = session.history, max = 400;
  if (h.length <= max) return h;
  const step = h.length / max;
  return [...Array.from({ length: max - 1 }, (_, i) => h[Math.floor(i * step)]), h[h.length - 1]];
}

function snapshot(): unknown {
  return { settings: session.settings, data: session.dataView(), output: session.output(), history: history(), step: session.step, widths: session.net.arch.widths, theta: Array.from(session.net.theta) };
}

async function train(id: number, steps: number): Promise<unknown> {
  stopRequested = false;
  let done = 0, chunk = 25;
  let lastPost = 0;
  while (done < steps && !stopRequested) {
    const n = Math.min(chunk, steps - done);
    const t0 = performance.now();
    const r = session.trainSteps(n);
    const dt = performance.now() - t0;
    done += n;
    // aim for ≈20 ms of work per chunk
    chunk = Math.max(1, Math.min(100000, Math.round(n * (20 / Math.max(dt, 0.05)))));
    if (performance.now() - lastPost > 60 || done === steps) {
      post({ id, kind: "progress", step: r.step, loss: r.loss, gradNorm: r.gradNorm, output: session.output(), history: history() });
      lastPost = performance.now();
    }
    await yieldToEvents();
  }
  return { ...(snapshot() as object), stopped: stopRequested };
}

async function handle(m: Envelope): Promise<unknown> {
  switch (m.type) {
    case "configure": session.configure(m.settings); return snapshot();
    case "csv": session.useCsv(m.text); return snapshot();
    case "train": return train(m.id, m.steps);
    case "refine": return { cert: session.refine(), ...(snapshot() as object) };
    case "certify": return { cert: session.certify() };
    case "split": return session.split(m.layer, m.neuron, m.alpha);
    case "null": return session.nullNeuron(m.layer);
    case "adopt": session.adoptWide(); return snapshot();
    case "escape": return { ...session.escape(m.index, m.sign), ...(snapshot() as object) };
    case "condense": return session.condense(m.threshold);
    case "merge": return { ...session.merge(m.threshold), ...(snapshot() as object) };
    case "export": return session.exportNet(m.format);
    case "import": session.importNet(m.name, m.bytes); return snapshot();
    case "edit": session.editPoint(m.i, m.y); return snapshot();
    case "view": return snapshot();
    case "stop": return null;
  }
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const m = queue.shift()!;
    try { post({ id: m.id, kind: "result", result: await handle(m) }); }
    catch (e) { post({ id: m.id, kind: "error", message: String((e as Error).message ?? e).slice(0, 300) }); }
  }
  busy = false;
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === "stop") { stopRequested = true; post({ id: m.id, kind: "result", result: null }); return; }
  queue.push(m);
  void pump();
};
