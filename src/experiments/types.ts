import type { Net } from "../nn/arch.js";

/**
 * What a reproduction is (the entries of `registry.ts`). The CLI
 * registers a subcommand per entry with its `options` plus `--out <file>` (default `<name>.html`),
 * parses every option as its `parse` says (one parser for all: cli/args.ts), calls `run` with the
 * typed values (commander camel-cases flag names: --h-max → hMax), writes `html` to `--out`, saves
 * `nets`, and prints `text` (or `json` with `--json`). `run` itself touches no file and no stream.
 * Heavy imports belong inside `run` so that other commands start fast.
 */
export type OptionParse =
  | { kind: "flag" }
  | { kind: "text"; choices?: string[] }
  | { kind: "int"; min?: number; max?: number }
  | { kind: "real"; positive?: boolean }
  | { kind: "cosine" }
  /** "1..5,8": sorted distinct whole numbers. */
  | { kind: "range"; min?: number; max?: number }
  /** "1,2,8": whole numbers in the order given. */
  | { kind: "ints"; min?: number; max?: number; count?: number };

export interface ReproductionOption {
  /** Commander flags, e.g. "--seed <n>". */
  flags: string;
  description: string;
  default?: string;
  parse: OptionParse;
}

/** An option's value after parsing: flag → boolean, int/real/cosine → number, range/ints → number[], text → string. */
export type OptionValue = boolean | number | number[] | string | undefined;
export type ReproductionOptions = Record<string, OptionValue> & { out: string };

/** A progress bar the caller provides (the CLI's draws on stderr); experiments only report progress. */
export interface ProgressSink {
  update(step: number, payload?: Record<string, number | string>): void;
  stop(): void;
}
export interface RunHooks {
  progress(total: number, label: string): ProgressSink;
}

export interface ReproductionOutput {
  /** The self-contained HTML report. */
  html: string;
  /** The measured numbers (`--json`; a contract: fields may be added, never renamed). */
  json: unknown;
  /** Human-readable lines for the terminal. */
  text: string[];
  /** Nets the options asked to save (path, net). */
  nets?: Array<{ path: string; net: Net }>;
}

export interface Reproduction {
  name: string;
  description: string;
  options: ReproductionOption[];
  run(opts: ReproductionOptions, hooks: RunHooks): Promise<ReproductionOutput>;
}
