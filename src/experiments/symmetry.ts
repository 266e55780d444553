import type { TopLevelSpec } from "vega-lite";
import type { Reproduction } from "./types.js";
import { teacherData } from "../nn/teacher.js";
import { createNet, initNet, makeArch, parseWidths } from "../nn/arch.js";
import { esc, figure, fmt, page, table } from "../report/html.js";
import { vegaLiteSvg } from "../report/svg.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { countG, countGBelow, countT, countTBell, crossover } from "../symmetry/counts.js";
import { addBufferNeuron, layerPermutation, neuronColumn, neuronRow, swapPath, tracePath } from "../symmetry/path.js";
import { parseActivationName } from "../nn/activations.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** log₁₀ of a positive BigInt, accurate to double precision even beyond 1e308. */
export function log10Big(v: bigint): number {
  if (v <= 0n) throw new InputError(`log10 of a non-positive count ${v}`);
  const s = v.toString();
  const head = Number(s.slice(0, 17));
  return Math.log10(head) + (s.length - Math.min(17, s.length));
}

export interface CountsReportOptions {
  /** Minimal widths r* to plot. */
  rStars: number[];
  /** Largest extra width h. */
  hMax: number;
  bell?: boolean;
}

/**
 * `reproduce symmetry-counts` (SPEC §5.3): log₁₀ T(r*, r*+h) against log₁₀ Σ_{r<r*} G(r, r*+h) as h grows,
 * with the crossover h marked, the crossover list and the two tables. Returns the page and its numbers.
 */
export async function symmetryCountsReport(o: CountsReportOptions): Promise<{ html: string; crossovers: ReturnType<typeof crossover>[] }> {
  if (o.rStars.length === 0 || o.rStars.some((r) => !Number.isInteger(r) || r < 2 || r > 200)) throw new InputError("r* values must be whole numbers in 2..200");
  if (!Number.isInteger(o.hMax) || o.hMax < 1 || o.hMax > 500) throw new InputError(`h-max must be a whole number in 1..500, got ${o.hMax}`);
  const T = o.bell ? countTBell : countT;
  const tName = o.bell ? "T_Bell" : "T";
  const crossovers = o.rStars.map((r) => crossover(r, { bell: o.bell }));
  const values: { h: number; rStar: string; quantity: string; log10: number }[] = [];
  for (const r of o.rStars) {
    for (let h = 0; h <= o.hMax; h++) {
      values.push({ h, rStar: `r* = ${r}`, quantity: `${tName}(r*, r*+h) minima`, log10: log10Big(T(r, r + h)) });
      values.push({ h, rStar: `r* = ${r}`, quantity: "Σ(r<r*) G(r, r*+h) saddles", log10: log10Big(countGBelow(r, r + h)) });
    }
  }
  const marks = crossovers.filter((c) => c.h <= o.hMax).map((c) => ({ h: c.h, rStar: `r* = ${c.rStar}`, log10: log10Big(T(c.rStar, c.rStar + c.h)) }));
  const order = o.rStars.map((r) => `r* = ${r}`);
  const spec: TopLevelSpec = {
    $schema: SCHEMA, width: 560, height: 340,
    title: `Global-minimum vs saddle subspaces (log scale)`,
    layer: [
      {
        data: { values },
        mark: { type: "line", point: false },
        encoding: {
          x: { field: "h", type: "quantitative", title: "extra width h = m − r*" },
          y: { field: "log10", type: "quantitative", title: "log₁₀ (number of affine subspaces)" },
          color: { field: "rStar", type: "nominal", title: null, sort: order },
          strokeDash: { field: "quantity", type: "nominal", title: null, legend: { labelLimit: 400 } },
        },
      },
      {
        data: { values: marks },
        mark: { type: "point", shape: "diamond", filled: true, size: 110, color: "#111" },
        encoding: { x: { field: "h", type: "quantitative" }, y: { field: "log10", type: "quantitative" } },
      },
    ],
  };
  const ratios = o.rStars.flatMap((r) => Array.from({ length: o.hMax + 1 }, (_, h) => ({
    h, rStar: `r* = ${r}`, log10: log10Big(T(r, r + h)) - log10Big(countGBelow(r, r + h)),
  })));
  const ratioSpec: TopLevelSpec = {
    $schema: SCHEMA, width: 560, height: 260, title: `log₁₀ (${tName} / Σ G): minima win above the line`,
    layer: [
      {
        data: { values: ratios }, mark: { type: "line", point: true },
        encoding: {
          x: { field: "h", type: "quantitative", title: "extra width h = m − r*" },
          y: { field: "log10", type: "quantitative", title: `log₁₀ ${tName}(r*, r*+h) − log₁₀ Σ(r<r*) G(r, r*+h)` },
          color: { field: "rStar", type: "nominal", title: null, sort: order },
        },
      },
      { data: { values: [{ y: 0 }] }, mark: { type: "rule", strokeDash: [5, 4], color: "#111" }, encoding: { y: { field: "y", type: "quantitative" } } },
    ],
  };
  const [svg, ratioSvg] = await Promise.all([vegaLiteSvg(spec), vegaLiteSvg(ratioSpec)]);
  const crossRows = crossovers.map((c) => {
    const m = c.rStar + c.h;
    return [c.rStar, c.h, c.hLargest ?? "–", m, T(c.rStar, m).toString(), countGBelow(c.rStar, m).toString()];
  });
  const grid = (fn: (r: number, m: number) => bigint): (string | number)[][] =>
    [1, 2, 3, 4, 5].map((r) => [r, ...[1, 2, 3, 4, 5, 6, 7, 8].map((m) => (r > m ? "–" : fn(r, m).toString()))]);
  const head = ["r \\ m", "1", "2", "3", "4", "5", "6", "7", "8"];
  const big = [[3, 1000], [10, 100], [50, 80]].map(([r, m]) => {
    const t = T(r, m).toString();
    return [`${tName}(${r}, ${m})`, t.length, `${t.slice(0, 12)}…${t.slice(-6)}`];
  });
  const html = page(
    "Symmetry-induced subspaces: minima vs saddles",
    `Exact counts (BigInt) of the affine subspaces that permutation symmetry creates in a width-m two-layer net
(Şimşek et al. 2021; SPEC §5.3): ${esc(tName)}(r*, m) = ${o.bell ? "Σ_k C(m,k)·r*!·S(m−k,r*)·B_k" : "r*!·S(m+1, r*+1)"} global-minimum subspaces and
G(r, m) = r!·S(m, r) symmetry-induced saddle subspaces from each narrower width r.`,
    [
      { title: "Minima vs saddles as the net widens", html: `<div class="plots">${figure(svg, `Solid/dashed: ${esc(tName)}(r*, r*+h) and Σ(r&lt;r*) G(r, r*+h) for each r*; diamonds: the crossover h (first h where minima outnumber saddles).`)}${figure(ratioSvg, "The same as a ratio: saddle subspaces dominate below the dashed line (small h), global-minimum subspaces above it.")}</div>` },
      { title: "Crossover", html: table(["r*", "crossover h (Σ(r<r*) G)", "h (G(r*−1) only)", "m = r*+h", `${tName}(r*, m)`, "Σ(r<r*) G(r, m)"], crossRows) },
      { title: `${tName}(r*, m)`, html: table(head, grid(T)) },
      { title: "G(r, m)", html: table(head, grid(countG)) },
      { title: "Large arguments stay exact", html: table(["count", "digits", "value"], big) },
    ],
  );
  return { html, crossovers };
}

export interface PathReportOptions {
  widths: string;
  activation: string;
  layer: number;
  /** 1-based neurons to swap. */
  swap: [number, number];
  seed: number;
  samples: number;
  perSegment: number;
}

/**
 * `reproduce symmetry-path` (SPEC §5.4): a zero-loss teacher net, one buffer neuron in hidden layer l,
 * the 7-segment path swapping two neurons; loss and output deviation along the path (sampled densely)
 * and the neurons' incoming weights at every vertex.
 */
export async function symmetryPathReport(o: PathReportOptions): Promise<{ html: string; maxOutputDeviation: number; maxLoss: number; directMaxOutputDeviation: number; permutation: (number | null)[] }> {
  const widths = parseWidths(o.widths);
  const arch = makeArch(widths, parseActivationName(o.activation), "mse");
  const L = widths.length - 1;
  if (!Number.isInteger(o.layer) || o.layer < 1 || o.layer > L - 1) throw new InputError(`--layer must be a hidden layer 1..${L - 1}, got ${o.layer}`);
  const width = widths[o.layer];
  const [i1, j1] = o.swap;
  if (![i1, j1].every((v) => Number.isInteger(v) && v >= 1 && v <= width) || i1 === j1) throw new InputError(`--swap needs two different neurons in 1..${width}, got ${i1},${j1}`);
  const teacher = initNet(arch, { seed: o.seed, scale: 2 });
  const data = teacherData(teacher, o.samples, { seed: o.seed + 1 });
  const rng = new Rng(o.seed + 2);
  const net = addBufferNeuron(teacher, o.layer, rng.fillNormal(new Float64Array(widths[o.layer - 1] + 1)));
  const path = swapPath(net, o.layer, i1 - 1, j1 - 1);
  const trace = tracePath(path, data, o.perSegment);
  const end = createNet(net.arch, path.vertices[path.vertices.length - 1]);
  const permutation = layerPermutation(net, end, o.layer);
  // contrast: the straight line from the start to the permuted end point leaves the zero-loss set
  const direct = tracePath({ ...path, vertices: [path.vertices[0], end.theta], labels: ["direct"] }, data, o.perSegment * (path.vertices.length - 1));
  const S = path.vertices.length - 1;
  const panel = (title: string, floor: number, field: "loss" | "outputDeviation"): TopLevelSpec => ({
    $schema: SCHEMA, width: 560, height: 200, title: `${title} (exact zeros drawn at ${floor})`,
    data: {
      values: [
        ...trace.points.map((p) => ({ s: p.s, curve: "buffer path (SPEC §5.4)", value: Math.max(p[field], floor) })),
        ...direct.points.map((p) => ({ s: p.s * S, curve: "straight line start → end", value: Math.max(p[field], floor) })),
      ],
    },
    mark: { type: "line", point: false },
    encoding: {
      x: { field: "s", type: "quantitative", title: "path parameter (segment number)" },
      y: { field: "value", type: "quantitative", scale: { type: "log" }, title: field === "loss" ? "loss R" : "max_i |f(x_i) − f₀(x_i)|" },
      color: { field: "curve", type: "nominal", title: null, legend: { labelLimit: 400 } },
    },
  });
  const m = net.arch.widths[o.layer];
  const names = Array.from({ length: m }, (_, q) => (q === m - 1 ? "buffer" : `neuron ${q + 1}`));
  const coordName = widths[o.layer - 1] >= 2 ? ["w₁", "w₂"] : ["w", "b"];
  const scatter: { vertex: string; neuron: string; x: number; y: number; out: number }[] = [];
  path.vertices.forEach((v, k) => {
    const at = createNet(net.arch, v);
    for (let q = 0; q < m; q++) {
      const r = neuronRow(at, o.layer, q), c = neuronColumn(at, o.layer, q);
      scatter.push({ vertex: `${k}${k === 0 ? " start" : k === path.vertices.length - 1 ? " end" : ""}`, neuron: names[q], x: r[0], y: r[1], out: Math.sqrt(c.reduce((s, a) => s + a * a, 0)) });
    }
  });
  const scatterSpec: TopLevelSpec = {
    $schema: SCHEMA, title: `Incoming weights of layer ${o.layer} at each vertex (size: ‖outgoing‖)`,
    data: { values: scatter },
    facet: { field: "vertex", type: "ordinal", title: "vertex" },
    columns: 4,
    spec: {
      width: 150, height: 150,
      mark: { type: "point", filled: true, opacity: 0.8 },
      encoding: {
        x: { field: "x", type: "quantitative", title: coordName[0] },
        y: { field: "y", type: "quantitative", title: coordName[1] },
        color: { field: "neuron", type: "nominal", title: null },
        size: { field: "out", type: "quantitative", title: "‖o‖", scale: { range: [20, 300] } },
      },
    },
  };
  const [lossSvg, devSvg, scatterSvg] = await Promise.all([
    vegaLiteSvg(panel("Loss along the path", 1e-40, "loss")),
    vegaLiteSvg(panel("Output deviation along the path", 1e-18, "outputDeviation")),
    vegaLiteSvg(scatterSpec),
  ]);
  const perSegment = path.labels.map((label, k) => {
    const pts = trace.points.filter((p) => p.segment === k + 1);
    return [k + 1, label, Math.max(...pts.map((p) => p.outputDeviation)), Math.max(...pts.map((p) => p.loss))];
  });
  const permText = permutation.map((p, q) => `${names[q]} ← ${p === null ? "?" : names[p]}`).join(", ");
  const html = page(
    "One extra neuron connects the permuted minima",
    `A zero-loss teacher net ${esc(widths.join("-"))} (${esc(arch.activation)}), labelled by itself on n = ${o.samples} random inputs, gets one buffer neuron in
hidden layer ${o.layer}; the piecewise-linear path of SPEC §5.4 swaps neurons ${i1} and ${j1} at constant function.`,
    [
      {
        title: "Result",
        html: table(["quantity", "value"], [
          ["maximum output deviation max_s max_i |f_s(x_i) − f₀(x_i)|", { html: `<span id="max-dev">${esc(trace.maxOutputDeviation.toExponential(3))}</span>` }],
          ["maximum loss along the path", { html: `<span id="max-loss">${esc(trace.maxLoss.toExponential(3))}</span>` }],
          ["loss at the start", trace.startLoss.toExponential(3)],
          ["points evaluated", trace.points.length],
          ["for contrast: straight line start → end, max |Δf| / max loss", { html: `<span id="direct-dev">${esc(direct.maxOutputDeviation.toExponential(3))}</span> / ${esc(direct.maxLoss.toExponential(3))}` }],
          ["permutation achieved (end neuron ← start neuron)", permText],
        ]),
      },
      { title: "Loss and output deviation along the path", html: figure(lossSvg, "Loss R: rounding level along the buffer path; the straight line between the two permuted minima climbs out of the zero-loss set.") + figure(devSvg, "Largest change of the network output on the data, relative to the start.") + table(["segment", "move", "max |Δf|", "max loss"], perSegment.map((r) => [r[0], r[1], fmt(r[2] as number), fmt(r[3] as number)])) },
      { title: "Neuron configurations", html: figure(scatterSvg, `Vertex 0: start (buffer has zero outgoing weights); last vertex: neurons ${i1} and ${j1} have exchanged incoming and outgoing weights, the buffer is back.`) },
    ],
  );
  return { html, maxOutputDeviation: trace.maxOutputDeviation, maxLoss: trace.maxLoss, directMaxOutputDeviation: direct.maxOutputDeviation, permutation };
}

/** `reproduce symmetry-counts` (SPEC §5.3). */
export const symmetryCountsReproduction: Reproduction = {
  name: "symmetry-counts",
  description: "SPEC §5.3: global-minimum subspaces T(r*, r*+h) vs saddle subspaces Σ(r<r*) G(r, r*+h), crossover, tables",
  options: [
    { flags: "--r <list>", description: "minimal widths r* to plot", default: "3,5,8,10,15,20", parse: { kind: "range", min: 2, max: 200 } },
    { flags: "--h-max <n>", description: "largest extra width h", default: "30", parse: { kind: "int", min: 1, max: 500 } },
    { flags: "--bell", description: "use the T_Bell variant of T", parse: { kind: "flag" } },
  ],
  async run(o) {
    const { html, crossovers } = await symmetryCountsReport({ rStars: o.r as number[], hMax: o.hMax as number, bell: o.bell === true });
    const text = crossovers.map((c) => `r* = ${c.rStar}: minima outnumber saddles from h = ${c.h} (vs G(r*−1) only: h = ${c.hLargest ?? "–"})`);
    return { html, text, json: { out: o.out, crossovers } };
  },
};

/** `reproduce symmetry-path` (SPEC §5.4). */
export const symmetryPathReproduction: Reproduction = {
  name: "symmetry-path",
  description: "SPEC §5.4: one buffer neuron connects permuted zero-loss minima; loss/output deviation along the swap path",
  options: [
    { flags: "--arch <widths>", description: "teacher architecture (any depth)", default: "2-4-1", parse: { kind: "text" } },
    { flags: "--activation <name>", description: "activation", default: "tanh", parse: { kind: "text" } },
    { flags: "--layer <l>", description: "hidden layer whose neurons are swapped", default: "1", parse: { kind: "int", min: 1, max: 1000 } },
    { flags: "--swap <i,j>", description: "the two neurons to swap (1-based)", default: "1,2", parse: { kind: "ints", count: 2, min: 1, max: 100000 } },
    { flags: "--seed <n>", description: "seed of the teacher and data", default: "1", parse: { kind: "int", min: 0, max: 2 ** 32 - 1 } },
    { flags: "--samples <n>", description: "number of data points", default: "100", parse: { kind: "int", min: 1, max: 100000 } },
    { flags: "--per-segment <n>", description: "evaluation points per segment", default: "200", parse: { kind: "int", min: 1, max: 100000 } },
  ],
  async run(o) {
    const swap = o.swap as number[];
    const r = await symmetryPathReport({
      widths: String(o.arch), activation: String(o.activation), layer: o.layer as number, swap: [swap[0], swap[1]],
      seed: o.seed as number, samples: o.samples as number, perSegment: o.perSegment as number,
    });
    return {
      html: r.html,
      text: [
        `max output deviation along the path: ${r.maxOutputDeviation.toExponential(3)}; max loss: ${r.maxLoss.toExponential(3)}`,
        `permutation achieved (end neuron q holds start neuron): [${r.permutation.map((p) => (p === null ? "?" : p + 1)).join(", ")}]`,
      ],
      json: {
        out: o.out, maxOutputDeviation: r.maxOutputDeviation, maxLoss: r.maxLoss,
        directMaxOutputDeviation: r.directMaxOutputDeviation, permutation: r.permutation.map((p) => (p === null ? null : p + 1)),
      },
    };
  },
};
