import { InputError, quote } from "../util/errors.js";
import { stripBom } from "../util/files.js";
import { numberText } from "../util/json.js";
import { makeDataset, type Dataset } from "./dataset.js";
import { oneHotLabels, type LabelOptions } from "./labels.js";

/** How fields are separated: a comma (CSV), a tab (TSV), or runs of spaces/tabs (numpy's default `delimiter=" "`). */
export type Delimiter = "," | "\t" | "whitespace";

/** Options of the delimited-text reader (all optional; the CLI gives them as `FILE@targets=K@label@classes=K`). */
export interface TableOptions extends LabelOptions {
  /** Field separator; by default detected from the first non-comment line (see parseDataCsv). */
  delimiter?: Delimiter;
  /** Take the last `targets` columns as targets and the others as inputs, whatever the header says. */
  targets?: number;
  /** The (single) target column holds integer class labels, turned into one-hot targets. */
  label?: boolean;
  /**
   * Called with the data set's size as soon as it is known, before the value arrays are allocated (the loader's
   * memory check, util/memory.ts); called again with the one-hot width once the labels have been read.
   */
  budget?: (n: number, d: number, k: number) => void;
}

/**
 * Parse a data table — CSV (RFC 4180), TSV or whitespace-separated text as written by `np.savetxt`:
 *
 * Records: fields separated by the delimiter, records by LF or CRLF, a final line break optional. A field may be
 * quoted ("…", a quote inside written ""), and a quoted field may hold the delimiter and line breaks. A quote
 * inside an unquoted field, text after a closing quote and an unclosed quote are errors. Unquoted fields are
 * trimmed. Blank lines are skipped; a line starting with `#` is a comment (numpy's `comments="# "`) wherever it is.
 * Whitespace-separated text has no quoting.
 *
 * Delimiter (unless given): a tab for a `.tsv` name (the caller passes it); otherwise read from the first
 * non-comment line, outside quotes: a comma if it has one, else a tab if it has one, else runs of whitespace.
 *
 * Header: the first non-comment line is the header when none of its fields is a number. Otherwise, when comment
 * lines come right before it, the last of them (without `#` and the spaces after it — what `np.savetxt(...,
 * header="x1,y1")` writes as `# x1,y1`) is the header if it splits into as many fields as the first row and none
 * is a number. Failing both, the file has no header.
 *
 * Columns: with `targets: K`, the last K columns are targets and the others inputs (the header's names are not
 * used). Else, with a header: inputs are the columns x1..xd (or one column `x`), targets the columns y1..yk (or one
 * column `y`) or one column `label`; any order, other columns ignored, gaps in the numbering an error. Without a
 * header: the last column is the target, the others are inputs.
 *
 * Labels: a `label` column, or the single target column with `label: true`, holds class numbers, turned into
 * one-hot targets (see oneHotLabels: integers ≥ 0, K = max + 1 or `classes`).
 *
 * Every row must have as many fields as the header (or, without one, the first row) — a ragged row is an error
 * naming its line — and every value used must be a finite decimal number. Line numbers are the file's.
 */
export function parseDataCsv(text: string, name = "csv", opts: TableOptions = {}): Dataset {
  text = stripBom(text);
  const delim = opts.delimiter ?? detectDelimiter(text);
  if (opts.targets !== undefined && (!Number.isSafeInteger(opts.targets) || opts.targets < 1)) throw new InputError(`${name}: targets must be a positive integer, got ${opts.targets}`);
  if (opts.label && opts.targets !== undefined && opts.targets !== 1) throw new InputError(`${name}: class labels are one target column, not ${opts.targets}`);

  // pass 1: the header and the number of data rows
  let header: string[] | undefined, first: string[] | undefined, firstLine = 0, headerLine = 0, n = 0;
  let lastComment: { text: string; line: number } | undefined;
  for (const r of records(text, delim, name)) {
    if (r.comment !== undefined) { if (first === undefined) lastComment = { text: r.comment, line: r.line }; continue; }
    if (first === undefined && header === undefined) {
      if (r.fields.every((f) => !isNumber(f))) { header = r.fields; headerLine = r.line; continue; }
      first = r.fields; firstLine = r.line;
      if (lastComment && lastComment.line === r.line - 1) {
        const h = fieldsOf(lastComment.text.replace(/^#\s*/, ""), delim, name, lastComment.line);
        if (h.length === first.length && h.every((f) => !isNumber(f))) { header = h; headerLine = lastComment.line; }
      }
    }
    n++;
  }
  if (n === 0) throw new InputError(header ? `${name}: no data rows after the header (line ${headerLine})` : `${name}: no data rows (a data CSV needs at least one row of numbers)`);
  const width = header ? header.length : first!.length;

  // the column split
  let xCols: number[], yCols: number[], labelCol: number | undefined;
  const allBut = (k: number): void => {
    if (width <= k) throw new InputError(`${name}: ${width} column(s) leave no input column when the last ${k} are targets`);
    xCols = range(0, width - k); yCols = range(width - k, width);
  };
  if (opts.targets !== undefined) allBut(opts.targets);
  else if (header) {
    const shown = quote(header.join(delim === "," ? "," : " "));
    xCols = columnsNamed(header, "x", name);
    if (xCols.length === 0) throw new InputError(`${name}: header has no input columns x1, x2, … (got ${shown}); name the columns x1…, y1… (or label), or give the split as FILE@targets=K (the last K columns)`);
    yCols = columnsNamed(header, "y", name);
    const labels = header.flatMap((h, c) => (h === "label" ? [c] : []));
    if (labels.length > 1) throw new InputError(`${name}: header has ${labels.length} columns named label`);
    if (labels.length === 1 && yCols.length > 0) throw new InputError(`${name}: header has both target columns y… and a label column (give one of them)`);
    if (labels.length === 0 && yCols.length === 0) throw new InputError(`${name}: header has no target columns y1, y2, … or label (got ${shown}); or give the split as FILE@targets=K`);
    if (labels.length === 1) yCols = labels;
  } else allBut(1);
  const asLabels = opts.label === true || (opts.targets === undefined && header?.[yCols![0]] === "label");
  if (asLabels) {
    if (yCols!.length !== 1) throw new InputError(`${name}: class labels are one target column, the data have ${yCols!.length}`);
    labelCol = yCols![0];
  }
  const d = xCols!.length, k = labelCol === undefined ? yCols!.length : 1;
  opts.budget?.(n, d, k);

  // pass 2: the values
  const x = new Float64Array(n * d), y = new Float64Array(n * k), lines = labelCol === undefined ? undefined : new Float64Array(n);
  let i = 0;
  const colName = (c: number): string => (header ? quote(header[c], 30) : String(c + 1));
  for (const r of records(text, delim, name)) {
    if (r.comment !== undefined || r.line === headerLine || r.line < firstLine) continue;
    const cells = r.fields;
    if (cells.length !== width) {
      throw new InputError(header ? `${name}: line ${r.line} has ${cells.length} fields, the header has ${width}` : `${name}: line ${r.line} has ${cells.length} fields, the first row (line ${firstLine}) has ${width}`);
    }
    const num = (c: number): number => {
      const v = parseDecimal(cells[c]);
      if (!Number.isFinite(v)) throw new InputError(`${name}: line ${r.line}, column ${colName(c)} is not a finite number (${quote(cells[c], 30)}; decimal notation only)`);
      return v;
    };
    for (let j = 0; j < d; j++) x[i * d + j] = num(xCols![j]);
    if (labelCol === undefined) for (let j = 0; j < k; j++) y[i * k + j] = num(yCols![j]);
    else { y[i] = labelValue(cells[labelCol], `${name}: line ${r.line}, label`); lines![i] = r.line; }
    i++;
  }
  if (labelCol === undefined) return makeDataset(x, y, { n, d, k }, name);
  const hot = oneHotLabels(y, (row) => `${name}: line ${lines![row]}`, { classes: opts.classes, budget: (K) => opts.budget?.(n, d, K) });
  return makeDataset(x, hot.y, { n, d, k: hot.classes }, name);
}

/** A label cell as a number (any decimal notation: savetxt writes 3 as `3.000000000000000000e+00`). */
function labelValue(cell: string, where: string): number {
  const v = parseDecimal(cell);
  if (!Number.isInteger(v) || v < 0) throw new InputError(`${where} ${quote(cell, 30)} is not a class number (an integer ≥ 0)`);
  return v;
}

/**
 * A CSV cell as a decimal number: optional sign, digits with an optional fraction, optional exponent (`-1.5e-3`).
 * Everything else — `0x10`, `0b11`, `0o7`, `Infinity`, `1_000`, empty — is NaN (JavaScript's Number() would read
 * the first three as 16, 3 and 7).
 */
export function parseDecimal(s: string): number {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
}

/** A field that reads as a number in the sense of parseDecimal or as a non-finite word numpy writes (nan, inf). */
function isNumber(s: string): boolean {
  return Number.isFinite(parseDecimal(s)) || /^[-+]?(nan|inf|infinity)$/i.test(s);
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

/** Indices of columns named <prefix>1..<prefix>N (or one column named <prefix>), ordered by N; gaps are an error. */
function columnsNamed(header: string[], prefix: string, name: string): number[] {
  const found: [number, number][] = [];
  const bare: number[] = [];
  header.forEach((h, c) => {
    if (h === prefix) bare.push(c);
    const m = new RegExp(`^${prefix}([1-9]\\d{0,5})$`).exec(h);
    if (m) found.push([Number(m[1]), c]);
  });
  if (bare.length > 0) {
    if (bare.length > 1 || found.length > 0) throw new InputError(`${name}: header has a column named ${prefix} and other ${prefix} columns (name them ${prefix}1, ${prefix}2, …)`);
    return bare;
  }
  found.sort((a, b) => a[0] - b[0]);
  found.forEach(([num], i) => {
    if (num !== i + 1) throw new InputError(`${name}: header: expected column ${prefix}${i + 1}, found ${prefix}${String(num).slice(0, 20)}`);
  });
  return found.map(([, c]) => c);
}

/** The delimiter of a text read from its first non-comment, non-blank line (outside quotes): `,`, else tab, else whitespace. */
export function detectDelimiter(text: string): Delimiter {
  const lines = text.split("\n");
  for (const raw of lines) {
    const l = raw.replace(/\r$/, "");
    if (l.trim() === "" || l.startsWith("#")) continue;
    let inQuote = false, tab = false;
    for (const ch of l) {
      if (ch === '"') inQuote = !inQuote;
      else if (!inQuote && ch === ",") return ",";
      else if (!inQuote && ch === "\t") tab = true;
    }
    return tab ? "\t" : /\S\s+\S/.test(l.trim()) ? "whitespace" : ",";
  }
  return ",";
}

/** One record of a delimited text: its fields (or, for a comment line, the comment's text) and its first line number. */
interface TextRecord { fields: string[]; comment?: string; line: number }

/**
 * The records of a delimited text (RFC 4180 quoting for `,` and tab; none for whitespace), skipping blank lines.
 * A generator, so the loader can count rows and then fill the arrays without holding every field at once.
 */
function* records(text: string, delim: Delimiter, name: string): Generator<TextRecord> {
  const len = text.length;
  let pos = 0, line = 1;
  while (pos < len) {
    const start = line;
    // a comment or blank line (decided at the start of a line, outside any quote)
    let eol = text.indexOf("\n", pos);
    if (eol < 0) eol = len;
    const raw = text.slice(pos, eol > pos && text[eol - 1] === "\r" ? eol - 1 : eol);
    if (raw.startsWith("#")) { pos = eol + 1; line++; yield { fields: [], comment: raw, line: start }; continue; }
    if (raw.trim() === "") { pos = eol + 1; line++; continue; }
    if (delim === "whitespace" || !raw.includes('"')) {
      pos = eol + 1; line++;
      yield { fields: fieldsOf(raw, delim, name, start), line: start };
      continue;
    }
    // a record with quotes: may run over several lines
    const r = quotedRecord(text, pos, line, delim === "," ? "," : "\t", name);
    pos = r.pos; line = r.line;
    yield { fields: r.fields, line: start };
  }
}

/**
 * One RFC 4180 record starting at `pos` (on line `line`): fields split by `sep`, "…" quoting with "" for a quote,
 * ending at LF, CRLF or the end of the text. Returns the fields and where (position, line) the next record starts.
 */
function quotedRecord(text: string, pos: number, line: number, sep: string, name: string): { fields: string[]; pos: number; line: number } {
  const start = line, len = text.length;
  const fields: string[] = [];
  let field = "", quoted = false, afterQuote = false;
  const push = (): void => { fields.push(afterQuote ? field : field.trim()); field = ""; afterQuote = false; };
  for (;;) {
    if (pos >= len) {
      if (quoted) throw new InputError(`${name}: line ${start}: a quoted field is never closed`);
      push();
      return { fields, pos, line };
    }
    const ch = text[pos];
    if (quoted) {
      if (ch === '"') {
        if (text[pos + 1] === '"') { field += '"'; pos += 2; continue; }
        quoted = false; afterQuote = true; pos++; continue;
      }
      if (ch === "\n") line++;
      field += ch; pos++; continue;
    }
    if (ch === sep) { push(); pos++; continue; }
    if (ch === "\n" || (ch === "\r" && text[pos + 1] === "\n")) {
      push();
      return { fields, pos: pos + (ch === "\r" ? 2 : 1), line: line + 1 };
    }
    if (afterQuote) {
      if (ch === " " || ch === "\t") { pos++; continue; }
      throw new InputError(`${name}: line ${line}: text after a closing quote (${quote(text.slice(pos, pos + 20).split(/\r?\n/)[0], 20)})`);
    }
    if (ch === '"') {
      if (field.trim() !== "") throw new InputError(`${name}: line ${line}: a quote inside an unquoted field (${quote((field + text.slice(pos, pos + 10)).split(/\r?\n/)[0], 30)}); quote the whole field`);
      field = ""; quoted = true; pos++; continue;
    }
    field += ch; pos++;
  }
}

/** The fields of one line that holds no line break (a commented header, or a record without quotes). */
function fieldsOf(raw: string, delim: Delimiter, name: string, line: number): string[] {
  if (delim === "whitespace") return raw.trim().split(/[ \t]+/);
  if (!raw.includes('"')) return raw.split(delim).map((f) => f.trim());
  return quotedRecord(raw, 0, line, delim, name).fields;
}

/** Write a data set as CSV with header x1..xd,y1..yk (round-trips exactly). */
export function formatDataCsv(data: Dataset): string {
  const head = [...Array.from({ length: data.d }, (_, j) => `x${j + 1}`), ...Array.from({ length: data.k }, (_, j) => `y${j + 1}`)];
  const rows = [head.join(",")];
  for (let i = 0; i < data.n; i++) {
    const r: number[] = [];
    for (let j = 0; j < data.d; j++) r.push(data.x[i * data.d + j]);
    for (let j = 0; j < data.k; j++) r.push(data.y[i * data.k + j]);
    rows.push(r.map(numberText).join(","));
  }
  return rows.join("\n") + "\n";
}
