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
