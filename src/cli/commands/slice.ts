import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { recoverEmbedding } from "../../embed/recover.js";
import { landscapeSlice, linspace, type DirectionRequest } from "../../landscape/slice.js";
import { sliceReport } from "../../report/pages/slice.js";
import { InputError } from "../../util/errors.js";
import { dataFlag, netFlag, DATA_HELP } from "../common.js";
import { num } from "../args.js";
import { printJson } from "../run.js";
import { recordedEmbedding } from "./embed.js";
import { outputOption } from "../output.js";

const KINDS = ["random", "hessian", "family", "toward"] as const;

/** `embedscape slice`: the loss along one or two directions through a net (interpolation, random, Hessian, critical family). */
export function register(program: Command): void {
  program
    .command("slice")
    .description("loss-landscape slices: 1-D interpolation between two nets, 1-D/2-D along filter-normalised random directions, lowest Hessian eigenvectors or an embedding's critical affine family")
    .option("--net <file>", "the net at the centre (t = 0)")
    .option("--data <spec>", DATA_HELP)
    .option("--to <file>", "a second net: the direction θ_B − θ (same as --dir toward)")
    .option("--dir <kind>", "an axis: random | hessian | family | toward (give it twice for a 2-D slice)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--narrow <file>", "for --dir family: the narrow net the wide --net was embedded from")
    .option("--seed <n>", "seed of the first random direction (the second uses seed + 1)", "0")
    .option("--biases <how>", "random directions' biases: zero (Li et al.'s biasbn) | copy | filter", "zero")
    .option("--range <a,b>", "range of every axis (default -0.5,1.5 toward a net, -1,1 otherwise)")
    .option("--points <n>", "points per axis (default 41 for a line, 25 for a plane)")
    .addOption(outputOption("--report <file.html>", "write an HTML report with the line or contour plot", "html"))
    .option("--json", "print JSON")
    .action(async (f: { net?: string; data?: string; to?: string; dir: string[]; narrow?: string; seed: string; biases: string; range?: string; points?: string; report?: string; json?: boolean }) => {
      if (f.report !== undefined && !f.report.toLowerCase().endsWith(".html")) throw new InputError(`--report must name an .html file, got "${f.report}"`);
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      const kinds = f.dir.length ? [...f.dir] : f.to ? ["toward"] : ["random"];
      if (kinds.length > 2) throw new InputError(`a slice has one or two directions, got ${kinds.length} --dir flags`);
      for (const k of kinds) if (!(KINDS as readonly string[]).includes(k)) throw new InputError(`--dir must be one of ${KINDS.join(", ")}, got "${k}"`);
      if (!["zero", "copy", "filter"].includes(f.biases)) throw new InputError(`--biases must be zero, copy or filter, got "${f.biases}"`);
      const seed = num("--seed", f.seed, { int: true, min: 0 });
      let randoms = 0, hessians = 0, families = 0;
      const axes = kinds.map((k): DirectionRequest => {
        if (k === "toward") {
          if (!f.to) throw new InputError("--dir toward needs --to NET2");
          return { kind: "toward", target: netFlag("--to", f.to).theta };
        }
        if (k === "random") return { kind: "random", seed: seed + randoms++, biases: f.biases as "zero" | "copy" | "filter" };
        if (k === "hessian") return { kind: "hessian", index: hessians++ };
        if (!f.narrow) throw new InputError("--dir family needs --narrow NARROW (the net --net was embedded from)");
        const narrow = netFlag("--narrow", f.narrow);
        const embedding = recordedEmbedding(f.net!) ?? recoverEmbedding(narrow, net);
        return { kind: "family", embedding, narrowTheta: narrow.theta, index: families++ };
      });
      const [a, b] = f.range
        ? f.range.split(",").map((x) => num("--range", x))
        : kinds[0] === "toward" && kinds.length === 1 ? [-0.5, 1.5] : [-1, 1];
      if (f.range && f.range.split(",").length !== 2) throw new InputError(`--range needs two numbers a,b, got "${f.range}"`);
      const points = num("--points", f.points ?? (kinds.length === 1 ? "41" : "25"), { int: true, min: 2 });
      if (points ** kinds.length > 1e6) throw new InputError(`${points}^${kinds.length} slice points is more than the limit of 1,000,000`);
      const grid = linspace(a, b, points);
      const r = landscapeSlice(net.arch, data, net.theta, axes, axes.map(() => grid));
      if (f.report) writeFileSync(f.report, await sliceReport(r, `Loss slice of ${net.arch.widths.join("-")} ${net.arch.activation}`));
      if (f.json) { printJson(r); return; }
      const lines = [`R(θ) = ${r.loss0.toPrecision(12)}; axes: ${r.directions.map((d) => d.kind + (d.eigenvalue !== undefined ? ` (λ ${d.eigenvalue.toExponential(3)})` : "")).join(", ")}`];
      if (r.line) {
        const lo = Math.min(...r.line.loss), hi = Math.max(...r.line.loss);
        lines.push(`line: ${points} points on [${a}, ${b}], loss from ${lo.toPrecision(6)} to ${hi.toPrecision(6)}`);
      } else if (r.plane) {
        const all = r.plane.loss.flat();
        lines.push(`plane: ${points} × ${points} points on [${a}, ${b}]², loss from ${Math.min(...all).toPrecision(6)} to ${Math.max(...all).toPrecision(6)}`);
      }
      if (f.report) lines.push(`report written to ${f.report}`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}
