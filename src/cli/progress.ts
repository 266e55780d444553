import cliProgress from "cli-progress";

/**
 * A progress bar on stderr for loops that may run longer than a second: it appears only after
 * `delayMs` (so quick runs stay quiet), shows step, loss and ‖∇R‖, and never writes to stdout
 * (which may carry JSON). Disabled when stderr is not a terminal unless EMBEDSCAPE_PROGRESS=1.
 */
export interface Progress {
  update(step: number, payload?: Record<string, number | string>): void;
  stop(): void;
}

export function progress(total: number, label: string, delayMs = 1000): Progress {
  const enabled = process.stderr.isTTY || process.env.EMBEDSCAPE_PROGRESS === "1";
  if (!enabled) return { update() {}, stop() {} };
  const t0 = Date.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(step, payload = {}) {
      const fields = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, typeof v === "number" ? v.toExponential(3) : v]));
      if (!bar) {
        if (Date.now() - t0 < delayMs) return;
        const keys = Object.keys(fields);
        const format = `${label} [{bar}] {value}/{total} ` + keys.map((k) => `${k} {${k}}`).join(" ") + " | {eta_formatted}";
        bar = new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: true, noTTYOutput: true, etaBuffer: 50 }, cliProgress.Presets.shades_classic);
        bar.start(total, step, fields);
      }
      bar.update(step, fields);
    },
    stop() {
      bar?.stop();
    },
  };
}

/**
 * The atlas's progress bar (stderr, same rules as `progress`): finished/planned runs of the current phase and, per
 * width, runs finished and sets found so far.
 */
export function atlasProgress(delayMs = 1000): { update(p: { phase: string; width: number; done: number; total: number; perWidth: Array<{ width: number; runs: number; sets: number }> }): void; stop(): void } {
  const enabled = process.stderr.isTTY || process.env.EMBEDSCAPE_PROGRESS === "1";
  if (!enabled) return { update() {}, stop() {} };
  const t0 = Date.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(p) {
      const widths = p.perWidth.map((w) => `m=${w.width}: ${w.runs} runs/${w.sets} sets`).join(" | ");
      const fields = { phase: `m=${p.width} ${p.phase}`, widths };
      if (!bar) {
        if (Date.now() - t0 < delayMs) return;
        bar = new cliProgress.SingleBar({ format: "atlas {phase} [{bar}] {value}/{total} | {widths}", stream: process.stderr, hideCursor: true, noTTYOutput: true }, cliProgress.Presets.shades_classic);
        bar.start(p.total, p.done, fields);
      }
      bar.setTotal(p.total);
      bar.update(p.done, fields);
    },
    stop() {
      bar?.stop();
    },
  };
}
