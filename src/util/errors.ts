/**
 * One error type for every problem caused by the caller's input (bad files, wrong shapes,
 * NaN, impossible requests). The CLI prints `embedscape: <message>` and exits with code 2;
 * library users can `instanceof`-check it. Anything else escaping is a bug in embedscape.
 */
export class InputError extends Error {
  /**
   * The message is made safe to print: one line (line breaks → a space), control, bidirectional and invisible
   * characters shown as escapes (`\u{202E}`), and at most MAX_MESSAGE characters (the rest is cut with a note).
   */
  constructor(message: string) {
    super(safeMessage(message));
    this.name = "InputError";
  }
}

/**
 * A numerical failure on valid-looking input (an eigen-solver that did not converge, non-finite entries reaching a
 * factorisation, LAPACK running out of workspace): still exit 2 with one line, never a LAPACK info code or a crash.
 */
export class NumericalError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "NumericalError";
  }
}

/** Longest error message printed (untrusted text quoted in messages is cut well before this; see `quote`). */
export const MAX_MESSAGE = 1000;

/** Characters never printed raw: C0/C1 controls, bidi overrides/isolates/marks, zero-width and BOM, separators. */
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/gu;

/** Show hidden characters as `\u{XXXX}` escapes (tab stays a tab; line breaks are handled by oneLine). */
export function escapeHidden(text: string): string {
  return text.replace(HIDDEN, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}}`);
}

/** Collapse text to one line: runs of line breaks (incl. U+2028/9) → one space; hidden characters escaped. */
export function oneLine(text: string): string {
  return escapeHidden(text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ").replace(/\t/g, " "));
}

/** oneLine + the MAX_MESSAGE cap (the total length of what is dropped is stated). */
export function safeMessage(text: string): string {
  const s = oneLine(text);
  if (s.length <= MAX_MESSAGE) return s;
  return `${s.slice(0, MAX_MESSAGE - 40)}… (${s.length - MAX_MESSAGE + 40} more characters)`;
}

/**
 * Untrusted text for a message, in double quotes: hidden characters escaped, line breaks shown as \n, and cut to
 * `max` characters ("…" and the original length when cut).
 */
export function quote(text: string, max = 80): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  const esc = escapeHidden(shown.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r/g, "\\r").replace(/\n/g, "\\n").replace(/[\u2028\u2029]/g, (c) => `\\u{${c.charCodeAt(0).toString(16).toUpperCase()}}`));
  return `"${esc}"${text.length > max ? ` (${text.length} characters)` : ""}`;
}

/**
 * A short description of an untrusted parsed value (JSON), never recursing more than two levels and never longer
 * than about `max` characters: `"F64"`, `12`, `[3, 1]`, `[[…], …] (array of 4)`, `{…} (object)`. Safe on values
 * nested 20,000 levels deep (which `JSON.stringify` in an error message turned into a stack overflow).
 */
export function describe(v: unknown, max = 60): string {
  const go = (x: unknown, depth: number): string => {
    if (typeof x === "string") return quote(x, 40);
    if (typeof x === "number" || typeof x === "boolean" || x === null) return String(x);
    if (Array.isArray(x)) {
      if (depth >= 2) return x.length === 0 ? "[]" : "[…]";
      const parts: string[] = [];
      let len = 0;
      for (const e of x) {
        const p = go(e, depth + 1);
        if (len + p.length > max) { parts.push("…"); break; }
        parts.push(p);
        len += p.length + 2;
      }
      return `[${parts.join(", ")}]${parts[parts.length - 1] === "…" ? ` (array of ${x.length})` : ""}`;
    }
    if (typeof x === "object") return depth >= 1 ? "{…}" : `{…} (object with ${Object.keys(x as object).length} keys)`;
    return typeof x;
  };
  return go(v, 0);
}

/** Throw an InputError with `message` unless `cond` holds. */
export function require_(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InputError(message);
}

/** Throw an InputError naming `what` unless every entry of `a` is finite. */
export function requireFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new InputError(`${what} contains a non-finite value (${a[i]}) at index ${i}`);
  }
}

/**
 * The work ran but did not reach its goal (e.g. some cells of a sweep gave up): the CLI prints
 * `embedscape: <message>` and exits with code 3.
 */
export class GoalNotReached extends Error {
  constructor(message: string) {
    super(safeMessage(message));
    this.name = "GoalNotReached";
  }
}
