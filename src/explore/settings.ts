/** What the page needs to know before the engine answers: the presets' names and the settings of a run (no engine code, so the page script stays small). */

/** Data presets of the explorer (name → how it is made). */
export const PRESETS: Record<string, string> = {
  cos2x: "y = cos 2x on 9 points of [−2, 2] (SPEC fixture B's data)",
  cos2x20: "y = cos 2x on 20 points of [−2, 2] (the census workload)",
  sin3x: "y = sin 3x on 20 points of [−2, 2]",
  e2: "the E2 target ReLU(2x+0.6) − ReLU(x) + ReLU(0.5x−0.4) − ReLU(1.5x−0.6) on 40 points (SPEC §7 E2)",
  ring: "2-D: y = ‖x‖² − 1 on a 6 × 6 grid of [−1.5, 1.5]²",
  xor: "2-D: y = x₁·x₂ on a 6 × 6 grid of [−1, 1]²",
  iris: "Iris: 4 standardised inputs, 3 one-hot outputs (150 flowers)",
};

/** Everything that determines a run, as the URL hash carries it. */
export interface Settings {
  data: string;
  arch: number[];
  act: string;
  loss: "mse" | "cross-entropy";
  seed: number;
  optimizer: "gd" | "adam";
  lr: number;
  steps: number;
}

export const DEFAULT_SETTINGS: Settings = { data: "cos2x", arch: [1, 2, 1], act: "tanh", loss: "mse", seed: 1, optimizer: "adam", lr: 0.01, steps: 2000 };


/**
 * The 1-D presets an atlas can be computed from in the page, with the `--data` spec of `embedscape atlas run` that
 * loads the same points (so the page's atlas and the command's are the same atlas).
 */
export const ATLAS_DATA: Record<string, string> = { cos2x: "grid:cos2x:9", cos2x20: "grid:cos2x:20", sin3x: "grid:sin3x:20", e2: "grid:relu4:40" };

/** What the page computes by default: widths 1–3 of 1-{m}-1, 2 seeds per width for each of train and random, every source. */
export const ATLAS_DEFAULTS = { widths: [1, 2, 3], seeds: 2 };
