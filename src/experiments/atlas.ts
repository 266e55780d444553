import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../util/errors.js";
import type { ProgressSink, Reproduction, ReproductionOptions, RunHooks } from "./types.js";

async function buildAtlas(o: ReproductionOptions, hooks: RunHooks, say: (s: string) => void, widths: number[], seeds: number): Promise<{ path: string; cleanup: () => void }> {
  const { defaultSettings } = await import("../atlas/cells.js");
  const { runAtlas } = await import("../atlas/atlas.js");
  const { loadDataset } = await import("../data/load.js");
  const { defaultJobs } = await import("../atlas/pool.js");
  const settings = defaultSettings({ data: String(o.data), widths, seeds });
  const data = loadDataset(settings.data);
  let path = typeof o.db === "string" ? o.db : "";
  let cleanup = (): void => {};
  if (!path) {
    const dir = mkdtempSync(join(tmpdir(), "embedscape-atlas-"));
    path = join(dir, "atlas.sqlite");
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  }
  const jobs = o.jobs === undefined ? defaultJobs() : (o.jobs as number);
  const bar: { sink?: ProgressSink } = {};
  const r = await runAtlas(settings, data, path, {
    jobs, resume: existsSync(path),
    onProgress: (p) => { (bar.sink ??= hooks.progress(p.total, "atlas runs")).update(p.done, { width: p.width, phase: p.phase }); },
  });
  bar.sink?.stop();
  say(`atlas: ${r.runs} runs (${r.skipped} already finished), ${r.sets} sets — ${r.perWidth.map((w) => `m=${w.width}: ${w.sets}`).join(", ")}`);
  return { path, cleanup };
}

/**
 * E4 (SPEC §7): the empirical diagram of the loss landscape of 1-D tanh nets of widths 1, 2, 3. The slides give no
 * data; the default is y = cos 2x on 20 equally spaced points of [−2, 2] (`--data` to change it).
 */
export const landscapeDiagramReproduction: Reproduction = {
  name: "landscape-diagram",
  description: "SPEC §7 E4: atlas of critical sets of 1-D tanh nets, widths 1–3, with embedding/descent edges, checked against the Embedding Principle",
  options: [
    { flags: "--data <spec>", description: "data (the slides do not give theirs)", default: "grid:cos2x:20", parse: { kind: "text" } },
    { flags: "--widths <range>", description: "widths", default: "1..3", parse: { kind: "range", min: 1, max: 16 } },
    { flags: "--seeds <n>", description: "seeds per width for train and random", default: "6", parse: { kind: "int", min: 1, max: 10000 } },
    { flags: "--jobs <n>", description: "worker threads (default: all cores)", parse: { kind: "int", min: 1 } },
    { flags: "--db <file>", description: "keep the atlas database here (resumed if it exists)", parse: { kind: "text" } },
  ],
  async run(o, hooks) {
    const text: string[] = [];
    const say = (line: string): void => void text.push(line);
    const { AtlasStore } = await import("../atlas/store.js");
    const { atlasReport } = await import("./atlas-report.js");
    const widths = o.widths as number[];
    const { path, cleanup } = await buildAtlas(o, hooks, say, widths, o.seeds as number);
    try {
      const st = AtlasStore.open(path);
      const r = await atlasReport(st, {
        title: "E4 — empirical diagram of the loss landscape",
        lead: `Every critical set found for 1-${"{m}"}-1 tanh nets on ${String(o.data).replace(/[<>&]/g, "")}, widths ${widths.join(", ")}: the landscapes of all widths as one object.`,
      });
      st.close();
      const c = r.checks;
      for (const e of c.edgeCounts) say(`embedding edges width ${e.from} → ${e.to}: ${e.edges} (${e.points} embedded points)`);
      for (const v of c.coverage) say(`width ${v.width}: ${v.withEdgesIntoEveryWiderWidth} of ${v.sets} sets have an embedding edge into every wider width`);
      say(`inertia of embedded points vs §2.9: ${c.inertia.agree} agree, ${c.inertia.explained} explained by the gap/residual, ${c.inertia.unexplained} unexplained (of ${c.inertia.points})`);
      say(`‖∇R‖ from stored θ: ${c.gradient.critical}/${c.gradient.sets} sets ≤ 1e-10, ${c.gradient.degenerateWithEvidence} degenerate with evidence, ${c.gradient.violations.length} violations (max ${c.gradient.max.toExponential(2)})`);
      return { html: r.html, json: { sets: r.sets, checks: c }, text };
    } finally {
      cleanup();
    }
  },
};

/**
 * E1 (SPEC §7): a width-500 tanh net trained from small initialisation on 1-D data; every plateau of its loss curve
 * is condensed, solved, and matched to a set of an atlas of narrow widths, and labelled with the output difference.
 */
export const widePlateausReproduction: Reproduction = {
  name: "wide-plateaus",
  description: "SPEC §7 E1: plateaus of a width-500 tanh net's training loss matched to narrow critical sets of an atlas",
  options: [
    { flags: "--data <spec>", description: "1-D data (the paper's is not given)", default: "grid:cos2x:20", parse: { kind: "text" } },
    { flags: "--width <m>", description: "width of the wide net", default: "500", parse: { kind: "int", min: 1, max: 100000 } },
    { flags: "--scale <s>", description: "initialisation scale (normal, scale/√fan_in, zero biases)", default: "0.1", parse: { kind: "real", positive: true } },
    { flags: "--lr <eta>", description: "learning rate (full-batch GD)", default: "0.05", parse: { kind: "real", positive: true } },
    { flags: "--steps <n>", description: "training steps", default: "40000", parse: { kind: "int", min: 10, max: 10_000_000 } },
    { flags: "--seed <n>", description: "seed of the wide net", default: "1", parse: { kind: "int", min: 0, max: 2 ** 32 - 1 } },
    { flags: "--atlas-widths <range>", description: "widths of the atlas it is matched against", default: "1..3", parse: { kind: "range", min: 1, max: 16 } },
    { flags: "--seeds <n>", description: "atlas seeds per width", default: "6", parse: { kind: "int", min: 1, max: 10000 } },
    { flags: "--jobs <n>", description: "worker threads for the atlas", parse: { kind: "int", min: 1 } },
    { flags: "--db <file>", description: "keep (or reuse) the atlas database here", parse: { kind: "text" } },
  ],
  async run(o, hooks) {
    const text: string[] = [];
    const say = (line: string): void => void text.push(line);
    const { AtlasStore } = await import("../atlas/store.js");
    const { closestApproach, findPlateaus, matchPlateau, wideRun } = await import("../atlas/plateaus.js");
    const { templateWidths } = await import("../atlas/cells.js");
    const { loadDataset } = await import("../data/load.js");
    const { createNet, makeArch } = await import("../nn/arch.js");
    const { curvePlot } = await import("../report/plots.js");
    const { page, table, figure, fmt, esc } = await import("../report/html.js");
    const data = loadDataset(String(o.data));
    if (data.d !== 1 || data.k !== 1) throw new InputError(`wide-plateaus needs 1-D data with a scalar target (got d = ${data.d}, k = ${data.k})`);
    const width = o.width as number, steps = o.steps as number, scale = o.scale as number, lr = o.lr as number, seed = o.seed as number;
    const widths = o.atlasWidths as number[];
    const { path, cleanup } = await buildAtlas(o, hooks, say, widths, o.seeds as number);
    try {
      const st = AtlasStore.open(path);
      const sets = st.allSets(), settings = st.settings();
      st.close();
      const recordEvery = Math.max(1, Math.floor(steps / 4000));
      const run = wideRun(data, { width, scale, lr, steps, seed, optimizer: "gd", recordEvery });
      const plateaus = findPlateaus(run.history);
      const arch = makeArch([1, width, 1], "tanh", "mse");
      const tmpl = (m: number): number[] => templateWidths(settings.template, m).widths;
      const matches = plateaus.map((p) => {
        const m = matchPlateau(createNet(arch, run.snapshots.get(p.step)!), p, data, sets, tmpl);
        // where near the plateau (a factor 3 either side in steps) the run comes closest to the matched set's output
        const set = m.set ? sets.find((x) => x.id === m.set!.id)! : null;
        const closest = set ? closestApproach(run.snapshots, arch, set, makeArch(tmpl(set.width), "tanh", "mse"), data, p.from / 3, p.to * 3) : null;
        return { ...m, closest };
      });
      for (const m of matches) {
        say(`plateau steps ${m.plateau.from}–${m.plateau.to} (θ at ${m.plateau.step}), loss ${m.plateau.loss.toExponential(4)}: condensed to width ${m.condensedWidth}, solved ‖∇R‖ ${m.solved.gradNorm.toExponential(1)} root ${m.solvedRootWidth}; ` +
          (m.set ? `matches set #${m.set.id} (width ${m.set.width}, root ${m.set.rootWidth}, loss ${m.set.loss.toExponential(4)}, n₋ ${m.set.inertia.neg})${m.exact ? " exactly" : " by nearest output"}; max output difference ${m.outputDifference.toExponential(2)}${m.closest ? `, closest ${m.closest.outputDifference.toExponential(2)} at step ${m.closest.step}` : ""}` : "no atlas set"));
      }
      const curve = await curvePlot([{ name: `width ${width}`, points: run.history.map((h) => ({ step: h.step, value: h.loss })) }, ...matches.filter((m) => m.set).map((m) => ({ name: `#${m.set!.id} (m=${m.set!.width}), Δf ${m.outputDifference.toExponential(1)}`, points: [{ step: m.plateau.from, value: m.set!.loss }, { step: m.plateau.to, value: m.set!.loss }] }))],
        { title: "training loss and the narrow critical sets its plateaus match", logX: true, logY: true, width: 620, height: 320 });
      const html = page("E1 — plateaus of a wide net are narrow critical points", `A 1-${width}-1 tanh net trained by full-batch GD from small initialisation on ${esc(String(o.data))}; each plateau is condensed (neurons grouped by direction), solved to a critical point, and matched to a set of an atlas of widths ${widths.join(", ")}.`, [
        { title: "Loss curve", html: figure(curve, "Horizontal segments: the loss of the matched atlas set over the plateau's steps (legend: set, its width, and the max output difference over the data).") },
        { title: "Plateaus", html: table(["steps", "loss", "condensed width", "solved ‖∇R‖", "root", "matched set", "set width", "set loss", "set inertia", "match", "max |f_wide − f_set|", "closest approach (step)"],
          matches.map((m) => [`${m.plateau.from}–${m.plateau.to}`, m.plateau.loss, m.condensedWidth, m.solved.gradNorm, m.solvedRootWidth, m.set ? `#${m.set.id}` : "–", m.set?.width ?? "–", m.set?.loss ?? NaN,
            m.set ? `(${m.set.inertia.neg}, ${m.set.inertia.zero}, ${m.set.inertia.pos})` : "–", m.exact ? "canonical form" : "nearest output", m.outputDifference, m.closest ? `${fmt(m.closest.outputDifference)} (${m.closest.step})` : "–"])) +
          `<p class="muted">Plateau rule: log–log slope |d log R/d log t| < 0.05 over a factor ≥ 2 in steps, or a local minimum of |slope| below 1 (a shoulder). ${fmt(run.history.length)} recorded points.</p>` },
      ]);
      return { html, json: { width, steps, finalLoss: run.history[run.history.length - 1].loss, plateaus: matches }, text };
    } finally {
      cleanup();
    }
  },
};
