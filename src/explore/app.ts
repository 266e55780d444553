/**
 * The explorer page (main thread): controls, plots and readouts. Every computation is sent to the Web Worker
 * (worker.ts) and awaited, so the page stays responsive; plots are Vega-Lite specs rendered to SVG by the same
 * functions the HTML reports use. Key values carry stable `data-testid`s for tests and users' scripts.
 */
import type { TopLevelSpec } from "../report/svg.js";
import type { PlotReply, PlotRequest } from "./plot-worker.js";
import type { CertificateView, SplitView } from "./engine.js";
import { ATLAS_DATA, ATLAS_DEFAULTS, DEFAULT_SETTINGS, PRESETS, type Settings } from "./settings.js";
import type { AtlasReply, AtlasRequest } from "./atlas-worker.js";
import { formatHash, parseHash, type Action } from "./hash.js";
import type { Envelope, Reply, Request } from "./protocol.js";

interface Snapshot {
  settings: Settings;
  data: { x: number[]; y: number[]; d: number; k: number; n: number };
  output: { x: number[]; y: number[] };
  history: Array<{ step: number; loss: number; gradNorm: number }>;
  step: number;
  widths: number[];
}

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: (r: Extract<Reply, { kind: "progress" }>) => void }>();
worker.onmessage = (e: MessageEvent<Reply>) => {
  const m = e.data, p = pending.get(m.id);
  if (!p) return;
  if (m.kind === "progress") { p.progress?.(m); return; }
  pending.delete(m.id);
  if (m.kind === "result") p.resolve(m.result);
  else p.reject(new Error(m.message));
};
function call<T>(req: Request, progress?: (r: Extract<Reply, { kind: "progress" }>) => void): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
    const env = { ...req, id } as Envelope;
    worker.postMessage(env);
  });
}

// plots are laid out and rasterised in their own worker; the main thread only shows the finished bitmap
const plotter = new Worker(new URL("./plot-worker.js", import.meta.url), { type: "module" });
const plotWaiting = new Map<number, (r: PlotReply) => void>();
plotter.onmessage = (e: MessageEvent<PlotReply>) => {
  const f = plotWaiting.get(e.data.id);
  plotWaiting.delete(e.data.id);
  f?.(e.data);
};
/** The newest request per element wins: an older plot arriving late is dropped. */
const plotLatest = new Map<string, number>();
type PlotArgs = Omit<PlotRequest, "id" | "scale"> extends infer R ? R : never;
function plotInto(elId: string, req: PlotArgs): Promise<void> {
  const id = nextId++;
  plotLatest.set(elId, id);
  return new Promise((resolve) => {
    plotWaiting.set(id, (r) => {
      if (plotLatest.get(elId) === id) showPlot($(elId), r);
      resolve();
    });
    // drawn at ≥ 2× so a plot scaled down to a narrow panel stays sharp (the rasterising is the worker's time)
    plotter.postMessage({ ...req, id, scale: Math.max(2, window.devicePixelRatio || 1) } as PlotRequest);
  });
}
function showPlot(el: HTMLElement, r: PlotReply): void {
  if ("error" in r) { el.textContent = `plot failed: ${r.error}`; return; }
  let c = el.firstElementChild as HTMLCanvasElement | null;
  if (!(c instanceof HTMLCanvasElement)) {
    c = document.createElement("canvas");
    c.className = "plot";
    c.setAttribute("role", "img");
    el.replaceChildren(c);
  }
  if (c.style.width !== `${r.width}px`) c.style.width = `${r.width}px`;
  c.setAttribute("aria-label", r.title || "plot");
  (c.getContext("bitmaprenderer") as ImageBitmapRenderingContext).transferFromImageBitmap(r.bitmap);
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const fmt = (x: number | null | undefined, digits = 4): string => (x === null || x === undefined ? "—" : !Number.isFinite(x) ? String(x) : x === 0 ? "0" : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5 ? x.toExponential(digits - 1) : x.toPrecision(digits));
const setText = (id: string, s: string): void => { $(id).textContent = s; };

let snap: Snapshot | null = null;
let cert: CertificateView | null = null;
let actions: Action[] = [];
let settings: Settings = { ...DEFAULT_SETTINGS };
let replaying = false;

function status(s: string, busy = false): void {
  const el = $("status");
  el.textContent = s;
  el.dataset.busy = busy ? "1" : "0";
}

function readSettings(): Settings {
  const arch = ($<HTMLInputElement>("arch").value.trim()).split("-").map(Number);
  return {
    data: $<HTMLSelectElement>("preset").value === "csv" ? settings.data : $<HTMLSelectElement>("preset").value,
    arch, act: $<HTMLSelectElement>("act").value, loss: $<HTMLSelectElement>("loss-fn").value as Settings["loss"],
    seed: Number($<HTMLInputElement>("seed").value), optimizer: $<HTMLSelectElement>("opt").value as Settings["optimizer"],
    lr: Number($<HTMLInputElement>("lr").value), steps: Number($<HTMLInputElement>("steps").value),
  };
}

function writeSettings(s: Settings): void {
  settings = { ...s };
  if (s.data in PRESETS) $<HTMLSelectElement>("preset").value = s.data;
  $<HTMLInputElement>("arch").value = s.arch.join("-");
  $<HTMLSelectElement>("act").value = s.act;
  $<HTMLSelectElement>("loss-fn").value = s.loss;
  $<HTMLInputElement>("seed").value = String(s.seed);
  $<HTMLSelectElement>("opt").value = s.optimizer;
  $<HTMLInputElement>("lr").value = String(s.lr);
  $<HTMLInputElement>("steps").value = String(s.steps);
}

function updateHash(): void {
  const h = formatHash(settings, actions);
  history.replaceState(null, "", h);
  $<HTMLInputElement>("link").value = location.href;
}

// one draw in flight at a time; a request during it schedules exactly one more (the latest state wins)
let drawing = false, drawAgain = false;
function drawSoon(): void {
  if (drawing) { drawAgain = true; return; }
  drawing = true;
  void draw().finally(() => { drawing = false; if (drawAgain) { drawAgain = false; drawSoon(); } });
}

async function draw(): Promise<void> {
  if (!snap) return;
  const { data, output } = snap;
  const h = snap.history;
  const fit = data.d === 1
    ? plotInto("fit", { kind: "fit", args: [data.x.map((x, i) => ({ x, y: data.y[i] })), [{ name: `net ${snap.widths.join("-")}`, points: output.x.map((x, i) => ({ x, y: output.y[i] })) }], "data and output function", { x: "x", y: "f(x)" }] })
    : plotInto("fit", { kind: "spec", args: [{ $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: "output against target", width: 320, height: 220, data: { values: output.x.map((t, i) => ({ target: t, output: output.y[i] })) }, mark: { type: "point", filled: true }, encoding: { x: { field: "target", type: "quantitative" }, y: { field: "output", type: "quantitative" } } } as TopLevelSpec] });
  const curve = h.length > 1
    ? plotInto("curve", { kind: "curve", args: [[{ name: "loss", points: h.map((p) => ({ step: p.step, value: p.loss })) }, { name: "‖∇R‖", points: h.map((p) => ({ step: p.step, value: p.gradNorm })) }], { title: "training", logX: true, yTitle: "value", width: 320, height: 200 }] })
    : Promise.resolve(void ($("curve").textContent = "Train to see the loss curve."));
  await Promise.all([fit, curve]);
  setText("step", String(snap.step));
  setText("widths", snap.widths.join("-"));
  // the choices and the point editor are rebuilt only when what they show changed (not on every training tick)
  const wkey = snap.widths.join("-");
  if (wkey !== shownWidths) { shownWidths = wkey; fillNeuronChoices(); }
  const dkey = `${data.n}:${data.d}:${data.y.join(",")}`;
  if (dkey !== shownData) { shownData = dkey; renderPoints(); }
}
let shownWidths = "", shownData = "";

function fillNeuronChoices(): void {
  if (!snap) return;
  const L = snap.widths.length - 1;
  const layer = $<HTMLSelectElement>("layer"), neuron = $<HTMLSelectElement>("neuron");
  const lv = Math.min(Math.max(1, Number(layer.value) || 1), L - 1);
  layer.innerHTML = Array.from({ length: L - 1 }, (_, i) => `<option value="${i + 1}">${i + 1}</option>`).join("");
  layer.value = String(lv);
  const nv = Number(neuron.value) || 1;
  neuron.innerHTML = Array.from({ length: snap.widths[lv] }, (_, i) => `<option value="${i + 1}">${i + 1}</option>`).join("");
  neuron.value = String(Math.min(nv, snap.widths[lv]));
}

async function showCert(c: CertificateView): Promise<void> {
  cert = c;
  setText("loss", String(c.loss));
  setText("grad-norm", String(c.gradNorm));
  setText("inertia", `(${c.inertia.neg}, ${c.inertia.zero}, ${c.inertia.pos})`);
  setText("tau", fmt(c.tolerance));
  setText("gap", `${fmt(c.gap.largestZero)} / ${fmt(c.gap.smallestNonzero)}${c.clear ? " (clear-cut)" : " (not clear-cut)"}`);
  setText("converged", c.converged ? "critical point (‖∇R‖ ≤ 1e-12)" : `not converged (${c.reason})`);
  const P = c.inertia.neg + c.inertia.zero + c.inertia.pos;
  const bar = $("inertia-bar");
  bar.innerHTML = (["neg", "zero", "pos"] as const).map((k) => `<span class="${k}" style="flex:${c.inertia[k]}" title="${k} ${c.inertia[k]}">${c.inertia[k] || ""}</span>`).join("");
  bar.setAttribute("aria-label", `inertia: ${c.inertia.neg} negative, ${c.inertia.zero} zero, ${c.inertia.pos} positive of ${P}`);
  await plotInto("spectrum", { kind: "spectrum", args: [c.eigenvalues, c.tolerance, "Hessian spectrum"] });
}

function apply(r: unknown): void {
  const s = r as Partial<Snapshot>;
  if (s && s.data && s.output) { snap = s as Snapshot; document.body.dataset.theta = JSON.stringify((s as { theta?: number[] }).theta ?? []); writeSettings(snap.settings); drawSoon(); }
}

async function run<T>(label: string, f: () => Promise<T>): Promise<T | undefined> {
  status(`${label}…`, true);
  try {
    const r = await f();
    status(replaying ? `${label}… done; replaying the link` : "done", replaying);
    return r;
  } catch (e) {
    status(`error: ${(e as Error).message}`);
    return undefined;
  }
}

async function doTrain(): Promise<void> {
  await run("training", async () => {
    const r = await call<Snapshot & { stopped: boolean }>({ type: "train", steps: settings.steps }, (p) => {
      snap = snap ? { ...snap, output: p.output, history: p.history, step: p.step } : snap;
      setText("live-loss", fmt(p.loss, 6));
      drawSoon();
    });
    apply(r);
    actions.push({ kind: "train" });
    updateHash();
  });
}

async function doRefine(): Promise<void> {
  await run("refining", async () => {
    const r = await call<{ cert: CertificateView } & Snapshot>({ type: "refine" });
    apply(r);
    await showCert(r.cert);
    actions.push({ kind: "refine" });
    updateHash();
  });
}

let splitSeq = 0;
async function doSplit(record = false): Promise<void> {
  const layer = Number($<HTMLSelectElement>("layer").value), neuron = Number($<HTMLSelectElement>("neuron").value);
  const alpha = Number($<HTMLInputElement>("alpha").value);
  setText("alpha-value", alpha.toFixed(2));
  const mine = ++splitSeq;
  await run("splitting", async () => {
    const r = await call<SplitView>({ type: "split", layer, neuron, alpha });
    if (mine !== splitSeq) return; // a newer slider position is on its way
    showSplit(r);
    if (record) { actions.push({ kind: "split", layer, neuron, alpha }); updateHash(); }
  });
}

function showSplit(r: SplitView): void {
  setText("max-output-change", r.maxOutputChange.toExponential(3));
  setText("wide-widths", r.widths.join("-"));
  setText("wide-inertia", `(${r.cert.inertia.neg}, ${r.cert.inertia.zero}, ${r.cert.inertia.pos})`);
  setText("predicted-inertia", r.predicted ? `(${r.predicted.neg}, ${r.predicted.zero}, ${r.predicted.pos})` : `n/a (${r.predictionNote ?? "no prediction"})`);
  setText("prediction-match", r.matches === null ? "—" : r.matches ? "matches §2.9" : "MISMATCH");
  setText("wide-grad-norm", r.cert.gradNorm.toExponential(3));
  const crit = cert && cert.gradNorm <= 1e-10;
  $("split-note").textContent = crit ? "" : "The narrow net is not (yet) a certified critical point: refine it first for the §2.9 prediction to apply.";
}

async function doCondense(): Promise<void> {
  const threshold = Number($<HTMLInputElement>("threshold").value);
  await run("condensing", async () => {
    const r = await call<{ angle: number[]; amplitude: number[]; group: number[]; groups: number }>({ type: "condense", threshold });
    setText("groups", String(r.groups));
    await plotInto("scatter", { kind: "spec", args: [{
      $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: "neurons: orientation and amplitude", width: 320, height: 200,
      data: { values: r.angle.map((a, j) => ({ angle: a, amplitude: r.amplitude[j], group: `group ${r.group[j] + 1}` })) },
      mark: { type: "point", filled: true, size: 70 },
      encoding: { x: { field: "angle", type: "quantitative", title: "angle of (w, b)", scale: { domain: [-Math.PI, Math.PI] } }, y: { field: "amplitude", type: "quantitative", title: "amplitude |a|·‖(w,b)‖" }, color: { field: "group", type: "nominal", title: null } },
    } as TopLevelSpec] });
  });
}

async function doMerge(): Promise<void> {
  const threshold = Number($<HTMLInputElement>("threshold").value);
  await run("merging", async () => {
    const r = await call<{ widthBefore: number; widthAfter: number; outputMaxDiff: number } & Snapshot>({ type: "merge", threshold });
    setText("merge-result", `width ${r.widthBefore} → ${r.widthAfter}, max |Δf| on the data ${r.outputMaxDiff.toExponential(3)}`);
    apply(r);
    actions.push({ kind: "merge", threshold });
    updateHash();
  });
}

async function doEscape(): Promise<void> {
  await run("escaping", async () => {
    const r = await call<{ before: CertificateView; after: CertificateView; eigenvalue: number } & Snapshot>({ type: "escape", index: Number($<HTMLInputElement>("eig-index").value) - 1, sign: $<HTMLSelectElement>("eig-sign").value === "-1" ? -1 : 1 });
    apply(r);
    setText("escape-result", `left along λ = ${r.eigenvalue.toExponential(3)}: loss ${fmt(r.before.loss, 6)} → ${fmt(r.after.loss, 6)}, inertia (${r.after.inertia.neg}, ${r.after.inertia.zero}, ${r.after.inertia.pos})`);
    await showCert(r.after);
    actions.push({ kind: "escape", index: Number($<HTMLInputElement>("eig-index").value) - 1, sign: $<HTMLSelectElement>("eig-sign").value === "-1" ? -1 : 1 });
    updateHash();
  });
}

function download(name: string, data: string | Uint8Array, type: string): void {
  const blob = new Blob([data as BlobPart], { type });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

interface AtlasSetLite { id: number; width: number; loss: number; inertia: { neg: number; zero: number; pos: number }; count?: number; status?: string; rootWidth?: number; chain?: number[] }
interface AtlasFile { sets?: AtlasSetLite[]; edges?: Array<{ kind: string; from: number; to: number }> }

/** Show an atlas (an `atlas export` file or one computed in the page): the empirical diagram, the census per width, the sets with their lineage. */
async function showAtlas(text: string, note = ""): Promise<void> {
  const j = JSON.parse(text) as AtlasFile;
  if (!Array.isArray(j.sets)) throw new Error("not an `atlas export` file (no sets)");
  const sets = j.sets, edgeList = j.edges ?? [];
  const byId = new Map(sets.map((s) => [s.id, s]));
  const edges = edgeList.flatMap((e, i) => {
    const a = byId.get(e.from), b = byId.get(e.to);
    return a && b ? [{ edge: i, kind: e.kind, width: a.width, loss: a.loss }, { edge: i, kind: e.kind, width: b.width, loss: b.loss }] : [];
  });
  setText("atlas-count", `${sets.length} critical sets, ${edgeList.length} edges${note ? ` ${note}` : ""}`);
  // census per width: sets, minima, saddles by index, degenerate sets, embedding edges in, descent edges out
  const widths = [...new Set(sets.map((s) => s.width))].sort((a, b) => a - b);
  const rows = widths.map((w) => {
    const here = sets.filter((s) => s.width === w);
    const byIndex = new Map<number, number>();
    for (const s of here) if (s.inertia.neg > 0) byIndex.set(s.inertia.neg, (byIndex.get(s.inertia.neg) ?? 0) + 1);
    const idx = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([k, c]) => `${c}×${k}`).join(", ") || "—";
    const embIn = edgeList.filter((e) => e.kind === "embedding" && byId.get(e.to)?.width === w).length;
    const descOut = edgeList.filter((e) => e.kind === "descent" && byId.get(e.from)?.width === w).length;
    const minima = here.filter((s) => s.inertia.neg === 0).length, degenerate = here.filter((s) => s.status === "degenerate").length;
    return `<tr data-width="${w}"><td>${w}</td><td data-col="sets">${here.length}</td><td data-col="minima">${minima}</td><td data-col="saddles">${here.length - minima}</td><td>${idx}</td><td data-col="degenerate">${degenerate}</td><td data-col="embedding-in">${embIn}</td><td data-col="descent-out">${descOut}</td></tr>`;
  });
  $("atlas-census").innerHTML = `<caption>census per width</caption><thead><tr><th scope="col">width</th><th scope="col">sets</th><th scope="col">minima</th><th scope="col">saddles</th><th scope="col" title="number of saddles × their index n₋">× n₋</th><th scope="col" title="degenerate sets (‖∇R‖ ≤ 1e-6 with a singular Hessian)">degen.</th><th scope="col" title="embedding edges into this width">emb. in</th><th scope="col" title="descent edges out of this width">desc. out</th></tr></thead><tbody>${rows.join("")}</tbody>`;
  const shown = sets.slice(0, 200);
  $("atlas-sets").innerHTML = `<summary>${sets.length} sets with their embedding lineage${sets.length > shown.length ? ` (first ${shown.length})` : ""}</summary><table><thead><tr><th scope="col">id</th><th scope="col">width</th><th scope="col">loss</th><th scope="col">(n₋, n₀, n₊)</th><th scope="col">basin count</th><th scope="col">root width</th><th scope="col">lineage (root → set)</th></tr></thead><tbody>` +
    shown.map((s) => `<tr><td>${s.id}</td><td>${s.width}</td><td>${fmt(s.loss, 6)}</td><td>(${s.inertia.neg}, ${s.inertia.zero}, ${s.inertia.pos})</td><td>${s.count ?? ""}</td><td>${s.rootWidth ?? ""}</td><td>${(s.chain ?? [s.id]).join(" → ")}</td></tr>`).join("") + "</tbody></table>";
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: "empirical diagram of the loss landscape", width: 520, height: 300,
    layer: [
      { data: { values: edges }, mark: { type: "line", opacity: 0.35 }, encoding: { x: { field: "width", type: "quantitative" }, y: { field: "loss", type: "quantitative", scale: { type: "log" } }, detail: { field: "edge" }, strokeDash: { field: "kind", type: "nominal" } } },
      { data: { values: sets.map((s) => ({ width: s.width, loss: s.loss, index: s.inertia.neg, count: s.count ?? 1, id: s.id })) }, mark: { type: "point", filled: true }, encoding: { x: { field: "width", type: "quantitative", title: "width", axis: { tickMinStep: 1 } }, y: { field: "loss", type: "quantitative", scale: { type: "log" }, title: "loss" }, color: { field: "index", type: "ordinal", title: "index n₋", scale: { scheme: "category10" } }, size: { field: "count", type: "quantitative", title: "basin count" } } },
    ],
  } as TopLevelSpec;
  await plotInto("atlas", { kind: "spec", args: [spec] });
}

// the in-page atlas runs in its own worker (started on first use), so the engine worker stays free for the other panels
let atlasWorker: Worker | null = null;
let lastAtlas: string | null = null;
function atlasRun(req: Omit<AtlasRequest, "id" | "type">, progress: (m: Extract<AtlasReply, { kind: "progress" }>) => void): Promise<Extract<AtlasReply, { kind: "result" }>> {
  atlasWorker ??= new Worker(new URL("./atlas-worker.js", import.meta.url), { type: "module" });
  const w = atlasWorker, id = nextId++;
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<AtlasReply>) => {
      const m = e.data;
      if (m.id !== id) return;
      if (m.kind === "progress") progress(m);
      else if (m.kind === "result") resolve(m);
      else reject(new Error(m.message));
    };
    w.postMessage({ ...req, id, type: "run" } satisfies AtlasRequest);
  });
}

async function doAtlas(seeds: number): Promise<void> {
  const bar = $<HTMLProgressElement>("atlas-bar");
  await run("computing the atlas", async () => {
    if (!(settings.data in ATLAS_DATA)) throw new Error(`the in-page atlas needs a 1-D preset (${Object.keys(ATLAS_DATA).join(", ")}); the data are "${settings.data}"`);
    setText("atlas-command", `embedscape atlas run --data ${ATLAS_DATA[settings.data]} --widths 1..3 --seeds ${seeds} --activation ${settings.act} --out atlas.sqlite`);
    $("atlas-cancel").removeAttribute("disabled");
    try {
      const r = await atlasRun({ preset: settings.data, activation: settings.act, seeds, widths: ATLAS_DEFAULTS.widths }, (m) => {
        const p = m.progress;
        bar.max = Math.max(1, p.total);
        bar.value = p.done;
        setText("atlas-progress", `width ${p.width}, ${p.phase}: ${p.done}/${p.total} runs · sets so far ${p.perWidth.map((w) => `w${w.width}: ${w.sets}`).join(", ")} · ${m.seconds.toFixed(1)} s`);
      });
      lastAtlas = r.exportJson;
      document.body.dataset.atlasRunKeys = r.runKeys.join(" ");
      setText("atlas-progress", `${r.cancelled ? "cancelled" : "finished"}: ${r.runs} runs in ${r.seconds.toFixed(1)} s`);
      await showAtlas(r.exportJson, r.cancelled ? `(cancelled after ${r.runs} runs: a partial atlas)` : `(computed in the page: ${r.runs} runs, ${r.seconds.toFixed(1)} s)`);
      $("atlas-download").removeAttribute("disabled");
      if (!r.cancelled) { actions.push({ kind: "atlas", seeds }); updateHash(); }
    } finally {
      $("atlas-cancel").setAttribute("disabled", "");
    }
  });
}

function bind(): void {
  $("preset").innerHTML = Object.entries(PRESETS).map(([k, v]) => `<option value="${k}" title="${v.replace(/"/g, "&quot;")}">${k}</option>`).join("") + '<option value="csv" disabled>uploaded CSV</option>';
  writeSettings(settings);
  $("reset").addEventListener("click", () => void run("configuring", async () => { settings = readSettings(); actions = []; apply(await call({ type: "configure", settings })); cert = null; updateHash(); }));
  $("preset").addEventListener("change", () => $("reset").click());
  $("train").addEventListener("click", () => void doTrain());
  $("stop").addEventListener("click", () => void call({ type: "stop" }));
  $("refine").addEventListener("click", () => void doRefine());
  $("alpha").addEventListener("input", () => void doSplit(false));
  $("split").addEventListener("click", () => void doSplit(true));
  $("null").addEventListener("click", () => void run("adding a null neuron", async () => { showSplit(await call<SplitView>({ type: "null", layer: Number($<HTMLSelectElement>("layer").value) })); actions.push({ kind: "null", layer: Number($<HTMLSelectElement>("layer").value) }); updateHash(); }));
  $("adopt").addEventListener("click", () => void run("keeping the wide net", async () => { apply(await call({ type: "adopt" })); actions.push({ kind: "adopt" }); cert = null; updateHash(); }));
  $("layer").addEventListener("change", fillNeuronChoices);
  $("escape").addEventListener("click", () => void doEscape());
  $("condense").addEventListener("click", () => void doCondense());
  $("merge").addEventListener("click", () => void doMerge());
  $("export-json").addEventListener("click", () => void run("exporting", async () => download("net.json", await call<string>({ type: "export", format: "json" }), "application/json")));
  $("export-st").addEventListener("click", () => void run("exporting", async () => download("net.safetensors", await call<Uint8Array>({ type: "export", format: "safetensors" }), "application/octet-stream")));
  $<HTMLInputElement>("csv").addEventListener("change", (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void run("reading CSV", async () => { apply(await call({ type: "csv", text: await f.text() })); settings = { ...settings, data: "csv" }; actions = []; cert = null; });
  });
  $<HTMLInputElement>("import").addEventListener("change", (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void run("importing", async () => { apply(await call({ type: "import", name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })); actions = []; cert = null; });
  });
  $<HTMLInputElement>("atlas-file").addEventListener("change", (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void run("reading atlas", async () => showAtlas(await f.text()));
  });
  $("atlas-run").addEventListener("click", () => void doAtlas(Number($<HTMLInputElement>("atlas-seeds").value)));
  $("atlas-cancel").addEventListener("click", () => atlasWorker?.postMessage({ id: 0, type: "cancel" }));
  $("atlas-download").addEventListener("click", () => { if (lastAtlas) download("atlas.json", lastAtlas, "application/json"); });
  $("points").addEventListener("change", (e) => {
    const t = e.target as HTMLInputElement;
    if (t.dataset.i) void run("editing a point", async () => { apply(await call({ type: "edit", i: Number(t.dataset.i), y: Number(t.value) })); settings = { ...settings, data: "edited" }; });
  });
}

function renderPoints(): void {
  if (!snap || snap.data.d !== 1 || snap.data.n > 40) { $("points").innerHTML = ""; return; }
  $("points").innerHTML = `<summary>Edit the ${snap.data.n} data points</summary>` + snap.data.x.map((x, i) => `<label>x = ${fmt(x, 3)} <input type="number" step="any" data-i="${i}" value="${snap!.data.y[i]}" aria-label="target at x = ${fmt(x, 3)}"></label>`).join("");
}

async function start(): Promise<void> {
  bind();
  let parsed: ReturnType<typeof parseHash>;
  let linkError = "";
  try { parsed = parseHash(location.hash); } catch (e) { linkError = (e as Error).message; status(`bad link: ${linkError}`); parsed = parseHash(""); }
  settings = parsed.settings;
  writeSettings(settings);
  apply(await call({ type: "configure", settings }));
  updateHash();
  replaying = parsed.run.length > 0;
  for (const a of parsed.run) {
    if (a.kind === "train") await doTrain();
    else if (a.kind === "refine") await doRefine();
    else if (a.kind === "split") { $<HTMLSelectElement>("layer").value = String(a.layer); fillNeuronChoices(); $<HTMLSelectElement>("neuron").value = String(a.neuron); $<HTMLInputElement>("alpha").value = String(a.alpha); await doSplit(true); }
    else if (a.kind === "null") { $<HTMLSelectElement>("layer").value = String(a.layer); $("null").click(); }
    else if (a.kind === "adopt") apply(await call({ type: "adopt" }));
    else if (a.kind === "escape") { $<HTMLInputElement>("eig-index").value = String(a.index + 1); $<HTMLSelectElement>("eig-sign").value = String(a.sign); await doEscape(); }
    else if (a.kind === "merge") { $<HTMLInputElement>("threshold").value = String(a.threshold); await doMerge(); }
    else if (a.kind === "atlas") { $<HTMLInputElement>("atlas-seeds").value = String(a.seeds); await doAtlas(a.seeds); }
    if ($("status").textContent?.startsWith("error")) { replaying = false; return; }
  }
  replaying = false;
  // a refused link stays visible (the page shows the defaults instead)
  status(linkError ? `bad link: ${linkError.slice(0, 200)}; showing the defaults` : "done");
}

void start();
