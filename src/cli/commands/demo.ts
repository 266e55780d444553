import type { Command } from "commander";
import { runDemo } from "../../experiments/demo.js";
import { writeAtomic } from "../../io/files.js";
import { num } from "../args.js";
import { certificateText } from "../common.js";
import { outputOption } from "../output.js";

/** `embedscape demo`: parses the flags, runs the story (experiments/demo.ts), writes the report. */
export function register(program: Command): void {
  program
    .command("demo")
    .description("end-to-end story: train 1-2-1 tanh on cos(2x), refine to a critical point, certify, embed it into a wider net where it is a strict saddle, write an HTML report")
    .addOption(outputOption("--out <file>", "report file", "html", "embedscape-demo.html"))
    .option("--seed <n>", "seed of the random init", "1")
    .option("--steps <n>", "Adam steps before refinement", "2000")
    .action(async (f: { out: string; seed: string; steps: string }) => {
      const log = (s: string): void => void process.stdout.write(s + "\n");
      const { html } = await runDemo({ seed: num("--seed", f.seed, { int: true }), steps: num("--steps", f.steps, { int: true, min: 1 }), log, certificateText });
      writeAtomic(f.out, html);
      log(`4. report (fit, training curve, spectra, the saddle direction) written to ${f.out}`);
    });
}
