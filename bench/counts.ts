/**
 * Timing of the exact counts at large widths (not a test; no asserts):
 *   npm run build:bench && node dist-bench/counts.js
 * Prints wall-clock milliseconds for T (closed and sum form), G and T_Bell at m = 1000 and beyond.
 */
import { countG, countT, countTBell, countTSum } from "../dist/symmetry/counts.js";

function time(label: string, f: () => bigint): void {
  const t0 = performance.now();
  const v = f();
  const ms = performance.now() - t0;
  process.stdout.write(`${label.padEnd(22)} ${ms.toFixed(1).padStart(8)} ms   ${v.toString().length} digits\n`);
}

for (const [r, m] of [[3, 1000], [500, 1000], [999, 1000], [50, 5000]]) {
  time(`T(${r}, ${m})`, () => countT(r, m));
  time(`T_sum(${r}, ${m})`, () => countTSum(r, m));
  time(`G(${r}, ${m})`, () => countG(r, m));
  if (m <= 1000) time(`T_Bell(${r}, ${m})`, () => countTBell(r, m));
}
