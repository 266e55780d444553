import { writeAtomic } from "../io/files.js";
import { parseRange, parseWhole } from "../cli/args.js";
import { InputError } from "../util/errors.js";
import { hessianEmbeddingReproduction } from "./hessian-embedding.js";
import { depthReproduction } from "./depth/reproduction.js";
import { condensationReproduction, mnistPruneReproduction } from "./condensation/reproductions.js";

/**
 * Everything `embedscape reproduce <name>` can reproduce. To add one, append an entry: `reproduce`
 * registers a subcommand per entry with its `options` plus `--out <file>` (default `<name>.html`),
 * and calls `run` with the parsed options (commander camel-cases flag names: --h-max → hMax).
 * Heavy imports belong inside `run` so that other commands start fast.
 */
export interface ReproductionOption {
  /** Commander flags, e.g. "--seed <n>". */
  flags: string;
  description: string;
  default?: string;
}

export interface Reproduction {
  name: string;
  description: string;
  options?: ReproductionOption[];
  run(opts: Record<string, string | boolean | undefined> & { out: string }): Promise<unknown>;
}

const say = (s: string): void => void process.stdout.write(s + "\n");

export const reproductions: Reproduction[] = [
  {
    name: "symmetry-counts",
    description: "SPEC §5.3: global-minimum subspaces T(r*, r*+h) vs saddle subspaces Σ_{r<r*} G(r, r*+h), crossover, tables",
    options: [
      { flags: "--r <list>", description: "minimal widths r* to plot", default: "3,5,8,10,15,20" },
      { flags: "--h-max <n>", description: "largest extra width h", default: "30" },
      { flags: "--bell", description: "use the T_Bell variant of T" },
    ],
    async run(o) {
      const { symmetryCountsReport } = await import("./symmetry.js");
      const rStars = parseRange("--r", o.r as string, { min: 2, max: 200 });
      const hMax = parseWhole("--h-max", o.hMax as string, { min: 1, max: 500 });
      const { html, crossovers } = await symmetryCountsReport({ rStars, hMax, bell: o.bell === true });
      writeAtomic(o.out, html);
      for (const c of crossovers) say(`r* = ${c.rStar}: minima outnumber saddles from h = ${c.h} (vs G(r*−1) only: h = ${c.hLargest ?? "–"})`);
      say(`report written to ${o.out}`);
      return { out: o.out, crossovers };
    },
  },
  {
    name: "symmetry-path",
    description: "SPEC §5.4: one buffer neuron connects permuted zero-loss minima; loss/output deviation along the swap path",
    options: [
      { flags: "--arch <widths>", description: "teacher architecture (any depth)", default: "2-4-1" },
      { flags: "--activation <name>", description: "activation", default: "tanh" },
      { flags: "--layer <l>", description: "hidden layer whose neurons are swapped", default: "1" },
      { flags: "--swap <i,j>", description: "the two neurons to swap (1-based)", default: "1,2" },
      { flags: "--seed <n>", description: "seed of the teacher and data", default: "1" },
      { flags: "--samples <n>", description: "number of data points", default: "100" },
      { flags: "--per-segment <n>", description: "evaluation points per segment", default: "200" },
    ],
    async run(o) {
      const { symmetryPathReport } = await import("./symmetry.js");
      const swap = String(o.swap).split(",");
      if (swap.length !== 2) throw new InputError(`--swap needs two neurons like 1,2, got "${o.swap}"`);
      const r = await symmetryPathReport({
        widths: String(o.arch), activation: String(o.activation),
        layer: parseWhole("--layer", o.layer as string, { min: 1, max: 1000 }),
        swap: [parseWhole("--swap", swap[0], { min: 1, max: 100000 }), parseWhole("--swap", swap[1], { min: 1, max: 100000 })],
        seed: parseWhole("--seed", o.seed as string, { max: 2 ** 32 - 1 }),
        samples: parseWhole("--samples", o.samples as string, { min: 1, max: 100000 }),
        perSegment: parseWhole("--per-segment", o.perSegment as string, { min: 1, max: 100000 }),
      });
      writeAtomic(o.out, r.html);
      say(`max output deviation along the path: ${r.maxOutputDeviation.toExponential(3)}; max loss: ${r.maxLoss.toExponential(3)}`);
      say(`permutation achieved (end neuron q holds start neuron): [${r.permutation.map((p) => (p === null ? "?" : p + 1)).join(", ")}]`);
      say(`report written to ${o.out}`);
      return {
        out: o.out, maxOutputDeviation: r.maxOutputDeviation, maxLoss: r.maxLoss,
        directMaxOutputDeviation: r.directMaxOutputDeviation, permutation: r.permutation.map((p) => (p === null ? null : p + 1)),
      };
    },
  },
  hessianEmbeddingReproduction,
  depthReproduction,
  mnistPruneReproduction,
  condensationReproduction,
];
