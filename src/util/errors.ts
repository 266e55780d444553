/**
 * One error type for every problem caused by the caller's input (bad files, wrong shapes,
 * NaN, impossible requests). The CLI prints `embedscape: <message>` and exits with code 2;
 * library users can `instanceof`-check it. Anything else escaping is a bug in embedscape.
 */
export class InputError extends Error {
  /** Line breaks and control characters (which file contents quoted in a message can carry) become spaces / "?". */
  constructor(message: string) {
    super(oneLine(message));
    this.name = "InputError";
  }
}

/** Collapse text to one line: runs of line breaks (incl. U+2028/9) → one space, other control characters → "?". */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
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
    super(oneLine(message));
    this.name = "GoalNotReached";
  }
}
