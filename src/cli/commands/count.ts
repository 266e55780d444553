import type { Command } from "commander";
import { countG, countGBelow, countT, countTBell, countTSum, crossover, MAX_COUNT_WIDTH } from "../../symmetry/counts.js";
import { num, parseRange } from "../args.js";
import { printJson } from "../run.js";
import { InputError } from "../../util/errors.js";

/**
 * `embedscape count`: exact subspace counts of Şimşek et al. (SPEC §5.3) — T(r*, m) (global-minimum
 * subspaces; `--bell` for the T_Bell variant), G(r, m) (symmetry-induced saddle subspaces), tables
 * and the crossover h where minima start to outnumber saddles. Numbers are exact (BigInt; JSON strings).
 */
/** Largest r·m for which `count T` also evaluates the O(r·m) sum form (and `--bell` is allowed). */
const SUM_FORM_LIMIT = 1_000_000;

export function register(program: Command): void {
  const count = program.command("count").description("exact counts of symmetry-induced affine subspaces (Şimşek et al., SPEC §5.3)");
  const bound = { min: 1, max: MAX_COUNT_WIDTH };

  count
    .command("T")
    .alias("t")
    .description("T(r*, m) = r*!·S(m+1, r*+1): global-minimum subspaces of a width-m net with minimal width r*")
    .argument("<r>", "minimal width r*")
    .argument("<m>", "width m ≥ r*")
    .option("--bell", "count the T_Bell variant (zero neurons may also form cancelling equal-w groups)")
    .option("--json", "print JSON")
    .action((rs: string, ms: string, f: { bell?: boolean; json?: boolean }) => {
      const r = num("r", rs, { int: true, ...bound }), m = num("m", ms, { int: true, ...bound });
      // the sum form and T_Bell cost O(r·m) big-integer steps; the closed form stays fast up to m = 5000
      const small = r * m <= SUM_FORM_LIMIT;
      if (f.bell && !small) throw new InputError(`T_Bell(${r}, ${m}) is too expensive (r·m must be at most ${SUM_FORM_LIMIT})`);
      const value = f.bell ? countTBell(r, m) : countT(r, m);
      const sum = f.bell || !small ? null : countTSum(r, m);
      if (f.json) {
        printJson({
          quantity: f.bell ? "T_Bell" : "T", r, m, value: value.toString(), digits: value.toString().length,
          formula: f.bell ? "Σ_k C(m,k)·r!·S(m−k,r)·B_k" : "r!·S(m+1,r+1)",
          ...(sum === null ? {} : { sumForm: sum.toString(), formsAgree: sum === value }),
          ...(sum === null && !f.bell ? { sumFormSkipped: `r·m > ${SUM_FORM_LIMIT}` } : {}),
        });
      } else process.stdout.write(`${f.bell ? "T_Bell" : "T"}(${r}, ${m}) = ${value}\n`);
    });

  count
    .command("G")
    .alias("g")
    .description("G(r, m) = r!·S(m, r): symmetry-induced critical subspaces of width m from a width-r critical point")
    .argument("<r>", "width r of the narrower critical point")
    .argument("<m>", "width m ≥ r")
    .option("--json", "print JSON")
    .action((rs: string, ms: string, f: { json?: boolean }) => {
      const r = num("r", rs, { int: true, ...bound }), m = num("m", ms, { int: true, ...bound });
      const value = countG(r, m);
      if (f.json) printJson({ quantity: "G", r, m, value: value.toString(), digits: value.toString().length, formula: "r!·S(m,r)" });
      else process.stdout.write(`G(${r}, ${m}) = ${value}\n`);
    });

  count
    .command("table")
    .description("tables of T(r, m) and G(r, m) (SPEC §5.3)")
    .option("--r <range>", "widths r, e.g. 1..5 or 2,3,8", "1..5")
    .option("--m <range>", "widths m, e.g. 1..8", "1..8")
    .option("--bell", "T_Bell instead of T")
    .option("--json", "print JSON (values as strings, null where r > m)")
    .action((f: { r: string; m: string; bell?: boolean; json?: boolean }) => {
      const tableBound = { min: 1, max: 1000 };
      const rs = parseRange("--r", f.r, tableBound), ms = parseRange("--m", f.m, tableBound);
      if (rs.length * ms.length > 400) throw new InputError(`a table of ${rs.length}×${ms.length} cells is too large (at most 400 cells; use count T/G for single values)`);
      const T = f.bell ? countTBell : countT;
      const grid = (fn: (r: number, m: number) => bigint): (string | null)[][] => rs.map((r) => ms.map((m) => (r > m ? null : fn(r, m).toString())));
      const tName = f.bell ? "T_Bell" : "T";
      const tables = { [tName]: grid(T), G: grid(countG) };
      if (f.json) {
        printJson({ r: rs, m: ms, ...tables });
        return;
      }
      for (const [name, rows] of Object.entries(tables)) {
        const head = [`${name}: r \\ m`, ...ms.map(String)];
        const body = rows.map((row, i) => [String(rs[i]), ...row.map((v) => v ?? "–")]);
        const widths = head.map((_, c) => Math.max(head[c].length, ...body.map((b) => b[c].length)));
        const line = (cells: string[]): string => cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join("  ");
        process.stdout.write(`${line(head)}\n${body.map(line).join("\n")}\n\n`);
      }
    });

  count
    .command("crossover")
    .description("first h with Σ_{r<r*} G(r, r*+h) < T(r*, r*+h), and with G(r*−1, r*+h) < T (SPEC §5.3)")
    .option("--r <range>", "minimal widths r*", "3,5,8,10,15,20,30,50")
    .option("--bell", "use T_Bell")
    .option("--json", "print JSON")
    .action((f: { r: string; bell?: boolean; json?: boolean }) => {
      const rows = parseRange("--r", f.r, { min: 1, max: 200 }).map((r) => {
        const c = crossover(r, { bell: f.bell });
        const m = r + c.h;
        return { ...c, m, T: (f.bell ? countTBell : countT)(r, m).toString(), sumG: countGBelow(r, m).toString() };
      });
      if (f.json) printJson(rows);
      else for (const c of rows) process.stdout.write(`r* = ${c.rStar}: h = ${c.h} [G(r*−1) only: ${c.hLargest ?? "–"}]\n`);
    });
}
